"""年度评选 in a real browser on a phone: a visitor opens the 公示 page, a resident logs in and
objects, the poster for the notice board, the secretary answers on their page, and once
the results are published the certificate and its verification by QR code. Every page is
shot in both modes, its tap targets measured and checked with axe-core (``shot``)."""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from factories import completed_wish

from wishboard.core.clock import local_day, utcnow
from wishboard.extensions import db
from wishboard.honours import services as honours
from wishboard.honours.models import Certificate
from wishboard.ratings import services as ratings


def test_the_publicity_page_a_certificate_and_its_verification(
        live_url, phone, shot, neighbourhood, make_user):
    n = neighbourhood
    year = local_day(utcnow()).year - 1
    for month in (3, 4, 5):
        at = datetime(year, month, 10, 2, tzinfo=timezone.utc)
        wish = completed_wish(n.secretary, n.volunteer, hours=2, served=n.served, now=at,
                              organization_id=n.org.id, title=f"陪吴奶奶复查{month}")
        ratings.rate_wish(n.served, wish.id, stars=5, now=at + timedelta(hours=2))
    selection = honours.open_selection(n.secretary, n.community.id, year=year,
                                       now=datetime(year, 12, 1, 2, tzinfo=timezone.utc))
    honours.freeze_selection(n.secretary, selection.id)
    honours.add_nominee(n.secretary, selection.id, user_id=n.other_volunteer.id,
                        reason="常年为独居老人送药上门")
    honours.start_publicity(n.secretary, selection.id)

    visitor = phone()
    visitor.goto(f"{live_url}/selections/{selection.id}")
    assert "年度评选公示" in visitor.locator("h1").inner_text()
    assert "李建国" in visitor.content() and "常年为独居老人送药上门" in visitor.content()
    shot(visitor, "01-publicity-page")
    visitor.click("text=打印海报（贴到公告栏）")
    assert visitor.locator(".poster-qr img").is_visible()
    shot(visitor, "02-poster")

    resident = phone(n.neighbour)
    resident.goto(f"{live_url}/selections/{selection.id}")
    resident.select_option("#nominee_id", label="王晓梅（优秀报到党员）")
    resident.fill("#reason", "她今年送药的次数没有登记")
    with resident.expect_navigation():
        resident.click("button:has-text('提交异议')")
    assert "异议已提交" in resident.content()
    shot(resident, "03-objection-sent")

    admin = make_user("admin", name="管理员", username="guanli")
    honours.end_publicity_early(admin, selection.id, reason="区里统一提前表彰")
    desk = phone(n.secretary)
    desk.goto(f"{live_url}/manage/selections/{selection.id}")
    assert "下一步：答复异议" in desk.content()
    desk.fill("textarea[name=answer]", "经核实，送药记录在社区台账里，异议不成立")
    shot(desk, "04-secretary-answers")
    with desk.expect_navigation():
        desk.click("button:has-text('异议不成立，保留提名')")
    with desk.expect_navigation():
        desk.click("button:has-text('公布结果，发放荣誉证书')")
    assert "评选结果已公布" in desk.content()
    shot(desk, "05-published")

    code = db.session.scalar(sa.select(Certificate.code).where(
        Certificate.user_id == n.volunteer.id))
    holder = phone(n.volunteer)
    holder.goto(f"{live_url}/auth/account#honours")
    holder.click(".certificate-list a, #honours a.row-link >> nth=0")
    assert "李建国同志" in holder.locator(".certificate").inner_text()
    shot(holder, "06-certificate")

    scanned = phone()
    scanned.goto(f"{live_url}/verify/{code}")
    assert "真实有效" in scanned.locator(".verify-status").inner_text()
    shot(scanned, "07-verify")
    scanned.goto(f"{live_url}/verify/ABCDEFGHJKMN")
    assert "没有找到这份证书" in scanned.content()
    shot(scanned, "08-verify-unknown-code")
