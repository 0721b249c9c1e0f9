"""Needs (需求征集): someone who lives in the community asks (a resident, or a volunteer
living there), or the secretary records it for a resident (代录); the secretary
reads the queue and declines with a reason; publishing a need is a wish use case
(``wishboard.wishes.services.publish_need``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import (
    can_manage_community, ensure_can_manage_community, known_neighbours, need_refusal,
    staff_scope,
)
from wishboard.accounts.models import STAFF, Role, User
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.core.db import commit_keeping_what_was_read, page_of
from wishboard.errors import ConflictError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.grid.services import contact_ids_for
from wishboard.needs.models import Need, NeedStatus
from wishboard.notifications.services import notify, secretary_ids
from wishboard.places.services import active_category, grid_in
from wishboard.privacy import mask_name


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
                contact_name: str | None = None, user_id: int | None = None,
                now: datetime | None = None) -> Need:
    """Someone who lives in the community posts a need for themselves (a resident, or a
    volunteer living there: ``access.need_refusal``); or a secretary records one for a
    resident without a phone (代录), giving that resident's name, phone and address, and
    (``user_id``) the account it is for when she knows it. ``need.link`` says how the
    need was linked to an account (``_proxy_link``)."""
    now = now or utcnow()
    if (refusal := need_refusal(actor)) is not None:
        raise refusal
    link = None
    if actor.role is Role.SECRETARY:
        on_behalf = True
        if not contact_name:
            raise ValidationFailedError(fields={"contact_name": ["代录时请填写居民姓名"]})
        resident_id, link = _proxy_link(actor.community_id, contact_phone, user_id)
    else:
        if user_id is not None:
            raise ValidationFailedError(fields={"user_id": ["只有社区书记代录时可以指定账号"]})
        on_behalf, resident_id = False, actor.id
        contact_name = actor.name
        contact_phone = contact_phone or actor.phone
    community_id = actor.community_id
    active_category(category_id, required=False)
    grid_in(community_id, grid_id)
    need = Need(community_id=community_id, title=title, description=description,
                category_id=category_id, grid_id=grid_id, resident_id=resident_id,
                contact_name=contact_name, contact_phone=contact_phone or "",
                address=address or "", submitted_by_id=actor.id, on_behalf=on_behalf,
                created_at=now)
    db.session.add(need)
    db.session.flush()
    if not on_behalf:
        # The secretaries, and the 楼栋长, 院落长 and 网格员 of the need's place and of the
        # places it lies in (wishboard.grid): one message each, in this transaction.
        told = secretary_ids(community_id)
        if grid_id is not None:
            told += [i for i in contact_ids_for(grid_id, community_id) if i != actor.id]
        notify(told, "need_submitted",
               f"新需求：{title}（来自{mask_name(contact_name)}）", need_id=need.id, now=now)
    db.session.commit()
    need.link = link  # for the answer only (NeedSchema.link): not stored
    return need


# How a need recorded by the secretary (代录) found its account, or why it found none.
LINK_CHOSEN, LINK_PHONE, LINK_SEVERAL, LINK_NONE = (
    "chosen", "phone", "several_accounts", "no_account")


def _proxy_link(community_id: int | None, phone: str, user_id: int | None
                ) -> tuple[int | None, str]:
    """The account a need recorded by the secretary (代录) is for, and how it was found.
    The account sees the need (its address too) and its wish in 我的心愿, and rates and
    confirms the service as the person served, so it is only ever a neighbour the
    community knows (``access.known_neighbours``: a resident the secretary verified, or a
    volunteer whose 报到 a person approved): anyone can sign up with an old person's number,
    and in a community that approves 报到 automatically a volunteer is approved at once.

    ``user_id``: the secretary's choice, one of those neighbours (else 400 on ``user_id``).
    Otherwise by phone: the one such neighbour with the number; of several (a grandmother
    and the grandchild who set up her phone), the verified resident if exactly one is;
    else none, and the answer says so (``several_accounts``), for the secretary to choose."""
    if user_id is not None:
        chosen = db.session.scalar(sa.select(User.id).where(
            User.id == user_id, User.community_id == community_id, User.is_active.is_(True),
            known_neighbours()))
        if chosen is None:
            raise ValidationFailedError(
                "只能关联本社区已核实的居民，或经社区审核通过报到的志愿者",
                message_en="Link a resident the secretary verified, or a volunteer whose "
                           "报到 a person approved, of this community",
                code="not_a_known_neighbour",
                fields={"user_id": ["只能关联本社区已核实的居民或经审核报到的志愿者"]})
        return chosen, LINK_CHOSEN
    if not phone or community_id is None:
        return None, LINK_NONE
    found = db.session.execute(sa.select(User.id, User.role).where(
        User.phone == phone, User.community_id == community_id, User.is_active.is_(True),
        known_neighbours()).order_by(User.id)).all()
    if len(found) == 1:
        return found[0].id, LINK_PHONE
    residents = [row.id for row in found if row.role is Role.RESIDENT]
    if len(residents) == 1:
        return residents[0], LINK_PHONE
    return None, LINK_SEVERAL if found else LINK_NONE


def list_needs(actor: User, *, status: str | None = None, community_id: int | None = None,
               page: int = 1, per_page: int = 20, shown: bool = False
               ) -> tuple[list[Need], int]:
    """A resident's own needs; or a community's needs for its secretary (new ones first).
    The staff's community is the rule book's ``access.staff_scope``: the one asked for, else
    a secretary's own (an admin names one).
    ``shown``: the list goes to the secretary's screen with the residents' phones and
    addresses, and the sight is recorded in the audit log."""
    query = sa.select(Need)
    if actor.role in STAFF:
        community_id = staff_scope(actor, community_id or None)
        if community_id is None:
            raise ValidationFailedError(fields={"community_id": ["请指定社区"]})
        ensure_can_manage_community(actor, community_id)
        query = query.where(Need.community_id == community_id)
    else:
        query = query.where(sa.or_(Need.resident_id == actor.id,
                                   Need.submitted_by_id == actor.id))
    if status:
        query = query.where(Need.status == NeedStatus(status))
    items, total = page_of(query, page, per_page, Need.created_at.desc(), Need.id.desc(),
                           options=(joinedload(Need.category), joinedload(Need.grid),
                                    joinedload(Need.resident)))
    if shown and actor.role in STAFF and items:
        audit.record("needs_viewed", actor=actor, object_type="need", object_id=None,
                     community_id=community_id, after={"need_ids": [n.id for n in items]})
        commit_keeping_what_was_read()
    return items, total


def need_for_decision(actor: User, need_id: int) -> Need:
    need = get_need(need_id)
    ensure_can_manage_community(actor, need.community_id)
    if need.status is not NeedStatus.NEW:
        raise ConflictError(f"这条需求已处理（{need.status.label}）",
                            message_en="This need has already been handled",
                            code="need_already_handled")
    return need


def reject_need(actor: User, need_id: int, reason: str, *, now: datetime | None = None) -> Need:
    now = now or utcnow()
    need = need_for_decision(actor, need_id)
    need.status, need.reject_reason = NeedStatus.REJECTED, reason
    need.decided_by_id, need.decided_at = actor.id, now
    notify([need.resident_id], "need_rejected",
           f"您的需求「{need.title}」暂未采纳：{reason}", need_id=need.id, now=now)
    db.session.commit()
    return need
