"""A fair score (DOMAIN.md "Rules that keep the score honest"), through the API and pages:
hours capped a day, a completion and its hours paid once confirmed, stars from people a
person stands behind, nobody approving their own work, private details seen only by those
who may (and recorded), an append-only log."""

import csv
import io
import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from conftest import PASSWORD
from helpers import error_of, local_today

from wishboard.accounts.models import ReportStatus
from wishboard.activities import services as activities
from wishboard.core.clock import utcnow
from wishboard.extensions import db
from wishboard.needs import services as needs
from wishboard.points.models import PointsTotal
from wishboard.wishes import services as wishes

SHANGHAI = ZoneInfo("Asia/Shanghai")
SERVED_NAME, SERVED_PHONE, SERVED_ADDRESS = "吴秀英", "13812345678", "玉林北路3号2单元"
MASKED_NAME, MASKED_PHONE = "吴**", "138****5678"


@pytest.fixture
def world(app, community, make_place, make_user, make_org):
    """A community with its secretary, two volunteers, the resident a wish serves and a
    neighbour; and another community with its own secretary and resident."""
    org = make_org(community)
    elsewhere = make_place("肖家河社区")
    w = SimpleNamespace(
        community=community, org=org, elsewhere=elsewhere,
        secretary=make_user("secretary", community, name="张丽华", phone="13900000001"),
        volunteer=make_user("volunteer", community, name="李建国", phone="13900000002",
                            organization=org),
        other_volunteer=make_user("volunteer", community, name="王晓梅", phone="13900000003"),
        served=make_user("resident", community, name=SERVED_NAME, phone=SERVED_PHONE),
        neighbour=make_user("resident", community, name="赵大妈", phone="13900000004"),
        far_secretary=make_user("secretary", elsewhere, name="周书记", phone="13900000005"),
        far_resident=make_user("resident", elsewhere, name="钱阿姨", phone="13900000006"),
        category_id=db.session.scalar(sa.text("SELECT min(id) FROM categories")),
    )

    def served_wish(title="帮忙买药", now=None):
        """A wish published from the served resident's own need (so they have an account)."""
        need = needs.submit_need(w.served, title=f"需要{title}", description="腿脚不便",
                                 category_id=w.category_id, address=SERVED_ADDRESS, now=now)
        return wishes.publish_need(w.secretary, need.id, title=title, description="请帮忙",
                                   now=now)

    w.served_wish = served_wish
    return w


def card_points(client, user) -> int:
    return client.get(f"/api/v1/volunteers/{user.id}").get_json()["points"]


def card_pending(client, user) -> int:
    """The card's 待确认: points earned that count nowhere until the service is confirmed."""
    return client.get(f"/api/v1/volunteers/{user.id}").get_json()["pending_points"]


def audit_items(client, headers, **query) -> list[dict]:
    response = client.get("/api/v1/audit", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def page_client(app, user=None):
    """A browser of its own: anonymous, or logged in through the web form."""
    browser = app.test_client()
    if user is not None:
        response = browser.post("/auth/login",
                                data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
    return browser


def claimed_and_completed(client, token_for, w, hours=2, claimed_at=None):
    wish = w.served_wish()
    wishes.claim_wish(w.volunteer, wish.id, accept_letter=True, now=claimed_at)
    done = client.post(f"/api/v1/wishes/{wish.id}/complete", headers=token_for(w.volunteer),
                       json={"hours": hours, "note": "买好了"})
    assert done.status_code == 200, done.get_json()
    return wish


# 1. Hours capped by the claim's days -------------------------------------------------------

def test_completing_with_more_hours_than_one_day_allows_is_refused_on_hours(
        client, world, token_for):
    wish = world.served_wish()
    wishes.claim_wish(world.volunteer, wish.id, accept_letter=True)
    headers = token_for(world.volunteer)
    refused = client.post(f"/api/v1/wishes/{wish.id}/complete", headers=headers,
                          json={"hours": 10.5})
    assert refused.status_code == 400
    error = error_of(refused)
    assert error["code"] == "too_many_hours" and "hours" in error["fields"]
    assert client.get(f"/api/v1/wishes/{wish.id}").get_json()["state"] == "claimed"
    done = client.post(f"/api/v1/wishes/{wish.id}/complete", headers=headers, json={"hours": 10})
    assert done.status_code == 200 and done.get_json()["state"] == "completed"


def test_a_claim_made_two_local_days_ago_allows_thirty_hours_not_more(
        client, world, token_for):
    wish = world.served_wish()
    wishes.claim_wish(world.volunteer, wish.id, accept_letter=True,
                      now=utcnow() - timedelta(days=2))
    headers = token_for(world.volunteer)
    refused = client.post(f"/api/v1/wishes/{wish.id}/complete", headers=headers,
                          json={"hours": 30.5})
    assert refused.status_code == 400 and "hours" in error_of(refused)["fields"]
    done = client.post(f"/api/v1/wishes/{wish.id}/complete", headers=headers, json={"hours": 30})
    assert done.status_code == 200


def test_days_are_counted_in_shanghai_dates_so_a_claim_late_yesterday_allows_twenty(
        client, world, token_for):
    today = utcnow().astimezone(SHANGHAI).date()
    late_yesterday = datetime.combine(today, datetime.min.time(), tzinfo=SHANGHAI) \
        - timedelta(minutes=1)
    wish = world.served_wish()
    wishes.claim_wish(world.volunteer, wish.id, accept_letter=True, now=late_yesterday)
    headers = token_for(world.volunteer)
    refused = client.post(f"/api/v1/wishes/{wish.id}/complete", headers=headers,
                          json={"hours": 21})
    assert refused.status_code == 400 and "hours" in error_of(refused)["fields"]
    assert client.post(f"/api/v1/wishes/{wish.id}/complete", headers=headers,
                       json={"hours": 20}).status_code == 200


# 2. Hour points only once confirmed --------------------------------------------------------

def test_the_completion_and_its_hours_earn_only_when_the_person_served_confirms_and_once(
        client, world, token_for):
    """Reporting a service done earns nothing more than the claim: the completion and its
    hours are pending (待确认) until the person served confirms, then booked once."""
    wish = claimed_and_completed(client, token_for, world, hours=2)
    assert card_points(client, world.volunteer) == 5  # the claim; the completion waits
    card = client.get(f"/api/v1/volunteers/{world.volunteer.id}").get_json()
    assert card["pending_points"] == 20 + 10  # completion + 2 hours x 5
    assert [(p["amount"], p["waits_for"]) for p in card["pending"]] == [
        (30, "等服务对象或社区确认")]
    claim = client.get(f"/api/v1/wishes/{wish.id}").get_json()["claim"]
    assert (claim["hours"], claim["hours_status"]) == (2.0, "pending")

    served = token_for(world.served)
    confirmed = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=served, json={})
    assert confirmed.status_code == 200, confirmed.get_json()
    assert card_points(client, world.volunteer) == 5 + 20 + 10  # completion, 2 hours x 5
    assert card_pending(client, world.volunteer) == 0
    again = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=served, json={})
    assert again.status_code == 409 and error_of(again)["code"] == "hours_already_settled"
    assert card_points(client, world.volunteer) == 35


def test_the_volunteer_cannot_confirm_their_own_hours_nor_can_a_resident_not_served(
        client, world, token_for):
    wish = claimed_and_completed(client, token_for, world)
    own = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=token_for(world.volunteer),
                      json={})
    assert own.status_code == 403 and error_of(own)["code"] == "cannot_confirm_own_work"
    neighbour = client.post(f"/api/v1/wishes/{wish.id}/confirm",
                            headers=token_for(world.neighbour), json={})
    assert neighbour.status_code == 403
    assert card_points(client, world.volunteer) == 5  # the claim only
    assert card_pending(client, world.volunteer) == 20 + 10  # still waiting


def test_the_secretary_adjusts_hours_only_with_a_reason_and_the_log_keeps_both(
        client, world, token_for):
    wish = claimed_and_completed(client, token_for, world, hours=2)
    secretary = token_for(world.secretary)
    no_reason = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=secretary,
                            json={"hours": 1})
    assert no_reason.status_code == 400 and "reason" in error_of(no_reason)["fields"]
    adjusted = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=secretary,
                           json={"hours": 1, "reason": "实际只用了一小时"})
    assert adjusted.status_code == 200, adjusted.get_json()
    assert card_points(client, world.volunteer) == 25 + 5
    [entry] = audit_items(client, secretary, action="hours_adjusted")
    assert entry["actor"]["id"] == world.secretary.id
    assert entry["before"]["hours"] == 2.0 and entry["after"]["hours"] == 1.0
    assert entry["after"]["reason"] == "实际只用了一小时"


def test_the_served_residents_rating_also_confirms_the_hours(client, world, token_for):
    wish = claimed_and_completed(client, token_for, world, hours=2)
    served = token_for(world.served)
    rated = client.post(f"/api/v1/wishes/{wish.id}/ratings", headers=served, json={"stars": 5})
    assert rated.status_code == 201, rated.get_json()
    assert card_points(client, world.volunteer) == 25 + 10 + 10  # hours and 5 stars x 2
    claim = client.get(f"/api/v1/wishes/{wish.id}").get_json()["claim"]
    assert (claim["hours_status"], claim["confirmed_hours"]) == ("confirmed", 2.0)
    assert client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=served,
                       json={}).status_code == 409


def test_a_colleague_served_neither_confirms_the_hours_nor_rates_the_secretary_confirms(
        client, world, token_for, make_user):
    """Security review, finding 6: two colleagues took turns, one posting a need, the other
    serving it; the first, as the person served, confirmed the stated hours (and their
    stars confirmed them too), whether the claim was personal or for their organisation.
    So did the organisation's contact. Those hours go to the secretary now."""
    w = world
    w.other_volunteer.organization_id = w.org.id  # colleagues: both members of w.org
    contact = make_user("resident", w.community, name="联络员", phone="13900000009")
    w.org.contact_user_id = contact.id
    db.session.commit()
    for served, organization_id in ((w.other_volunteer, None), (w.other_volunteer, w.org.id),
                                    (contact, w.org.id)):
        need = needs.submit_need(served, title="修水管", description="厨房漏水",
                                 category_id=w.category_id)
        wish = wishes.publish_need(w.secretary, need.id, title="修水管", description="上门")
        claimed = client.post(f"/api/v1/wishes/{wish.id}/claim", headers=token_for(w.volunteer),
                              json={"accept_letter": True, "organization_id": organization_id})
        assert claimed.status_code == 200, claimed.get_json()
        done = client.post(f"/api/v1/wishes/{wish.id}/complete",
                           headers=token_for(w.volunteer), json={"hours": 3})
        assert done.status_code == 200, done.get_json()
        headers = token_for(served)
        assert client.get(f"/api/v1/wishes/{wish.id}",
                          headers=headers).get_json()["actions"]["confirm_hours"] is False
        confirm = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=headers, json={})
        assert confirm.status_code == 403 and error_of(confirm)["code"] == "cannot_confirm_own_work"
        rated = client.post(f"/api/v1/wishes/{wish.id}/ratings", headers=headers,
                            json={"stars": 5})
        assert rated.status_code == 403 and error_of(rated)["code"] == "cannot_rate_own_work"
        claim = client.get(f"/api/v1/wishes/{wish.id}").get_json()["claim"]
        assert claim["hours_status"] == "pending"
        by_secretary = client.post(f"/api/v1/wishes/{wish.id}/confirm",
                                   headers=token_for(w.secretary), json={})
        assert by_secretary.status_code == 200, by_secretary.get_json()


# 3. Stars from verified residents ----------------------------------------------------------

def test_an_unverified_residents_stars_show_but_count_only_once_verified(
        client, world, make_user, token_for):
    """A stranger's stars show at once (counted: false), outside the wish's average and
    earning nothing; verifying the rater counts them, in the average and in points, once."""
    wish = claimed_and_completed(client, token_for, world)
    newcomer = make_user("resident", world.community, name="孙新来", verified=False)
    rated = client.post(f"/api/v1/wishes/{wish.id}/ratings", headers=token_for(newcomer),
                        json={"stars": 5})
    assert rated.status_code == 201 and rated.get_json()["counted"] is False
    story = client.get(f"/api/v1/wishes/{wish.id}").get_json()
    [shown] = story["ratings"]
    assert (shown["stars"], shown["counted"]) == (5, False)
    assert (story["rating_count"], story["average_stars"]) == (0, None)
    assert card_points(client, world.volunteer) == 5  # the claim; no stars yet

    secretary = token_for(world.secretary)
    verified = client.post(f"/api/v1/users/{newcomer.id}/verify", headers=secretary)
    assert verified.status_code == 200, verified.get_json()
    assert card_points(client, world.volunteer) == 5 + 10  # per_star 2 x 5
    story = client.get(f"/api/v1/wishes/{wish.id}").get_json()
    assert story["ratings"][0]["counted"] is True
    assert (story["rating_count"], story["average_stars"]) == (1, 5.0)
    again = client.post(f"/api/v1/users/{newcomer.id}/verify", headers=secretary)
    assert again.status_code == 409 and error_of(again)["code"] == "already_verified"
    assert card_points(client, world.volunteer) == 15


def test_only_the_communitys_secretary_verifies_and_only_residents(
        client, world, make_user, token_for):
    secretary = token_for(world.secretary)
    stranger = make_user("resident", world.elsewhere, verified=False)
    elsewhere = client.post(f"/api/v1/users/{stranger.id}/verify", headers=secretary)
    assert elsewhere.status_code == 403
    volunteer = client.post(f"/api/v1/users/{world.volunteer.id}/verify", headers=secretary)
    assert volunteer.status_code == 404
    newcomer = make_user("resident", world.community, verified=False)
    assert client.post(f"/api/v1/users/{newcomer.id}/verify",
                       headers=token_for(world.volunteer)).status_code == 403


def test_time_alone_never_counts_a_strangers_stars_unless_the_community_opts_in(
        client, runner, world, make_user, token_for):
    """``rating_trust_days`` is off (None) by default: however long an unverified
    resident's rating waits, the sweep counts nothing by age. A community that opts in
    (here 40 days) has the sweep count it, in the average and in points, once the rater's
    account is that old, and not a day before."""
    wish = claimed_and_completed(client, token_for, world)
    newcomer = make_user("resident", world.community, name="孙新来", verified=False)
    assert client.post(f"/api/v1/wishes/{wish.id}/ratings", headers=token_for(newcomer),
                       json={"stars": 5}).status_code == 201
    before = card_points(client, world.volunteer)
    community_url = f"/api/v1/communities/{world.community.id}"
    assert client.get(community_url).get_json()["rating_trust_days"] is None

    def sweep(days):
        moment = (utcnow().astimezone(SHANGHAI) + timedelta(days=days)).isoformat()
        assert moment.endswith("+08:00")
        result = runner.invoke(args=["wishboard", "sweep", "--now", moment])
        assert result.exit_code == 0, result.output
        story = client.get(f"/api/v1/wishes/{wish.id}").get_json()
        return story["ratings"][0]["counted"], story["rating_count"]

    assert sweep(31) == (False, 0)  # the old 30-day period is gone
    assert card_points(client, world.volunteer) == before

    opted_in = client.patch(community_url, headers=token_for(world.secretary),
                            json={"rating_trust_days": 40})
    assert opted_in.status_code == 200 and opted_in.get_json()["rating_trust_days"] == 40
    assert sweep(39) == (False, 0)
    assert card_points(client, world.volunteer) == before
    assert sweep(41) == (True, 1)
    assert card_points(client, world.volunteer) == before + 10


# 4. Service logs: nobody confirms their own; the daily cap -------------------------------

@pytest.fixture
def project(client, world, token_for):
    """A service project claimed by the organisation whose contact is also a member."""
    world.org.contact_user_id = world.volunteer.id
    db.session.commit()
    wish = wishes.create_wish(world.secretary, title="转基因科普讲座", description="讲座",
                              kind="project", category_id=world.category_id,
                              beneficiary_name="全体居民",
                              expires_at=utcnow() + timedelta(days=30))
    headers = token_for(world.volunteer)
    claimed = client.post(f"/api/v1/wishes/{wish.id}/claim", headers=headers,
                          json={"accept_letter": True, "organization_id": world.org.id})
    assert claimed.status_code == 200, claimed.get_json()
    assert client.post(f"/api/v1/wishes/{wish.id}/members", headers=headers).status_code == 201
    return SimpleNamespace(wish=wish, headers=headers, today=local_today().isoformat())


def test_the_organisations_contact_cannot_confirm_their_own_log_but_the_secretary_can(
        client, world, project, token_for):
    logged = client.post(f"/api/v1/wishes/{project.wish.id}/service-logs",
                         headers=project.headers, json={"served_on": project.today, "hours": 4})
    assert logged.status_code == 201
    log_id = logged.get_json()["id"]
    before = card_points(client, world.volunteer)
    own = client.post(f"/api/v1/service-logs/{log_id}/confirm", headers=project.headers)
    assert own.status_code == 403 and error_of(own)["code"] == "cannot_confirm_own_work"
    assert card_points(client, world.volunteer) == before
    confirmed = client.post(f"/api/v1/service-logs/{log_id}/confirm",
                            headers=token_for(world.secretary))
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "confirmed"
    # 4 hours x 5, and joining the project (5), which pays with the first confirmed log.
    assert card_points(client, world.volunteer) == before + 20 + 5


def test_no_one_logs_more_than_the_communitys_daily_cap_in_one_day_across_logs(
        client, world, project, token_for):
    """The community's ``max_hours_per_day`` (10 by default, not 24) is the most one person
    states for one day, however many logs they split it into."""
    url = f"/api/v1/wishes/{project.wish.id}/service-logs"
    for hours in (4, 6):
        assert client.post(url, headers=project.headers,
                           json={"served_on": project.today, "hours": hours}).status_code == 201
    refused = client.post(url, headers=project.headers,
                          json={"served_on": project.today, "hours": 0.5})
    assert refused.status_code == 400
    error = error_of(refused)
    assert error["code"] == "too_many_hours" and "每天最多10小时" in error["fields"]["hours"][0]
    assert client.patch(f"/api/v1/communities/{world.community.id}",
                        headers=token_for(world.secretary),
                        json={"max_hours_per_day": 12}).status_code == 200
    assert client.post(url, headers=project.headers,
                       json={"served_on": project.today, "hours": 0.5}).status_code == 201


def test_one_daily_cap_covers_completions_and_service_logs_together(
        client, world, project, token_for):
    """Hours stated for a completion reported today and hours logged on a project for
    today share one cap: 6 + 4 is the day's 10, half an hour more is refused on hours."""
    wish = world.served_wish()
    wishes.claim_wish(world.volunteer, wish.id, accept_letter=True)
    assert client.post(f"/api/v1/wishes/{wish.id}/complete", headers=project.headers,
                       json={"hours": 6}).status_code == 200
    url = f"/api/v1/wishes/{project.wish.id}/service-logs"
    assert client.post(url, headers=project.headers,
                       json={"served_on": project.today, "hours": 4}).status_code == 201
    refused = client.post(url, headers=project.headers,
                          json={"served_on": project.today, "hours": 0.5})
    assert refused.status_code == 400
    assert error_of(refused)["code"] == "too_many_hours"
    assert "hours" in error_of(refused)["fields"]


# 5. An organiser's own check-in -----------------------------------------------------------

def test_an_organisers_own_checkin_earns_nothing_until_the_secretary_checks_them_in(
        client, world, token_for):
    world.org.contact_user_id = world.volunteer.id
    db.session.commit()
    starts = utcnow() + timedelta(hours=1)
    activity = activities.create_activity(
        world.volunteer, title="垃圾分类宣传", description="设点", category_id=world.category_id,
        starts_at=starts, ends_at=starts + timedelta(hours=2), signup_deadline=starts,
        capacity=10, audience="all")
    organiser, participant = token_for(world.volunteer), token_for(world.other_volunteer)
    for headers in (organiser, participant):
        assert client.post(f"/api/v1/activities/{activity.id}/signups",
                           headers=headers).status_code == 201
    code = client.get(f"/api/v1/activities/{activity.id}/checkin-code",
                      headers=organiser).get_json()["code"]
    url = f"/api/v1/activities/{activity.id}/checkins"

    assert client.post(url, headers=participant, json={"code": code}).status_code == 200
    assert card_points(client, world.other_volunteer) == 5  # an ordinary participant earns
    own = client.post(url, headers=organiser, json={"code": code})
    assert own.status_code == 200 and own.get_json()["status"] == "attended"
    assert client.post(url, headers=organiser,
                       json={"user_id": world.volunteer.id}).status_code == 200
    assert card_points(client, world.volunteer) == 0

    secretary = token_for(world.secretary)
    for _ in range(2):
        assert client.post(url, headers=secretary,
                           json={"user_id": world.volunteer.id}).status_code == 200
    assert card_points(client, world.volunteer) == 5  # once


# 6. Private details: seen by few, every sight recorded -------------------------------------

def test_each_sight_of_private_details_is_recorded_with_its_reason(
        app, client, world, token_for):
    wish = world.served_wish()
    wishes.claim_wish(world.volunteer, wish.id, accept_letter=True)
    secretary = token_for(world.secretary)
    for user in (world.volunteer, world.secretary, world.served):
        response = client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(user))
        [person] = response.get_json()["beneficiaries"]
        assert (person["name"], person["phone"], person["address"]) == (
            SERVED_NAME, SERVED_PHONE, SERVED_ADDRESS)
    rows = audit_items(client, secretary, action="private_details_viewed")
    assert [(r["actor"]["id"], r["after"]["reason"]) for r in rows] == [
        (world.served.id, "self"), (world.secretary.id, "secretary"),
        (world.volunteer.id, "claimant")]
    assert all(r["object_type"] == "wish" and r["object_id"] == wish.id for r in rows)

    for headers in ({}, token_for(world.other_volunteer)):
        response = app.test_client().get(f"/api/v1/wishes/{wish.id}", headers=headers)
        [person] = response.get_json()["beneficiaries"]
        assert (person["name"], person["phone"], person["address"]) == (
            MASKED_NAME, MASKED_PHONE, None)
    assert len(audit_items(client, secretary, action="private_details_viewed")) == 3

    views = client.get(f"/api/v1/wishes/{wish.id}/private-views", headers=secretary)
    assert views.status_code == 200
    assert [(v["actor"]["id"], v["after"]["reason"]) for v in views.get_json()] == [
        (world.served.id, "self"), (world.secretary.id, "secretary"),
        (world.volunteer.id, "claimant")]
    assert client.get(f"/api/v1/wishes/{wish.id}/private-views",
                      headers=token_for(world.volunteer)).status_code == 403


def test_the_wish_list_never_shows_full_names_even_to_those_who_may_see_them(
        app, client, world, token_for):
    wish = world.served_wish()
    wishes.claim_wish(world.volunteer, wish.id, accept_letter=True)
    for headers in ({}, token_for(world.volunteer), token_for(world.secretary),
                    token_for(world.served)):
        response = app.test_client().get("/api/v1/wishes",
                                         query_string={"community_id": world.community.id},
                                         headers=headers)
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert SERVED_NAME not in text and SERVED_PHONE not in text
        assert SERVED_ADDRESS not in text
        [item] = response.get_json()["items"]
        assert item["beneficiaries"][0]["name"] == MASKED_NAME


# 7. The audit log API --------------------------------------------------------------------

def test_the_audit_log_is_read_by_the_communitys_secretary_newest_first_in_pages(
        client, world, token_for):
    secretary = token_for(world.secretary)
    for days in (10, 20, 30):
        assert client.patch(f"/api/v1/communities/{world.community.id}", headers=secretary,
                            json={"rating_trust_days": days}).status_code == 200
    everything = client.get("/api/v1/audit", headers=secretary,
                            query_string={"community_id": world.community.id}).get_json()
    ids = [item["id"] for item in everything["items"]]
    assert ids == sorted(ids, reverse=True) and everything["total"] == len(ids) >= 4
    second = client.get("/api/v1/audit", headers=secretary, query_string={
        "community_id": world.community.id, "per_page": 2, "page": 2}).get_json()
    assert [item["id"] for item in second["items"]] == ids[2:4]
    assert second["total"] == everything["total"]

    url = f"/api/v1/audit?community_id={world.community.id}"
    assert client.get(url, headers=token_for(world.far_secretary)).status_code == 403
    assert client.get(url, headers=token_for(world.volunteer)).status_code == 403
    assert client.get(url, headers=token_for(world.served)).status_code == 403
    anonymous = client.get(url)
    assert anonymous.status_code == 401 and error_of(anonymous)


def test_the_audit_log_downloads_as_csv_with_a_header_row(client, world, token_for):
    secretary = token_for(world.secretary)
    response = client.get("/api/v1/audit", headers=secretary,
                          query_string={"community_id": world.community.id, "format": "csv"})
    assert response.status_code == 200
    assert response.content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) >= 2  # the header and at least the secretary's own log-in
    assert not any("login_succeeded" in cell for cell in rows[0])
    assert any("login_succeeded" in cell or "登录成功" in cell for row in rows[1:] for cell in row)


def test_failed_and_successful_logins_are_in_the_log(client, world, token_for):
    wrong = client.post("/api/v1/auth/token",
                        json={"username": world.volunteer.username, "password": "wrong-pw-1"})
    assert wrong.status_code == 401
    token_for(world.volunteer)
    rows = audit_items(client, token_for(world.secretary), actor_id=world.volunteer.id)
    assert [r["action"] for r in rows] == ["login_succeeded", "login_failed"]
    assert rows[1]["after"]["username"] == world.volunteer.username


def test_approving_a_report_writes_report_approved(client, world, make_user, token_for):
    pending = make_user("volunteer", world.community, report_status=ReportStatus.PENDING)
    secretary = token_for(world.secretary)
    approved = client.post(f"/api/v1/volunteers/{pending.id}/approve", headers=secretary)
    assert approved.status_code == 200
    [row] = audit_items(client, secretary, action="report_approved")
    assert row["object_id"] == pending.id and row["actor"]["id"] == world.secretary.id
    assert (row["before"]["report_status"], row["after"]["report_status"]) == (
        "pending", "approved")


def test_settings_and_points_rules_changes_are_logged_with_before_and_after(
        client, world, token_for):
    secretary = token_for(world.secretary)
    changed = client.patch(f"/api/v1/communities/{world.community.id}", headers=secretary,
                           json={"max_hours_per_day": 8, "org_ranking": "body"})
    assert changed.status_code == 200, changed.get_json()
    [row] = audit_items(client, secretary, action="community_settings_changed")
    assert row["before"] == {"max_hours_per_day": 10, "org_ranking": "sum"}
    assert row["after"] == {"max_hours_per_day": 8, "org_ranking": "body"}

    rules = {"per_claim": 5, "per_completion": 20, "per_hour": 5, "per_star": 3,
             "per_activity": 5}
    assert client.put(f"/api/v1/communities/{world.community.id}/points-rules",
                      headers=secretary, json=rules).status_code == 200
    [row] = audit_items(client, secretary, action="points_rules_changed")
    assert (row["before"], row["after"]) == ({"per_star": 2}, {"per_star": 3})


def test_the_audit_log_refuses_updates_in_the_database_and_deletes_on_postgresql(
        client, world, token_for):
    token_for(world.volunteer)  # one line: the log-in
    assert db.session.scalar(sa.text("SELECT count(*) FROM audit_log")) >= 1
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.text("UPDATE audit_log SET action = 'tampered'"))
        db.session.commit()
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("DELETE FROM audit_log"))
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(sa.text("SELECT count(*) FROM audit_log")) >= 1
    assert db.session.scalar(sa.text(
        "SELECT count(*) FROM audit_log WHERE action = 'tampered'")) == 0


# 8. A need's own words stay with the resident and the secretary -----------------------------

ORIGINAL_TITLE, ORIGINAL_DESCRIPTION = "原标题秘密", "原描述秘密内容"


def test_a_needs_original_words_are_never_shown_to_the_public_or_volunteers(
        app, client, world, token_for):
    resident = token_for(world.served)
    need = client.post("/api/v1/needs", headers=resident, json={
        "title": ORIGINAL_TITLE, "description": ORIGINAL_DESCRIPTION,
        "category_id": world.category_id})
    assert need.status_code == 201, need.get_json()
    need_id = need.get_json()["id"]
    published = client.post(f"/api/v1/needs/{need_id}/publish",
                            headers=token_for(world.secretary),
                            json={"title": "帮忙修水管", "description": "厨房水管漏水"})
    assert published.status_code in (200, 201), published.get_json()
    wish_id = published.get_json()["id"]

    api_urls = [f"/api/v1/wishes?community_id={world.community.id}", f"/api/v1/wishes/{wish_id}"]
    pages = [f"/communities/{world.community.id}", f"/wishes/{wish_id}"]
    volunteer_api = {"Authorization": token_for(world.other_volunteer)["Authorization"]}
    for browser, headers in ((page_client(app), {}),
                             (page_client(app, world.other_volunteer), {}),
                             (app.test_client(), volunteer_api)):
        for url in api_urls + pages:
            response = browser.get(url, headers=headers)
            assert response.status_code == 200, url
            text = response.get_data(as_text=True)
            assert ORIGINAL_TITLE not in text, url
            assert ORIGINAL_DESCRIPTION not in text, url


def test_the_requester_and_the_secretary_still_see_the_needs_original_words(
        app, client, world, token_for):
    resident = token_for(world.served)
    need_id = client.post("/api/v1/needs", headers=resident, json={
        "title": ORIGINAL_TITLE, "description": ORIGINAL_DESCRIPTION,
        "category_id": world.category_id}).get_json()["id"]
    wish_id = client.post(f"/api/v1/needs/{need_id}/publish",
                          headers=token_for(world.secretary),
                          json={"title": "帮忙修水管", "description": "厨房水管漏水"}
                          ).get_json()["id"]
    for user in (world.served, world.secretary):
        need = client.get(f"/api/v1/needs/{need_id}", headers=token_for(user)).get_json()
        assert (need["title"], need["description"]) == (ORIGINAL_TITLE, ORIGINAL_DESCRIPTION)
        page = page_client(app, user).get(f"/wishes/{wish_id}").get_data(as_text=True)
        assert ORIGINAL_TITLE in page


# 9. One masking, for the page and the API alike -------------------------------------------

def _wishes_in_every_state(world):
    states = {"open": world.served_wish("开着的心愿")}
    for state in ("claimed", "completed", "closed", "cancelled"):
        wish = world.served_wish(f"{state}的心愿")
        wishes.claim_wish(world.volunteer, wish.id, accept_letter=True)
        if state in ("completed", "closed"):
            wishes.complete_wish(world.volunteer, wish.id, hours=1)
        if state == "closed":
            wishes.close_wish(world.secretary, wish.id)
        if state == "cancelled":
            wishes.cancel_wish(world.secretary, wish.id, "居民已自行解决")
        states[state] = wish
    return states


def test_the_wish_page_shows_the_same_name_and_phone_as_the_api_for_every_viewer_and_state(
        app, client, world, token_for):
    states = _wishes_in_every_state(world)
    viewers = {"anonymous": None, "other volunteer": world.other_volunteer,
               "claimant": world.volunteer, "served resident": world.served,
               "other resident": world.neighbour, "secretary": world.secretary,
               "other community's secretary": world.far_secretary}
    full_viewers = {"claimant", "served resident", "secretary"}
    for label, user in viewers.items():
        browser = page_client(app, user)
        headers = token_for(user) if user is not None else {}
        for state, wish in states.items():
            api = app.test_client().get(f"/api/v1/wishes/{wish.id}", headers=headers)
            assert api.get_json()["state"] == state
            [person] = api.get_json()["beneficiaries"]
            page = browser.get(f"/wishes/{wish.id}").get_data(as_text=True)
            where = f"{label} on a {state} wish"
            # The claimant of a cancelled wish is no longer its claimant.
            full = label in full_viewers and not (label == "claimant" and state in (
                "open", "cancelled"))
            assert (person["name"], person["phone"]) == (
                (SERVED_NAME, SERVED_PHONE) if full else (MASKED_NAME, MASKED_PHONE)), where
            assert person["name"] in page and person["phone"] in page, where
            if not full:
                assert SERVED_NAME not in page and SERVED_PHONE not in page, where
                assert SERVED_ADDRESS not in page, where


# 10. The organisation board ---------------------------------------------------------------

def test_the_organisation_board_shows_body_and_member_points_and_can_rank_by_the_body(
        client, world, make_org, make_user, token_for):
    """An organisation's score is its own (body) points plus what its members earned for
    it, confirmed work only: a completion waiting for confirmation is on no board."""
    first, second = world.org, make_org(world.community, "玉林街道机关党支部")
    first.contact_user_id = world.volunteer.id
    lead = make_user("volunteer", world.community, name="陈志强", organization=second)
    second.contact_user_id = lead.id
    db.session.commit()
    # The first organisation: one project claimed as a body (5), and a member's wish claimed
    # for it (5) and completed (its completion and hour wait for the person served).
    project = wishes.create_wish(world.secretary, title="义诊", description="d", kind="project",
                                 category_id=world.category_id, beneficiary_name="居民")
    wishes.claim_wish(world.volunteer, project.id, accept_letter=True, organization_id=first.id)
    wish = world.served_wish()
    wishes.claim_wish(world.volunteer, wish.id, accept_letter=True, organization_id=first.id)
    wishes.complete_wish(world.volunteer, wish.id, hours=1)
    # The second: two projects claimed as a body (5 + 5).
    for title in ("读书会", "理发"):
        other = wishes.create_wish(world.secretary, title=title, description="d",
                                   kind="project", category_id=world.category_id,
                                   beneficiary_name="居民")
        wishes.claim_wish(lead, other.id, accept_letter=True, organization_id=second.id)

    url = f"/api/v1/leaderboard?community_id={world.community.id}&kind=organizations"
    rows = client.get(url).get_json()["items"]
    assert [(r["id"], r["points"], r["body_points"], r["member_points"]) for r in rows] == [
        (first.id, 10, 5, 5), (second.id, 10, 10, 0)]
    # The person served confirms: the completion (20) and the hour (5) count for it now.
    wishes.confirm_hours(world.served, wish.id)
    rows = client.get(url).get_json()["items"]
    assert [(r["id"], r["points"], r["body_points"], r["member_points"]) for r in rows] == [
        (first.id, 35, 5, 30), (second.id, 10, 10, 0)]
    assert all(r["points"] == r["body_points"] + r["member_points"] for r in rows)

    assert client.patch(f"/api/v1/communities/{world.community.id}",
                        headers=token_for(world.secretary),
                        json={"org_ranking": "body"}).status_code == 200
    rows = client.get(url).get_json()["items"]
    assert [(r["rank"], r["id"], r["points"]) for r in rows] == [
        (1, second.id, 10), (2, first.id, 5)]
    assert all(r["points"] == r["body_points"] for r in rows)


# 11. Frequent releases are flagged -------------------------------------------------------

def test_a_volunteer_releasing_more_claims_than_the_limit_is_flagged_to_the_secretary(
        client, world, token_for):
    headers, secretary = token_for(world.volunteer), token_for(world.secretary)

    def flags():
        notes = client.get("/api/v1/notifications", headers=secretary).get_json()["items"]
        return ([n for n in notes if n["kind"] == "volunteer_flagged"],
                audit_items(client, secretary, action="volunteer_flagged"))

    for i in range(4):
        wish = world.served_wish(f"心愿{i}")
        assert client.post(f"/api/v1/wishes/{wish.id}/claim", headers=headers,
                           json={"accept_letter": True}).status_code == 200
        assert client.post(f"/api/v1/wishes/{wish.id}/release", headers=headers,
                           json={"reason": "临时有事"}).status_code == 200
        if i == 2:
            assert flags() == ([], [])  # three releases: the limit, not past it
    notes, rows = flags()
    assert len(notes) == 1 and world.volunteer.name in notes[0]["text"]
    assert len(rows) == 1 and rows[0]["object_id"] == world.volunteer.id
    assert rows[0]["after"] == {"released_in_30_days": 4, "limit": 3}


# 12. Recompute repairs, and says so in the log --------------------------------------------

def test_recomputing_after_a_tampered_total_repairs_it_and_logs_points_recomputed(
        client, runner, world, token_for):
    wishes.claim_wish(world.volunteer, world.served_wish().id, accept_letter=True)
    assert card_points(client, world.volunteer) == 5
    db.session.execute(sa.update(PointsTotal).where(
        PointsTotal.owner_type == "volunteer", PointsTotal.owner_id == world.volunteer.id,
        PointsTotal.period == "all").values(points=999))
    db.session.commit()
    assert card_points(client, world.volunteer) == 999

    result = runner.invoke(args=["wishboard", "recompute"])
    assert result.exit_code == 0, result.output
    assert "repaired" in result.output
    assert card_points(client, world.volunteer) == 5
    rows = audit_items(client, token_for(world.secretary), action="points_recomputed")
    mine = [r for r in rows if r["object_type"] == "volunteer"
            and r["object_id"] == world.volunteer.id and r["before"]["period"] == "all"]
    assert len(mine) == 1
    assert (mine[0]["before"]["points"], mine[0]["after"]["points"]) == (999, 5)
    assert mine[0]["actor"] is None


# 13. Sign-ups per address -----------------------------------------------------------------

def test_the_fourth_successful_registration_from_one_address_is_refused(
        community, make_app):
    limited = make_app(REGISTRATIONS_PER_ADDRESS="3 per hour")
    # An address of its own, so no other test's sign-ups count against it.
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    browser = limited.test_client()

    def register(n, **extra):
        body = {"username": f"newcomer{n}-{uuid.uuid4().hex[:6]}", "password": PASSWORD,
                "name": "新居民", "phone": "13700000000", "role": "resident",
                "community_id": community.id, **extra}
        return browser.post("/api/v1/auth/register", json=body,
                            environ_base={"REMOTE_ADDR": address})

    assert register(0, role="admin").status_code == 400  # a failed sign-up does not count
    assert [register(n).status_code for n in range(1, 4)] == [201, 201, 201]
    refused = register(4)
    assert refused.status_code == 429
    assert error_of(refused)


# Edges found by trying to get round the rules ------------------------------------------

def test_neighbours_merged_into_one_wish_see_only_themselves(client, app, token_for, world):
    w = world
    wish = w.served_wish()
    other = needs.submit_need(w.neighbour, title="我也要买药", description="赵家住5号",
                              category_id=w.category_id, address="玉林北路5号")
    wishes.publish_need(w.secretary, other.id, wish_id=wish.id)
    mine = client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(w.served)).get_json()
    people = {b["name"]: b for b in mine["beneficiaries"]}
    assert people[SERVED_NAME]["address"] == SERVED_ADDRESS
    assert "赵大妈" not in people and people["赵**"]["address"] is None
    assert people["赵**"]["phone"] == "139****0004"
    assert "我也要买药" not in str(mine["timeline"])
    page = page_client(app, w.served).get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert SERVED_ADDRESS in page and "玉林北路5号" not in page and "13900000004" not in page
    assert "我也要买药" not in page
    views = audit_items(client, token_for(w.secretary), action="private_details_viewed")
    assert views[0]["after"] == {"reason": "self", "beneficiaries": [
        b["id"] for b in mine["beneficiaries"] if b["name"] == SERVED_NAME]}
    staff = client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(w.secretary)).get_json()
    assert {b["name"] for b in staff["beneficiaries"]} == {SERVED_NAME, "赵大妈"}


def test_publishing_a_need_needs_the_secretarys_own_words(client, token_for, world):
    w = world
    need = needs.submit_need(w.served, title="我家3栋502", description="我叫吴秀英",
                             category_id=w.category_id)
    bare = client.post(f"/api/v1/needs/{need.id}/publish", headers=token_for(w.secretary),
                       json={})
    assert bare.status_code == 400 and set(error_of(bare)["fields"]) == {"title", "description"}
    assert client.get("/api/v1/wishes").get_json()["total"] == 0


def test_hours_across_claims_stay_within_the_communitys_daily_cap(
        client, token_for, world, make_user):
    """Completions reported the same day share one cap, the community's
    ``max_hours_per_day`` (10 by default, no longer 24): 4 + 6, then not one hour more."""
    w = world
    headers = token_for(w.volunteer)
    done = []
    for title, hours in (("买药", 4), ("买菜", 6), ("修灯", 1)):
        wish = w.served_wish(title)
        wishes.claim_wish(w.volunteer, wish.id, accept_letter=True)
        done.append(client.post(f"/api/v1/wishes/{wish.id}/complete", headers=headers,
                                json={"hours": hours}))
    assert [r.status_code for r in done] == [200, 200, 400]
    assert error_of(done[2])["code"] == "too_many_hours"
    assert "每天最多10小时" in error_of(done[2])["fields"]["hours"][0]


def test_an_unverified_person_served_cannot_confirm_but_their_stars_count(
        client, token_for, world, make_user):
    """The person served whom the secretary has not verified cannot confirm the service
    (not_verified), and their rating does not confirm it either; but as the person served,
    named on the wish by the secretary, their stars count (average and points)."""
    w = world
    newcomer = make_user("resident", w.community, name="孙奶奶", verified=False)
    need = needs.submit_need(newcomer, title="买药", description="d", category_id=w.category_id)
    wish = wishes.publish_need(w.secretary, need.id, title="买药", description="d")
    wishes.claim_wish(w.volunteer, wish.id, accept_letter=True)
    client.post(f"/api/v1/wishes/{wish.id}/complete", headers=token_for(w.volunteer),
                json={"hours": 10})
    refused = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=token_for(newcomer),
                          json={})
    assert refused.status_code == 403 and error_of(refused)["code"] == "not_verified"
    rated = client.post(f"/api/v1/wishes/{wish.id}/ratings", headers=token_for(newcomer),
                        json={"stars": 5})
    assert rated.status_code == 201 and rated.get_json()["counted"] is True
    story = client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(w.secretary)).get_json()
    assert story["claim"]["hours_status"] == "pending" and story["ratings"][0]["counted"] is True
    assert (story["rating_count"], story["average_stars"]) == (1, 5.0)
    assert card_points(client, w.volunteer) == 5 + 10  # the claim and 5 stars x 2
    assert card_pending(client, w.volunteer) == 20 + 10 * 5  # completion and hours wait


def test_the_completion_and_hours_of_a_wish_closed_by_hand_lapse_under_the_lapse_policy(
        client, runner, token_for, world):
    """Under ``unconfirmed_hours_policy: lapse`` nobody's confirmation by the end of the
    rating window means neither the completion nor its hours are ever booked, even when the
    secretary closed the wish by hand; a late confirmation is refused."""
    w = world
    secretary = token_for(w.secretary)
    client.patch(f"/api/v1/communities/{w.community.id}", headers=secretary,
                 json={"unconfirmed_hours_policy": "lapse"})
    wish = claimed_and_completed(client, token_for, w, hours=4)
    assert client.post(f"/api/v1/wishes/{wish.id}/close", headers=secretary).status_code == 200
    assert card_pending(client, w.volunteer) == 20 + 4 * 5
    later = (datetime.now(SHANGHAI) + timedelta(days=15)).isoformat()
    assert runner.invoke(args=["wishboard", "sweep", "--now", later]).exit_code == 0
    story = client.get(f"/api/v1/wishes/{wish.id}", headers=secretary).get_json()
    assert story["claim"]["hours_status"] == "lapsed"
    again = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=token_for(w.served))
    assert again.status_code == 409 and card_points(client, w.volunteer) == 5  # the claim
    assert card_pending(client, w.volunteer) == 0  # nothing waits: it lapsed
    lapsed = audit_items(client, secretary, action="hours_settled")
    assert lapsed[0]["after"]["status"] == "lapsed" and lapsed[0]["actor"] is None


def test_claims_let_run_out_count_towards_the_release_flag(client, runner, token_for, world):
    w = world
    for title in ("一", "二", "三", "四"):
        wish = w.served_wish(title)
        wishes.claim_wish(w.volunteer, wish.id, accept_letter=True)
    later = (datetime.now(SHANGHAI) + timedelta(days=8)).isoformat()
    assert runner.invoke(args=["wishboard", "sweep", "--now", later]).exit_code == 0
    flags = audit_items(client, token_for(w.secretary), action="volunteer_flagged")
    assert flags and flags[0]["object_id"] == w.volunteer.id
    assert flags[0]["after"]["released_in_30_days"] == 4


def test_service_log_decisions_are_in_the_audit_log(client, token_for, world):
    w = world
    project = wishes.create_wish(w.secretary, title="种子知识讲座", description="d",
                                 category_id=w.category_id, kind="project",
                                 beneficiary_name="全体居民")
    wishes.claim_wish(w.volunteer, project.id, accept_letter=True, organization_id=w.org.id)
    volunteer = token_for(w.volunteer)
    client.post(f"/api/v1/wishes/{project.id}/members", headers=volunteer)
    log = client.post(f"/api/v1/wishes/{project.id}/service-logs", headers=volunteer,
                      json={"served_on": local_today().isoformat(), "hours": 2}).get_json()
    secretary = token_for(w.secretary)
    assert client.post(f"/api/v1/service-logs/{log['id']}/confirm",
                       headers=secretary).status_code == 200
    entry = audit_items(client, secretary, action="service_log_confirmed")[0]
    assert entry["object_id"] == log["id"] and entry["after"]["hours"] == 2.0


def test_the_needs_queue_and_the_people_lists_are_recorded_when_seen(
        client, app, token_for, world):
    w = world
    need = needs.submit_need(w.served, title="买药", description="d", category_id=w.category_id,
                             contact_phone=SERVED_PHONE)
    secretary = token_for(w.secretary)
    listed = client.get("/api/v1/needs", headers=secretary).get_json()
    assert listed["items"][0]["contact_phone"] == SERVED_PHONE
    client.get("/api/v1/residents?verified=true", headers=secretary)
    page_client(app, w.secretary).get("/manage/needs")
    seen = audit_items(client, secretary, action="needs_viewed")
    assert len(seen) == 2 and all(e["after"]["need_ids"] == [need.id] for e in seen)
    residents = audit_items(client, secretary, action="residents_viewed")[0]["after"]
    assert w.served.id in residents["user_ids"]
    # The 报到 list shows volunteers' phones too: the page and the API each leave a line.
    client.get("/api/v1/volunteers?status=approved", headers=secretary)
    page_client(app, w.secretary).get("/manage/reports?status=approved")
    volunteers = audit_items(client, secretary, action="volunteers_viewed")
    assert len(volunteers) == 2
    assert all(w.volunteer.id in e["after"]["user_ids"] for e in volunteers)
    client.get("/api/v1/needs", headers=token_for(w.served))  # her own: nothing to record
    assert len(audit_items(client, secretary, action="needs_viewed")) == 2
