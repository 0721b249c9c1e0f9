"""The statistics' input (months and ranges, the roll-up's order, the wish list export's
filters) and output (a community's figures per month, a roll-up, a district leaderboard)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from marshmallow import ValidationError, fields, validates_schema

from wishboard.core.schemas import (
    BaseSchema, Int, PageQuerySchema, QuerySchema, Str, in_range, length, load_or_raise, one_of,
)
from wishboard.errors import ValidationFailedError
from wishboard.points.schemas import BoardRowSchema
from wishboard.stats.figures import MAX_MONTHS, MonthRange, month_range
from wishboard.stats.rollup import ROLLUP_SORTS
from wishboard.wishes.schemas import KINDS, STATES

# 2026-11, 2026-1, 2026年11月, 2026年1月 (the 月 may be left off); full-width digits and
# dash are read as their plain forms first (NFKC), as a Chinese keyboard may type them.
MONTH = re.compile(r"([0-9]{4})\s*(?:-|年)\s*([0-9]{1,2})\s*月?")


class Month(fields.Field):
    """A local month, ``2026-11`` (also ``2026-1``, ``2026年11月``, with full-width digits),
    in 2000-2099: loads as the date of its first day."""

    default_error_messages = {"invalid": "月份格式不对，例如 2026-11 或 2026年11月",
                              "required": "必填", "null": "不能为空",
                              "out_of_range": "月份应在2000年到2099年之间"}

    def __init__(self, **kwargs):
        metadata = {"type": "string", "example": "2026-11", "description":
                    "YYYY-MM; 2026-1 and 2026年1月 are read too", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        match = MONTH.fullmatch(unicodedata.normalize("NFKC", value).strip()) \
            if isinstance(value, str) else None
        if match is None or not 1 <= int(match[2]) <= 12:
            raise self.make_error("invalid")
        month = dt.date(int(match[1]), int(match[2]), 1)
        if not 2000 <= month.year <= 2099:
            raise self.make_error("out_of_range")
        return month

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value.year}-{value.month:02d}"


class StatsQuerySchema(QuerySchema):
    """``from`` and ``to``: local months, both counted; by default the last twelve (this
    month the last); at most 36."""

    first = Month(data_key="from", load_default=None, metadata={
        "description": "the first month (by default eleven months before `to`)"})
    last = Month(data_key="to", load_default=None, metadata={
        "description": "the last month, counted (by default this month, Asia/Shanghai)"})

    @validates_schema
    def _span(self, data, **kwargs):
        first, last = data.get("first"), data.get("last")
        if first is None or last is None:
            return  # the service fills in the defaults, and checks the span again
        if first > last:
            raise ValidationError("开始月份不能晚于结束月份", "from")
        if len(MonthRange(first, last)) > MAX_MONTHS:
            raise ValidationError(f"一次最多看{MAX_MONTHS}个月", "to")


RANGE_FIELDS = ("from", "to")


@dataclass
class RangeForm:
    """The months' form on a page, for the field macros of ``_form.html``: what was typed
    (``values``: kept when wrong) and each field's messages (``errors``: ``from``, ``to``)."""

    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)


def months_asked(args: dict, schema_cls=None) -> tuple[dict, RangeForm]:
    """A page's query string read with ``schema_cls`` (``StatsQuerySchema``): the values,
    and the form. When a month is wrong, rather than an error page, the page shows its
    default months (``from`` and ``to`` left out), and the form keeps what was typed and
    says under each wrong field why (each message once). Any other wrong parameter is a 400,
    as before."""
    schema_cls = schema_cls or StatsQuerySchema
    try:
        query = load_or_raise(schema_cls(), args)
        month_range(query["first"], query["last"])  # the span, defaults filled in
        return query, RangeForm()
    except ValidationFailedError as error:
        errors = {name: list(dict.fromkeys(messages))
                  for name, messages in error.fields.items() if name in RANGE_FIELDS}
        if not errors or len(errors) < len(error.fields):
            raise
        kept = {k: v for k, v in args.items() if k not in RANGE_FIELDS}
        typed = {k: args[k] for k in RANGE_FIELDS if k in args}
        return load_or_raise(schema_cls(), kept), RangeForm(typed, errors)


class ReportQuerySchema(QuerySchema):
    month = Month(load_default=None, metadata={
        "description": "the month of the 通报 (by default this month)"})


SORT_ORDERS = ["asc", "desc"]


class RollupQuerySchema(StatsQuerySchema):
    sort = Str(load_default="name", validate=one_of(ROLLUP_SORTS), metadata={
        "description": "the column the communities are ordered by"})
    order = Str(load_default="asc", validate=one_of(SORT_ORDERS))


class RollupLeaderboardQuerySchema(PageQuerySchema):
    kind = Str(load_default="volunteers", validate=one_of(["volunteers", "organizations"]))
    period = Str(load_default="all", validate=one_of(["all", "year"]))
    year = Int(load_default=None, validate=in_range(2000, 2099), metadata={
        "description": "with period=year: which (by default this one)"})


class WishExportQuerySchema(QuerySchema):
    """The wish list's filters (as on the board), and the file wanted."""

    community_id = Int(load_default=None)
    status = Str(load_default=None, validate=one_of(STATES))
    category_id = Int(load_default=None)
    kind = Str(load_default=None, validate=one_of(KINDS))
    grid_id = Int(load_default=None)
    q = Str(load_default=None, validate=length(max=50))
    format = Str(load_default="csv", validate=one_of(["csv", "xlsx"]))


# Output --------------------------------------------------------------------------------------

class FiguresSchema(BaseSchema):
    month = fields.Function(lambda f: f.month_key, metadata={
        "type": "string", "nullable": True, "description": "2026-11; null for the totals"})
    posted = fields.Integer(metadata={"description": "wishes published"})
    claimed = fields.Integer(metadata={"description": "claims made"})
    completed = fields.Integer(metadata={"description": "services reported done"})
    expired = fields.Integer(metadata={"description": "wishes that expired unclaimed"})
    hours = fields.Float(metadata={"description": "hours confirmed"})
    ratings = fields.Integer(metadata={"description": "ratings that count"})
    average_stars = fields.Float(allow_none=True)
    claim_median_hours = fields.Float(attribute="claim_hours", allow_none=True, metadata={
        "description": "median hours from publication to the first claim"})
    completion_median_hours = fields.Float(attribute="completion_hours", allow_none=True,
                                           metadata={"description": "median hours from "
                                                     "publication to completion"})
    active_volunteers = fields.Integer(attribute="active")
    party_members = fields.Integer()
    elders = fields.Integer()
    other_volunteers = fields.Integer(attribute="others")
    organizations = fields.Integer(metadata={"description": "organisations taking part"})


class ServedShareSchema(BaseSchema):
    year = fields.Integer()
    last = fields.Function(lambda s: _month_text(s.last), data_key="to", metadata={
        "type": "string", "description": "counted up to the end of this month (2026-10)"})
    reporting = fields.Integer(metadata={"description": "volunteers whose 报到 is approved"})
    served = fields.Integer(metadata={"description": "of them, those who served that year, "
                                      "from January to the end of `to`"})
    share = fields.Float(allow_none=True, metadata={"description": "served / reporting"})


def _month_text(month) -> str:
    return f"{month.year}-{month.month:02d}"


def _place(place) -> dict:
    return {"id": place.id, "name": place.name, "level": place.level.value}


class CommunityStatsSchema(BaseSchema):
    community = fields.Function(lambda s: _place(s.community), metadata={"type": "object"})
    first = fields.Function(lambda s: _month_text(s.range.first),
                            data_key="from", metadata={"type": "string"})
    last = fields.Function(lambda s: _month_text(s.range.last),
                           data_key="to", metadata={"type": "string"})
    months = fields.List(fields.Nested(FiguresSchema))
    totals = fields.Nested(FiguresSchema)
    served = fields.Nested(ServedShareSchema)


class RollupRowSchema(BaseSchema):
    community = fields.Function(lambda r: _place(r.community), metadata={"type": "object"})
    figures = fields.Nested(FiguresSchema)
    served = fields.Nested(ServedShareSchema)


class RollupSchema(BaseSchema):
    place = fields.Function(lambda r: _place(r.place), metadata={"type": "object"})
    first = fields.Function(lambda r: _month_text(r.range.first),
                            data_key="from", metadata={"type": "string"})
    last = fields.Function(lambda r: _month_text(r.range.last),
                           data_key="to", metadata={"type": "string"})
    sort = fields.String()
    order = fields.String()
    communities = fields.List(fields.Nested(RollupRowSchema), attribute="rows")
    totals = fields.Nested(FiguresSchema)
    served = fields.Nested(ServedShareSchema)


class RollupBoardRowSchema(BoardRowSchema):
    community = fields.String(allow_none=True, metadata={"description": "where it ranks"})


class RollupLeaderboardSchema(BaseSchema):
    items = fields.List(fields.Nested(RollupBoardRowSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    period = fields.String(metadata={"description": "all, or a year: 2026"})
