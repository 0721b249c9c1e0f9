"""Day one for an 80-year-old, walked in a real browser on a phone: getting back in after a
forgotten password, a shared wish link that returns to the wish after log-in, and a resident
whose need the secretary recorded (代录) rating the service. Every page visited is shot in
both modes, its tap targets measured and checked with axe-core (``shot``)."""

import re

import sqlalchemy as sa
from factories import first_category_id, make_wish

from wishboard.extensions import db
from wishboard.needs.models import Need
from wishboard.wishes import services as wishes

NEW_PASSWORD = "Huang-yeye-2026"


def test_a_forgotten_password_is_reset_with_the_secretarys_code_and_the_phone_logs_in(
        live_url, phone, shot, community, make_user):
    huang = make_user("resident", community, name="黄大爷", phone="13980003333")
    secretary = make_user("secretary", community, name="张丽华", username="shuji")

    desk = phone(secretary)
    desk.goto(live_url + "/manage/residents?verified=true")
    card = desk.locator("li, section, article").filter(has_text="黄大爷").last
    card.locator("summary:has-text('忘记密码')").click()
    shot(desk, "01-secretary-finds-the-resident")
    with desk.expect_navigation():
        card.locator("button:has-text('生成重置码')").click()
    code = desk.locator("p.code").inner_text().strip()
    assert re.fullmatch(r"[0-9]{6}", code)
    shot(desk, "02-secretary-reads-out-the-code")

    resident = phone()
    resident.goto(live_url + "/auth/login")
    resident.click("text=忘记密码")
    resident.fill("#username", "13980003333")
    resident.fill("#code", code)
    resident.fill("#password", NEW_PASSWORD)
    resident.fill("#password_again", NEW_PASSWORD)
    shot(resident, "03-resident-sets-a-new-password")
    with resident.expect_navigation():
        resident.click("button:has-text('设置新密码')")
    assert f"您的用户名是 {huang.username}" in resident.content()
    shot(resident, "04-told-the-username")

    resident.goto(live_url + "/auth/login")
    resident.fill("#username", "13980003333")  # the phone number, in place of the username
    resident.fill("#password", NEW_PASSWORD)
    with resident.expect_navigation():
        resident.click("button:has-text('登录')")
    assert resident.url.endswith("/auth/account")
    assert "黄大爷" in resident.locator("h1").inner_text()
    shot(resident, "05-logged-in-by-phone")
    resident.click("a.row-link:has-text('消息')")
    assert "重置码" in resident.content()  # told a code was made for them and used
    shot(resident, "06-inbox-tells-them")


def test_a_shared_wish_link_leads_through_log_in_back_to_the_wish_to_claim_it(
        live_url, phone, shot, community, make_user):
    secretary = make_user("secretary", community, name="张丽华", username="shuji")
    volunteer = make_user("volunteer", community, name="周德华", username="zhou")
    wish = make_wish(secretary, title="陪罗爷爷去医院复查")

    page = phone()
    page.goto(live_url + f"/wishes/{wish.id}")  # opened from a WeChat group
    shot(page, "01-shared-link")
    with page.expect_navigation():
        page.click("text=登录后认领")
    shot(page, "02-log-in")
    page.fill("#username", volunteer.username)
    page.fill("#password", "correct-horse-9")
    with page.expect_navigation():
        page.click("button:has-text('登录')")
    assert page.url == live_url + f"/wishes/{wish.id}"  # back on the wish, not on 我的
    page.check("#accept_letter")
    shot(page, "03-back-on-the-wish")
    with page.expect_navigation():
        page.click("button:has-text('认领')")
    assert "认领成功" in page.content()
    shot(page, "04-claimed")


def test_a_resident_whose_need_was_recorded_for_them_rates_the_service(
        live_url, phone, shot, community, make_user):
    secretary = make_user("secretary", community, name="张丽华", username="shuji")
    volunteer = make_user("volunteer", community, name="李建国", username="li")
    wu = make_user("resident", community, name="吴秀英", phone="13812345678", username="wu")

    desk = phone(secretary)
    desk.goto(live_url + "/manage/needs/new")
    desk.fill("#title", "帮忙换楼道灯泡")
    desk.fill("#description", "楼道灯坏了，老人晚上看不见")
    desk.fill("#contact_name", "吴秀英")
    desk.fill("#contact_phone", "13812345678")
    shot(desk, "01-secretary-records-the-need")
    with desk.expect_navigation():
        desk.click("button[type=submit]")

    need = db.session.scalar(sa.select(Need).where(Need.title == "帮忙换楼道灯泡"))
    assert need.resident_id == wu.id  # the verified resident with that phone
    wish = wishes.publish_need(secretary, need.id, title="帮独居老人换灯泡",
                               description="楼道灯坏了，需要梯子", category_id=first_category_id())
    wishes.claim_wish(volunteer, wish.id, accept_letter=True)
    wishes.complete_wish(volunteer, wish.id, hours=1, note="换好了")

    resident = phone(wu)
    assert "去评价" in resident.content()  # 我的 starts with it
    shot(resident, "02-my-page-says-rate-it")
    resident.click("text=去评价")
    resident.check("input[name=stars][value='5']")
    resident.fill("#comment", "小李很耐心")
    shot(resident, "03-rating")
    with resident.expect_navigation():
        resident.click("button:has-text('提交评价')")
    assert "您已评价" in resident.content()
    assert resident.locator("form[action$='/rate']").count() == 0
    shot(resident, "04-rated")


def test_the_first_wish_is_above_the_fold_in_large_mode(live_url, phone, community, make_user,
                                                        shot):
    """长辈版 on a 375 × 667 phone: the first wish's title shows without scrolling, above
    the tab bar, for a visitor and for a resident (who also has 提需求)."""
    secretary = make_user("secretary", community, name="张丽华")
    resident = make_user("resident", community, name="吴秀英", username="wu")
    for title in ("帮忙买药", "修楼道灯", "辅导功课"):
        make_wish(secretary, title=title)
    for who in (None, resident):
        page = phone(who)
        page.context.add_cookies([{"name": "large_mode", "value": "1", "url": live_url}])
        page.set_viewport_size({"width": 375, "height": 667})
        page.goto(live_url + f"/communities/{community.id}")
        assert "large" in page.locator("html").get_attribute("class")
        title = page.locator("article.card h2").first.bounding_box()
        tabbar = page.locator("nav.tabbar").bounding_box()
        assert title["y"] + title["height"] <= tabbar["y"], (who, title, tabbar)
        shot(page, f"fold-{'resident' if who else 'visitor'}")


DEMO_PASSWORD = "yubei-demo-2026"


def test_every_main_page_of_the_demo_community_for_each_role(live_url, phone, shot, runner):
    """The demo community as each of its people sees it: every main page shot in both modes,
    its tap targets measured and checked with axe-core."""
    assert runner.invoke(args=["wishboard", "seed-demo"]).exit_code == 0
    community_id = db.session.scalar(sa.text(
        "SELECT community_id FROM users WHERE username = 'shuji_zhang'"))
    wish_id = db.session.scalar(sa.text(
        "SELECT id FROM wishes WHERE state = 'closed' ORDER BY id LIMIT 1"))
    activity_id = db.session.scalar(sa.text("SELECT min(id) FROM activities"))
    public = ["/", f"/communities/{community_id}", f"/communities/{community_id}/honor",
              f"/communities/{community_id}/activities", f"/wishes/{wish_id}",
              f"/activities/{activity_id}", f"/wishes/{wish_id}/poster",
              f"/activities/{activity_id}/poster", "/auth/login", "/auth/register",
              "/auth/reset"]
    own = {
        None: public,
        "jumin_wu": ["/auth/account", "/needs/mine", "/needs/new", "/inbox",
                     f"/wishes/{wish_id}"],
        "dangyuan_li": ["/auth/account", "/claims/mine", "/inbox",
                        f"/communities/{community_id}", "/me/organization",
                        "/organizations/report"],
        "shuji_zhang": ["/manage/", "/manage/needs", "/manage/wishes", "/manage/reports",
                        "/manage/residents", "/manage/hours", "/manage/audit",
                        "/manage/places", "/manage/organizations", "/manage/commendation",
                        "/manage/points-rules", "/manage/settings", "/manage/needs/new",
                        "/manage/wishes/new", "/activities/new", f"/wishes/{wish_id}"],
    }
    for username, pages in own.items():
        page = phone(username, DEMO_PASSWORD)
        for number, path in enumerate(pages, 1):
            response = page.goto(live_url + path)
            assert response.status == 200, (username, path, response.status)
            shot(page, f"{username or 'visitor'}-{number:02d}")
