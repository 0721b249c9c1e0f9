import sqlalchemy as sa

from wishboard.accounts.models import ReportStatus, User
from wishboard.extensions import db
from wishboard.places.models import Community, Organization


def text(response) -> str:
    return response.get_data(as_text=True)


def test_secretary_approves_and_rejects_reports_from_the_queue(client, community, make_user,
                                                               login_as):
    secretary = make_user("secretary", community)
    first = make_user("volunteer", community, name="孙婷", report_status="pending")
    second = make_user("volunteer", community, name="罗文", report_status="pending")
    login_as(secretary)
    assert "待审核的报到：<strong>2</strong>" in text(client.get("/manage/"))
    queue = text(client.get("/manage/reports"))
    assert "孙婷" in queue and "罗文" in queue and first.phone in queue

    approved = client.post(f"/manage/reports/{first.id}/approve", follow_redirects=True)
    assert "已通过 孙婷 的报到" in text(approved)
    rejected = client.post(f"/manage/reports/{second.id}/reject",
                           data={"reason": "请先到社区登记"}, follow_redirects=True)
    assert "已退回 罗文 的报到" in text(rejected)
    db.session.expire_all()
    assert db.session.get(User, first.id).report_status is ReportStatus.APPROVED
    assert db.session.get(User, second.id).report_reject_reason == "请先到社区登记"
    assert "没有待审核的报到" in text(client.get("/manage/reports"))


def test_rejecting_without_a_reason_changes_nothing(client, community, make_user, login_as):
    login_as(make_user("secretary", community))
    volunteer = make_user("volunteer", community, report_status="pending")
    page = text(client.post(f"/manage/reports/{volunteer.id}/reject", data={"reason": ""},
                            follow_redirects=True))
    assert "退回时请写明原因" in page
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).report_status is ReportStatus.PENDING


def test_residents_and_volunteers_cannot_open_management(client, community, make_user,
                                                         login_as):
    login_as(make_user("volunteer", community))
    response = client.get("/manage/reports")
    assert response.status_code == 403
    assert "没有权限" in text(response)


def test_secretary_of_another_community_cannot_approve_by_url(client, community, make_place,
                                                              make_user, login_as):
    login_as(make_user("secretary", make_place("别的社区")))
    volunteer = make_user("volunteer", community, report_status="pending")
    assert client.post(f"/manage/reports/{volunteer.id}/approve").status_code == 403


def test_admin_adds_places_organisations_secretaries_and_categories(client, make_user,
                                                                    login_as):
    login_as(make_user("admin", None))
    client.post("/manage/places", data={"name": "武侯区", "level": "district"})
    district = db.session.scalar(sa.select(Community).where(Community.name == "武侯区"))
    created = client.post("/manage/places", data={"name": "玉林北路社区", "level": "community",
                                                  "parent_id": str(district.id),
                                                  "auto_approve_reports": "true"},
                          follow_redirects=True)
    assert "已添加社区：玉林北路社区" in text(created)
    community = db.session.scalar(sa.select(Community).where(Community.name == "玉林北路社区"))
    assert community.auto_approve_reports is True

    bad = client.post("/manage/places", data={"name": "1栋", "level": "building",
                                              "parent_id": str(district.id)})
    assert bad.status_code == 200 and "楼栋应放在社区或村下面" in text(bad)

    client.post("/manage/organizations", data={"name": "省种子站党支部",
                                               "community_id": str(community.id)})
    assert db.session.scalar(sa.select(Organization.name)) == "省种子站党支部"

    made = client.post("/manage/secretaries", data={
        "name": "张书记", "community_id": str(community.id), "username": "shuji_zhang",
        "password": "long-enough-1", "phone": ""}, follow_redirects=True)
    assert "已创建社区书记账号：shuji_zhang" in text(made)
    assert "张书记" in text(client.get("/manage/secretaries"))

    client.post("/manage/categories", data={"name": "助餐送餐", "sort_order": "80"})
    assert "助餐送餐" in text(client.get("/manage/categories"))
    dup = client.post("/manage/categories", data={"name": "助餐送餐"})
    assert "已有这个类别" in text(dup)


def test_secretary_manages_only_their_own_grid(client, community, make_user, login_as):
    login_as(make_user("secretary", community))
    page = text(client.get("/manage/places"))
    assert "玉林北路社区" in page
    assert client.post("/manage/places", data={"name": "一片区", "level": "area",
                                               "parent_id": str(community.id)}
                       ).status_code == 302
    assert client.post("/manage/places", data={"name": "新区", "level": "district"}
                       ).status_code == 403
    assert client.get("/manage/secretaries").status_code == 403


def test_secretary_sets_the_community_rules(client, community, make_user, login_as):
    login_as(make_user("secretary", community))
    page = client.get("/manage/settings").get_data(as_text=True)
    assert 'value="7"' in page
    bad = client.post("/manage/settings", data={"claim_window_days": "0"})
    assert "应在1到90之间" in bad.get_data(as_text=True)
    client.post("/manage/settings", data={"claim_window_days": "14", "max_open_claims": "3",
                                          "auto_approve_reports": "true"})
    db.session.expire_all()
    saved = db.session.get(Community, community.id)
    assert (saved.claim_window_days, saved.max_open_claims, saved.auto_approve_reports) == (
        14, 3, True)
    client.post("/manage/settings", data={"claim_window_days": "14", "max_open_claims": ""})
    db.session.expire_all()
    saved = db.session.get(Community, community.id)
    assert saved.max_open_claims is None and saved.auto_approve_reports is False


def test_the_dashboard_shows_what_the_policy_will_do_soon(client, community, make_user,
                                                          login_as):
    from datetime import timedelta

    from wishboard.core.clock import utcnow
    from wishboard.wishes import services as wishes

    secretary = make_user("secretary", community)
    volunteer = make_user("volunteer", community)
    category_id = db.session.scalar(sa.text("SELECT id FROM categories ORDER BY id LIMIT 1"))
    now = utcnow()
    wishes.create_wish(secretary, title="三天后过期", description="d", category_id=category_id,
                       beneficiary_name="某人", expires_at=now + timedelta(days=3))
    late = wishes.create_wish(secretary, title="快逾期了", description="d",
                              category_id=category_id, beneficiary_name="某人")
    wishes.claim_wish(volunteer, late.id, accept_letter=True, due_at=now + timedelta(days=2))
    wishes.create_wish(secretary, title="还早", description="d", category_id=category_id,
                       beneficiary_name="某人", expires_at=now + timedelta(days=30))
    login_as(secretary)
    page = client.get("/manage/").get_data(as_text=True)
    assert "七天内将自动处理" in page
    assert "三天后过期</a><div class=\"hint\">将过期" in page
    assert "快逾期了</a><div class=\"hint\">将因逾期收回认领" in page
    assert "还早" not in page
    saved = client.post("/manage/settings", data={
        "claim_window_days": "7", "open_wish_max_age_days": "45", "rating_window_days": "10",
        "expiry_reminder_days": "2", "due_reminder_days": "1", "rating_reminder_days": "3"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Community, community.id).open_wish_max_age_days == 45


def test_the_needs_queue_shows_twenty_at_a_time_and_reads_on(client, community, make_user,
                                                             login_as):
    from wishboard.needs import services as needs

    resident = make_user("resident", community, name="吴秀英")
    category_id = db.session.scalar(sa.text("SELECT min(id) FROM categories"))
    for i in range(25):
        needs.submit_need(resident, title=f"第{i}号需求", description="腿脚不便",
                          category_id=category_id)
    login_as(make_user("secretary", community))
    first = text(client.get("/manage/needs"))
    assert "共 25 条" in first and "第1页，共2页" in first
    assert first.count('<article class="card">') == 20
    second = text(client.get("/manage/needs?status=new&page=2"))
    assert "第2页，共2页" in second and second.count('<article class="card">') == 5
    assert client.get("/manage/needs?page=abc").status_code == 400
