"""Every table, imported in one place so the metadata is complete for the migrations and
the shell. Code imports a model from its own feature (``wishboard.wishes.models``)."""

from wishboard.accounts.models import AccountLink, ApiToken, PasswordReset, User
from wishboard.activities.models import Activity, Signup
from wishboard.audit.models import AuditEntry
from wishboard.grid.models import GridContact, ResidentHome
from wishboard.honours.models import (
    Certificate, Nominee, Objection, Selection, SelectionDecision, SelectionStanding,
)
from wishboard.invitations.models import Invitation
from wishboard.jobs.models import JobLock, Reminder
from wishboard.matching.follow_models import CategoryFollow, DigestItem, PlaceFollow
from wishboard.matching.models import Skill, VolunteerProfile, VolunteerSkill
from wishboard.needs.models import Need
from wishboard.notifications.models import Channel, Delivery, Notification, NotificationOptOut
from wishboard.organizations.models import MembershipRequest
from wishboard.places.models import Category, Community, Organization
from wishboard.points.models import HeldPoints, PointsEntry, PointsRules, PointsTotal
from wishboard.projects.models import ProjectMember, ServiceLog
from wishboard.ratings.models import Rating
from wishboard.serviceid.models import ServiceCard
from wishboard.wishes.models import Beneficiary, Claim, Wish, WishEvent
from wishboard.wishes.tallies import WishTally

__all__ = [
    "AccountLink", "ApiToken", "PasswordReset", "User", "Activity", "Signup", "AuditEntry", "JobLock", "Reminder",
    "Need", "Notification", "Channel", "Delivery", "NotificationOptOut", "Category", "Community", "Organization", "PointsEntry", "PointsRules",
    "PointsTotal", "HeldPoints", "ProjectMember", "ServiceLog", "Rating", "Beneficiary", "Claim", "Wish",
    "WishEvent", "WishTally",
    "CategoryFollow", "PlaceFollow", "Skill", "VolunteerProfile", "VolunteerSkill",
    "GridContact", "ResidentHome",
    "Invitation", "MembershipRequest", "DigestItem", "ServiceCard",
    "Selection", "SelectionStanding", "SelectionDecision", "Nominee", "Objection", "Certificate",
]

# What only PostgreSQL has, made by migrations over SQL functions the models do not know:
# the search column of wishes and its index (see wishboard.wishes.board._search).
# Comparing the models with a database (autogenerate, flask db check, the tests) leaves
# them alone.
POSTGRESQL_ONLY = frozenset({("index", "ix_wishes_search"), ("column", "search_grams")})


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return (type_, name) not in POSTGRESQL_ONLY
