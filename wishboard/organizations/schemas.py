"""Organisations and requests to join them, in and out.

What a viewer sees of an organisation's 报到 (its status, the reason it was turned back) is
for its contact and the community's staff (``access.organization_rights``); members' phones
are masked by ``privacy.shown_member``.
"""

from __future__ import annotations

from marshmallow import fields

from wishboard.access import organization_rights
from wishboard.core.schemas import (
    BaseSchema, EnumLabel, EnumValue, Int, PageQuerySchema, Str, ViewerSchema, length, one_of,
    ref,
)
from wishboard.organizations.models import MembershipStatus
from wishboard.places.models import OrganizationKind, OrganizationStatus

KINDS = [k.value for k in OrganizationKind]
STATUSES = [s.value for s in OrganizationStatus]
REQUEST_STATUSES = [s.value for s in MembershipStatus]


class OrganizationSchema(ViewerSchema):
    """An organisation: what it is and where it reports, for anyone; its 报到 status for
    its contact and the community's staff (null for everyone else)."""

    id = fields.Integer(dump_only=True)
    name = fields.String()
    community_id = fields.Integer()
    community = fields.Function(lambda o: ref(o.community))
    kind = EnumValue()
    kind_label = EnumLabel("kind")
    unit = fields.String(metadata={"description": "所在单位: the unit it belongs to"})
    description = fields.String(metadata={"description": "服务承诺: what it offers"})
    contact_user_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    report_status = fields.Method("dump_status", allow_none=True, metadata={
        "description": "pending, approved or rejected (its contact and the community's "
                       "staff; null for others)"})
    report_status_label = fields.Method("dump_status_label", allow_none=True)
    report_reject_reason = fields.Method("dump_reject_reason", allow_none=True)
    report_reviewed_at = fields.Method("dump_reviewed_at", allow_none=True)

    def _sees_status(self, organization) -> bool:
        return organization_rights(self.viewer, organization).see_status

    def dump_status(self, organization):
        return organization.report_status.value if self._sees_status(organization) else None

    def dump_status_label(self, organization):
        return organization.report_status.label if self._sees_status(organization) else None

    def dump_reject_reason(self, organization):
        return organization.report_reject_reason if self._sees_status(organization) else None

    def dump_reviewed_at(self, organization):
        moment = organization.report_reviewed_at
        return moment.isoformat() if moment and self._sees_status(organization) else None


ORGANIZATION_ACTIONS = ("manage", "decide_report", "change_contact", "request", "leave")


class OrganizationDetailSchema(OrganizationSchema):
    """GET /organizations/<id>: with its members' number, its standing on the
    organisation board of its community, and what the viewer may do."""

    member_count = fields.Method("dump_member_count")
    points = fields.Method("dump_points", metadata={
        "description": "all-time points as its community ranks organisations"})
    body_points = fields.Method("dump_body_points")
    member_points = fields.Method("dump_member_points")
    rank = fields.Method("dump_rank", allow_none=True, metadata={
        "description": "its place on the organisation board (null: no points yet)"})
    actions = fields.Method("dump_actions", metadata={
        "description": "what the viewer may do: " + ", ".join(ORGANIZATION_ACTIONS)})

    def _standing(self, organization):
        from wishboard.points.services import organization_standing

        cache = self.standing_cache = getattr(self, "standing_cache", {})
        if organization.id not in cache:
            cache[organization.id] = organization_standing(organization)
        return cache[organization.id]

    def dump_member_count(self, organization) -> int:
        from wishboard.organizations.services import member_count

        return member_count(organization)

    def dump_points(self, organization) -> int:
        return self._standing(organization).points

    def dump_body_points(self, organization) -> int:
        return self._standing(organization).body_points

    def dump_member_points(self, organization) -> int:
        return self._standing(organization).member_points

    def dump_rank(self, organization):
        return self._standing(organization).rank

    def dump_actions(self, organization) -> dict:
        rights = organization_rights(self.viewer, organization)
        return {name: getattr(rights, name) for name in ORGANIZATION_ACTIONS}


class OrganizationCreateSchema(BaseSchema):
    """The staff enter an organisation (approved at once)."""

    name = Str(required=True, validate=length(1, 100))
    community_id = Int(required=True)
    contact_user_id = Int(load_default=None, allow_none=True)
    kind = Str(load_default=OrganizationKind.OTHER.value, validate=one_of(KINDS))
    unit = Str(load_default="", validate=length(max=100))
    description = Str(load_default="", validate=length(max=300))


class OrganizationReportSchema(BaseSchema):
    """组织报到: a resident or volunteer reports an organisation to a community."""

    name = Str(required=True, validate=length(1, 100),
               metadata={"description": "its name, as its unit calls it"})
    unit = Str(required=True, validate=length(1, 100),
               metadata={"description": "the unit it belongs to (所在单位)"})
    kind = Str(required=True, validate=one_of(KINDS))
    community_id = Int(required=True, metadata={"description": "the community it reports to"})
    description = Str(load_default="", validate=length(max=300),
                      metadata={"description": "服务承诺: what it offers the community"})


class OrganizationUpdateSchema(BaseSchema):
    """What the contact or the staff change; a field left out stays as it is."""

    unit = Str(validate=length(1, 100))
    kind = Str(validate=one_of(KINDS))
    description = Str(validate=length(max=300))
    contact_user_id = Int(allow_none=True, metadata={
        "description": "the staff name another contact, one of its members"})


class OrganizationQuerySchema(PageQuerySchema):
    community_id = Int(load_default=None, metadata={
        "description": "one community's; required for a status other than approved"})
    status = Str(load_default=OrganizationStatus.APPROVED.value, validate=one_of(STATUSES),
                 metadata={"description": "pending and rejected: the community's staff only"})
    q = Str(load_default=None, validate=length(max=50),
            metadata={"description": "words in the name or the unit"})


class OrganizationMemberSchema(BaseSchema):
    """A member on the contact's list (``privacy.shown_member``). Not ``MemberSchema``: the
    OpenAPI document names a schema after its class, and a project's member is one."""

    id = fields.Integer()
    name = fields.String()
    phone = fields.String(metadata={"description": "masked unless in_full"})
    in_full = fields.Boolean()
    volunteer_type = fields.String(allow_none=True)
    volunteer_type_label = fields.String(allow_none=True)
    community = fields.Dict(allow_none=True, metadata={
        "description": "{id, name}: where they report as a volunteer"})
    is_contact = fields.Boolean()


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name,
            "community": ref(user.community),
            "volunteer_type": user.volunteer_type.value if user.volunteer_type else None,
            "volunteer_type_label": user.volunteer_type.label if user.volunteer_type else None}


class MembershipRequestSchema(BaseSchema):
    id = fields.Integer()
    organization = fields.Function(lambda r: ref(r.organization))
    user = fields.Function(lambda r: _person(r.user), metadata={
        "description": "{id, name, community, volunteer_type, volunteer_type_label}"})
    status = EnumValue()
    status_label = EnumLabel("status")
    note = fields.String()
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    reason = fields.String(allow_none=True)


class MembershipRequestCreateSchema(BaseSchema):
    note = Str(load_default="", validate=length(max=200), metadata={
        "description": "what the person says of themselves: their branch, their post"})


class MembershipRequestQuerySchema(PageQuerySchema):
    status = Str(load_default=MembershipStatus.PENDING.value, validate=one_of(REQUEST_STATUSES))


class MyOrganizationSchema(ViewerSchema):
    """GET /me/organization: the organisation I belong to, those I am the contact of, and
    my latest request to join one."""

    organization = fields.Method("dump_member_of", allow_none=True)
    contact_of = fields.Method("dump_contact_of")
    request = fields.Method("dump_request", allow_none=True)

    def dump_member_of(self, mine):
        if mine.member_of is None:
            return None
        return OrganizationSchema(viewer=self.viewer).dump(mine.member_of)

    def dump_contact_of(self, mine):
        return OrganizationSchema(viewer=self.viewer).dump(mine.contact_of, many=True)

    def dump_request(self, mine):
        return MembershipRequestSchema().dump(mine.request) if mine.request else None
