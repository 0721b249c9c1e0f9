"""Service projects and activities (``wishboard.projects``, ``wishboard.activities``): who
joins a running project and logs service on it, who confirms a service log (the staff of
the community served, never the organisation that earns from it), who publishes and
organises an activity, who signs up for one, and which check-in is an independent word
(``attendance_earns``)."""

from __future__ import annotations

import sqlalchemy as sa

from wishboard.accounts.models import AccountLink, Role, User
from wishboard.access.core import can_manage_community, same_person
from wishboard.access.organizations import organization_contact_id
from wishboard.activities.models import Activity, Audience
from wishboard.errors import ForbiddenError, WishboardError
from wishboard.extensions import db
from wishboard.places.models import Organization, OrganizationStatus
from wishboard.wishes.models import Wish, WishKind
from wishboard.wishes.states import WishState


# Service projects and their logs (wishboard.projects) --------------------------------------

def may_join(user: User | None, wish: Wish) -> bool:
    """Approved members of the organisation that claimed a running project, wherever they
    report as volunteers themselves (双报到: a member living in another community serves
    on the projects of the community the organisation reports to)."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and user.is_approved_volunteer and wish.kind is WishKind.PROJECT
            and wish.state is WishState.CLAIMED and wish.claim_organization_id is not None
            and user.organization_id == wish.claim_organization_id
            and wish.claim_organization is not None and wish.claim_organization.is_approved)


def log_refusal(user: User | None, wish: Wish, *, joined: bool) -> WishboardError | None:
    """Who logs service on a running project: someone who joined it (``joined``) and is
    still a member of the organisation that claimed it. A member who left or was taken
    off keeps what they logged before, and logs no more for it."""
    if not joined:
        return ForbiddenError("请先加入这个项目", message_en="Join the project first",
                              code="not_joined")
    if (user is None or wish.claim_organization_id is None
            or user.organization_id != wish.claim_organization_id):
        return ForbiddenError("您已不是认领这个项目的组织的成员，不能再登记服务",
                              message_en="Only members of the claiming organisation log service",
                              code="not_a_member_of_claimant")
    return None


def _earns_from(actor: User, organization_id: int | None) -> bool:
    """Whether ``actor`` stands with the organisation that earns from a project's logs: a
    member of it (either of their hats) or its contact."""
    if organization_id is None:
        return False
    if actor.organization_id == organization_id or same_person(
            actor.id, organization_contact_id(organization_id)):
        return True
    other_hats = sa.select(AccountLink.persona_id).where(AccountLink.owner_id == actor.id) \
        .union(sa.select(AccountLink.owner_id).where(AccountLink.persona_id == actor.id))
    return db.session.scalar(sa.select(User.id).where(
        User.id.in_(other_hats), User.organization_id == organization_id).limit(1)) is not None


def can_confirm_logs(actor: User | None, wish: Wish) -> bool:
    """The staff of the community where the service took place, never anyone of the
    organisation that earns from it (its contact included: ``_earns_from``), nor the one
    who served (``log_confirm_refusal``)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return can_manage_community(actor, wish.community_id) and not _earns_from(
        actor, wish.claim_organization_id)


def confirmable_logs(actor: User | None, wish: Wish, logs) -> set[int]:
    """The pending service logs ``actor`` may confirm (never their own)."""
    if not can_confirm_logs(actor, wish):
        return set()
    return {log.id for log in logs if log.status.value == "pending"
            and not same_person(log.user_id, actor.id)}


def log_confirm_refusal(actor: User, wish: Wish, log_user_id: int) -> WishboardError | None:
    if same_person(actor.id, log_user_id):
        return ForbiddenError("不能确认自己的服务记录，请由社区书记确认",
                              message_en="Nobody confirms their own service log",
                              code="cannot_confirm_own_work")
    if not can_confirm_logs(actor, wish):
        if _earns_from(actor, wish.claim_organization_id):
            return ForbiddenError("服务记录由服务所在社区的工作人员确认，认领组织的联络员和成员不能确认",
                                  message_en="The community's staff confirm service logs, "
                                             "never the organisation that earns from them",
                                  code="cannot_confirm_own_work")
        return ForbiddenError("只有服务所在社区的工作人员可以确认",
                              message_en="Only the staff of the community where the service "
                                         "took place",
                              code="not_confirmer")
    return None


# Activities: publishing, organising, signing up, checking in (wishboard.activities) --------

def activity_contact_organization(actor: User | None, community_id: int | None
                                  ) -> Organization | None:
    """The approved organisation of the community ``actor`` is the contact of (only an
    organisation whose 报到 was approved organises activities)."""
    if actor is None or community_id is None:
        return None
    return db.session.scalar(sa.select(Organization).where(
        Organization.contact_user_id == actor.id, Organization.community_id == community_id,
        Organization.report_status == OrganizationStatus.APPROVED).limit(1))


def can_publish_activity(actor: User | None, community_id: int | None) -> bool:
    """The community's secretary, or a reporting organisation's contact there."""
    return actor is not None and community_id is not None and (
        can_manage_community(actor, community_id)
        or activity_contact_organization(actor, community_id) is not None)


def ensure_activity_organizer(actor: User, community_id: int) -> Organization | None:
    """For whom ``actor`` publishes an activity in the community: secretaries organise for
    their community (None); an organisation's contact for it. Anyone else: 403."""
    if can_manage_community(actor, community_id):
        return None
    organization = activity_contact_organization(actor, community_id)
    if organization is None:
        raise ForbiddenError("只有社区书记或报到党组织的联系人可以发布活动",
                             message_en="Only the secretary or an organisation's contact",
                             code="not_an_organizer")
    return organization


def can_organize_activity(actor: User | None, activity: Activity) -> bool:
    """Its organiser, or the staff of its community: they see the roster and the check-in
    code, and check people in from the list."""
    return actor is not None and (actor.id == activity.organizer_id
                                  or can_manage_community(actor, activity.community_id))


def signup_refusal(user: User, activity: Activity) -> WishboardError | None:
    """Who signs up for an activity: someone of its community, of the audience it is for
    (volunteers, residents, or both), and a volunteer only once their 报到 is approved."""
    if user.community_id != activity.community_id:
        return ForbiddenError("只能报名本社区的活动", code="not_your_community")
    if activity.audience is Audience.VOLUNTEERS and user.role is not Role.VOLUNTEER:
        return ForbiddenError("这个活动只面向志愿者", code="audience_volunteers")
    if activity.audience is Audience.RESIDENTS and user.role is not Role.RESIDENT:
        return ForbiddenError("这个活动只面向居民", code="audience_residents")
    if user.role is Role.VOLUNTEER and not user.is_approved_volunteer:
        return ForbiddenError("您的报到还没有通过审核", code="report_not_approved")
    return None


def attendance_earns(actor: User, person: User, activity) -> bool:
    """Whether this check-in is someone independent saying ``person`` took part. Nobody
    approves their own participation: the organiser's own check-in earns only when another
    organiser (the secretary) checks them in. And an organisation does not vouch for
    itself: its members' attendance at the activity it organises earns (for them and for
    it) only when the community's staff check them in from the list, not with the code its
    contact shows or the contact's own check-in."""
    if person.id == activity.organizer_id and same_person(actor.id, person.id):
        return False
    if activity.organization_id is not None \
            and person.organization_id == activity.organization_id:
        return can_manage_community(actor, activity.community_id) and not same_person(
            actor.id, person.id) and actor.organization_id != activity.organization_id
    return True
