"""Organisations report themselves (组织报到), the secretary decides, volunteers of any
community join them (双报到), and the service members give for them counts for the member
on their own community's board and for the organisation on the board of the community it
reports to, and nowhere else."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from factories import first_category_id
from helpers import error_of

from wishboard.audit.models import AuditEntry
from wishboard.extensions import db
from wishboard.notifications.models import Notification
from wishboard.organizations.models import MembershipRequest
from wishboard.places.models import Organization, OrganizationStatus
from wishboard.points import services as points
from wishboard.wishes import services as wishes

REPORT = {"name": "四川省种子站党支部", "unit": "四川省种子站", "kind": "government",
          "description": "每季度一次农业科普讲座"}


@pytest.fixture
def world(community, make_place, make_user):
    """Community A (玉林北路社区) and community B (肖家河社区), each with its secretary, a
    verified resident and approved volunteers in no organisation."""
    far = make_place("肖家河社区")
    return SimpleNamespace(
        a=community, b=far,
        secretary_a=make_user("secretary", community, name="张丽华"),
        secretary_b=make_user("secretary", far, name="周书记"),
        contact=make_user("volunteer", community, name="李建国", phone="13980020001"),
        member=make_user("volunteer", community, name="陈志强", phone="13980020002"),
        stranger=make_user("volunteer", community, name="王晓梅"),
        far_member=make_user("volunteer", far, name="钱建军", phone="13980020009"),
        resident_a=make_user("resident", community, name="吴秀英"),
        resident_b=make_user("resident", far, name="钱阿姨"))


def messages(user, kind) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.text).where(
        Notification.user_id == user.id, Notification.kind == kind)
        .order_by(Notification.id)))


def audited(action) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def report(client, headers, community, **overrides):
    return client.post("/api/v1/organizations/reports", headers=headers,
                       json={**REPORT, "community_id": community.id, **overrides})


def approved_org(world, community=None, name="四川省种子站党支部", unit="四川省种子站",
                 contact=None) -> Organization:
    """An approved organisation reporting to ``community`` (A), ``contact`` (by default
    ``world.contact``) its contact and member."""
    contact = contact or world.contact
    org = Organization(name=name, community_id=(community or world.a).id, unit=unit,
                       contact_user_id=contact.id, report_status=OrganizationStatus.APPROVED)
    db.session.add(org)
    db.session.flush()
    contact.organization_id = org.id
    db.session.commit()
    return org


def join(org, *people):
    for person in people:
        person.organization_id = org.id
    db.session.commit()


def wish_in(secretary, served, title="帮独居老人买药"):
    return wishes.create_wish(secretary, title=title, description="每周一次",
                              category_id=first_category_id(), beneficiary_name="吴秀英")


def serve(client, token_for, volunteer, wish, organization_id, served_by):
    """Claim for the organisation, complete, and the secretary confirms the hours."""
    claimed = client.post(f"/api/v1/wishes/{wish.id}/claim", headers=token_for(volunteer),
                          json={"accept_letter": True, "organization_id": organization_id})
    assert claimed.status_code == 200, claimed.get_json()
    done = client.post(f"/api/v1/wishes/{wish.id}/complete", headers=token_for(volunteer),
                       json={"hours": 2, "note": "买好了"})
    assert done.status_code == 200, done.get_json()
    confirmed = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=token_for(served_by),
                            json={})
    assert confirmed.status_code == 200, confirmed.get_json()


def board(client, community, kind):
    answer = client.get(f"/api/v1/leaderboard?community_id={community.id}&kind={kind}")
    assert answer.status_code == 200
    return answer.get_json()["items"]


# --- the journey ----------------------------------------------------------------------------

def test_an_organisation_reports_is_approved_takes_a_member_whose_service_counts_for_it(
        client, world, token_for):
    w = world
    contact, secretary = token_for(w.contact), token_for(w.secretary_a)

    # 组织报到: the contact reports it; it waits, the secretary is told, the log says so.
    made = report(client, contact, w.a)
    assert made.status_code == 201, made.get_json()
    org = made.get_json()
    assert (org["name"], org["unit"], org["kind"], org["kind_label"], org["contact_user_id"],
            org["report_status"]) == ("四川省种子站党支部", "四川省种子站", "government",
                                      "机关、事业单位党组织", w.contact.id, "pending")
    assert messages(w.secretary_a, "organization_reported") == [
        "李建国为「四川省种子站党支部」（四川省种子站）向社区报到，请在“报到党组织”里审核。"]
    assert audited("organization_reported")[0].actor_id == w.contact.id

    # Not public yet: not listed, not readable, not joinable.
    assert client.get(f"/api/v1/organizations?community_id={w.a.id}").get_json()["total"] == 0
    assert client.get(f"/api/v1/organizations/{org['id']}").status_code == 404
    assert client.get(f"/api/v1/organizations/{org['id']}",
                      headers=contact).get_json()["report_status"] == "pending"
    early = client.post(f"/api/v1/organizations/{org['id']}/membership-requests",
                        headers=token_for(w.member), json={})
    assert early.status_code == 409 and error_of(early)["code"] == "organization_not_approved"

    # The secretary's queue, and the decision.
    assert client.get(f"/api/v1/organizations?community_id={w.a.id}&status=pending",
                      headers=contact).status_code == 403
    queue = client.get(f"/api/v1/organizations?community_id={w.a.id}&status=pending",
                       headers=secretary).get_json()
    assert [o["id"] for o in queue["items"]] == [org["id"]]
    approved = client.post(f"/api/v1/organizations/{org['id']}/approve", headers=secretary)
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["report_status"] == "approved"
    assert approved.get_json()["member_count"] == 1  # the contact, in no organisation before
    assert "已通过审核，您已是它的成员" in messages(w.contact, "organization_decided")[0]
    again = client.post(f"/api/v1/organizations/{org['id']}/approve", headers=secretary)
    assert again.status_code == 409 and error_of(again)["code"] == "organization_already_approved"
    listed = client.get(f"/api/v1/organizations?community_id={w.a.id}").get_json()
    assert [o["id"] for o in listed["items"]] == [org["id"]]
    assert listed["items"][0]["report_status"] is None  # for its contact and the staff only

    # A volunteer asks to join; a stranger may not decide; the contact approves.
    asked = client.post(f"/api/v1/organizations/{org['id']}/membership-requests",
                        headers=token_for(w.member), json={"note": "种子站第二党支部党员"})
    assert asked.status_code == 201, asked.get_json()
    request = asked.get_json()
    assert (request["status"], request["note"], request["user"]["name"]) == (
        "pending", "种子站第二党支部党员", "陈志强")
    assert messages(w.contact, "membership_requested") == [
        "陈志强（玉林北路社区）申请加入「四川省种子站党支部」：种子站第二党支部党员，请审核。"]
    twice = client.post(f"/api/v1/organizations/{org['id']}/membership-requests",
                        headers=token_for(w.member), json={})
    assert twice.status_code == 409 and error_of(twice)["code"] == "membership_request_pending"
    stranger = client.post(f"/api/v1/membership-requests/{request['id']}/approve",
                           headers=token_for(w.stranger))
    assert stranger.status_code == 403
    assert error_of(stranger)["code"] == "not_organization_manager"
    waiting = client.get(f"/api/v1/organizations/{org['id']}/membership-requests",
                         headers=contact).get_json()
    assert [r["id"] for r in waiting["items"]] == [request["id"]]
    yes = client.post(f"/api/v1/membership-requests/{request['id']}/approve", headers=contact)
    assert yes.status_code == 200 and yes.get_json()["status"] == "approved"
    assert "已通过" in messages(w.member, "membership_decided")[0]
    db.session.expire_all()
    assert w.member.organization_id == org["id"]
    mine = client.get("/api/v1/me/organization", headers=token_for(w.member)).get_json()
    assert mine["organization"]["id"] == org["id"] and mine["request"]["status"] == "approved"

    # The member claims for the organisation, serves, the person served confirms: the
    # member's points count toward the organisation's standing as its members' work.
    wish = wishes.create_wish(w.secretary_a, title="帮吴婆婆买药", description="每周一次",
                              category_id=first_category_id(), beneficiary_name="吴秀英")
    serve(client, token_for, w.member, wish, org["id"], w.secretary_a)
    earned = points.points_of(w.member)
    assert earned == 5 + 20 + 10  # claim, completion, two confirmed hours
    row = board(client, w.a, "organizations")[0]
    assert (row["id"], row["name"], row["member_points"], row["body_points"], row["points"]) \
        == (org["id"], "四川省种子站党支部", earned, 0, earned)
    detail = client.get(f"/api/v1/organizations/{org['id']}").get_json()
    assert (detail["points"], detail["member_points"], detail["rank"], detail["member_count"]) \
        == (earned, earned, 1, 2)
    assert detail["actions"] == {"manage": False, "decide_report": False,
                                 "change_contact": False, "request": False, "leave": False}


def test_a_member_living_in_b_serves_in_b_for_an_organisation_of_a_and_counts_on_both_boards(
        client, world, token_for):
    """双报到: 钱建军 reports to 肖家河 (B) as a volunteer and belongs to an organisation that
    reports to 玉林北路 (A)."""
    w = world
    org = approved_org(w)
    join(org, w.far_member)
    wish = wish_in(w.secretary_b, w.resident_b)
    serve(client, token_for, w.far_member, wish, org.id, w.secretary_b)
    earned = points.points_of(w.far_member)
    assert earned == 35

    volunteers_b = board(client, w.b, "volunteers")
    assert [(r["id"], r["points"], r["organization"]) for r in volunteers_b] == [
        (w.far_member.id, earned, "四川省种子站党支部")]
    organizations_a = board(client, w.a, "organizations")
    assert [(r["id"], r["member_points"]) for r in organizations_a] == [(org.id, earned)]
    assert board(client, w.b, "organizations") == []
    assert board(client, w.a, "volunteers") == []
    for period in ("year", "quarter", "month"):
        rows = client.get(f"/api/v1/leaderboard?community_id={w.a.id}&kind=organizations"
                          f"&period={period}").get_json()["items"]
        assert [r["id"] for r in rows] == [org.id]
    # The totals agree with the ledger, and a recount leaves them where they are.
    assert points.recompute_totals(repair=False) == []


def test_a_member_from_b_claims_in_a_only_for_the_organisation_and_joins_its_projects(
        client, world, token_for):
    w = world
    org = approved_org(w)
    join(org, w.far_member)
    headers = token_for(w.far_member)
    wish = wish_in(w.secretary_a, w.resident_a)
    page = client.get(f"/api/v1/wishes/{wish.id}", headers=headers).get_json()
    assert page["actions"]["claim"] is True
    alone = client.post(f"/api/v1/wishes/{wish.id}/claim", headers=headers,
                        json={"accept_letter": True})
    assert alone.status_code == 403 and error_of(alone)["code"] == "not_your_community"
    for_org = client.post(f"/api/v1/wishes/{wish.id}/claim", headers=headers,
                          json={"accept_letter": True, "organization_id": org.id})
    assert for_org.status_code == 200, for_org.get_json()
    # Their points stay on their own community's board; the organisation's on A's.
    assert board(client, w.b, "volunteers")[0]["id"] == w.far_member.id
    assert board(client, w.a, "volunteers") == []
    assert board(client, w.a, "organizations")[0]["member_points"] == 5

    # A service project of A claimed by the organisation: the member from B joins it.
    project = wishes.create_wish(w.secretary_a, title="转基因知识科普讲座", kind="project",
                                 description="面向全社区", category_id=first_category_id(),
                                 beneficiary_name="全体居民")
    wishes.claim_wish(w.contact, project.id, accept_letter=True, organization_id=org.id)
    joined = client.post(f"/api/v1/wishes/{project.id}/members", headers=headers)
    assert joined.status_code == 201, joined.get_json()
    # Someone of B in no organisation of A may not claim A's wishes at all.
    other = wish_in(w.secretary_a, w.resident_a, "陪老人复查")
    refused = client.post(f"/api/v1/wishes/{other.id}/claim", json={"accept_letter": True},
                          headers=token_for(w.secretary_b))
    assert refused.status_code == 403


def test_an_unapproved_organisation_cannot_be_claimed_for_invited_or_joined(
        client, world, token_for):
    w = world
    org = approved_org(w)
    wish = wish_in(w.secretary_a, w.resident_a)
    org.report_status = OrganizationStatus.PENDING  # as if it had never been approved
    db.session.commit()
    claimed = client.post(f"/api/v1/wishes/{wish.id}/claim", headers=token_for(w.contact),
                          json={"accept_letter": True, "organization_id": org.id})
    assert claimed.status_code == 409
    assert error_of(claimed)["code"] == "organization_not_approved"
    invited = client.post(f"/api/v1/wishes/{wish.id}/invitations",
                          headers=token_for(w.secretary_a), json={"organization_id": org.id})
    assert invited.status_code == 400
    assert error_of(invited)["fields"] == {"organization_id": ["这个组织的报到还没有通过审核，不能邀请"]}
    asked = client.post(f"/api/v1/organizations/{org.id}/membership-requests",
                        headers=token_for(w.member), json={})
    assert asked.status_code == 409 and error_of(asked)["code"] == "organization_not_approved"
    assert board(client, w.a, "organizations") == []
    page = client.get("/api/v1/organizations?q=种子站").get_json()
    assert page["total"] == 0


# --- refusals and the contact's management --------------------------------------------------

def test_who_may_report_and_what_a_report_must_say(client, world, token_for, make_user):
    w = world
    secretary = report(client, token_for(w.secretary_a), w.a)
    assert secretary.status_code == 403
    assert error_of(secretary)["code"] == "residents_and_volunteers_only"
    missing = client.post("/api/v1/organizations/reports", headers=token_for(w.contact),
                          json={"name": "党支部", "community_id": w.a.id})
    assert missing.status_code == 400
    assert set(error_of(missing)["fields"]) == {"unit", "kind"}
    bad_kind = report(client, token_for(w.contact), w.a, kind="club")
    assert bad_kind.status_code == 400 and "kind" in error_of(bad_kind)["fields"]
    nowhere = report(client, token_for(w.contact), w.a, community_id=999999)
    assert nowhere.status_code == 400
    assert client.post("/api/v1/organizations/reports", json=REPORT).status_code == 401
    # A resident may report their unit's branch too; the same name twice is a conflict.
    assert report(client, token_for(w.resident_a), w.a).status_code == 201
    dup = report(client, token_for(w.contact), w.a)
    assert dup.status_code == 409 and error_of(dup)["code"] == "organization_exists"
    for i in range(2):
        assert report(client, token_for(w.contact), w.a, name=f"党支部{i}").status_code == 201
    fourth = report(client, token_for(w.contact), w.a, name="第三个党支部")
    assert fourth.status_code == 201
    over = report(client, token_for(w.contact), w.a, name="第四个党支部")
    assert over.status_code == 409 and error_of(over)["code"] == "too_many_pending_reports"


def test_an_organisations_report_waits_for_the_secretary_where_people_are_approved_automatically(
        client, world, token_for, make_place, make_user):
    """Security review, finding 4: a community that approves people's 报到 automatically
    approved organisations on their reporter's word too, so anyone, living anywhere, was at
    once the approved contact and member of a made-up organisation, claimed the community's
    wishes for it (双报到: seeing the private details of the people served) and ran its
    activities. An organisation's report always waits for a person now."""
    auto = make_place("自动社区", auto_approve_reports=True)
    secretary = make_user("secretary", auto, name="自动社区书记")
    outsider = world.far_member  # lives in 肖家河社区
    made = report(client, token_for(outsider), auto, name="随便起的党支部")
    assert made.status_code == 201 and made.get_json()["report_status"] == "pending"
    org_id = made.get_json()["id"]
    db.session.expire_all()
    assert outsider.organization_id is None
    assert audited("organization_reported")[-1].after["report_status"] == "pending"
    assert "请在“报到党组织”里审核" in messages(secretary, "organization_reported")[0]
    wish = wish_in(secretary, None)
    for body in ({"accept_letter": True, "organization_id": org_id}, {"accept_letter": True}):
        refused = client.post(f"/api/v1/wishes/{wish.id}/claim", headers=token_for(outsider),
                              json=body)
        assert refused.status_code == 403, refused.get_json()
    assert client.get(f"/api/v1/organizations/{org_id}").status_code == 404  # not public
    approved = client.post(f"/api/v1/organizations/{org_id}/approve",
                           headers=token_for(secretary))
    assert approved.status_code == 200 and approved.get_json()["report_status"] == "approved"
    db.session.expire_all()
    assert outsider.organization_id == org_id  # a person decided: now it may act


def test_the_secretary_turns_a_report_back_with_a_reason_and_the_contact_sends_it_again(
        client, world, token_for):
    w = world
    org = report(client, token_for(w.contact), w.a).get_json()
    url = f"/api/v1/organizations/{org['id']}"
    no_reason = client.post(f"{url}/reject", headers=token_for(w.secretary_a), json={})
    assert no_reason.status_code == 400 and "reason" in error_of(no_reason)["fields"]
    other = client.post(f"{url}/reject", headers=token_for(w.secretary_b),
                        json={"reason": "不是本社区"})
    assert other.status_code == 403
    rejected = client.post(f"{url}/reject", headers=token_for(w.secretary_a),
                           json={"reason": "请写明所在单位的全称"})
    assert rejected.status_code == 200
    assert rejected.get_json()["report_reject_reason"] == "请写明所在单位的全称"
    assert "没有通过：请写明所在单位的全称" in messages(w.contact, "organization_decided")[0]
    twice = client.post(f"{url}/reject", headers=token_for(w.secretary_a),
                        json={"reason": "再退一次"})
    assert twice.status_code == 409 and error_of(twice)["code"] == "organization_not_pending"
    edited = client.put(url, headers=token_for(w.contact), json={"unit": "四川省农业农村厅种子站"})
    assert edited.status_code == 200
    assert (edited.get_json()["unit"], edited.get_json()["report_status"]) == (
        "四川省农业农村厅种子站", "pending")
    assert len(messages(w.secretary_a, "organization_reported")) == 2
    assert client.put(url, headers=token_for(w.stranger), json={"unit": "x"}).status_code == 403
    assert client.post(f"{url}/approve", headers=token_for(w.contact)).status_code == 403
    assert client.post(f"{url}/approve", headers=token_for(w.secretary_a)).status_code == 200


def test_members_phones_are_masked_for_the_contact_and_shown_to_the_staff_on_record(
        client, world, token_for):
    w = world
    org = approved_org(w)
    join(org, w.member, w.far_member)
    url = f"/api/v1/organizations/{org.id}/members"
    seen = client.get(url, headers=token_for(w.contact)).get_json()
    assert seen["total"] == 3
    by_name = {m["name"]: m for m in seen["items"]}
    assert by_name["钱建军"]["phone"] == "139****0009" and not by_name["钱建军"]["in_full"]
    assert by_name["钱建军"]["community"] == {"id": w.b.id, "name": "肖家河社区"}
    assert by_name["李建国"]["is_contact"] is True
    assert audited("organization_members_viewed") == []
    staff = client.get(url, headers=token_for(w.secretary_a)).get_json()
    assert {m["phone"] for m in staff["items"]} >= {"13980020009", "13980020002"}
    assert audited("organization_members_viewed")[0].actor_id == w.secretary_a.id
    assert client.get(url, headers=token_for(w.member)).status_code == 403
    assert client.get(url, headers=token_for(w.secretary_b)).status_code == 403
    assert client.get(url).status_code == 401


def test_decisions_on_requests_leaving_and_removing(client, world, token_for, make_user):
    w = world
    org = approved_org(w)
    other = approved_org(w, name="玉林北路小学党支部", unit="玉林北路小学", contact=w.stranger)
    asked = client.post(f"/api/v1/organizations/{org.id}/membership-requests",
                        headers=token_for(w.member), json={}).get_json()
    # Turning back needs a reason; someone else's request cannot be withdrawn.
    url = f"/api/v1/membership-requests/{asked['id']}"
    no_reason = client.post(f"{url}/reject", headers=token_for(w.contact), json={})
    assert no_reason.status_code == 400 and "reason" in error_of(no_reason)["fields"]
    assert client.post(f"{url}/withdraw", headers=token_for(w.contact)).status_code == 403
    withdrawn = client.post(f"{url}/withdraw", headers=token_for(w.member))
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    late = client.post(f"{url}/approve", headers=token_for(w.contact))
    assert late.status_code == 409 and error_of(late)["code"] == "membership_request_not_pending"

    # A member of another organisation must leave it first.
    elsewhere = client.post(f"/api/v1/organizations/{org.id}/membership-requests",
                            headers=token_for(w.stranger), json={})
    assert elsewhere.status_code == 409
    assert error_of(elsewhere)["code"] == "in_another_organization"
    # A request approved after its person joined elsewhere: 409, and nothing changes.
    asked = client.post(f"/api/v1/organizations/{org.id}/membership-requests",
                        headers=token_for(w.member), json={}).get_json()
    w.member.organization_id = other.id
    db.session.commit()
    crossed = client.post(f"/api/v1/membership-requests/{asked['id']}/approve",
                          headers=token_for(w.contact))
    assert crossed.status_code == 409 and error_of(crossed)["code"] == "in_another_organization"
    db.session.expire_all()
    assert w.member.organization_id == other.id
    assert db.session.get(MembershipRequest, asked["id"]).status.value == "pending"

    # Leaving, and the contact who may not.
    left = client.delete("/api/v1/me/organization", headers=token_for(w.member))
    assert left.status_code == 204
    assert messages(w.stranger, "member_left") == ["陈志强退出了「玉林北路小学党支部」。"]
    contact_leaves = client.delete("/api/v1/me/organization", headers=token_for(w.contact))
    assert contact_leaves.status_code == 409
    assert error_of(contact_leaves)["code"] == "contact_cannot_leave"
    nobody = client.delete("/api/v1/me/organization", headers=token_for(w.member))
    assert nobody.status_code == 409 and error_of(nobody)["code"] == "not_a_member"

    # The contact removes a member, with a reason kept in the audit log.
    approved = client.post(f"/api/v1/membership-requests/{asked['id']}/approve",
                           headers=token_for(w.contact))
    assert approved.status_code == 200
    remove = f"/api/v1/organizations/{org.id}/members/{w.member.id}/remove"
    assert client.post(remove, headers=token_for(w.contact), json={}).status_code == 400
    assert client.post(remove, headers=token_for(w.stranger),
                       json={"reason": "x"}).status_code == 403
    removed = client.post(remove, headers=token_for(w.contact), json={"reason": "长期未参加活动"})
    assert removed.status_code == 204
    entry = audited("member_removed")[0]
    assert entry.after == {"reason": "长期未参加活动"} and entry.before["user_id"] == w.member.id
    assert "长期未参加活动" in messages(w.member, "member_removed")[0]
    db.session.expire_all()
    assert w.member.organization_id is None
    again = client.post(remove, headers=token_for(w.contact), json={"reason": "x"})
    assert again.status_code == 404


def test_nobody_decides_their_own_request_the_staff_do(client, world, token_for):
    """A contact who reported an organisation while in another one asks to join it after
    leaving: the staff decide, not the contact."""
    w = world
    org = approved_org(w)
    w.contact.organization_id = None
    db.session.commit()
    asked = client.post(f"/api/v1/organizations/{org.id}/membership-requests",
                        headers=token_for(w.contact), json={}).get_json()
    assert messages(w.secretary_a, "membership_requested")  # no contact to ask but themself
    own = client.post(f"/api/v1/membership-requests/{asked['id']}/approve",
                      headers=token_for(w.contact))
    assert own.status_code == 403 and error_of(own)["code"] == "cannot_decide_own_request"
    staff = client.post(f"/api/v1/membership-requests/{asked['id']}/approve",
                        headers=token_for(w.secretary_a))
    assert staff.status_code == 200


def test_the_staff_name_another_contact_among_the_members(client, world, token_for):
    w = world
    org = approved_org(w)
    join(org, w.member)
    url = f"/api/v1/organizations/{org.id}"
    by_contact = client.put(url, headers=token_for(w.contact),
                            json={"contact_user_id": w.member.id})
    assert by_contact.status_code == 403
    assert error_of(by_contact)["code"] == "secretary_changes_contact"
    outsider = client.put(url, headers=token_for(w.secretary_a),
                          json={"contact_user_id": w.stranger.id})
    assert outsider.status_code == 400 and "contact_user_id" in error_of(outsider)["fields"]
    changed = client.put(url, headers=token_for(w.secretary_a),
                         json={"contact_user_id": w.member.id, "kind": "enterprise"})
    assert changed.status_code == 200
    assert (changed.get_json()["contact_user_id"], changed.get_json()["kind"]) == (
        w.member.id, "enterprise")
    # The old contact may leave now.
    assert client.delete("/api/v1/me/organization", headers=token_for(w.contact)
                         ).status_code == 204


def test_search_finds_approved_organisations_of_every_community(client, world):
    w = world
    approved_org(w)
    approved_org(w, w.b, name="肖家河街道关工委", unit="肖家河街道", contact=w.far_member)
    everywhere = client.get("/api/v1/organizations?q=种子站").get_json()
    assert [o["name"] for o in everywhere["items"]] == ["四川省种子站党支部"]
    assert client.get("/api/v1/organizations").get_json()["total"] == 2
    only_b = client.get(f"/api/v1/organizations?community_id={w.b.id}").get_json()
    assert [o["community"]["name"] for o in only_b["items"]] == ["肖家河社区"]
    bad = client.get("/api/v1/organizations?status=lost")
    assert bad.status_code == 400
