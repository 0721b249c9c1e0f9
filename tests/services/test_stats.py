"""The community's numbers, computed from the stored facts: a known October to December
2026 (tests/stats_data.py) must read exactly so, month by month and in total, in local
(Asia/Shanghai) months; and the roll-up of a street shows each community's figures, and
only to those on its line of the tree."""

from datetime import date, datetime, timezone

import pytest
import stats_data
from stats_data import EXPECTED, TOTALS, at

from wishboard import access
from wishboard.accounts import services as accounts
from wishboard.core.clock import duration_words
from wishboard.errors import ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.needs import services as needs
from wishboard.places.models import PlaceLevel
from wishboard.stats import services as stats
from wishboard.wishes import services as wishes

OCT, DEC = date(2026, 10, 1), date(2026, 12, 1)


def _figures(f) -> dict:
    return dict(posted=f.posted, claimed=f.claimed, completed=f.completed, expired=f.expired,
                hours=float(f.hours), ratings=f.ratings, average_stars=f.average_stars,
                claim_hours=f.claim_hours, completion_hours=f.completion_hours,
                active=f.active, party_members=f.party_members, elders=f.elders,
                others=f.others, organizations=f.organizations)


@pytest.fixture
def story(neighbourhood, make_user):
    return stats_data.build(neighbourhood, make_user)


def test_each_local_month_counts_what_happened_in_it(neighbourhood, story):
    found = stats.community_stats(neighbourhood.community.id, first=OCT, last=DEC)
    assert [f.month_key for f in found.months] == ["2026-10", "2026-11", "2026-12"]
    assert {f.month_key: _figures(f) for f in found.months} == EXPECTED


def test_the_range_adds_up_and_counts_each_person_once(neighbourhood, story):
    found = stats.community_stats(neighbourhood.community.id, first=OCT, last=DEC)
    assert _figures(found.totals) == TOTALS
    assert duration_words(found.totals.claim_seconds) == "3小时"
    assert duration_words(found.totals.completion_seconds) == "34小时"
    assert duration_words(found.months[1].completion_seconds) == "2.2天"


def test_the_share_of_reporting_volunteers_who_served_this_year(neighbourhood, story):
    """Four approved volunteers; the volunteer, the elder and the helper served in 2026
    (completed, completed, checked in); the other volunteer only claimed and gave back."""
    served = stats.community_stats(neighbourhood.community.id, first=OCT, last=DEC).served
    assert (served.year, served.reporting, served.served, served.share) == (2026, 4, 3, 0.75)
    assert served.percent == 75


def test_the_share_who_served_counts_up_to_the_end_of_the_last_month(neighbourhood, story):
    """By the end of October only the volunteer had served (A, 6 October); the elder
    (B, 2 November) and the helper (the activity, 15 November) served later. An October
    report, or a range ending in October, reads the same whenever it is read."""
    community = neighbourhood.community.id
    october = stats.community_stats(community, first=OCT, last=OCT).served
    assert (october.year, october.last, october.reporting, october.served) == (2026, OCT, 4, 1)
    report = stats.month_report(community, OCT, now=at(12, 31))
    assert (report.served.last, report.served.reporting, report.served.served) == (OCT, 4, 1)
    november = stats.month_report(community, date(2026, 11, 1)).served
    assert (november.served, november.percent) == (3, 75)


def test_an_event_at_17_utc_on_31_october_is_november_in_shanghai(neighbourhood, story):
    """B was published at 23:00 on 31 October in Shanghai and claimed at 01:00 on
    1 November: the publication counts in October, the claim in November."""
    october = stats.community_stats(neighbourhood.community.id, first=OCT, last=OCT)
    assert (october.totals.posted, october.totals.claimed) == (2, 1)
    november = stats.community_stats(neighbourhood.community.id, first=date(2026, 11, 1),
                                     last=date(2026, 11, 1))
    assert november.totals.claimed == 4 and november.totals.elders == 1


def test_another_community_keeps_its_own_numbers(neighbourhood, story):
    far = stats.community_stats(neighbourhood.elsewhere.id, first=OCT, last=DEC)
    assert (far.totals.posted, far.totals.claimed, far.totals.completed) == (1, 1, 1)
    assert far.totals.active == 1 and far.served.reporting == 1


def test_hours_waiting_for_confirmation_count_nowhere_until_confirmed(neighbourhood,
                                                                      make_user):
    """The ledger books hours when they are confirmed: stated hours are not served hours."""
    hood = neighbourhood
    wish = stats_data.make_wish(hood.secretary, now=at(11, 5))
    wishes.claim_wish(hood.volunteer, wish.id, accept_letter=True, now=at(11, 5, 3))
    wishes.complete_wish(hood.volunteer, wish.id, hours=4, now=at(11, 6))
    november = date(2026, 11, 1)
    found = stats.community_stats(hood.community.id, first=november, last=november)
    assert (found.totals.completed, float(found.totals.hours)) == (1, 0.0)
    wishes.confirm_hours(hood.secretary, wish.id, hours=3, reason="实际3小时", now=at(11, 7))
    found = stats.community_stats(hood.community.id, first=november, last=november)
    assert float(found.totals.hours) == 3.0


def test_by_default_the_last_twelve_months_end_with_this_one(neighbourhood):
    found = stats.community_stats(neighbourhood.community.id,
                                  now=datetime(2026, 11, 30, 17, tzinfo=timezone.utc))
    assert (found.range.first, found.range.last) == (date(2026, 1, 1), date(2026, 12, 1))
    assert len(found.months) == 12


@pytest.mark.parametrize("first, last, field", [
    (date(2026, 12, 1), date(2026, 1, 1), "from"),
    (date(2020, 1, 1), date(2026, 1, 1), "to"),
])
def test_a_range_backwards_or_longer_than_36_months_is_refused(neighbourhood, first, last,
                                                               field):
    with pytest.raises(ValidationFailedError) as refused:
        stats.community_stats(neighbourhood.community.id, first=first, last=last)
    assert field in refused.value.fields


def test_only_communities_have_statistics(neighbourhood, make_place):
    street = make_place("玉林街道", level=PlaceLevel.STREET)
    with pytest.raises(NotFoundError):
        stats.community_stats(street.id)


def test_the_monthly_report_names_the_month_and_its_board(neighbourhood, story):
    report = stats.month_report(neighbourhood.community.id, date(2026, 11, 1))
    assert _figures(report.figures) == EXPECTED["2026-11"]
    assert _figures(report.previous) == EXPECTED["2026-10"]
    names = [r.name for r in report.volunteers]
    # 孙老师's completion was confirmed in November; 李建国's (D) on 1 December, so in
    # November he has his claim and the project's join and hours.
    assert names[0] == "孙老师"
    assert {"李建国", "周小云"} <= set(names)
    assert [r.name for r in report.organizations] == ["省种子站党支部"]


def test_the_monthly_report_keeps_hidden_names_off(neighbourhood, story):
    neighbourhood.volunteer.show_on_boards = False
    db.session.commit()
    report = stats.month_report(neighbourhood.community.id, date(2026, 11, 1))
    assert "李建国" not in [r.name for r in report.volunteers]
    hidden = [r for r in report.volunteers if r.id is None]
    assert [r.name for r in hidden] == ["一位志愿者（未公开姓名）"]
    # Nor his organisation, which in a small one says who he is.
    assert hidden[0].organization is None


# The roll-up of a street ------------------------------------------------------------------

@pytest.fixture
def street(neighbourhood, make_place):
    return stats_data.two_streets(neighbourhood, make_place)


def test_a_street_account_reads_its_communities_side_by_side(neighbourhood, story, street,
                                                             make_user):
    account = make_user("secretary", street["street"], name="街道王主任")
    found = stats.rollup(account, street["street"].id, first=OCT, last=DEC)
    by_name = {row.community.name: row for row in found.rows}
    assert set(by_name) == {"玉林北路社区", "肖家河社区"}
    assert _figures(by_name["玉林北路社区"].figures) == TOTALS
    assert by_name["肖家河社区"].figures.completed == 1
    assert found.totals.completed == 4 and found.totals.active == 5
    assert (found.served.reporting, found.served.served) == (5, 4)


def test_the_rollup_sorts_by_any_column(neighbourhood, story, street, make_user):
    account = make_user("secretary", street["district"])
    found = stats.rollup(account, street["district"].id, first=OCT, last=DEC,
                         sort="completed", order="desc")
    assert [r.community.name for r in found.rows] == ["玉林北路社区", "肖家河社区", "锦城社区"]
    found = stats.rollup(account, street["district"].id, first=OCT, last=DEC,
                         sort="average_stars", order="asc")
    # Nothing to show (no ratings) goes last, whichever the order.
    assert [r.community.name for r in found.rows][0] == "玉林北路社区"


def test_the_rollup_is_refused_to_a_secretary_of_another_street(neighbourhood, street,
                                                                make_user):
    third_secretary = make_user("secretary", street["third"])
    with pytest.raises(ForbiddenError):
        stats.rollup(third_secretary, street["street"].id)
    with pytest.raises(ForbiddenError):
        stats.rollup(neighbourhood.volunteer, street["street"].id)
    # Their own street, and the district above it: allowed.
    stats.rollup(third_secretary, street["other_street"].id)
    stats.rollup(third_secretary, street["district"].id)


def test_a_street_account_manages_nothing(neighbourhood, street, make_user):
    account = make_user("secretary", street["street"])
    with pytest.raises(ForbiddenError):
        wishes.create_wish(account, title="街道的心愿", description="不行",
                           category_id=neighbourhood.category_id, beneficiary_name="某人",
                           community_id=neighbourhood.community.id)
    with pytest.raises(ForbiddenError):
        wishes.create_wish(account, title="街道的心愿", description="不行",
                           category_id=neighbourhood.category_id, beneficiary_name="某人")
    with pytest.raises(ForbiddenError):
        needs.submit_need(account, title="街道代录", description="不行", contact_name="某人")
    assert not access.can_manage_community(account, street["street"].id)
    assert access.is_rollup_account(account)
    assert not access.is_rollup_account(neighbourhood.secretary)


def test_an_admin_creates_a_street_account_but_not_a_building_one(app, neighbourhood, street,
                                                                  make_user, make_place):
    admin = make_user("admin", None)
    account = accounts.create_staff_user(admin, username="jiedao", password="street-pass-2026",
                                         name="街道王主任", community_id=street["street"].id)
    assert account.community_id == street["street"].id
    building = make_place("1栋", level=PlaceLevel.BUILDING, parent=neighbourhood.community)
    with pytest.raises(ValidationFailedError):
        accounts.create_staff_user(admin, username="loudong", password="street-pass-2026",
                                   name="楼栋", community_id=building.id)


def test_district_leaderboards_rank_every_community_together(neighbourhood, story, street,
                                                             make_user):
    account = make_user("secretary", street["district"])
    rows, total = stats.rollup_leaderboard(account, street["district"].id, kind="volunteers")
    assert total == 5
    assert rows[0].name == "李建国" and rows[0].community == "玉林北路社区"
    assert "钱建军" in [r.name for r in rows]
    assert [r.points for r in rows] == sorted([r.points for r in rows], reverse=True)
    page_two, total_two = stats.rollup_leaderboard(account, street["district"].id,
                                                   kind="volunteers", page=2, per_page=3)
    assert total_two == 5 and [r.rank for r in page_two] == [4, 5]
    past, total_past = stats.rollup_leaderboard(account, street["district"].id,
                                                kind="volunteers", page=9, per_page=3)
    assert past == [] and total_past == 5
    organizations, _ = stats.rollup_leaderboard(account, street["district"].id,
                                                kind="organizations", period="2026")
    assert [r.name for r in organizations] == ["省种子站党支部"]


def test_district_leaderboards_name_neither_a_hidden_volunteer_nor_their_organisation(
        neighbourhood, story, street, make_user):
    neighbourhood.volunteer.show_on_boards = False
    db.session.commit()
    account = make_user("secretary", street["street"])
    rows, _ = stats.rollup_leaderboard(account, street["street"].id, kind="volunteers")
    hidden = rows[0]  # his points still rank him first
    assert (hidden.id, hidden.name, hidden.organization) == (None, "一位志愿者（未公开姓名）", None)
    assert hidden.community == "玉林北路社区"


def test_a_street_account_is_called_a_rollup_account(neighbourhood, street, make_user):
    account = make_user("secretary", street["street"])
    assert account.role_label == "汇总账号"
    assert neighbourhood.secretary.role_label == "社区书记"
    assert neighbourhood.volunteer.role_label == "志愿者"
