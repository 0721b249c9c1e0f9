import pytest
from helpers import error_of

from wishboard.places.services import DEFAULT_CATEGORIES


@pytest.fixture
def admin(make_user, token_for):
    return token_for(make_user("admin", None, name="管理员"))


def test_admin_builds_a_community_and_its_grid_and_anyone_can_read_it(client, admin):
    def create(**body):
        response = client.post("/api/v1/communities", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    district = create(name="武侯区", level="district")
    street = create(name="玉林街道", level="street", parent_id=district["id"])
    community = create(name="玉林北路社区", level="community", parent_id=street["id"],
                       auto_approve_reports=True)
    area = create(name="一片区", level="area", parent_id=community["id"])
    courtyard = create(name="芳草院", level="courtyard", parent_id=area["id"])
    building = create(name="1栋", level="building", parent_id=courtyard["id"])
    assert building["community_id"] == community["id"]
    assert courtyard["community_id"] == community["id"]
    assert community["auto_approve_reports"] is True

    listing = client.get("/api/v1/communities").get_json()
    assert [c["name"] for c in listing["items"]] == ["武侯区", "玉林街道", "玉林北路社区"]
    assert listing["total"] == 3 and listing["page"] == 1

    detail = client.get(f"/api/v1/communities/{community['id']}").get_json()
    assert detail["name"] == "玉林北路社区"
    assert detail["grid"][0]["name"] == "一片区"
    assert detail["grid"][0]["children"][0]["name"] == "芳草院"
    assert detail["grid"][0]["children"][0]["children"][0]["name"] == "1栋"


def test_rural_names_make_the_same_tree(client, admin):
    county = client.post("/api/v1/communities", headers=admin,
                         json={"name": "桦南县", "level": "county"}).get_json()
    town = client.post("/api/v1/communities", headers=admin,
                       json={"name": "土龙山镇", "level": "town", "parent_id": county["id"]}
                       ).get_json()
    village = client.post("/api/v1/communities", headers=admin,
                          json={"name": "东村", "level": "village", "parent_id": town["id"]})
    assert village.status_code == 201
    group = client.post("/api/v1/communities", headers=admin,
                        json={"name": "一社", "level": "group",
                              "parent_id": village.get_json()["id"]})
    assert group.status_code == 201
    assert group.get_json()["level_label"] == "社"


@pytest.mark.parametrize("child_level, parent_level", [
    ("street", "community"),      # a child can't sit above its parent
    ("building", "street"),       # grid places belong inside a community
    ("area", None),               # and never at the top
])
def test_impossible_trees_are_refused_with_400(client, admin, make_place, child_level,
                                               parent_level):
    parent = make_place("上级", parent_level) if parent_level else None
    body = {"name": "下级", "level": child_level}
    if parent:
        body["parent_id"] = parent.id
    response = client.post("/api/v1/communities", json=body, headers=admin)
    assert response.status_code == 400
    assert error_of(response)["fields"]


def test_sibling_places_cannot_share_a_name(client, admin, community):
    body = {"name": "一片区", "level": "area", "parent_id": community.id}
    assert client.post("/api/v1/communities", json=body, headers=admin).status_code == 201
    again = client.post("/api/v1/communities", json=body, headers=admin)
    assert again.status_code == 409
    assert error_of(again)["code"] == "place_exists"


def test_secretary_adds_grid_places_only_in_their_own_community(
        client, community, make_place, make_user, token_for):
    other = make_place("别的社区")
    secretary = token_for(make_user("secretary", community))
    mine = client.post("/api/v1/communities", headers=secretary,
                       json={"name": "二片区", "level": "area", "parent_id": community.id})
    assert mine.status_code == 201
    theirs = client.post("/api/v1/communities", headers=secretary,
                         json={"name": "二片区", "level": "area", "parent_id": other.id})
    assert theirs.status_code == 403
    assert error_of(theirs)["code"] == "not_your_community"
    new_community = client.post("/api/v1/communities", headers=secretary,
                                json={"name": "新社区", "level": "community"})
    assert new_community.status_code == 403


def test_creating_places_needs_staff(client, community, make_user, token_for):
    body = {"name": "x", "level": "district"}
    assert client.post("/api/v1/communities", json=body).status_code == 401
    resident = token_for(make_user("resident", community))
    response = client.post("/api/v1/communities", json=body, headers=resident)
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_unknown_community_is_404_with_the_error_shape(client):
    response = client.get("/api/v1/communities/424242")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_listing_validates_its_query(client):
    response = client.get("/api/v1/communities?per_page=1000&level=planet")
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"per_page", "level"}


def test_organisations_by_admin_or_own_secretary_only(client, community, make_place, make_user,
                                                      token_for, admin):
    other = make_place("别的社区")
    created = client.post("/api/v1/organizations", headers=admin,
                          json={"name": "四川省种子站党支部", "community_id": community.id})
    assert created.status_code == 201
    duplicate = client.post("/api/v1/organizations", headers=admin,
                            json={"name": "四川省种子站党支部", "community_id": community.id})
    assert duplicate.status_code == 409
    secretary = token_for(make_user("secretary", community))
    assert client.post("/api/v1/organizations", headers=secretary,
                       json={"name": "玉林小学党支部", "community_id": community.id}
                       ).status_code == 201
    assert client.post("/api/v1/organizations", headers=secretary,
                       json={"name": "别处党支部", "community_id": other.id}
                       ).status_code == 403
    listing = client.get(f"/api/v1/organizations?community_id={community.id}").get_json()
    assert {o["name"] for o in listing["items"]} == {"四川省种子站党支部", "玉林小学党支部"}
    missing = client.post("/api/v1/organizations", headers=admin,
                          json={"name": "无处党支部", "community_id": 999999})
    assert missing.status_code == 400


def test_admin_creates_a_secretary_who_can_then_log_in(client, admin, community, token_for):
    response = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "shuji_wang", "password": "a-long-pass", "name": "王书记",
        "phone": "13800000001", "role": "secretary", "community_id": community.id})
    assert response.status_code == 201
    assert response.get_json()["role"] == "secretary"
    login = client.post("/api/v1/auth/token",
                        json={"username": "shuji_wang", "password": "a-long-pass"})
    assert login.status_code == 200


def test_only_admins_create_secretaries(client, community, make_user, token_for):
    secretary = token_for(make_user("secretary", community))
    response = client.post("/api/v1/admin/users", headers=secretary, json={
        "username": "shuji_two", "password": "a-long-pass", "name": "二书记",
        "role": "secretary", "community_id": community.id})
    assert response.status_code == 403


def test_secretary_for_an_unknown_community_is_400(client, admin):
    response = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "shuji_x", "password": "a-long-pass", "name": "书记",
        "role": "secretary", "community_id": 999999})
    assert response.status_code == 400
    assert "community_id" in error_of(response)["fields"]


def test_the_seven_categories_exist_and_admins_add_more(client, admin, community, make_user,
                                                        token_for):
    names = [c["name"] for c in client.get("/api/v1/categories").get_json()]
    assert names == [name for name, _, _ in DEFAULT_CATEGORIES]
    added = client.post("/api/v1/categories", headers=admin,
                        json={"name": "助餐送餐", "description": "为老人送饭", "sort_order": 80})
    assert added.status_code == 201
    assert client.get("/api/v1/categories").get_json()[-1]["name"] == "助餐送餐"
    assert client.post("/api/v1/categories", headers=admin,
                       json={"name": "助餐送餐"}).status_code == 409
    secretary = token_for(make_user("secretary", community))
    assert client.post("/api/v1/categories", headers=secretary,
                       json={"name": "别的"}).status_code == 403


def test_secretary_rejects_a_report_with_a_reason_the_volunteer_sees(
        client, community, make_user, token_for):
    secretary = token_for(make_user("secretary", community))
    volunteer = make_user("volunteer", community, report_status="pending")
    without_reason = client.post(f"/api/v1/volunteers/{volunteer.id}/reject",
                                 headers=secretary, json={})
    assert without_reason.status_code == 400
    assert "reason" in error_of(without_reason)["fields"]
    rejected = client.post(f"/api/v1/volunteers/{volunteer.id}/reject", headers=secretary,
                           json={"reason": "不是本社区居民"})
    assert rejected.status_code == 200
    me = client.get("/api/v1/me", headers=token_for(volunteer)).get_json()
    assert me["report_status"] == "rejected"
    assert me["report_reject_reason"] == "不是本社区居民"
    twice = client.post(f"/api/v1/volunteers/{volunteer.id}/reject", headers=secretary,
                        json={"reason": "again"})
    assert twice.status_code == 409
    # On second thought the secretary may still approve.
    assert client.post(f"/api/v1/volunteers/{volunteer.id}/approve",
                       headers=secretary).status_code == 200
    again = client.post(f"/api/v1/volunteers/{volunteer.id}/approve", headers=secretary)
    assert again.status_code == 409
    assert error_of(again)["code"] == "report_already_approved"


def test_a_secretary_of_another_community_cannot_decide_reports(
        client, community, make_place, make_user, token_for):
    other_secretary = token_for(make_user("secretary", make_place("别的社区")))
    volunteer = make_user("volunteer", community, report_status="pending")
    response = client.post(f"/api/v1/volunteers/{volunteer.id}/approve",
                           headers=other_secretary)
    assert response.status_code == 403
    queue = client.get(f"/api/v1/volunteers?community_id={community.id}",
                       headers=other_secretary)
    assert queue.status_code == 403


def test_approving_a_resident_or_nobody_is_404(client, community, make_user, token_for):
    secretary = token_for(make_user("secretary", community))
    resident = make_user("resident", community)
    assert client.post(f"/api/v1/volunteers/{resident.id}/approve",
                       headers=secretary).status_code == 404
    assert client.post("/api/v1/volunteers/999999/approve",
                       headers=secretary).status_code == 404


def test_volunteers_cannot_see_the_queue(client, community, make_user, token_for):
    volunteer = token_for(make_user("volunteer", community))
    assert client.get("/api/v1/volunteers", headers=volunteer).status_code == 403


def test_the_queue_pages_oldest_first(client, community, make_user, token_for):
    from datetime import datetime, timedelta, timezone

    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for i in range(5):
        make_user("volunteer", community, username=f"vol{i}", report_status="pending",
                  created_at=start + timedelta(days=i))
    secretary = token_for(make_user("secretary", community))
    page2 = client.get("/api/v1/volunteers?per_page=2&page=2", headers=secretary).get_json()
    assert [v["username"] for v in page2["items"]] == ["vol2", "vol3"]
    assert page2["total"] == 5


def test_community_rules_by_its_secretary_only(client, community, make_place, make_user,
                                               token_for):
    secretary = token_for(make_user("secretary", community))
    changed = client.patch(f"/api/v1/communities/{community.id}", headers=secretary,
                           json={"claim_window_days": 10, "max_open_claims": 2})
    assert changed.status_code == 200
    assert changed.get_json()["claim_window_days"] == 10
    assert changed.get_json()["max_open_claims"] == 2
    cleared = client.patch(f"/api/v1/communities/{community.id}", headers=secretary,
                           json={"max_open_claims": None})
    assert cleared.get_json()["max_open_claims"] is None
    assert client.patch(f"/api/v1/communities/{community.id}", headers=secretary,
                        json={"claim_window_days": 365}).status_code == 400
    other = token_for(make_user("secretary", make_place("别的社区")))
    assert client.patch(f"/api/v1/communities/{community.id}", headers=other,
                        json={"claim_window_days": 3}).status_code == 403
