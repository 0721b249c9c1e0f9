"""The year-end selection and certificates, in and out. The management pages' forms load
through the same schemas."""

from __future__ import annotations

from flask import url_for
from marshmallow import ValidationError, fields, validates_schema

from wishboard.access import (
    can_manage_community, can_see_objector, can_see_withdrawal_reason, objection_blocks,
    sees_certificate_name, sees_nominee_name,
)
from wishboard.core.schemas import (
    BaseSchema, Bool, Float, Int, LocalDate, QuerySchema, Str, ViewerSchema, in_range, length,
    one_of, ref,
)
from wishboard.honours.models import (
    DEFAULT_PUBLICITY_DAYS, MIN_PUBLICITY_DAYS, HonourDivision, NomineeSource,
)
from wishboard.points.services import ANONYMOUS
from wishboard.privacy import mask_name
from wishboard.templating import public_url

EXACTLY_ONE = "请选择一位志愿者或一个报到党组织（只选一个）"


def _one_decimal(value: float) -> bool:
    return round(value, 1) == value


class SelectionSettingsSchema(BaseSchema):
    """The rules, each optional: what is left out keeps its value (its default at first)."""

    quota_party_members = Int(validate=in_range(0, 100), metadata={
        "description": "places for 优秀报到党员 (default 10)"})
    quota_elders = Int(validate=in_range(0, 100), metadata={
        "description": "places for 优秀五老志愿者 (default 10)"})
    quota_organizations = Int(validate=in_range(0, 100), metadata={
        "description": "places for 先进报到党组织 (default 10)"})
    min_completions = Int(validate=in_range(0, 1000), metadata={
        "description": "the least completed services in the year (default 3)"})
    min_average_stars = Float(validate=[in_range(0, 5)], metadata={
        "description": "the least average stars, one decimal (default 4.0; 0: no minimum)"})
    reason = Str(load_default=None, allow_none=True, validate=length(1, 200), metadata={
        "description": "after the cut-off day is over, only an admin opens a selection or "
                       "changes its rules, and says why (recorded, public on the 公示 "
                       "page)"})

    @validates_schema
    def _stars_to_one_decimal(self, data, **kwargs):
        stars = data.get("min_average_stars")
        if stars is not None and not _one_decimal(stars):
            raise ValidationError({"min_average_stars": ["最多一位小数，例如 4.5"]})


class SelectionCreateSchema(SelectionSettingsSchema):
    year = Int(required=True, validate=in_range(2000, 2099))
    cutoff = LocalDate(load_default=None, allow_none=True, metadata={
        "description": "the cut-off day, in the year (default 31 December): the standings "
                       "count the points booked before the end of that day"})


class NomineeCreateSchema(BaseSchema):
    """Exactly one of ``user_id`` and ``organization_id``, and why."""

    user_id = Int(load_default=None, allow_none=True, metadata={
        "description": "a volunteer of the community (party member or elder)"})
    organization_id = Int(load_default=None, allow_none=True, metadata={
        "description": "an approved reporting organisation of the community"})
    reason = Str(required=True, validate=length(1, 200), metadata={
        "description": "why (shown on the public 公示 page)"})

    @validates_schema
    def _exactly_one(self, data, **kwargs):
        if (data.get("user_id") is None) == (data.get("organization_id") is None):
            raise ValidationError({"user_id": [EXACTLY_ONE], "organization_id": [EXACTLY_ONE]})


class PublicityStartSchema(BaseSchema):
    days = Int(load_default=DEFAULT_PUBLICITY_DAYS, validate=in_range(1, 30), metadata={
        "description": f"how many whole days of 24 hours from now (default "
                       f"{DEFAULT_PUBLICITY_DAYS}, at least {MIN_PUBLICITY_DAYS}; fewer only "
                       f"by an admin, with a reason)"})
    reason = Str(load_default=None, allow_none=True, validate=length(1, 200), metadata={
        "description": f"why a 公示 is shorter than {MIN_PUBLICITY_DAYS} days (admins; "
                       f"public on the 公示 page)"})


class ObjectionCreateSchema(BaseSchema):
    nominee_id = Int(required=True)
    reason = Str(required=True, validate=length(5, 500), metadata={
        "description": "what is wrong (public on the 公示 page once answered, without your "
                       "name)"})


class ObjectionAnswerSchema(BaseSchema):
    upheld = Bool(required=True, metadata={
        "description": "true: the objection stands and the nominee leaves the list"})
    answer = Str(required=True, validate=length(1, 500), metadata={
        "description": "the written answer (public on the 公示 page)"})


class StandingQuerySchema(QuerySchema):
    division = Str(load_default=None, validate=one_of([d.value for d in HonourDivision]))


# Output ---------------------------------------------------------------------------------

def _figures(standing) -> dict | None:
    if standing is None:
        return None
    return {"points": standing.points, "claims": standing.claims,
            "completions": standing.completions, "activities": standing.activities,
            "hours": float(standing.hours), "ratings": standing.ratings,
            "average_stars": standing.average_stars, "rank": standing.rank,
            "body_points": standing.body_points, "member_points": standing.member_points}


FIGURES = {"type": "object", "nullable": True, "description":
           "the frozen standing: points (the figure ranked by), claims, completions, "
           "activities, hours, ratings, average_stars, rank (in the division), body_points "
           "and member_points (organisations); null when not in the snapshot"}


class StandingSchema(BaseSchema):
    id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    organization_id = fields.Integer(allow_none=True)
    division = fields.Function(lambda r: r.division.value if r.division else None,
                               metadata={"type": "string", "nullable": True})
    division_label = fields.Function(lambda r: r.division.label if r.division else None,
                                     metadata={"type": "string", "nullable": True})
    name = fields.String()
    organization_name = fields.String(allow_none=True)
    shows_name = fields.Boolean()
    figures = fields.Function(_figures, metadata=FIGURES)


def _named(viewer, nominee) -> bool:
    return sees_nominee_name(viewer, nominee, nominee.selection.community_id)


class NomineeSchema(ViewerSchema):
    """A nominee: the reason they were added is public (the secretary is told so); why one
    left the list only the staff read, but for an upheld objection, whose answer is public
    anyway. A volunteer who has since kept their name off the boards is anonymous to the
    public (no name, account or organisation), as on the boards."""

    id = fields.Integer()
    division = fields.Function(lambda n: n.division.value, metadata={"type": "string"})
    division_label = fields.Function(lambda n: n.division.label, metadata={"type": "string"})
    user_id = fields.Method("_user_id", metadata={"type": "integer", "nullable": True})
    organization_id = fields.Integer(allow_none=True)
    name = fields.Method("_name", metadata={
        "type": "string", "description": f"「{ANONYMOUS}」 to the public for a volunteer who "
                                         "keeps their name off the boards"})
    organization_name = fields.Method("_organization_name", metadata={
        "type": "string", "nullable": True,
        "description": "a volunteer's organisation at the cut-off"})
    left_at = fields.Method("_left_at", metadata={
        "type": "string", "format": "date-time", "nullable": True,
        "description": "when a removed or withdrawn nominee left the list"})
    source = fields.Function(lambda n: n.source.value, metadata={"type": "string"})
    source_label = fields.Function(lambda n: n.source.label, metadata={"type": "string"})
    status = fields.Function(lambda n: n.status.value, metadata={
        "type": "string", "description": "nominated, removed, withdrawn or honoured"})
    status_label = fields.Function(lambda n: n.status.label, metadata={"type": "string"})
    added_reason = fields.Function(
        lambda n: n.added_reason if n.source is NomineeSource.SECRETARY else None,
        metadata={"type": "string", "nullable": True})
    removed_reason = fields.Method("_removed_reason", metadata={
        "type": "string", "nullable": True})
    figures = fields.Function(lambda n: _figures(n.standing), metadata=FIGURES)

    def _user_id(self, nominee):
        return nominee.user_id if _named(self.viewer, nominee) else None

    def _name(self, nominee):
        return nominee.name if _named(self.viewer, nominee) else ANONYMOUS

    def _organization_name(self, nominee):
        if nominee.standing is None or not _named(self.viewer, nominee):
            return None
        return nominee.standing.organization_name

    def _left_at(self, nominee):
        if nominee.is_listed or nominee.changed_at is None:
            return None
        return nominee.changed_at.isoformat()

    def _removed_reason(self, nominee):
        if nominee.status.value == "withdrawn" or can_manage_community(
                self.viewer, nominee.selection.community_id):
            return nominee.removed_reason
        return None


class ObjectionSchema(ViewerSchema):
    """An objection: the objector only for themselves and the community's staff."""

    id = fields.Integer()
    selection_id = fields.Integer()
    nominee_id = fields.Integer()
    nominee_name = fields.Method("_nominee_name", metadata={"type": "string"})
    reason = fields.String()
    status = fields.Function(lambda o: o.status.value, metadata={
        "type": "string", "description": "open, upheld or dismissed"})
    status_label = fields.Function(lambda o: o.status.label, metadata={"type": "string"})
    answer = fields.String(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    objector = fields.Method("_objector", metadata={
        "type": "object", "nullable": True,
        "description": "id, name: only for the objector and the community's staff"})
    mine = fields.Method("_mine", metadata={"type": "boolean"})
    blocks = fields.Method("_blocks", metadata={
        "type": "boolean", "description": "raised by someone whose word counts in the "
                                          "community: the results wait for its answer"})

    def _nominee_name(self, objection):
        return objection.nominee.name if _named(self.viewer, objection.nominee) else ANONYMOUS

    def _blocks(self, objection):
        return objection_blocks(objection.user, objection.nominee.selection.community,
                                objection.created_at)

    def _objector(self, objection):
        community_id = objection.nominee.selection.community_id
        if objection.user is not None and can_see_objector(self.viewer, objection,
                                                           community_id):
            return ref(objection.user)
        return None

    def _mine(self, objection):
        return self.viewer is not None and getattr(self.viewer, "is_authenticated", False) \
            and objection.user_id == self.viewer.id


def _settings_of(selection) -> dict:
    values = selection.settings()
    values["min_average_stars"] = float(values["min_average_stars"])
    return values


class SelectionSummarySchema(BaseSchema):
    id = fields.Integer()
    community = fields.Function(lambda s: ref(s.community), metadata={"type": "object"})
    year = fields.Integer()
    state = fields.Function(lambda s: s.state.value, metadata={
        "type": "string", "description": "open, nominating, publicity or published"})
    state_label = fields.Function(lambda s: s.state.label, metadata={"type": "string"})
    cutoff = fields.Date(attribute="cutoff_on")
    cutoff_at = fields.AwareDateTime(metadata={
        "description": "the end of the cut-off day: points booked before it count"})
    opened_at = fields.AwareDateTime(attribute="created_at", metadata={
        "description": "when the selection was opened (its rules set): before the end of "
                       "the cut-off day, but by an admin with a reason"})
    settings = fields.Function(_settings_of, metadata={"type": "object"})
    frozen_at = fields.AwareDateTime(allow_none=True)
    publicity_round = fields.Integer()
    publicity_starts_at = fields.AwareDateTime(allow_none=True)
    publicity_ends_at = fields.AwareDateTime(allow_none=True)
    ended_early_at = fields.AwareDateTime(allow_none=True)
    published_at = fields.AwareDateTime(allow_none=True)


def _certificate_ref(certificate) -> dict:
    return {"code": certificate.code, "stands": certificate.stands,
            "verify_url": public_url("web.verify_certificate", code=certificate.code)}


class SelectionSchema(ViewerSchema):
    """``GET /selections/<id>``: dumps a ``services.SelectionView``."""

    id = fields.Integer(attribute="selection.id")
    community = fields.Function(lambda v: ref(v.selection.community),
                                metadata={"type": "object"})
    year = fields.Integer(attribute="selection.year")
    state = fields.Function(lambda v: v.selection.state.value, metadata={
        "type": "string", "description": "open, nominating, publicity or published"})
    state_label = fields.Function(lambda v: v.selection.state.label,
                                  metadata={"type": "string"})
    cutoff = fields.Date(attribute="selection.cutoff_on")
    cutoff_at = fields.AwareDateTime(attribute="selection.cutoff_at", metadata={
        "description": "the end of the cut-off day: points booked before it count"})
    opened_at = fields.AwareDateTime(attribute="selection.created_at", metadata={
        "description": "when the selection was opened (its rules set)"})
    settings = fields.Function(lambda v: _settings_of(v.selection),
                               metadata={"type": "object"})
    frozen_at = fields.AwareDateTime(attribute="selection.frozen_at", allow_none=True)
    publicity_round = fields.Integer(attribute="selection.publicity_round")
    publicity_starts_at = fields.AwareDateTime(attribute="selection.publicity_starts_at",
                                               allow_none=True)
    publicity_ends_at = fields.AwareDateTime(attribute="selection.publicity_ends_at",
                                             allow_none=True, metadata={
        "description": "the end of the 公示 (moved to the moment an admin ended it early)"})
    publicity_running = fields.Function(lambda v: v.selection.publicity_running(v.now),
                                        metadata={"type": "boolean"})
    ended_early_at = fields.AwareDateTime(attribute="selection.ended_early_at",
                                          allow_none=True)
    ended_early_reason = fields.String(attribute="selection.ended_early_reason",
                                       allow_none=True, metadata={
        "description": "why an admin ended this 公示 early (public)"})
    admin_decisions = fields.Function(lambda v: [
        {"kind": d.kind, "label": d.label, "reason": d.reason, "at": d.at.isoformat()}
        for d in v.decisions], metadata={
        "type": "array", "items": {"type": "object"},
        "description": "the exceptions to the rules an admin made, with their reasons "
                       "(public): kind opened_late, settings_changed_late, "
                       "short_publicity or ended_early; label, reason, at"})
    published_at = fields.AwareDateTime(attribute="selection.published_at", allow_none=True)
    nominees = fields.Method("_nominees", metadata={
        "type": "array", "items": {"$ref": "#/components/schemas/Nominee"},
        "description": "the list (the staff also see those removed)"})
    objections = fields.Method("_objections", metadata={
        "type": "array", "items": {"$ref": "#/components/schemas/Objection"},
        "description": "answered ones, and the viewer's own (the staff: all)"})
    open_objections = fields.Integer(metadata={
        "description": "objections waiting for an answer that hold the results back"})
    unverified_open_objections = fields.Integer(attribute="unverified_open", metadata={
        "description": "the staff: objections waiting from people whose word does not "
                       "count yet (they do not hold the results back); 0 for others"})
    certificates = fields.Method("_certificates", metadata={
        "type": "object", "description": "once published: nominee id → {code, stands, "
                                         "verify_url}"})
    actions = fields.Function(lambda v: {
        "manage": v.rights.manage, "object": v.rights.object,
        "end_early": v.rights.end_early, "publish": v.rights.publish,
        "reopen": v.rights.reopen}, metadata={
        "type": "object", "description": "what this viewer may do now"})

    def _nominees(self, view):
        shown = [n for n in view.nominees if n.is_listed] + view.left()
        return NomineeSchema(viewer=self.viewer).dump(shown, many=True)

    def _objections(self, view):
        return ObjectionSchema(viewer=self.viewer).dump(view.objections, many=True)

    def _certificates(self, view):
        """Not for a volunteer who keeps their name off the boards (to the public): their
        code would open a certificate that names them."""
        by_id = {n.id: n for n in view.nominees}
        return {str(nominee_id): _certificate_ref(c)
                for nominee_id, c in view.certificates.items()
                if nominee_id not in by_id or _named(self.viewer, by_id[nominee_id])}


class CertificateSchema(ViewerSchema):
    """What a verification answers: who (the name as printed), what honour, which year,
    which community, and whether it still stands. Why it was withdrawn only the holder and
    the community's staff read (it may be a private matter); the public reads when."""

    code = fields.String()
    name = fields.Method("_name", metadata={
        "type": "string", "description": "the name as printed; the family name only (李**) "
                                         "to the public when the volunteer keeps their name "
                                         "off the boards"})
    honour = fields.Function(lambda c: c.division.label, metadata={"type": "string"})
    division = fields.Function(lambda c: c.division.value, metadata={"type": "string"})
    kind = fields.Function(lambda c: "volunteer" if c.user_id is not None else "organization",
                           metadata={"type": "string"})
    year = fields.Integer()
    community = fields.Function(lambda c: ref(c.community), metadata={"type": "object"})
    selection_id = fields.Integer()
    issued_at = fields.AwareDateTime()
    status = fields.Function(lambda c: "valid" if c.stands else "withdrawn", metadata={
        "type": "string", "description": "valid or withdrawn"})
    status_label = fields.Function(lambda c: "有效" if c.stands else "已撤销",
                                   metadata={"type": "string"})
    withdrawn_at = fields.AwareDateTime(allow_none=True)
    withdrawn_reason = fields.Method("_reason", metadata={
        "type": "string", "nullable": True,
        "description": "only for the holder and the community's staff"})
    verify_url = fields.Function(lambda c: public_url("web.verify_certificate", code=c.code),
                                 metadata={"type": "string"})
    page_url = fields.Function(lambda c: url_for("web.certificate_page", code=c.code),
                               metadata={"type": "string"})

    def _name(self, certificate):
        if sees_certificate_name(self.viewer, certificate):
            return certificate.name
        return mask_name(certificate.name)

    def _reason(self, certificate):
        if can_see_withdrawal_reason(self.viewer, certificate):
            return certificate.withdrawn_reason
        return None
