"""The list and its 公示: the secretary adjusts the list with a reason for each change,
puts it up for the public (who the public saw: ``Nominee.shown_at``), anyone logged in
objects and the secretary answers in writing; an admin may end a 公示 early; a correction
round goes back to the list. Publishing is ``certificates.publish_selection``."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import (
    end_publicity_refusal, ensure_can_manage_community, objection_blocks, objection_refusal,
    organization_contact_id, publicity_days_refusal, publicity_over_refusal,
)
from wishboard.accounts.models import ReportStatus, Role, User
from wishboard.audit import services as audit
from wishboard.core.clock import day_start, deadline_words, local_day, utcnow
from wishboard.core.db import flush_or_conflict
from wishboard.errors import ConflictError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.honours.models import (
    DEFAULT_PUBLICITY_DAYS, DIVISION_OF_TYPE, MIN_PUBLICITY_DAYS, HonourDivision, Nominee,
    NomineeSource, NomineeStatus, Objection, ObjectionStatus, Selection, SelectionStanding,
    SelectionState,
)
from wishboard.notifications.services import notify, secretary_ids
from wishboard.places.models import Organization
from wishboard.honours.selection import (
    _decide, _refuse, _take, get_selection, read_selection,
)

# Objections one person may raise in one selection, answered or not: room for every real
# concern, and a ceiling for a flood; someone whose word does not count yet in the
# community (``access.objection_blocks``: a fresh or unverified account) raises at most
# ``UNVERIFIED_OBJECTIONS_PER_PERSON``, and theirs do not hold the results back.
OBJECTIONS_PER_PERSON = 10
UNVERIFIED_OBJECTIONS_PER_PERSON = 2


# Adjust the list ------------------------------------------------------------------------

def _nominee_in(selection: Selection, nominee_id: int) -> Nominee:
    nominee = db.session.get(Nominee, nominee_id)
    if nominee is None or nominee.selection_id != selection.id:
        raise NotFoundError("名单上没有这位候选人", message_en="No such nominee")
    return nominee


def _who(selection: Selection, user_id: int | None, organization_id: int | None
         ) -> tuple[HonourDivision, str]:
    """The division a volunteer or organisation the secretary adds is judged in, and their
    name; refused when they could not be honoured here."""
    if (user_id is None) == (organization_id is None):
        message = "请选择一位志愿者或一个报到党组织（只选一个）"
        raise ValidationFailedError(fields={"user_id": [message],
                                            "organization_id": [message]})
    if organization_id is not None:
        organization = db.session.get(Organization, organization_id)
        if organization is None or organization.community_id != selection.community_id \
                or not organization.is_approved:
            raise ValidationFailedError(fields={"organization_id": [
                "只能增补向本社区报到、已通过审核的报到党组织"]})
        return HonourDivision.ORGANIZATION, organization.name
    person = db.session.get(User, user_id)
    if person is None or person.role is not Role.VOLUNTEER \
            or person.community_id != selection.community_id or not person.is_active \
            or person.report_status is not ReportStatus.APPROVED:
        raise ValidationFailedError(fields={"user_id": ["只能增补本社区已通过报到的志愿者"]})
    division = DIVISION_OF_TYPE.get(person.volunteer_type.value if person.volunteer_type
                                    else "")
    if division is None:
        raise ValidationFailedError(fields={"user_id": [
            "这位志愿者不是报到党员或五老，不在这次评选的范围内"]})
    if not person.show_on_boards:
        raise ConflictError("这位志愿者选择不在光荣榜上显示姓名，不能列入公示名单；"
                            "请本人先在“我的”里打开显示",
                            message_en="This volunteer keeps their name off the boards",
                            code="name_not_public")
    return division, person.name


def add_nominee(actor: User, selection_id: int, *, user_id: int | None = None,
                organization_id: int | None = None, reason: str,
                now: datetime | None = None) -> Nominee:
    """The secretary adds a volunteer or an organisation of the community to the list,
    with a written reason (shown on the 公示 page). Only while the list is being drawn up:
    someone added during a 公示 would not be shown for its whole period. Someone removed
    before comes back on the same row."""
    now = now or utcnow()
    selection = get_selection(selection_id)
    ensure_can_manage_community(actor, selection.community_id)
    division, name = _who(selection, user_id, organization_id)
    _take(selection, (SelectionState.NOMINATING,), now)
    owner = (Nominee.user_id == user_id if user_id is not None
             else Nominee.organization_id == organization_id)
    nominee = db.session.scalar(sa.select(Nominee).where(Nominee.selection_id == selection.id,
                                                         owner))
    if nominee is not None and nominee.status is NomineeStatus.NOMINATED:
        _refuse(ConflictError(f"{nominee.name}已经在名单上", message_en="Already nominated",
                              code="already_nominated"))
    if nominee is None:
        standing = db.session.scalar(sa.select(SelectionStanding).where(
            SelectionStanding.selection_id == selection.id,
            SelectionStanding.user_id == user_id if user_id is not None
            else SelectionStanding.organization_id == organization_id))
        nominee = Nominee(selection_id=selection.id, division=division, user_id=user_id,
                          organization_id=organization_id,
                          standing_id=standing.id if standing else None,
                          name=standing.name if standing else name, created_at=now)
        db.session.add(nominee)
    nominee.source, nominee.status = NomineeSource.SECRETARY, NomineeStatus.NOMINATED
    nominee.added_reason, nominee.removed_reason = reason, None
    nominee.changed_at, nominee.changed_by_id = now, actor.id
    flush_or_conflict(ConflictError("已经在名单上", code="already_nominated"))
    audit.record("nominee_added", actor=actor, object_type="selection",
                 object_id=selection.id, community_id=selection.community_id,
                 after={"nominee_id": nominee.id, "name": nominee.name,
                        "division": division.value, "user_id": user_id,
                        "organization_id": organization_id, "reason": reason}, now=now)
    db.session.commit()
    return nominee


def remove_nominee(actor: User, selection_id: int, nominee_id: int, *, reason: str,
                   now: datetime | None = None) -> Nominee:
    """The secretary takes someone off the list, with a written reason (kept for the staff
    and the audit log, not shown to the public: it may be private). Only while the list
    is being drawn up: once a 公示 has started, the list the public judges changes only by
    an objection upheld, or in a correction round (``reopen_selection``, with its reason)
    followed by a new 公示, and whoever was on a list the public saw and is removed shows
    there as 社区移出名单, with the date. Not while an objection to them waits: answer it
    first."""
    now = now or utcnow()
    selection = get_selection(selection_id)
    ensure_can_manage_community(actor, selection.community_id)
    nominee = _nominee_in(selection, nominee_id)
    _take(selection, (SelectionState.NOMINATING,), now)
    db.session.refresh(nominee)
    if nominee.status is not NomineeStatus.NOMINATED:
        _refuse(ConflictError(f"{nominee.name}已经不在名单上",
                              message_en="Not on the list", code="nominee_not_listed"))
    if _open_objections(selection, nominee_id=nominee.id):
        _refuse(ConflictError("对这位候选人的异议还没有答复，请先答复",
                              message_en="Answer the objections to this nominee first",
                              code="objections_open"))
    nominee.status, nominee.removed_reason = NomineeStatus.REMOVED, reason
    nominee.changed_at, nominee.changed_by_id = now, actor.id
    audit.record("nominee_removed", actor=actor, object_type="selection",
                 object_id=selection.id, community_id=selection.community_id,
                 before={"nominee_id": nominee.id, "name": nominee.name,
                         "division": nominee.division.value, "status": "nominated"},
                 after={"status": "removed", "reason": reason}, now=now)
    db.session.commit()
    return nominee


def _open_objections(selection: Selection, *, nominee_id: int | None = None) -> int:
    """The objections waiting for an answer that hold the results back
    (``access.objection_blocks``)."""
    query = sa.select(Objection).where(
        Objection.selection_id == selection.id, Objection.status == ObjectionStatus.OPEN
    ).options(joinedload(Objection.user))
    if nominee_id is not None:
        query = query.where(Objection.nominee_id == nominee_id)
    return sum(objection_blocks(o.user, selection.community, o.created_at)
               for o in db.session.scalars(query))


# 公示 ------------------------------------------------------------------------------------

def publicity_end(start: datetime, days: int) -> datetime:
    """When a 公示 of ``days`` days started at ``start`` ends: never before ``days`` whole
    days of 24 hours have passed (one started at 23:59 does not end a minute later), nor
    before local midnight ``days`` days on (where a day is not 24 hours long)."""
    return max(start + timedelta(days=days), day_start(local_day(start) + timedelta(days=days)))


def start_publicity(actor: User, selection_id: int, *, days: int = DEFAULT_PUBLICITY_DAYS,
                    reason: str | None = None, now: datetime | None = None) -> Selection:
    """Put the list up for ``days`` whole days from now (``publicity_end``): at least
    ``MIN_PUBLICITY_DAYS``; fewer only by an admin, with a written reason, which the 公示
    page shows (``access.publicity_days_refusal``). Everyone on the list is marked as seen
    by the public (``Nominee.shown_at``, kept from their first 公示); the audit line names
    them too."""
    now = now or utcnow()
    selection = get_selection(selection_id)
    ensure_can_manage_community(actor, selection.community_id)
    if (refusal := publicity_days_refusal(actor, days, reason)) is not None:
        raise refusal
    _take(selection, (SelectionState.NOMINATING,), now)
    listed = list(db.session.scalars(sa.select(Nominee.id).where(
        Nominee.selection_id == selection.id, Nominee.status == NomineeStatus.NOMINATED)
        .order_by(Nominee.id)))
    if not listed:
        _refuse(ConflictError("名单上还没有候选人", message_en="The list is empty",
                              code="no_nominees"))
    selection.state = SelectionState.PUBLICITY
    selection.publicity_round += 1
    selection.publicity_starts_at = now
    selection.publicity_ends_at = publicity_end(now, days)
    selection.ended_early_at = selection.ended_early_reason = None
    selection.ended_early_by_id = None
    db.session.execute(
        sa.update(Nominee).where(Nominee.id.in_(listed), Nominee.shown_at.is_(None))
        .values(shown_at=now).execution_options(synchronize_session=False))
    short = days < MIN_PUBLICITY_DAYS
    audit.record("publicity_started", actor=actor, object_type="selection",
                 object_id=selection.id, community_id=selection.community_id,
                 after={"round": selection.publicity_round, "days": days,
                        "starts_at": now.isoformat(),
                        "ends_at": selection.publicity_ends_at.isoformat(),
                        "nominees": len(listed), "nominee_ids": listed,
                        **_decide(selection, "short_publicity", reason if short else None,
                                  actor, now)}, now=now)
    db.session.commit()
    return selection


def raise_objection(user: User, selection_id: int, *, nominee_id: int, reason: str,
                    now: datetime | None = None) -> Objection:
    """Anyone logged in objects to a nominee, with a reason, while the 公示 runs: one
    waiting objection per person and nominee (the partial unique index backs it), at most
    ``OBJECTIONS_PER_PERSON`` in a selection. Someone whose word does not count yet in the
    community (``access.objection_blocks``) raises at most
    ``UNVERIFIED_OBJECTIONS_PER_PERSON``: theirs are recorded and answered, but do not
    hold the results back. The secretaries are told."""
    now = now or utcnow()
    selection = read_selection(user, selection_id)
    if (refusal := objection_refusal(user, selection, now)) is not None:
        raise refusal
    nominee = db.session.get(Nominee, nominee_id)
    if nominee is None or nominee.selection_id != selection.id \
            or nominee.status is not NomineeStatus.NOMINATED:
        raise ValidationFailedError(fields={"nominee_id": ["公示名单上没有这位候选人"]})
    _take(selection, (SelectionState.PUBLICITY,), now)
    if (refusal := objection_refusal(user, selection, now)) is not None:
        _refuse(refusal)
    raised = db.session.scalar(sa.select(sa.func.count()).select_from(Objection).where(
        Objection.selection_id == selection.id, Objection.user_id == user.id))
    counts = objection_blocks(user, selection.community, now)
    if raised >= (OBJECTIONS_PER_PERSON if counts else UNVERIFIED_OBJECTIONS_PER_PERSON):
        _refuse(ConflictError(
            f"每人在一次评选中最多提出{OBJECTIONS_PER_PERSON}条异议" if counts else
            f"社区核实您的身份之前，在一次评选中最多提出{UNVERIFIED_OBJECTIONS_PER_PERSON}条异议",
            message_en="Too many objections", code="too_many_objections"))
    objection = Objection(selection_id=selection.id, nominee_id=nominee.id, user_id=user.id,
                          reason=reason, status=ObjectionStatus.OPEN, created_at=now)
    db.session.add(objection)
    flush_or_conflict(ConflictError("您对这位候选人的异议还在等待社区答复",
                                    message_en="Your objection to this nominee is waiting "
                                               "for its answer", code="objection_pending"))
    notify(secretary_ids(selection.community_id), "objection_raised",
           f"有人对{selection.year}年度评选公示名单中的{nominee.name}提出异议，"
           f"请在公布结果前答复。", now=now)
    audit.record("objection_raised", actor=user, object_type="selection",
                 object_id=selection.id, community_id=selection.community_id,
                 after={"objection_id": objection.id, "nominee_id": nominee.id,
                        "name": nominee.name, "blocks": counts}, now=now)
    db.session.commit()
    return objection


def _holder_ids(user_id: int | None, organization_id: int | None) -> list[int | None]:
    """Who hears about an honour: the volunteer, or the organisation's contact."""
    return [user_id] if user_id is not None else [organization_contact_id(organization_id)]


def _answer(actor: User, selection: Selection, objection_ids: list[int], *, upheld: bool,
            answer: str, now: datetime) -> list[Objection]:
    """Answer waiting objections to one nominee with one written answer (the caller has
    taken the selection's row): upheld, the nominee leaves the list with that answer as
    the reason; dismissed, they stay. Each objector is told; so is a nominee withdrawn.
    Refused when one of them was answered meanwhile."""
    status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    moved = db.session.execute(
        sa.update(Objection).where(Objection.id.in_(objection_ids),
                                   Objection.status == ObjectionStatus.OPEN)
        .values(status=status, answer=answer, answered_at=now, answered_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if moved != len(objection_ids):
        _refuse(ConflictError("这条异议已经答复过了", message_en="Already answered",
                              code="objection_answered"))
    objections = list(db.session.scalars(sa.select(Objection).where(
        Objection.id.in_(objection_ids)).order_by(Objection.id)
        .execution_options(populate_existing=True)))
    nominee = objections[0].nominee
    db.session.refresh(nominee)
    if upheld and nominee.status is NomineeStatus.NOMINATED:
        nominee.status, nominee.removed_reason = NomineeStatus.WITHDRAWN, answer
        nominee.changed_at, nominee.changed_by_id = now, actor.id
        notify(_holder_ids(nominee.user_id, nominee.organization_id), "nomination_withdrawn",
               f"{selection.year}年度评选：{nominee.name}的提名已撤销。社区的答复：{answer}",
               now=now)
    outcome = "异议成立，已撤销提名" if upheld else "异议不成立，保留提名"
    notify([o.user_id for o in objections], "objection_answered",
           f"您对{nominee.name}的异议，社区已答复：{outcome}。{answer}", now=now)
    for objection in objections:
        audit.record("objection_answered", actor=actor, object_type="selection",
                     object_id=selection.id, community_id=selection.community_id,
                     after={"objection_id": objection.id, "nominee_id": nominee.id,
                            "name": nominee.name, "upheld": upheld, "answer": answer},
                     now=now)
    return objections


def answer_objection(actor: User, objection_id: int, *, upheld: bool, answer: str,
                     now: datetime | None = None) -> Objection:
    """The secretary answers an objection in writing, during the 公示 or after it, before
    the results (``_answer``). The answer is public on the 公示 page, the objector's name
    never. Objections that do not hold the results back may be answered too."""
    now = now or utcnow()
    objection = db.session.get(Objection, objection_id)
    if objection is None:
        raise NotFoundError("没有这条异议", message_en="No such objection")
    selection = get_selection(objection.selection_id)
    ensure_can_manage_community(actor, selection.community_id)
    _take(selection, (SelectionState.PUBLICITY,), now)
    [answered] = _answer(actor, selection, [objection.id], upheld=upheld, answer=answer,
                         now=now)
    db.session.commit()
    return answered


def answer_objections(actor: User, selection_id: int, nominee_id: int, *, upheld: bool,
                      answer: str, now: datetime | None = None) -> list[Objection]:
    """One written answer to every objection waiting about one nominee (several people
    often raise the same matter): each is answered, and each objector told, as by
    ``answer_objection``. None waiting → 409 ``objection_answered``."""
    now = now or utcnow()
    selection = get_selection(selection_id)
    ensure_can_manage_community(actor, selection.community_id)
    nominee = _nominee_in(selection, nominee_id)
    _take(selection, (SelectionState.PUBLICITY,), now)
    waiting = list(db.session.scalars(sa.select(Objection.id).where(
        Objection.nominee_id == nominee.id, Objection.status == ObjectionStatus.OPEN)
        .order_by(Objection.id)))
    if not waiting:
        _refuse(ConflictError("对这位候选人的异议都已经答复过了",
                              message_en="No objection to this nominee waits",
                              code="objection_answered"))
    answered = _answer(actor, selection, waiting, upheld=upheld, answer=answer, now=now)
    db.session.commit()
    return answered


def end_publicity_early(actor: User, selection_id: int, *, reason: str,
                        now: datetime | None = None) -> Selection:
    """An admin ends a running 公示 now, with a written reason (for the rare correction
    round); the community's secretaries are told, and the 公示 page shows the reason. Its
    end moves to this moment."""
    now = now or utcnow()
    selection = get_selection(selection_id)
    if (refusal := end_publicity_refusal(actor)) is not None:
        raise refusal
    _take(selection, (SelectionState.PUBLICITY,), now)
    if not selection.publicity_running(now):
        _refuse(publicity_over_refusal())
    before = {"ends_at": selection.publicity_ends_at.isoformat()}
    selection.publicity_ends_at = selection.ended_early_at = now
    selection.ended_early_reason, selection.ended_early_by_id = reason, actor.id
    notify(secretary_ids(selection.community_id), "publicity_ended_early",
           f"管理员提前结束了{selection.year}年度评选的公示。原因：{reason}", now=now)
    audit.record("publicity_ended_early", actor=actor, object_type="selection",
                 object_id=selection.id, community_id=selection.community_id, before=before,
                 after={"ends_at": now.isoformat(),
                        **_decide(selection, "ended_early", reason, actor, now)},
                 now=now)
    db.session.commit()
    return selection


def _settled(selection: Selection, now: datetime) -> None:
    """The 公示 is over and every objection answered (else refuse)."""
    if selection.publicity_running(now):
        _refuse(ConflictError(
            f"公示期到{deadline_words(selection.publicity_ends_at, now=now)}，"
            "结束后才能进行这一步",
            message_en="The publicity period has not ended", code="publicity_not_over"))
    waiting = _open_objections(selection)
    if waiting:
        _refuse(ConflictError(f"还有{waiting}条异议没有答复，请先答复",
                              message_en="Answer every objection first",
                              code="objections_open"))


def reopen_selection(actor: User, selection_id: int, *, reason: str,
                     now: datetime | None = None) -> Selection:
    """A correction round: after the 公示 (and every objection answered), the secretary
    goes back to the list with a written reason; a new 公示 must follow before results."""
    now = now or utcnow()
    selection = get_selection(selection_id)
    ensure_can_manage_community(actor, selection.community_id)
    _take(selection, (SelectionState.PUBLICITY,), now)
    _settled(selection, now)
    selection.state = SelectionState.NOMINATING
    audit.record("selection_reopened", actor=actor, object_type="selection",
                 object_id=selection.id, community_id=selection.community_id,
                 after={"round": selection.publicity_round, "reason": reason}, now=now)
    db.session.commit()
    return selection




def my_objections(user: User, *, limit: int = 20) -> list[Objection]:
    """The objections I raised, newest first, with their answers."""
    return list(db.session.scalars(
        sa.select(Objection).where(Objection.user_id == user.id)
        .options(joinedload(Objection.nominee)).order_by(Objection.id.desc()).limit(limit)))

