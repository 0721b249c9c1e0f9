"""我的特长和服务 on the pages: the form on 我的, the points card, and 可以请谁来帮忙 on a wish's
page for the community's staff."""

from __future__ import annotations

import re

import sqlalchemy as sa
from factories import make_wish

from wishboard.extensions import db
from wishboard.matching import services as matching
from wishboard.matching.models import Skill
from wishboard.places.models import Category


def text(response) -> str:
    return response.get_data(as_text=True)


def skill_id(name: str) -> int:
    return db.session.scalar(sa.select(Skill.id).where(Skill.name == name,
                                                       Skill.community_id.is_(None)))


def category_id(name: str) -> int:
    return db.session.scalar(sa.select(Category.id).where(Category.name == name))


def checked(page: str, name: str) -> set[str]:
    """The values of the ticked boxes called ``name``."""
    boxes = re.findall(rf'<input [^>]*name="{name}"[^>]*>', page)
    return {re.search(r'value="([^"]*)"', box).group(1) for box in boxes if " checked" in box}


def test_my_page_leads_a_volunteer_to_the_profile_form(client, neighbourhood, login_as):
    login_as(neighbourhood.volunteer)
    page = text(client.get("/auth/account"))
    assert "我的特长和服务" in page and "还没有填写" in page
    assert 'href="/account/profile"' in page


def test_the_profile_form_saves_and_shows_the_ticked_boxes(client, neighbourhood, make_place,
                                                            login_as):
    n = neighbourhood
    area = make_place("一片区", "area", parent=n.community)
    courtyard = make_place("芳草院", "courtyard", parent=area)
    login_as(n.volunteer)
    empty = text(client.get("/account/profile"))
    assert 'class="field check"' in empty and "理发" in empty and "芳草院" in empty
    assert checked(empty, "skills") == set()

    saved = client.post("/account/profile", data={
        "skills": [str(skill_id("理发")), str(skill_id("陪伴就医"))],
        "offer": "每周六上午可以上门理发。",
        "availability": ["weekend_morning"],
        "home_place_id": str(courtyard.id),
        "follow_categories": [str(category_id("居民保健"))],
        "follow_places": [str(area.id)]})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/account/profile")
    page = text(client.get("/account/profile"))
    assert "已保存您的特长和服务" in page
    assert checked(page, "skills") == {str(skill_id("理发")), str(skill_id("陪伴就医"))}
    assert checked(page, "availability") == {"weekend_morning"}
    assert checked(page, "follow_categories") == {str(category_id("居民保健"))}
    assert checked(page, "follow_places") == {str(area.id)}
    assert "每周六上午可以上门理发。" in page
    assert re.search(rf'<option value="{courtyard.id}" selected', page)

    mine = text(client.get("/auth/account"))
    assert "理发、陪伴就医" in mine and "周末上午" in mine and "居民保健、一片区" in mine

    # Unticking everything clears it.
    client.post("/account/profile", data={"offer": ""})
    profile = matching.get_profile(n.volunteer)
    assert profile.is_empty


def test_a_wrong_choice_is_said_beside_its_field_and_keeps_the_rest(
        client, neighbourhood, make_place, login_as):
    n = neighbourhood
    far = make_place("远处院落", "courtyard", parent=n.elsewhere)
    login_as(n.volunteer)
    response = client.post("/account/profile", data={
        "skills": [str(skill_id("理发"))], "offer": "我会理发",
        "follow_places": [str(far.id)]})
    page = text(response)
    assert response.status_code == 200
    assert "错误：本社区没有这些网格" in page
    assert checked(page, "skills") == {str(skill_id("理发"))} and "我会理发" in page
    assert matching.get_profile(n.volunteer).is_empty  # nothing saved


def test_residents_have_no_profile_page(client, neighbourhood, login_as):
    login_as(neighbourhood.served)
    assert client.get("/account/profile").status_code == 403
    assert "我的特长和服务" not in text(client.get("/auth/account"))


def test_the_points_card_shows_the_skills_and_the_service_card(client, neighbourhood):
    n = neighbourhood
    matching.update_profile(n.volunteer, skills=[skill_id("理发")], offer="周末上门理发",
                            availability=["weekend_morning"])
    page = text(client.get(f"/volunteers/{n.volunteer.id}"))
    assert "<li>理发</li>" in page and "服务承诺：周末上门理发" in page
    assert "周末上午" not in page  # free times are not on the public card
    card = client.get(f"/api/v1/volunteers/{n.volunteer.id}").get_json()
    assert card["skills"] == ["理发"] and card["offer"] == "周末上门理发"


def test_the_wish_page_suggests_volunteers_to_the_secretary_only(client, neighbourhood,
                                                                  login_as):
    n = neighbourhood
    matching.update_profile(n.volunteer, skills=[skill_id("代购")])
    wish = make_wish(n.secretary, title="帮忙买药")
    url = f"/wishes/{wish.id}"

    anonymous = client.get(url)
    assert "可以请谁来帮忙" not in text(anonymous)

    login_as(n.volunteer)
    assert "可以请谁来帮忙" not in text(client.get(url))
    client.post("/auth/logout")

    login_as(n.secretary)
    staff = client.get(url)
    page = text(staff)
    assert "可以请谁来帮忙" in page and "会“代购”" in page
    assert page.index("李建国") < page.index("王晓梅", page.index("可以请谁来帮忙"))
    assert "no-store" in staff.headers["Cache-Control"]  # never kept for anyone else
    client.post("/auth/logout")
    assert "可以请谁来帮忙" not in text(client.get(url))  # nor served from the cache


def test_no_suggestions_once_the_wish_is_claimed(client, neighbourhood, login_as):
    from factories import claimed_wish

    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer)
    login_as(n.secretary)
    assert "可以请谁来帮忙" not in text(client.get(f"/wishes/{wish.id}"))
