"""Every model, importable from one place."""

from wishboard.models.base import utcnow
from wishboard.models.places import Category, Community, Organization, PlaceLevel
from wishboard.models.users import ApiToken, ReportStatus, Role, User, VolunteerType

__all__ = [
    "ApiToken", "Category", "Community", "Organization", "PlaceLevel", "ReportStatus", "Role",
    "User", "VolunteerType", "utcnow",
]
