"""我的特长和服务: a volunteer's skills, service card, free times, home place and follows, on a
page that loads through the API's own schema (``ProfileUpdateSchema``)."""

from flask import render_template, request
from flask_login import current_user

from wishboard.accounts.models import Role
from wishboard.blueprints.forms import handle_form
from wishboard.blueprints.login import roles_required
from wishboard.blueprints.web import bp
from wishboard.matching import digest
from wishboard.matching import services as matching
from wishboard.matching.models import AvailabilitySlot
from wishboard.matching.schemas import ProfileUpdateSchema
from wishboard.places import services as places


def _sent_profile() -> dict:
    """The form as ``ProfileUpdateSchema`` reads it. Every field is sent, so a box left
    unticked clears what it stood for, and 不填 clears the home place. The digest choice
    (two radio buttons) stays as it is when neither was sent."""
    form = request.form
    sent = {"skills": form.getlist("skills"), "offer": form.get("offer", ""),
            "availability": form.getlist("availability"),
            "home_place_id": form.get("home_place_id") or None,
            "follows": {"categories": form.getlist("follow_categories"),
                        "places": form.getlist("follow_places")}}
    if "follow_digest" in form:
        sent["follow_digest"] = form.get("follow_digest")
    return sent


def _ticked(values: dict) -> dict:
    """What the page shows as chosen, as strings (what a form sends back)."""
    follows = values.get("follows") if isinstance(values.get("follows"), dict) else {}

    def strings(items):
        return {str(item) for item in items} if isinstance(items, (list, tuple, set)) else set()

    return {"skills": strings(values.get("skills")), "offer": values.get("offer") or "",
            "availability": strings(values.get("availability")),
            "home_place_id": str(values.get("home_place_id") or ""),
            "categories": strings(follows.get("categories")),
            "places": strings(follows.get("places")),
            "follow_digest": str(values.get("follow_digest")).lower() in ("1", "true")}


def _saved(profile: matching.Profile) -> dict:
    return {"skills": [s.id for s in profile.skills], "offer": profile.offer,
            "availability": profile.availability,
            "home_place_id": profile.home_place.id if profile.home_place else None,
            "follows": {"categories": [c.id for c in profile.follows.categories],
                        "places": [p.id for p in profile.follows.places]},
            "follow_digest": profile.follow_digest}


@bp.route("/account/profile", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def my_profile():
    """我的特长和服务: what I can do, when, where I live, and which new wishes I hear of."""
    form, sent = handle_form(ProfileUpdateSchema,
                             lambda data: matching.update_profile(current_user, **data),
                             done="已保存您的特长和服务", values=_sent_profile)
    if sent:
        return sent
    profile = matching.get_profile(current_user)
    _, grid = places.community_with_grid(current_user.community_id)
    return render_template(
        "web/profile_form.html", form=form, profile=profile,
        chosen=_ticked(form.values if form else _saved(profile)),
        skill_options=[(s.id, s.name) for s in matching.list_skills(current_user.community_id)],
        slot_options=[(slot.value, slot.label) for slot in AvailabilitySlot],
        category_options=[(c.id, c.name) for c in places.list_categories()],
        grid_options=places.grid_options(grid), digest_time=digest.digest_time_words())
