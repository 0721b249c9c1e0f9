"""GET /communities/<id>/stats (public), /places/<id>/rollup and /places/<id>/leaderboard
(the street's and district's accounts, the secretaries on their line of the tree, admins):
the figures of a known stretch of months, the validation of months, and who may read a
roll-up."""

import pytest
import stats_data
from helpers import error_of
from stats_data import EXPECTED, TOTALS

from wishboard.extensions import db

RANGE = "from=2026-10&to=2026-12"
FIELDS = {"claim_hours": "claim_median_hours", "completion_hours": "completion_median_hours",
          "active": "active_volunteers", "others": "other_volunteers"}


def _api(expected: dict) -> dict:
    return {FIELDS.get(name, name): value for name, value in expected.items()}


@pytest.fixture
def story(neighbourhood, make_user):
    return stats_data.build(neighbourhood, make_user)


@pytest.fixture
def street(neighbourhood, make_place, make_user):
    places = stats_data.two_streets(neighbourhood, make_place)
    return dict(places,
                account=make_user("secretary", places["street"], name="街道王主任",
                                  username="jiedao"),
                third_secretary=make_user("secretary", places["third"], name="锦城书记"))


def test_anyone_reads_a_communitys_months(client, neighbourhood, story):
    response = client.get(f"/api/v1/communities/{neighbourhood.community.id}/stats?{RANGE}")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["from"], body["to"]) == ("2026-10", "2026-12")
    assert body["community"]["id"] == neighbourhood.community.id
    months = {m.pop("month"): m for m in body["months"]}
    assert months == {key: _api(value) for key, value in EXPECTED.items()}
    totals = body["totals"]
    assert totals.pop("month") is None and totals == _api(TOTALS)
    assert body["served"] == {"year": 2026, "to": "2026-12", "reporting": 4, "served": 3,
                              "share": 0.75}


def test_the_share_who_served_counts_up_to_the_end_of_to(client, neighbourhood, story):
    """Who served in November and December does not count for a range ending in October."""
    body = client.get(f"/api/v1/communities/{neighbourhood.community.id}/stats"
                      "?from=2026-10&to=2026-10").get_json()
    assert body["served"] == {"year": 2026, "to": "2026-10", "reporting": 4, "served": 1,
                              "share": 0.25}


@pytest.mark.parametrize("query", [
    "from=2026-1&to=2026-3", "from=2026-01&to=2026年3月", "from=2026年1月&to=2026年03月",
    "from=２０２６－０１&to=２０２６年３月", "from=%202026-1%20&to=2026%20年%203%20月",
])
def test_months_are_read_as_people_write_them(client, neighbourhood, query):
    response = client.get(f"/api/v1/communities/{neighbourhood.community.id}/stats?{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["from"], body["to"]) == ("2026-01", "2026-03")


def test_the_figures_carry_no_private_data(client, neighbourhood, story):
    text = client.get(f"/api/v1/communities/{neighbourhood.community.id}/stats?{RANGE}"
                      ).get_data(as_text=True)
    for private in ("吴秀英", "13812345678", "玉林北路3号", "李建国", "赵大妈"):
        assert private not in text


@pytest.mark.parametrize("query, field", [
    ("from=2026-13", "from"), ("from=abc", "from"), ("to=2026-1-1", "to"),
    ("to=2026年13月", "to"), ("to=202601", "to"), ("to=26-01", "to"),
    ("from=1999-12&to=2000-01", "from"), ("from=2026-12&to=2026-01", "from"),
    ("from=2020-01&to=2026-12", "to"), ("from=2020-01", "to"),
])
def test_bad_months_are_refused_in_the_error_shape(client, neighbourhood, query, field):
    response = client.get(f"/api/v1/communities/{neighbourhood.community.id}/stats?{query}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_failed" and field in error["fields"], error


def test_a_street_has_no_statistics_of_its_own_and_an_unknown_place_none(client, street):
    assert client.get(f"/api/v1/communities/{street['street'].id}/stats").status_code == 404
    assert client.get("/api/v1/communities/999999/stats").status_code == 404


def test_the_street_account_reads_its_rollup(client, neighbourhood, story, street, token_for):
    headers = token_for(street["account"])
    response = client.get(f"/api/v1/places/{street['street'].id}/rollup?{RANGE}"
                          "&sort=completed&order=desc", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["place"] == {"id": street["street"].id, "name": "玉林街道", "level": "street"}
    assert [c["community"]["name"] for c in body["communities"]] == ["玉林北路社区", "肖家河社区"]
    ours = body["communities"][0]
    assert ours["figures"]["completed"] == TOTALS["completed"]
    assert ours["served"]["share"] == 0.75
    assert body["totals"]["completed"] == 4


def test_the_rollup_is_refused_to_a_secretary_of_another_street(client, street, token_for,
                                                                neighbourhood):
    url = f"/api/v1/places/{street['street'].id}/rollup"
    assert client.get(url).status_code == 401
    response = client.get(url, headers=token_for(street["third_secretary"]))
    assert response.status_code == 403 and error_of(response)["code"] == "not_your_place"
    assert client.get(url, headers=token_for(neighbourhood.volunteer)).status_code == 403
    # A community's secretary reads their own street's.
    assert client.get(url, headers=token_for(neighbourhood.secretary)).status_code == 200


def test_the_rollup_validates_its_order(client, street, token_for):
    headers = token_for(street["account"])
    response = client.get(f"/api/v1/places/{street['street'].id}/rollup?sort=nonsense",
                          headers=headers)
    assert response.status_code == 400 and "sort" in error_of(response)["fields"]


def test_the_district_leaderboard_ranks_its_volunteers_together(client, neighbourhood, story,
                                                                 street, token_for):
    neighbourhood.other_volunteer.show_on_boards = False
    db.session.commit()
    headers = token_for(street["account"])
    sibling = f"/api/v1/places/{street['other_street'].id}/leaderboard"
    assert client.get(sibling, headers=headers).status_code == 403  # another street
    url = f"/api/v1/places/{street['street'].id}/leaderboard?per_page=3"
    body = client.get(url, headers=headers).get_json()
    assert body["total"] == 5 and body["period"] == "all" and len(body["items"]) == 3
    assert body["items"][0]["name"] == "李建国"
    assert body["items"][0]["community"] == "玉林北路社区"
    everyone = client.get(url.replace("per_page=3", "per_page=10"), headers=headers).get_json()
    assert "王晓梅" not in [row["name"] for row in everyone["items"]]
    organizations = client.get(f"/api/v1/places/{street['street'].id}/leaderboard"
                               "?kind=organizations&period=year&year=2026",
                               headers=headers).get_json()
    assert organizations["period"] == "2026"
    assert [row["name"] for row in organizations["items"]] == ["省种子站党支部"]


def test_the_district_leaderboard_hides_a_hidden_volunteers_organisation(
        client, neighbourhood, story, street, token_for):
    neighbourhood.volunteer.show_on_boards = False
    db.session.commit()
    body = client.get(f"/api/v1/places/{street['street'].id}/leaderboard",
                      headers=token_for(street["account"])).get_json()
    hidden = body["items"][0]
    assert (hidden["id"], hidden["name"], hidden["organization"]) == (
        None, "一位志愿者（未公开姓名）", None)
    assert "省种子站党支部" not in str(body["items"])


def test_a_street_account_reads_its_role_as_a_rollup_account(client, street, token_for):
    me = client.get("/api/v1/me", headers=token_for(street["account"])).get_json()
    assert (me["role"], me["role_label"]) == ("secretary", "汇总账号")


def test_the_openapi_document_describes_the_statistics(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    stats = paths["/communities/{community_id}/stats"]["get"]
    assert "400" in stats["responses"] and "security" not in stats
    assert "401" in paths["/places/{place_id}/rollup"]["get"]["responses"]
    assert "403" in paths["/places/{place_id}/leaderboard"]["get"]["responses"]
