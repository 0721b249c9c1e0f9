"""The place tree, the community's settings and categories. (Organisations:
``admin/organizations.py``.)"""

from flask import render_template
from flask_login import current_user

from wishboard.accounts.models import STAFF, Role
from wishboard.blueprints.admin import bp
from wishboard.blueprints.forms import done, handle_form, submit_form
from wishboard.blueprints.login import roles_required
from wishboard.grid import services as grid
from wishboard.grid.models import ContactRole
from wishboard.grid.schemas import ContactAssignFormSchema
from wishboard.places import services as places
from wishboard.places.models import PlaceLevel
from wishboard.places.schemas import (
    CategoryCreateSchema, CommunityCreateSchema, CommunitySettingsSchema,
)


@bp.route("/places", methods=["GET", "POST"])
@roles_required(*STAFF)
def manage_places():
    form, sent = handle_form(CommunityCreateSchema,
                             lambda d: places.create_community(current_user, **d),
                             done=lambda c: f"已添加{c.level.label}：{c.name}")
    if sent:
        return sent
    return _places_page(form=form)


def _places_page(form=None, contact_form=None):
    """社区与网格: the tree, each grid place with its contacts (楼栋长, 院落长, 网格员), the
    form that adds a place and the one that gives a duty."""
    if current_user.role is Role.SECRETARY:
        mine = current_user.community
        roots = [mine]
        tree = {mine.id: places.community_grid(mine)}
    else:
        roots, _ = places.list_communities(per_page=100)
        tree = {c.id: places.community_grid(c) for c in roots if c.is_community}
    # Each grid place with its path (二片区 › 3号院落 › 1栋), in tree order, to indent by depth.
    rows = {}
    contacts = {}
    for root_id, grid_places in tree.items():
        by_id = {place.id: place for place in grid_places}
        rows[root_id] = [(by_id[place_id], path)
                         for place_id, path in places.grid_options(grid_places)]
        if grid_places:
            contacts.update(grid.community_contacts(current_user, root_id))
    return render_template("admin/places.html", form=form, roots=roots, rows=rows,
                           levels=list(PlaceLevel), contacts=contacts,
                           contact_form=contact_form,
                           contact_roles=[(r.value, r.label) for r in ContactRole])


@bp.post("/places/contacts")
@roles_required(*STAFF)
def assign_contact():
    """Give a resident or volunteer a duty on a grid place, named by their phone number."""
    form = submit_form(ContactAssignFormSchema, lambda d: grid.assign_contact(
        current_user, d.pop("place_id"), **d))
    if not form.ok:
        return _places_page(contact_form=form), 400
    contact = form.result
    return done(f"已指派{contact['name']}为{contact['place']['path']}的{contact['role_label']}",
                "admin.manage_places", _anchor="contacts")


@bp.post("/places/<int:place_id>/contacts/<int:contact_id>/remove")
@roles_required(*STAFF)
def remove_contact(place_id, contact_id):
    grid.remove_contact(current_user, place_id, contact_id)
    return done("已撤销这位网格联系人", "admin.manage_places", _anchor="contacts")


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def settings():
    """The community's rules, shown to and changed by its secretary."""
    community_id = current_user.community_id
    # A blank cap means "no limit", a blank waiting period "off"; an unticked box "no".
    form, sent = handle_form(CommunitySettingsSchema, lambda d: places.update_community_settings(
        current_user, community_id,
        **{"max_open_claims": None, "rating_trust_days": None, "auto_approve_reports": False,
           **d}),
        done="社区设置已保存")
    return sent or render_template("admin/settings.html", form=form,
                                   community=places.get_community(community_id))


@bp.route("/categories", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def categories():
    form, sent = handle_form(CategoryCreateSchema,
                             lambda d: places.create_category(current_user, **d),
                             done=lambda c: f"已添加类别：{c.name}")
    return sent or render_template("admin/categories.html", form=form,
                                   categories=places.list_categories(include_inactive=True))
