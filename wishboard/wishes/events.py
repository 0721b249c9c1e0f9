"""What the wishes tell the features above them, without knowing who listens.

A feature that must act when a wish moves registers a listener here when its services
module is imported (``wishboard.invitations.services`` registers the one that ends a wish's
invitations); the wish use cases call the hook in their own transaction, after the wishes'
rows have moved, and the listener writes in that transaction too (it never commits). So the
wishes module writes only its own rows and still ends everything in one commit.

- ``left_open(wish_ids, new_state, now, claimant_id=..., organization_id=...)``: wishes
  have just left ``open`` (claimed, cancelled, expired), from ``transition_many``.
  ``claimant_id`` and ``organization_id`` are the claim's when ``new_state`` is claimed.

Listeners run in the order they registered; a listener registered twice runs once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from wishboard.wishes.states import WishState

LeftOpen = Callable[..., None]

_left_open: list[LeftOpen] = []


def on_left_open(listener: LeftOpen) -> LeftOpen:
    """Register ``listener(wish_ids, new_state, now, *, claimant_id, organization_id)``;
    usable as a decorator."""
    if listener not in _left_open:
        _left_open.append(listener)
    return listener


def left_open(wish_ids: list[int], new_state: WishState, now: datetime, *,
              claimant_id: int | None = None, organization_id: int | None = None) -> None:
    """Tell every listener that ``wish_ids`` have just left ``open`` for ``new_state``.
    The caller commits."""
    if not wish_ids:
        return
    for listener in list(_left_open):
        listener(wish_ids, new_state, now, claimant_id=claimant_id,
                 organization_id=organization_id)
