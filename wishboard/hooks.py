"""Who listens to which feature's events: imported once by ``create_app``, so every
listener is registered before a request, a command, the scheduler or a test runs a use
case, whatever happened to be imported first.

A lower feature announces what happened on hooks of its own (``wishes/events.py``,
``accounts/events.py``) and never imports the features that act on it. Each listener
writes in the announcing use case's transaction and never commits.

Most features register their own listeners when their services module is imported; they
are imported here for that:

- ``invitations.services``: ``wishes.events.left_open`` ends a wish's invitations and
  tells their invitees;
- ``ratings.services``: ``accounts.events.rater_trusted`` counts the ratings that waited;
- ``points.services``: ``accounts.events.report_approved`` books the points held.

Organisations and honours do not register themselves yet, so their listeners are
registered here (move each into its feature's services module when it is next changed):

- ``accounts.events.membership_asked``: ``organizations.add_membership_request``;
- ``accounts.events.name_hidden``: ``honours.tell_of_hidden_name``.
"""

from __future__ import annotations

from datetime import datetime

from wishboard.accounts import events as accounts_events
from wishboard.accounts.models import User
from wishboard.honours import services as honours
from wishboard.invitations import services as invitations  # noqa: F401  (registers)
from wishboard.organizations import services as organizations
from wishboard.places.models import Organization
from wishboard.points import services as points  # noqa: F401  (registers)
from wishboard.ratings import services as ratings  # noqa: F401  (registers)


def _file_membership_request(user: User, organization: Organization, now: datetime) -> None:
    """A volunteer named ``organization`` as they signed up: their request to join it."""
    organizations.add_membership_request(user, organization, now=now)


def _tell_honours_of_hidden_name(user: User) -> None:
    honours.tell_of_hidden_name(user)


accounts_events.on_membership_asked(_file_membership_request)
accounts_events.on_name_hidden(_tell_honours_of_hidden_name)
