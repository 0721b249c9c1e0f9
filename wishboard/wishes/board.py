"""The board: reading wishes, and the tallies every board counts by.

- ``list_wishes`` (the board: index order, cursors, tallies, search ``_search``),
  ``waiting_for_my_rating``, ``merge_targets``, ``claims_of``;
- one wish: ``wish_story`` (four queries), ``read_wish`` (for a viewer, recording a sight of
  the people served in the audit log), ``public_wish`` (what is shared beyond its page);
- the tallies per community and state (``WishTally``): the use cases that move a wish add
  their changes with ``tally``; they are written just before the commit
  (``_write_tallies``, a session listener registered when this module is imported, which
  ``wishes.services`` does).

Nothing here changes a wish. ``wishes.services`` re-exports the public names, so
``from wishboard.wishes import services as wishes; wishes.list_wishes(...)`` keeps working.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, joinedload, selectinload

from wishboard.access import can_see_state, can_see_wish, private_details_reason
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.db import (
    Page, UTCDateTime, commit_keeping_what_was_read, contains, count_upto, cursor_of, upsert,
)
from wishboard.errors import ForbiddenError, NotFoundError
from wishboard.extensions import db
from wishboard.places.models import Community
from wishboard.ratings.models import Rating
from wishboard.wishes.models import (
    Beneficiary, Claim, ClaimStatus, Wish, WishEvent, WishKind, WishStory,
)
from wishboard.wishes.states import PUBLIC_STATES, WishState
from wishboard.wishes.tallies import WishTally

# The tallies ---------------------------------------------------------------------------------

_TALLY_KEY = "wish_tally_changes"


def tally(changes: Counter) -> None:
    """Add each ``(community_id, state): n`` of ``changes`` to the tallies when the caller's
    transaction commits (``_write_tallies``)."""
    db.session.info.setdefault(_TALLY_KEY, Counter()).update(changes)


@sa.event.listens_for(Session, "before_commit")
def _write_tallies(session: Session) -> None:
    """The tallies are every board's hottest rows: they are written last, just before the
    commit, and always in one order. A transaction holding them waits for nothing else,
    so no two transactions can each hold what the other waits for."""
    changes = session.info.pop(_TALLY_KEY, None)
    for (community_id, state), n in sorted((changes or {}).items(),
                                           key=lambda change: (change[0][0], change[0][1].value)):
        if n:
            session.execute(
                upsert(WishTally).values(community_id=community_id, state=state, count=n)
                .on_conflict_do_update(index_elements=["community_id", "state"],
                                       set_={"count": WishTally.__table__.c.count + n}))


@sa.event.listens_for(Session, "after_rollback")
def _forget_tallies(session: Session) -> None:
    session.info.pop(_TALLY_KEY, None)


# Reading -----------------------------------------------------------------------------------

def list_wishes(*, community_id: int | None = None, status: str | None = None,
                category_id: int | None = None, kind: str | None = None,
                grid_id: int | None = None, q: str | None = None, page: int = 1,
                per_page: int = 20, after: tuple[datetime, int] | None = None,
                viewer: User | None = None, people: bool = True) -> Page:
    """The board, newest first, in a fixed number of queries whatever the page size. Each
    filter reads its page off an index in order; a page read ``after`` the cursor of the
    page before costs the same on page 500 as on page 1 (``page`` skips rows, and costs
    more the deeper it goes). A community's whole board is counted by its tallies; a
    filtered one up to ``LIST_COUNT_CAP`` ("1000+"). ``people``: load each wish's
    beneficiaries too (the API shows them, masked; the board's cards do not)."""
    if status:
        states = [WishState(status)]
        if not can_see_state(viewer, states[0], community_id):
            raise ForbiddenError("只有社区书记能看这类心愿", code="not_your_community")
    else:
        states = sorted(PUBLIC_STATES, key=lambda s: s.value)
    query = sa.select(Wish).where(Wish.state.in_(states))
    if community_id:
        query = query.where(Wish.community_id == community_id)
    if category_id:
        query = query.where(Wish.category_id == category_id)
    if kind:
        query = query.where(Wish.kind == WishKind(kind))
    if grid_id:
        places = sa.select(Community.id).where(sa.or_(Community.id == grid_id,
                                                      Community.parent_id == grid_id))
        deeper = sa.select(Community.id).where(Community.parent_id.in_(places))
        query = query.where(sa.or_(Wish.grid_id.in_(places), Wish.grid_id.in_(deeper)))
    if q:
        query = query.where(_search(q))

    rows = query.options(joinedload(Wish.category), joinedload(Wish.grid),
                         joinedload(Wish.claimant), joinedload(Wish.claim_organization),
                         *([selectinload(Wish.beneficiaries)] if people else []))
    if after is not None:
        rows = rows.where(sa.tuple_(Wish.published_at, Wish.id) < sa.tuple_(
            sa.literal(after[0], UTCDateTime()), sa.literal(after[1])))
    else:
        rows = rows.offset((page - 1) * per_page)
    found = list(db.session.scalars(
        rows.order_by(Wish.published_at.desc(), Wish.id.desc()).limit(per_page + 1)).unique())
    items = found[:per_page]
    following = cursor_of(items[-1].published_at, items[-1].id) if len(found) > per_page \
        else None

    if community_id and not (category_id or kind or grid_id or q):
        total = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(WishTally.count), 0))
            .where(WishTally.community_id == community_id, WishTally.state.in_(states)))
        return Page(items, total, following)
    total, capped = count_upto(query, current_app.config["LIST_COUNT_CAP"])
    return Page(items, total, following, capped)


def waiting_for_my_rating(user: User, limit: int = 50) -> list[Wish]:
    """Services done for ``user`` (they are among the people served) that they have not
    rated yet, newest first: 我的心愿's 去评价."""
    rated = sa.select(Rating.wish_id).where(Rating.rater_id == user.id)
    return list(db.session.scalars(
        sa.select(Wish).join(Beneficiary, Beneficiary.wish_id == Wish.id)
        .where(Beneficiary.user_id == user.id, Wish.state == WishState.COMPLETED,
               Wish.id.not_in(rated))
        .order_by(Wish.completed_at.desc(), Wish.id.desc()).limit(limit)).unique())


def merge_targets(community_id: int, limit: int = 50) -> list[Wish]:
    """The wishes a new need may join (open, then claimed; the newest of each), for the
    secretary's picker: one query, no count."""
    return list(db.session.scalars(
        sa.select(Wish).where(Wish.community_id == community_id,
                              Wish.state.in_([WishState.OPEN, WishState.CLAIMED]))
        .order_by(Wish.state.desc(), Wish.published_at.desc(), Wish.id.desc()).limit(limit)))


def _search(q: str):
    """Wishes whose title or description holds ``q``. On PostgreSQL the stored set of every
    character and pair of characters (``search_grams``, migration 5b1e7c9d2a40) and its
    index find the candidates, so a search for a rare word reads a handful of rows, not the
    district's board."""
    exact = sa.or_(contains(Wish.title, q), contains(Wish.description, q))
    if db.session.get_bind().dialect.name != "postgresql":
        return exact
    grams = sa.literal_column("wishes.search_grams")
    return sa.and_(grams.op("@>")(sa.func.wish_query_grams(q)), exact)


def read_wish(viewer: User | None, wish_id: int, *, now: datetime | None = None) -> WishStory:
    """One wish and its story, for ``viewer``; 404 unless they may see it (``can_see_wish``).
    When the viewer may see the private details of the people it serves (and so will), the
    sight is recorded in the audit log first, with the reason they may: claimant, secretary
    or self."""
    story = wish_story(wish_id)
    wish = story.wish
    if not can_see_wish(viewer, wish):
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    reason = private_details_reason(viewer, wish)
    seen = [b.id for b in wish.beneficiaries
            if reason in ("claimant", "secretary") or b.user_id == getattr(viewer, "id", None)]
    if reason is not None and seen:
        audit.record("private_details_viewed", actor=viewer, object_type="wish",
                     object_id=wish.id, community_id=wish.community_id,
                     after={"reason": reason, "beneficiaries": seen}, now=now)
        commit_keeping_what_was_read()
    return story


def public_wish(wish_id: int) -> Wish:
    """A wish as the public sees it, for what is shared beyond its page (the poster, the
    share code): 404 unless anyone may see it, whoever asks."""
    wish = db.session.scalar(sa.select(Wish).where(Wish.id == wish_id).options(
        joinedload(Wish.category), joinedload(Wish.community)))
    if wish is None or not can_see_wish(None, wish):
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    return wish


def wish_story(wish_id: int) -> WishStory:
    """A wish with its story, in four queries. Callers that show it to someone use
    ``read_wish``."""
    wish = db.session.scalar(
        sa.select(Wish).where(Wish.id == wish_id)
        .options(joinedload(Wish.category), joinedload(Wish.grid), joinedload(Wish.claimant),
                 joinedload(Wish.claim_organization), selectinload(Wish.beneficiaries)))
    if wish is None:
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    events = db.session.scalars(
        sa.select(WishEvent).where(WishEvent.wish_id == wish_id)
        .options(joinedload(WishEvent.actor)).order_by(WishEvent.created_at, WishEvent.id))
    claims = db.session.scalars(
        sa.select(Claim).where(Claim.wish_id == wish_id)
        .options(joinedload(Claim.volunteer), joinedload(Claim.organization))
        .order_by(Claim.claimed_at.desc(), Claim.id.desc()))
    ratings = db.session.scalars(
        sa.select(Rating).where(Rating.wish_id == wish_id, Rating.removed_at.is_(None))
        .options(joinedload(Rating.rater), joinedload(Rating.beneficiary))
        .order_by(Rating.created_at, Rating.id))
    return WishStory(wish, list(events), list(claims), list(ratings))


def claims_of(volunteer: User, *, active_only: bool = False) -> list[Claim]:
    query = sa.select(Claim).where(Claim.volunteer_id == volunteer.id)
    if active_only:
        query = query.where(Claim.status == ClaimStatus.ACTIVE)
    return list(db.session.scalars(
        query.options(joinedload(Claim.organization), joinedload(Claim.wish))
        .order_by(sa.case((Claim.status == ClaimStatus.ACTIVE, 0), else_=1), Claim.due_at,
                  Claim.id.desc())))

