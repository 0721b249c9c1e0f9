from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from wishboard.accounts.models import ReportStatus, VolunteerType, fold_username
from wishboard.core.schemas import (
    BaseSchema, Bool, EnumValue, Int, PageQuerySchema, Str, ViewerSchema, length, one_of,
)

# Letters that show as nothing: a name ending in one looks like another person's.
_INVISIBLE = set("\u115f\u1160\u3164\uffa0")


def _folded_fits(name: str) -> None:
    """Usernames are stored folded (ß becomes ss, ｓ becomes s): the folded name must fit
    the column too, and hold no letter that shows as nothing."""
    if _INVISIBLE & set(name):
        raise ValidationError("用户名里有看不见的字符")
    if len(fold_username(name)) > 40:
        raise ValidationError("用户名太长")


USERNAME = validate.And(
    validate.Regexp(r"^[\w.\-]{3,40}$", error="用户名为3到40个字母、数字、汉字或 _ . -"),
    _folded_fits,
)
PHONE = validate.Regexp(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
                        error="请填写11位手机号，或带区号的座机号")
PHONE_OR_BLANK = validate.Regexp(r"^(|1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
                                 error="请填写11位手机号，或带区号的座机号")
VOLUNTEER_TYPES = [t.value for t in VolunteerType]


class RefSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()


class UserSchema(BaseSchema):
    """A user as they themselves, and their community's secretary, see them."""

    id = fields.Integer(dump_only=True)
    username = fields.String()
    name = fields.String()
    phone = fields.String()
    role = EnumValue()
    role_label = fields.String(dump_only=True, metadata={
        "description": "the role in words; a secretary's account at a street or district "
                       "reads 汇总账号"})
    community = fields.Nested(RefSchema, allow_none=True)
    volunteer_type = EnumValue()
    organization = fields.Nested(RefSchema, allow_none=True)
    report_status = EnumValue()
    report_reject_reason = fields.String(allow_none=True)
    report_reviewed_at = fields.AwareDateTime(allow_none=True)
    report_auto_approved = fields.Function(
        lambda u: u.report_status is not None and u.report_status.value == "approved"
        and not u.report_approved_by_person, metadata={
            "description": "volunteers: approved automatically and not yet checked by the "
                           "secretary (their stars wait for the community's period)"})
    verified_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "residents: when the secretary verified them (their ratings earn)"})
    created_at = fields.AwareDateTime()


class MeSchema(UserSchema):
    """GET /me: the user, with their points and inbox count."""

    points = fields.Method("dump_points")
    show_on_boards = fields.Boolean()
    unread_notifications = fields.Method("dump_unread")

    def dump_points(self, user) -> int:
        from wishboard.points.services import points_of

        return points_of(user) if user.role.value == "volunteer" else 0

    def dump_unread(self, user) -> int:
        from wishboard.notifications.services import unread_count

        return unread_count(user)


class MeUpdateSchema(BaseSchema):
    show_on_boards = Bool(required=True)


class RegisterSchema(BaseSchema):
    username = Str(required=True, validate=USERNAME)
    password = Str(required=True, strip=False, load_only=True, validate=length(8, 128))
    name = Str(required=True, validate=length(1, 50))
    phone = Str(required=True, validate=PHONE)
    role = Str(required=True, validate=one_of(["resident", "volunteer"], "resident, volunteer"))
    community_id = Int(required=True)
    volunteer_type = Str(load_default=None, allow_none=True, validate=one_of(VOLUNTEER_TYPES))
    organization_id = Int(load_default=None, allow_none=True)


class StaffUserCreateSchema(BaseSchema):
    username = Str(required=True, validate=USERNAME)
    password = Str(required=True, strip=False, load_only=True, validate=length(8, 128))
    name = Str(required=True, validate=length(1, 50))
    phone = Str(load_default="", validate=PHONE_OR_BLANK)
    role = Str(load_default="secretary", validate=one_of(["secretary"]))
    community_id = Int(required=True)


class LoginSchema(BaseSchema):
    username = Str(required=True, validate=length(1, 40))
    password = Str(required=True, strip=False, load_only=True, validate=length(1, 128))


class LoginFormSchema(LoginSchema):
    """The log-in page: also 记住我 (a cookie that keeps the person logged in on this device
    for ``REMEMBER_COOKIE_DURATION_DAYS``)."""

    remember = Bool(load_default=False)


class PasswordResetSchema(BaseSchema):
    """Setting a new password with the code the secretary gave: who (username or mobile
    number), the code, the new password (twice on the page)."""

    username = Str(required=True, validate=length(1, 40),
                   metadata={"description": "username, or the mobile number"})
    code = Str(required=True, validate=validate.Regexp(r"^[0-9]{6}$", error="重置码是6位数字"))
    password = Str(required=True, strip=False, load_only=True, validate=length(8, 128))
    password_again = Str(load_default=None, strip=False, load_only=True)

    @validates_schema
    def same_twice(self, data, **_kwargs):
        again = data.get("password_again")
        if again is not None and again != data.get("password"):
            raise ValidationError({"password_again": ["两次输入的新密码不一样"]})


class ResetCodeSchema(BaseSchema):
    """A reset code, shown once to the secretary who asked for it."""

    user_id = fields.Function(lambda r: r[0].id)
    name = fields.Function(lambda r: r[0].name)
    username = fields.Function(lambda r: r[0].username)
    code = fields.Function(lambda r: r[1])
    expires_at = fields.Function(lambda r: r[2].isoformat())


class ResetDoneSchema(BaseSchema):
    """Whose password was set: their username, to log in with from now on."""

    username = fields.String()
    name = fields.String()


class PasswordChangeSchema(BaseSchema):
    """The password form on the account page. The new password's rules are checked by
    ``accounts.services.change_password``, which knows the person."""

    old_password = Str(required=True, strip=False, load_only=True, validate=length(1, 128))
    new_password = Str(required=True, strip=False, load_only=True, validate=length(8, 128))
    new_password_again = Str(required=True, strip=False, load_only=True)

    @validates_schema
    def same_twice(self, data, **_kwargs):
        if data.get("new_password") != data.get("new_password_again"):
            raise ValidationError("两次输入的新密码不一样", field_name="new_password_again")


class TokenSchema(BaseSchema):
    token = fields.String()
    token_type = fields.String()
    expires_at = fields.AwareDateTime()


class RejectReportSchema(BaseSchema):
    reason = Str(required=True, validate=length(1, 200))


class ResidentQuerySchema(PageQuerySchema):
    community_id = Int(load_default=None)
    verified = Bool(load_default=None, allow_none=True)


UNCHECKED = "unchecked"


class VolunteerQuerySchema(PageQuerySchema):
    community_id = Int(load_default=None)
    # ``unchecked``: approved automatically, and no person has checked them yet.
    status = Str(load_default=ReportStatus.PENDING.value,
                 validate=one_of([s.value for s in ReportStatus] + [UNCHECKED]))


class HatCreateSchema(BaseSchema):
    """A community secretary also reports as a volunteer where they live."""

    community_id = Int(required=True)
    volunteer_type = Str(required=True, validate=one_of(VOLUNTEER_TYPES))


class HatSchema(ViewerSchema, UserSchema):
    """One of the person's hats: the account they log in with, or their volunteer hat."""

    current = fields.Method("dump_current", metadata={"description": "the hat worn now"})

    def dump_current(self, user) -> bool:
        return self.viewer is not None and user.id == self.viewer.id


class SwitchSchema(BaseSchema):
    user_id = Int(required=True)
    password = Str(load_default=None, strip=False, load_only=True, validate=length(1, 128),
                   metadata={"description": "the password of the account switched back to, "
                                            "when it has one (a secretary's)"})


class SwitchedSchema(BaseSchema):
    """The hat now worn; a bearer-token client gets a token for it (the one it sent keeps
    working for the hat it was issued to)."""

    user = fields.Nested(UserSchema)
    token = fields.String(allow_none=True)
    token_type = fields.String(allow_none=True)
    expires_at = fields.AwareDateTime(allow_none=True)
