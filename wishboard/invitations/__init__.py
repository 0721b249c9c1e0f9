"""Invitations (社区请您帮忙): the secretary asks one volunteer, or one reporting
organisation, to take an open wish; the invitee accepts by claiming it (the same claim, the
same responsibility letter) or declines, and an unanswered invitation expires."""
