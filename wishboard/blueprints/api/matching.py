"""Reaching the right hands: a community's skill tags, my service profile and follows, and
the volunteers to ask for an open wish."""

from flask_login import current_user

from wishboard.accounts.models import STAFF, Role
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import also_answers, responds, use_schema
from wishboard.blueprints.login import roles_required
from wishboard.matching import services as matching
from wishboard.matching.schemas import (
    ProfileSchema, ProfileUpdateSchema, SkillCreateSchema, SkillSchema, SuggestionListSchema,
)


@bp.get("/communities/<int:community_id>/skills")
@responds(SkillSchema, many=True)
def list_skills(community_id):
    """The skills a community's volunteers choose from: the defaults, then its own."""
    return matching.list_skills(community_id)


@bp.post("/communities/<int:community_id>/skills")
@roles_required(*STAFF)
@also_answers({409: "the community already has this skill (skill_exists)"})
@responds(SkillSchema, 201)
@use_schema(SkillCreateSchema)
def create_skill(data, community_id):
    """Add a skill of this community (its secretary, or an admin)."""
    return matching.create_skill(current_user, community_id, **data)


@bp.get("/me/profile")
@roles_required(Role.VOLUNTEER)
@responds(ProfileSchema)
def my_profile():
    """My skills, service card, free times, home place and what I follow (volunteers)."""
    return matching.get_profile(current_user)


@bp.put("/me/profile")
@roles_required(Role.VOLUNTEER)
@responds(ProfileSchema)
@use_schema(ProfileUpdateSchema)
def update_my_profile(data):
    """Save my skills, service card, free times, home place and follows; a field left out
    stays as it is."""
    return matching.update_profile(current_user, **data)


@bp.get("/wishes/<int:wish_id>/suggestions")
@roles_required(*STAFF)
@also_answers({409: "the wish is not open (wish_not_open)"})
@responds(SuggestionListSchema)
def wish_suggestions(wish_id):
    """The volunteers to ask about an open wish, best first, each with the reasons (the
    community's secretary, or an admin)."""
    return {"items": matching.suggest_volunteers(current_user, wish_id)}
