"""The year-end selection (年度评选) and its certificates (``wishboard.honours``): who sees
a selection, who objects and whose objection holds the results back, who ends a 公示
early, when the rules may still change, whose name a 公示 or a certificate shows, who sees
an objector or why an honour was withdrawn, and what a viewer may do with a selection now
(``selection_rights``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wishboard.accounts.models import Role, User
from wishboard.access.core import can_manage_community
from wishboard.access.organizations import organization_contact_id
from wishboard.access.ratings import is_trusted_rater
from wishboard.errors import (
    ConflictError, ForbiddenError, UnauthorizedError, ValidationFailedError, WishboardError,
)
from wishboard.honours.models import (
    MIN_PUBLICITY_DAYS, PUBLIC_SELECTION_STATES, Certificate, Nominee, Objection, Selection,
    SelectionState,
)
from wishboard.places.models import Community


def can_see_selection(viewer: User | None, selection: Selection) -> bool:
    """The public sees a selection from its 公示 on; before that (waiting for the cut-off,
    the list being drawn up) only the community's staff do."""
    return selection.state in PUBLIC_SELECTION_STATES or can_manage_community(
        viewer, selection.community_id)


# Why a step refuses, by the state the selection is in.
SELECTION_STATE_REFUSALS: dict[SelectionState, tuple[str, str, str]] = {
    SelectionState.OPEN: ("selection_not_frozen", "截止日后冻结积分，才能进行这一步",
                          "The standings are not frozen yet"),
    SelectionState.NOMINATING: ("selection_not_in_publicity", "候选名单还在调整，还没有公示",
                                "The list is not in its publicity period"),
    SelectionState.PUBLICITY: ("selection_in_publicity", "名单正在公示，这一步现在不能做",
                               "The list is in its publicity period"),
    SelectionState.PUBLISHED: ("selection_published", "评选结果已经公布，不能再改",
                               "The results are published"),
}


def selection_state_refusal(selection: Selection) -> ConflictError:
    code, message, english = SELECTION_STATE_REFUSALS[selection.state]
    return ConflictError(message, message_en=english, code=code)


def publicity_over_refusal() -> ConflictError:
    return ConflictError("公示期已经结束", message_en="The publicity period is over",
                         code="publicity_over")


def objection_refusal(user: User | None, selection: Selection, now: datetime
                      ) -> WishboardError | None:
    """Who raises an objection to a nominee: anyone logged in (an active account), while
    the 公示 runs."""
    if user is None or not getattr(user, "is_authenticated", False):
        return UnauthorizedError("登录后才能提出异议", message_en="Log in to object")
    if not user.is_active:
        return ForbiddenError("这个账号已停用", message_en="This account is disabled",
                              code="account_disabled")
    if selection.state is not SelectionState.PUBLICITY:
        return selection_state_refusal(selection)
    if not selection.publicity_running(now):
        return publicity_over_refusal()
    return None


def end_publicity_refusal(actor: User | None) -> WishboardError | None:
    """Ending a 公示 before its time is an admin's call (a correction round), never the
    secretary's, who would otherwise shorten the public's time to object."""
    if actor is None or actor.role is not Role.ADMIN:
        return ForbiddenError("只有管理员可以提前结束公示", message_en="Admins only",
                              code="admin_only")
    return None


def after_cutoff_refusal(actor: User, selection_cutoff_at: datetime, now: datetime,
                         reason: str | None, *, opening: bool) -> WishboardError | None:
    """The cut-off and the rules are set before the year's results are known: a selection
    is opened, and its rules changed, before the end of its cut-off day. Later only an
    admin may, with a written reason (recorded, and shown on the 公示 page)."""
    if now < selection_cutoff_at:
        return None
    if actor.role is Role.ADMIN:
        if reason:
            return None
        return ValidationFailedError(fields={"reason": [
            "截止日已过，请写明为什么现在才" + ("开启评选" if opening else "修改评选规则")]})
    if opening:
        return ValidationFailedError(fields={"cutoff": [
            "截止日已过：评选要在截止日结束前开启，规则不能等结果出来再定；"
            "确需补开，请管理员开启并写明原因"]})
    return ConflictError("截止日已过，评选规则不能再改；确需修改，请管理员修改并写明原因",
                         message_en="The cut-off day is over: the rules are fixed",
                         code="cutoff_passed")


def publicity_days_refusal(actor: User, days: int, reason: str | None
                           ) -> WishboardError | None:
    """A 公示 runs at least ``MIN_PUBLICITY_DAYS`` whole days: the public's time to object
    is not the secretary's to shorten. A shorter one is an admin's call, with a written
    reason (recorded, and shown on the 公示 page)."""
    if days >= MIN_PUBLICITY_DAYS:
        return None
    if actor.role is not Role.ADMIN:
        return ValidationFailedError(fields={"days": [
            f"公示至少{MIN_PUBLICITY_DAYS}天；更短的公示只能由管理员决定，并写明原因"]})
    if not reason:
        return ValidationFailedError(fields={"reason": [
            f"公示少于{MIN_PUBLICITY_DAYS}天，请写明原因"]})
    return None


def objection_blocks(user: User | None, community: Community, raised_at: datetime) -> bool:
    """Whose objection holds the results back until it is answered: someone whose word
    counts in the community (``is_trusted_rater``) when they raised it. Anyone else's is
    recorded and shown to the staff, who may answer it, but does not hold the results (a
    flood of fresh accounts cannot stop a selection)."""
    return user is not None and is_trusted_rater(user, community, raised_at)


def sees_nominee_name(viewer: User | None, nominee: Nominee, community_id: int) -> bool:
    """A 公示 shows names; but a volunteer who has since chosen to keep their name off the
    boards is shown to the public as the boards show them (anonymous). The volunteer and
    the community's staff read the name."""
    if nominee.user_id is None or nominee.user is None or nominee.user.show_on_boards:
        return True
    return viewer is not None and getattr(viewer, "is_authenticated", False) and (
        viewer.id == nominee.user_id or can_manage_community(viewer, community_id))


def sees_certificate_name(viewer: User | None, certificate: Certificate) -> bool:
    """The name on a certificate, as its page, its PDF and its verification show it: the
    holder's paper names them, but a volunteer who keeps their name off the boards is not
    named to the public (the verification shows the family name only); the holder and the
    community's staff read it in full."""
    if certificate.user_id is None or certificate.user is None \
            or certificate.user.show_on_boards:
        return True
    return is_certificate_holder(viewer, certificate) or can_manage_community(
        viewer, certificate.community_id)


def can_see_objector(viewer: User | None, objection: Objection, community_id: int) -> bool:
    """An objector's name is never public: the objector and the community's staff (who
    answer it) see it."""
    return viewer is not None and getattr(viewer, "is_authenticated", False) and (
        viewer.id == objection.user_id or can_manage_community(viewer, community_id))


def is_certificate_holder(viewer: User | None, certificate: Certificate) -> bool:
    """The volunteer honoured, or the contact of the organisation honoured."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if certificate.user_id is not None:
        return viewer.id == certificate.user_id
    return viewer.id == organization_contact_id(certificate.organization_id)


def can_see_withdrawal_reason(viewer: User | None, certificate: Certificate) -> bool:
    """Why an honour was withdrawn may be a private matter: the public verification says
    only that it was, and when; the holder and the community's staff read why."""
    return is_certificate_holder(viewer, certificate) or can_manage_community(
        viewer, certificate.community_id)


@dataclass(frozen=True)
class SelectionRights:
    """What a viewer may do with a selection now, for its pages and its API answer."""

    manage: bool = False  # the community's staff: every step but ending a 公示 early
    object: bool = False  # raise an objection now
    log_in_to_object: bool = False  # a visitor, while the 公示 runs
    end_early: bool = False  # an admin, while the 公示 runs
    publish: bool = False
    reopen: bool = False
    # Waiting for the cut-off: change the rules (after the cut-off day only an admin, and
    # ``settings_reason``: with a written reason), or freeze once the day is over.
    change_settings: bool = False
    settings_reason: bool = False
    freeze: bool = False
    edit_list: bool = False  # add to the list or take off it: while it is drawn up
    start_publicity: bool = False
    short_publicity: bool = False  # a 公示 shorter than MIN_PUBLICITY_DAYS, with a reason
    answer: bool = False  # answer objections: from the 公示 on, until the results


def selection_rights(viewer: User | None, selection: Selection, *, open_objections: int,
                     now: datetime) -> SelectionRights:
    if viewer is not None and not getattr(viewer, "is_authenticated", False):
        viewer = None
    manage = can_manage_community(viewer, selection.community_id)
    running = selection.publicity_running(now)
    settled = manage and selection.publicity_over(now) and open_objections == 0
    waiting = manage and selection.state is SelectionState.OPEN
    nominating = manage and selection.state is SelectionState.NOMINATING
    late = now >= selection.cutoff_at
    return SelectionRights(
        manage=manage,
        object=viewer is not None and objection_refusal(viewer, selection, now) is None,
        log_in_to_object=viewer is None and running,
        end_early=running and end_publicity_refusal(viewer) is None,
        publish=settled, reopen=settled,
        change_settings=waiting and after_cutoff_refusal(
            viewer, selection.cutoff_at, now, "理由", opening=False) is None,
        settings_reason=waiting and late,
        freeze=waiting and late,
        edit_list=nominating, start_publicity=nominating,
        short_publicity=nominating and publicity_days_refusal(
            viewer, MIN_PUBLICITY_DAYS - 1, "理由") is None,
        answer=manage and selection.state is SelectionState.PUBLICITY,
    )
