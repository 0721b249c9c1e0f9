"""What happens to an account that the features above accounts act on, without accounts
knowing them: they register a listener here; the accounts use case calls the hook inside its
own transaction, and every listener writes in that transaction (none commits), so the use
case still commits once.

- ``membership_asked(user, organization, now)``: a volunteer named an organisation as they
  signed up (``register_user``); the organisations feature files the request to join.
- ``rater_trusted(user, now)``: a person's ratings may count from now on (their 报到
  approved by a person, or a resident verified); each listener returns how many ratings it
  counted (``verify_resident`` writes their sum in its audit line). Ratings listens.
- ``report_approved(user, actor, now)``: a person approved a volunteer's 报到 (after
  ``rater_trusted``); points listens, and books what was held for them.
- ``name_hidden(user)``: a volunteer has just chosen to keep their name off the boards
  (``update_preferences``); honours listens, and tells the secretaries of any list they
  are on.

Who registers where: ratings and points in their services modules; organisations and
honours in ``wishboard.hooks``, which ``create_app`` imports, with the other features'
services, so every listener is in place before a use case runs. Listeners run in the order
they registered; one registered twice runs once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[..., Any]


class _Hook:
    def __init__(self, name: str) -> None:
        self.name = name
        self.listeners: list[Listener] = []

    def register(self, listener: Listener) -> Listener:
        if listener not in self.listeners:
            self.listeners.append(listener)
        return listener

    def __call__(self, *args, **kwargs) -> list[Any]:
        return [listener(*args, **kwargs) for listener in list(self.listeners)]


membership_asked = _Hook("membership_asked")
rater_trusted = _Hook("rater_trusted")
report_approved = _Hook("report_approved")
name_hidden = _Hook("name_hidden")

# Registering, also as decorators: ``@on_report_approved``.
on_membership_asked = membership_asked.register
on_rater_trusted = rater_trusted.register
on_report_approved = report_approved.register
on_name_hidden = name_hidden.register
