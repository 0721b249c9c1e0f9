"""The rule book's ground: who is one person, who manages which community, and which
community the staff act on.

Every other module of ``wishboard.access`` stands on these: ``can_manage_community`` (an
admin every community, a secretary their own), ``same_person`` (an account and its
volunteer hat are one person: nobody approves their own work), ``staff_scope`` (the one
rule for which community a staff member's list or page is about), the roll-up's readers,
and the audit log's.
"""

from __future__ import annotations

import sqlalchemy as sa

from wishboard.accounts.models import AccountLink, Role, User
from wishboard.errors import (
    ConflictError, ForbiddenError, UnauthorizedError, WishboardError,
)
from wishboard.extensions import db
from wishboard.places.models import Community
from wishboard.wishes.models import Wish
from wishboard.wishes.states import WishState


def same_person(a_id: int | None, b_id: int | None) -> bool:
    """Whether two accounts are one person: the same account, or a secretary and her
    volunteer hat (``accounts.hats``). "Nobody approves their own work" asks this, not
    whether the ids are equal."""
    if a_id is None or b_id is None:
        return False
    if a_id == b_id:
        return True
    return db.session.scalar(sa.select(AccountLink.persona_id).where(sa.or_(
        sa.and_(AccountLink.persona_id == a_id, AccountLink.owner_id == b_id),
        sa.and_(AccountLink.persona_id == b_id, AccountLink.owner_id == a_id)))) is not None


def runs_community_id(user: User | None) -> int | None:
    """For a volunteer hat, the community its person runs as secretary: the hat keeps out
    of that community's organisations (whose work she would confirm)."""
    if user is None or user.role is not Role.VOLUNTEER:
        return None
    return db.session.scalar(sa.select(User.community_id).join(
        AccountLink, AccountLink.owner_id == User.id).where(AccountLink.persona_id == user.id))


def can_manage_community(actor: User | None, community_id: int | None) -> bool:
    """Admins manage every community; a secretary only their own, grid included (the ids
    compared exactly: a 街道/区 account manages none of the communities under it, nor its
    own street or district, which is no community: ``is_rollup_account``)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.SECRETARY and community_id is not None and (
        actor.community_id == community_id
    ) and not is_rollup_account(actor)


def is_rollup_account(user: User | None) -> bool:
    """A secretary's account placed at a street or district (街道/区, or 镇/县), not at a
    community: it reads the roll-up of the communities under it (``rollup_refusal``) and
    manages nothing."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and user.role is Role.SECRETARY and user.community is not None
            and not user.community.is_community)


def places_above(place_id: int | None) -> list[int]:
    """The place and every place above it, nearest first (a building's courtyard, ...,
    its district): a few primary-key reads, most from the session."""
    found: list[int] = []
    while place_id is not None and place_id not in found and len(found) < 12:
        found.append(place_id)
        place = db.session.get(Community, place_id)
        place_id = place.parent_id if place is not None else None
    return found


def rollup_refusal(viewer: User | None, place: Community) -> WishboardError | None:
    """Who reads the roll-up of a place (its communities side by side, its leaderboards):
    admins, every place; a secretary, the places on their own line of the tree: the place
    their account is at and everything under it (a street account, its street and each
    community in it), and the places above it (a community's secretary compares with the
    neighbours of their own street and district; every figure there is public anyway).
    Another street's is refused."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return UnauthorizedError()
    if viewer.role is Role.ADMIN:
        return None
    if viewer.role is Role.SECRETARY and viewer.community_id is not None and (
            viewer.community_id in places_above(place.id)
            or place.id in places_above(viewer.community_id)):
        return None
    return ForbiddenError("只能查看本街道、本区的汇总",
                          message_en="Only the roll-up of your own street or district",
                          code="not_your_place")


def community_refusal(actor: User | None, community: Community | int | None
                      ) -> WishboardError | None:
    """Why ``actor`` may not act on ``community`` (a place or its id: a grid place counts
    as the community it lies in) as its staff; None: they may."""
    community_id = community.owning_community_id if isinstance(community, Community) else community
    if can_manage_community(actor, community_id):
        return None
    return ForbiddenError("只有本社区的书记或管理员可以这样做",
                          message_en="Only this community's secretary or an admin may do this",
                          code="not_your_community")


def ensure_can_manage_community(actor: User, community: Community | int | None) -> None:
    if (refusal := community_refusal(actor, community)) is not None:
        raise refusal


def ensure_admin(actor: User) -> None:
    if actor.role is not Role.ADMIN:
        raise ForbiddenError("只有管理员可以这样做", message_en="Admins only", code="admin_only")


# Which community the staff act on (the one place that decides it) -------------------------

def staff_scope(user: User | None, requested_id: int | None = None) -> int | None:
    """The community a staff member's list or step is about: the one the request names
    (``requested_id``); naming none, a secretary's own community, and for anyone else (an
    admin) none in particular: None, which the caller reads as every community, or as a
    question to ask ("请指定社区"). Naming a community widens nobody's reach: the caller
    still asks ``community_refusal``/``ensure_can_manage_community`` of the id returned,
    which refuses a secretary another community's. Used by the needs queue, the
    organisations waiting for review, the audit log, and the management pages
    (``managed_community_id``)."""
    if requested_id is not None:
        return requested_id
    if user is not None and getattr(user, "role", None) is Role.SECRETARY:
        return user.community_id
    return None


def managed_community_id(user: User | None, requested_id: int | None = None) -> int | None:
    """The community a management page (/manage) is about: a secretary's own, always (her
    pages have no community picker, so a community named in the address is not hers to
    pick); for an admin the one picked (``?community_id=``), None until they pick."""
    if user is not None and getattr(user, "role", None) is Role.SECRETARY:
        return staff_scope(user)
    return staff_scope(user, requested_id)


def audit_log_refusal(actor: User | None, community_id: int | None) -> WishboardError | None:
    """Who reads the audit log: a community's lines, its staff (``community_refusal``);
    the whole log (``community_id`` None: it also holds log-ins by unknown names), admins
    only. (Who saw one wish's private details: the community's staff, ``wish_rights``'s
    ``see_audit``.)"""
    if community_id is not None:
        return community_refusal(actor, community_id)
    if actor is None or actor.role is not Role.ADMIN:
        return ForbiddenError("只有社区书记或管理员可以查看操作记录", code="not_your_community")
    return None


# Facts about a wish that several objects' rules ask ----------------------------------------

def _is_beneficiary(viewer: User | None, wish: Wish) -> bool:
    return viewer is not None and any(b.user_id == viewer.id for b in wish.beneficiaries)


def _staff_on_open_wish(user: User | None, wish: Wish, *, deed: str,
                        deed_en: str) -> WishboardError | None:
    """Finding hands for a wish (suggestions, invitations): the community's staff, while
    the wish is open."""
    if not can_manage_community(user, wish.community_id):
        return ForbiddenError(f"只有本社区的书记或管理员可以{deed}",
                              message_en=f"Only this community's secretary or an admin may "
                                         f"{deed_en}", code="not_your_community")
    if wish.state is not WishState.OPEN:
        return ConflictError(f"只有待认领的心愿才能{deed}（这个心愿{wish.state.label}）",
                             message_en=f"Only open wishes: {deed_en}", code="wish_not_open")
    return None
