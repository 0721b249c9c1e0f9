"""Grandma Wu's wish walked in a real browser on a phone-sized screen, one role at a time."""

import re

import sqlalchemy as sa

from wishboard.extensions import db
from wishboard.wishes.models import Wish
from wishboard.wishes.states import WishState


def test_the_journey_in_a_browser(live_url, phone, shot, community, make_user, make_place,
                                  make_org):
    make_place("一片区", "area", parent=community)
    org = make_org(community, "四川省种子站党支部")
    wu = make_user("resident", community, name="吴秀英", phone="13812341234", username="wu")
    secretary = make_user("secretary", community, name="张丽华", username="shuji")
    li = make_user("volunteer", community, name="李建国", username="li", organization=org)

    board = phone()
    board.goto(live_url + f"/communities/{community.id}")
    assert board.locator("h1").inner_text().startswith("玉林北路社区")
    shot(board, "01-board-anonymous")

    resident = phone(wu)
    resident.click("text=我的心愿")
    resident.click("text=提新需求")
    resident.fill("#title", "想在家附近做康复护理")
    resident.fill("#description", "92岁，独居，腿脚不便")
    resident.select_option("#category_id", label="居民保健")
    resident.fill("#address", "芳草院2栋101")
    shot(resident, "02-resident-posts-need")
    with resident.expect_navigation():
        resident.click("button:has-text('提交')")
    assert "您的需求已提交" in resident.content()
    shot(resident, "03-resident-my-needs")

    desk = phone(secretary)
    desk.click("text=管理")
    shot(desk, "04-secretary-dashboard")
    desk.click("a.row-link:has-text('待处理的需求')")
    desk.fill("input[name=title]", "帮独居老人联系康复护理")
    desk.fill("textarea[name=description]", "一位老人腿脚不便，想在家附近做康复护理")
    desk.fill("input[name=public_alias]", "吴婆婆")
    shot(desk, "05-secretary-needs-queue")
    with desk.expect_navigation():
        desk.click("button:has-text('发布')")
    assert "已发布" in desk.content()
    wish_url = desk.url
    shot(desk, "06-secretary-published")

    volunteer = phone(li)
    volunteer.goto(wish_url)
    assert "项目责任书" in volunteer.locator(".letter").inner_text()
    volunteer.check("#organization_id")
    volunteer.check("#accept_letter")
    shot(volunteer, "07-volunteer-reads-letter")
    with volunteer.expect_navigation():
        volunteer.click("button:has-text('认领')")
    assert "认领成功" in volunteer.content()
    assert "13812341234" in volunteer.content()
    shot(volunteer, "08-volunteer-claimed")

    public = phone()
    public.goto(wish_url)
    letter = public.locator(".letter").inner_text()
    assert "李建国" in letter and "四川省种子站党支部" in letter
    assert "13812341234" not in public.content() and "芳草院2栋101" not in public.content()
    shot(public, "09-public-sees-letter")

    volunteer.fill("#hours", "2.5")
    volunteer.fill("#note", "联系了社区卫生服务中心，每周上门两次")
    with volunteer.expect_navigation():
        volunteer.click("button:has-text('标记完成')")
    assert "已标记完成" in volunteer.content()
    shot(volunteer, "10-volunteer-completed")

    resident.goto(live_url + "/needs/mine")
    resident.click("text=去评价")
    resident.check("input[name=stars][value='5']")
    resident.fill("#comment", "小李很耐心，谢谢党员志愿者")
    shot(resident, "11-resident-rates")
    with resident.expect_navigation():
        resident.click("button:has-text('提交评价')")
    assert "评价已提交" in resident.content()

    desk.goto(wish_url)
    with desk.expect_navigation():
        desk.click("button:has-text('结项')")
    assert "已结项" in desk.content()
    shot(desk, "12-secretary-closed")
    steps = [s.strip() for s in desk.locator(".timeline li strong").all_inner_texts()]
    assert steps == ["提出需求", "发布心愿", "认领", "完成服务", "评价", "结项"]

    db.session.expire_all()
    wish = db.session.scalar(sa.select(Wish))
    assert wish.state is WishState.CLOSED and wish.average_stars == 5.0


def test_large_mode_is_one_tap_and_remembered_in_a_browser(live_url, phone, shot, community):
    page = phone()
    page.goto(live_url + f"/communities/{community.id}")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("text=长辈版")
    page.wait_for_load_state()
    large = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert large >= 24 > normal  # 18 pt
    button = page.locator(".site-header .mode").bounding_box()
    assert button["height"] >= 60
    shot(page, "large-mode-board")
    page.goto(live_url + "/auth/login")
    assert "large" in (page.locator("html").get_attribute("class") or "")
    assert re.search("标准版", page.content())


def test_checkin_screen_shows_a_big_qr_code_and_the_scanned_page_checks_in(
        live_url, phone, shot, community, make_user):
    from datetime import timedelta

    from wishboard.activities import services as activities
    from wishboard.core.clock import utcnow

    organizer = make_user("secretary", community, name="张丽华", username="shuji")
    volunteer = make_user("volunteer", community, name="周德华", username="zhou")
    start = utcnow() + timedelta(minutes=20)
    activity = activities.create_activity(
        organizer, title="健康义诊", description="量血压", category_id=1, starts_at=start,
        ends_at=start + timedelta(hours=2), signup_deadline=start, capacity=10,
        audience="all", now=utcnow() - timedelta(minutes=1))

    person = phone(volunteer)
    person.goto(live_url + f"/activities/{activity.id}")
    with person.expect_navigation():
        person.click("button:has-text('我要报名')")
    assert "报名成功" in person.content()

    desk = phone(organizer)
    desk.goto(live_url + f"/activities/{activity.id}/checkin-screen")
    qr = desk.locator("img.qr")
    qr.wait_for()
    box = qr.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 300  # scannable from a metre away
    assert desk.evaluate("document.querySelector('img.qr').naturalWidth") > 0
    shot(desk, "checkin-screen")

    code = re.search(r"签到码：([\w-]+)", desk.content()).group(1)  # what the QR carries
    person.goto(live_url + f"/activities/{activity.id}/checkin?code={code}")
    shot(person, "scanned-page")
    with person.expect_navigation():
        person.click("button:has-text('确认签到')")
    person.wait_for_url(f"**/activities/{activity.id}")  # the answer's redirect, loaded
    person.wait_for_load_state()
    assert "签到成功" in person.content()
    desk.reload()
    assert "已签到 1 人" in desk.content()


def test_the_points_card_prints_without_an_inline_script(live_url, phone, shot, community,
                                                         make_user):
    li = make_user("volunteer", community, name="李建国", username="li")
    page = phone()
    page.goto(live_url + f"/volunteers/{li.id}")
    button = page.locator("button:has-text('打印')")
    button.wait_for()  # print.js, allowed by the policy, shows it
    shot(page, "points-card")
    page.evaluate("window.print = () => { window.__printed = true; }")
    button.click()
    assert page.evaluate("window.__printed") is True
    page.goto(live_url + f"/communities/{community.id}/honor")
    shot(page, "honor-board")


def test_the_policy_is_real_and_a_violation_is_caught(live_url, phone, csp_problems):
    """The browser enforces the policy (no bypass) and the recorder sees what it refuses:
    an inline script, an inline style and a javascript: link (the old 打印 link)."""
    page = phone()
    page.goto(live_url + "/auth/login")
    page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.__ran = true';
        document.body.appendChild(script);
        const styled = document.createElement('p');
        styled.setAttribute('style', 'color: red');
        document.body.appendChild(styled);
        const link = document.createElement('a');
        link.href = 'javascript:window.__clicked = true';
        link.id = 'js-link';
        link.textContent = '打印';
        document.body.appendChild(link);
    }""")
    page.click("#js-link")
    page.wait_for_function("window.__cspViolations.length >= 3")
    assert page.evaluate("window.__ran") is None and page.evaluate("window.__clicked") is None
    violations = page.evaluate("window.__cspViolations")
    assert len(violations) == 3 and all(v["blocked"] == "inline" for v in violations)
    assert {v["directive"] for v in violations} == {"script-src-elem", "style-src-attr"}
    consoles = [p["console"] for p in csp_problems if "console" in p]
    assert any("JavaScript URL" in text for text in consoles), consoles
    assert csp_problems, "the recorder must report violations to the test"
    csp_problems.clear()  # this test meant to break the rules; do not fail it at its end


def test_the_tap_target_check_names_what_is_too_small(live_url, phone):
    """The measure ``shot`` applies: a link of its own under 44 px is named with its size, a
    checkbox counts with its label, and a link inside a sentence is let be."""
    from conftest import MEASURE_TARGETS

    page = phone()
    page.goto(live_url + "/auth/login")
    assert page.evaluate(MEASURE_TARGETS, 44) == []
    page.evaluate("""() => {
        const tiny = document.createElement('a');
        tiny.href = '/'; tiny.id = 'tiny'; tiny.textContent = '小';
        document.querySelector('main').appendChild(tiny);
        const sentence = document.createElement('p');
        sentence.innerHTML = '还没有账号？请先<a href="/">注册</a>，再来认领。';
        document.querySelector('main').appendChild(sentence);
    }""")
    small = page.evaluate(MEASURE_TARGETS, 44)
    assert len(small) == 1 and small[0].startswith('a#tiny "小" is '), small
    assert page.evaluate(MEASURE_TARGETS, 60) != []  # 长辈版 asks more of the same page
