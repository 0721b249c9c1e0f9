"""年度评选 on the pages: the secretary's page walks the steps, the 公示 page (public, with an
objection form for people logged in), the poster and its QR code, the certificate page and
its PDF (with the name in Chinese), the verify page, and the honours on 我的, a points card
and an organisation's page."""

import base64
import re
import zlib
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from factories import completed_wish

from wishboard.core.clock import local_day, utcnow
from wishboard.extensions import db
from wishboard.honours import services as honours
from wishboard.honours.models import Certificate
from wishboard.notifications.models import Notification
from wishboard.ratings import services as ratings

LAST_YEAR = local_day(utcnow()).year - 1
OPENED = datetime(LAST_YEAR, 12, 1, 2, tzinfo=timezone.utc)  # before the cut-off day


def serve(n, volunteer, stars, *, month, organization_id=None):
    at = datetime(LAST_YEAR, month, 10, 2, tzinfo=timezone.utc)
    wish = completed_wish(n.secretary, volunteer, hours=2, served=n.served, now=at,
                          organization_id=organization_id, title=f"陪老人复查{month}")
    ratings.rate_wish(n.served, wish.id, stars=stars, now=at + timedelta(hours=2))


def in_publicity(n):
    """Last year's selection, frozen, its 公示 running now."""
    for month in (3, 4, 5):
        serve(n, n.volunteer, 5, month=month, organization_id=n.org.id)
    selection = honours.open_selection(n.secretary, n.community.id, year=LAST_YEAR,
                                       now=OPENED)
    honours.freeze_selection(n.secretary, selection.id)
    honours.start_publicity(n.secretary, selection.id)
    return selection


def published(n, make_user):
    selection = in_publicity(n)
    honours.end_publicity_early(make_user("admin", name="管理员"), selection.id,
                                reason="提前表彰")
    honours.publish_selection(n.secretary, selection.id)
    return selection


def pdf_text(body: bytes) -> str:
    """The text a ReportLab PDF shows, in order: its page streams decoded (ASCII85, then
    Flate), each literal string of a text operator unescaped (PDF octal escapes), and read
    as UTF-16 (the STSong-Light font's UniGB-UCS2-H encoding) or as Latin-1."""
    shown = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", body, re.S):
        try:
            stream = zlib.decompress(base64.a85decode(match.group(1).strip(), adobe=True))
        except ValueError:
            continue
        for literal in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", stream, re.S):
            raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes(
                [int(m.group(1), 8)]) if m.group(1)[:1].isdigit() else m.group(1), literal)
            try:
                shown.append(raw.decode("utf-16-be") if len(raw) % 2 == 0 and any(
                    b > 0x7f for b in raw) else raw.decode("latin-1"))
            except UnicodeDecodeError:
                shown.append(raw.decode("latin-1"))
    return "".join(shown)


def test_the_secretary_opens_a_selection_and_the_page_says_what_is_next(
        neighbourhood, login_as, make_user):
    n = neighbourhood
    serve(n, n.other_volunteer, 5, month=3)  # on the standings, not on the list
    client = login_as(n.secretary)
    page = client.get("/manage/selections")
    assert page.status_code == 200 and "开启年度评选" in page.get_data(as_text=True)
    refused = client.post("/manage/selections", data={"year": str(LAST_YEAR),
                                                     "min_average_stars": "4.25"})
    assert refused.status_code == 400 and "最多一位小数" in refused.get_data(as_text=True)
    # Last year's cut-off day is over: the secretary may not open it now, an admin may
    # with a reason.
    late = client.post("/manage/selections", data={"year": str(LAST_YEAR)})
    assert late.status_code == 400 and "截止日已过" in late.get_data(as_text=True)
    admin = login_as(make_user("admin", name="管理员"))
    assert "截止日已过才开启的原因" in admin.get(
        f"/manage/selections?community_id={n.community.id}").get_data(as_text=True)
    opened = admin.post(f"/manage/selections?community_id={n.community.id}",
                        data={"year": str(LAST_YEAR), "reason": "社区换届，评选推迟开启"})
    assert opened.status_code == 302
    client = login_as(n.secretary)
    walk = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "下一步：冻结积分" in walk and "冻结积分，提出候选名单" in walk
    selection_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    frozen = client.post(f"/manage/selections/{selection_id}/freeze", follow_redirects=True)
    assert "下一步：调整候选名单" in frozen.get_data(as_text=True)
    # A nominee without a reason: the words next to the form.
    refused = client.post(f"/manage/selections/{selection_id}/nominees",
                          data={"division": "party_member",
                                "user_id": str(n.other_volunteer.id)})
    assert refused.status_code == 400
    assert "错误：必填" in refused.get_data(as_text=True)


def test_the_publicity_page_is_public_and_takes_objections_from_people_logged_in(
        neighbourhood, client, login_as):
    n = neighbourhood
    selection = in_publicity(n)
    page = client.get(f"/selections/{selection.id}").get_data(as_text=True)
    assert "年度评选公示" in page and "李建国" in page and "登录后提出异议" in page
    assert n.volunteer.phone not in page
    poster = client.get(f"/selections/{selection.id}/poster").get_data(as_text=True)
    assert "用微信扫一扫，查看名单、提出异议" in poster
    qr = client.get(f"/selections/{selection.id}/share-qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"

    resident = login_as(n.neighbour)
    nominee = honours.selection_view(None, selection.id).nominees[0]
    short = resident.post(f"/selections/{selection.id}/objections",
                          data={"nominee_id": str(nominee.id), "reason": "不对"})
    assert short.status_code == 400 and "长度应在5到500个字之间" in short.get_data(as_text=True)
    sent = resident.post(f"/selections/{selection.id}/objections",
                         data={"nominee_id": str(nominee.id), "reason": "他的服务时长不对"},
                         follow_redirects=True)
    assert "异议已提交" in sent.get_data(as_text=True)
    assert "对李建国的异议 · 等待社区答复" in resident.get("/auth/account").get_data(as_text=True)


def test_a_selection_before_its_publicity_is_not_public(neighbourhood, client):
    n = neighbourhood
    selection = honours.open_selection(n.secretary, n.community.id, year=LAST_YEAR,
                                       now=OPENED)
    assert client.get(f"/selections/{selection.id}").status_code == 404
    assert client.get(f"/selections/{selection.id}/share-qr.svg").status_code == 404


def test_a_certificate_prints_verifies_and_shows_where_its_holder_is(
        neighbourhood, client, login_as, make_user):
    n = neighbourhood
    selection = published(n, make_user)
    certificate = db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == n.volunteer.id))
    code = certificate.code

    page = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "荣誉证书" in page and "李建国同志" in page and "优秀报到党员" in page
    assert certificate.code_words in page and f"/verify/{code}" in page
    assert client.get(f"/certificates/{code.lower()}").status_code == 302
    qr = client.get(f"/certificates/{code}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"

    pdf = client.get(f"/certificates/{code}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.data  # the CJK font ReportLab carries, nothing to install
    text = pdf_text(pdf.data)
    assert "李建国同志" in text and "优秀报到党员" in text and "玉林北路社区" in text
    assert certificate.code_words in text

    verify = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "这份荣誉证书真实有效" in verify and "玉林北路社区" in verify
    assert client.get("/verify", query_string={"code": code.lower()}).headers[
        "Location"].endswith(f"/verify/{code}")
    typo = client.get("/verify", query_string={"code": "12345"}).get_data(as_text=True)
    assert "验证码是12位字母和数字" in typo
    missing = client.get("/verify/ABCDEFGHJKMN")
    assert missing.status_code == 404 and "没有找到这份证书" in missing.get_data(as_text=True)

    results = client.get(f"/selections/{selection.id}").get_data(as_text=True)
    assert "年度评选结果" in results and "核验李建国的荣誉证书" in results
    assert "获得的荣誉" in client.get(f"/volunteers/{n.volunteer.id}").get_data(as_text=True)
    assert "获得的荣誉" in client.get(f"/organizations/{n.org.id}").get_data(as_text=True)
    honor = client.get(f"/communities/{n.community.id}/honor").get_data(as_text=True)
    assert f"{LAST_YEAR}年度评选结果" in honor

    mine = login_as(n.volunteer)
    note = db.session.scalar(sa.select(Notification).where(
        Notification.user_id == n.volunteer.id, Notification.kind == "honour_awarded"))
    opened = mine.get(f"/inbox/{note.id}")
    assert opened.headers["Location"].endswith("/auth/account#honours")
    account = mine.get("/auth/account").get_data(as_text=True)
    assert "我的荣誉证书" in account and "优秀报到党员" in account

    honours.withdraw_certificate(n.secretary, code, reason="服务记录有误")
    withdrawn = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "这项荣誉已撤销" in withdrawn and "服务记录有误" not in withdrawn
    assert client.get(f"/certificates/{code}/pdf").status_code == 409


def test_the_secretary_page_answers_objections_and_publishes(
        neighbourhood, login_as, make_user):
    n = neighbourhood
    selection = in_publicity(n)
    nominee = honours.selection_view(None, selection.id).nominees[0]
    objection = honours.raise_objection(n.neighbour, selection.id, nominee_id=nominee.id,
                                        reason="他的服务时长不对")
    honours.end_publicity_early(make_user("admin", name="管理员"), selection.id,
                                reason="提前表彰")
    client = login_as(n.secretary)
    walk = client.get(f"/manage/selections/{selection.id}").get_data(as_text=True)
    assert "下一步：答复异议" in walk and "赵大妈提出" in walk
    refused = client.post(f"/manage/objections/{objection.id}/answer?selection_id="
                          f"{selection.id}", data={"upheld": "false"})
    assert refused.status_code == 400 and "错误：必填" in refused.get_data(as_text=True)
    answered = client.post(f"/manage/objections/{objection.id}/answer?selection_id="
                           f"{selection.id}", data={"upheld": "false", "answer": "经核实无误"},
                           follow_redirects=True)
    assert "下一步：公布结果" in answered.get_data(as_text=True)
    done = client.post(f"/manage/selections/{selection.id}/publish", follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "评选已完成" in text and "撤销这项荣誉" in text


def test_the_publicity_page_says_when_the_rules_were_set_and_what_was_claimed(
        neighbourhood, client):
    n = neighbourhood
    selection = in_publicity(n)
    page = client.get(f"/selections/{selection.id}").get_data(as_text=True)
    assert "开启日期" in page and "12月1日" in page and f"{LAST_YEAR}年12月31日" in page
    assert "认领3次" in page and "完成服务3次" in page


def test_codes_typed_full_width_or_with_other_separators_verify(
        neighbourhood, client, make_user):
    n = neighbourhood
    published(n, make_user)
    code = db.session.scalar(sa.select(Certificate.code).where(
        Certificate.user_id == n.volunteer.id))
    full_width = "－".join(code[i:i + 4] for i in (0, 4, 8)).translate(
        {c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    for typed in (full_width, "—".join((code[:4], code[4:8], code[8:])),
                  f"{code[:4]}.{code[4:8]}.{code[8:]}", f"{code[:6]}\u200b{code[6:]}"):
        answer = client.get("/verify", query_string={"code": typed})
        assert answer.headers["Location"].endswith(f"/verify/{code}"), typed
    assert client.get(f"/api/v1/certificates/{full_width}").status_code == 200


def test_a_huge_selection_id_on_the_secretarys_forms_is_not_a_500(neighbourhood, login_as):
    client = login_as(neighbourhood.secretary)
    huge = "9" * 30
    assert client.post(f"/manage/objections/1/answer?selection_id={huge}",
                       data={"answer": ""}).status_code == 404
    assert client.post(f"/manage/certificates/ABCDEFGHJKMN/withdraw?selection_id={huge}",
                       data={"reason": ""}).status_code == 404


def test_the_secretary_answers_several_objections_at_once_and_cannot_remove_during_it(
        neighbourhood, login_as, make_user):
    n = neighbourhood
    selection = in_publicity(n)
    nominee = honours.selection_view(None, selection.id).nominees[0]
    for person in (n.neighbour, n.served):
        honours.raise_objection(person, selection.id, nominee_id=nominee.id,
                                reason="他的服务时长不对")
    client = login_as(n.secretary)
    walk = client.get(f"/manage/selections/{selection.id}").get_data(as_text=True)
    assert "对李建国有2条异议等待答复，一并答复" in walk
    assert "移出名单</summary>" not in walk  # not during a 公示
    refused = client.post(f"/manage/selections/{selection.id}/nominees/{nominee.id}/answer",
                          data={"upheld": "false"})
    assert refused.status_code == 400 and "错误：必填" in refused.get_data(as_text=True)
    done = client.post(f"/manage/selections/{selection.id}/nominees/{nominee.id}/answer",
                       data={"upheld": "false", "answer": "经核实，时长无误"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已一并答复2条异议" in done
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.kind == "objection_answered")) == 2


def test_a_nominee_who_hides_their_name_is_anonymous_on_the_pages(
        neighbourhood, client, login_as):
    n = neighbourhood
    selection = in_publicity(n)
    mine = login_as(n.volunteer)
    mine.post("/account/boards", data={"show": "0"})
    db.session.refresh(n.volunteer)
    assert not n.volunteer.show_on_boards
    mine.get("/auth/account")  # takes the flashes that greet 李建国
    mine.post("/auth/logout")
    page = client.get(f"/selections/{selection.id}").get_data(as_text=True)
    assert "李建国" not in page and "一位志愿者（未公开姓名）" in page
    desk = login_as(n.secretary)
    walk = desk.get(f"/manage/selections/{selection.id}").get_data(as_text=True)
    assert "有人选择不公开姓名" in walk and "李建国" in walk
