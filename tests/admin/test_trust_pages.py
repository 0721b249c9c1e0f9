"""The secretary's pages that keep the score honest: verifying residents, the queue of
hours to confirm, the audit log, the settings that govern them, and publishing in the
secretary's own words."""

import sqlalchemy as sa

from wishboard.accounts.models import User
from wishboard.extensions import db
from wishboard.needs import services as needs
from wishboard.places.models import Community
from wishboard.points import services as points
from wishboard.ratings import services as ratings
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Claim, Wish
from wishboard.wishes.states import WishState


def text(response) -> str:
    return response.get_data(as_text=True)


def _category_id() -> int:
    return db.session.scalar(sa.text("SELECT id FROM categories ORDER BY id LIMIT 1"))


def _completed(secretary, volunteer, hours=2):
    wish = wishes.create_wish(secretary, title="帮忙买药", description="d",
                              category_id=_category_id(), beneficiary_name="吴秀英",
                              beneficiary_phone="13800000001")
    wishes.claim_wish(volunteer, wish.id, accept_letter=True)
    wishes.complete_wish(volunteer, wish.id, hours=hours)
    return wish


def test_secretary_verifies_a_resident_and_their_waiting_stars_count(
        client, community, make_user, login_as):
    """An unverified resident's stars show as 待核实, outside the average and the points;
    the secretary's verification counts them in both."""
    secretary = make_user("secretary", community)
    volunteer = make_user("volunteer", community, name="李建国")
    newcomer = make_user("resident", community, name="黄阿姨", verified=False)
    wish = _completed(secretary, volunteer)
    ratings.rate_wish(newcomer, wish.id, stars=5)
    # The claim only: the stars wait, and so do the completion and its hours.
    assert points.points_of(volunteer) == 5
    db.session.refresh(wish)
    assert wish.rating_count == 0

    login_as(secretary)
    assert "待核实：社区核实评价人后才计入平均星级和积分" in text(client.get(f"/wishes/{wish.id}"))
    assert "待核实的居民：<strong>1</strong>" in text(client.get("/manage/"))
    queue = text(client.get("/manage/residents"))
    assert "黄阿姨" in queue and "我认识，核实" in queue
    done = client.post(f"/manage/residents/{newcomer.id}/verify", follow_redirects=True)
    assert "已核实居民 黄阿姨" in text(done)
    assert "没有待核实的居民" in text(client.get("/manage/residents"))
    assert "黄阿姨" in text(client.get("/manage/residents?verified=true"))
    db.session.expire_all()
    assert points.points_of(volunteer) == 5 + 10
    counted = db.session.get(Wish, wish.id)
    assert (counted.rating_count, counted.rating_sum) == (1, 5)
    assert "待核实：" not in text(client.get(f"/wishes/{wish.id}"))


def test_the_hours_queue_leads_to_the_wish_where_the_secretary_adjusts_with_a_reason(
        client, community, make_user, login_as):
    """The completion and its hours wait in the queue; the secretary's confirmation, with
    adjusted hours and a reason, pays the completion and the adjusted hours."""
    secretary = make_user("secretary", community)
    volunteer = make_user("volunteer", community, name="李建国")
    wish = _completed(secretary, volunteer, hours=4)
    login_as(secretary)
    assert "待确认的服务时长：<strong>1</strong>" in text(client.get("/manage/"))
    queue = text(client.get("/manage/hours"))
    assert "帮忙买药" in queue and "填报 4小时" in queue

    page = text(client.get(f"/wishes/{wish.id}"))
    assert "确认已服务" in page and "调整原因" in page and "记为未实际服务" in page
    refused = client.post(f"/wishes/{wish.id}/confirm", data={"hours": "3"})
    assert refused.status_code == 200 and "调整时长时请写明原因" in text(refused)
    assert points.points_of(volunteer) == 5  # the claim only, until confirmed
    done = client.post(f"/wishes/{wish.id}/confirm", data={"hours": "3", "reason": "实际3小时"},
                       follow_redirects=True)
    assert "服务已确认，完成和时长已计入志愿者积分" in text(done)
    assert "社区确认为3小时：实际3小时" in text(done)
    db.session.expire_all()
    assert points.points_of(volunteer) == 5 + 20 + 15
    assert db.session.scalar(sa.select(Claim.confirmed_hours)) == 3
    assert "没有待确认的服务时长" in text(client.get("/manage/hours"))


def test_the_claimant_sees_no_confirm_form_and_cannot_post_one(client, community, make_user,
                                                               login_as):
    secretary = make_user("secretary", community)
    volunteer = make_user("volunteer", community)
    wish = _completed(secretary, volunteer)
    login_as(volunteer)
    page = text(client.get(f"/wishes/{wish.id}"))
    assert 'id="confirm"' not in page and "确认已服务" not in page
    refused = client.post(f"/wishes/{wish.id}/confirm", data={})
    assert refused.status_code == 403 and "不能确认自己的服务时长" in text(refused)
    assert points.points_of(volunteer) == 5  # the claim; their own word pays no completion


def test_the_audit_page_lists_and_downloads_the_communitys_log(client, community, make_user,
                                                               make_place, login_as):
    secretary = make_user("secretary", community, name="张丽华")
    volunteer = make_user("volunteer", community, name="李建国")
    wish = _completed(secretary, volunteer)
    login_as(secretary)
    client.get(f"/wishes/{wish.id}")  # the secretary looks at 吴秀英's details
    page = text(client.get("/manage/audit"))
    assert "<strong>查看服务对象信息</strong>" in page and "<strong>登录成功</strong>" in page
    assert "张丽华" in page
    only_views = text(client.get("/manage/audit?action=private_details_viewed"))
    assert "<strong>查看服务对象信息</strong>" in only_views
    assert "<strong>登录成功</strong>" not in only_views
    download = client.get("/manage/audit?format=csv")
    assert download.mimetype == "text/csv"
    body = download.get_data().decode("utf-8-sig")
    assert body.splitlines()[0].startswith("编号,时间（UTC）,操作人编号")
    assert "查看服务对象信息" in body
    assert client.get("/manage/audit?action=nonsense").status_code == 400

    other = make_user("secretary", make_place("别的社区"), name="王书记")
    client.post("/auth/logout")
    login_as(other)
    assert "张丽华" not in text(client.get("/manage/audit"))
    assert "张丽华" not in text(client.get(f"/manage/audit?community_id={community.id}"))


def test_wish_page_shows_staff_who_saw_the_private_details(client, community, make_user,
                                                           login_as, app):
    secretary = make_user("secretary", community)
    volunteer = make_user("volunteer", community, name="李建国")
    wish = _completed(secretary, volunteer)
    volunteer_client = app.test_client()
    volunteer_client.post("/auth/login", data={"username": volunteer.username,
                                               "password": "correct-horse-9"})
    assert "13800000001" in text(volunteer_client.get(f"/wishes/{wish.id}"))
    assert "谁看过服务对象的信息" not in text(volunteer_client.get(f"/wishes/{wish.id}"))
    login_as(secretary)
    page = text(client.get(f"/wishes/{wish.id}"))
    seen = page[page.index("谁看过服务对象的信息"):]
    assert "李建国（认领人）" in seen and "（社区）" in seen


def test_settings_page_saves_the_honesty_settings_and_records_the_change(
        client, community, make_user, login_as):
    """The daily cap per person, how far back a service log may go (0-60 days) and the
    waiting period, which is off unless given: left blank, time alone counts no rating."""
    login_as(make_user("secretary", community))
    page = text(client.get("/manage/settings"))
    assert "每人每天最多可填几小时" in page and "报到党组织排名按" in page
    assert "项目服务记录最多补登几天前的" in page
    stored = db.session.get(Community, community.id)
    assert (stored.max_hours_per_day, stored.log_backdate_days, stored.rating_trust_days) \
        == (10, 7, None)
    form = {"claim_window_days": "7", "open_wish_max_age_days": "60",
            "rating_window_days": "14", "expiry_reminder_days": "3", "due_reminder_days": "1",
            "rating_reminder_days": "2", "max_hours_per_day": "8", "log_backdate_days": "10",
            "unconfirmed_hours_policy": "lapse", "rating_trust_days": "30",
            "release_flag_count": "5", "org_ranking": "body"}
    bad = client.post("/manage/settings", data={**form, "max_hours_per_day": "25"})
    assert bad.status_code == 200 and "应在1到24之间" in text(bad)
    bad = client.post("/manage/settings", data={**form, "log_backdate_days": "61"})
    assert bad.status_code == 200 and "应在0到60之间" in text(bad)
    db.session.expire_all()
    stored = db.session.get(Community, community.id)
    assert (stored.max_hours_per_day, stored.log_backdate_days) == (10, 7)
    saved = client.post("/manage/settings", data=form, follow_redirects=True)
    assert "社区设置已保存" in text(saved)
    db.session.expire_all()
    stored = db.session.get(Community, community.id)
    assert (stored.max_hours_per_day, stored.log_backdate_days, stored.unconfirmed_hours_policy,
            stored.rating_trust_days, stored.release_flag_count, stored.org_ranking) \
        == (8, 10, "lapse", 30, 5, "body")
    log = text(client.get("/manage/audit?action=community_settings_changed"))
    assert "max_hours_per_day=10" in log and "max_hours_per_day=8" in log
    # A blank waiting period turns it off again.
    client.post("/manage/settings", data={**form, "rating_trust_days": ""})
    db.session.expire_all()
    stored = db.session.get(Community, community.id)
    assert (stored.rating_trust_days, stored.max_hours_per_day) == (None, 8)


def test_publishing_a_need_in_the_secretarys_own_words(client, community, make_user,
                                                       login_as, app):
    secretary = make_user("secretary", community)
    resident = make_user("resident", community, name="吴秀英")
    need = needs.submit_need(resident, title="我家3栋502的灯坏了", description="我叫吴秀英，独居",
                             category_id=_category_id())
    login_as(secretary)
    queue = text(client.get("/manage/needs"))
    assert "公开说明" in queue and "我叫吴秀英，独居" in queue
    published = client.post(f"/manage/needs/{need.id}/publish", follow_redirects=True, data={
        "title": "帮独居老人修灯", "description": "一位独居老人家里的灯坏了",
        "category_id": str(_category_id()), "kind": "micro_wish", "public_alias": "吴婆婆"})
    assert "已发布：帮独居老人修灯" in text(published)
    wish_id = db.session.scalar(sa.text("SELECT id FROM wishes"))
    anonymous = text(app.test_client().get(f"/wishes/{wish_id}"))
    assert "帮独居老人修灯" in anonymous
    assert "3栋502" not in anonymous and "我叫吴秀英" not in anonymous
    assert "3栋502" in text(client.get(f"/wishes/{wish_id}"))  # staff see the need's words
    assert db.session.get(User, resident.id) is not None
    assert WishState.OPEN.value == db.session.scalar(sa.text("SELECT state FROM wishes"))
