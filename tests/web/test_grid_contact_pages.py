"""网格联系人 on the pages: the secretary gives and takes back duties on 社区与网格; the public
contact card (cached for visitors, never with a full number); the board links to it; a
楼栋长 reads the needs of their building on 我负责的网格, linked from 我的."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from helpers import settle_homes

from wishboard.audit.models import AuditEntry
from wishboard.extensions import db
from wishboard.grid import services as grid_services
from wishboard.grid.models import GridContact
from wishboard.needs import services as needs
from wishboard.notifications.models import Notification

HEAD_PHONE, HEAD_MASKED = "13911112222", "139****2222"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def grid(neighbourhood, make_place, make_user):
    n = neighbourhood
    area = make_place("二片区", "area", parent=n.community)
    courtyard = make_place("3号院落", "courtyard", parent=area)
    return SimpleNamespace(
        n=n, area=area, courtyard=courtyard,
        b1=make_place("1栋", "building", parent=courtyard),
        b2=make_place("2栋", "building", parent=courtyard),
        head=make_user("resident", n.community, name="王建华", phone=HEAD_PHONE))


@pytest.fixture
def with_head(grid):
    """王建华 is 1栋's 楼栋长; 吴秀英 lives in 1栋, 赵大妈 in 2栋."""
    n = grid.n
    grid_services.assign_contact(n.secretary, grid.b1.id, role="building_head",
                                 user_id=grid.head.id)
    grid_services.set_home_place(n.served, grid.b1.id)
    grid_services.set_home_place(n.neighbour, grid.b2.id)
    settle_homes()  # they moved in more than a week ago
    return grid


@pytest.fixture
def visitor(app):
    """A second browser with no cookies: the public."""
    return app.test_client()


def test_the_secretary_assigns_by_phone_and_takes_the_duty_back(client, grid, login_as):
    n = grid.n
    login_as(n.secretary)
    page = text(client.get("/manage/places"))
    assert "指派网格联系人" in page and "二片区 › 3号院落 › 1栋（楼栋）" in page

    sent = client.post("/manage/places/contacts", data={
        "place_id": str(grid.b1.id), "role": "building_head", "phone": HEAD_PHONE})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/manage/places#contacts")
    page = text(client.get("/manage/places"))
    assert "已指派王建华为二片区 › 3号院落 › 1栋的楼栋长" in page
    assert "楼栋长：王建华" in page and HEAD_MASKED in page and HEAD_PHONE not in page
    contact = db.session.scalar(sa.select(GridContact))
    remove = f"/manage/places/{grid.b1.id}/contacts/{contact.id}/remove"
    assert f'action="{remove}"' in page

    # A mismatch is said beside its field, and the form keeps what was typed.
    wrong = client.post("/manage/places/contacts", data={
        "place_id": str(grid.courtyard.id), "role": "building_head", "phone": HEAD_PHONE})
    assert wrong.status_code == 400
    assert "院落可以指派：院落长、网格员" in text(wrong) and HEAD_PHONE in text(wrong)
    stranger = client.post("/manage/places/contacts", data={
        "place_id": str(grid.b2.id), "role": "building_head", "phone": "13700000000"})
    assert stranger.status_code == 400 and "本社区没有" in text(stranger)

    gone = client.post(remove)
    assert gone.status_code == 302
    assert "已撤销这位网格联系人" in text(client.get("/manage/places"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GridContact)) == 0
    actions = list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.action.like("grid_contact_%")).order_by(AuditEntry.id)))
    assert actions == ["grid_contact_assigned", "grid_contact_removed"]


def test_volunteers_cannot_manage_contacts(client, with_head, login_as):
    n = with_head.n
    login_as(n.volunteer)
    contact = db.session.scalar(sa.select(GridContact))
    assert client.post("/manage/places/contacts", data={
        "place_id": str(with_head.b2.id), "role": "building_head",
        "phone": HEAD_PHONE}).status_code == 403
    assert client.post(f"/manage/places/{with_head.b1.id}/contacts/{contact.id}/remove"
                       ).status_code == 403


def test_the_cached_card_never_carries_a_full_phone(client, visitor, with_head, login_as):
    n, b1 = with_head.n, with_head.b1
    for url in (f"/places/{b1.id}/contacts", f"/places/{n.community.id}/contacts",
                f"/api/v1/places/{b1.id}/contacts"):
        first, second = visitor.get(url), visitor.get(url)
        assert first.status_code == second.status_code == 200, url
        assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit"), url
        assert HEAD_MASKED in text(second) and HEAD_PHONE not in text(second), url
        assert "王**" in text(second) and "王建华" not in text(second), url  # not an address
        assert "楼栋长" in text(second)

    # A neighbour of 1栋 sees the number and a button to call; the page is theirs alone.
    mine = login_as(n.served).get(f"/places/{b1.id}/contacts")
    assert HEAD_PHONE in text(mine) and f'href="tel:{HEAD_PHONE}"' in text(mine)
    assert "X-Cache" not in mine.headers and mine.headers["Cache-Control"] == "no-store"
    again = visitor.get(f"/places/{b1.id}/contacts")
    assert again.headers["X-Cache"] == "hit" and HEAD_PHONE not in text(again)
    assert "tel:" not in text(again) and "登录" in text(again)


def test_a_neighbour_of_another_building_sees_the_number_masked(client, with_head, login_as):
    page = text(login_as(with_head.n.neighbour).get(f"/places/{with_head.b1.id}/contacts"))
    assert HEAD_MASKED in page and HEAD_PHONE not in page and "tel:" not in page


def test_the_board_and_a_grid_place_link_to_the_contacts(client, with_head):
    n = with_head.n
    board = text(client.get(f"/communities/{n.community.id}"))
    assert "网格联系人" in board and f'href="/places/{n.community.id}/contacts"' in board
    place = text(client.get(f"/communities/{with_head.b1.id}"))
    assert f'href="/places/{with_head.b1.id}/contacts"' in place
    assert client.get("/places/999999/contacts").status_code == 404


def test_a_building_head_reads_the_needs_of_their_building_on_my_grid(
        client, with_head, login_as):
    n = with_head.n
    needs.submit_need(n.served, title="楼道灯坏了", description="晚上下楼看不见",
                      grid_id=with_head.b1.id, address="玉林北路3号")
    needs.submit_need(n.neighbour, title="想学用智能手机", description="请人教教",
                      grid_id=with_head.b2.id)
    login_as(with_head.head)
    account = text(client.get("/auth/account"))
    assert 'href="/me/grid"' in account and "我负责的网格" in account

    page = text(client.get("/me/grid"))
    assert "二片区 › 3号院落 › 1栋（楼栋长）" in page
    assert "楼道灯坏了" in page and "吴**" in page and "待处理" in page
    assert "想学用智能手机" not in page
    for private in ("吴秀英", "13812345678", "玉林北路3号", "晚上下楼看不见"):
        assert private not in page

    # The message about the need opens this page.
    inbox = text(client.get("/inbox"))
    assert "新需求：楼道灯坏了（来自吴**）" in inbox
    note = db.session.scalar(sa.select(Notification).where(
        Notification.user_id == with_head.head.id, Notification.kind == "need_submitted"))
    opened = client.get(f"/inbox/{note.id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/me/grid")
    assert client.get("/me/grid?page=x").status_code == 400


def test_someone_without_a_duty_has_no_link_and_an_empty_page(client, with_head, login_as):
    login_as(with_head.n.neighbour)
    assert 'href="/me/grid"' not in text(client.get("/auth/account"))
    assert "您目前没有负责的网格" in text(client.get("/me/grid"))


def test_a_resident_says_where_they_live_on_my_page(client, grid, login_as):
    n = grid.n
    login_as(n.neighbour)
    page = text(client.get("/auth/account"))
    assert "我住在哪个网格" in page and "二片区 › 3号院落 › 1栋" in page
    saved = client.post("/account/home", data={"place_id": str(grid.b1.id)})
    assert saved.status_code == 302
    assert grid_services.home_place_id_of(n.neighbour) == grid.b1.id
    page = text(client.get("/auth/account"))
    assert "已保存您住的网格" in page and f'href="/places/{grid.b1.id}/contacts"' in page
    wrong = client.post("/account/home", data={"place_id": str(n.elsewhere.id)})
    assert wrong.status_code == 400 and "本社区没有这个网格" in text(wrong)
    cleared = client.post("/account/home", data={"place_id": ""})
    assert cleared.status_code == 302 and grid_services.home_place_id_of(n.neighbour) is None
