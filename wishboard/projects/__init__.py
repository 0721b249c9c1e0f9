"""Service projects with many hands: members and their service logs."""
