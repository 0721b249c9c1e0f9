"""Projects with many hands, and activities with sign-up, waiting list and check-in."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from helpers import activity_body, error_of, local_today

from wishboard.activities import services as activities
from wishboard.activities.models import Signup, SignupStatus
from wishboard.core.clock import utcnow
from wishboard.extensions import db
from wishboard.jobs import sweeps
from wishboard.points import services as points
from wishboard.wishes import services as wishes


@pytest.fixture
def org_world(community, make_user, make_org, token_for):
    org = make_org(community, "四川省种子站党支部")
    contact = make_user("volunteer", community, name="陈志强", organization=org)
    org.contact_user_id = contact.id
    db.session.commit()
    members = [make_user("volunteer", community, name=n, organization=org)
               for n in ("李建国", "王晓梅", "赵敏")]
    secretary = make_user("secretary", community, name="张丽华")
    return {"org": org, "contact": contact, "members": members, "secretary": secretary,
            "category_id": db.session.scalar(sa.text("SELECT min(id) FROM categories"))}


def test_an_organisation_claims_a_project_its_members_serve_and_the_community_confirms(
        client, runner, org_world, make_user, token_for):
    """An organisation claims a project, its members join and log the days they served
    (never before they joined, never in the future), and the staff of the community confirm
    each log: never the organisation's contact, one of its members (staff or not) or the
    person who served (cannot_confirm_own_work), nor anyone who is not staff (not_confirmer).
    Confirmed hours earn, and joining earns with the first confirmed log; until then the
    hours are pending and joining earns nothing."""
    world = org_world
    project = wishes.create_wish(world["secretary"], title="转基因科普讲座",
                                 description="为全社区讲转基因知识", kind="project",
                                 category_id=world["category_id"], beneficiary_name="全体居民",
                                 expires_at=utcnow() + timedelta(days=30))
    lead = token_for(world["members"][0])
    without_org = client.post(f"/api/v1/wishes/{project.id}/claim", headers=lead,
                              json={"accept_letter": True})
    assert without_org.status_code == 400
    assert error_of(without_org)["code"] == "project_needs_organization"
    claimed = client.post(f"/api/v1/wishes/{project.id}/claim", headers=lead,
                          json={"accept_letter": True, "organization_id": world["org"].id})
    assert claimed.status_code == 200
    assert claimed.get_json()["due_at"].startswith(project.expires_at.date().isoformat())

    today = local_today()
    log_ids = []
    for member, hours in zip(world["members"], (2, 3, 1.5)):
        headers = token_for(member)
        assert client.post(f"/api/v1/wishes/{project.id}/service-logs", headers=headers,
                           json={"served_on": today.isoformat(), "hours": hours}
                           ).status_code == 403
        joined = client.post(f"/api/v1/wishes/{project.id}/members", headers=headers)
        assert joined.status_code == 201
        assert client.post(f"/api/v1/wishes/{project.id}/members",
                           headers=headers).status_code == 409
        # They became members (and joined the project) today: yesterday is before that.
        before_joining = client.post(
            f"/api/v1/wishes/{project.id}/service-logs", headers=headers,
            json={"served_on": (today - timedelta(days=1)).isoformat(), "hours": hours})
        assert before_joining.status_code == 400
        assert "served_on" in error_of(before_joining)["fields"]
        logged = client.post(f"/api/v1/wishes/{project.id}/service-logs", headers=headers,
                             json={"served_on": today.isoformat(), "hours": hours,
                                   "note": "讲座"})
        assert logged.status_code == 201 and logged.get_json()["status"] == "pending"
        log_ids.append(logged.get_json()["id"])

    card = lambda u: client.get(f"/api/v1/volunteers/{u.id}").get_json()  # noqa: E731
    waiting = card(world["members"][0])
    assert (waiting["points"], waiting["pending_points"]) == (0, 10)  # 2 hours wait

    # Nobody of the organisation that earns from the logs confirms them.
    staff_member = make_user("secretary", world["org"].community, name="刘干事",
                             organization=world["org"])
    outsider = make_user("volunteer", world["org"].community, name="路人甲")
    for who, code in ((world["contact"], "cannot_confirm_own_work"),
                      (world["members"][1], "cannot_confirm_own_work"),
                      (world["members"][0], "cannot_confirm_own_work"),
                      (staff_member, "cannot_confirm_own_work"),
                      (outsider, "not_confirmer")):
        refused = client.post(f"/api/v1/service-logs/{log_ids[0]}/confirm",
                              headers=token_for(who))
        assert refused.status_code == 403 and error_of(refused)["code"] == code, who.name
    assert card(world["members"][0])["points"] == 0

    secretary = token_for(world["secretary"])  # the community's staff confirm
    for log_id in log_ids:
        confirmed = client.post(f"/api/v1/service-logs/{log_id}/confirm", headers=secretary)
        assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "confirmed"
    again = client.post(f"/api/v1/service-logs/{log_ids[0]}/confirm", headers=secretary)
    assert again.status_code == 409

    wish = client.get(f"/api/v1/wishes/{project.id}").get_json()
    assert wish["member_count"] == 3 and wish["confirmed_hours"] == 6.5
    # Members: 5 for joining (paid with their first confirmed log) plus 5 per confirmed
    # hour. The claim is the organisation's own, as a body, and so is its score: that plus
    # what its members earned for it.
    assert [card(m)["points"] for m in world["members"]] == [5 + 10, 5 + 15, 5 + 8]
    assert [card(m)["pending_points"] for m in world["members"]] == [0, 0, 0]
    assert card(world["members"][0])["claims"] == 0
    assert [card(m)["hours"] for m in world["members"]] == [2.0, 3.0, 1.5]
    org_row = client.get(f"/api/v1/leaderboard?community_id={world['org'].community_id}"
                         f"&kind=organizations").get_json()["items"][0]
    assert org_row["points"] == 5 + 15 + (10 + 15 + 8) and org_row["hours"] == 6.5
    assert org_row["claims"] == 1

    future = client.post(f"/api/v1/wishes/{project.id}/service-logs", headers=lead,
                         json={"served_on": "2099-01-01", "hours": 1})
    assert future.status_code == 400 and "served_on" in error_of(future)["fields"]
    too_long = client.post(f"/api/v1/wishes/{project.id}/service-logs", headers=lead,
                           json={"served_on": today.isoformat(), "hours": 30})
    assert too_long.status_code == 400 and "hours" in error_of(too_long)["fields"]
    # Every number kept beside its rows on the way agrees with a recount.
    recount = runner.invoke(args=["wishboard", "recompute", "--check"])
    assert recount.exit_code == 0, recount.output


def test_a_service_log_is_dated_after_joining_and_at_most_log_backdate_days_back(org_world):
    """The day a log names is on or after the day the member joined the project and the day
    they (last) became a member of the organisation, the same day counting; not in the
    future; and at most the community's ``log_backdate_days`` (7 by default) back. Each
    refusal is a 400 on ``served_on``."""
    from wishboard.errors import ValidationFailedError
    from wishboard.projects import services as projects

    world = org_world
    start = datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
    lead, member = world["members"][:2]
    for person in (lead, member):
        person.created_at = start - timedelta(days=60)
    db.session.commit()
    project = wishes.create_wish(world["secretary"], title="长期助老", description="d",
                                 kind="project", category_id=world["category_id"],
                                 beneficiary_name="居民", expires_at=start + timedelta(days=40),
                                 now=start)
    wishes.claim_wish(lead, project.id, accept_letter=True, organization_id=world["org"].id,
                      now=start)
    projects.join_project(member, project.id, now=start + timedelta(days=4))

    def log(served, now):
        return projects.log_service(member, project.id, served_on=(start + served).date(),
                                    hours=1, now=start + now)

    def refused(served, now):
        with pytest.raises(ValidationFailedError) as error:
            log(served, now)
        db.session.rollback()
        return "served_on" in error.value.fields

    day = timedelta(days=1)
    assert refused(3 * day, 5 * day)  # before joining the project
    assert log(4 * day, 5 * day).status.value == "pending"  # the day they joined counts
    assert refused(6 * day, 5 * day)  # tomorrow
    # They left the organisation and came back on the 9th: days before that are not theirs.
    member.organization_since = start + 8 * day
    db.session.commit()
    assert refused(7 * day, 9 * day)
    assert log(8 * day, 9 * day).status.value == "pending"
    # A week back at most (log_backdate_days, 7 by default), then what the community says.
    assert refused(12 * day, 20 * day)  # eight days back
    assert log(13 * day, 20 * day).status.value == "pending"  # seven days back
    world["org"].community.log_backdate_days = 10
    db.session.commit()
    assert log(12 * day, 20 * day).status.value == "pending"
    assert refused(9 * day, 20 * day)  # eleven days back


def test_a_rejected_log_earns_nothing(client, org_world, token_for):
    """The community's staff reject a log (the organisation's contact may not: it earns
    from it); its hours earn nothing, nor does joining, which pays only with a confirmed
    log; and the member cannot confirm it instead."""
    world = org_world
    project = wishes.create_wish(world["secretary"], title="义诊", description="d",
                                 kind="project", category_id=world["category_id"],
                                 beneficiary_name="居民")
    member = world["members"][0]
    headers = token_for(member)
    client.post(f"/api/v1/wishes/{project.id}/claim", headers=headers,
                json={"accept_letter": True, "organization_id": world["org"].id})
    client.post(f"/api/v1/wishes/{project.id}/members", headers=headers)
    log = client.post(f"/api/v1/wishes/{project.id}/service-logs", headers=headers,
                      json={"served_on": local_today().isoformat(), "hours": 4}).get_json()
    by_contact = client.post(f"/api/v1/service-logs/{log['id']}/reject",
                             headers=token_for(world["contact"]), json={"reason": "时长不符"})
    assert by_contact.status_code == 403
    assert error_of(by_contact)["code"] == "cannot_confirm_own_work"
    rejected = client.post(f"/api/v1/service-logs/{log['id']}/reject",
                           headers=token_for(world["secretary"]), json={"reason": "时长不符"})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert points.points_of(member) == 0  # neither the rejected hours nor the joining
    assert client.get(f"/api/v1/volunteers/{member.id}").get_json()["pending_points"] == 0
    assert client.post(f"/api/v1/service-logs/{log['id']}/confirm",
                       headers=headers).status_code == 403


def test_activity_signups_waiting_list_and_cancellation(client, runner, community, make_user,
                                                        token_for):
    secretary = token_for(make_user("secretary", community))
    category_id = db.session.scalar(sa.text("SELECT min(id) FROM categories"))
    created = client.post("/api/v1/activities", headers=secretary,
                          json=activity_body(community, category_id=category_id))
    assert created.status_code == 201
    activity_id = created.get_json()["id"]
    people = [token_for(make_user("volunteer" if i % 2 else "resident", community))
              for i in range(4)]
    answers = [client.post(f"/api/v1/activities/{activity_id}/signups", headers=h).get_json()
               for h in people]
    assert [(a["status"], a["position"]) for a in answers] == [
        ("confirmed", None), ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
    twice = client.post(f"/api/v1/activities/{activity_id}/signups", headers=people[0])
    assert twice.status_code == 409 and error_of(twice)["code"] == "already_signed_up"
    detail = client.get(f"/api/v1/activities/{activity_id}").get_json()
    assert (detail["confirmed_count"], detail["waitlist_count"]) == (2, 2)

    assert client.delete(f"/api/v1/activities/{activity_id}/signups/me",
                         headers=people[1]).status_code == 204
    detail = client.get(f"/api/v1/activities/{activity_id}").get_json()
    assert (detail["confirmed_count"], detail["waitlist_count"]) == (2, 1)
    statuses = dict(db.session.execute(sa.select(Signup.position, Signup.status).where(
        Signup.position.is_not(None))).all())
    assert statuses == {1: SignupStatus.CONFIRMED, 2: SignupStatus.WAITLISTED}
    assert client.delete(f"/api/v1/activities/{activity_id}/signups/me",
                         headers=people[1]).status_code == 404
    recount = runner.invoke(args=["wishboard", "recompute", "--check"])
    assert recount.exit_code == 0, recount.output


def test_activity_input_and_deadlines(client, community, make_user, token_for):
    secretary = token_for(make_user("secretary", community))
    past = utcnow() - timedelta(days=1)
    bad = client.post("/api/v1/activities", headers=secretary, json=activity_body(
        community, starts_at=past.isoformat(), capacity=0))
    assert bad.status_code == 400 and {"capacity"} <= set(error_of(bad)["fields"])
    backwards = client.post("/api/v1/activities", headers=secretary, json=activity_body(
        community, ends_at=utcnow().isoformat()))
    assert backwards.status_code == 400 and "ends_at" in error_of(backwards)["fields"]
    resident = token_for(make_user("resident", community))
    assert client.post("/api/v1/activities", headers=resident,
                       json=activity_body(community)).status_code == 403
    activity = client.post("/api/v1/activities", headers=secretary,
                           json=activity_body(community, audience="volunteers")).get_json()
    refused = client.post(f"/api/v1/activities/{activity['id']}/signups", headers=resident)
    assert refused.status_code == 403 and error_of(refused)["code"] == "audience_volunteers"
    volunteer = make_user("volunteer", community)
    late = utcnow() + timedelta(days=3)
    with pytest.raises(Exception) as closed:
        activities.sign_up(volunteer, activity["id"], now=late)
    assert getattr(closed.value, "code", "") == "signup_closed"


def test_checkin_codes_belong_to_one_activity_and_expire(client, community, make_user,
                                                         token_for):
    organizer = make_user("secretary", community)
    headers = token_for(organizer)
    first = client.post("/api/v1/activities", headers=headers,
                        json=activity_body(community)).get_json()
    second = client.post("/api/v1/activities", headers=headers,
                         json=activity_body(community, title="另一个活动")).get_json()
    volunteer = make_user("volunteer", community)
    v_headers = token_for(volunteer)
    for activity in (first, second):
        client.post(f"/api/v1/activities/{activity['id']}/signups", headers=v_headers)
    codes = {a["id"]: client.get(f"/api/v1/activities/{a['id']}/checkin-code",
                                 headers=headers).get_json() for a in (first, second)}
    assert codes[first["id"]]["code"] != codes[second["id"]]["code"]
    assert "/checkin?code=" in codes[first["id"]]["qr_url"]
    assert client.get(f"/api/v1/activities/{first['id']}/checkin-code",
                      headers=v_headers).status_code == 403

    during = datetime.fromisoformat(first["starts_at"]) + timedelta(minutes=30)
    with pytest.raises(Exception) as wrong:
        activities.check_in(volunteer, first["id"], code=codes[second["id"]]["code"],
                            now=during)
    assert wrong.value.code == "invalid_checkin_code"
    after = datetime.fromisoformat(first["ends_at"]) + timedelta(hours=2)
    with pytest.raises(Exception) as late:
        activities.check_in(volunteer, first["id"], code=codes[first["id"]]["code"], now=after)
    assert late.value.code == "checkin_expired"
    signup = activities.check_in(volunteer, first["id"], code=codes[first["id"]]["code"],
                                 now=during)
    assert signup.status is SignupStatus.ATTENDED
    assert points.points_of(volunteer) == 5  # attending earns participation points, once
    activities.check_in(volunteer, first["id"], code=codes[first["id"]]["code"], now=during)
    assert points.points_of(volunteer) == 5
    bad = client.post(f"/api/v1/activities/{first['id']}/checkins", headers=v_headers,
                      json={"code": codes[second["id"]]["code"]})
    assert bad.status_code == 400 and error_of(bad)["code"] in ("invalid_checkin_code",
                                                                "checkin_not_started")


def test_the_organiser_checks_people_in_and_no_shows_are_recorded(community, make_user):
    organizer = make_user("secretary", community)
    start = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)
    created = datetime(2026, 11, 20, tzinfo=timezone.utc)
    activity = activities.create_activity(
        organizer, title="义诊", description="d", category_id=1, starts_at=start,
        ends_at=start + timedelta(hours=3), signup_deadline=start, capacity=5,
        audience="all", now=created)
    came, absent = make_user("volunteer", community), make_user("volunteer", community)
    for person in (came, absent):
        activities.sign_up(person, activity.id, now=created)
    activities.check_in(organizer, activity.id, user_id=came.id, now=start)
    with pytest.raises(Exception) as forbidden:
        activities.check_in(came, activity.id, user_id=absent.id, now=start)
    assert forbidden.value.code == "not_organizer"
    result = sweeps.run_sweep(start + timedelta(hours=4))
    assert result.changed["archive"] == 1
    statuses = dict(db.session.execute(sa.select(Signup.user_id, Signup.status)).all())
    assert statuses == {came.id: SignupStatus.ATTENDED, absent.id: SignupStatus.NO_SHOW}
    assert points.points_of(came) == 5 and points.points_of(absent) == 0


def test_a_claimed_project_finishes_at_its_end_date_paid_only_if_service_was_confirmed(
        org_world):
    """The sweep completes a claimed project at its end date (it is never overdue). The
    organisation earns its completion only if the community's staff confirmed some of the
    service given for it; a project nobody's service was confirmed for completes unpaid."""
    from wishboard.projects import services as projects
    from wishboard.wishes import services as wishes
    from wishboard.wishes.models import Wish
    from wishboard.wishes.states import WishState

    world = org_world
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    lead, idle = world["members"][:2]
    lead.created_at = start - timedelta(days=30)  # a member long before the project
    db.session.commit()
    served, unserved = (wishes.create_wish(
        world["secretary"], title=title, description="d", kind="project",
        category_id=world["category_id"], beneficiary_name="居民",
        expires_at=start + timedelta(days=20), now=start) for title in ("长期助老", "冬季送温暖"))
    for who, project in ((lead, served), (idle, unserved)):
        wishes.claim_wish(who, project.id, accept_letter=True,
                          organization_id=world["org"].id, now=start)
    projects.join_project(lead, served.id, now=start)
    log = projects.log_service(lead, served.id, served_on=start.date(), hours=4,
                               now=start + timedelta(days=1))
    projects.confirm_log(world["secretary"], log.id, now=start + timedelta(days=1))
    sweeps.run_sweep(start + timedelta(days=10))
    assert db.session.get(Wish, served.id).state is WishState.CLAIMED  # not overdue
    result = sweeps.run_sweep(start + timedelta(days=21))
    assert result.changed["finish"] == 2 and result.changed.get("release", 0) == 0
    db.session.expire_all()
    assert {db.session.get(Wish, p.id).state for p in (served, unserved)} == {
        WishState.COMPLETED}
    # The member: join 5 + 4 hours 20. The organisation as a body: two claims 5 + 5 and one
    # completion 20 (the project whose service was confirmed), plus what the member earned.
    assert points.points_of(lead) == 25
    org_total = points.total_of("organization", world["org"].id)
    assert (org_total.points, org_total.claims, org_total.completions) == (
        5 + 5 + 20 + 25, 2, 1)
