from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from wishboard.accounts import services as accounts
from wishboard.accounts.login import roles_required
from wishboard.accounts.models import ReportStatus, Role
from wishboard.accounts.schemas import (
    RejectReportSchema, ResidentQuerySchema, StaffUserCreateSchema, VolunteerQuerySchema,
)
from wishboard.audit import services as audit
from wishboard.audit.export import audit_csv
from wishboard.audit.models import AUDIT_ACTIONS
from wishboard.audit.schemas import AuditQuerySchema
from wishboard.blueprints.admin import bp
from wishboard.blueprints.forms import done, handle_form, place_choices, submit_form
from wishboard.core.schemas import ReasonSchema, load_or_raise
from wishboard.jobs import sweeps
from wishboard.needs import services as needs
from wishboard.needs.schemas import NeedCreateSchema, NeedPublishSchema, NeedQuerySchema
from wishboard.places import services as places
from wishboard.places.models import PlaceLevel
from wishboard.places.schemas import (
    CategoryCreateSchema, CommunityCreateSchema, CommunitySettingsSchema, OrganizationCreateSchema,
)
from wishboard.points import services as points
from wishboard.points.models import RULE_LABELS
from wishboard.points.schemas import PointsRulesSchema
from wishboard.wishes import services as wishes
from wishboard.wishes.models import WishKind
from wishboard.wishes.schemas import WishCreateSchema, WishQuerySchema
from wishboard.wishes.states import PUBLIC_STATES

STAFF = (Role.SECRETARY, Role.ADMIN)


def _managed_community_id() -> int | None:
    """A secretary manages their own community; an admin picks one with ?community_id=."""
    if current_user.role is Role.SECRETARY:
        return current_user.community_id
    return request.values.get("community_id", type=int)


def _community_page(template: str, community_id: int | None, **context):
    """A page about one community, with the picker an admin chooses the community with."""
    return render_template(template, community_id=community_id,
                           communities=places.list_communities(level="community",
                                                               per_page=100)[0],
                           **context)


@bp.get("/")
@roles_required(*STAFF)
def dashboard():
    counts = {}
    if current_user.community_id:
        _, counts["reports"] = accounts.list_volunteers(current_user, per_page=1)
        _, counts["needs"] = needs.list_needs(current_user, status="new", per_page=1)
        _, counts["completed"] = wishes.list_wishes(
            viewer=current_user, community_id=current_user.community_id, status="completed",
            per_page=1)
        counts["hours"] = len(wishes.hours_queue(current_user, current_user.community_id))
        _, counts["residents"] = accounts.list_residents(current_user, verified=False,
                                                         per_page=1)
    soon = sweeps.upcoming(current_user.community_id) if current_user.community_id else []
    return render_template("admin/dashboard.html", counts=counts, soon=soon)


@bp.get("/reports")
@roles_required(*STAFF)
def reports():
    query = load_or_raise(VolunteerQuerySchema(), request.args.to_dict())
    query["community_id"] = _managed_community_id()
    volunteers, total = ([], 0)
    if query["community_id"]:
        volunteers, total = accounts.list_volunteers(current_user, **query)
    return _community_page("admin/reports.html", query["community_id"], volunteers=volunteers,
                           total=total, releases=wishes.release_counts([v.id for v in volunteers]),
                           status=query["status"], statuses=list(ReportStatus),
                           page=query["page"], per_page=query["per_page"])


@bp.post("/reports/<int:user_id>/approve")
@roles_required(*STAFF)
def approve_report(user_id):
    user = accounts.approve_report(current_user, user_id)
    return done(f"已通过 {user.name} 的报到", "admin.reports", community_id=user.community_id)


@bp.post("/reports/<int:user_id>/reject")
@roles_required(*STAFF)
def reject_report(user_id):
    form = submit_form(RejectReportSchema,
                       lambda d: accounts.reject_report(current_user, user_id, d["reason"]))
    if form.ok:
        flash(f"已退回 {form.result.name} 的报到", "success")
    else:
        flash("退回时请写明原因(最多200字)", "error")
    return redirect(url_for("admin.reports", community_id=_managed_community_id()))


@bp.get("/residents")
@roles_required(*STAFF)
def residents():
    """居民核实: the secretary vouches for residents they know, so their ratings count."""
    query = load_or_raise(ResidentQuerySchema(), {"verified": "false", **request.args.to_dict()})
    query["community_id"] = _managed_community_id()
    people, total = ([], 0)
    if query["community_id"]:
        people, total = accounts.list_residents(current_user, shown=True, **query)
    return _community_page("admin/residents.html", query["community_id"], residents=people,
                           total=total, verified=query["verified"], page=query["page"],
                           per_page=query["per_page"])


@bp.post("/residents/<int:user_id>/verify")
@roles_required(*STAFF)
def verify_resident(user_id):
    user = accounts.verify_resident(current_user, user_id)
    return done(f"已核实居民 {user.name},他的评价从现在起计入积分", "admin.residents",
                community_id=user.community_id)


@bp.get("/hours")
@roles_required(*STAFF)
def hours_queue():
    """待确认时长: completed services whose hours nobody has confirmed yet."""
    community_id = _managed_community_id()
    claims = wishes.hours_queue(current_user, community_id) if community_id else []
    return _community_page("admin/hours.html", community_id, claims=claims)


@bp.get("/audit")
@roles_required(*STAFF)
def audit_log():
    """操作记录: the community's audit log, newest first, with a CSV download."""
    args = {k: v for k, v in request.args.items() if v.strip()}
    query = load_or_raise(AuditQuerySchema(), {"per_page": "50", **args})
    page, per_page, fmt = query.pop("page"), query.pop("per_page"), query.pop("format")
    query["community_id"] = _managed_community_id()
    if fmt == "csv":
        items = audit.export_entries(current_user, **query)
        return Response(audit_csv(items), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=audit.csv"})
    items, total = audit.list_entries(current_user, page=page, per_page=per_page, **query)
    return _community_page("admin/audit.html", query["community_id"], entries=items,
                           total=total, page=page, per_page=per_page, query=query,
                           actions=AUDIT_ACTIONS)


@bp.route("/places", methods=["GET", "POST"])
@roles_required(*STAFF)
def manage_places():
    form, sent = handle_form(CommunityCreateSchema,
                             lambda d: places.create_community(current_user, **d),
                             done=lambda c: f"已添加{c.level.label}:{c.name}",
                             then=lambda _: url_for("admin.manage_places"))
    if sent:
        return sent
    if current_user.role is Role.SECRETARY:
        mine = current_user.community
        roots = [mine]
        tree = {mine.id: places.community_grid(mine)}
    else:
        roots, _ = places.list_communities(per_page=100)
        tree = {c.id: places.community_grid(c) for c in roots if c.is_community}
    return render_template("admin/places.html", form=form, roots=roots, tree=tree,
                           levels=list(PlaceLevel))


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def settings():
    """The community's rules, shown to and changed by its secretary."""
    community_id = current_user.community_id
    # A blank cap means "no limit"; an unticked box means "no".
    form, sent = handle_form(CommunitySettingsSchema, lambda d: places.update_community_settings(
        current_user, community_id,
        **{"max_open_claims": None, "auto_approve_reports": False, **d}),
        done="社区设置已保存", then=lambda _: url_for("admin.settings"))
    return sent or render_template("admin/settings.html", form=form,
                                   community=places.get_community(community_id))


@bp.route("/organizations", methods=["GET", "POST"])
@roles_required(*STAFF)
def organizations():
    form, sent = handle_form(
        OrganizationCreateSchema, lambda d: places.create_organization(current_user, **d),
        done=lambda o: f"已添加报到党组织:{o.name}",
        then=lambda o: url_for("admin.organizations", community_id=o.community_id))
    if sent:
        return sent
    community_id = _managed_community_id()
    communities = (places.list_communities(level="community", per_page=100)[0]
                   if current_user.is_admin else [current_user.community])
    return render_template(
        "admin/organizations.html", form=form, community_id=community_id,
        communities=communities,
        organizations=places.list_organizations(community_id) if community_id else [],
    )


@bp.route("/secretaries", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def secretaries():
    form, sent = handle_form(StaffUserCreateSchema,
                             lambda d: accounts.create_staff_user(current_user, **d),
                             done=lambda u: f"已创建社区书记账号:{u.username}",
                             then=lambda _: url_for("admin.secretaries"))
    return sent or _community_page("admin/secretaries.html", None, form=form,
                                   secretaries=accounts.list_staff(Role.SECRETARY))


@bp.route("/categories", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def categories():
    form, sent = handle_form(CategoryCreateSchema,
                             lambda d: places.create_category(current_user, **d),
                             done=lambda c: f"已添加类别:{c.name}",
                             then=lambda _: url_for("admin.categories"))
    return sent or render_template("admin/categories.html", form=form,
                                   categories=places.list_categories(include_inactive=True))


# Needs and wishes ------------------------------------------------------------------------

def _wish_form_choices(community_id: int) -> dict:
    open_wishes, _ = wishes.list_wishes(community_id=community_id, status="open", per_page=100)
    claimed, _ = wishes.list_wishes(community_id=community_id, status="claimed", per_page=100)
    return {
        **place_choices(places.get_community(community_id)),
        "kind_options": [(k.value, k.label) for k in WishKind],
        "merge_options": [(w.id, f"{w.title}({w.state.label})") for w in open_wishes + claimed],
    }


@bp.get("/needs")
@roles_required(*STAFF)
def needs_queue():
    """The secretary's queue of new needs: publish, merge into a wish, or decline."""
    community_id = _managed_community_id()
    status = request.args.get("status", "new")  # "" is every status
    status = load_or_raise(NeedQuerySchema(), {"status": status} if status else {})["status"]
    items, total = ([], 0)
    if community_id:
        items, total = needs.list_needs(current_user, community_id=community_id,
                                        status=status, per_page=100, shown=True)
    return _community_page("admin/needs.html", community_id, needs=items, total=total,
                           status=status,
                           **(_wish_form_choices(community_id) if community_id else {}))


@bp.post("/needs/<int:need_id>/publish")
@roles_required(*STAFF)
def publish_need(need_id):
    form = submit_form(NeedPublishSchema,
                       lambda d: wishes.publish_need(current_user, need_id, **d))
    if form.ok:
        return done(f"已发布:{form.result.title}", "web.wish_detail", wish_id=form.result.id)
    flash("发布失败:" + ";".join(m for msgs in form.errors.values() for m in msgs), "error")
    return redirect(url_for("admin.needs_queue"))


@bp.post("/needs/<int:need_id>/reject")
@roles_required(*STAFF)
def reject_need(need_id):
    form = submit_form(ReasonSchema,
                       lambda d: needs.reject_need(current_user, need_id, d["reason"]))
    flash("已告知居民未采纳的原因" if form.ok else "请写明原因(最多200字)",
          "success" if form.ok else "error")
    return redirect(url_for("admin.needs_queue"))


@bp.route("/needs/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def new_need_on_behalf():
    """代录: the secretary records a need for a resident without a smartphone."""
    form, sent = handle_form(NeedCreateSchema, lambda d: needs.submit_need(current_user, **d),
                             done=lambda n: f"已代录 {n.contact_name} 的需求",
                             then=lambda _: url_for("admin.needs_queue"))
    return sent or render_template("web/need_form.html", form=form, on_behalf=True,
                                   action=url_for("admin.new_need_on_behalf"),
                                   **place_choices(current_user.community))


@bp.route("/wishes/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def new_wish():
    """Publish a wish directly (the secretary already knows who needs what)."""
    form, sent = handle_form(WishCreateSchema, lambda d: wishes.create_wish(current_user, **d),
                             done=lambda w: f"已发布:{w.title}",
                             then=lambda w: url_for("web.wish_detail", wish_id=w.id))
    return sent or render_template("admin/wish_form.html", form=form,
                                   **_wish_form_choices(current_user.community_id))


@bp.get("/wishes")
@roles_required(*STAFF)
def manage_wishes():
    """Board management: what is open, claimed, and completed waiting to be closed."""
    community_id = _managed_community_id()
    status = request.args.get("status", "completed")
    status = load_or_raise(WishQuerySchema(), {"status": status} if status else {})["status"]
    items, total = ([], 0)
    if community_id:
        items, total = wishes.list_wishes(viewer=current_user, community_id=community_id,
                                          status=status or None, per_page=100)
    return _community_page("admin/wishes.html", community_id, wishes=items, total=total,
                           status=status, states=PUBLIC_STATES)


# Points ----------------------------------------------------------------------------------

@bp.route("/points-rules", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def points_rules():
    """The community's points rules: shown, and changed from now on."""
    community_id = current_user.community_id
    form, sent = handle_form(PointsRulesSchema,
                             lambda d: points.update_rules(current_user, community_id, **d),
                             done="积分规则已保存,从现在起生效",
                             then=lambda _: url_for("admin.points_rules"))
    return sent or render_template("admin/points_rules.html", form=form,
                                   rules=points.rules_for(community_id), labels=RULE_LABELS)


@bp.get("/commendation")
@roles_required(*STAFF)
def commendation():
    """年度表彰: the year's lists, with downloads for printing."""
    community_id = _managed_community_id()
    year = request.args.get("year", type=int) or int(points.period_key("year"))
    report = points.commendation(current_user, community_id, year) if community_id else None
    return _community_page("admin/commendation.html", community_id, report=report, year=year)
