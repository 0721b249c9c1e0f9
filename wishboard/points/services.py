"""The points rules, in one place: what each event is worth, the ledger entries it writes,
the totals kept in step with them, leaderboards, points cards and recomputation.

Award and reverse functions only add rows (the use case that calls them commits); each
event's ``key`` is unique in the ledger, so an event replayed or retried pays once. Who
earns a claim's points is the wish's to say (``Wish.earner_id``); nothing here knows the
kinds of wish.

Beside this module: ``rules.py`` (a community's rules, and the periods a total is kept
for), ``recompute.py`` (rebuilding the totals from the ledger) and ``commendation.py`` (the
annual commendation), all re-exported here, so ``points.rules_for``,
``points.recompute_totals``, ``points.commendation`` and the rest keep working.

Listens to ``accounts.events.report_approved``: what was held while nobody had checked a
volunteer is booked when a person approves their 报到 (``_release_on_approval``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from wishboard.accounts import events as accounts_events
from wishboard.accounts.models import Role, User, VolunteerType
from wishboard.audit import services as audit
from wishboard.core.clock import hours_words
from wishboard.core.db import page_of, upsert
from wishboard.errors import NotFoundError
from wishboard.extensions import db
from wishboard.places.models import Community, Organization, OrganizationStatus
# commendation, recompute, rules: re-exported (see the docstring); none imports this module
# at its top.
from wishboard.points.commendation import Commendation, commendation  # noqa: F401
from wishboard.points.models import COUNTERS, HeldPoints, PointsEntry, PointsTotal
from wishboard.points.recompute import Mismatch, recompute_totals  # noqa: F401
from wishboard.points.rules import (  # noqa: F401
    PERIOD_KINDS, period_key, periods_of, rules_for, update_rules,
)
from wishboard.projects.models import LogStatus, ServiceLog
from wishboard.ratings.models import Rating
from wishboard.wishes.models import Claim, ClaimStatus, HoursStatus, Wish


# The ledger -------------------------------------------------------------------------------


@dataclass
class Deltas:
    claims: int = 0
    completions: int = 0
    activities: int = 0
    hours: Decimal = Decimal("0")
    ratings: int = 0
    stars: int = 0

    def negated(self) -> Deltas:
        return Deltas(**{name: -getattr(self, name) for name in COUNTERS})


@dataclass
class Award:
    key: str
    community_id: int
    volunteer_id: int | None
    organization_id: int | None
    source_type: str
    source_id: int
    rule: str
    amount: int
    reason: str
    deltas: Deltas = field(default_factory=Deltas)
    reverses_id: int | None = None
    # Whose work it is (the volunteer, also when an organisation earns as a body): an
    # award for the work of a volunteer nobody checked is held (``HeldPoints``).
    person_id: int | None = None
    # When it was earned, if not now (held points booked when they are released).
    at: datetime | None = None

    @property
    def by(self) -> int | None:
        return self.person_id or self.volunteer_id


def _entry_values(award: Award, now: datetime) -> dict:
    when = award.at or now
    return dict(
        key=award.key, community_id=award.community_id, volunteer_id=award.volunteer_id,
        organization_id=award.organization_id, source_type=award.source_type,
        source_id=award.source_id, rule=award.rule, amount=award.amount,
        reason=award.reason[:200], reverses_id=award.reverses_id, created_at=when,
        **periods_of(when), **{f"d_{name}": getattr(award.deltas, name) for name in COUNTERS})


def _book(award: Award, now: datetime) -> bool:
    """Write one entry unless its key is already in the ledger; then move the totals.
    Returns whether anything was booked (held points are not)."""
    return bool(_book_many([award], now))


def _book_many(awards: list[Award], now: datetime, *, hold: bool = True) -> list[str]:
    """Write the entries whose keys are not yet in the ledger (one statement), then add
    what they carry to every total they touch (one more). Awards for the work of an
    unchecked volunteer are held instead (``_hold``), unless ``hold`` is False (they are
    being released). Returns the keys booked."""
    if hold:
        awards = _hold(awards, now)
    if not awards:
        return []
    booked = set(db.session.scalars(
        upsert(PointsEntry).values([_entry_values(a, now) for a in awards])
        .on_conflict_do_nothing(index_elements=["key"]).returning(PointsEntry.key)))
    sums: dict[tuple, dict] = {}
    homes = _homes([a for a in awards if a.key in booked])
    for award in awards:
        if award.key not in booked:
            continue
        periods = periods_of(award.at or now)
        add = {"points": award.amount, **{n: getattr(award.deltas, n) for n in COUNTERS}}
        for owner_type, owner_id in (("volunteer", award.volunteer_id),
                                     ("organization", award.organization_id)):
            if owner_id is None:
                continue
            # An organisation earns "as a body" when no volunteer takes the entry.
            body = award.amount if owner_type == "organization" and (
                award.volunteer_id is None) else 0
            for period in ("all", periods["year"], periods["quarter"], periods["month"]):
                row = sums.setdefault((owner_type, owner_id, period), dict(
                    community_id=homes.get((owner_type, owner_id), award.community_id),
                    owner_type=owner_type,
                    owner_id=owner_id, period=period, points=0, body_points=0,
                    **{n: 0 for n in COUNTERS}))
                for name, value in add.items():
                    row[name] += value
                row["body_points"] += body
    if sums:
        totals = PointsTotal.__table__
        statement = upsert(totals)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["owner_type", "owner_id", "period"],
            set_={"community_id": statement.excluded["community_id"],
                  **{name: totals.c[name] + statement.excluded[name]
                     for name in ("points", "body_points", *COUNTERS)}}), list(sums.values()))
    return sorted(booked)


def unchecked_people(user_ids: set[int]) -> set[int]:
    """The volunteers among ``user_ids`` whose 报到 no person has checked: approved
    automatically (or still waiting), so their work earns nothing yet
    (``User.report_approved_by_person``)."""
    if not user_ids:
        return set()
    return set(db.session.scalars(sa.select(User.id).where(
        User.id.in_(user_ids), User.role == Role.VOLUNTEER,
        sa.not_(User.report_approved_by_person))))


def _hold(awards: list[Award], now: datetime) -> list[Award]:
    """Set aside the awards for the work of volunteers nobody has checked (never a
    reversal); return the rest, to be booked. A held event is held once (its key)."""
    unchecked = unchecked_people({a.by for a in awards
                                  if a.by is not None and a.reverses_id is None})
    held = [a for a in awards if a.reverses_id is None and a.by in unchecked]
    if held:
        db.session.execute(upsert(HeldPoints).values([
            {**{k: v for k, v in _entry_values(a, now).items()
                if k not in ("reverses_id", "year", "quarter", "month")},
             "person_id": a.by} for a in held]).on_conflict_do_nothing(index_elements=["key"]))
    return [a for a in awards if a not in held]


def release_held(person_id: int | None, now: datetime) -> int:
    """Book what was held for ``person_id``, whom a person has just checked (with None,
    every checked person's: the sweep catches an award held a moment before its person was
    checked), each entry dated as earned. A conditional UPDATE takes each held row once.
    The caller commits; returns how many entries were booked."""
    query = (sa.update(HeldPoints).where(HeldPoints.released_at.is_(None),
                                         HeldPoints.dropped_at.is_(None))
             .values(released_at=now).returning(*HeldPoints.__table__.c)
             .execution_options(synchronize_session=False))
    if person_id is not None:
        query = query.where(HeldPoints.person_id == person_id)
    else:
        query = query.where(HeldPoints.person_id.in_(
            sa.select(User.id).where(User.report_approved_by_person)))
    rows = db.session.execute(query).all()
    return len(_book_many([Award(
        key=r.key, community_id=r.community_id, volunteer_id=r.volunteer_id,
        organization_id=r.organization_id, source_type=r.source_type, source_id=r.source_id,
        rule=r.rule, amount=r.amount, reason=r.reason, person_id=r.person_id, at=r.created_at,
        deltas=Deltas(**{n: getattr(r, f"d_{n}") for n in COUNTERS})) for r in rows],
        now, hold=False))


def held_of(person_id: int, *, limit: int | None = None) -> list[HeldPoints]:
    """What is held for a volunteer's own unchecked work (not what they earned for an
    organisation as a body), newest first, at most ``limit``."""
    return list(db.session.scalars(sa.select(HeldPoints).where(
        HeldPoints.person_id == person_id, HeldPoints.volunteer_id == person_id,
        HeldPoints.released_at.is_(None), HeldPoints.dropped_at.is_(None))
        .order_by(HeldPoints.created_at.desc(), HeldPoints.id.desc()).limit(limit)))


@accounts_events.on_report_approved
def _release_on_approval(user: User, actor: User, now: datetime) -> None:
    """A person has just approved ``user``'s 报到 (``accounts.approve_report``): what they
    earned while nobody had checked them is booked now, dated as earned, in the approval's
    transaction."""
    db.session.flush()
    released = release_held(user.id, now)
    if released:
        audit.record("held_points_released", actor=actor, object_type="user",
                     object_id=user.id, community_id=user.community_id,
                     after={"entries": released}, now=now)


def _homes(awards: list[Award]) -> dict[tuple[str, int], int]:
    """Where each owner's totals live, whichever community the work was done in (双报到):
    a volunteer's in the community they report to as a volunteer (``User.community_id``),
    an organisation's in the community it reports to (``Organization.community_id``). So a
    member of an organisation of community A who serves in B ranks on B's volunteer board,
    and the organisation on A's organisation board. ``recompute_totals`` agrees."""
    homes: dict[tuple[str, int], int] = {}
    volunteer_ids = {a.volunteer_id for a in awards if a.volunteer_id is not None}
    organization_ids = {a.organization_id for a in awards if a.organization_id is not None}
    if volunteer_ids:
        rows = db.session.execute(sa.select(User.id, User.community_id)
                                  .where(User.id.in_(volunteer_ids)))
        homes.update((("volunteer", owner), home) for owner, home in rows)
    if organization_ids:
        rows = db.session.execute(sa.select(Organization.id, Organization.community_id)
                                  .where(Organization.id.in_(organization_ids)))
        homes.update((("organization", owner), home) for owner, home in rows)
    return {key: value for key, value in homes.items() if value is not None}


def reverse_many(items: list[tuple[str, str]], now: datetime) -> list[str]:
    """Book the negative of each entry named by key (once each), with its reason. Keys with
    nothing behind them are skipped. Returns the reversal keys booked."""
    reasons = dict(items)
    if not reasons:
        return []
    # An event still held is dropped: it never reached the ledger.
    db.session.execute(sa.update(HeldPoints).where(
        HeldPoints.key.in_(reasons), HeldPoints.released_at.is_(None),
        HeldPoints.dropped_at.is_(None)).values(dropped_at=now)
        .execution_options(synchronize_session=False))
    originals = db.session.scalars(sa.select(PointsEntry).where(PointsEntry.key.in_(reasons)))
    return _book_many([Award(
        key=f"{o.key}:reversal", community_id=o.community_id, volunteer_id=o.volunteer_id,
        organization_id=o.organization_id, source_type=o.source_type, source_id=o.source_id,
        rule=o.rule, amount=-o.amount, reason=reasons[o.key], reverses_id=o.id,
        deltas=Deltas(**{n: getattr(o, f"d_{n}") for n in COUNTERS}).negated())
        for o in originals], now)


def _reverse(key: str, reason: str, now: datetime) -> bool:
    return bool(reverse_many([(key, reason)], now))


# What each event is worth -----------------------------------------------------------------

def _earner(claim: Claim, wish: Wish) -> int | None:
    """Which volunteer earns a claim's own points: the wish says (``Wish.earner_id``: the
    volunteer, or nobody when an organisation earns as a body); the rules here know no
    kinds of wish."""
    return wish.earner_id(claim.volunteer_id, claim.organization_id)


def award_claim(claim: Claim, wish: Wish, now: datetime) -> None:
    points = rules_for(wish.community_id)["per_claim"]
    _book(Award(key=f"claim:{claim.id}", community_id=wish.community_id,
                volunteer_id=_earner(claim, wish), organization_id=claim.organization_id,
                source_type="claim", source_id=claim.id, rule="per_claim", amount=points,
                reason=f"认领「{wish.title}」", deltas=Deltas(claims=1),
                person_id=claim.volunteer_id), now)


def reverse_claim(claim: Claim, wish: Wish, why: str, now: datetime) -> None:
    _reverse(f"claim:{claim.id}", f"认领「{wish.title}」未完成：{why}", now)


def award_completion(claim: Claim, wish: Wish, now: datetime) -> None:
    """Completion points, paid once someone independent says the service took place: the
    person served or the community's staff confirming it (``wishes.hours
    .apply_hours_confirmation``), or, for a service project, the community's staff
    confirming its members' service logs. Until then they are pending (``pending_of``)."""
    _book(Award(key=f"completion:{claim.id}", community_id=wish.community_id,
                volunteer_id=_earner(claim, wish), organization_id=claim.organization_id,
                source_type="completion", source_id=claim.id, rule="per_completion",
                amount=rules_for(wish.community_id)["per_completion"],
                reason=f"完成「{wish.title}」", deltas=Deltas(completions=1),
                person_id=claim.volunteer_id), now)


def award_hours(claim: Claim, wish: Wish, now: datetime) -> None:
    """Points per confirmed hour, to whoever earned the completion."""
    hours = Decimal(claim.confirmed_hours or 0)
    if hours <= 0:
        return
    _book(Award(key=f"completion:{claim.id}:hours", community_id=wish.community_id,
                volunteer_id=_earner(claim, wish), organization_id=claim.organization_id,
                source_type="completion", source_id=claim.id, rule="per_hour",
                amount=int((hours * rules_for(wish.community_id)["per_hour"])
                           .to_integral_value()),
                reason=f"服务{hours_words(hours)}小时「{wish.title}」（已确认）",
                deltas=Deltas(hours=hours), person_id=claim.volunteer_id), now)


def award_rating(rating: Rating, wish: Wish, now: datetime) -> bool:
    """Stars earn for whoever the wish's claim and completion paid (``Wish.earner_id``):
    the volunteer, or the organisation as a body."""
    if wish.claimant_id is None:
        return False
    earner = wish.earner_id(wish.claimant_id, wish.claim_organization_id)
    points = rules_for(wish.community_id)["per_star"] * rating.stars
    return _book(Award(key=f"rating:{rating.id}", community_id=wish.community_id,
                       volunteer_id=earner, organization_id=wish.claim_organization_id,
                       source_type="rating", source_id=rating.id, rule="per_star",
                       amount=points, reason=f"「{wish.title}」获得{rating.stars}星评价",
                       deltas=Deltas(ratings=1, stars=rating.stars),
                       person_id=wish.claimant_id), now)


def reverse_rating(rating: Rating, wish: Wish, why: str, now: datetime) -> None:
    _reverse(f"rating:{rating.id}", f"「{wish.title}」的评价被撤销：{why}", now)


def award_activity(*, key: str, community_id: int, volunteer_id: int,
                   organization_id: int | None, source_type: str, source_id: int,
                   reason: str, now: datetime) -> bool:
    """Participation in an activity or a project (活动参与)."""
    return _book(Award(key=key, community_id=community_id, volunteer_id=volunteer_id,
                       organization_id=organization_id, source_type=source_type,
                       source_id=source_id, rule="per_activity",
                       amount=rules_for(community_id)["per_activity"], reason=reason,
                       deltas=Deltas(activities=1)), now)


# Reading ----------------------------------------------------------------------------------


@dataclass
class BoardRow:
    rank: int
    id: int | None
    name: str
    points: int
    claims: int
    completions: int
    activities: int
    hours: float
    average_stars: float | None
    volunteer_type: str | None = None
    organization: str | None = None
    # Organisations: what it earned as a body and what its members earned acting for it.
    body_points: int | None = None
    member_points: int | None = None


ANONYMOUS = "一位志愿者（未公开姓名）"


def leaderboard(community_id: int, *, kind: str = "volunteers", period: str = "all",
                volunteer_type: str | None = None, page: int = 1, per_page: int = 20,
                public: bool = True) -> tuple[list[BoardRow], int]:
    """Ranked by points, then completions, then hours, then the earlier member (lower id);
    rank is the position in that order. One query for the rows, one for the count.
    Organisations rank by body + members' points, or by the body's alone where the
    community chose so (``org_ranking``); ``points`` is always the figure ranked by.
    ``public``: a volunteer who keeps their name off public boards is ``ANONYMOUS``, with
    neither id nor organisation (the commendation, for staff, passes False)."""
    body_only = kind == "organizations" and db.session.scalar(
        sa.select(Community.org_ranking).where(Community.id == community_id)) == "body"
    ranked = PointsTotal.body_points if body_only else PointsTotal.points
    order = (ranked.desc(), PointsTotal.completions.desc(),
             PointsTotal.hours.desc(), PointsTotal.owner_id)
    base = sa.select(PointsTotal).where(PointsTotal.community_id == community_id,
                                        PointsTotal.period == period)
    # Only organisations whose 报到 the community approved are on its board (none other can
    # earn: wishboard.access refuses them claims, members and activities).
    approved = Organization.report_status == OrganizationStatus.APPROVED
    if kind == "organizations":
        query = (base.add_columns(Organization.name)
                 .join(Organization, Organization.id == PointsTotal.owner_id)
                 .where(PointsTotal.owner_type == "organization", approved))
    else:
        query = (base.add_columns(User.name, User.show_on_boards, User.volunteer_type,
                                  Organization.name.label("org_name"))
                 .join(User, User.id == PointsTotal.owner_id)
                 .outerjoin(Organization, Organization.id == User.organization_id)
                 .where(PointsTotal.owner_type == "volunteer"))
        if volunteer_type:
            query = query.where(User.volunteer_type == VolunteerType(volunteer_type))
    # The count needs the totals table alone (and users only to filter by type).
    counted = sa.select(sa.func.count()).select_from(PointsTotal).where(
        PointsTotal.community_id == community_id, PointsTotal.period == period,
        PointsTotal.owner_type == ("organization" if kind == "organizations" else "volunteer"))
    if kind != "organizations" and volunteer_type:
        counted = counted.join(User, User.id == PointsTotal.owner_id).where(
            User.volunteer_type == VolunteerType(volunteer_type))
    elif kind == "organizations":
        counted = counted.join(Organization, Organization.id == PointsTotal.owner_id).where(
            approved)
    total = db.session.scalar(counted)
    rows = db.session.execute(query.order_by(*order).limit(per_page)
                              .offset((page - 1) * per_page)).all()
    result = []
    for position, row in enumerate(rows, start=(page - 1) * per_page + 1):
        t = row[0]
        entry = BoardRow(rank=position, id=t.owner_id, name=row.name,
                         points=t.body_points if body_only else t.points,
                         claims=t.claims, completions=t.completions, activities=t.activities,
                         hours=float(t.hours), average_stars=t.average_stars)
        if kind == "organizations":
            entry.body_points, entry.member_points = t.body_points, t.member_points
        else:
            entry.volunteer_type = row.volunteer_type.value if row.volunteer_type else None
            entry.organization = row.org_name
            if public and not row.show_on_boards:
                # The organisation too: in a small one it says who this is.
                entry.id, entry.name, entry.organization = None, ANONYMOUS, None
        result.append(entry)
    return result, total


def total_of(owner_type: str, owner_id: int, period: str = "all") -> PointsTotal | None:
    return db.session.scalar(sa.select(PointsTotal).where(
        PointsTotal.owner_type == owner_type, PointsTotal.owner_id == owner_id,
        PointsTotal.period == period))


def points_of(user: User) -> int:
    total = total_of("volunteer", user.id)
    return total.points if total else 0


@dataclass
class PointsCard:
    volunteer: User
    total: PointsTotal | None
    rank: int | None
    entries: list[PointsEntry]
    entry_count: int
    pending: Pending | None = None


def points_card(volunteer_id: int, *, viewer: User | None = None, page: int = 1,
                per_page: int = 50) -> PointsCard:
    """志愿服务积分卡: totals, rank in the community, and the ledger with reasons."""
    volunteer = db.session.get(User, volunteer_id)
    if volunteer is None or volunteer.role is not Role.VOLUNTEER:
        raise NotFoundError("没有这位志愿者", message_en="No such volunteer")
    is_self_or_staff = viewer is not None and (
        viewer.id == volunteer.id or viewer.role is Role.ADMIN
        or (viewer.role is Role.SECRETARY and viewer.community_id == volunteer.community_id))
    if not volunteer.show_on_boards and not is_self_or_staff:
        raise NotFoundError("这位志愿者没有公开积分卡", message_en="This card is not public")
    total = total_of("volunteer", volunteer.id)
    rank = _rank(total) if total is not None else None
    query = sa.select(PointsEntry).where(PointsEntry.volunteer_id == volunteer.id)
    entries, count = page_of(query, page, per_page, PointsEntry.created_at.desc(),
                             PointsEntry.id.desc())
    return PointsCard(volunteer, total, rank, entries, count, pending_of(volunteer.id))


@dataclass
class PendingItem:
    reason: str
    amount: int
    waits_for: str  # what it waits for, in words


@dataclass
class Pending:
    """What a volunteer has earned that counts nowhere yet (待确认): completions and hours
    nobody independent has confirmed, service logs the community has not confirmed, and
    what is held until a person checks their 报到. On no board, in no selection or export."""

    items: list[PendingItem]

    @property
    def points(self) -> int:
        return sum(item.amount for item in self.items)


PENDING_LIMIT = 50


def pending_of(volunteer_id: int) -> Pending:
    """The volunteer's pending points, newest first (at most ``PENDING_LIMIT`` of each
    kind), valued at their community's rules of today."""
    items = [PendingItem(h.reason, h.amount, "等社区核实报到")
             for h in held_of(volunteer_id, limit=PENDING_LIMIT)]
    rules: dict[int, dict[str, int]] = {}

    def rule(community_id: int, name: str) -> int:
        return rules.setdefault(community_id, rules_for(community_id))[name]

    for claim, wish in db.session.execute(
            sa.select(Claim, Wish).join(Wish, Wish.id == Claim.wish_id)
            .where(Claim.volunteer_id == volunteer_id, Claim.status == ClaimStatus.COMPLETED,
                   Claim.hours_status == HoursStatus.PENDING)
            .order_by(Claim.ended_at.desc(), Claim.id.desc()).limit(PENDING_LIMIT)):
        if _earner(claim, wish) != volunteer_id:
            continue
        hours = Decimal(claim.hours or 0)
        items.append(PendingItem(
            f"完成「{wish.title}」，服务{hours_words(hours)}小时",
            rule(wish.community_id, "per_completion")
            + int((hours * rule(wish.community_id, "per_hour")).to_integral_value()),
            "等服务对象或社区确认"))
    for log, wish in db.session.execute(
            sa.select(ServiceLog, Wish).join(Wish, Wish.id == ServiceLog.wish_id)
            .where(ServiceLog.user_id == volunteer_id, ServiceLog.status == LogStatus.PENDING)
            .order_by(ServiceLog.served_on.desc(), ServiceLog.id.desc()).limit(PENDING_LIMIT)):
        hours = Decimal(log.hours)
        items.append(PendingItem(
            f"「{wish.title}」{log.served_on.month}月{log.served_on.day}日服务"
            f"{hours_words(hours)}小时",
            int((hours * rule(wish.community_id, "per_hour")).to_integral_value()),
            "等社区确认服务记录"))
    return Pending(items)


def _rank(total: PointsTotal, *, body_only: bool = False) -> int:
    """Where ``total`` stands on its community's board, in the leaderboard's order."""
    ranked = PointsTotal.body_points if body_only else PointsTotal.points
    mine = total.body_points if body_only else total.points
    ahead = db.session.scalar(sa.select(sa.func.count()).select_from(PointsTotal).where(
        PointsTotal.community_id == total.community_id,
        PointsTotal.owner_type == total.owner_type, PointsTotal.period == total.period,
        sa.or_(ranked > mine,
               sa.and_(ranked == mine, PointsTotal.completions > total.completions),
               sa.and_(ranked == mine, PointsTotal.completions == total.completions,
                       PointsTotal.hours > total.hours),
               sa.and_(ranked == mine, PointsTotal.completions == total.completions,
                       PointsTotal.hours == total.hours,
                       PointsTotal.owner_id < total.owner_id))))
    return ahead + 1


@dataclass
class Standing:
    """An organisation on its community's organisation board: all-time totals (what it
    earned as a body and what its members earned for it) and its rank."""

    total: PointsTotal | None
    rank: int | None
    points: int
    body_points: int
    member_points: int


def organization_standing(organization: Organization) -> Standing:
    body_only = db.session.scalar(sa.select(Community.org_ranking).where(
        Community.id == organization.community_id)) == "body"
    total = total_of("organization", organization.id)
    if total is None:
        return Standing(None, None, 0, 0, 0)
    return Standing(total, _rank(total, body_only=body_only),
                    total.body_points if body_only else total.points, total.body_points,
                    total.member_points)


def award_service(log, wish: Wish, now: datetime) -> None:
    """Confirmed service in a project: points per hour, for the member and their
    organisation."""
    hours = Decimal(log.hours)
    _book(Award(key=f"service_log:{log.id}", community_id=wish.community_id,
                volunteer_id=log.user_id, organization_id=wish.claim_organization_id,
                source_type="service_log", source_id=log.id, rule="per_hour",
                amount=int((hours * rules_for(wish.community_id)["per_hour"])
                           .to_integral_value()),
                reason=f"「{wish.title}」服务{hours_words(hours)}小时", deltas=Deltas(hours=hours)), now)
