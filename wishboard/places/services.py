"""The place tree and the categories of need. (Reporting organisations, which report to a
community of the tree, are ``wishboard.organizations``.)"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import ensure_admin, ensure_can_manage_community
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.db import contains, flush_or_conflict, page_of
from wishboard.errors import ConflictError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.places.models import Category, Community, PlaceLevel

# The seven categories of need of 1+7+N (DOMAIN.md). The first migration inserts the same rows.
DEFAULT_CATEGORIES = [
    ("美好家园", "社区环境、设施小修小补", 10),
    ("邻里守望", "独居老人、困难家庭的日常照看", 20),
    ("绿色环保", "垃圾分类、绿化、节能", 30),
    ("与爱同行", "助残、助老、送温暖", 40),
    ("七彩阳光", "儿童和青少年的学习与成长", 50),
    ("居民保健", "健康讲座、康复护理、义诊", 60),
    ("红袖套行动", "治安巡逻、文明劝导", 70),
]

COMMUNITY_RANK = PlaceLevel.COMMUNITY.rank


def _create(obj, conflict: ConflictError, action: str, object_type: str, actor: User | None,
            community_id: int | None, after: dict):
    """Add a new row, record its creation in the audit log, commit both (or raise
    ``conflict`` if the database already has it)."""
    db.session.add(obj)
    flush_or_conflict(conflict)
    audit.record(action, actor=actor, object_type=object_type, object_id=obj.id,
                 community_id=community_id, after=after)
    flush_or_conflict(conflict, commit=True)
    return obj


def get_community(community_id: int) -> Community:
    """A place with its parent (pages name both), in one query."""
    community = db.session.scalar(sa.select(Community).where(Community.id == community_id)
                                  .options(joinedload(Community.parent)))
    if community is None:
        raise NotFoundError("没有这个社区", message_en="No such community")
    return community


def create_community(
    actor: User | None,
    *,
    name: str,
    level: str,
    parent_id: int | None = None,
    auto_approve_reports: bool = False,
) -> Community:
    """Add a place to the tree. Admins add anything; a secretary adds grid places (片区, 院落,
    楼栋) inside their own community. ``actor`` is None only for the CLI."""
    level_ = PlaceLevel(level)
    parent = None
    if parent_id is not None:
        parent = db.session.get(Community, parent_id)
        if parent is None:
            raise ValidationFailedError(fields={"parent_id": ["没有这个上级"]})
        if level_.rank <= parent.level.rank:
            raise ValidationFailedError(fields={"level": [
                f"{level_.label}不能放在{parent.level.label}下面"]})
        if level_.rank > COMMUNITY_RANK and parent.level.rank < COMMUNITY_RANK:
            raise ValidationFailedError(fields={"parent_id": [
                f"{level_.label}应放在社区或村下面"]})
    elif level_.rank > COMMUNITY_RANK:
        raise ValidationFailedError(fields={"parent_id": [f"{level_.label}需要所属社区"]})

    if actor is not None:
        if level_.rank > COMMUNITY_RANK:
            ensure_can_manage_community(actor, parent.owning_community_id)
        else:
            ensure_admin(actor)

    place = Community(
        name=name,
        level=level_,
        parent_id=parent.id if parent else None,
        community_id=parent.owning_community_id if level_.rank > COMMUNITY_RANK else None,
        auto_approve_reports=bool(auto_approve_reports) and level_.is_community,
    )
    if db.session.scalar(sa.select(Community.id).where(
            Community.parent_id.is_(None) if parent is None else Community.parent_id == parent.id,
            Community.name == name)) is not None:
        raise _place_exists()
    return _create(place, _place_exists(), "place_created", "place", actor,
                   place.community_id,
                   {"name": name, "level": level_.value, "parent_id": place.parent_id})


def _place_exists() -> ConflictError:
    return ConflictError("同一级下已有这个名字", message_en="A place with this name exists here",
                         code="place_exists", fields={"name": ["已存在"]})


def list_communities(
    *,
    level: str | None = None,
    parent_id: int | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[Community], int]:
    """Places for choosing where one lives: by default everything from district to community
    (the grid inside a community comes with the community itself)."""
    query = sa.select(Community)
    if level:
        query = query.where(Community.level == PlaceLevel(level))
    else:
        query = query.where(Community.community_id.is_(None))
    if parent_id is not None:
        query = query.where(Community.parent_id == parent_id)
    if q:
        query = query.where(contains(Community.name, q))
    return page_of(query, page, per_page, Community.id)


SETTINGS = ("claim_window_days", "max_open_claims", "auto_approve_reports",
            "open_wish_max_age_days", "rating_window_days", "expiry_reminder_days",
            "due_reminder_days", "rating_reminder_days", "max_hours_per_day",
            "unconfirmed_hours_policy", "rating_trust_days", "log_backdate_days",
            "release_flag_count", "org_ranking",
            "invitation_hours")


def update_community_settings(actor: User, community_id: int, **changes) -> Community:
    """A community's own rules: how long a claim runs by default, how many open claims one
    volunteer may hold (None: no limit), whether 报到 is approved automatically."""
    community = get_community(community_id)
    if not community.is_community:
        raise ValidationFailedError(fields={"community_id": ["只有社区或村有这些设置"]})
    ensure_can_manage_community(actor, community.id)
    for key in changes:
        if key not in SETTINGS:
            raise ValidationFailedError(fields={key: ["不认识这个设置"]})
    before, after = audit.changes(community, SETTINGS, **changes)
    if after:
        audit.record("community_settings_changed", actor=actor, object_type="place",
                     object_id=community.id, community_id=community.id, before=before,
                     after=after)
    for key, value in changes.items():
        setattr(community, key, value)
    db.session.commit()
    return community


def community_with_grid(community_id: int) -> tuple[Community, list[Community]]:
    """A place with its parent, and its grid (``community_grid``); for a community, in one
    query."""
    rows = list(db.session.scalars(
        sa.select(Community).options(joinedload(Community.parent))
        .where(sa.or_(Community.id == community_id, Community.community_id == community_id))
        .order_by(Community.id)))
    place = next((row for row in rows if row.id == community_id), None)
    if place is None:
        raise NotFoundError("没有这个社区", message_en="No such community")
    if not place.is_community:
        return place, community_grid(place)
    return place, [row for row in rows if row.id != community_id]


def grid_options(grid: list[Community]) -> list[tuple[int, str]]:
    """Pickers' choices for a community's ``grid``: each place with its path inside the
    community (二片区 › 3号院落 › 1栋), in path order, so five places called 1栋 are five
    different choices."""
    by_id = {place.id: place for place in grid}

    def path(place: Community) -> str:
        names, seen = [], set()
        while place is not None and place.id not in seen:
            seen.add(place.id)
            names.append(place.name)
            place = by_id.get(place.parent_id)
        return " › ".join(reversed(names))

    return sorted(((place.id, path(place)) for place in grid), key=lambda choice: choice[1])


def community_grid(community: Community) -> list[Community]:
    """A community's grid places in one query; for places above community level, their
    direct children."""
    if community.is_community:
        where = Community.community_id == community.id
    elif community.community_id is not None:
        where = sa.and_(Community.community_id == community.community_id,
                        Community.id != community.id)
    else:
        where = Community.parent_id == community.id
    return list(db.session.scalars(sa.select(Community).where(where).order_by(Community.id)))


COMMUNITY_LEVELS = [level for level in PlaceLevel if level.is_community]


def communities_under(place: Community) -> list[Community]:
    """The communities and villages (社区/村) at or under ``place``, whatever the depth (a
    district's streets' communities, a county's towns' villages), in id order: one
    recursive query down the tree above the grid."""
    if place.is_community:
        return [place]
    tree = (sa.select(Community.id).where(Community.id == place.id)
            .cte("tree", recursive=True))
    tree = tree.union_all(sa.select(Community.id).join(tree, Community.parent_id == tree.c.id)
                          .where(Community.community_id.is_(None)))
    return list(db.session.scalars(
        sa.select(Community).where(Community.id.in_(sa.select(tree.c.id)),
                                   Community.level.in_(COMMUNITY_LEVELS))
        .order_by(Community.id)))


def list_categories(*, include_inactive: bool = False) -> list[Category]:
    query = sa.select(Category).order_by(Category.sort_order, Category.id)
    if not include_inactive:
        query = query.where(Category.is_active.is_(True))
    return list(db.session.scalars(query))


def create_category(
    actor: User | None, *, name: str, description: str = "", sort_order: int = 100
) -> Category:
    if actor is not None:
        ensure_admin(actor)
    conflict = ConflictError("已有这个类别", message_en="Category exists",
                             code="category_exists", fields={"name": ["已存在"]})
    if db.session.scalar(sa.select(Category.id).where(Category.name == name)) is not None:
        raise conflict
    category = Category(name=name, description=description, sort_order=sort_order)
    return _create(category, conflict, "category_created", "category", actor, None,
                   {"name": name, "description": description, "sort_order": sort_order})


def ensure_default_categories() -> int:
    """Insert any of the seven default categories that are missing; returns how many."""
    added = add_missing_default_categories()
    db.session.commit()
    return added


def add_missing_default_categories() -> int:
    """The work of ensure_default_categories, for a caller that commits it with more."""
    existing = set(db.session.scalars(sa.select(Category.name)))
    added = 0
    for name, description, order in DEFAULT_CATEGORIES:
        if name not in existing:
            db.session.add(Category(name=name, description=description, sort_order=order))
            added += 1
    db.session.flush()
    return added


def active_category(category_id: int | None, *, required: bool) -> Category | None:
    """The category a form chose, if it exists and is in use; 400 on ``category_id``."""
    if category_id is None:
        if required:
            raise ValidationFailedError(fields={"category_id": ["必填"]})
        return None
    category = db.session.get(Category, category_id)
    if category is None or not category.is_active:
        raise ValidationFailedError(fields={"category_id": ["没有这个类别"]})
    return category


def grid_in(community_id: int, grid_id: int | None) -> Community | None:
    """The grid place a form chose, if it lies inside the community; 400 on ``grid_id``."""
    if grid_id is None:
        return None
    place = db.session.get(Community, grid_id)
    if place is None or place.owning_community_id != community_id:
        raise ValidationFailedError(fields={"grid_id": ["本社区没有这个网格"]})
    return place
