"""Every model, importable from one place."""

from wishboard.models.activities import (
    Activity, ActivityStatus, Audience, LogStatus, ProjectMember, ServiceLog, Signup,
    SignupStatus,
)
from wishboard.models.audit import AUDIT_ACTIONS, AuditEntry
from wishboard.models.base import utcnow
from wishboard.models.places import Category, Community, Organization, PlaceLevel
from wishboard.models.points import DEFAULT_RULES, PointsEntry, PointsRules, PointsTotal
from wishboard.models.users import ApiToken, ReportStatus, Role, User, VolunteerType
from wishboard.models.wishes import (
    Beneficiary, Claim, ClaimStatus, HoursStatus, IllegalTransitionError, JobLock, Need, NeedStatus,
    Notification, Rating, Reminder, Wish, WishEvent, WishKind, WishState,
)

__all__ = [
    "AUDIT_ACTIONS", "AuditEntry", "HoursStatus",
    "Activity", "ActivityStatus", "Audience", "LogStatus", "ProjectMember", "ServiceLog",
    "Signup", "SignupStatus",
    "DEFAULT_RULES", "PointsEntry", "PointsRules", "PointsTotal",
    "JobLock", "Reminder", "Beneficiary", "Claim", "ClaimStatus", "IllegalTransitionError",
    "Need", "NeedStatus",
    "Notification", "Rating", "Wish", "WishEvent", "WishKind", "WishState",
    "ApiToken", "Category", "Community", "Organization", "PlaceLevel", "ReportStatus", "Role",
    "User", "VolunteerType", "utcnow",
]
