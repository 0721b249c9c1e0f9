"""The year-end selection (年度评选), its first steps and how it is read: opening it and
changing its rules before the cut-off (an admin's exceptions are ``SelectionDecision``
rows), freezing the standings at the cut-off (``_snapshot``: why a snapshot, see
``wishboard.honours.services``) with the rules' proposal, and a selection as a viewer may
read it (``selection_view``). Every step takes the selection's row first (``_take``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import (
    after_cutoff_refusal, can_manage_community, can_see_objector, can_see_selection,
    ensure_can_manage_community, objection_blocks, selection_rights, selection_state_refusal,
    SelectionRights,
)
from wishboard.accounts.models import ReportStatus, Role, User
from wishboard.audit import services as audit
from wishboard.core.clock import date_words, day_start, utcnow
from wishboard.core.db import flush_or_conflict
from wishboard.errors import ConflictError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.honours.models import (
    DEFAULT_SETTINGS, DIVISION_OF_TYPE, PUBLIC_SELECTION_STATES, QUOTA_OF_DIVISION,
    Certificate, HonourDivision, Nominee, NomineeSource, NomineeStatus, Objection,
    ObjectionStatus, Selection, SelectionDecision, SelectionStanding, SelectionState,
)
from wishboard.places.models import Organization, OrganizationStatus
from wishboard.places.services import get_community
from wishboard.points.models import PointsEntry
from wishboard.wishes.models import Claim, ClaimStatus


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
class SelectionView:
    """A selection with everything ``viewer`` may read of it: what ``GET /selections/<id>``
    dumps and what its pages show (the pages' own words and steps are
    ``wishboard.blueprints.honour_pages``)."""

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
    # The admins' exceptions to the rules, with their reasons (public), in order.
    decisions: list[SelectionDecision] = field(default_factory=list)

    def listed(self, division: HonourDivision) -> list[Nominee]:
        """The division's list as the public reads it: candidates, or those honoured."""
        return [n for n in self.nominees if n.division is division and n.is_listed]

    def left(self, *, public: bool = False) -> list[Nominee]:
        """Those who left the list: withdrawn after an objection (public: the objection and
        its answer are), or removed by the secretary in a correction round after a 公示
        that showed them (``Nominee.shown_at``: public as 社区移出名单, with the date; why,
        only the staff read). The staff see every one, also those removed before any 公示
        (unless ``public``: the public page, as everyone reads it)."""
        return [n for n in self.nominees if not n.is_listed and (
            (self.rights.manage and not public) or n.status is NomineeStatus.WITHDRAWN
            or n.shown_at is not None)]


def selection_view(viewer: User | None, selection_id: int, *,
                   now: datetime | None = None) -> SelectionView:
    """The 公示 page and ``GET /selections/<id>``: the nominees with their frozen figures;
    the objections the viewer may read (staff: all; others: answered ones, and their own)
    without the objector's name but for themselves and the staff, and which of those
    waiting hold the results back; the certificates once published; what the viewer may
    do now; and the admins' exceptions to the rules (``SelectionDecision``)."""
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
    decisions = list(db.session.scalars(
        sa.select(SelectionDecision).where(SelectionDecision.selection_id == selection.id)
        .order_by(SelectionDecision.id)))
    return SelectionView(selection, nominees, readable, len(blocking), certificates, rights,
                         viewer=viewer, now=now, blocking=blocking,
                         unverified_open=len(waiting) - len(blocking) if staff else 0,
                         decisions=decisions)



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


def _decide(selection: Selection, kind: str, reason: str | None, actor: User,
            now: datetime) -> dict:
    """An exception to the rules that only an admin makes (``DECISION_LABELS``), when it is
    one (``reason`` given): its row, which the 公示 page shows, and what the step's audit
    line adds (the kind and the reason)."""
    if not reason:
        return {}
    db.session.add(SelectionDecision(selection_id=selection.id, kind=kind, reason=reason,
                                     decided_by_id=actor.id, decided_at=now))
    return {"exception": kind, "reason": reason}


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
                               **_decide(selection, "opened_late", reason if late else None,
                                         actor, now)}),
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
                            **_decide(selection, "settings_changed_late",
                                      reason if late else None, actor, now)},
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

