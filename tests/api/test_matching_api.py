"""Reaching the right hands, through the API: skill tags, a volunteer's profile and follows,
followers told of a new wish, and the volunteers suggested for an open wish."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from factories import claimed_wish, make_wish
from helpers import count_queries, error_of

from wishboard.accounts.models import ReportStatus
from wishboard.extensions import db
from wishboard.matching import services as matching
from wishboard.matching.models import Skill
from wishboard.notifications.models import Notification
from wishboard.places.models import Category

# --- fixtures -----------------------------------------------------------------------------




def skill_id(name: str) -> int:
    return db.session.scalar(sa.select(Skill.id).where(Skill.name == name,
                                                       Skill.community_id.is_(None)))


def category_id(name: str) -> int:
    return db.session.scalar(sa.select(Category.id).where(Category.name == name))


@pytest.fixture
def grid(neighbourhood, make_place):
    """一片区 › 芳草院 › 1栋, 2栋; 二片区 › 北路西院 › 1栋; and a courtyard elsewhere."""
    n = neighbourhood
    area_one = make_place("一片区", "area", parent=n.community)
    fangcao = make_place("芳草院", "courtyard", parent=area_one)
    area_two = make_place("二片区", "area", parent=n.community)
    beilu = make_place("北路西院", "courtyard", parent=area_two)
    far_courtyard = make_place("远处院落", "courtyard", parent=n.elsewhere)
    return SimpleNamespace(
        area_one=area_one, fangcao=fangcao,
        fangcao_1=make_place("1栋", "building", parent=fangcao),
        fangcao_2=make_place("2栋", "building", parent=fangcao),
        area_two=area_two, beilu=beilu, beilu_1=make_place("1栋", "building", parent=beilu),
        far_courtyard=far_courtyard)


def put_profile(client, headers, **body):
    return client.put("/api/v1/me/profile", json=body, headers=headers)


def inbox(user) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.kind == "wish_followed")))


# --- skill tags ---------------------------------------------------------------------------

def test_a_community_lists_the_defaults_and_its_secretary_adds_its_own(
        client, neighbourhood, token_for):
    n = neighbourhood
    url = f"/api/v1/communities/{n.community.id}/skills"
    names = [s["name"] for s in client.get(url).get_json()]
    assert names == matching.DEFAULT_SKILLS

    secretary = token_for(n.secretary)
    added = client.post(url, json={"name": "修自行车"}, headers=secretary)
    assert added.status_code == 201, added.get_json()
    assert added.get_json() == {"id": added.get_json()["id"], "name": "修自行车",
                                "community_id": n.community.id, "is_default": False}
    assert [s["name"] for s in client.get(url).get_json()][-1] == "修自行车"
    # Not in another community's list.
    elsewhere = client.get(f"/api/v1/communities/{n.elsewhere.id}/skills").get_json()
    assert "修自行车" not in [s["name"] for s in elsewhere]

    again = client.post(url, json={"name": "修自行车"}, headers=secretary)
    assert again.status_code == 409 and error_of(again)["code"] == "skill_exists"
    default = client.post(url, json={"name": "理发"}, headers=secretary)
    assert default.status_code == 409 and error_of(default)["fields"] == {"name": ["已存在"]}
    blank = client.post(url, json={"name": "  "}, headers=secretary)
    assert blank.status_code == 400 and "name" in error_of(blank)["fields"]


def test_only_that_communitys_staff_add_skills(client, neighbourhood, token_for):
    n = neighbourhood
    url = f"/api/v1/communities/{n.community.id}/skills"
    far = client.post(url, json={"name": "修自行车"}, headers=token_for(n.far_secretary))
    assert far.status_code == 403 and error_of(far)["code"] == "not_your_community"
    volunteer = client.post(url, json={"name": "修自行车"}, headers=token_for(n.volunteer))
    assert volunteer.status_code == 403
    assert client.post(url, json={"name": "修自行车"}).status_code == 401
    assert client.get("/api/v1/communities/999999/skills").status_code == 404


# --- my profile ---------------------------------------------------------------------------

def test_a_volunteer_saves_a_profile_and_reads_it_back(client, neighbourhood, grid, token_for):
    n = neighbourhood
    me = token_for(n.volunteer)
    empty = client.get("/api/v1/me/profile", headers=me)
    assert empty.status_code == 200
    assert empty.get_json()["skills"] == [] and empty.get_json()["offer"] == ""

    own = client.post(f"/api/v1/communities/{n.community.id}/skills", json={"name": "修自行车"},
                      headers=token_for(n.secretary)).get_json()
    body = {"skills": [skill_id("理发"), own["id"], skill_id("理发")],
            "offer": "每周六上午可以上门理发，提前一天联系社区。",
            "availability": ["weekend_morning", "weekday_evening"],
            "home_place_id": grid.fangcao_2.id,
            "follows": {"categories": [category_id("居民保健")],
                        "places": [grid.fangcao.id, grid.beilu_1.id]}}
    saved = put_profile(client, me, **body)
    assert saved.status_code == 200, saved.get_json()
    profile = client.get("/api/v1/me/profile", headers=me).get_json()
    assert profile == saved.get_json()
    assert [s["name"] for s in profile["skills"]] == ["理发", "修自行车"]
    assert profile["offer"] == body["offer"]
    assert profile["availability"] == ["weekday_evening", "weekend_morning"]
    assert profile["availability_labels"] == ["工作日晚上", "周末上午"]
    assert profile["home_place"] == {"id": grid.fangcao_2.id, "name": "2栋"}
    assert profile["follows"]["categories"] == [{"id": category_id("居民保健"),
                                                 "name": "居民保健"}]
    assert [p["id"] for p in profile["follows"]["places"]] == [grid.fangcao.id,
                                                              grid.beilu_1.id]
    assert profile["user_id"] == n.volunteer.id

    # A field left out stays; a list given replaces the list; [] and null clear.
    partial = put_profile(client, me, follows={"places": []}, home_place_id=None).get_json()
    assert partial["follows"]["places"] == [] and partial["home_place"] is None
    assert partial["follows"]["categories"] == profile["follows"]["categories"]
    assert [s["name"] for s in partial["skills"]] == ["理发", "修自行车"]
    assert partial["offer"] == body["offer"]


@pytest.mark.parametrize("body, field", [
    ({"skills": [999999]}, ["skills"]),
    ({"follows": {"places": [999999]}}, ["follows", "places"]),
    ({"follows": {"categories": [999999]}}, ["follows", "categories"]),
    ({"home_place_id": 999999}, ["home_place_id"]),
    ({"availability": ["sunday_midnight"]}, ["availability"]),
    ({"offer": "好" * 201}, ["offer"]),
    ({"follows": {"people": [1]}}, ["follows", "people"]),
])
def test_bad_profile_input_is_a_400_naming_the_field(client, neighbourhood, token_for,
                                                     body, field):
    response = put_profile(client, token_for(neighbourhood.volunteer), **body)
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    for name in field:
        fields = fields[name]
    assert fields


def test_another_communitys_places_and_skills_are_refused(client, neighbourhood, grid,
                                                          token_for):
    n = neighbourhood
    far_skill = client.post(f"/api/v1/communities/{n.elsewhere.id}/skills",
                            json={"name": "修自行车"},
                            headers=token_for(n.far_secretary)).get_json()["id"]
    me = token_for(n.volunteer)
    place = put_profile(client, me, follows={"places": [grid.far_courtyard.id]})
    assert place.status_code == 400
    assert error_of(place)["fields"] == {
        "follows": {"places": [f"本社区没有这些网格：{grid.far_courtyard.id}"]}}
    home = put_profile(client, me, home_place_id=grid.far_courtyard.id)
    assert error_of(home)["fields"] == {"home_place_id": ["本社区没有这个网格"]}
    # The community itself is no grid place.
    whole = put_profile(client, me, follows={"places": [n.community.id]})
    assert whole.status_code == 400
    skill = put_profile(client, me, skills=[skill_id("理发"), far_skill])
    assert error_of(skill)["fields"] == {"skills": [f"本社区没有这些特长：{far_skill}"]}
    # Nothing was saved by the refused calls.
    assert client.get("/api/v1/me/profile", headers=me).get_json()["skills"] == []


def test_residents_staff_and_visitors_have_no_profile(client, neighbourhood, token_for):
    n = neighbourhood
    assert client.get("/api/v1/me/profile").status_code == 401
    assert put_profile(client, {}, offer="x").status_code == 401
    for person in (n.served, n.secretary):
        headers = token_for(person)
        assert client.get("/api/v1/me/profile", headers=headers).status_code == 403
        assert put_profile(client, headers, offer="x").status_code == 403


def test_a_pending_volunteer_may_fill_in_a_profile(client, neighbourhood, make_user,
                                                   token_for):
    pending = make_user("volunteer", neighbourhood.community,
                        report_status=ReportStatus.PENDING)
    response = put_profile(client, token_for(pending), offer="等审核通过就来帮忙")
    assert response.status_code == 200


# --- followers hear of a new wish ---------------------------------------------------------

def publish(client, secretary_headers, **overrides):
    body = {"title": "帮独居老人联系康复护理", "description": "吴婆婆92岁，想在家附近做康复",
            "category_id": category_id("居民保健"), "beneficiary_name": "吴秀英"}
    body.update(overrides)
    return client.post("/api/v1/wishes", json=body, headers=secretary_headers)


def test_followers_of_the_category_or_the_place_hear_once(client, neighbourhood, grid,
                                                          make_user, token_for):
    n = neighbourhood
    by_category = token_for(n.volunteer)
    put_profile(client, by_category, follows={"categories": [category_id("居民保健")]})
    both = make_user("volunteer", n.community, name="两样都关注")
    put_profile(client, token_for(both), follows={"categories": [category_id("居民保健")],
                                                  "places": [grid.fangcao.id]})
    by_area = make_user("volunteer", n.community, name="关注片区")
    put_profile(client, token_for(by_area), follows={"places": [grid.area_one.id]})
    other_place = make_user("volunteer", n.community, name="关注别处")
    put_profile(client, token_for(other_place), follows={"places": [grid.beilu.id],
                                                         "categories": [category_id("七彩阳光")]})
    far = token_for(n.far_volunteer)
    put_profile(client, far, follows={"categories": [category_id("居民保健")]})
    pending = make_user("volunteer", n.community, report_status=ReportStatus.PENDING)
    put_profile(client, token_for(pending), follows={"categories": [category_id("居民保健")]})

    response = publish(client, token_for(n.secretary), grid_id=grid.fangcao_1.id)
    assert response.status_code == 201
    wish_id = response.get_json()["id"]

    text = "您关注的“居民保健”有新心愿：帮独居老人联系康复护理"
    assert [(m.text, m.wish_id) for m in inbox(n.volunteer)] == [(text, wish_id)]
    assert [m.text for m in inbox(both)] == [text]  # once, though both apply
    assert [m.text for m in inbox(by_area)] == [
        "您关注的“一片区”有新心愿：帮独居老人联系康复护理"]
    assert inbox(other_place) == [] and inbox(n.other_volunteer) == []
    assert inbox(n.far_volunteer) == [] and inbox(pending) == []
    assert inbox(n.secretary) == []

    # And it is in their inbox through the API.
    items = client.get("/api/v1/notifications", headers=by_category).get_json()["items"]
    assert any(i["kind"] == "wish_followed" and i["wish_id"] == wish_id for i in items)


def test_publishing_a_residents_need_tells_followers_too(client, neighbourhood, token_for):
    n = neighbourhood
    put_profile(client, token_for(n.volunteer), follows={"categories": [category_id("居民保健")]})
    need = client.post("/api/v1/needs", headers=token_for(n.served), json={
        "title": "想做康复", "description": "腿不好", "category_id": category_id("居民保健")})
    assert need.status_code == 201
    published = client.post(f"/api/v1/needs/{need.get_json()['id']}/publish",
                            headers=token_for(n.secretary),
                            json={"title": "陪吴婆婆做康复", "description": "每周两次"})
    assert published.status_code == 201, published.get_json()
    assert [m.text for m in inbox(n.volunteer)] == ["您关注的“居民保健”有新心愿：陪吴婆婆做康复"]


def test_a_publish_that_fails_tells_nobody(client, neighbourhood, grid, token_for):
    n = neighbourhood
    put_profile(client, token_for(n.volunteer), follows={"categories": [category_id("居民保健")]})
    secretary = token_for(n.secretary)
    wrong_place = publish(client, secretary, grid_id=grid.far_courtyard.id)
    assert wrong_place.status_code == 400 and "grid_id" in error_of(wrong_place)["fields"]
    no_one_served = publish(client, secretary, beneficiary_name=None)
    assert no_one_served.status_code == 400
    assert inbox(n.volunteer) == []


def test_telling_followers_costs_the_same_queries_for_one_or_many(
        client, neighbourhood, grid, make_user, token_for):
    n = neighbourhood
    counts = []
    for extra in (0, 5):
        for i in range(extra):
            follower = make_user("volunteer", n.community, name=f"关注者{i}")
            matching.update_profile(follower, follows={
                "categories": [category_id("居民保健")], "places": [grid.fangcao.id]})
        matching.update_profile(n.volunteer, follows={"categories": [category_id("居民保健")]})
        with count_queries() as statements:
            make_wish(n.secretary, grid_id=grid.fangcao_1.id,
                      category_id=category_id("居民保健"))
        counts.append(len([s for s in statements if s.lstrip().upper().startswith(
            ("SELECT", "WITH"))]))
        assert len([s for s in statements if "follows" in s]) == 1
    assert counts[0] == counts[1], counts


# --- suggestions for the secretary --------------------------------------------------------

@pytest.fixture
def candidates(neighbourhood, grid, make_user):
    """李建国 can 陪伴就医 and lives in 芳草院 2栋; 王晓梅 follows 居民保健 and lives in 北路西院;
    a third is at the community's cap; a fourth waits for 报到."""
    n = neighbourhood
    matching.update_profile(n.volunteer, skills=[skill_id("陪伴就医"), skill_id("摄影")],
                            home_place_id=grid.fangcao_2.id)
    matching.update_profile(n.other_volunteer, home_place_id=grid.beilu_1.id,
                            follows={"categories": [category_id("居民保健")]})
    busy = make_user("volunteer", n.community, name="忙碌的人")
    matching.update_profile(busy, skills=[skill_id("陪伴就医")], home_place_id=grid.fangcao_1.id)
    n.community.max_open_claims = 1
    db.session.commit()
    claimed_wish(n.secretary, busy, title="另一件事")
    pending = make_user("volunteer", n.community, name="待审核的人",
                        report_status=ReportStatus.PENDING)
    matching.update_profile(pending, skills=[skill_id("陪伴就医")])
    return SimpleNamespace(busy=busy, pending=pending)


def test_suggestions_put_the_right_skill_nearby_first_with_reasons(
        client, neighbourhood, grid, candidates, token_for):
    n = neighbourhood
    wish = make_wish(n.secretary, title="陪吴婆婆去医院复诊", description="每周二上午",
                     category_id=category_id("居民保健"), grid_id=grid.fangcao_1.id)
    response = client.get(f"/api/v1/wishes/{wish.id}/suggestions",
                          headers=token_for(n.secretary))
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert [i["name"] for i in items] == ["李建国", "王晓梅"]
    first = items[0]
    assert first["user_id"] == n.volunteer.id
    assert first["volunteer_type"] == "party_member"
    assert first["organization"] == n.org.name
    assert first["reasons"] == ["会“陪伴就医”", "住在同一院落", "正在进行的认领0个",
                                "近30天完成0次"]
    assert first["score"] == 30 + 8
    assert items[1]["reasons"] == ["关注“居民保健”", "正在进行的认领0个", "近30天完成0次"]
    names = {i["name"] for i in items}
    assert "忙碌的人" not in names  # at the cap
    assert "待审核的人" not in names  # 报到 not approved


def test_suggestions_count_load_and_recent_work(client, neighbourhood, grid, token_for):
    from factories import completed_wish

    n = neighbourhood
    completed_wish(n.secretary, n.other_volunteer, title="买菜")
    completed_wish(n.secretary, n.other_volunteer, title="买药")
    claimed_wish(n.secretary, n.volunteer, title="修水管")
    wish = make_wish(n.secretary, title="打扫楼道", category_id=category_id("美好家园"))
    items = client.get(f"/api/v1/wishes/{wish.id}/suggestions",
                       headers=token_for(n.secretary)).get_json()["items"]
    assert [(i["name"], i["score"]) for i in items] == [("王晓梅", 10), ("李建国", -10)]
    assert items[0]["reasons"] == ["正在进行的认领0个", "近30天完成2次"]
    assert items[1]["reasons"] == ["正在进行的认领1个", "近30天完成0次"]


def test_only_the_communitys_staff_see_suggestions_and_only_for_open_wishes(
        client, neighbourhood, token_for, make_user):
    n = neighbourhood
    wish = make_wish(n.secretary)
    url = f"/api/v1/wishes/{wish.id}/suggestions"
    for person in (n.volunteer, n.served, n.far_secretary):
        response = client.get(url, headers=token_for(person))
        assert response.status_code == 403, person
    assert client.get(url).status_code == 401
    admin = make_user("admin", None, name="管理员")
    assert client.get(url, headers=token_for(admin)).status_code == 200
    secretary = token_for(n.secretary)
    assert client.get("/api/v1/wishes/999999/suggestions", headers=secretary).status_code == 404

    claimed = claimed_wish(n.secretary, n.volunteer)
    taken = client.get(f"/api/v1/wishes/{claimed.id}/suggestions", headers=secretary)
    assert taken.status_code == 409
    assert error_of(taken)["code"] == "wish_not_open"
    assert "待认领" in error_of(taken)["message"]


def test_the_wish_detail_says_whether_suggestions_are_there_for_the_viewer(
        client, neighbourhood, token_for):
    n = neighbourhood
    wish = make_wish(n.secretary)
    secretary = client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(n.secretary))
    assert secretary.get_json()["actions"]["suggest"] is True
    volunteer = client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(n.volunteer))
    assert volunteer.get_json()["actions"]["suggest"] is False
