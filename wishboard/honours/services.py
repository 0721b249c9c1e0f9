"""The year-end selection (年度评选), step by step, and its certificates.

1. **Open** (``open_selection``): the community's secretary (or an admin) opens the
   selection of a year, with a cut-off day (31 December by default) and the rules
   (places per division, the least completed services and average stars), before the
   cut-off day ends: the rules are not chosen once the year's results are known (an
   admin may open it later, or change the rules later, with a reason the 公示 page
   shows).
2. **Freeze** (``freeze_selection``), once the cut-off day is over: the standings are
   taken from the points ledger into ``SelectionStanding`` rows, and the rules propose the
   nominees.

   Why a snapshot is the truth here: the ledger is append-only, but it keeps moving after
   the cut-off. A rating removed in January, a claim reversed after the sweep, hours
   confirmed late: each is a new entry, dated when it is booked, and the running totals
   (``PointsTotal``) take it at once. A public list that judged people by totals read on
   the day it is shown would change under the residents' eyes during its 公示, and a
   certificate would no longer match the figures it was given for. So freezing counts the
   entries of the year made *before the cut-off* (corrections made later, in the same
   year or after, are left out, as the year's board then stood) and writes them down once;
   the nominees, the 公示 and the certificates all stand on those rows. A correction
   that matters for an honour is answered the way a committee would: by an objection, or
   by withdrawing the honour with a reason. One thing is judged at the freeze rather than
   at the cut-off: a claim's points (booked the moment it is made) count only for claims
   completed, or still live at the freeze (``_claims_that_count``), so that many wishes
   claimed just before the cut-off and given back after it earn nothing.
3. **Adjust** (``add_nominee``, ``remove_nominee``): the secretary adds or removes, with a
   written reason for each change (kept on the nominee's row and in the audit log), while
   the list is drawn up; never during a 公示.
4. **公示** (``start_publicity``): the list is public for a set period (whole days of 24
   hours from its start: 7 by default, at least 5, fewer only by an admin with a reason);
   anyone logged in may object (``raise_objection``); the secretary answers in writing
   (``answer_objection``, or ``answer_objections``: one answer to all about one nominee;
   upheld withdraws the nominee). Only objections of people whose word counts in the
   community hold the results back. An admin may end the period early with a reason
   (``end_publicity_early``, public); once it is over the secretary may go back to the
   list for a correction round (``reopen_selection``, a new 公示 follows; whoever the
   public saw and is then removed shows as 社区移出名单) or
5. **publish** (``publish_selection``): never while the period runs or an objection that
   counts waits. The honoured get a certificate each, with a verification code.
6. A certificate may be **withdrawn** later (``withdraw_certificate``), with a reason that
   only the holder and the staff read; the public verification says it was withdrawn, and
   when.

Every step takes the selection's row first (``_take``: a conditional UPDATE on its state),
so two steps on one selection never interleave, on SQLite or PostgreSQL; every step is
written to the audit log in its own transaction.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import (
    after_cutoff_refusal, can_manage_community, can_see_objector, can_see_selection,
    end_publicity_refusal, ensure_can_manage_community, objection_blocks, objection_refusal,
    organization_contact_id, publicity_days_refusal, publicity_over_refusal,
    sees_nominee_name, selection_rights, selection_state_refusal, SelectionRights,
)
from wishboard.accounts.models import ReportStatus, Role, User
from wishboard.audit import services as audit
from wishboard.audit.models import AuditEntry
from wishboard.core.clock import (
    date_words, datetime_words, day_start, day_words, deadline_words, local, local_day,
    period_words, utcnow,
)
from wishboard.core.db import flush_or_conflict
from wishboard.errors import ConflictError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.honours.models import (
    DEFAULT_PUBLICITY_DAYS, DEFAULT_SETTINGS, DIVISION_OF_TYPE, MIN_PUBLICITY_DAYS,
    PUBLIC_SELECTION_STATES, QUOTA_OF_DIVISION, Certificate, HonourDivision, Nominee,
    NomineeSource, NomineeStatus, Objection, ObjectionStatus, Selection, SelectionStanding,
    SelectionState,
)
from wishboard.notifications.services import notify, notify_each, secretary_ids
from wishboard.places.models import Organization, OrganizationStatus
from wishboard.places.services import get_community
from wishboard.points.models import PointsEntry
from wishboard.points.services import ANONYMOUS
from wishboard.wishes.models import Claim, ClaimStatus

# Objections one person may raise in one selection, answered or not: room for every real
# concern, and a ceiling for a flood; someone whose word does not count yet in the
# community (``access.objection_blocks``: a fresh or unverified account) raises at most
# ``UNVERIFIED_OBJECTIONS_PER_PERSON``, and theirs do not hold the results back.
OBJECTIONS_PER_PERSON = 10
UNVERIFIED_OBJECTIONS_PER_PERSON = 2
# The verification code: 12 characters of an alphabet without look-alikes (no 0/O, 1/I/L),
# about 59 bits from ``secrets``: not guessable, and easy to read out or type.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


# Reading --------------------------------------------------------------------------------

def get_selection(selection_id: int) -> Selection:
    selection = db.session.scalar(sa.select(Selection).where(Selection.id == selection_id)
                                  .options(joinedload(Selection.community)))
    if selection is None:
        raise NotFoundError("没有这次评选", message_en="No such selection")
    return selection


def read_selection(viewer: User | None, selection_id: int) -> Selection:
    """A selection as ``viewer`` may see it: the public from its 公示 on (404 before)."""
    selection = get_selection(selection_id)
    if not can_see_selection(viewer, selection):
        raise NotFoundError("没有这次评选", message_en="No such selection")
    return selection


def list_selections(viewer: User | None, community_id: int) -> list[Selection]:
    """A community's selections, newest year first: every one for its staff, those in or
    past their 公示 for everyone else."""
    community = get_community(community_id)
    query = sa.select(Selection).where(Selection.community_id == community.id)
    if not can_manage_community(viewer, community.id):
        query = query.where(Selection.state.in_(PUBLIC_SELECTION_STATES))
    return list(db.session.scalars(query.order_by(Selection.year.desc())))


@dataclass
class AdminDecision:
    """An exception to the selection's rules that only an admin may make, with the
    written reason: opening after the cut-off day, changing the rules after it, a 公示
    shorter than ``MIN_PUBLICITY_DAYS``, ending a 公示 early. Public on the 公示 page."""

    kind: str
    label: str
    reason: str
    at: datetime


DECISION_LABELS = {
    "opened_late": "截止日过后，由管理员开启评选",
    "settings_changed_late": "截止日过后，由管理员修改评选规则",
    "short_publicity": f"公示期少于{MIN_PUBLICITY_DAYS}天，由管理员决定",
    "ended_early": "管理员提前结束公示",
}


@dataclass
class SelectionView:
    """A selection with everything its pages and its API answer show ``viewer``."""

    selection: Selection
    nominees: list[Nominee]
    objections: list[Objection]
    # Objections waiting for an answer that hold the results back (``blocking``: their
    # ids); ``unverified_open``: the others waiting (staff only).
    open_objections: int
    certificates: dict[int, Certificate]
    rights: SelectionRights
    viewer: User | None = None
    now: datetime = field(default_factory=utcnow)
    blocking: set[int] = field(default_factory=set)
    unverified_open: int = 0
    # Nominees who were on a list the public saw (a 公示 started with them on it).
    shown: set[int] = field(default_factory=set)
    decisions: list[AdminDecision] = field(default_factory=list)

    def listed(self, division: HonourDivision) -> list[Nominee]:
        """The division's list as the public reads it: candidates, or those honoured."""
        return [n for n in self.nominees if n.division is division and n.is_listed]

    def left(self, *, public: bool = False) -> list[Nominee]:
        """Those who left the list: withdrawn after an objection (public: the objection and
        its answer are), or removed by the secretary in a correction round after a 公示
        that showed them (public as 社区移出名单, with the date; why, only the staff read).
        The staff see every one, also those removed before any 公示 (unless ``public``:
        the public page, as everyone reads it)."""
        return [n for n in self.nominees if not n.is_listed and (
            (self.rights.manage and not public) or n.status is NomineeStatus.WITHDRAWN
            or n.id in self.shown)]

    def name_of(self, nominee: Nominee) -> str:
        """The name as this viewer reads it (``access.sees_nominee_name``)."""
        if sees_nominee_name(self.viewer, nominee, self.selection.community_id):
            return nominee.name
        return ANONYMOUS

    def hidden_names(self) -> list[Nominee]:
        """Volunteers on the list (or honoured) who have since kept their name off the
        boards: the public reads them as anonymous; the staff's page says so."""
        return [n for n in self.nominees if n.is_listed and n.user is not None
                and not n.user.show_on_boards]

    @property
    def running(self) -> bool:
        return self.selection.publicity_running(self.now)

    def publicity_words(self) -> str:
        """公示时间: 1月4日（周一）上午10点至1月11日（周一）上午10点 (whole days of 24
        hours from its start); 1月4日（周一）至1月10日（周日） when it ends at a local
        midnight, the last day being the one before; the moment itself when an admin ended
        it early."""
        s = self.selection
        if s.publicity_starts_at is None:
            return ""
        if s.ended_early_at is not None:
            return (f"{day_words(s.publicity_starts_at, now=self.now)}至"
                    f"{datetime_words(s.ended_early_at, now=self.now)}（提前结束）")
        end = local(s.publicity_ends_at)
        if (end.hour, end.minute, end.second) != (0, 0, 0):
            return period_words(s.publicity_starts_at, s.publicity_ends_at, now=self.now)
        last = s.publicity_ends_at - timedelta(seconds=1)
        return f"{day_words(s.publicity_starts_at, now=self.now)}至{day_words(last, now=self.now)}"

    def current_step(self) -> int:
        """Where the selection stands among ``STEPS`` (1-based; past the last: done)."""
        s = self.selection
        if s.state is SelectionState.OPEN:
            return 2
        if s.state is SelectionState.NOMINATING:
            return 3
        if s.state is SelectionState.PUBLICITY:
            return 4 if self.running else (5 if self.open_objections else 6)
        return len(STEPS) + 1


def _steps_on_record(selection: Selection) -> tuple[set[int], list[AdminDecision]]:
    """What the audit log holds of this selection that its pages show: who was on a list
    the public saw (each ``publicity_started`` names them), and the admins' exceptions to
    the rules with their reasons. The log is the record nobody edits; no column repeats
    it."""
    entries = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.object_type == "selection", AuditEntry.object_id == selection.id,
            AuditEntry.action.in_(("selection_opened", "selection_settings_changed",
                                   "publicity_started", "publicity_ended_early")))
        .order_by(AuditEntry.id))
    shown, decisions = set(), []
    for entry in entries:
        after = entry.after or {}
        if entry.action == "publicity_started":
            shown.update(after.get("nominee_ids") or ())
        kind = after.get("exception")
        if kind in DECISION_LABELS and after.get("reason"):
            decisions.append(AdminDecision(kind, DECISION_LABELS[kind], after["reason"],
                                           entry.created_at))
    return shown, decisions


# The secretary's page walks these, in order.
STEPS = ("开启评选", "冻结积分，按规则提名", "调整候选名单", "公示", "答复异议", "公布结果")


def selection_view(viewer: User | None, selection_id: int, *,
                   now: datetime | None = None) -> SelectionView:
    """The 公示 page and ``GET /selections/<id>``: the nominees with their frozen figures;
    the objections the viewer may read (staff: all; others: answered ones, and their own)
    without the objector's name but for themselves and the staff, and which of those
    waiting hold the results back; the certificates once published; what the viewer may
    do now; who the public saw on a list, and the admins' exceptions to the rules."""
    now = now or utcnow()
    selection = read_selection(viewer, selection_id)
    nominees = list(db.session.scalars(
        sa.select(Nominee).where(Nominee.selection_id == selection.id)
        .options(joinedload(Nominee.standing), joinedload(Nominee.user))
        .order_by(Nominee.division, Nominee.id)))
    by_rank = {n.id: (n.standing.rank if n.standing and n.standing.rank else 10 ** 6, n.id)
               for n in nominees}
    nominees.sort(key=lambda n: (list(HonourDivision).index(n.division), by_rank[n.id]))
    objections = list(db.session.scalars(
        sa.select(Objection).where(Objection.selection_id == selection.id)
        .options(joinedload(Objection.nominee), joinedload(Objection.user))
        .order_by(Objection.id)))
    waiting = [o for o in objections if o.status is ObjectionStatus.OPEN]
    blocking = {o.id for o in waiting
                if objection_blocks(o.user, selection.community, o.created_at)}
    staff = can_manage_community(viewer, selection.community_id)
    readable = [o for o in objections if staff or o.status is not ObjectionStatus.OPEN
                or can_see_objector(viewer, o, selection.community_id)]
    certificates = {}
    if selection.state is SelectionState.PUBLISHED:
        certificates = {c.nominee_id: c for c in db.session.scalars(
            sa.select(Certificate).where(Certificate.selection_id == selection.id))}
    rights = selection_rights(viewer, selection, open_objections=len(blocking), now=now)
    shown, decisions = _steps_on_record(selection)
    return SelectionView(selection, nominees, readable, len(blocking), certificates, rights,
                         viewer=viewer, now=now, blocking=blocking,
                         unverified_open=len(waiting) - len(blocking) if staff else 0,
                         shown=shown, decisions=decisions)


def list_standings(actor: User, selection_id: int, *, division: str | None = None
                   ) -> list[SelectionStanding]:
    """The frozen standings (the community's staff): by division, in rank order; volunteers
    in no division last."""
    selection = get_selection(selection_id)
    ensure_can_manage_community(actor, selection.community_id)
    query = sa.select(SelectionStanding).where(SelectionStanding.selection_id == selection.id)
    if division:
        query = query.where(SelectionStanding.division == HonourDivision(division))
    rows = list(db.session.scalars(query))
    order = list(HonourDivision)
    rows.sort(key=lambda r: (order.index(r.division) if r.division else len(order),
                             r.rank or 10 ** 6, -r.points, r.id))
    return rows


def public_selections(community_id: int, *, limit: int = 3) -> list[Selection]:
    """The community's selections in or past their 公示, newest first (the 光荣榜 links
    them). Their wording depends on the state alone, so the cached board stays true: a
    step writes the row, and every write moves the page cache on."""
    return list(db.session.scalars(
        sa.select(Selection).where(Selection.community_id == community_id,
                                   Selection.state.in_(PUBLIC_SELECTION_STATES))
        .order_by(Selection.year.desc()).limit(limit)))


# Open, and change the rules while waiting for the cut-off -------------------------------

def _settings(values: dict) -> dict:
    chosen = {name: values[name] for name in DEFAULT_SETTINGS if values.get(name) is not None}
    if "min_average_stars" in chosen:
        chosen["min_average_stars"] = Decimal(str(chosen["min_average_stars"])).quantize(
            Decimal("0.1"))
    return chosen


def _plain(values: dict) -> dict:
    return {k: (float(v) if isinstance(v, Decimal) else v.isoformat()
                if isinstance(v, (date, datetime)) else v) for k, v in values.items()}


def _exception(reason: str | None, kind: str) -> dict:
    """What the audit line of a step adds when an admin made an exception to the rules
    (``DECISION_LABELS``): the kind and the reason, which the 公示 page shows."""
    return {"exception": kind, "reason": reason} if reason else {}


def open_selection(actor: User, community_id: int, *, year: int, cutoff: date | None = None,
                   reason: str | None = None, now: datetime | None = None,
                   **settings) -> Selection:
    """Open the year's selection (one per community and year: 409 otherwise). The cut-off
    day must lie in that year; the snapshot will count the ledger up to its end. It is
    opened before its cut-off day ends, so that the cut-off and the rules are set before
    the year's results are known (``access.after_cutoff_refusal``); an admin may open it
    later with a written reason, which the 公示 page shows. When it was opened is shown
    beside the cut-off."""
    now = now or utcnow()
    community = get_community(community_id)
    ensure_can_manage_community(actor, community.owning_community_id)
    if not community.is_community:
        raise ValidationFailedError("评选以社区或村为单位", message_en="Selections are per "
                                    "community", fields={"community_id": ["请选择一个社区或村"]})
    cutoff = cutoff or date(year, 12, 31)
    if cutoff.year != year:
        raise ValidationFailedError(fields={"cutoff": [f"截止日应在{year}年内"]})
    cutoff_at = day_start(cutoff + timedelta(days=1))
    if (refusal := after_cutoff_refusal(actor, cutoff_at, now, reason, opening=True)):
        raise refusal
    late = now >= cutoff_at
    selection = Selection(community_id=community.id, year=year, state=SelectionState.OPEN,
                          cutoff_on=cutoff, cutoff_at=cutoff_at,
                          opened_by_id=actor.id, created_at=now, updated_at=now,
                          **{**DEFAULT_SETTINGS, **_settings(settings)})
    db.session.add(selection)
    flush_or_conflict(ConflictError(f"{year}年度的评选已经开启过了",
                                    message_en="This year's selection is already open",
                                    code="selection_exists"))
    audit.record("selection_opened", actor=actor, object_type="selection",
                 object_id=selection.id, community_id=community.id,
                 after=_plain({"year": year, "cutoff": cutoff, **selection.settings(),
                               **_exception(reason if late else None, "opened_late")}),
                 now=now)
    db.session.commit()
    return selection


def _take(selection: Selection, states: tuple[SelectionState, ...], now: datetime) -> None:
    """Take the selection's row for this use case (the first write of its transaction) if
    it is in one of ``states``; else roll back and refuse by the state it is in. Reads the
    row again inside the transaction."""
    moved = db.session.execute(
        sa.update(Selection).where(Selection.id == selection.id, Selection.state.in_(states))
        .values(updated_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(selection)
    if moved != 1:
        _refuse(selection_state_refusal(selection))


def _refuse(error: Exception) -> None:
    db.session.rollback()
    raise error


def update_settings(actor: User, selection_id: int, *, reason: str | None = None,
                    now: datetime | None = None, **settings) -> Selection:
    """Change the rules while the selection waits for its cut-off: until the cut-off day
    ends (the rules are not chosen once the results are known); later only an admin may,
    with a written reason, and never after the snapshot."""
    now = now or utcnow()
    selection = get_selection(selection_id)
    ensure_can_manage_community(actor, selection.community_id)
    _take(selection, (SelectionState.OPEN,), now)
    if (refusal := after_cutoff_refusal(actor, selection.cutoff_at, now, reason,
                                        opening=False)):
        _refuse(refusal)
    late = now >= selection.cutoff_at
    before, after = audit.changes(selection, DEFAULT_SETTINGS, **_settings(settings))
    if after:
        audit.record("selection_settings_changed", actor=actor, object_type="selection",
                     object_id=selection.id, community_id=selection.community_id,
                     before=_plain(before),
                     after={**_plain(after),
                            **_exception(reason if late else None, "settings_changed_late")},
                     now=now)
        for name, value in _settings(settings).items():
            setattr(selection, name, value)
    db.session.commit()
    return selection


# Freeze: the snapshot, and the rules' proposal --------------------------------------------

def _sums():
    return [sa.func.sum(PointsEntry.amount).label("points"),
            sa.func.sum(sa.case((PointsEntry.volunteer_id.is_(None), PointsEntry.amount),
                                else_=0)).label("body_points"),
            *(sa.func.sum(getattr(PointsEntry, f"d_{name}")).label(name)
              for name in ("claims", "completions", "activities", "hours", "ratings",
                           "stars"))]


def _figures(row) -> dict:
    return {"claims": int(row.claims or 0), "completions": int(row.completions or 0),
            "activities": int(row.activities or 0),
            "hours": Decimal(str(row.hours or 0)).quantize(Decimal("0.1")),
            "ratings": int(row.ratings or 0), "stars": int(row.stars or 0)}


def _claims_that_count(now: datetime):
    """The ledger's entries the snapshot counts, as far as claims go: a claim's points
    (booked the moment it is made) only for a claim completed, or still live at the freeze
    (not released, not cancelled, not overdue). Claiming many wishes just before the
    cut-off and giving them back after it (the reversal dated after the cut-off) earns
    nothing; entries of other sources all count."""
    claim = sa.select(Claim.id).where(
        Claim.id == PointsEntry.source_id,
        sa.or_(Claim.status == ClaimStatus.COMPLETED,
               sa.and_(Claim.status == ClaimStatus.ACTIVE, Claim.due_at > now)))
    return sa.or_(PointsEntry.source_type != "claim", claim.exists())


def _snapshot(selection: Selection, body_only: bool, now: datetime
              ) -> tuple[list[SelectionStanding], set]:
    """The standings of the community's volunteers and organisations for the year up to the
    cut-off, from the ledger, as the boards count them: a volunteer's and an
    organisation's work wherever it was done (双报到), in their home community; only
    organisations whose 报到 is approved; claims only as ``_claims_that_count`` at ``now``
    (the freeze). Returns the rows and the ids of the volunteers the rules may propose
    (active, 报到 approved)."""
    window = (PointsEntry.created_at >= day_start(date(selection.year, 1, 1)),
              PointsEntry.created_at < selection.cutoff_at, _claims_that_count(now))
    people = db.session.execute(
        sa.select(User.id, User.name, User.volunteer_type, User.show_on_boards,
                  User.is_active, User.report_status, Organization.name.label("org_name"),
                  *_sums())
        .select_from(PointsEntry).join(User, User.id == PointsEntry.volunteer_id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(User.community_id == selection.community_id, User.role == Role.VOLUNTEER,
               *window)
        .group_by(User.id, User.name, User.volunteer_type, User.show_on_boards,
                  User.is_active, User.report_status, Organization.name)).all()
    organizations = db.session.execute(
        sa.select(Organization.id, Organization.name, *_sums())
        .select_from(PointsEntry).join(Organization,
                                       Organization.id == PointsEntry.organization_id)
        .where(Organization.community_id == selection.community_id,
               Organization.report_status == OrganizationStatus.APPROVED, *window)
        .group_by(Organization.id, Organization.name)).all()
    rows, eligible = [], set()
    for p in people:
        division = DIVISION_OF_TYPE.get(p.volunteer_type.value if p.volunteer_type else "")
        rows.append(SelectionStanding(
            selection_id=selection.id, user_id=p.id, division=division, name=p.name,
            organization_name=p.org_name, shows_name=bool(p.show_on_boards),
            points=int(p.points or 0), **_figures(p)))
        if p.is_active and p.report_status is ReportStatus.APPROVED:
            eligible.add(p.id)
    for o in organizations:
        points, body = int(o.points or 0), int(o.body_points or 0)
        rows.append(SelectionStanding(
            selection_id=selection.id, organization_id=o.id,
            division=HonourDivision.ORGANIZATION, name=o.name, shows_name=True,
            points=body if body_only else points, body_points=body,
            member_points=points - body, **_figures(o)))
    order = {}
    for row in sorted(rows, key=lambda r: (-r.points, -r.completions, -r.hours,
                                           r.user_id or r.organization_id)):
        if row.division is not None:
            order[row.division] = order.get(row.division, 0) + 1
            row.rank = order[row.division]
    return rows, eligible


def _meets_rules(row: SelectionStanding, selection: Selection) -> bool:
    """The rules of the selection: enough completed services, and an average of stars
    (as the boards show it, to one decimal) at least the minimum; no ratings, no average,
    unless the minimum is 0."""
    if row.completions < selection.min_completions:
        return False
    if selection.min_average_stars > 0:
        return row.average_stars is not None and \
            Decimal(str(row.average_stars)) >= selection.min_average_stars
    return True


def freeze_selection(actor: User, selection_id: int, *, now: datetime | None = None
                     ) -> Selection:
    """After the cut-off day: write the standings down (``SelectionStanding``, claims as
    ``_claims_that_count`` now) and let the rules propose the nominees: in each division,
    in rank order, those who meet the minimums, up to the division's places. A volunteer
    who keeps their name off the boards, or whose account is inactive or whose 报到 is not
    approved, is not proposed (a 公示 shows names)."""
    now = now or utcnow()
    selection = get_selection(selection_id)
    ensure_can_manage_community(actor, selection.community_id)
    _take(selection, (SelectionState.OPEN,), now)
    if now < selection.cutoff_at:
        _refuse(ConflictError(
            f"截止日（{date_words(selection.cutoff_at - timedelta(seconds=1))}）过后才能冻结积分",
            message_en="Freeze the standings after the cut-off day",
            code="cutoff_not_reached"))
    body_only = selection.community.org_ranking == "body"
    rows, eligible = _snapshot(selection, body_only, now)
    db.session.add_all(rows)
    db.session.flush()
    proposed = {}
    for division in HonourDivision:
        places = getattr(selection, QUOTA_OF_DIVISION[division])
        candidates = [r for r in rows if r.division is division and r.shows_name
                      and (r.organization_id is not None or r.user_id in eligible)
                      and _meets_rules(r, selection)]
        candidates.sort(key=lambda r: r.rank)
        for row in candidates[:places]:
            db.session.add(Nominee(
                selection_id=selection.id, division=division, user_id=row.user_id,
                organization_id=row.organization_id, standing_id=row.id, name=row.name,
                source=NomineeSource.RULES, status=NomineeStatus.NOMINATED, created_at=now))
        proposed[division.value] = min(len(candidates), places)
    selection.state = SelectionState.NOMINATING
    selection.frozen_at = now
    selection.org_ranking = "body" if body_only else "sum"
    audit.record("selection_frozen", actor=actor, object_type="selection",
                 object_id=selection.id, community_id=selection.community_id,
                 after={"cutoff_at": selection.cutoff_at.isoformat(),
                        "volunteers": sum(r.user_id is not None for r in rows),
                        "organizations": sum(r.organization_id is not None for r in rows),
                        "proposed": proposed}, now=now)
    db.session.commit()
    return selection


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
    page shows (``access.publicity_days_refusal``). The audit line names everyone on the
    list: who the public saw."""
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
    short = days < MIN_PUBLICITY_DAYS
    audit.record("publicity_started", actor=actor, object_type="selection",
                 object_id=selection.id, community_id=selection.community_id,
                 after={"round": selection.publicity_round, "days": days,
                        "starts_at": now.isoformat(),
                        "ends_at": selection.publicity_ends_at.isoformat(),
                        "nominees": len(listed), "nominee_ids": listed,
                        **_exception(reason if short else None, "short_publicity")}, now=now)
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
                 after={"ends_at": now.isoformat(), **_exception(reason, "ended_early")},
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


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def publish_selection(actor: User, selection_id: int, *, now: datetime | None = None
                      ) -> Selection:
    """The results: never while the 公示 runs or an objection waits. Everyone still on
    the list is honoured and gets a certificate with a verification code; they (for an
    organisation, its contact) are told."""
    now = now or utcnow()
    selection = get_selection(selection_id)
    ensure_can_manage_community(actor, selection.community_id)
    _take(selection, (SelectionState.PUBLICITY,), now)
    _settled(selection, now)
    honoured = list(db.session.scalars(
        sa.select(Nominee).where(Nominee.selection_id == selection.id,
                                 Nominee.status == NomineeStatus.NOMINATED)
        .order_by(Nominee.id)))
    community = selection.community
    certificates = []
    for nominee in honoured:
        nominee.status = NomineeStatus.HONOURED
        certificates.append(Certificate(
            code=new_code(), selection_id=selection.id, nominee_id=nominee.id,
            community_id=selection.community_id, year=selection.year,
            division=nominee.division, name=nominee.name, user_id=nominee.user_id,
            organization_id=nominee.organization_id, issued_at=now))
    db.session.add_all(certificates)
    selection.state, selection.published_at = SelectionState.PUBLISHED, now
    flush_or_conflict(ConflictError("请再试一次", message_en="Please try again",
                                    code="try_again"))
    contacts = {o.id: o.contact_user_id for o in db.session.scalars(
        sa.select(Organization).where(Organization.id.in_(
            [c.organization_id for c in certificates if c.organization_id])))}
    notify_each([(c.user_id if c.user_id is not None else contacts.get(c.organization_id),
                  f"恭喜！{'您' if c.user_id is not None else c.name}被评为{community.name}"
                  f"{c.year}年度{c.division.label}。荣誉证书在“我的”里，可以打印或下载。", None)
                 for c in certificates
                 if c.user_id is not None or contacts.get(c.organization_id)],
                "honour_awarded", now=now)
    audit.record("selection_published", actor=actor, object_type="selection",
                 object_id=selection.id, community_id=selection.community_id,
                 after={"honoured": {d.value: sum(c.division is d for c in certificates)
                                     for d in HonourDivision}}, now=now)
    for c in certificates:
        audit.record("certificate_issued", actor=actor, object_type="certificate",
                     object_id=c.id, community_id=selection.community_id,
                     after={"selection_id": selection.id, "name": c.name,
                            "division": c.division.value, "year": c.year,
                            "user_id": c.user_id, "organization_id": c.organization_id},
                     now=now)
    db.session.commit()
    return selection


# Certificates ---------------------------------------------------------------------------

def normalise_code(text: str) -> str | None:
    """A code as typed or read out, or None when it cannot be one: NFKC first (a Chinese
    keyboard's full-width ＴＪ５Ｄ－Ｒ５Ｎ６ becomes TJ5D-R5N6), then only its letters and
    digits (whatever separates the groups: dashes, em dashes, dots, spaces, zero-width
    spaces), in upper case."""
    folded = unicodedata.normalize("NFKC", text[:200])
    code = "".join(c for c in folded if c.isascii() and c.isalnum()).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def get_certificate(code: str) -> Certificate:
    """A certificate by its verification code; a code no certificate has is 404, whatever
    its shape (a made-up code learns nothing)."""
    normal = normalise_code(code)
    certificate = normal and db.session.scalar(
        sa.select(Certificate).where(Certificate.code == normal)
        .options(joinedload(Certificate.community)))
    if not certificate:
        raise NotFoundError("没有这个验证码的证书，请核对证书上的验证码",
                            message_en="No certificate has this code")
    return certificate


def certificates_of(*, user_id: int | None = None, organization_id: int | None = None,
                    standing_only: bool = False) -> list[Certificate]:
    """A volunteer's or an organisation's certificates, newest year first."""
    query = sa.select(Certificate).options(joinedload(Certificate.community))
    query = query.where(Certificate.user_id == user_id) if user_id is not None \
        else query.where(Certificate.organization_id == organization_id)
    if standing_only:
        query = query.where(Certificate.withdrawn_at.is_(None))
    return list(db.session.scalars(query.order_by(Certificate.year.desc(),
                                                  Certificate.id.desc())))


def my_certificates(user: User) -> list[Certificate]:
    """Mine, and those of the organisations I am the contact of."""
    mine = certificates_of(user_id=user.id)
    organization_ids = list(db.session.scalars(sa.select(Organization.id).where(
        Organization.contact_user_id == user.id)))
    for organization_id in organization_ids:
        mine += certificates_of(organization_id=organization_id)
    return mine


def tell_of_hidden_name(user: User, *, now: datetime | None = None) -> None:
    """A volunteer on a list (being drawn up, in its 公示, or honoured) has just chosen to
    keep their name off the boards: from now on the public reads them as anonymous
    (``access.sees_nominee_name``, ``sees_certificate_name``), and their community's
    secretaries are told, to talk with them. The caller commits."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Selection.community_id, Selection.year).join(
            Nominee, Nominee.selection_id == Selection.id)
        .where(Nominee.user_id == user.id,
               Nominee.status.in_((NomineeStatus.NOMINATED, NomineeStatus.HONOURED)))
        .order_by(Selection.year)).all()
    for community_id, year in rows:
        notify(secretary_ids(community_id), "nominee_name_hidden",
               f"{user.name}选择了不在光荣榜上显示姓名。{year}年度评选的名单上，这位志愿者"
               f"从现在起向公众显示为“{ANONYMOUS}”，证书核验只显示姓氏。请与本人沟通。",
               now=now)


def my_objections(user: User, *, limit: int = 20) -> list[Objection]:
    """The objections I raised, newest first, with their answers."""
    return list(db.session.scalars(
        sa.select(Objection).where(Objection.user_id == user.id)
        .options(joinedload(Objection.nominee)).order_by(Objection.id.desc()).limit(limit)))


def withdraw_certificate(actor: User, code: str, *, reason: str,
                         now: datetime | None = None) -> Certificate:
    """The community's secretary (or an admin) withdraws an honour, with a reason: it then
    verifies as withdrawn, with the date; the holder is told why."""
    now = now or utcnow()
    certificate = get_certificate(code)
    ensure_can_manage_community(actor, certificate.community_id)
    moved = db.session.execute(
        sa.update(Certificate).where(Certificate.id == certificate.id,
                                     Certificate.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawn_reason=reason, withdrawn_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        _refuse(ConflictError("这份荣誉已经撤销了", message_en="Already withdrawn",
                              code="certificate_withdrawn"))
    db.session.refresh(certificate)
    notify(_holder_ids(certificate.user_id, certificate.organization_id), "honour_withdrawn",
           f"{certificate.name}的{certificate.year}年度{certificate.division.label}荣誉已撤销。"
           f"原因：{reason}", now=now)
    audit.record("certificate_withdrawn", actor=actor, object_type="certificate",
                 object_id=certificate.id, community_id=certificate.community_id,
                 before={"stands": True},
                 after={"stands": False, "reason": reason, "name": certificate.name}, now=now)
    db.session.commit()
    return certificate
