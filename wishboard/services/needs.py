"""Needs (需求征集) and publishing: a resident asks, the secretary publishes a wish, merges the
need into one already published, or declines it with a reason."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.models import (
    Beneficiary, Category, Community, Need, NeedStatus, Role, User, Wish, WishKind, WishState,
    utcnow,
)
from wishboard.privacy import mask_name
from wishboard.services import audit
from wishboard.services.access import can_manage_community, ensure_can_manage_community
from wishboard.services.notifications import notify, secretary_ids
from wishboard.services.wishes import record_event

MERGEABLE_STATES = (WishState.OPEN, WishState.CLAIMED)


def _category(category_id: int | None, *, required: bool) -> Category | None:
    if category_id is None:
        if required:
            raise ValidationFailedError(fields={"category_id": ["必填"]})
        return None
    category = db.session.get(Category, category_id)
    if category is None or not category.is_active:
        raise ValidationFailedError(fields={"category_id": ["没有这个类别"]})
    return category


def _grid_in(community_id: int, grid_id: int | None) -> Community | None:
    if grid_id is None:
        return None
    place = db.session.get(Community, grid_id)
    if place is None or place.owning_community_id != community_id:
        raise ValidationFailedError(fields={"grid_id": ["本社区没有这个网格"]})
    return place


def _future(expires_at: datetime | None, now: datetime) -> datetime | None:
    if expires_at is not None and expires_at <= now:
        raise ValidationFailedError(fields={"expires_at": ["截止时间应在现在之后"]})
    return expires_at


def get_need(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None:
        raise NotFoundError("没有这条需求", message_en="No such need")
    return need


def need_for(actor: User, need_id: int) -> Need:
    """A need, for the resident behind it or the community's staff; 404 for anyone else."""
    need = get_need(need_id)
    if actor.id in (need.resident_id, need.submitted_by_id):
        return need
    if can_manage_community(actor, need.community_id):
        audit.record("needs_viewed", actor=actor, object_type="need", object_id=need.id,
                     community_id=need.community_id, after={"need_ids": [need.id]})
        db.session.commit()
        return need
    raise NotFoundError("没有这条需求", message_en="No such need")


def submit_need(actor: User, *, title: str, description: str, category_id: int | None = None,
                grid_id: int | None = None, address: str = "", contact_phone: str = "",
                contact_name: str | None = None, now: datetime | None = None) -> Need:
    """A resident posts a need; or a secretary records one for a resident without a phone
    (代录), giving that resident's name, phone and address."""
    now = now or utcnow()
    if actor.role is Role.RESIDENT:
        on_behalf, resident_id = False, actor.id
        contact_name = actor.name
        contact_phone = contact_phone or actor.phone
    elif actor.role is Role.SECRETARY:
        on_behalf, resident_id = True, None
        if not contact_name:
            raise ValidationFailedError(fields={"contact_name": ["代录时请填写居民姓名"]})
    else:
        raise ForbiddenError("需求由居民提出,或由社区书记代录",
                             message_en="Needs come from residents or their secretary",
                             code="residents_only")
    community_id = actor.community_id
    _category(category_id, required=False)
    _grid_in(community_id, grid_id)
    need = Need(community_id=community_id, title=title, description=description,
                category_id=category_id, grid_id=grid_id, resident_id=resident_id,
                contact_name=contact_name, contact_phone=contact_phone or "",
                address=address or "", submitted_by_id=actor.id, on_behalf=on_behalf,
                created_at=now)
    db.session.add(need)
    db.session.flush()
    if not on_behalf:
        notify(secretary_ids(community_id), "need_submitted",
               f"新需求:{title}(来自{mask_name(contact_name)})", need_id=need.id, now=now)
    db.session.commit()
    return need


def list_needs(actor: User, *, status: str | None = None, community_id: int | None = None,
               page: int = 1, per_page: int = 20, shown: bool = False
               ) -> tuple[list[Need], int]:
    """A resident's own needs; or a community's needs for its secretary (new ones first).
    ``shown``: the list goes to the secretary's screen with the residents' phones and
    addresses, and the sight is recorded in the audit log."""
    query = sa.select(Need)
    if actor.role in (Role.SECRETARY, Role.ADMIN):
        community_id = community_id or actor.community_id
        if community_id is None:
            raise ValidationFailedError(fields={"community_id": ["请指定社区"]})
        ensure_can_manage_community(actor, community_id)
        query = query.where(Need.community_id == community_id)
    else:
        query = query.where(sa.or_(Need.resident_id == actor.id,
                                   Need.submitted_by_id == actor.id))
    if status:
        query = query.where(Need.status == NeedStatus(status))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.options(joinedload(Need.category), joinedload(Need.grid))
        .order_by(Need.created_at.desc(), Need.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    if shown and actor.role in (Role.SECRETARY, Role.ADMIN) and items:
        audit.record("needs_viewed", actor=actor, object_type="need", object_id=None,
                     community_id=community_id, after={"need_ids": [n.id for n in items]})
        db.session.commit()
    return list(items), total


def _need_for_decision(actor: User, need_id: int) -> Need:
    need = get_need(need_id)
    ensure_can_manage_community(actor, need.community_id)
    if need.status is not NeedStatus.NEW:
        raise ConflictError(f"这条需求已处理({need.status.label})",
                            message_en="This need has already been handled",
                            code="need_already_handled")
    return need


def reject_need(actor: User, need_id: int, reason: str, *, now: datetime | None = None) -> Need:
    now = now or utcnow()
    need = _need_for_decision(actor, need_id)
    need.status, need.reject_reason = NeedStatus.REJECTED, reason
    need.decided_by_id, need.decided_at = actor.id, now
    notify([need.resident_id], "need_rejected",
           f"您的需求「{need.title}」暂未采纳:{reason}", need_id=need.id, now=now)
    db.session.commit()
    return need


def _attach_need(wish: Wish, need: Need, actor: User, status: NeedStatus, now: datetime) -> None:
    need.status, need.wish_id = status, wish.id
    need.decided_by_id, need.decided_at = actor.id, now
    db.session.add(Beneficiary(wish_id=wish.id, need_id=need.id, user_id=need.resident_id,
                               name=need.contact_name, phone=need.contact_phone,
                               address=need.address))
    # The need's own words stay with the staff and the requester; the public reads the
    # wish as the secretary wrote it.
    record_event(wish, need.resident or need.submitted_by, "need_submitted",
                 note=need.title, on_behalf=need.on_behalf, is_public=False,
                 now=need.created_at)
    if status is NeedStatus.MERGED:
        record_event(wish, actor, "need_merged", note=f"合并了一条需求:{need.title}",
                     is_public=False, now=now)
    text = (f"您的需求「{need.title}」已发布为心愿「{wish.title}」,等待志愿者认领。"
            if status is NeedStatus.PUBLISHED else
            f"您的需求「{need.title}」已并入心愿「{wish.title}」。")
    notify([need.resident_id], "wish_published", text, wish_id=wish.id, need_id=need.id,
           now=now)


def create_wish(actor: User, *, title: str, description: str, category_id: int,
                kind: str = WishKind.MICRO_WISH.value, grid_id: int | None = None,
                expires_at: datetime | None = None, public_alias: str | None = None,
                beneficiary_name: str | None = None, beneficiary_phone: str = "",
                beneficiary_address: str = "", need_ids: list[int] | None = None,
                community_id: int | None = None, now: datetime | None = None) -> Wish:
    """The secretary publishes a wish (open for claiming) directly, optionally answering
    needs already collected (their residents become its beneficiaries)."""
    now = now or utcnow()
    community_id = community_id or actor.community_id
    if community_id is None:
        raise ValidationFailedError(fields={"community_id": ["请指定社区"]})
    ensure_can_manage_community(actor, community_id)
    _category(category_id, required=True)
    _grid_in(community_id, grid_id)
    _future(expires_at, now)
    needs = [_need_for_decision(actor, n) for n in dict.fromkeys(need_ids or [])]
    if any(n.community_id != community_id for n in needs):
        raise ValidationFailedError(fields={"need_ids": ["只能合并本社区的需求"]})
    if not beneficiary_name and not needs:
        raise ValidationFailedError(fields={"beneficiary_name": ["请填写服务对象,或选择需求"]})
    first_name = beneficiary_name or needs[0].contact_name
    wish = Wish(community_id=community_id, kind=WishKind(kind), title=title,
                description=description, category_id=category_id, grid_id=grid_id,
                public_alias=public_alias or mask_name(first_name), state=WishState.OPEN,
                created_by_id=actor.id, created_at=now, published_at=now,
                expires_at=expires_at)
    db.session.add(wish)
    db.session.flush()
    if beneficiary_name:
        db.session.add(Beneficiary(wish_id=wish.id, name=beneficiary_name,
                                   phone=beneficiary_phone or "",
                                   address=beneficiary_address or ""))
    for need in needs:
        _attach_need(wish, need, actor, NeedStatus.PUBLISHED, now)
    record_event(wish, actor, "published", to_state=WishState.OPEN, now=now)
    db.session.commit()
    return wish


def publish_need(actor: User, need_id: int, *, wish_id: int | None = None,
                 title: str | None = None, description: str | None = None,
                 category_id: int | None = None, kind: str = WishKind.MICRO_WISH.value,
                 grid_id: int | None = None, expires_at: datetime | None = None,
                 public_alias: str | None = None, now: datetime | None = None) -> Wish:
    """Turn a need into a wish in the secretary's own public words (the need's words stay
    with the staff and the requester), or with ``wish_id`` merge it into an open or claimed
    wish."""
    now = now or utcnow()
    need = _need_for_decision(actor, need_id)
    if wish_id is None:
        missing = {name: ["请写公开的标题和说明(居民的原话不公开)"]
                   for name, value in (("title", title), ("description", description))
                   if not value}
        if missing:
            raise ValidationFailedError(fields=missing)
        return create_wish(
            actor, title=title, description=description,
            category_id=category_id or need.category_id, kind=kind,
            grid_id=grid_id or need.grid_id, expires_at=expires_at, public_alias=public_alias,
            need_ids=[need.id], community_id=need.community_id, now=now)
    wish = db.session.get(Wish, wish_id)
    if wish is None or wish.community_id != need.community_id:
        raise ValidationFailedError(fields={"wish_id": ["本社区没有这个心愿"]})
    if wish.state not in MERGEABLE_STATES:
        raise ConflictError("只能并入待认领或已认领的心愿",
                            message_en="Needs merge only into open or claimed wishes",
                            code="wish_not_mergeable")
    _attach_need(wish, need, actor, NeedStatus.MERGED, now)
    db.session.commit()
    return wish
