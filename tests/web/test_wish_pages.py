"""The lifecycle through the web forms, as each role clicks through it."""

import re

import pytest
import sqlalchemy as sa

from wishboard.extensions import db
from wishboard.needs.models import Need
from wishboard.wishes.models import Wish
from wishboard.wishes.states import WishState


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def cast(community, make_user, make_place):
    area = make_place("一片区", "area", parent=community)
    return {
        "area": area,
        "wu": make_user("resident", community, name="吴秀英", phone="13812341234",
                        username="wu"),
        "secretary": make_user("secretary", community, name="张丽华", username="shuji"),
        "li": make_user("volunteer", community, name="李建国", username="li"),
        "huang": make_user("resident", community, name="黄大爷", username="huang"),
    }


def as_user(app, user):
    client = app.test_client()
    response = client.post("/auth/login", data={"username": user.username,
                                                "password": "correct-horse-9"})
    assert response.status_code == 302
    return client


def test_the_whole_journey_through_the_pages(app, cast, community):
    resident = as_user(app, cast["wu"])
    form = text(resident.get("/needs/new"))
    assert "我有困难，提需求" in form and "一片区" in form
    posted = resident.post("/needs/new", data={
        "title": "想在家附近做康复护理", "description": "腿脚不便", "grid_id": str(cast["area"].id),
        "address": "芳草院2栋101", "contact_phone": ""}, follow_redirects=True)
    assert "您的需求已提交" in text(posted) and "待处理" in text(posted)
    need = db.session.scalar(sa.select(Need))
    assert need.contact_phone == "13812341234"  # the registered phone when none is typed

    secretary = as_user(app, cast["secretary"])
    assert "1</strong> 条" in text(secretary.get("/manage/"))
    queue = text(secretary.get("/manage/needs"))
    assert "想在家附近做康复护理" in queue and "13812341234" in queue
    category = re.search(r'<option value="(\d+)"\s*(?:selected)?>居民保健', queue)
    published = secretary.post(f"/manage/needs/{need.id}/publish", data={
        "title": "为吴婆婆联系康复护理", "description": "老人想在家附近做康复护理",
        "public_alias": "吴婆婆",
        "category_id": category.group(1), "kind": "micro_wish", "expires_at": ""})
    assert published.status_code == 302
    wish = db.session.scalar(sa.select(Wish))
    assert wish.state is WishState.OPEN and wish.public_alias == "吴婆婆"

    volunteer = as_user(app, cast["li"])
    page = text(volunteer.get(f"/wishes/{wish.id}"))
    assert "项目责任书" in page and "我李建国自愿认领" in page
    assert "13812341234" not in page  # not before claiming
    refused = volunteer.post(f"/wishes/{wish.id}/claim", data={})
    assert refused.status_code == 200 and "请先阅读并同意项目责任书" in text(refused)
    claimed = volunteer.post(f"/wishes/{wish.id}/claim", data={"accept_letter": "true"},
                             follow_redirects=True)
    page = text(claimed)
    assert "认领成功" in page and "项目责任书（公示）" in page
    assert "13812341234" in page and "芳草院2栋101" in page  # the claimant sees how to reach her
    assert "李建国" in text(app.test_client().get(f"/wishes/{wish.id}"))  # letter is public
    assert "帮吴婆婆" not in text(volunteer.get("/claims/mine"))
    assert "为吴婆婆联系康复护理" in text(volunteer.get("/claims/mine"))

    bad_hours = volunteer.post(f"/wishes/{wish.id}/complete", data={"hours": "很久"})
    assert "请填写数字" in text(bad_hours)
    done = volunteer.post(f"/wishes/{wish.id}/complete",
                          data={"hours": "2", "note": "联系了卫生服务中心"}, follow_redirects=True)
    assert "已标记完成" in text(done)

    mine = text(resident.get("/needs/mine"))
    assert "等您评价" in mine and "为吴婆婆联系康复护理" in mine
    assert "【未读】" in text(resident.get("/inbox"))
    rated = resident.post(f"/wishes/{wish.id}/rate",
                          data={"stars": "5", "comment": "谢谢小李"}, follow_redirects=True)
    assert "评价已提交" in text(rated) and "平均5.0星" in text(rated)
    again = resident.post(f"/wishes/{wish.id}/rate", data={"stars": "4"})
    assert "每人对一件事只能评价一次" in text(again)

    closed = secretary.post(f"/wishes/{wish.id}/close", follow_redirects=True)
    page = text(closed)
    assert "已结项" in page
    steps = re.findall(r"<strong>(提出需求|发布心愿|认领|完成服务|评价|结项)</strong>", page)
    assert steps == ["提出需求", "发布心愿", "认领", "完成服务", "评价", "结项"]


def test_secretary_records_a_need_on_behalf_and_publishes_directly(app, cast):
    secretary = as_user(app, cast["secretary"])
    missing = secretary.post("/manage/needs/new", data={"title": "买药", "description": "x"})
    assert "代录时请填写居民姓名" in text(missing)
    recorded = secretary.post("/manage/needs/new", data={
        "contact_name": "孙奶奶", "contact_phone": "02885551234", "title": "每周买药",
        "description": "没有手机，电话代录"}, follow_redirects=True)
    assert "已代录 孙奶奶 的需求" in text(recorded)
    assert "没有这个电话号码的已核实账号，没有关联账号" in text(recorded)  # said, not guessed
    assert db.session.scalar(sa.select(Need.on_behalf)) is True

    form = text(secretary.get("/manage/wishes/new"))
    category = re.search(r'<option value="(\d+)"\s*>邻里守望', form).group(1)
    bad = secretary.post("/manage/wishes/new", data={"title": "", "description": "d",
                                                     "category_id": category})
    assert bad.status_code == 200 and "必填" in text(bad)
    assert ">d</textarea>" in text(bad)  # what was typed stays
    made = secretary.post("/manage/wishes/new", data={
        "title": "陪罗爷爷复查", "description": "半天", "category_id": category,
        "kind": "micro_wish", "beneficiary_name": "罗爷爷", "expires_at": "2099-01-01"},
        follow_redirects=True)
    assert "已发布：陪罗爷爷复查" in text(made)
    wish = db.session.scalar(sa.select(Wish).where(Wish.title == "陪罗爷爷复查"))
    assert wish.public_alias == "罗**" and wish.expires_at.year == 2099


def test_secretary_declines_a_need_and_the_resident_reads_why(app, cast):
    resident = as_user(app, cast["wu"])
    resident.post("/needs/new", data={"title": "修水管", "description": "漏水"})
    need = db.session.scalar(sa.select(Need))
    secretary = as_user(app, cast["secretary"])
    secretary.post(f"/manage/needs/{need.id}/reject", data={"reason": "请联系物业"})
    page = text(resident.get("/needs/mine"))
    assert "未采纳" in page and "请联系物业" in page


def test_board_filters_and_search(app, cast, community):
    from wishboard.wishes import services as wish_service

    category_ids = dict(db.session.execute(sa.text("SELECT name, id FROM categories")).all())
    for title, category, grid in [("帮忙买药", "邻里守望", None),
                                  ("修楼道灯", "美好家园", cast["area"].id),
                                  ("辅导数学", "七彩阳光", None)]:
        wish_service.create_wish(cast["secretary"], title=title, description="d",
                                 category_id=category_ids[category], grid_id=grid,
                                 beneficiary_name="某人")
    client = app.test_client()
    board = text(client.get(f"/communities/{community.id}"))
    assert all(t in board for t in ("帮忙买药", "修楼道灯", "辅导数学"))
    assert "共 3 个心愿" in board
    searched = text(client.get(f"/communities/{community.id}?q=楼道"))
    assert "修楼道灯" in searched and "帮忙买药" not in searched
    by_grid = text(client.get(f"/communities/{community.id}?grid_id={cast['area'].id}"))
    assert "修楼道灯" in by_grid and "辅导数学" not in by_grid
    by_category = text(client.get(
        f"/communities/{community.id}?category_id={category_ids['七彩阳光']}"))
    assert "辅导数学" in by_category and "帮忙买药" not in by_category
    bad = client.get(f"/communities/{community.id}?page=0")
    assert bad.status_code == 400


def test_a_pending_volunteer_sees_why_they_cannot_claim(app, cast, community, make_user):
    from wishboard.wishes import services as wish_service

    category_id = db.session.scalar(sa.text("SELECT id FROM categories LIMIT 1"))
    wish = wish_service.create_wish(cast["secretary"], title="买药", description="d",
                                    category_id=category_id, beneficiary_name="某人")
    pending = make_user("volunteer", community, report_status="pending", username="newbie")
    page = text(as_user(app, pending).get(f"/wishes/{wish.id}"))
    assert "报到通过审核后，就可以认领心愿" in page and "我已阅读并同意项目责任书" not in page


def test_the_page_offers_only_what_the_rules_allow(app, cast, community, make_place, make_user,
                                                   make_org):
    from wishboard.wishes import services as wish_service

    category_id = db.session.scalar(sa.text("SELECT min(id) FROM categories"))
    wish = wish_service.create_wish(cast["secretary"], title="买药", description="d",
                                    category_id=category_id, beneficiary_name="某人")
    stranger = make_user("volunteer", make_place("别的社区"), username="stranger")
    page = text(as_user(app, stranger).get(f"/wishes/{wish.id}"))
    assert "只能认领本社区的心愿" in page and "我已阅读并同意项目责任书" not in page

    org, other_org = make_org(community), make_org(community, "别的党支部")
    lead = make_user("volunteer", community, organization=org, username="lead")
    outsider = make_user("volunteer", community, organization=other_org, username="outsider")
    project = wish_service.create_wish(cast["secretary"], title="讲座", description="d",
                                       kind="project", category_id=category_id,
                                       beneficiary_name="居民")
    wish_service.claim_wish(lead, project.id, accept_letter=True, organization_id=org.id)
    assert "加入这个项目" in text(as_user(app, lead).get(f"/wishes/{project.id}"))
    assert "加入这个项目" not in text(as_user(app, outsider).get(f"/wishes/{project.id}"))
    listing = text(as_user(app, outsider).get(f"/communities/{community.id}/activities"))
    assert "发布活动" not in listing
    assert "发布活动" in text(as_user(app, cast["secretary"]).get(
        f"/communities/{community.id}/activities"))

    wish_service.claim_wish(cast["li"], wish.id, accept_letter=True)
    wish_service.complete_wish(cast["li"], wish.id, hours=1)
    assert "给这次服务打分" in text(as_user(app, cast["huang"]).get(f"/wishes/{wish.id}"))
    assert "给这次服务打分" not in text(as_user(app, cast["li"]).get(f"/wishes/{wish.id}"))
