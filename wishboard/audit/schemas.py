"""The audit log, out; and how to ask for a slice of it."""

from __future__ import annotations

from marshmallow import fields

from wishboard.audit.models import AUDIT_ACTIONS
from wishboard.core.schemas import BaseSchema, Int, PageQuerySchema, Str, length, one_of


class AuditEntrySchema(BaseSchema):
    id = fields.Integer()
    created_at = fields.AwareDateTime()
    actor = fields.Function(lambda e: {"id": e.actor.id, "name": e.actor.name}
                            if e.actor else None, metadata={"description": "null: the system"})
    community_id = fields.Integer(allow_none=True)
    action = fields.String(metadata={"description": ", ".join(AUDIT_ACTIONS)})
    action_label = fields.String()
    object_type = fields.String()
    object_id = fields.Integer(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    address = fields.String(allow_none=True)


class AuditQuerySchema(PageQuerySchema):
    community_id = Int(load_default=None)
    action = Str(load_default=None, validate=one_of(list(AUDIT_ACTIONS)))
    actor_id = Int(load_default=None)
    object_type = Str(load_default=None, validate=length(1, 30))
    object_id = Int(load_default=None)
    format = Str(load_default="json", validate=one_of(["json", "csv"]))
