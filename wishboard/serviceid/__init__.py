"""服务标识: the volunteer's service card and the rotating code a resident checks at the door."""
