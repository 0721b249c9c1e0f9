"""Grandma Wu's wish, end to end through HTTP, and every forbidden move on the way."""

import pytest
import sqlalchemy as sa
from helpers import error_of

from wishboard.accounts.models import User
from wishboard.extensions import db
from wishboard.notifications.models import Notification
from wishboard.wishes.models import Claim


@pytest.fixture
def people(community, make_user, make_org, token_for):
    org = make_org(community, "四川省种子站党支部")
    wu = make_user("resident", community, name="吴秀英", phone="13812341234", username="wu")
    return {
        "org": org,
        "wu": wu,
        "wu_h": token_for(wu),
        "secretary": token_for(make_user("secretary", community, name="张丽华")),
        "li": make_user("volunteer", community, name="李建国", organization=org),
        "neighbour": token_for(make_user("resident", community, name="黄大爷")),
    }


def category_id(client, name="居民保健"):
    return next(c["id"] for c in client.get("/api/v1/categories").get_json()
                if c["name"] == name)


def post_need(client, headers, **overrides):
    body = {"title": "想在家附近做康复护理", "description": "92岁独居，腿脚不便，希望有人帮忙联系康复护理",
            "address": "玉林北路2号3栋1单元", "contact_phone": "13812341234"}
    body.update(overrides)
    response = client.post("/api/v1/needs", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def publish(client, people, need_id, **overrides):
    body = {"category_id": category_id(client), "public_alias": "吴婆婆",
            "title": "帮独居老人联系康复护理", "description": "一位老人想在家附近做康复护理"}
    body.update(overrides)
    response = client.post(f"/api/v1/needs/{need_id}/publish", json=body,
                           headers=people["secretary"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_grandma_wus_wish_from_need_to_close(client, people, token_for):
    need = post_need(client, people["wu_h"])
    assert need["status"] == "new"
    queue = client.get("/api/v1/needs?status=new", headers=people["secretary"]).get_json()
    assert [n["id"] for n in queue["items"]] == [need["id"]]

    wish = publish(client, people, need["id"])
    assert wish["state"] == "open" and wish["public_alias"] == "吴婆婆"
    mine = client.get(f"/api/v1/needs/{need['id']}", headers=people["wu_h"]).get_json()
    assert mine["status"] == "published" and mine["wish_id"] == wish["id"]

    li = token_for(people["li"])
    claimed = client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=li,
                          json={"accept_letter": True, "organization_id": people["org"].id})
    assert claimed.status_code == 200, claimed.get_json()
    assert claimed.get_json()["state"] == "claimed"
    assert claimed.get_json()["claimant"]["name"] == "李建国"

    public = client.get(f"/api/v1/wishes/{wish['id']}").get_json()
    letter = public["claim"]["letter"]
    assert "项目责任书" in letter and "李建国" in letter and "四川省种子站党支部" in letter
    assert "吴婆婆" in letter and "吴秀英" not in letter

    done = client.post(f"/api/v1/wishes/{wish['id']}/complete", headers=li,
                       json={"hours": 2.5, "note": "联系了社区卫生服务中心，每周上门两次"})
    assert done.status_code == 200 and done.get_json()["state"] == "completed"

    rated = client.post(f"/api/v1/wishes/{wish['id']}/ratings", headers=people["wu_h"],
                        json={"stars": 5, "comment": "小李很耐心，谢谢党员志愿者"})
    assert rated.status_code == 201

    closed = client.post(f"/api/v1/wishes/{wish['id']}/close", headers=people["secretary"])
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"

    story = client.get(f"/api/v1/wishes/{wish['id']}").get_json()
    assert [e["action"] for e in story["timeline"]] == [
        "need_submitted", "published", "claimed", "completed", "rated", "closed"]
    assert [e["to_state"] for e in story["timeline"][1:4]] == ["open", "claimed", "completed"]
    assert story["timeline"][0]["actor"]["name"] == "吴**"   # residents masked in public
    assert story["timeline"][2]["actor"]["name"] == "李建国"  # a claim is a public promise
    assert story["average_stars"] == 5.0 and story["rating_count"] == 1
    assert story["ratings"][0]["comment"] == "小李很耐心，谢谢党员志愿者"
    assert story["claim"]["hours"] == 2.5

    inbox = client.get("/api/v1/notifications", headers=people["wu_h"]).get_json()
    kinds = [n["kind"] for n in inbox["items"]]
    assert kinds == ["wish_completed", "wish_claimed", "wish_published"]
    claimant_inbox = client.get("/api/v1/notifications", headers=li).get_json()
    # Grandma Wu's own rating confirmed the hours Li stated.
    assert [n["kind"] for n in claimant_inbox["items"]] == ["wish_rated", "hours_confirmed"]
    read = client.post("/api/v1/notifications/read", headers=people["wu_h"], json={})
    assert read.get_json() == {"updated": 3, "unread": 0}


def test_secretary_records_a_need_and_a_rating_for_a_resident_without_a_phone(
        client, people, token_for):
    need = post_need(client, people["secretary"], contact_name="孙奶奶",
                     contact_phone="02885551234", address="芳草院1栋")
    assert need["on_behalf"] is True
    wish = publish(client, people, need["id"], public_alias="孙奶奶")
    li = token_for(people["li"])
    client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=li, json={"accept_letter": True})
    client.post(f"/api/v1/wishes/{wish['id']}/complete", headers=li, json={"hours": 1})
    detail = client.get(f"/api/v1/wishes/{wish['id']}", headers=people["secretary"]).get_json()
    beneficiary = detail["beneficiaries"][0]
    assert beneficiary["name"] == "孙奶奶" and beneficiary["phone"] == "02885551234"
    recorded = client.post(f"/api/v1/wishes/{wish['id']}/ratings", headers=people["secretary"],
                           json={"stars": 4, "comment": "老人口述：很满意",
                                 "beneficiary_id": beneficiary["id"]})
    assert recorded.status_code == 201 and recorded.get_json()["on_behalf"] is True
    again = client.post(f"/api/v1/wishes/{wish['id']}/ratings", headers=people["secretary"],
                        json={"stars": 5, "beneficiary_id": beneficiary["id"]})
    assert again.status_code == 409
    story = client.get(f"/api/v1/wishes/{wish['id']}").get_json()
    assert story["timeline"][0]["on_behalf"] is True
    assert story["timeline"][-1]["on_behalf"] is True and story["timeline"][-1]["action"] == "rated"


def test_merging_needs_makes_all_their_residents_beneficiaries(client, people, community,
                                                               make_user, token_for):
    first = post_need(client, people["wu_h"], title="楼道灯坏了")
    other = make_user("resident", community, name="徐晓红", phone="13550050003")
    second = post_need(client, token_for(other), title="3栋楼道灯不亮",
                       contact_phone="13550050003")
    wish = publish(client, people, first["id"], title="修好3栋楼道灯",
                   category_id=category_id(client, "美好家园"))
    merged = client.post(f"/api/v1/needs/{second['id']}/publish", headers=people["secretary"],
                         json={"wish_id": wish["id"]})
    assert merged.status_code == 201
    detail = client.get(f"/api/v1/wishes/{wish['id']}", headers=people["secretary"]).get_json()
    assert {b["name"] for b in detail["beneficiaries"]} == {"吴秀英", "徐晓红"}
    assert client.get(f"/api/v1/needs/{second['id']}", headers=token_for(other)
                      ).get_json()["status"] == "merged"
    twice = client.post(f"/api/v1/needs/{second['id']}/publish", headers=people["secretary"],
                        json={})
    assert twice.status_code == 409
    assert error_of(twice)["code"] == "need_already_handled"


def test_rejected_need_tells_the_resident_why(client, people):
    need = post_need(client, people["wu_h"])
    no_reason = client.post(f"/api/v1/needs/{need['id']}/reject", headers=people["secretary"],
                            json={"reason": ""})
    assert no_reason.status_code == 400
    response = client.post(f"/api/v1/needs/{need['id']}/reject", headers=people["secretary"],
                           json={"reason": "已转交物业处理"})
    assert response.status_code == 200
    mine = client.get(f"/api/v1/needs/{need['id']}", headers=people["wu_h"]).get_json()
    assert mine["status"] == "rejected" and mine["reject_reason"] == "已转交物业处理"


def open_wish(client, people, **overrides):
    body = {"title": "帮吴婆婆买药", "description": "每周一次", "category_id": category_id(client),
            "beneficiary_name": "吴秀英", "beneficiary_phone": "13812341234",
            "beneficiary_address": "玉林北路2号"}
    body.update(overrides)
    response = client.post("/api/v1/wishes", json=body, headers=people["secretary"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_pending_volunteer_cannot_claim(client, people, community, make_user, token_for):
    wish = open_wish(client, people)
    pending = token_for(make_user("volunteer", community, report_status="pending"))
    response = client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=pending,
                           json={"accept_letter": True})
    assert response.status_code == 403
    assert error_of(response)["code"] == "report_not_approved"


def test_claiming_needs_the_letter_accepted(client, people, token_for):
    wish = open_wish(client, people)
    response = client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=token_for(people["li"]),
                           json={"accept_letter": False})
    assert response.status_code == 400
    assert "accept_letter" in error_of(response)["fields"]


def test_second_claim_gets_409_wish_already_claimed(client, people, community, make_user,
                                                    token_for):
    wish = open_wish(client, people)
    first = client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=token_for(people["li"]),
                        json={"accept_letter": True})
    assert first.status_code == 200
    late = token_for(make_user("volunteer", community))
    second = client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=late,
                         json={"accept_letter": True})
    assert second.status_code == 409
    error = error_of(second)
    assert error["code"] == "wish_already_claimed" and error["message"] == "该心愿已被认领"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 1


def test_claimant_cannot_rate_own_work(client, people, token_for):
    wish = open_wish(client, people)
    li = token_for(people["li"])
    client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=li, json={"accept_letter": True})
    client.post(f"/api/v1/wishes/{wish['id']}/complete", headers=li, json={"hours": 1})
    response = client.post(f"/api/v1/wishes/{wish['id']}/ratings", headers=li,
                           json={"stars": 5})
    assert response.status_code == 403
    assert error_of(response)["code"] == "cannot_rate_own_work"


def test_rating_twice_is_409_and_after_close_is_409(client, people, token_for):
    wish = open_wish(client, people)
    li = token_for(people["li"])
    client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=li, json={"accept_letter": True})
    client.post(f"/api/v1/wishes/{wish['id']}/complete", headers=li, json={"hours": 1})
    url = f"/api/v1/wishes/{wish['id']}/ratings"
    assert client.post(url, headers=people["neighbour"], json={"stars": 4}).status_code == 201
    twice = client.post(url, headers=people["neighbour"], json={"stars": 1})
    assert twice.status_code == 409 and error_of(twice)["code"] == "already_rated"
    client.post(f"/api/v1/wishes/{wish['id']}/close", headers=people["secretary"])
    late = client.post(url, headers=people["wu_h"], json={"stars": 5})
    assert late.status_code == 409 and error_of(late)["code"] == "wish_closed"
    assert client.get(f"/api/v1/wishes/{wish['id']}").get_json()["rating_count"] == 1


def test_completing_an_open_wish_is_409(client, people, token_for):
    wish = open_wish(client, people)
    response = client.post(f"/api/v1/wishes/{wish['id']}/complete",
                           headers=token_for(people["li"]), json={"hours": 1})
    assert response.status_code == 409
    assert error_of(response)["code"] == "wish_not_claimed"


def test_only_the_claimant_completes(client, people, community, make_user, token_for):
    wish = open_wish(client, people)
    client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=token_for(people["li"]),
                json={"accept_letter": True})
    other = token_for(make_user("volunteer", community))
    response = client.post(f"/api/v1/wishes/{wish['id']}/complete", headers=other,
                           json={"hours": 1})
    assert response.status_code == 403 and error_of(response)["code"] == "not_claimant"


def test_secretary_of_another_community_cannot_publish(client, people, make_place, make_user,
                                                       token_for):
    need = post_need(client, people["wu_h"])
    stranger = token_for(make_user("secretary", make_place("别的社区")))
    response = client.post(f"/api/v1/needs/{need['id']}/publish", headers=stranger,
                           json={"category_id": category_id(client)})
    assert response.status_code == 403
    assert error_of(response)["code"] == "not_your_community"


def test_release_reopens_the_wish_and_the_timeline_says_why(client, people, token_for):
    wish = open_wish(client, people)
    li = token_for(people["li"])
    client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=li, json={"accept_letter": True})
    no_reason = client.post(f"/api/v1/wishes/{wish['id']}/release", headers=li, json={})
    assert no_reason.status_code == 400
    released = client.post(f"/api/v1/wishes/{wish['id']}/release", headers=li,
                           json={"reason": "临时出差"})
    assert released.status_code == 200 and released.get_json()["state"] == "open"
    assert released.get_json()["claimant"] is None
    story = client.get(f"/api/v1/wishes/{wish['id']}").get_json()
    assert story["timeline"][-1]["action"] == "released"
    assert story["timeline"][-1]["note"] == "临时出差"
    assert story["claim"] is None and story["claims"][0]["status"] == "released"
    # It can be claimed again.
    assert client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=li,
                       json={"accept_letter": True}).status_code == 200


def test_secretary_cancels_a_claimed_wish_and_the_claimant_hears(client, people, token_for):
    wish = open_wish(client, people)
    li = token_for(people["li"])
    client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=li, json={"accept_letter": True})
    cancelled = client.post(f"/api/v1/wishes/{wish['id']}/cancel", headers=people["secretary"],
                            json={"reason": "居民已搬走"})
    assert cancelled.status_code == 200 and cancelled.get_json()["state"] == "cancelled"
    inbox = client.get("/api/v1/notifications", headers=li).get_json()["items"]
    assert inbox[0]["kind"] == "wish_cancelled" and "居民已搬走" in inbox[0]["text"]
    assert client.post(f"/api/v1/wishes/{wish['id']}/cancel", headers=people["secretary"],
                       json={"reason": "again"}).status_code == 409
    assert db.session.get(User, people["li"].id).open_claim_count == 0


def test_community_cap_on_open_claims(client, people, community, token_for):
    community.max_open_claims = 1
    db.session.commit()
    li = token_for(people["li"])
    first, second = open_wish(client, people), open_wish(client, people, title="帮忙修门锁")
    assert client.post(f"/api/v1/wishes/{first['id']}/claim", headers=li,
                       json={"accept_letter": True}).status_code == 200
    capped = client.post(f"/api/v1/wishes/{second['id']}/claim", headers=li,
                         json={"accept_letter": True})
    assert capped.status_code == 409 and error_of(capped)["code"] == "too_many_claims"
    assert client.get(f"/api/v1/wishes/{second['id']}").get_json()["state"] == "open"
    client.post(f"/api/v1/wishes/{first['id']}/complete", headers=li, json={"hours": 1})
    assert client.post(f"/api/v1/wishes/{second['id']}/claim", headers=li,
                       json={"accept_letter": True}).status_code == 200


def test_promised_date_defaults_to_the_end_of_the_claim_windows_last_day(client, people,
                                                                          token_for):
    """Seven days after the local day of the claim, at 23:59:59 local: a whole day."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    wish = open_wish(client, people)
    claimed = client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=token_for(people["li"]),
                          json={"accept_letter": True}).get_json()
    shanghai = ZoneInfo("Asia/Shanghai")
    due = datetime.fromisoformat(claimed["due_at"]).astimezone(shanghai)
    at = datetime.fromisoformat(claimed["claimed_at"]).astimezone(shanghai)
    assert due.date() == at.date() + timedelta(days=7) and due.time() == time(23, 59, 59)


def test_a_promised_date_in_the_past_is_refused(client, people, token_for):
    wish = open_wish(client, people)
    response = client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=token_for(people["li"]),
                           json={"accept_letter": True, "due_at": "2020-01-01"})
    assert response.status_code == 400 and "due_at" in error_of(response)["fields"]
    garbage = client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=token_for(people["li"]),
                          json={"accept_letter": True, "due_at": "next tuesday"})
    assert garbage.status_code == 400 and "due_at" in error_of(garbage)["fields"]


@pytest.mark.parametrize("body, field", [
    ({"hours": 0}, "hours"), ({"hours": "lots"}, "hours"), ({}, "hours"),
    ({"hours": 1, "note": "长" * 501}, "note"),
])
def test_completion_input_is_validated(client, people, token_for, body, field):
    wish = open_wish(client, people)
    li = token_for(people["li"])
    client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=li, json={"accept_letter": True})
    response = client.post(f"/api/v1/wishes/{wish['id']}/complete", headers=li, json=body)
    assert response.status_code == 400 and field in error_of(response)["fields"]


@pytest.mark.parametrize("stars", [0, 6, "five", None])
def test_stars_must_be_one_to_five(client, people, token_for, stars):
    wish = open_wish(client, people)
    li = token_for(people["li"])
    client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=li, json={"accept_letter": True})
    client.post(f"/api/v1/wishes/{wish['id']}/complete", headers=li, json={"hours": 1})
    response = client.post(f"/api/v1/wishes/{wish['id']}/ratings", headers=people["neighbour"],
                           json={"stars": stars})
    assert response.status_code == 400 and "stars" in error_of(response)["fields"]


def test_a_volunteer_posts_a_need_for_themselves_a_resident_cannot_publish(
        client, people, token_for):
    response = client.post("/api/v1/needs", headers=token_for(people["li"]),
                           json={"title": "x", "description": "y"})
    assert response.status_code == 201  # a volunteer living here is a resident here too
    assert response.get_json()["by_volunteer"] is True
    assert client.post("/api/v1/wishes", headers=people["wu_h"], json={}).status_code == 403


def test_unknown_wish_is_404_everywhere(client, people, token_for):
    assert client.get("/api/v1/wishes/98765").status_code == 404
    response = client.post("/api/v1/wishes/98765/claim", headers=token_for(people["li"]),
                           json={"accept_letter": True})
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_new_needs_reach_the_secretary_inbox(client, people):
    post_need(client, people["wu_h"])
    inbox = client.get("/api/v1/notifications?unread_only=true",
                       headers=people["secretary"]).get_json()
    assert inbox["total"] == 1 and inbox["items"][0]["kind"] == "need_submitted"
    assert "吴**" in inbox["items"][0]["text"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
