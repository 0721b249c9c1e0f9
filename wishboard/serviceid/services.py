"""服务标识: the volunteer's service card and the code a resident checks at the door.

A code is the volunteer's id and their card's version, signed with the application's key
and stamped with the time it was made (itsdangerous): it cannot be made up or altered,
it says by itself when it was made, and nothing of it is stored. It counts for
``SERVICE_ID_SECONDS`` (five minutes by default) and the card shows a new one every
minute, so a photo of it is soon worthless; raising the card's version (作废) voids every
code made before. What a check shows is only what the volunteer shows by holding up the
card: their name, community and organisation, whether their 报到 stands, and the public
facts of the wishes they are serving now (title, place, promised date), never a phone,
an address or the name of the person served.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload

from wishboard.access import service_card_refusal, service_card_revoke_refusal
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.errors import NotFoundError
from wishboard.extensions import db
from wishboard.places.models import Community
from wishboard.places.services import grid_options
from wishboard.projects.models import ProjectMember
from wishboard.serviceid.models import ServiceCard
from wishboard.wishes.models import Beneficiary, Wish, WishKind
from wishboard.wishes.states import WishState

SALT = "wishboard.service-id"

# What a check finds, in the words the page and the API use.
VALID, EXPIRED, REVOKED, NOT_SERVING = "valid", "expired", "revoked", "not_approved"
UNKNOWN = "unknown"  # the page's word for a code never made here (the API answers 404)
STATUS_WORDS = {
    VALID: "已报到志愿者",
    EXPIRED: "这个二维码已过期，请志愿者打开服务标识，出示新的二维码",
    REVOKED: "这个二维码已作废，请志愿者出示新的二维码",
    NOT_SERVING: "此人目前不是本平台已报到的志愿者，请不要开门",
    UNKNOWN: "这不是本平台有效的志愿者服务标识，请不要开门",
}


@dataclass
class LiveWork:
    """A wish the volunteer is serving now: as its card on the board shows it."""

    wish_id: int
    title: str
    community: str
    place: str | None
    due_at: datetime | None
    as_member: bool  # a member of a project their organisation claimed


@dataclass
class Card:
    """The volunteer's card, with the code to show now."""

    user: User
    code: str
    made_at: datetime
    expires_at: datetime
    work: list[LiveWork] = field(default_factory=list)


@dataclass
class Check:
    """What a check of a code found. Only ``status`` when the code is not valid: an old
    or voided code does not say whose it was."""

    status: str
    name: str | None = None
    volunteer_type: str | None = None
    community: str | None = None
    organization: str | None = None
    work: list[LiveWork] = field(default_factory=list)
    at_place: bool | None = None  # serving a wish at the place asked about
    for_you: bool = False  # serving a wish for the person checking

    @property
    def words(self) -> str:
        return STATUS_WORDS[self.status]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _version_of(user_id: int) -> int:
    return db.session.scalar(sa.select(ServiceCard.version)
                             .where(ServiceCard.user_id == user_id)) or 0


def live_work(user: User) -> list[LiveWork]:
    """The wishes ``user`` is serving now: those they claimed, and the running projects
    they joined as a member."""
    joined = sa.select(ProjectMember.wish_id).where(ProjectMember.user_id == user.id)
    wishes = list(db.session.scalars(
        sa.select(Wish).where(Wish.state == WishState.CLAIMED,
                              sa.or_(Wish.claimant_id == user.id, Wish.id.in_(joined)))
        .options(joinedload(Wish.community), joinedload(Wish.grid))
        .order_by(Wish.due_at, Wish.id)))
    paths = _grid_paths({w.community_id for w in wishes if w.grid_id})
    return [LiveWork(wish_id=w.id, title=w.title, community=w.community.name,
                     place=paths.get(w.grid_id) if w.grid_id else None, due_at=w.due_at,
                     as_member=w.claimant_id != user.id and w.kind is WishKind.PROJECT)
            for w in wishes]


def _grid_paths(community_ids: set[int]) -> dict[int, str]:
    if not community_ids:
        return {}
    grid = list(db.session.scalars(sa.select(Community).where(
        Community.community_id.in_(community_ids))))
    return dict(grid_options(grid))


def card_of(user: User, *, now: datetime | None = None) -> Card:
    """The card ``user`` holds up, with a code made now (403 for someone with no card: not
    an approved volunteer)."""
    refusal = service_card_refusal(user)
    if refusal is not None:
        raise refusal
    now = now or utcnow()
    code = _serializer().dumps([user.id, _version_of(user.id)])
    seconds = current_app.config["SERVICE_ID_SECONDS"]
    return Card(user=user, code=code, made_at=now, expires_at=now + timedelta(seconds=seconds),
                work=live_work(user))


def check(code: str, *, viewer: User | None = None, place_id: int | None = None,
          now: datetime | None = None) -> Check:
    """What the code says now. A code that was never made here is 404; an expired or voided
    one says so and no more. Without ``place_id``, a logged-in person asking is asked about
    where they live (their home place in the grid, ``grid.home_place_id_of``): is this
    volunteer serving a wish there?"""
    serializer = _serializer()
    try:
        user_id, version = serializer.loads(code, max_age=current_app.config["SERVICE_ID_SECONDS"])
    except SignatureExpired:
        return Check(EXPIRED)
    except (BadSignature, ValueError, TypeError):
        raise _no_such_code() from None
    if not isinstance(user_id, int) or not isinstance(version, int):
        raise _no_such_code()
    user = db.session.scalar(sa.select(User).where(User.id == user_id).options(
        joinedload(User.community), joinedload(User.organization)))
    if user is None:
        raise _no_such_code()
    if version != _version_of(user.id):
        return Check(REVOKED)
    if service_card_refusal(user) is not None:
        return Check(NOT_SERVING)
    work = live_work(user)
    found = Check(VALID, name=user.name, volunteer_type=user.volunteer_type.label,
                  community=user.community.name if user.community else None,
                  organization=user.organization.name if user.organization else None,
                  work=work)
    if place_id is None and viewer is not None and getattr(viewer, "is_authenticated", False):
        from wishboard.grid.services import home_place_id_of

        place_id = home_place_id_of(viewer)
    if place_id is not None:
        found.at_place = _serving_at(work, place_id)
    if viewer is not None and getattr(viewer, "is_authenticated", False) and work:
        found.for_you = db.session.scalar(sa.select(Beneficiary.id).where(
            Beneficiary.wish_id.in_([w.wish_id for w in work]),
            Beneficiary.user_id == viewer.id).limit(1)) is not None
    return found


def _serving_at(work: list[LiveWork], place_id: int) -> bool:
    """Whether one of the wishes is at ``place_id`` or inside it (a building in the
    courtyard asked about), or is in the community asked about."""
    if not work:
        return False
    rows = db.session.execute(sa.select(Wish.grid_id, Wish.community_id).where(
        Wish.id.in_([w.wish_id for w in work]))).all()
    for grid_id, community_id in rows:
        if community_id == place_id:
            return True
        seen = set()
        while grid_id is not None and grid_id not in seen:
            if grid_id == place_id:
                return True
            seen.add(grid_id)
            grid_id = db.session.scalar(sa.select(Community.parent_id)
                                        .where(Community.id == grid_id))
    return False


def revoke(actor: User, user_id: int, *, now: datetime | None = None) -> ServiceCard:
    """作废: every code the volunteer's card showed before stops counting (the volunteer,
    or their community's staff)."""
    now = now or utcnow()
    person = db.session.get(User, user_id)
    refusal = service_card_revoke_refusal(actor, person)
    if refusal is not None:
        raise refusal
    card = db.session.get(ServiceCard, person.id)
    if card is None:
        card = ServiceCard(user_id=person.id, version=0, created_at=now)
        db.session.add(card)
        db.session.flush()
    before = card.version
    card.version = ServiceCard.version + 1
    card.revoked_at, card.revoked_by_id = now, actor.id
    audit.record("service_card_revoked", actor=actor, object_type="user", object_id=person.id,
                 community_id=person.community_id, before={"version": before},
                 after={"version": before + 1}, now=now)
    db.session.commit()
    return card


def _no_such_code() -> NotFoundError:
    return NotFoundError("没有这个服务标识，请确认扫的是本平台志愿者出示的二维码",
                         message_en="No such service ID code", code="no_such_code")
