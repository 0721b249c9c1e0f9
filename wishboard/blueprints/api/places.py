"""Communities and their grid, categories. (Organisations: ``api/organizations.py``.)"""

from flask_login import current_user

from wishboard.accounts.models import STAFF, Role
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import responds, use_schema
from wishboard.blueprints.login import roles_required
from wishboard.places import services as places
from wishboard.places.schemas import (
    CategoryCreateSchema, CategorySchema, CommunityCreateSchema, CommunityDetailSchema,
    CommunityQuerySchema, CommunitySchema, CommunitySettingsSchema,
)


@bp.get("/communities")
@responds(CommunitySchema, paginated=True)
@use_schema(CommunityQuerySchema, location="query")
def list_communities(query):
    """Districts, streets and communities (filter by level, parent or name)."""
    return places.list_communities(**query)


@bp.get("/communities/<int:community_id>")
@responds(CommunityDetailSchema)
def get_community(community_id):
    """One community with its grid (片区, 院落, 楼栋) as a tree."""
    community = places.get_community(community_id)
    community.grid_places = places.community_grid(community)
    return community


@bp.post("/communities")
@roles_required(*STAFF)
@responds(CommunitySchema, 201)
@use_schema(CommunityCreateSchema)
def create_community(data):
    """Add a place: admins add any level; a secretary adds grid places in their community."""
    return places.create_community(current_user, **data)


@bp.patch("/communities/<int:community_id>")
@roles_required(*STAFF)
@responds(CommunitySchema)
@use_schema(CommunitySettingsSchema)
def update_community(data, community_id):
    """Change a community's rules: claim window, cap on open claims, automatic 报到 approval
    (admin, or that community's secretary)."""
    return places.update_community_settings(current_user, community_id, **data)


@bp.get("/categories")
@responds(CategorySchema, many=True)
def list_categories():
    """The categories of need (the seven of 1+7+N, and any added)."""
    return places.list_categories()


@bp.post("/categories")
@roles_required(Role.ADMIN)
@responds(CategorySchema, 201)
@use_schema(CategoryCreateSchema)
def create_category(data):
    """Add a category (admins only)."""
    return places.create_category(current_user, **data)
