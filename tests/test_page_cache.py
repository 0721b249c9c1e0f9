"""The anonymous page cache: what it keeps, for whom, and that every write shows at once."""

import secrets
from datetime import timedelta

import pytest
from factories import make_wish

from wishboard.activities import services as activities
from wishboard.core.clock import utcnow
from wishboard.extensions import cache, db
from wishboard.places import services as places
from wishboard.ratings import services as ratings
from wishboard.security import csp_nonce
from wishboard.wishes import services as wishes

PHONE, ADDRESS = "13812345678", "玉林北路3号"


def _get(client, url, **kwargs):
    answer = client.get(url, **kwargs)
    assert answer.status_code in (200, 304), (url, answer.status_code)
    return answer


def _twice(client, url):
    """Fetch ``url`` twice as a visitor; the second answer must come from the cache."""
    first = _get(client, url)
    second = _get(client, url)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit"), url
    assert second.get_data() == first.get_data()
    return second.get_data(as_text=True)


@pytest.fixture
def visitor(app):
    """A second browser with no cookies: the public."""
    return app.test_client()


@pytest.fixture
def street(neighbourhood):
    """A published wish for ``served`` (phone and address on record) and an activity."""
    n = neighbourhood
    wish = make_wish(n.secretary, served=n.served, title="帮忙买降压药")
    start = utcnow() + timedelta(days=3)
    activity = activities.create_activity(
        n.secretary, title="垃圾分类宣传", description="在二片区设点",
        category_id=n.category_id, starts_at=start, ends_at=start + timedelta(hours=2),
        signup_deadline=start - timedelta(hours=1), capacity=5, audience="all")
    return n, wish, activity


def _pages(n, wish, activity):
    c = n.community.id
    return {
        "home": "/", "board": f"/communities/{c}", "wish": f"/wishes/{wish.id}",
        "honour": f"/communities/{c}/honor", "activities": f"/communities/{c}/activities",
        "activity": f"/activities/{activity.id}",
        "api board": f"/api/v1/wishes?community_id={c}", "api wish": f"/api/v1/wishes/{wish.id}",
        "api leaderboard": f"/api/v1/leaderboard?community_id={c}",
        "api activities": f"/api/v1/activities?community_id={c}",
        "api activity": f"/api/v1/activities/{activity.id}",
    }


def test_a_repeat_visit_is_a_hit_and_a_304_while_nothing_changed(visitor, street):
    n, wish, activity = street
    for name, url in _pages(n, wish, activity).items():
        _twice(visitor, url)
        first = _get(visitor, url)
        again = visitor.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b"", name
        assert again.headers["Cache-Control"] == "no-cache" and "Cookie" in again.vary, name
        assert "Content-Security-Policy" in again.headers


SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "X-Frame-Options", "Strict-Transport-Security")


@pytest.mark.parametrize("hsts", [False, True], ids=["http", "production-hsts"])
def test_each_security_header_is_sent_once_on_a_miss_a_hit_and_a_304(make_app, street, hsts):
    """A kept answer keeps the headers every answer carries; a hit used to get them all
    again from the front (two X-Frame-Options, two HSTS: some browsers and scanners take
    a doubled header as a broken one)."""
    n, wish, activity = street
    visitor = make_app(HSTS=hsts).test_client()
    once = {**dict.fromkeys(SECURITY_HEADERS, 1), "Strict-Transport-Security": int(hsts)}
    for name, url in _pages(n, wish, activity).items():
        miss, hit = _get(visitor, url), _get(visitor, url)
        unchanged = visitor.get(url, headers={"If-None-Match": hit.headers["ETag"]})
        assert unchanged.status_code == 304, name
        for answer, source in ((miss, "miss"), (hit, "hit"), (unchanged, "hit")):
            assert answer.headers["X-Cache"] == source, name
            counts = {header: len(answer.headers.getlist(header))
                      for header in SECURITY_HEADERS}
            assert counts == once, (name, source, answer.status_code)


def test_every_write_shows_at_once_on_every_cached_page_it_touches(visitor, street):
    n, wish, activity = street
    pages = _pages(n, wish, activity)
    for url in pages.values():
        _twice(visitor, url)

    newer = make_wish(n.secretary, title="陪同去社区医院")
    for name in ("board", "api board"):
        assert "陪同去社区医院" in _get(visitor, pages[name]).get_data(as_text=True), name

    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True)
    assert "已认领" in _get(visitor, pages["wish"]).get_data(as_text=True)
    assert _get(visitor, pages["api wish"]).get_json()["state"] == "claimed"
    assert [w["state"] for w in _get(visitor, pages["api board"]).get_json()["items"]
            if w["id"] == wish.id] == ["claimed"]
    # Claiming earns points: the leaderboards show the volunteer at once.
    assert n.volunteer.name in _get(visitor, pages["honour"]).get_data(as_text=True)
    leaders = _get(visitor, pages["api leaderboard"]).get_json()["items"]
    assert [row["points"] for row in leaders if row["name"] == n.volunteer.name] == [5]

    wishes.complete_wish(n.volunteer, wish.id, hours=1)
    ratings.rate_wish(n.served, wish.id, stars=5, comment="非常耐心")
    assert "非常耐心" in _get(visitor, pages["wish"]).get_data(as_text=True)

    activities.sign_up(n.neighbour, activity.id)
    assert _get(visitor, pages["api activity"]).get_json()["confirmed_count"] == 1
    assert [a["confirmed_count"] for a in _get(visitor, pages["api activities"]).get_json()[
        "items"]] == [1]

    places.create_community(None, name="肖家河北社区", level="community",
                            parent_id=n.community.parent_id)
    assert "肖家河北社区" in _get(visitor, pages["home"]).get_data(as_text=True)
    assert newer.id


def test_a_cached_page_never_carries_the_private_details_of_the_person_served(
        client, visitor, street, login_as):
    n, wish, activity = street
    for url in (f"/wishes/{wish.id}", f"/api/v1/wishes/{wish.id}",
                f"/communities/{n.community.id}", f"/api/v1/wishes?community_id="
                f"{n.community.id}"):
        page = _twice(visitor, url)
        assert PHONE not in page and ADDRESS not in page and "吴秀英" not in page, url
    # The claimant sees the phone; the next visitor still does not.
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True)
    mine = login_as(n.volunteer).get(f"/wishes/{wish.id}")
    assert PHONE in mine.get_data(as_text=True) and "X-Cache" not in mine.headers
    assert mine.headers["Cache-Control"] == "no-store"
    public = _twice(visitor, f"/wishes/{wish.id}")
    assert PHONE not in public and ADDRESS not in public and "吴秀英" not in public


def test_a_page_rendered_for_someone_signed_in_is_never_served_to_a_visitor(
        client, visitor, street, login_as, token_for):
    n, wish, activity = street
    bearer = token_for(n.volunteer)
    login_as(n.secretary)
    for url in _pages(n, wish, activity).values():
        page = client.get(url)
        assert "X-Cache" not in page.headers, url
        assert page.headers["Cache-Control"] == "no-store", url
    board = _get(visitor, f"/communities/{n.community.id}")
    assert board.headers["X-Cache"] == "miss"
    assert n.secretary.name not in board.get_data(as_text=True)
    assert "退出" not in board.get_data(as_text=True)
    # A bearer token is someone too: never answered from the cache.
    api = visitor.get(f"/api/v1/wishes?community_id={n.community.id}",
                      headers=bearer)
    assert "X-Cache" not in api.headers and api.headers["Cache-Control"] == "no-store"


def test_a_visitor_with_something_in_the_session_or_big_type_gets_their_own_page(
        app, visitor, street):
    n, wish, _ = street
    url = f"/communities/{n.community.id}"
    _twice(visitor, url)
    big = app.test_client()
    big.set_cookie("large_mode", "1")
    first = big.get(url)
    assert first.headers["X-Cache"] == "miss"  # 长辈版 is its own page
    assert big.get(url).headers["X-Cache"] == "hit"
    with visitor.session_transaction() as session:
        session["_flashes"] = [("message", "已退出登录")]
    flashed = visitor.get(url)
    assert "X-Cache" not in flashed.headers and "已退出登录" in flashed.get_data(as_text=True)


def test_workers_sharing_redis_see_each_others_writes(make_app, street):
    """Two processes' worth of apps on one Redis: a write through one ends the other's
    cached page at once."""
    n, wish, _ = street
    prefix = f"wishboard-test-{secrets.token_hex(4)}:"
    one, two = (make_app(CACHE_REDIS_URL="redis://127.0.0.1:6379/0", CACHE_KEY_PREFIX=prefix)
                for _ in range(2))
    url = f"/api/v1/wishes/{wish.id}"
    with one.app_context():
        assert one.extensions["cache"]  # Redis is configured
        _twice(one.test_client(), url)
    with two.app_context():
        wishes.claim_wish(db.session.merge(n.volunteer), wish.id, accept_letter=True)
    with one.app_context():
        fresh = one.test_client().get(url)
        assert fresh.headers["X-Cache"] == "miss" and fresh.get_json()["state"] == "claimed"
        cache.clear()  # this test's keys, by their prefix


def test_a_cache_that_cannot_be_reached_costs_nothing_but_speed(make_app, street):
    n, wish, _ = street
    down = make_app(CACHE_REDIS_URL="redis://127.0.0.1:9/0")
    with down.app_context():
        client = down.test_client()
        for _ in range(2):
            page = client.get(f"/wishes/{wish.id}")
            assert page.status_code == 200 and "帮忙买降压药" in page.get_data(as_text=True)
        wishes.claim_wish(db.session.merge(n.volunteer), wish.id, accept_letter=True)
        assert client.get(f"/api/v1/wishes/{wish.id}").get_json()["state"] == "claimed"


def test_a_page_rendered_while_a_write_commits_is_not_kept_as_current(app, visitor, street):
    """The race: the page reads the wish open, a claim commits, then the page is kept. It
    must be kept under the generation it was read in, which the claim has already ended."""
    n, wish, _ = street
    url = f"/api/v1/wishes/{wish.id}"
    meanwhile = []

    @app.after_request
    def claim_while_the_page_is_on_its_way(response):
        if not meanwhile:
            meanwhile.append(wishes.claim_wish(n.volunteer, wish.id, accept_letter=True))
        return response

    first = _get(visitor, url)
    assert first.get_json()["state"] == "open" and meanwhile
    second = _get(visitor, url)
    assert second.headers["X-Cache"] == "miss" and second.get_json()["state"] == "claimed"


def test_a_page_made_under_another_script_root_is_not_served_at_the_root(visitor, street):
    n, _, _ = street
    url = f"/communities/{n.community.id}"
    elsewhere = visitor.get(url, environ_overrides={"SCRIPT_NAME": "/evil"})
    assert elsewhere.status_code == 200 and "/evil/" in elsewhere.get_data(as_text=True)
    plain = _get(visitor, url)
    assert plain.headers["X-Cache"] == "miss" and "/evil/" not in plain.get_data(as_text=True)


def test_a_page_that_carries_its_csp_nonce_is_never_kept(app, visitor, street):
    n, _, _ = street

    @app.context_processor
    def a_template_that_uses_the_nonce():
        return {"inline_nonce": csp_nonce()}

    url = f"/communities/{n.community.id}"
    assert [_get(visitor, url).headers["X-Cache"] for _ in range(2)] == ["miss", "miss"]
