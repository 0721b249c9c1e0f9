"""Sharing a wish or an activity: the WeChat link card's metadata, the page's own QR code,
and the A4 poster for the courtyard's notice board. Public words only, and nothing of a
wish the public may not see."""

import io
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import segno
import sqlalchemy as sa

from wishboard.activities import services as activities
from wishboard.core.clock import utcnow
from wishboard.extensions import db
from wishboard.wishes.models import Wish
from wishboard.wishes.states import WishState

NAME, PHONE, ADDRESS = "吴秀英", "13812345678", "玉林北路3号"
PRIVATE = (NAME, PHONE, ADDRESS, "138****5678")


class _Tags(HTMLParser):
    """The page's <meta> tags (by name or property) and its <img> sources."""

    def __init__(self):
        super().__init__()
        self.meta, self.images = {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.meta[attrs.get("property") or attrs.get("name")] = attrs.get("content", "")
        if tag == "img":
            self.images.append(attrs)


def tags(response) -> _Tags:
    parser = _Tags()
    parser.feed(response.get_data(as_text=True))
    return parser


def expected_qr(url: str, kind: str) -> bytes:
    """What the share code must be: the same settings, made here from the exact address."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind=kind, scale=10, border=2)
    return out.getvalue()


@pytest.fixture
def wish(community, make_user, make_wish):
    """A published wish for a resident whose real name, phone and address are on record."""
    secretary = make_user("secretary", community)
    return make_wish(secretary, title="帮忙买降压药", description="腿脚不便，" * 30 + "谢谢",
                     beneficiary_name=NAME, beneficiary_phone=PHONE,
                     beneficiary_address=ADDRESS, expires_at=utcnow() + timedelta(days=10))


@pytest.fixture
def activity(community, make_user):
    start = utcnow() + timedelta(days=3)
    return activities.create_activity(
        make_user("secretary", community), title="垃圾分类宣传", description="在二片区设点",
        category_id=1, venue="社区党群服务中心二楼", starts_at=start,
        ends_at=start + timedelta(hours=2), signup_deadline=start - timedelta(hours=1),
        capacity=5, audience="all")


def _hide(wish, state):
    db.session.execute(sa.update(Wish).where(Wish.id == wish.id).values(state=state))
    db.session.commit()


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large"])
def test_the_wish_page_carries_a_link_card_and_a_share_card_of_public_words_only(
        client, wish, community, large):
    if large:
        client.set_cookie("large_mode", "1")
    page = client.get(f"/wishes/{wish.id}")
    assert page.status_code == 200
    meta = tags(page).meta
    url = f"http://localhost/wishes/{wish.id}"
    assert meta["og:url"] == url and meta["og:type"] == "website"
    assert meta["og:site_name"] == "微心愿" and meta["og:title"] == "帮忙买降压药"
    assert meta["og:image"] == f"{url}/share-qr.png"
    summary = meta["og:description"]
    assert summary.startswith("腿脚不便，腿脚不便") and summary.endswith("…")
    assert len(summary) == 80 and meta["description"] == summary
    for value in meta.values():
        assert not any(secret in value for secret in PRIVATE), value
    html = page.get_data(as_text=True)
    assert 'class="large"' in html if large else 'class="large"' not in html
    assert "分享" in html and "右上角的「···」" in html
    assert f'href="/wishes/{wish.id}/poster">打印海报（贴到院落公告栏）</a>' in html
    qr = [img for img in tags(page).images if img["src"] == f"/wishes/{wish.id}/share-qr.svg"]
    assert qr and "二维码" in qr[0]["alt"]


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large"])
def test_the_wish_poster_shows_the_public_wish_and_a_big_code_to_scan(
        client, wish, community, large):
    if large:
        client.set_cookie("large_mode", "1")
    poster = client.get(f"/wishes/{wish.id}/poster")
    assert poster.status_code == 200
    html = poster.get_data(as_text=True)
    assert "帮忙买降压药" in html and community.name in html and "吴**" in html
    assert "截止" in html and "用微信扫一扫，查看详情并认领" in html
    assert [img["src"] for img in tags(poster).images] == [f"/wishes/{wish.id}/share-qr.svg"]
    assert "js/print.js" in html and "data-print" in html and "打印" in html
    assert not any(secret in html for secret in PRIVATE)


def test_the_wish_share_code_is_the_page_address_as_svg_and_png(client, wish):
    url = tags(client.get(f"/wishes/{wish.id}")).meta["og:url"]
    for kind, mimetype in (("svg", "image/svg+xml"), ("png", "image/png")):
        code = client.get(f"/wishes/{wish.id}/share-qr.{kind}")
        assert code.status_code == 200 and code.mimetype == mimetype, kind
        assert code.get_data() == expected_qr(url, kind), kind
        assert code.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/wishes/{wish.id}/share-qr.gif").status_code == 404


def test_a_wish_the_public_may_not_see_is_not_found_anywhere(
        app, client, wish, community, make_user, login_as):
    routes = ["", "/poster", "/share-qr.svg", "/share-qr.png"]
    for missing in (wish.id + 1000, 0):
        for route in routes:
            assert client.get(f"/wishes/{missing}{route}").status_code == 404, route
    secretary = make_user("secretary", community)
    for state in (WishState.PENDING_REVIEW, WishState.REJECTED):
        _hide(wish, state)
        for route in routes:
            assert client.get(f"/wishes/{wish.id}{route}").status_code == 404, (state, route)
        # The community's staff still see the page, but nothing on it is for sharing.
        staff = app.test_client()
        staff.post("/auth/login", data={"username": secretary.username,
                                        "password": "correct-horse-9"})
        page = staff.get(f"/wishes/{wish.id}")
        assert page.status_code == 200 and "og:url" not in page.get_data(as_text=True)
        assert "share-qr" not in page.get_data(as_text=True)
        assert staff.get(f"/wishes/{wish.id}/poster").status_code == 404


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large"])
def test_the_activity_page_and_poster_share_it_for_sign_up(client, activity, community, large):
    if large:
        client.set_cookie("large_mode", "1")
    page = client.get(f"/activities/{activity.id}")
    assert page.status_code == 200
    meta = tags(page).meta
    url = f"http://localhost/activities/{activity.id}"
    assert meta["og:url"] == url and meta["og:image"] == f"{url}/share-qr.png"
    assert meta["og:title"] == "垃圾分类宣传" and meta["og:description"] == "在二片区设点"
    html = page.get_data(as_text=True)
    assert f'href="/activities/{activity.id}/poster">打印海报（贴到院落公告栏）</a>' in html

    poster = client.get(f"/activities/{activity.id}/poster")
    assert poster.status_code == 200
    html = poster.get_data(as_text=True)
    for words in ("垃圾分类宣传", community.name, "社区党群服务中心二楼", "地点", "报名截止",
                  "用微信扫一扫，查看详情并报名"):
        assert words in html, words
    assert [img["src"] for img in tags(poster).images] == [
        f"/activities/{activity.id}/share-qr.svg"]


def test_the_activity_share_code_is_its_page_not_the_check_in_code(client, activity):
    url = f"http://localhost/activities/{activity.id}"
    for kind, mimetype in (("svg", "image/svg+xml"), ("png", "image/png")):
        code = client.get(f"/activities/{activity.id}/share-qr.{kind}")
        assert code.status_code == 200 and code.mimetype == mimetype
        assert code.get_data() == expected_qr(url, kind)
    # The organiser's check-in code is still theirs alone.
    assert client.get(f"/activities/{activity.id}/qr.svg").status_code in (302, 401)
    for route in ("", "/poster", "/share-qr.svg", "/share-qr.png"):
        assert client.get(f"/activities/{activity.id + 1000}{route}").status_code == 404


def test_the_shared_wish_page_is_still_kept_for_the_next_visitor(client, wish):
    url = f"/wishes/{wish.id}"
    first, second = client.get(url), client.get(url)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert tags(second).meta["og:url"] == f"http://localhost{url}"


def test_with_a_public_address_a_foreign_host_header_cannot_move_the_share_links(
        app, client, wish):
    """PUBLIC_URL set: the link card and the code name the site's own address whatever Host
    a request claims, and the code may be kept by any cache; without it, the code varies
    with the host it was built on."""
    plain = client.get(f"/wishes/{wish.id}/share-qr.svg", headers={"Host": "evil.example"})
    assert "Host" in plain.headers["Vary"]
    app.config["PUBLIC_URL"] = "https://wishboard.example.cn"
    page = tags(client.get(f"/wishes/{wish.id}", headers={"Host": "evil.example"}))
    assert page.meta["og:url"] == f"https://wishboard.example.cn/wishes/{wish.id}"
    assert page.meta["og:image"].startswith("https://wishboard.example.cn/")
    code = client.get(f"/wishes/{wish.id}/share-qr.png", headers={"Host": "evil.example"})
    assert code.get_data() == expected_qr(f"https://wishboard.example.cn/wishes/{wish.id}",
                                          "png")
    assert "Host" not in code.headers.get("Vary", "") and "public" in code.headers["Cache-Control"]
