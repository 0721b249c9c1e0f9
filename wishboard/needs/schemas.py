"""Needs, in and out."""

from __future__ import annotations

from marshmallow import fields

from wishboard.accounts.schemas import PHONE_OR_BLANK
from wishboard.core.schemas import (
    BaseSchema, Deadline, EnumLabel, EnumValue, Int, PageQuerySchema, Str, length, one_of, ref,
)
from wishboard.needs.models import NeedStatus
from wishboard.wishes.models import WishKind
from wishboard.wishes.schemas import KINDS


class NeedCreateSchema(BaseSchema):
    title = Str(required=True, validate=length(1, 60))
    description = Str(required=True, validate=length(1, 2000))
    category_id = Int(load_default=None, allow_none=True)
    grid_id = Int(load_default=None, allow_none=True)
    address = Str(load_default="", validate=length(max=200))
    contact_phone = Str(load_default="", validate=PHONE_OR_BLANK)
    contact_name = Str(load_default=None, allow_none=True, validate=length(1, 50))
    # 代录 only: the account the need is for, when the secretary knows it.
    user_id = Int(load_default=None, allow_none=True)


class NeedPublishSchema(BaseSchema):
    wish_id = Int(load_default=None, allow_none=True)
    title = Str(load_default=None, allow_none=True, validate=length(1, 60))
    description = Str(load_default=None, allow_none=True, validate=length(1, 2000))
    category_id = Int(load_default=None, allow_none=True)
    kind = Str(load_default=WishKind.MICRO_WISH.value, validate=one_of(KINDS))
    grid_id = Int(load_default=None, allow_none=True)
    expires_at = Deadline(load_default=None, allow_none=True)
    public_alias = Str(load_default=None, allow_none=True, validate=length(1, 30))


class NeedQuerySchema(PageQuerySchema):
    status = Str(load_default=None, validate=one_of([s.value for s in NeedStatus]))
    community_id = Int(load_default=None)


class NeedSchema(BaseSchema):
    """A need as its resident and the community's secretary see it (never public)."""

    id = fields.Integer()
    community_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    category = fields.Function(lambda n: ref(n.category))
    grid = fields.Function(lambda n: ref(n.grid))
    contact_name = fields.String()
    contact_phone = fields.String()
    address = fields.String()
    on_behalf = fields.Boolean()
    resident_id = fields.Integer(allow_none=True, metadata={
        "description": "the account the need is for (null: a 代录 linked to nobody)"})
    link = fields.Function(lambda n: getattr(n, "link", None), metadata={
        "description": "in the answer to a 代录 only: chosen, phone, several_accounts or "
                       "no_account (how resident_id was found, or why it is null)"})
    by_volunteer = fields.Boolean(metadata={
        "description": "posted by a volunteer who lives in the community, for themselves"})
    status = EnumValue()
    status_label = EnumLabel("status")
    reject_reason = fields.String(allow_none=True)
    wish_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
