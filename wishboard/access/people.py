"""People (``wishboard.accounts``, ``needs``, ``matching``, ``grid``, ``serviceid``): who
gives whom a password reset code, who adds a volunteer hat, who lives in a community
(``is_neighbour``, ``known_neighbours``) and so posts needs (``need_refusal``), who keeps
a service profile and who is shown whom to ask for a wish, who holds a grid duty and who
sees a grid contact's full phone, who has a service card and who voids it."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from wishboard.accounts.models import Role, User
from wishboard.access.core import _staff_on_open_wish, can_manage_community, is_rollup_account
from wishboard.errors import ForbiddenError, NotFoundError, ValidationFailedError, WishboardError
from wishboard.extensions import db
from wishboard.grid.models import GridContact
from wishboard.places.models import Community
from wishboard.wishes.models import Wish


# Accounts: reset codes and volunteer hats (wishboard.accounts) ------------------------------

def reset_code_refusal(actor: User, person: User) -> WishboardError | None:
    """Why ``actor`` may not give ``person`` a password reset code: an admin may for anyone;
    a secretary for the residents and volunteers of their own community, never for staff
    (whose account would then be theirs to open)."""
    if not person.has_own_password:  # a volunteer hat: its person logs in as themselves
        return ValidationFailedError("这是社区书记账号下的志愿者身份，没有单独的密码；请为本人的账号发重置码",
                                     message_en="A volunteer hat has no password of its own",
                                     code="hat_has_no_password")
    if actor.role is Role.ADMIN:
        return None
    if not can_manage_community(actor, person.community_id) or person.role not in (
            Role.RESIDENT, Role.VOLUNTEER):
        return ForbiddenError("书记只能为本社区的居民和志愿者发重置码",
                              message_en="A secretary resets residents and volunteers of "
                                         "their own community", code="not_your_person")
    return None


def volunteer_hat_refusal(owner: User | None, community: Community | None
                          ) -> WishboardError | None:
    """Who may also report as a volunteer (``accounts.hats``): a community secretary, in a
    community that is not the one they run (nobody approves their own 报到, or confirms
    their own work)."""
    if owner is None or owner.role is not Role.SECRETARY or not owner.is_active:
        return ForbiddenError("社区书记可以在居住的社区另外报到做志愿者；居民和志愿者请直接使用本账号",
                              message_en="Only community secretaries add a volunteer hat",
                              code="secretaries_only")
    if community is None or not community.is_community:
        return ValidationFailedError(fields={"community_id": ["请选择一个社区或村"]})
    if community.id == owner.community_id:
        return ValidationFailedError(
            "您在本社区是书记，请选择您居住的另一个社区",
            message_en="Volunteer in another community than the one you run",
            code="own_community", fields={"community_id": ["不能是您任书记的社区"]})
    return None


# Who lives in a community, and posts its needs (wishboard.needs) ----------------------------

def is_neighbour(user: User | None, community_id: int | None = None) -> bool:
    """Someone who lives in the community (their own when ``community_id`` is None): a
    resident, or a volunteer whose home community it is (``User.community_id``: a volunteer
    living there is a resident there too). They post needs for themselves and rate the
    services done there."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and user.role in (Role.RESIDENT, Role.VOLUNTEER) and user.is_active
            and user.community_id is not None
            and (community_id is None or user.community_id == community_id))


def known_neighbours() -> sa.ColumnElement[bool]:
    """The neighbours the community knows, as a condition on ``User``: residents the
    secretary has verified and volunteers whose 报到 a person approved, not the community's
    automatic approval (``User.report_approved_by_person``; ``User.is_trusted_rater`` for
    these two roles)."""
    return sa.or_(sa.and_(User.role == Role.RESIDENT, User.verified_at.is_not(None)),
                  sa.and_(User.role == Role.VOLUNTEER, User.report_approved_by_person))


def need_refusal(actor: User | None) -> WishboardError | None:
    """Who posts a need (需求征集): someone who lives in the community, for themselves and
    in their own community (a resident, or a volunteer living there: ``is_neighbour``); or
    the community's secretary, who records one for a resident without a phone (代录)."""
    if is_neighbour(actor) or (actor is not None and actor.role is Role.SECRETARY
                               and not is_rollup_account(actor)):
        return None
    return ForbiddenError("需求由住在本社区的居民和志愿者提出，或由社区书记代录",
                          message_en="Needs come from the people of the community or their "
                                     "secretary", code="residents_only")


# Reaching the right hands (wishboard.matching) ------------------------------------------

def profile_refusal(user: User | None) -> WishboardError | None:
    """Skills, a service card and follows are a volunteer's (whatever their 报到 status:
    they may fill them in while they wait)."""
    if user is None or user.role is not Role.VOLUNTEER:
        return ForbiddenError("只有志愿者可以填写特长和服务",
                              message_en="Only volunteers keep a service profile",
                              code="volunteers_only")
    return None


def suggestions_refusal(user: User | None, wish: Wish) -> WishboardError | None:
    """Who to ask for help with a wish: the community's staff, while the wish is open."""
    return _staff_on_open_wish(user, wish, deed="推荐志愿者", deed_en="ask for suggestions")


# Grid contacts: 楼栋长, 院落长, 网格员 (wishboard.grid) ------------------------------------

def grid_duty_refusal(person: User | None, place: Community) -> WishboardError | None:
    """Who may be given a duty on a grid place: an active resident or volunteer of the
    place's community (they keep their own role: a duty is not an account role). Staff run
    the grid already and are not its contacts. (Who *gives* the duty: the community's staff,
    ``ensure_can_manage_community``.)"""
    if person is None or not person.is_active or person.role not in (
            Role.RESIDENT, Role.VOLUNTEER) or person.community_id != place.owning_community_id:
        return ValidationFailedError("只能指派本社区的居民或志愿者",
                                     message_en="Only residents and volunteers of this "
                                                "community can be grid contacts",
                                     code="not_a_neighbour",
                                     fields={"user_id": ["只能指派本社区的居民或志愿者"]})
    return None


def contact_phone_reason(viewer: User | None, contact: GridContact,
                         home_line: Collection[int] = ()) -> str | None:
    """Why ``viewer`` may see a grid contact's full phone number: ``self`` (the contact),
    ``staff`` (the community's secretary or an admin), ``neighbour`` (a resident the
    secretary has verified, or a volunteer whose 报到 is approved, of the same community,
    whose home place is the contact's place or lies inside it: ``home_line`` is their home
    place and every place above it). None: everyone else, the public above all, sees it
    masked (``privacy.shown_contact``). A home place is what a person says of themselves,
    so it opens a number only to someone the community knows; each such sight is written
    to the audit log."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    if viewer.id == contact.user_id:
        return "self"
    if can_manage_community(viewer, contact.community_id):
        return "staff"
    if (viewer.role in (Role.RESIDENT, Role.VOLUNTEER) and viewer.is_active
            and viewer.community_id == contact.community_id and viewer.is_trusted_rater
            and contact.place_id in home_line):
        return "neighbour"
    return None


def grid_contact_places(user: User | None) -> list[int]:
    """The grid places whose needs ``user`` follows as their 楼栋长, 院落长 or 网格员 (the
    service adds the places inside them). What they see of each need is
    ``privacy.shown_grid_need``: title, state, when, where and the resident's name masked;
    never the resident's words, phone or address, which stay with the community's staff
    and the resident (DOMAIN.md gives grid contacts no more)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role not in (
            Role.RESIDENT, Role.VOLUNTEER):
        return []
    return list(db.session.scalars(sa.select(GridContact.place_id).where(
        GridContact.user_id == user.id, GridContact.community_id == user.community_id)
        .distinct()))


# 服务标识: the service card a volunteer holds up at the door (wishboard.serviceid) -------

def service_card_refusal(user: User | None) -> WishboardError | None:
    """Who has a service card, and whose card checks as valid: an active volunteer whose
    报到 is approved."""
    if user is None or not user.is_active or not user.is_approved_volunteer:
        return ForbiddenError("报到通过审核的志愿者才有服务标识",
                              message_en="Only approved volunteers have a service ID",
                              code="no_service_card")
    return None


def service_card_revoke_refusal(actor: User | None, person: User | None
                                ) -> WishboardError | None:
    """Who voids a volunteer's codes (作废): the volunteer, or their community's staff."""
    if person is None or person.role is not Role.VOLUNTEER:
        return NotFoundError("没有这位志愿者", message_en="No such volunteer")
    if actor is None or (actor.id != person.id
                         and not can_manage_community(actor, person.community_id)):
        return ForbiddenError("只有志愿者本人或本社区的书记可以作废服务标识",
                              message_en="Only the volunteer or their secretary",
                              code="not_your_card")
    return None
