from datetime import timedelta

from helpers import local_today

from wishboard.activities import services as activities
from wishboard.core.clock import utcnow


def text(response) -> str:
    return response.get_data(as_text=True)


def _activity(organizer, **kw):
    start = kw.pop("start", utcnow() + timedelta(minutes=30))
    return activities.create_activity(
        organizer, title="健康讲座", description="社区卫生服务中心医生主讲", category_id=1,
        starts_at=start, ends_at=start + timedelta(hours=2), signup_deadline=start,
        capacity=kw.pop("capacity", 1), audience="all",
        now=kw.pop("now", utcnow() - timedelta(minutes=5)))


def test_sign_up_wait_and_check_in_by_scanning(app, community, make_user, login_as):
    organizer = make_user("secretary", community)
    activity = _activity(organizer)
    first, second = make_user("volunteer", community), make_user("resident", community)

    one = app.test_client()
    one.post("/auth/login", data={"username": first.username, "password": "correct-horse-9"})
    signed = one.post(f"/activities/{activity.id}/signup", follow_redirects=True)
    assert "报名成功" in text(signed)
    two = app.test_client()
    two.post("/auth/login", data={"username": second.username, "password": "correct-horse-9"})
    waiting = text(two.post(f"/activities/{activity.id}/signup", follow_redirects=True))
    assert "候补第1号" in waiting
    listing = text(app.test_client().get(f"/communities/{community.id}/activities"))
    assert "已报名1/1人，候补1人" in listing

    desk = app.test_client()
    desk.post("/auth/login", data={"username": organizer.username,
                                   "password": "correct-horse-9"})
    screen = text(desk.get(f"/activities/{activity.id}/checkin-screen"))
    assert "签到二维码" in screen and f"/activities/{activity.id}/qr.svg" in screen
    qr = desk.get(f"/activities/{activity.id}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.get_data()
    assert one.get(f"/activities/{activity.id}/qr.svg").status_code == 403

    code = activities.checkin_code(activity)
    page = text(one.get(f"/activities/{activity.id}/checkin?code={code}"))
    assert "确认签到" in page
    wrong = one.post(f"/activities/{activity.id}/checkin", data={"code": "1-bogus"},
                     follow_redirects=True)
    assert "签到码不对" in text(wrong)
    done = one.post(f"/activities/{activity.id}/checkin", data={"code": code},
                    follow_redirects=True)
    assert "签到成功" in text(done) and "已签到" in text(done)
    waiting_checkin = two.post(f"/activities/{activity.id}/checkin", data={"code": code},
                               follow_redirects=True)
    assert "只有正式报名的人可以签到" in text(waiting_checkin)


def test_organisation_contact_publishes_an_activity(app, community, make_user, make_org,
                                                    login_as, client):
    org = make_org(community)
    contact = make_user("volunteer", community, organization=org)
    org.contact_user_id = contact.id
    from wishboard.extensions import db

    db.session.commit()
    login_as(contact)
    form = text(client.get("/activities/new"))
    assert "发布活动" in form
    bad = client.post("/activities/new", data={"title": "讲座", "description": "d",
                                               "category_id": "1", "capacity": "0",
                                               "starts_at": "2099-01-01T09:00",
                                               "ends_at": "2099-01-01T08:00",
                                               "signup_deadline": "2099-01-01T08:00"})
    assert "应在1到10000之间" in text(bad)
    made = client.post("/activities/new", data={
        "title": "科普讲座", "description": "种子站博士主讲", "category_id": "1",
        "capacity": "30", "starts_at": "2099-01-01T09:00", "ends_at": "2099-01-01T11:00",
        "signup_deadline": "2098-12-31T18:00", "audience": "all"}, follow_redirects=True)
    page = text(made)
    assert "活动已发布" in page and "省种子站党支部" in page


def test_the_board_shows_who_joined_a_project_and_the_hours(app, community, make_user,
                                                            make_org, client):
    from wishboard.extensions import db
    from wishboard.projects import services as projects
    from wishboard.wishes import services as wishes

    org = make_org(community)
    secretary = make_user("secretary", community)
    member = make_user("volunteer", community, organization=org)
    category_id = db.session.scalar(db.text("SELECT min(id) FROM categories"))
    project = wishes.create_wish(secretary, title="长期助老", description="d", kind="project",
                                 category_id=category_id, beneficiary_name="居民")
    wishes.claim_wish(member, project.id, accept_letter=True, organization_id=org.id)
    projects.join_project(member, project.id)
    log = projects.log_service(member, project.id, served_on=local_today(), hours=2.5)
    projects.confirm_log(secretary, log.id)
    board = text(client.get(f"/communities/{community.id}?status=claimed"))
    assert "1人参加，服务2.5小时" in board


def test_an_activity_says_where_to_go(client, community, make_user, token_for):
    from helpers import activity_body

    body = activity_body(community, capacity=5, venue="社区党群服务中心二楼会议室")
    secretary = token_for(make_user("secretary", community))
    too_long = client.post("/api/v1/activities", headers=secretary,
                           json={**body, "venue": "会" * 101})
    assert too_long.status_code == 400 and "venue" in too_long.get_json()["error"]["fields"]
    made = client.post("/api/v1/activities", headers=secretary, json=body)
    assert made.status_code == 201 and made.get_json()["venue"] == "社区党群服务中心二楼会议室"
    page = client.get(f"/activities/{made.get_json()['id']}").get_data(as_text=True)
    assert "<dt>地点</dt><dd>社区党群服务中心二楼会议室</dd>" in page
    listing = client.get(f"/communities/{community.id}/activities").get_data(as_text=True)
    assert "社区党群服务中心二楼会议室" in listing
