"""正能量值: the ledger, its rules, totals, leaderboards, cards and the commendation."""

import csv
import io
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from helpers import error_of
from openpyxl import load_workbook

from wishboard.extensions import db
from wishboard.points import services as points
from wishboard.points.models import PointsEntry, PointsTotal
from wishboard.ratings import services as ratings
from wishboard.ratings.models import Rating
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Claim, Wish


@pytest.fixture
def board(community, make_user, make_org):
    org = make_org(community, "四川省种子站党支部")
    secretary = make_user("secretary", community, name="张丽华")
    category_id = db.session.scalar(sa.text("SELECT id FROM categories ORDER BY id LIMIT 1"))

    def new_wish(title="帮忙买药", now=None):
        return wishes.create_wish(secretary, title=title, description="d",
                                  category_id=category_id, beneficiary_name="吴秀英", now=now)

    return {"org": org, "secretary": secretary, "new_wish": new_wish}


def at(year, month, day=15):
    return datetime(year, month, day, 4, 0, tzinfo=timezone.utc)


def test_the_domain_example_25_claims_5_done_20_in_progress_is_250_points(
        client, board, community, make_user, token_for):
    top = make_user("volunteer", community, name="李建国", organization=board["org"])
    for i in range(25):
        wish = board["new_wish"](f"心愿{i}")
        wishes.claim_wish(top, wish.id, accept_letter=True)
        if i < 5:
            wishes.complete_wish(top, wish.id, hours=1)
            confirmed = client.post(f"/api/v1/wishes/{wish.id}/confirm",
                                    headers=token_for(board["secretary"]), json={})
            assert confirmed.status_code == 200, confirmed.get_json()
    me = client.get("/api/v1/me", headers=token_for(top)).get_json()
    assert me["points"] == 250
    card = client.get(f"/api/v1/volunteers/{top.id}").get_json()
    assert (card["points"], card["claims"], card["completions"], card["hours"]) == (
        250, 25, 5, 5.0)
    assert card["rank"] == 1 and card["average_stars"] is None
    assert card["entry_count"] == 35  # 25 claims, 5 completions, 5 hour entries
    row = client.get(f"/api/v1/leaderboard?community_id={community.id}").get_json()["items"][0]
    assert row == {"rank": 1, "id": top.id, "name": "李建国", "points": 250, "claims": 25,
                   "completions": 5, "activities": 0, "hours": 5.0, "average_stars": None,
                   "volunteer_type": "party_member", "organization": "四川省种子站党支部",
                   "body_points": None, "member_points": None}


def test_stars_earn_points_for_the_claimant(client, board, community, make_user):
    """A verified resident's stars earn the claimant at once (per_star 2 x 4), while the
    completion and its hours wait, pending, for someone to confirm the service."""
    volunteer = make_user("volunteer", community)
    resident = make_user("resident", community)
    wish = board["new_wish"]()
    wishes.claim_wish(volunteer, wish.id, accept_letter=True)
    wishes.complete_wish(volunteer, wish.id, hours=2)
    ratings.rate_wish(resident, wish.id, stars=4)
    card = client.get(f"/api/v1/volunteers/{volunteer.id}").get_json()
    assert card["points"] == 5 + 8  # the claim and the stars
    assert card["pending_points"] == 20 + 10  # the completion and 2 hours wait
    assert card["average_stars"] == 4.0
    assert [e["rule"] for e in card["entries"]][:1] == ["per_star"]


def test_replaying_a_completion_or_a_rating_counts_once(client, board, community, make_user):
    """Once the service is confirmed (the completion and its hours booked) and a rating
    counted, the same awards arriving again book nothing more."""
    volunteer = make_user("volunteer", community)
    resident = make_user("resident", community)
    wish = board["new_wish"]()
    wishes.claim_wish(volunteer, wish.id, accept_letter=True)
    wishes.complete_wish(volunteer, wish.id, hours=1)
    wishes.confirm_hours(board["secretary"], wish.id)  # books the completion and the hour
    rating = ratings.rate_wish(resident, wish.id, stars=5)
    before = client.get(f"/api/v1/volunteers/{volunteer.id}").get_json()
    assert before["points"] == 5 + 20 + 5 + 10
    entries_before = db.session.scalar(sa.select(sa.func.count()).select_from(PointsEntry))
    assert entries_before == 4  # claim, completion, hour, stars

    claim = db.session.scalar(sa.select(Claim))
    stored_wish, stored_rating = db.session.get(Wish, wish.id), db.session.get(Rating, rating.id)
    for _ in range(2):  # the same events arrive again (a retry, a replayed job)
        points.award_completion(claim, stored_wish, datetime.now(timezone.utc))
        points.award_hours(claim, stored_wish, datetime.now(timezone.utc))
        points.award_rating(stored_rating, stored_wish, datetime.now(timezone.utc))
        db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(PointsEntry)) == \
        entries_before
    assert client.get(f"/api/v1/volunteers/{volunteer.id}").get_json() == before
    # And the ledger itself refuses a second entry with the same key.
    duplicate = PointsEntry(key=f"rating:{rating.id}", community_id=community.id,
                            volunteer_id=volunteer.id, source_type="rating",
                            source_id=rating.id, rule="per_star", amount=10, reason="again",
                            year="2026", quarter="2026-Q4", month="2026-11")
    db.session.add(duplicate)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_release_reverses_the_claim_points_with_a_new_entry(client, board, community,
                                                              make_user, token_for):
    volunteer = make_user("volunteer", community)
    wish = board["new_wish"]()
    headers = token_for(volunteer)
    client.post(f"/api/v1/wishes/{wish.id}/claim", headers=headers, json={"accept_letter": True})
    assert client.get("/api/v1/me", headers=headers).get_json()["points"] == 5
    client.post(f"/api/v1/wishes/{wish.id}/release", headers=headers, json={"reason": "出差"})
    card = client.get(f"/api/v1/volunteers/{volunteer.id}").get_json()
    assert card["points"] == 0 and card["claims"] == 0
    amounts = [(e["amount"], e["reverses_id"] is not None) for e in card["entries"]]
    assert amounts == [(-5, True), (5, False)]
    original = db.session.scalar(sa.select(PointsEntry).where(PointsEntry.amount == 5))
    assert original.amount == 5  # the original entry was never edited


def test_a_removed_rating_reverses_its_points_and_the_average(client, board, community,
                                                              make_user, token_for):
    """Removing a counted rating reverses its stars with a new entry and takes it out of the
    wish's average; the completion, never confirmed, stays pending all along."""
    volunteer = make_user("volunteer", community)
    resident = make_user("resident", community)
    wish = board["new_wish"]()
    wishes.claim_wish(volunteer, wish.id, accept_letter=True)
    wishes.complete_wish(volunteer, wish.id, hours=1)
    rating = ratings.rate_wish(resident, wish.id, stars=1, comment="骂人的话")
    assert client.get(f"/api/v1/wishes/{wish.id}").get_json()["rating_count"] == 1
    assert client.get(f"/api/v1/volunteers/{volunteer.id}").get_json()["points"] == 5 + 2
    secretary = token_for(board["secretary"])
    removed = client.post(f"/api/v1/ratings/{rating.id}/remove", headers=secretary,
                          json={"reason": "言语不当"})
    assert removed.status_code == 200 and removed.get_json()["removed_reason"] == "言语不当"
    story = client.get(f"/api/v1/wishes/{wish.id}").get_json()
    assert story["rating_count"] == 0 and story["ratings"] == []
    assert story["timeline"][-1]["action"] == "rating_removed"
    card = client.get(f"/api/v1/volunteers/{volunteer.id}").get_json()
    assert card["points"] == 5 and card["average_stars"] is None  # the claim; stars gone
    assert [e["amount"] for e in card["entries"] if e["rule"] == "per_star"] == [-2, 2]
    assert card["pending_points"] == 20 + 5  # the completion still waits for confirmation
    again = client.post(f"/api/v1/ratings/{rating.id}/remove", headers=secretary,
                        json={"reason": "x"})
    assert again.status_code == 409
    assert client.post(f"/api/v1/ratings/{rating.id}/remove", headers=token_for(resident),
                       json={"reason": "x"}).status_code == 403


def test_changing_a_rule_affects_entries_from_then_on(client, board, community, make_user,
                                                      token_for):
    volunteer = make_user("volunteer", community)
    first, second = board["new_wish"]("一"), board["new_wish"]("二")
    wishes.claim_wish(volunteer, first.id, accept_letter=True)
    secretary = token_for(board["secretary"])
    assert client.get(f"/api/v1/communities/{community.id}/points-rules").get_json() == {
        "per_claim": 5, "per_completion": 20, "per_hour": 5, "per_star": 2, "per_activity": 5}
    changed = client.put(f"/api/v1/communities/{community.id}/points-rules", headers=secretary,
                         json={"per_claim": 10})
    assert changed.status_code == 200 and changed.get_json()["per_claim"] == 10
    wishes.claim_wish(volunteer, second.id, accept_letter=True)
    card = client.get(f"/api/v1/volunteers/{volunteer.id}").get_json()
    assert sorted(e["amount"] for e in card["entries"]) == [5, 10]
    bad = client.put(f"/api/v1/communities/{community.id}/points-rules", headers=secretary,
                     json={"per_claim": -1, "per_bribe": 3})
    assert bad.status_code == 400 and set(error_of(bad)["fields"]) == {"per_claim", "per_bribe"}
    resident = token_for(make_user("resident", community))
    assert client.put(f"/api/v1/communities/{community.id}/points-rules", headers=resident,
                      json={"per_claim": 1}).status_code == 403


def test_leaderboard_periods_ties_and_types(client, board, community, make_user):
    alice = make_user("volunteer", community, name="甲", volunteer_type="party_member")
    bob = make_user("volunteer", community, name="乙", volunteer_type="elder")
    carol = make_user("volunteer", community, name="丙", volunteer_type="elder")
    for who, when in [(alice, at(2026, 3)), (bob, at(2026, 11)), (carol, at(2026, 11)),
                      (carol, at(2025, 6))]:
        wish = board["new_wish"](now=when)
        wishes.claim_wish(who, wish.id, accept_letter=True, now=when)
    base = f"/api/v1/leaderboard?community_id={community.id}"
    names = lambda url: [r["name"] for r in client.get(url).get_json()["items"]]  # noqa: E731
    assert names(base) == ["丙", "甲", "乙"]  # 10, then the 5s by member order
    assert names(base + "&period=year&year=2026") == ["甲", "乙", "丙"]
    month = client.get(base + "&period=month&year=2026&month=11").get_json()
    assert month["period"] == "2026-11" and [r["name"] for r in month["items"]] == ["乙", "丙"]
    assert names(base + "&period=quarter&year=2026&quarter=1") == ["甲"]
    assert names(base + "&volunteer_type=elder") == ["丙", "乙"]
    ranks = [r["rank"] for r in client.get(base + "&per_page=2&page=2").get_json()["items"]]
    assert ranks == [3]
    bad = client.get(base + "&period=decade&month=13")
    assert bad.status_code == 400 and set(error_of(bad)["fields"]) == {"period", "month"}


def test_organisations_sum_what_members_earned_on_their_behalf(client, board, community,
                                                               make_user):
    org = board["org"]
    one = make_user("volunteer", community, organization=org)
    two = make_user("volunteer", community, organization=org)
    for who, for_org in [(one, True), (two, True), (two, False)]:
        wish = board["new_wish"]()
        wishes.claim_wish(who, wish.id, accept_letter=True,
                          organization_id=org.id if for_org else None)
    rows = client.get(f"/api/v1/leaderboard?community_id={community.id}&kind=organizations"
                      ).get_json()["items"]
    assert rows == [{"rank": 1, "id": org.id, "name": "四川省种子站党支部", "points": 10,
                     "claims": 2, "completions": 0, "activities": 0, "hours": 0.0,
                     "average_stars": None, "volunteer_type": None, "organization": None,
                     "body_points": 0, "member_points": 10}]


def test_a_volunteer_may_keep_their_name_off_public_boards(client, board, community,
                                                           make_user, token_for):
    shy = make_user("volunteer", community, name="王晓梅", organization=board["org"])
    wish = board["new_wish"]()
    wishes.claim_wish(shy, wish.id, accept_letter=True, organization_id=board["org"].id)
    headers = token_for(shy)
    assert client.patch("/api/v1/me", headers=headers, json={"show_on_boards": False}
                        ).get_json()["show_on_boards"] is False
    board_json = client.get(f"/api/v1/leaderboard?community_id={community.id}").get_json()
    assert board_json["items"][0]["id"] is None
    assert board_json["items"][0]["organization"] is None  # hers would say who she is
    assert "王晓梅" not in str(board_json) and board_json["items"][0]["points"] == 5
    orgs = client.get(f"/api/v1/leaderboard?community_id={community.id}&kind=organizations")
    assert orgs.get_json()["items"][0]["points"] == 5
    assert client.get(f"/api/v1/volunteers/{shy.id}").status_code == 404
    assert client.get(f"/api/v1/volunteers/{shy.id}", headers=headers).status_code == 200
    assert client.patch("/api/v1/me", headers=headers, json={}).status_code == 400


def test_recompute_reports_and_repairs_tampered_totals(runner, board, community, make_user):
    volunteer = make_user("volunteer", community)
    wish = board["new_wish"]()
    wishes.claim_wish(volunteer, wish.id, accept_letter=True)
    wishes.complete_wish(volunteer, wish.id, hours=1)
    wishes.confirm_hours(board["secretary"], wish.id)
    clean = runner.invoke(args=["wishboard", "recompute", "--check"])
    assert clean.exit_code == 0 and "every derived value matches the base tables" in clean.output

    db.session.execute(sa.update(PointsTotal).where(PointsTotal.period == "all",
                                                    PointsTotal.owner_type == "volunteer")
                       .values(points=9999))
    db.session.execute(sa.delete(PointsTotal).where(PointsTotal.period != "all"))
    db.session.add(PointsTotal(community_id=community.id, owner_type="volunteer",
                               owner_id=424242, period="all", points=77))
    db.session.commit()

    check = runner.invoke(args=["wishboard", "recompute", "--check"])
    assert check.exit_code == 1
    assert "stored {'points': 9999" in check.output and "424242" in check.output
    assert "derived values found" in check.output
    repair = runner.invoke(args=["wishboard", "recompute"])
    assert repair.exit_code == 0 and "derived values repaired" in repair.output
    assert runner.invoke(args=["wishboard", "recompute", "--check"]).exit_code == 0
    db.session.expire_all()
    assert points.points_of(volunteer) == 30
    assert points.total_of("volunteer", volunteer.id, points.period_key("month")).points == 30


def test_commendation_as_json_csv_and_excel_with_phones_masked(client, board, community,
                                                               make_user, token_for):
    volunteer = make_user("volunteer", community, name="李建国", phone="13980020001",
                          organization=board["org"])
    when = at(2026, 5)
    wish = board["new_wish"](now=when)
    wishes.claim_wish(volunteer, wish.id, accept_letter=True, organization_id=board["org"].id,
                      now=when)
    secretary = token_for(board["secretary"])
    url = f"/api/v1/commendation?community_id={community.id}&year=2026"
    report = client.get(url, headers=secretary).get_json()
    assert report["volunteers"][0]["name"] == "李建国"
    assert report["volunteers"][0]["phone"] == "139****0001"
    assert report["organizations"][0]["name"] == "四川省种子站党支部"

    as_csv = client.get(url + "&format=csv", headers=secretary)
    assert as_csv.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(as_csv.get_data().decode("utf-8-sig"))))
    assert rows[1][:2] == ["名次", "姓名"] and rows[2][1] == "李建国"
    assert "13980020001" not in as_csv.get_data().decode("utf-8-sig")

    as_xlsx = client.get(url + "&format=xlsx", headers=secretary)
    workbook = load_workbook(io.BytesIO(as_xlsx.get_data()))
    assert workbook.sheetnames == ["优秀报到党员", "先进报到党组织"]
    sheet = workbook["优秀报到党员"]
    assert sheet["A2"].value == "名次" and sheet["B3"].value == "李建国"
    assert sheet["K3"].value == "139****0001"

    assert client.get(url.replace("2026", "2025"), headers=secretary
                      ).get_json()["volunteers"] == []
    resident = token_for(make_user("resident", community))
    assert client.get(url, headers=resident).status_code == 403
    assert client.get(f"/api/v1/commendation?community_id={community.id}",
                      headers=secretary).status_code == 400
