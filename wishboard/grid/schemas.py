"""Grid contacts, the needs they look after, and where I live: in and out. What each viewer
sees is decided before dumping (``privacy.shown_contact``, ``privacy.shown_grid_need``)."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validates_schema

from wishboard.accounts.schemas import PHONE
from wishboard.core.schemas import BaseSchema, Int, PageQuerySchema, Str, one_of
from wishboard.grid.models import ContactRole
from wishboard.needs.models import NeedStatus

ROLES = [role.value for role in ContactRole]


class PlaceRefSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    level = fields.String()
    level_label = fields.String()
    path = fields.String(metadata={
        "description": "the place's path inside its community, like 二片区 › 3号院落 › 1栋"})


class NeedPlaceSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    path = fields.String()


class ContactSchema(BaseSchema):
    """A grid contact as the viewer may see them: the phone in full only for the contact,
    the community's staff, and the verified neighbours who live in the place or inside it
    (``in_full``); masked (138****5678) for everyone else."""

    id = fields.Integer()
    place = fields.Nested(PlaceRefSchema)
    role = fields.String(metadata={"enum": ROLES})
    role_label = fields.String()
    name = fields.String()
    phone = fields.String()
    in_full = fields.Boolean()
    user_id = fields.Integer(allow_none=True, metadata={
        "description": "the contact's account, for the community's staff and the contact"})
    created_at = fields.AwareDateTime()


def _place_ref(place, path: str) -> dict:
    return {"id": place.id, "name": place.name, "level": place.level.value,
            "level_label": place.level.label, "path": path or place.name}


class ContactCardSchema(BaseSchema):
    place = fields.Function(lambda card: _place_ref(card.place, card.path),
                            metadata={"description": "the place: id, name, level, path"})
    items = fields.List(fields.Nested(ContactSchema))


class ContactCreateSchema(BaseSchema):
    user_id = Int(load_default=None, allow_none=True,
                  metadata={"description": "the resident or volunteer to assign"})
    phone = Str(load_default=None, allow_none=True, validate=PHONE,
                metadata={"description": "or their mobile number, instead of user_id"})
    role = Str(required=True, validate=one_of(ROLES, "楼栋长 building_head、院落长 "
                                                     "courtyard_head、网格员 grid_worker"))

    @validates_schema
    def one_person(self, data, **kwargs):
        if data.get("user_id") is None and not data.get("phone"):
            missing = ["请选择要指派的人（user_id），或填写他的手机号（phone）"]
            raise ValidationError({"user_id": missing, "phone": missing})


class GridNeedSchema(BaseSchema):
    """A need of a place I answer for, as a grid contact sees it."""

    id = fields.Integer()
    title = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in NeedStatus]})
    status_label = fields.String()
    created_at = fields.AwareDateTime()
    place = fields.Nested(NeedPlaceSchema, allow_none=True)
    resident_name = fields.String(metadata={"description": "masked: 吴**"})
    wish_id = fields.Integer(allow_none=True)


class GridNeedQuerySchema(PageQuerySchema):
    status = Str(load_default=None, validate=one_of([s.value for s in NeedStatus]))


class HomePlaceSchema(BaseSchema):
    place = fields.Function(
        lambda home: None if home.place is None else _place_ref(home.place, home.path),
        metadata={"description": "the grid place I live in (id, name, level, path), or null"})


class HomePlaceUpdateSchema(BaseSchema):
    place_id = Int(required=True, allow_none=True,
                   metadata={"description": "a grid place of my community, or null"})


class ContactAssignFormSchema(ContactCreateSchema):
    """The management page's form: the place is chosen in the form, the person by phone."""

    place_id = Int(required=True)
