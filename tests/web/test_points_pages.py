import re

import sqlalchemy as sa

from wishboard.extensions import db
from wishboard.points.models import PointsRules
from wishboard.wishes import services as wishes


def text(response) -> str:
    return response.get_data(as_text=True)


def _claimed(community, secretary, volunteer, title="帮忙买药"):
    category_id = db.session.scalar(sa.text("SELECT id FROM categories ORDER BY id LIMIT 1"))
    wish = wishes.create_wish(secretary, title=title, description="d", category_id=category_id,
                              beneficiary_name="吴秀英")
    wishes.claim_wish(volunteer, wish.id, accept_letter=True)
    return wish


def test_honor_board_and_points_card(client, community, make_user):
    """A completion shows on the card as 待确认 (on no board) until it is confirmed; then
    the completion (20) and its hours (2 x 5) count, on the card and on the board."""
    secretary = make_user("secretary", community)
    li = make_user("volunteer", community, name="李建国")
    zhou = make_user("volunteer", community, name="周德华", volunteer_type="elder")
    wish = _claimed(community, secretary, li)
    wishes.complete_wish(li, wish.id, hours=2)
    _claimed(community, secretary, zhou, "修灯")
    card = text(client.get(f"/volunteers/{li.id}"))
    assert "<strong>5分</strong>" in card  # the claim only
    assert "<dt>待确认</dt><dd>30分（确认后才计入，不上榜）</dd>" in card
    assert "完成「帮忙买药」，服务2小时" in card and "等服务对象或社区确认" in card
    assert "35分" not in text(client.get(f"/communities/{community.id}/honor"))

    wishes.confirm_hours(secretary, wish.id)
    page = text(client.get(f"/communities/{community.id}/honor"))
    assert page.index("李建国") < page.index("周德华")
    assert "第1名" in page and "35分" in page and "每完成一次服务：20分" in page
    elders = text(client.get(f"/communities/{community.id}/honor?volunteer_type=elder"))
    assert "周德华" in elders and "李建国" not in elders
    assert client.get(f"/communities/{community.id}/honor?period=century").status_code == 400
    card = text(client.get(f"/volunteers/{li.id}"))
    assert "志愿服务积分卡" in card and "35分" in card and "社区第1名" in card
    assert "+20分" in card and "完成「帮忙买药」" in card
    assert "待确认" not in card


def test_volunteer_hides_their_name_from_the_honor_board(
        client, community, make_user, login_as):
    secretary = make_user("secretary", community)
    shy = make_user("volunteer", community, name="王晓梅")
    _claimed(community, secretary, shy)
    login_as(shy)
    account = text(client.get("/auth/account"))
    assert "我的正能量值：5分" in account
    client.post("/account/boards", data={"show": "0"})
    client.post("/auth/logout")
    page = text(client.get(f"/communities/{community.id}/honor"))
    assert "王晓梅" not in page and "未公开姓名" in page
    assert client.get(f"/volunteers/{shy.id}").status_code == 404


def test_secretary_changes_rules_and_downloads_the_commendation(client, community, make_user,
                                                                login_as):
    secretary = make_user("secretary", community)
    _claimed(community, secretary, make_user("volunteer", community, name="李建国"))
    login_as(secretary)
    assert 'value="5"' in text(client.get("/manage/points-rules"))
    bad = client.post("/manage/points-rules", data={"per_claim": "abc", "per_completion": "20",
                                                    "per_hour": "5", "per_star": "2",
                                                    "per_activity": "5"})
    assert "请填写整数" in text(bad)
    client.post("/manage/points-rules", data={"per_claim": "8", "per_completion": "20",
                                              "per_hour": "5", "per_star": "2",
                                              "per_activity": "5"})
    assert db.session.get(PointsRules, community.id).per_claim == 8
    page = text(client.get("/manage/commendation"))
    assert "李建国" in page and "下载 Excel" in page
    link = re.search(r'href="(/api/v1/commendation[^"]*format=xlsx)"', page).group(1)
    download = client.get(link.replace("&amp;", "&"))
    assert download.status_code == 200
    assert download.mimetype.endswith("spreadsheetml.sheet")


def test_the_honour_board_names_each_filter_once_and_writes_hours_plainly(client, community,
                                                                          make_user):
    from factories import make_wish

    secretary = make_user("secretary", community)
    volunteer = make_user("volunteer", community, name="李建国")
    wish = make_wish(secretary)
    wishes.claim_wish(volunteer, wish.id, accept_letter=True)
    page = client.get(f"/communities/{community.id}/honor").get_data(as_text=True)
    labels = re.findall(r'<a href="[^"]*"[^>]*>([^<]+)</a>', page.split('aria-label="类型"')[1]
                        .split("</nav>")[0])
    assert labels == ["全部", "报到党员", "五老志愿者", "其他志愿者"]
    assert "服务0小时" in page and "0.0小时" not in page
