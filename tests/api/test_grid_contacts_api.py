"""Grid contacts through the API: the staff give a resident or volunteer a duty on a grid
place (楼栋长, 院落长, 网格员); the contact card masks phones except for the people who may
call; a need reaches the contacts of its place and of the places above it; a 楼栋长 lists
the needs of their building."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from helpers import error_of, settle_homes

from wishboard.audit.models import AuditEntry
from wishboard.extensions import db
from wishboard.notifications.models import Notification

HEAD_PHONE = "13911112222"
HEAD_MASKED = "139****2222"


@pytest.fixture
def grid(neighbourhood, make_place, make_user):
    """二片区 › 3号院落 › 1栋, 2栋 in the community, a courtyard elsewhere, and the people:
    a resident who will be 1栋's 楼栋长, residents living in 1栋 and 2栋 (one of 1栋 not yet
    verified by the secretary)."""
    n = neighbourhood
    area = make_place("二片区", "area", parent=n.community)
    courtyard = make_place("3号院落", "courtyard", parent=area)
    return SimpleNamespace(
        n=n, area=area, courtyard=courtyard,
        b1=make_place("1栋", "building", parent=courtyard),
        b2=make_place("2栋", "building", parent=courtyard),
        far_courtyard=make_place("远处院落", "courtyard", parent=n.elsewhere),
        head=make_user("resident", n.community, name="王建华", phone=HEAD_PHONE),
        newcomer=make_user("resident", n.community, name="孙新来", verified=False),
    )


def assign(client, headers, place, **body):
    return client.post(f"/api/v1/places/{place.id}/contacts", json=body, headers=headers)


def card(client, place, headers=None):
    response = client.get(f"/api/v1/places/{place.id}/contacts", headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def live_in(client, headers, place):
    response = client.put("/api/v1/me/home-place", json={"place_id": place.id},
                          headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def inbox(user, kind="need_submitted") -> list[str]:
    return list(db.session.scalars(sa.select(Notification.text).where(
        Notification.user_id == user.id, Notification.kind == kind)))


def audit_actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def test_a_building_head_is_on_the_card_masked_for_visitors_in_full_for_neighbours_and_staff(
        client, grid, token_for):
    n = grid.n
    staff = token_for(n.secretary)
    made = assign(client, staff, grid.b1, user_id=grid.head.id, role="building_head")
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["role"] == "building_head" and body["role_label"] == "楼栋长"
    assert body["place"]["path"] == "二片区 › 3号院落 › 1栋"
    assert body["name"] == "王建华" and body["phone"] == HEAD_PHONE and body["in_full"]

    # A visitor: name and duty, the phone masked, no account.
    [shown] = card(client, grid.b1)["items"]
    assert (shown["name"], shown["role_label"], shown["phone"], shown["in_full"],
            shown["user_id"]) == ("王**", "楼栋长", HEAD_MASKED, False, None)

    # A verified resident of 1栋 sees the full number; one of 2栋 does not; nor does a
    # resident of 1栋 the secretary has not verified yet.
    served, neighbour, newcomer = (token_for(n.served), token_for(n.neighbour),
                                   token_for(grid.newcomer))
    assert live_in(client, served, grid.b1)["place"]["path"] == "二片区 › 3号院落 › 1栋"
    live_in(client, neighbour, grid.b2)
    live_in(client, newcomer, grid.b1)
    # A home place just said opens nothing yet: moving in a week before counts.
    fresh = card(client, grid.b1, served)["items"][0]
    assert fresh["phone"] == HEAD_MASKED and fresh["name"] == "王建华"  # a member: whole name
    settle_homes()
    assert card(client, grid.b1, served)["items"][0]["phone"] == HEAD_PHONE
    assert card(client, grid.b1, neighbour)["items"][0]["phone"] == HEAD_MASKED
    assert card(client, grid.b1, newcomer)["items"][0]["phone"] == HEAD_MASKED
    # The staff and the 楼栋长 themself.
    assert card(client, grid.b1, staff)["items"][0]["phone"] == HEAD_PHONE
    own = card(client, grid.b1, token_for(grid.head))["items"][0]
    assert own["phone"] == HEAD_PHONE and own["user_id"] == grid.head.id

    # The community's card lists the whole grid, with the same rule.
    assert card(client, n.community)["items"][0]["phone"] == HEAD_MASKED
    assert card(client, n.community, served)["items"][0]["phone"] == HEAD_PHONE
    # The 2栋 card does not list 1栋's 楼栋长.
    assert card(client, grid.b2)["items"] == []

    # Each full number seen by someone else is in the audit log: the neighbour twice, the
    # staff once; visitors, the masked and the contact themself never.
    sights = audit_actions("grid_contacts_viewed")
    assert [e.actor_id for e in sights] == [n.served.id, n.secretary.id, n.served.id]
    assert all(e.after == {"contact_ids": [body["id"]]} for e in sights)


def test_a_volunteer_living_there_sees_the_numbers_of_the_places_above_their_home(
        client, grid, token_for):
    n = grid.n
    staff = token_for(n.secretary)
    assign(client, staff, grid.courtyard, user_id=grid.head.id, role="courtyard_head")
    assign(client, staff, grid.area, user_id=n.other_volunteer.id, role="grid_worker")
    volunteer = token_for(n.volunteer)
    live_in(client, volunteer, grid.b2)  # kept in the volunteer's service profile
    settle_homes()
    items = card(client, grid.b2, volunteer)["items"]
    assert [(i["role_label"], i["place"]["path"], i["in_full"]) for i in items] == [
        ("网格员", "二片区", True), ("院落长", "二片区 › 3号院落", True)]
    me = client.get("/api/v1/me/profile", headers=volunteer).get_json()
    assert me["home_place"]["id"] == grid.b2.id


@pytest.mark.parametrize("place, role", [
    ("courtyard", "building_head"), ("b1", "courtyard_head"), ("area", "building_head"),
    ("area", "courtyard_head"),
])
def test_a_duty_must_fit_the_level_of_its_place(client, grid, token_for, place, role):
    response = assign(client, token_for(grid.n.secretary), getattr(grid, place),
                      user_id=grid.head.id, role=role)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "role_does_not_fit_place" and "role" in error["fields"]


@pytest.mark.parametrize("place", ["area", "courtyard", "b1"])
def test_a_grid_worker_fits_any_grid_place(client, grid, token_for, place):
    response = assign(client, token_for(grid.n.secretary), getattr(grid, place),
                      user_id=grid.head.id, role="grid_worker")
    assert response.status_code == 201, response.get_json()


def test_the_community_itself_has_no_contacts(client, grid, token_for):
    response = assign(client, token_for(grid.n.secretary), grid.n.community,
                      user_id=grid.head.id, role="grid_worker")
    assert response.status_code == 400 and error_of(response)["code"] == "not_a_grid_place"


@pytest.mark.parametrize("who", ["far_resident", "far_volunteer", "secretary",
                                 "far_secretary"])
def test_only_residents_and_volunteers_of_the_community_can_hold_a_duty(
        client, grid, token_for, who):
    response = assign(client, token_for(grid.n.secretary), grid.b1,
                      user_id=getattr(grid.n, who).id, role="building_head")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "not_a_neighbour" and "user_id" in error["fields"]


def test_no_such_person_and_a_person_named_by_phone(client, grid, token_for):
    staff = token_for(grid.n.secretary)
    nobody = assign(client, staff, grid.b1, user_id=999999, role="building_head")
    assert nobody.status_code == 400 and error_of(nobody)["code"] == "not_a_neighbour"
    by_phone = assign(client, staff, grid.b1, phone=HEAD_PHONE, role="building_head")
    assert by_phone.status_code == 201 and by_phone.get_json()["name"] == "王建华"
    unknown = assign(client, staff, grid.b1, phone="13700000000", role="grid_worker")
    assert unknown.status_code == 400 and "phone" in error_of(unknown)["fields"]
    # Several accounts of the community share 13800001234 (the fixture's default number).
    shared = assign(client, staff, grid.b1, phone="13800001234", role="grid_worker")
    assert shared.status_code == 400 and error_of(shared)["code"] == "phone_not_unique"


@pytest.mark.parametrize("body", [
    {}, {"role": "building_head"}, {"user_id": 1, "role": "boss"},
    {"user_id": "x", "role": "grid_worker"}, {"phone": "12345", "role": "grid_worker"},
    {"user_id": 1, "role": "grid_worker", "extra": 1}, [],
])
def test_malformed_assignments_are_a_400(client, grid, token_for, body):
    response = client.post(f"/api/v1/places/{grid.b1.id}/contacts", json=body,
                           headers=token_for(grid.n.secretary))
    assert response.status_code == 400
    error_of(response)


def test_the_same_duty_twice_is_a_409(client, grid, token_for):
    staff = token_for(grid.n.secretary)
    assert assign(client, staff, grid.b1, user_id=grid.head.id,
                  role="building_head").status_code == 201
    again = assign(client, staff, grid.b1, user_id=grid.head.id, role="building_head")
    assert again.status_code == 409 and error_of(again)["code"] == "grid_contact_exists"
    # One person may hold several places and duties.
    assert assign(client, staff, grid.b2, user_id=grid.head.id,
                  role="building_head").status_code == 201
    assert assign(client, staff, grid.b1, user_id=grid.head.id,
                  role="grid_worker").status_code == 201


@pytest.mark.parametrize("who, status", [
    ("volunteer", 403), ("served", 403), ("far_secretary", 403), (None, 401)])
def test_only_the_communitys_staff_assign_and_remove(client, grid, token_for, who, status):
    n = grid.n
    made = assign(client, token_for(n.secretary), grid.b1, user_id=grid.head.id,
                  role="building_head").get_json()
    headers = token_for(getattr(n, who)) if who else {}
    response = assign(client, headers, grid.b2, user_id=grid.head.id, role="building_head")
    assert response.status_code == status and error_of(response)
    removal = client.delete(f"/api/v1/places/{grid.b1.id}/contacts/{made['id']}",
                            headers=headers)
    assert removal.status_code == status
    assert len(card(client, grid.b1)["items"]) == 1


def test_an_admin_assigns_in_any_community(client, grid, make_user, token_for):
    admin = make_user("admin", None)
    response = assign(client, token_for(admin), grid.b1, user_id=grid.head.id,
                      role="building_head")
    assert response.status_code == 201


def test_removal_works_and_both_moves_are_audited(client, grid, token_for):
    n = grid.n
    staff = token_for(n.secretary)
    made = assign(client, staff, grid.b1, user_id=grid.head.id, role="building_head").get_json()
    # The person hears of their new duty.
    assert inbox(grid.head, "grid_contact_assigned") == [
        "社区请您担任二片区 › 3号院落 › 1栋的楼栋长，辖区内的新需求会通知您。"]
    wrong_place = client.delete(f"/api/v1/places/{grid.b2.id}/contacts/{made['id']}",
                                headers=staff)
    assert wrong_place.status_code == 404 and error_of(wrong_place)
    gone = client.delete(f"/api/v1/places/{grid.b1.id}/contacts/{made['id']}", headers=staff)
    assert gone.status_code == 204 and gone.get_data() == b""
    assert card(client, grid.b1)["items"] == []
    again = client.delete(f"/api/v1/places/{grid.b1.id}/contacts/{made['id']}", headers=staff)
    assert again.status_code == 404

    [assigned] = audit_actions("grid_contact_assigned")
    [removed] = audit_actions("grid_contact_removed")
    facts = {"place_id": grid.b1.id, "user_id": grid.head.id, "role": "building_head"}
    assert (assigned.actor_id, assigned.object_id, assigned.after) == (
        n.secretary.id, made["id"], facts)
    assert (removed.actor_id, removed.object_id, removed.before) == (
        n.secretary.id, made["id"], facts)
    assert assigned.community_id == removed.community_id == n.community.id
    assert (assigned.action_label, removed.action_label) == ("指派网格联系人", "撤销网格联系人")


def test_a_need_for_1_building_tells_its_building_head_its_courtyard_head_and_the_secretary(
        client, grid, token_for):
    n = grid.n
    staff = token_for(n.secretary)
    assign(client, staff, grid.b1, user_id=grid.head.id, role="building_head")
    # 李建国 holds two duties above 1栋: told once.
    assign(client, staff, grid.courtyard, user_id=n.volunteer.id, role="courtyard_head")
    assign(client, staff, grid.area, user_id=n.volunteer.id, role="grid_worker")
    # 2栋's contact is not told.
    assign(client, staff, grid.b2, user_id=n.other_volunteer.id, role="building_head")

    response = client.post("/api/v1/needs", json={
        "title": "楼道灯坏了", "description": "晚上下楼看不见", "grid_id": grid.b1.id},
        headers=token_for(n.served))
    assert response.status_code == 201, response.get_json()
    told = "新需求：楼道灯坏了（来自吴**）"
    assert inbox(grid.head) == [told]
    assert inbox(n.volunteer) == [told]
    assert inbox(n.secretary) == [told]
    assert inbox(n.other_volunteer) == [] and inbox(n.far_secretary) == []


def test_a_contact_submitting_a_need_is_not_told_of_their_own(client, grid, token_for):
    n = grid.n
    assign(client, token_for(n.secretary), grid.b1, user_id=grid.head.id,
           role="building_head")
    client.post("/api/v1/needs", json={"title": "门禁坏了", "description": "打不开",
                                       "grid_id": grid.b1.id}, headers=token_for(grid.head))
    assert inbox(grid.head) == [] and len(inbox(n.secretary)) == 1


def test_a_building_head_lists_the_needs_of_their_building_and_not_of_another(
        client, grid, token_for):
    n = grid.n
    staff = token_for(n.secretary)
    assign(client, staff, grid.b1, user_id=grid.head.id, role="building_head")
    assign(client, staff, grid.courtyard, user_id=n.volunteer.id, role="courtyard_head")
    served, neighbour = token_for(n.served), token_for(n.neighbour)
    for headers, title, place in ((served, "楼道灯坏了", grid.b1),
                                  (neighbour, "想学用智能手机", grid.b2),
                                  (neighbour, "小区路面有坑", None)):
        body = {"title": title, "description": "请帮忙", "address": "玉林北路3号",
                "contact_phone": "13812345678"}
        if place is not None:
            body["grid_id"] = place.id
        assert client.post("/api/v1/needs", json=body, headers=headers).status_code == 201

    mine = client.get("/api/v1/me/grid-needs", headers=token_for(grid.head))
    assert mine.status_code == 200
    body = mine.get_json()
    assert body["total"] == 1 and [i["title"] for i in body["items"]] == ["楼道灯坏了"]
    [need] = body["items"]
    assert need["resident_name"] == "吴**" and need["status"] == "new"
    assert need["status_label"] == "待处理" and need["created_at"]
    assert need["place"] == {"id": grid.b1.id, "name": "1栋", "path": "二片区 › 3号院落 › 1栋"}
    # Nothing private of the resident: not their words, phone or address.
    page = mine.get_data(as_text=True)
    assert "13812345678" not in page and "玉林北路3号" not in page and "吴秀英" not in page
    assert "请帮忙" not in page

    # The 院落长 sees both buildings, newest first; the status filter works.
    courtyard = client.get("/api/v1/me/grid-needs", headers=token_for(n.volunteer)).get_json()
    assert [i["title"] for i in courtyard["items"]] == ["想学用智能手机", "楼道灯坏了"]
    done = client.get("/api/v1/me/grid-needs?status=published",
                      headers=token_for(n.volunteer)).get_json()
    assert done["total"] == 0

    # Someone with no duty has an empty list; a visitor must log in; bad input is a 400.
    assert client.get("/api/v1/me/grid-needs", headers=neighbour).get_json()["total"] == 0
    assert client.get("/api/v1/me/grid-needs", headers=staff).get_json()["items"] == []
    assert client.get("/api/v1/me/grid-needs").status_code == 401
    bad = client.get("/api/v1/me/grid-needs?status=nope&page=x", headers=served)
    assert bad.status_code == 400 and error_of(bad)


def test_a_duty_taken_back_ends_the_list_and_the_messages(client, grid, token_for):
    n = grid.n
    staff = token_for(n.secretary)
    made = assign(client, staff, grid.b1, user_id=grid.head.id, role="building_head").get_json()
    client.post("/api/v1/needs", json={"title": "楼道灯坏了", "description": "请帮忙",
                                       "grid_id": grid.b1.id}, headers=token_for(n.served))
    head = token_for(grid.head)
    assert client.get("/api/v1/me/grid-needs", headers=head).get_json()["total"] == 1
    client.delete(f"/api/v1/places/{grid.b1.id}/contacts/{made['id']}", headers=staff)
    assert client.get("/api/v1/me/grid-needs", headers=head).get_json()["total"] == 0
    client.post("/api/v1/needs", json={"title": "门口堆了杂物", "description": "请帮忙",
                                       "grid_id": grid.b1.id}, headers=token_for(n.served))
    assert len(inbox(grid.head)) == 1


def test_a_home_place_is_a_grid_place_of_my_community(client, grid, token_for):
    n = grid.n
    served = token_for(n.served)
    assert client.get("/api/v1/me/home-place", headers=served).get_json() == {"place": None}
    for place in (grid.far_courtyard, n.community, n.elsewhere):
        wrong = client.put("/api/v1/me/home-place", json={"place_id": place.id},
                           headers=served)
        assert wrong.status_code == 400 and "place_id" in error_of(wrong)["fields"]
    live_in(client, served, grid.courtyard)
    live_in(client, served, grid.b1)  # moving replaces it
    assert client.get("/api/v1/me/home-place", headers=served).get_json()["place"]["id"] == \
        grid.b1.id
    cleared = client.put("/api/v1/me/home-place", json={"place_id": None}, headers=served)
    assert cleared.status_code == 200 and cleared.get_json() == {"place": None}
    staff = client.put("/api/v1/me/home-place", json={"place_id": grid.b1.id},
                       headers=token_for(n.secretary))
    assert staff.status_code == 403
    missing = client.put("/api/v1/me/home-place", json={}, headers=served)
    assert missing.status_code == 400


def test_the_card_of_a_missing_place_is_a_404_and_a_street_has_no_contacts(
        client, grid, make_place):
    missing = client.get("/api/v1/places/999999/contacts")
    assert missing.status_code == 404 and error_of(missing)
    street = make_place("玉林街道", "street")
    assert card(client, street) == {
        "place": {"id": street.id, "name": "玉林街道", "level": "street", "level_label": "街道",
                  "path": "玉林街道"}, "items": []}
