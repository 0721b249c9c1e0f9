"""服务标识: a volunteer's code checked at the door, through the API and the pages."""

import json

import itsdangerous.timed

from factories import claimed_wish, make_wish
from helpers import error_of
from wishboard.extensions import db
from wishboard.places.models import PlaceLevel
from wishboard.wishes import services as wishes


def _card(client, headers):
    response = client.get("/api/v1/me/service-card", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _check(client, code, headers=None, **query):
    return client.get(f"/api/v1/service-id/{code}", headers=headers or {}, query_string=query)


def _later(monkeypatch, seconds):
    """The clock the codes are judged by, ``seconds`` on."""
    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: real(self) + seconds)


def test_a_volunteer_serving_here_checks_as_valid_and_nothing_private_shows(
        client, neighbourhood, make_place, token_for):
    n = neighbourhood
    courtyard = make_place("3号院", level=PlaceLevel.COURTYARD, parent=n.community)
    other_yard = make_place("5号院", level=PlaceLevel.COURTYARD, parent=n.community)
    building = make_place("1栋", level=PlaceLevel.BUILDING, parent=courtyard)
    n.volunteer.phone = "13700001111"
    n.served.phone = "13912340000"
    db.session.commit()
    wish = make_wish(n.secretary, served=n.served, title="陪吴婆婆去医院", grid_id=building.id)
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True)

    card = _card(client, token_for(n.volunteer))
    assert card["volunteer"]["name"] == n.volunteer.name
    assert card["url"].endswith(f"/id/{card['code']}")
    assert [w["title"] for w in card["work"]] == ["陪吴婆婆去医院"]
    assert card["work"][0]["place"] == "3号院 › 1栋"

    here = _check(client, card["code"], place_id=courtyard.id)
    assert here.status_code == 200
    found = here.get_json()
    assert found["status"] == "valid" and found["name"] == n.volunteer.name
    assert found["community"] == n.community.name and found["organization"] == n.org.name
    assert found["at_place"] is True and found["for_you"] is False
    assert [w["wish_id"] for w in found["work"]] == [wish.id]
    text = json.dumps(found, ensure_ascii=False)
    for private in ("13700001111", "13912340000", n.served.name, "玉林北路3号"):
        assert private not in text
    assert here.headers["Cache-Control"] == "no-store"

    elsewhere = _check(client, card["code"], place_id=other_yard.id).get_json()
    assert elsewhere["at_place"] is False
    # The person served, checking with their own phone, is told this is their volunteer.
    mine = _check(client, card["code"], headers=token_for(n.served)).get_json()
    assert mine["for_you"] is True and mine["at_place"] is None


def test_old_voided_and_made_up_codes(client, neighbourhood, token_for, monkeypatch):
    n = neighbourhood
    mine = token_for(n.volunteer)
    code = _card(client, mine)["code"]

    # A made-up or altered code is not ours at all.
    for bad in ("abc", code[:-2] + ("AA" if not code.endswith("AA") else "BB"),
                "WzEsMF0.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"):
        refused = _check(client, bad)
        assert refused.status_code == 404 and error_of(refused)["code"] == "no_such_code"

    # Past its five minutes a code says so, and not whose it was.
    _later(monkeypatch, 301)
    old = _check(client, code).get_json()
    assert old["status"] == "expired" and old["name"] is None and old["work"] == []
    monkeypatch.undo()
    assert _check(client, code).get_json()["status"] == "valid"

    # 作废: every code shown before stops counting; the next one counts.
    revoked = client.post(f"/api/v1/volunteers/{n.volunteer.id}/service-card/revoke",
                          headers=mine)
    assert revoked.status_code == 200 and revoked.get_json()["version"] == 1
    voided = _check(client, code).get_json()
    assert voided["status"] == "revoked" and voided["name"] is None
    assert _check(client, _card(client, mine)["code"]).get_json()["status"] == "valid"

    # Another community's secretary may not void it; the volunteer's own may.
    url = f"/api/v1/volunteers/{n.volunteer.id}/service-card/revoke"
    assert client.post(url, headers=token_for(n.far_secretary)).status_code == 403
    assert client.post(url, headers=token_for(n.other_volunteer)).status_code == 403
    assert client.post(url, headers=token_for(n.secretary)).get_json()["version"] == 2


def test_only_approved_volunteers_have_a_card_and_a_card_stops_with_the_report(
        client, neighbourhood, make_user, token_for):
    n = neighbourhood
    pending = make_user("volunteer", n.community, report_status="pending")
    refused = client.get("/api/v1/me/service-card", headers=token_for(pending))
    assert refused.status_code == 403 and error_of(refused)["code"] == "no_service_card"
    assert client.get("/api/v1/me/service-card",
                      headers=token_for(n.served)).status_code == 403

    code = _card(client, token_for(n.volunteer))["code"]
    n.volunteer.is_active = False  # the account is closed
    db.session.commit()
    gone = _check(client, code).get_json()
    assert gone["status"] == "not_approved" and gone["name"] is None


def test_the_card_and_the_check_on_the_pages(app, client, neighbourhood, login_as):
    n = neighbourhood
    claimed_wish(n.secretary, n.volunteer, title="帮忙修水龙头")
    login_as(n.volunteer)
    assert "我的服务标识" in client.get("/auth/account").get_data(as_text=True)
    page = client.get("/me/service-card")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert n.volunteer.name in text and "帮忙修水龙头" in text
    assert 'src="/me/service-card/qr.svg" data-refresh-seconds="60"' in text
    image = client.get("/me/service-card/qr.svg")
    assert image.mimetype == "image/svg+xml" and image.headers["Cache-Control"] == "no-store"
    code = _card(client, {})["code"]

    visitor = app.test_client()
    check = visitor.get(f"/id/{code}")
    shown = check.get_data(as_text=True)
    assert check.status_code == 200 and check.headers["Cache-Control"] == "no-store"
    assert "✓ 已报到志愿者" in shown and n.volunteer.name in shown and "帮忙修水龙头" in shown
    assert "请核对来人是不是" in shown
    unknown = visitor.get("/id/not-a-code")
    assert unknown.status_code == 404 and unknown.headers["Cache-Control"] == "no-store"
    assert "这不是本平台有效的志愿者服务标识，请不要开门" in unknown.get_data(as_text=True)

    revoke = client.post("/me/service-card/revoke", follow_redirects=True)
    assert "之前出示过的二维码都已作废" in revoke.get_data(as_text=True)
    assert "这个二维码已作废" in visitor.get(f"/id/{code}").get_data(as_text=True)


def test_the_secretary_voids_a_volunteers_codes_from_the_report_page(
        app, client, neighbourhood, login_as, token_for):
    n = neighbourhood
    code = _card(client, token_for(n.volunteer))["code"]
    login_as(n.secretary)
    page = client.get("/manage/reports?status=approved").get_data(as_text=True)
    assert f"作废{n.volunteer.name}的服务标识二维码" in page
    done = client.post(f"/manage/people/{n.volunteer.id}/service-card/revoke",
                       follow_redirects=True)
    assert "之前出示过的服务标识二维码都已作废" in done.get_data(as_text=True)
    assert _check(client, code).get_json()["status"] == "revoked"
    # Not a volunteer of hers.
    assert client.post(f"/manage/people/{n.far_volunteer.id}/service-card/revoke"
                       ).status_code == 403


def test_a_resident_who_says_where_they_live_is_told_whether_the_volunteer_serves_there(
        app, client, neighbourhood, make_place, login_as, token_for):
    from wishboard.grid import services as grid

    n = neighbourhood
    courtyard = make_place("3号院", level=PlaceLevel.COURTYARD, parent=n.community)
    other_yard = make_place("5号院", level=PlaceLevel.COURTYARD, parent=n.community)
    claimed_wish(n.secretary, n.volunteer, title="帮忙换灯泡", grid_id=courtyard.id)
    code = _card(client, token_for(n.volunteer))["code"]

    grid.set_home_place(n.neighbour, courtyard.id)
    here = _check(client, code, headers=token_for(n.neighbour)).get_json()
    assert here["at_place"] is True
    grid.set_home_place(n.served, other_yard.id)
    there = _check(client, code, headers=token_for(n.served)).get_json()
    assert there["at_place"] is False

    login_as(n.neighbour)
    page = client.get(f"/id/{code}").get_data(as_text=True)
    assert "这位志愿者正在为这里的心愿服务" in page
    assert f"/places/{courtyard.id}/contacts" in page
    assert client.get(f"/places/{courtyard.id}/contacts").status_code == 200
