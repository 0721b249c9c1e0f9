"""Reaching the right hands: skill tags, a volunteer's service profile and follows, the
message followers get when a wish is published, and the volunteers suggested for an open
wish.

Why a feature of its own rather than part of ``accounts``: ``accounts`` is who a person is
(sign-up, log-in, 报到); this is what a volunteer offers and how a wish finds them. Publishing
(``wishes.services``) calls in here; nothing here calls the wish use cases back, so the
imports run one way.

How a wish is matched (``rank_volunteers``), in points:

- **Skill** (会“…”): a skill fits a wish when its name appears in the wish's words (title,
  description, its category's name and description), or the category's name appears in
  the skill's name; a default skill also fits when one of its everyday words
  (``SKILL_HINTS``) does: 陪伴就医 fits 复诊 and 康复护理. +30 a skill, two at most.
- **Follows** (关注“…”): +15 for following the wish's category, +15 for following its grid
  place or a place it lies in.
- **Lives nearby** (住在同一院落): the grid distance is the number of steps from the
  volunteer's home place and from the wish's place up to the nearest place both lie in
  (the same building: 0; two buildings of one courtyard: 2). +24 less 8 a step; nothing
  when the only place both lie in is the community itself, or either place is unknown.
- **Load** (正在进行的认领N个): -10 for each claim the volunteer holds now; a volunteer at
  the community's cap (``max_open_claims``) is left out: they could not claim it.
- **Recent work** (近30天完成N次): +5 for each service completed in the last 30 days,
  15 at most.

Only approved, active volunteers of the wish's community are ranked. Ties go to fewer
claims held, then more recent work, then the earlier sign-up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from wishboard.access import ensure_can_manage_community, profile_refusal, suggestions_refusal
from wishboard.accounts.models import ReportStatus, Role, User
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.core.db import flush_or_conflict, upsert
from wishboard.errors import ConflictError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.matching import digest
from wishboard.matching.follow_models import CategoryFollow, DigestItem, PlaceFollow
from wishboard.matching.models import AvailabilitySlot, Skill, VolunteerProfile, VolunteerSkill
from wishboard.notifications.services import notify
from wishboard.places.models import Category, Community, Organization
from wishboard.places.services import community_grid, get_community
from wishboard.wishes.models import Beneficiary, Claim, ClaimStatus, Wish

# Every community has these (the migration adds the same rows, in this order).
DEFAULT_SKILLS = ["理发", "维修", "医疗咨询", "法律咨询", "辅导功课", "陪伴就医", "代购",
                  "心理疏导", "摄影", "电脑手机教学", "家政保洁", "文艺演出"]

# Everyday words that show a default skill fits a wish, besides the skill's own name.
SKILL_HINTS = {
    "理发": ("理发", "剪发", "头发"),
    "维修": ("维修", "修理", "修补", "小修", "水管", "电路", "漏水", "灯泡", "门锁"),
    "医疗咨询": ("医疗", "义诊", "健康", "保健", "血压", "血糖", "用药"),
    "法律咨询": ("法律", "纠纷", "维权", "合同", "遗嘱", "律师"),
    "辅导功课": ("功课", "作业", "辅导", "学习", "课业"),
    "陪伴就医": ("就医", "医院", "看病", "复诊", "康复", "护理", "体检"),
    "代购": ("代购", "买药", "买菜", "采购", "购买"),
    "心理疏导": ("心理", "情绪", "谈心", "孤独", "疏导"),
    "摄影": ("摄影", "拍照", "照片", "合影"),
    "电脑手机教学": ("手机", "电脑", "微信", "智能", "上网"),
    "家政保洁": ("保洁", "打扫", "清洁", "家务"),
    "文艺演出": ("演出", "文艺", "表演", "唱歌", "舞蹈", "联欢"),
}

SKILL_POINTS, MAX_SKILLS_COUNTED = 30, 2
FOLLOW_CATEGORY_POINTS = FOLLOW_PLACE_POINTS = 15
NEAR_POINTS, NEAR_STEP = 24, 8
LOAD_PENALTY = 10
RECENT_POINTS, RECENT_MAX = 5, 15
RECENT_DAYS = 30


# Skill tags --------------------------------------------------------------------------------

def add_missing_default_skills() -> int:
    """Insert any default skill that is missing; returns how many. The caller commits."""
    existing = set(db.session.scalars(sa.select(Skill.name).where(Skill.community_id.is_(None))))
    added = 0
    for order, name in enumerate(DEFAULT_SKILLS, start=1):
        if name not in existing:
            db.session.add(Skill(name=name, community_id=None, sort_order=10 * order))
            added += 1
    db.session.flush()
    return added


def ensure_default_skills() -> int:
    added = add_missing_default_skills()
    db.session.commit()
    return added


def _community(community_id: int) -> Community:
    """A 社区 or 村: the places that keep a list of skills."""
    place = get_community(community_id)
    if not place.is_community:
        raise NotFoundError("没有这个社区", message_en="No such community")
    return place


def _skills_of(community_id: int):
    """The defaults and the community's own, defaults first."""
    return (sa.select(Skill)
            .where(sa.or_(Skill.community_id.is_(None), Skill.community_id == community_id))
            .order_by(Skill.community_id.is_not(None), Skill.sort_order, Skill.id))


def list_skills(community_id: int) -> list[Skill]:
    """The skills volunteers of a community choose from: the defaults, then its own."""
    return list(db.session.scalars(_skills_of(_community(community_id).id)))


def _skill_exists() -> ConflictError:
    return ConflictError("已有这个特长标签", message_en="This skill exists",
                         code="skill_exists", fields={"name": ["已存在"]})


def create_skill(actor: User, community_id: int, *, name: str,
                 now: datetime | None = None) -> Skill:
    """The community's secretary (or an admin) adds a skill of their own community."""
    community = _community(community_id)
    ensure_can_manage_community(actor, community.id)
    taken = db.session.scalar(sa.select(Skill.id).where(
        Skill.name == name,
        sa.or_(Skill.community_id.is_(None), Skill.community_id == community.id)))
    if taken is not None:
        raise _skill_exists()
    now = now or utcnow()
    skill = Skill(name=name, community_id=community.id, created_by_id=actor.id,
                  created_at=now)
    db.session.add(skill)
    flush_or_conflict(_skill_exists())
    audit.record("skill_created", actor=actor, object_type="skill", object_id=skill.id,
                 community_id=community.id, after={"name": name}, now=now)
    flush_or_conflict(_skill_exists(), commit=True)
    return skill


# A volunteer's profile ---------------------------------------------------------------------

@dataclass
class Follows:
    categories: list[Category] = field(default_factory=list)
    places: list[Community] = field(default_factory=list)


@dataclass
class Profile:
    """What a volunteer offers and follows, as they and the API see it."""

    user: User
    skills: list[Skill]
    offer: str
    availability: list[str]
    home_place: Community | None
    follows: Follows
    updated_at: datetime | None
    follow_digest: bool = False  # followed wishes once a day (matching.digest)

    @property
    def availability_labels(self) -> list[str]:
        return [AvailabilitySlot(value).label for value in self.availability]

    @property
    def is_empty(self) -> bool:
        return not (self.skills or self.offer or self.availability or self.home_place
                    or self.follows.categories or self.follows.places)


def _ensure_may_keep_profile(user: User) -> None:
    refusal = profile_refusal(user)
    if refusal is not None:
        raise refusal


def get_profile(user: User) -> Profile:
    """My skills, service card, free times, home place and follows (volunteers only)."""
    _ensure_may_keep_profile(user)
    return _profile(user)


def _profile(user: User) -> Profile:
    row = db.session.get(VolunteerProfile, user.id)
    skills = list(db.session.scalars(
        sa.select(Skill).join(VolunteerSkill, VolunteerSkill.skill_id == Skill.id)
        .where(VolunteerSkill.user_id == user.id)
        .order_by(Skill.community_id.is_not(None), Skill.sort_order, Skill.id)))
    categories = list(db.session.scalars(
        sa.select(Category).join(CategoryFollow, CategoryFollow.category_id == Category.id)
        .where(CategoryFollow.user_id == user.id).order_by(Category.sort_order, Category.id)))
    places = list(db.session.scalars(
        sa.select(Community).join(PlaceFollow, PlaceFollow.place_id == Community.id)
        .where(PlaceFollow.user_id == user.id).order_by(Community.id)))
    return Profile(
        user=user, skills=skills, offer=row.offer if row else "",
        availability=[slot.value for slot in row.availability] if row else [],
        home_place=row.home_place if row else None, follows=Follows(categories, places),
        updated_at=row.updated_at if row else None,
        follow_digest=bool(row.follow_digest) if row else False)


@dataclass
class PublicOffer:
    """What a volunteer chose to show on their points card: their skills and the words of
    their service card."""

    skills: list[str]
    offer: str


def public_offer(user_id: int) -> PublicOffer:
    offer = db.session.scalar(sa.select(VolunteerProfile.offer).where(
        VolunteerProfile.user_id == user_id))
    names = list(db.session.scalars(
        sa.select(Skill.name).join(VolunteerSkill, VolunteerSkill.skill_id == Skill.id)
        .where(VolunteerSkill.user_id == user_id)
        .order_by(Skill.community_id.is_not(None), Skill.sort_order, Skill.id)))
    return PublicOffer(names, offer or "")


KEEP = object()  # a field the update leaves as it is


def _unknown(ids, found) -> list[int]:
    return sorted(set(ids) - set(found))


def _grid_places_in(community_id: int | None, ids) -> set[int]:
    """Those of ``ids`` that are grid places (片区, 院落, 楼栋, 社) of the community."""
    if not ids or community_id is None:
        return set()
    return set(db.session.scalars(sa.select(Community.id).where(
        Community.id.in_(ids), Community.community_id == community_id)))


def update_profile(user: User, *, skills=KEEP, offer=KEEP, availability=KEEP,
                   home_place_id=KEEP, follows=KEEP, follow_digest=KEEP,
                   now: datetime | None = None) -> Profile:
    """A volunteer saves what they offer and follow. Each field given replaces what was
    there (a list replaces the whole list; ``[]`` or ``""`` clears it); a field left out
    stays. Skills must be defaults or the community's own; places (followed, or the home
    place) grid places of the community; categories ones in use. Anything else is a 400
    naming the field and the ids. ``follow_digest``: new followed wishes once a day in one
    message; switching it off sends what is waiting now, in this transaction."""
    _ensure_may_keep_profile(user)
    now = now or utcnow()
    community_id = user.community_id
    problems: dict = {}
    category_ids = place_ids = None  # the follows to keep, when given

    if skills is not KEEP:
        skills = sorted(set(skills))
        found = db.session.scalars(sa.select(Skill.id).where(
            Skill.id.in_(skills),
            sa.or_(Skill.community_id.is_(None), Skill.community_id == community_id))) \
            if skills else []
        if missing := _unknown(skills, found):
            problems["skills"] = [f"本社区没有这些特长：{_ids(missing)}"]
    if home_place_id not in (KEEP, None) and not _grid_places_in(community_id, [home_place_id]):
        problems["home_place_id"] = ["本社区没有这个网格"]
    if follows is not KEEP:
        follow_problems = {}
        if "categories" in follows:
            category_ids = sorted(set(follows["categories"]))
            found = db.session.scalars(sa.select(Category.id).where(
                Category.id.in_(category_ids), Category.is_active.is_(True))) \
                if category_ids else []
            if missing := _unknown(category_ids, found):
                follow_problems["categories"] = [f"没有这些类别：{_ids(missing)}"]
        if "places" in follows:
            place_ids = sorted(set(follows["places"]))
            if missing := _unknown(place_ids, _grid_places_in(community_id, place_ids)):
                follow_problems["places"] = [f"本社区没有这些网格：{_ids(missing)}"]
        if follow_problems:
            problems["follows"] = follow_problems
    if problems:
        raise ValidationFailedError(fields=problems)

    # The first save makes the row; two first saves at once make it once.
    db.session.execute(upsert(VolunteerProfile).values(
        user_id=user.id, offer="", availability_bits=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["user_id"]))
    row = db.session.get(VolunteerProfile, user.id)
    if offer is not KEEP:
        row.offer = offer
    if availability is not KEEP:
        row.availability_bits = AvailabilitySlot.bits_of(availability)
    if home_place_id is not KEEP:
        row.home_place_id = home_place_id
    if follow_digest is not KEEP:
        if row.follow_digest and not follow_digest:
            digest.send_waiting(user.id, now)
        row.follow_digest = bool(follow_digest)
    row.updated_at = now
    if skills is not KEEP:
        _replace(VolunteerSkill, VolunteerSkill.skill_id, user.id, skills)
    if category_ids is not None:
        _replace(CategoryFollow, CategoryFollow.category_id, user.id, category_ids)
    if place_ids is not None:
        _replace(PlaceFollow, PlaceFollow.place_id, user.id, place_ids)
    db.session.commit()
    return _profile(user)


def _ids(ids: list[int]) -> str:
    return "、".join(str(i) for i in ids[:10]) + ("等" if len(ids) > 10 else "")


def _replace(model, column, user_id: int, ids: list[int]) -> None:
    """The person's rows of ``model`` become exactly ``ids``, in two statements; a row that
    is already there (or that a save at the same moment adds) is left as it is."""
    db.session.execute(sa.delete(model).where(model.user_id == user_id, column.not_in(ids))
                       .execution_options(synchronize_session=False))
    if ids:
        db.session.execute(upsert(model).values([{"user_id": user_id, column.key: i}
                                                 for i in ids]).on_conflict_do_nothing())


# Followers hear of a new wish --------------------------------------------------------------

def _ancestors(place_id: int, community_id: int):
    """The grid place and every grid place it lies in, nearest first (``depth`` 0 is the
    place itself), as a recursive query; the community itself is not among them."""
    start = (sa.select(Community.id, Community.name, Community.parent_id,
                       sa.literal(0).label("depth"))
             .where(Community.id == place_id, Community.community_id == community_id)
             .cte("place_ancestors", recursive=True))
    parent = aliased(Community)
    return start.union_all(
        sa.select(parent.id, parent.name, parent.parent_id, start.c.depth + 1)
        .join(start, parent.id == start.c.parent_id)
        .where(parent.community_id == community_id))


def _reachable_volunteers(community_id: int):
    """Volunteers of the community who may act on a wish now: 报到 approved, active."""
    return (User.community_id == community_id, User.role == Role.VOLUNTEER,
            User.report_status == ReportStatus.APPROVED, User.is_active.is_(True))


def notify_followers(wish: Wish, actor: User | None, *, now: datetime) -> int:
    """A wish has just been published: every approved volunteer of its community who follows
    its category, or its grid place or a place that place lies in, gets one message (whatever
    they follow it by), the person who published it and the people it serves excepted. A
    follower who takes the daily digest (``VolunteerProfile.follow_digest``) gets a
    ``DigestItem`` instead, sent with the others that day (``matching.digest``). One query
    finds them, with what each follows it by; the caller commits, so a publish that fails
    tells no one. Returns how many were reached, at once or in their digest."""
    by_category = sa.exists().where(CategoryFollow.user_id == User.id,
                                    CategoryFollow.category_id == wish.category_id)
    columns = [User.id, by_category.label("by_category"),
               VolunteerProfile.follow_digest.label("digest")]
    reached = [by_category]
    if wish.grid_id is not None:
        places = _ancestors(wish.grid_id, wish.community_id)
        nearest_followed = (
            sa.select(places.c.name)
            .join(PlaceFollow, PlaceFollow.place_id == places.c.id)
            .where(PlaceFollow.user_id == User.id)
            .order_by(places.c.depth).limit(1).scalar_subquery())
        columns.append(nearest_followed.label("place"))
        reached.append(sa.exists().where(PlaceFollow.user_id == User.id,
                                         PlaceFollow.place_id.in_(sa.select(places.c.id))))
    served = sa.select(Beneficiary.user_id).where(Beneficiary.wish_id == wish.id,
                                                   Beneficiary.user_id.is_not(None))
    query = (sa.select(*columns).select_from(User)
             .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
             .where(*_reachable_volunteers(wish.community_id), sa.or_(*reached),
                    User.id.not_in(served)))
    if actor is not None:
        query = query.where(User.id != actor.id)
    texts: dict[str, list[int]] = defaultdict(list)
    waiting: list[int] = []
    for row in db.session.execute(query):
        if row.digest:
            waiting.append(row.id)
            continue
        followed = wish.category.name if row.by_category else row.place
        texts[f"您关注的“{followed}”有新心愿：{wish.title}"].append(row.id)
    for text, user_ids in texts.items():
        notify(user_ids, "wish_followed", text, wish_id=wish.id, now=now)
    if waiting:
        db.session.execute(upsert(DigestItem).values(
            [{"user_id": user_id, "wish_id": wish.id, "created_at": now}
             for user_id in waiting]).on_conflict_do_nothing())
    return sum(len(ids) for ids in texts.values()) + len(waiting)


# Suggestions for the secretary -------------------------------------------------------------

@dataclass
class Suggestion:
    """A volunteer the secretary might ask, with the score and why."""

    user_id: int
    name: str
    volunteer_type: str | None
    volunteer_type_label: str | None
    organization: str | None
    score: int
    reasons: list[str]
    open_claims: int = 0
    recent_completions: int = 0
    created_at: datetime | None = None


def suggest_volunteers(actor: User, wish_id: int, *, limit: int = 10,
                       now: datetime | None = None) -> list[Suggestion]:
    """可以请谁来帮忙: the volunteers of an open wish's community, best first (the rule in
    this module's docstring). The community's secretary or an admin only."""
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    refusal = suggestions_refusal(actor, wish)
    if refusal is not None:
        raise refusal
    return rank_volunteers(wish, limit=limit, now=now)


def skill_fits(skill_name: str, words: str, category_name: str = "") -> bool:
    """Whether a skill fits a wish whose words (title, description, category) are
    ``words``."""
    if skill_name in words or (category_name and category_name in skill_name):
        return True
    return any(hint in words for hint in SKILL_HINTS.get(skill_name, ()))


def _steps_up(place_id: int | None, places: dict[int, Community]) -> list[int]:
    """The place and the grid places it lies in, nearest first."""
    chain, seen = [], set()
    while place_id in places and place_id not in seen:
        seen.add(place_id)
        chain.append(place_id)
        place_id = places[place_id].parent_id
    return chain


def _nearness(home_id: int | None, wish_chain: list[int], places: dict[int, Community]
              ) -> tuple[int, str | None]:
    """Points and the reason for living near the wish's place."""
    home_chain = _steps_up(home_id, places)
    for home_steps, place_id in enumerate(home_chain):
        if place_id in wish_chain:
            distance = home_steps + wish_chain.index(place_id)
            points = max(0, NEAR_POINTS - NEAR_STEP * distance)
            return points, f"住在同一{places[place_id].level.label}"
    return 0, None


def rank_volunteers(wish: Wish, *, limit: int = 10, now: datetime | None = None
                    ) -> list[Suggestion]:
    """The ranking itself, for a wish already checked: a fixed number of queries whatever
    the size of the community."""
    now = now or utcnow()
    community = db.session.get(Community, wish.community_id)
    category = wish.category
    words = " ".join(filter(None, (wish.title, wish.description, category.name,
                                   category.description)))
    fitting = {s.id: s.name for s in db.session.scalars(_skills_of(community.id))
               if skill_fits(s.name, words, category.name)}

    reachable = _reachable_volunteers(community.id)
    query = (sa.select(User, VolunteerProfile.home_place_id, Organization.name)
             .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
             .outerjoin(Organization, Organization.id == User.organization_id)
             .where(*reachable))
    if community.max_open_claims is not None:
        query = query.where(User.open_claim_count < community.max_open_claims)
    served = [b.user_id for b in wish.beneficiaries if b.user_id is not None]
    if served:  # a volunteer's own need: they cannot claim it (access.claim_refusal)
        query = query.where(User.id.not_in(served))
    candidates = db.session.execute(query).all()
    if not candidates:
        return []

    skills_of: dict[int, list[str]] = defaultdict(list)
    if fitting:
        for user_id, skill_id in db.session.execute(
                sa.select(VolunteerSkill.user_id, VolunteerSkill.skill_id)
                .join(User, User.id == VolunteerSkill.user_id)
                .where(*reachable, VolunteerSkill.skill_id.in_(fitting))
                .order_by(VolunteerSkill.skill_id)):
            skills_of[user_id].append(fitting[skill_id])
    follow_category = set(db.session.scalars(
        sa.select(CategoryFollow.user_id).join(User, User.id == CategoryFollow.user_id)
        .where(*reachable, CategoryFollow.category_id == wish.category_id)))

    places = {p.id: p for p in community_grid(community)} if wish.grid_id else {}
    wish_chain = _steps_up(wish.grid_id, places)
    followed_steps: dict[int, int] = {}  # how far up the nearest place each one follows is
    if wish_chain:
        for user_id, place_id in db.session.execute(
                sa.select(PlaceFollow.user_id, PlaceFollow.place_id)
                .join(User, User.id == PlaceFollow.user_id)
                .where(*reachable, PlaceFollow.place_id.in_(wish_chain))):
            steps = wish_chain.index(place_id)
            followed_steps[user_id] = min(steps, followed_steps.get(user_id, steps))
    recent = dict(db.session.execute(
        sa.select(Claim.volunteer_id, sa.func.count())
        .join(User, User.id == Claim.volunteer_id)
        .where(*reachable, Claim.status == ClaimStatus.COMPLETED,
               Claim.ended_at >= now - timedelta(days=RECENT_DAYS))
        .group_by(Claim.volunteer_id)).all())

    suggestions = []
    for user, home_id, organization in candidates:
        score, reasons = 0, []
        names = skills_of.get(user.id, [])
        score += SKILL_POINTS * min(len(names), MAX_SKILLS_COUNTED)
        reasons += [f"会“{name}”" for name in names]
        if user.id in follow_category:
            score += FOLLOW_CATEGORY_POINTS
            reasons.append(f"关注“{category.name}”")
        if user.id in followed_steps:
            score += FOLLOW_PLACE_POINTS
            reasons.append(f"关注“{places[wish_chain[followed_steps[user.id]]].name}”")
        near, why = _nearness(home_id, wish_chain, places)
        score += near
        if why:
            reasons.append(why)
        held = user.open_claim_count or 0
        score -= LOAD_PENALTY * held
        reasons.append(f"正在进行的认领{held}个")
        done = recent.get(user.id, 0)
        score += min(RECENT_POINTS * done, RECENT_MAX)
        reasons.append(f"近{RECENT_DAYS}天完成{done}次")
        suggestions.append(Suggestion(
            user_id=user.id, name=user.name,
            volunteer_type=user.volunteer_type.value if user.volunteer_type else None,
            volunteer_type_label=user.volunteer_type.label if user.volunteer_type else None,
            organization=organization, score=score, reasons=reasons, open_claims=held,
            recent_completions=done, created_at=user.created_at))
    suggestions.sort(key=lambda s: (-s.score, s.open_claims, -s.recent_completions,
                                    s.created_at, s.user_id))
    return suggestions[:limit]
