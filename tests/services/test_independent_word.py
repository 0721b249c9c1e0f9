"""No point for service without someone independent saying it happened (DOMAIN.md
"正能量值"): the three ways the score could still be bought, each closed.

- a completion earns only once the person served or the staff confirm it, and a finding
  that no service took place takes the claim's points back;
- service logs are dated honestly (not before the member joined, not long ago), share one
  daily cap with completions, and are confirmed by the staff of the community where the
  work was, never by the organisation that earns from them;
- a volunteer nobody has checked earns nothing on any board until a person checks them,
  nor does the organisation through them;
- only the stars of people someone stands behind move a wish's average or anyone's points.
"""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from factories import T0, claimed_wish, completed_wish, make_wish

from wishboard.accounts import services as accounts
from wishboard.accounts.models import ReportStatus
from wishboard.audit.models import AuditEntry
from wishboard.errors import ForbiddenError, ValidationFailedError
from wishboard.extensions import db
from wishboard.jobs.recompute import recompute
from wishboard.jobs.sweeps import run_sweep
from wishboard.organizations import services as organizations
from wishboard.points import services as points
from wishboard.points.models import HeldPoints, PointsEntry
from wishboard.projects import services as projects
from wishboard.ratings import services as ratings
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Claim, HoursStatus, Wish

DAY = timedelta(days=1)


def board_points(kind: str, owner_id: int, community_id: int) -> int:
    """What ``owner_id`` stands at on the community's all-time board (0 if absent)."""
    rows, _ = points.leaderboard(community_id, kind=kind, per_page=100, public=False)
    return next((row.points for row in rows if row.id == owner_id), 0)


def sign_up_unchecked(n, number: int, name: str, **extra):
    """A volunteer who signs up where 报到 is approved automatically: nobody has checked
    them."""
    n.community.auto_approve_reports = True
    db.session.commit()
    return accounts.register_user(username=f"puppet{number}", password="a-long-pass-9x",
                                  name=name, phone=f"1390000000{number}", role="volunteer",
                                  community_id=n.community.id, now=T0, **extra)


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


# Completions wait for a confirmation -------------------------------------------------------

def test_a_completion_earns_only_once_the_person_served_confirms_it(neighbourhood):
    n = neighbourhood
    wish = make_wish(n.secretary, served=n.served, now=T0)
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True, now=T0)
    wishes.complete_wish(n.volunteer, wish.id, hours=2, now=T0 + timedelta(hours=3))
    assert points.points_of(n.volunteer) == 5  # the claim alone
    pending = points.pending_of(n.volunteer.id)
    assert pending.points == 20 + 2 * 5
    assert [item.waits_for for item in pending.items] == ["等服务对象或社区确认"]
    assert board_points("volunteers", n.volunteer.id, n.community.id) == 5

    wishes.confirm_hours(n.served, wish.id, now=T0 + timedelta(hours=4))
    assert points.points_of(n.volunteer) == 5 + 20 + 10
    assert points.pending_of(n.volunteer.id).points == 0
    assert board_points("volunteers", n.volunteer.id, n.community.id) == 35


def test_nine_completions_on_the_volunteers_word_move_no_board(neighbourhood):
    n = neighbourhood
    for i in range(9):
        completed_wish(n.secretary, n.volunteer, hours=0.1, now=T0 + i * timedelta(minutes=5),
                       title=f"心愿{i}")
    assert points.points_of(n.volunteer) == 9 * 5
    total = points.total_of("volunteer", n.volunteer.id)
    assert (total.completions, float(total.hours)) == (0, 0.0)
    assert points.pending_of(n.volunteer.id).points == 9 * 20  # 0.1 h earns no whole point


def test_the_secretary_finds_no_service_took_place_and_the_claim_points_go_back(neighbourhood):
    n = neighbourhood
    n.community.release_flag_count = 1
    db.session.commit()
    first = completed_wish(n.secretary, n.volunteer, hours=0.1, now=T0, title="一")
    second = completed_wish(n.secretary, n.volunteer, hours=0.1, now=T0, title="二")
    assert points.points_of(n.volunteer) == 10

    with pytest.raises(ValidationFailedError) as refused:  # a verdict needs its reason
        wishes.confirm_hours(n.secretary, first.id, hours=0, now=T0 + DAY)
    assert "reason" in refused.value.fields
    db.session.rollback()
    wishes.confirm_hours(n.secretary, first.id, hours=0, reason="未实际服务",
                         now=T0 + DAY)
    claim = db.session.scalar(sa.select(Claim).where(Claim.wish_id == first.id))
    assert claim.hours_status is HoursStatus.NOT_SERVED and wishes.was_not_served(
        fresh(Wish, first.id))
    assert points.points_of(n.volunteer) == 5  # the second claim's
    assert points.pending_of(n.volunteer.id).points == 20  # the second completion waits
    assert wishes.release_counts([n.volunteer.id], now=T0 + DAY) == {n.volunteer.id: 1}

    wishes.confirm_hours(n.secretary, second.id, hours=0, reason="老人说没人来过",
                         now=T0 + DAY)
    assert points.points_of(n.volunteer) == 0
    # Past the community's line of one: the secretary is told, and it is on record.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "volunteer_flagged", AuditEntry.object_id == n.volunteer.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "service_not_served")) == 2
    assert points.recompute_totals(repair=False) == []


def test_a_completion_paid_before_the_rule_is_taken_back_too_when_not_served(neighbourhood):
    """Data from before completions waited: the completion entry is in the ledger already;
    a not-served verdict reverses it with the claim's."""
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, hours=1, now=T0)
    claim = db.session.scalar(sa.select(Claim).where(Claim.wish_id == wish.id))
    points.award_completion(claim, wish, T0)  # as the old completion did
    db.session.commit()
    assert points.points_of(n.volunteer) == 25
    wishes.confirm_hours(n.secretary, wish.id, hours=0, reason="未实际服务", now=T0 + DAY)
    assert points.points_of(n.volunteer) == 0
    assert points.total_of("volunteer", n.volunteer.id).completions == 0


def test_the_lapse_policy_lets_an_unconfirmed_completion_go_unpaid(neighbourhood):
    n = neighbourhood
    n.community.unconfirmed_hours_policy = "lapse"
    db.session.commit()
    completed_wish(n.secretary, n.volunteer, hours=3, now=T0)
    run_sweep(now=T0 + timedelta(days=n.community.rating_window_days + 1))
    assert points.points_of(n.volunteer) == 5
    assert points.pending_of(n.volunteer.id).points == 0


# Service logs ------------------------------------------------------------------------------

@pytest.fixture
def project(neighbourhood):
    """A project the organisation claimed a week before ``T0``; the volunteer, a member
    since a month before, joined it on the day of the claim."""
    n = neighbourhood
    n.volunteer.organization_since = T0 - timedelta(days=30)
    db.session.commit()
    claimed = T0 - timedelta(days=7)
    wish = make_wish(n.secretary, kind="project", title="垃圾分类宣传", now=claimed)
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True, organization_id=n.org.id,
                      now=claimed)
    projects.join_project(n.volunteer, wish.id, now=claimed)
    return wish


def test_a_log_is_dated_within_the_backdating_window_and_never_in_the_future(
        neighbourhood, project):
    n = neighbourhood
    today = date(2026, 12, 1)  # T0's local day
    for served_on in (today + DAY, today - timedelta(days=8)):
        with pytest.raises(ValidationFailedError) as refused:
            projects.log_service(n.volunteer, project.id, served_on=served_on, hours=2,
                                 now=T0)
        assert "served_on" in refused.value.fields
        db.session.rollback()
    projects.log_service(n.volunteer, project.id, served_on=today - timedelta(days=7),
                         hours=2, now=T0)
    n.community.log_backdate_days = 1
    db.session.commit()
    with pytest.raises(ValidationFailedError):
        projects.log_service(n.volunteer, project.id, served_on=today - timedelta(days=2),
                             hours=2, now=T0)


def test_a_log_is_never_dated_before_the_member_joined_the_organisation(
        neighbourhood, project, make_volunteer):
    """A puppet made today, its membership approved by the contact today, cannot log the
    days since the claim: the day they joined is the first day they may name."""
    n = neighbourhood
    n.org.contact_user_id = n.volunteer.id
    db.session.commit()
    puppet = make_volunteer(n.community, name="新成员", created_at=T0 - timedelta(hours=2))
    request = organizations.add_membership_request(puppet, n.org, now=T0 - timedelta(hours=2))
    db.session.commit()
    organizations.approve_request(n.volunteer, request.id, now=T0 - timedelta(hours=1))
    projects.join_project(fresh(type(puppet), puppet.id), project.id, now=T0)
    puppet = fresh(type(puppet), puppet.id)
    with pytest.raises(ValidationFailedError) as refused:
        projects.log_service(puppet, project.id, served_on=date(2026, 11, 30), hours=2,
                             now=T0)
    assert "加入" in refused.value.fields["served_on"][0]
    db.session.rollback()
    projects.log_service(puppet, project.id, served_on=date(2026, 12, 1), hours=2, now=T0)


def test_a_log_is_never_dated_before_the_member_joined_the_project(neighbourhood):
    n = neighbourhood
    n.volunteer.organization_since = T0 - timedelta(days=30)
    db.session.commit()
    wish = make_wish(n.secretary, kind="project", now=T0 - timedelta(days=5))
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True, organization_id=n.org.id,
                      now=T0 - timedelta(days=5))
    projects.join_project(n.volunteer, wish.id, now=T0 - DAY)
    with pytest.raises(ValidationFailedError):
        projects.log_service(n.volunteer, wish.id, served_on=date(2026, 11, 28), hours=1,
                             now=T0)
    db.session.rollback()
    projects.log_service(n.volunteer, wish.id, served_on=date(2026, 11, 30), hours=1, now=T0)


def test_the_organisations_contact_may_not_confirm_its_members_logs_the_staff_do(
        neighbourhood, project, make_volunteer):
    n = neighbourhood
    contact = make_volunteer(n.community, name="联络员", organization=n.org)
    n.org.contact_user_id = contact.id
    db.session.commit()
    log = projects.log_service(n.volunteer, project.id, served_on=date(2026, 12, 1), hours=3,
                               now=T0)
    with pytest.raises(ForbiddenError) as refused:
        projects.confirm_log(contact, log.id, now=T0)
    assert refused.value.code == "cannot_confirm_own_work"
    db.session.rollback()
    with pytest.raises(ForbiddenError) as refused:  # nor staff of another community
        projects.confirm_log(n.far_secretary, log.id, now=T0)
    assert refused.value.code == "not_confirmer"
    db.session.rollback()
    assert points.pending_of(n.volunteer.id).points == 15
    projects.confirm_log(n.secretary, log.id, now=T0)
    assert board_points("organizations", n.org.id, n.community.id) == 5 + 5 + 15


def test_one_daily_cap_across_completions_and_logs_wherever_the_work_was(
        neighbourhood, project):
    n = neighbourhood
    completed_wish(n.secretary, n.volunteer, hours=7, now=T0)  # 7 of today's 10
    with pytest.raises(ValidationFailedError) as refused:
        projects.log_service(n.volunteer, project.id, served_on=date(2026, 12, 1), hours=4,
                             now=T0 + timedelta(hours=2))
    assert refused.value.code == "too_many_hours"
    db.session.rollback()
    projects.log_service(n.volunteer, project.id, served_on=date(2026, 12, 1), hours=3,
                         now=T0 + timedelta(hours=2))
    # Yesterday is another day, with its own ten hours.
    projects.log_service(n.volunteer, project.id, served_on=date(2026, 11, 30), hours=10,
                         now=T0 + timedelta(hours=2))
    with pytest.raises(ValidationFailedError):
        completed_wish(n.secretary, n.volunteer, hours=0.5, now=T0 + timedelta(hours=3),
                       title="再一个")


# Volunteers nobody has checked --------------------------------------------------------------

def test_an_automatically_approved_volunteer_moves_no_board_until_a_person_checks_them(
        neighbourhood):
    n = neighbourhood
    puppet = sign_up_unchecked(n, 1, "新志愿者")
    assert puppet.report_status is ReportStatus.APPROVED and not puppet.report_approved_by_person
    wish = make_wish(n.secretary, served=n.served, now=T0)
    wishes.claim_wish(puppet, wish.id, accept_letter=True, now=T0)
    wishes.complete_wish(puppet, wish.id, hours=2, now=T0 + timedelta(hours=2))
    ratings.rate_wish(n.served, wish.id, stars=5, now=T0 + timedelta(hours=3))
    assert points.points_of(puppet) == 0
    assert board_points("volunteers", puppet.id, n.community.id) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PointsEntry).where(
        PointsEntry.volunteer_id == puppet.id)) == 0
    held = points.pending_of(puppet.id)
    assert held.points == 5 + 20 + 10 + 10
    assert {item.waits_for for item in held.items} == {"等社区核实报到"}

    accounts.approve_report(n.secretary, puppet.id, now=T0 + timedelta(days=2))
    assert points.points_of(fresh(type(puppet), puppet.id)) == 45
    assert points.pending_of(puppet.id).points == 0
    # Booked as earned: on 1 December, not on the day of the check.
    months = set(db.session.scalars(sa.select(PointsEntry.month).where(
        PointsEntry.volunteer_id == puppet.id)))
    assert months == {"2026-12"}
    assert min(db.session.scalars(sa.select(PointsEntry.created_at).where(
        PointsEntry.volunteer_id == puppet.id))) == T0
    assert points.recompute_totals(repair=False) == []


def test_an_unchecked_members_work_earns_the_organisation_nothing_until_checked(
        neighbourhood):
    n = neighbourhood
    puppet = sign_up_unchecked(n, 2, "新成员", organization_id=n.org.id)
    request_id = organizations.my_organizations(puppet).request.id
    n.org.contact_user_id = n.volunteer.id
    db.session.commit()
    organizations.approve_request(n.volunteer, request_id, now=T0)
    puppet = fresh(type(puppet), puppet.id)
    wish = make_wish(n.secretary, kind="project", now=T0)
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True, organization_id=n.org.id,
                      now=T0)
    before = board_points("organizations", n.org.id, n.community.id)
    projects.join_project(puppet, wish.id, now=T0)
    log = projects.log_service(puppet, wish.id, served_on=date(2026, 12, 1), hours=4, now=T0)
    projects.confirm_log(n.secretary, log.id, now=T0)
    assert board_points("organizations", n.org.id, n.community.id) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HeldPoints).where(
        HeldPoints.person_id == puppet.id, HeldPoints.organization_id == n.org.id)) == 2
    accounts.approve_report(n.secretary, puppet.id, now=T0 + DAY)
    assert board_points("organizations", n.org.id, n.community.id) == before + 5 + 20


def test_a_reversal_of_held_work_drops_it_and_the_sweep_books_a_late_hold(neighbourhood):
    n = neighbourhood
    puppet = sign_up_unchecked(n, 3, "新志愿者")
    first = claimed_wish(n.secretary, puppet, now=T0, title="一")
    wishes.release_claim(puppet, first.id, "临时有事", now=T0 + timedelta(hours=1))
    claimed_wish(n.secretary, puppet, now=T0, title="二")
    assert points.pending_of(puppet.id).points == 5  # the first claim's hold was dropped
    # Checked by a person without the approval's own release (as if in a race): the sweep
    # books what is still held.
    db.session.execute(sa.update(type(puppet)).where(type(puppet).id == puppet.id)
                       .values(report_reviewed_by_id=n.secretary.id))
    db.session.commit()
    run_sweep(now=T0 + DAY)
    assert points.points_of(fresh(type(puppet), puppet.id)) == 5
    assert points.recompute_totals(repair=False) == []


# Stars ------------------------------------------------------------------------------------

def test_an_unverified_residents_stars_move_neither_the_average_nor_the_points(
        neighbourhood, make_resident):
    n = neighbourhood
    fakes = [make_resident(n.community, name=f"新居民{i}", verified=False,
                           created_at=T0 - timedelta(days=400)) for i in range(3)]
    wish = completed_wish(n.secretary, n.volunteer, hours=1, now=T0)
    wishes.confirm_hours(n.secretary, wish.id, now=T0 + timedelta(hours=2))
    paid = points.points_of(n.volunteer)
    for fake in fakes:
        ratings.rate_wish(fake, wish.id, stars=5, now=T0 + timedelta(hours=3))
    shown = fresh(Wish, wish.id)
    assert (shown.rating_count, shown.average_stars) == (0, None)
    run_sweep(now=T0 + timedelta(days=60))  # long past any waiting period
    assert points.points_of(n.volunteer) == paid
    assert fresh(Wish, wish.id).rating_count == 0
    # A person verifies one of them: that rating counts, in the average and the points.
    accounts.verify_resident(n.secretary, fakes[0].id, now=T0 + timedelta(days=61))
    shown = fresh(Wish, wish.id)
    assert (shown.rating_count, shown.average_stars) == (1, 5.0)
    assert points.points_of(n.volunteer) == paid + 10
    assert recompute(repair=False) == ([], [])


def test_the_person_served_always_counts_and_the_waiting_period_is_an_opt_in(
        neighbourhood, make_resident):
    n = neighbourhood
    n.served.verified_at = None
    db.session.commit()
    wish = make_wish(n.secretary, served=n.served, now=T0)
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True, now=T0)
    wishes.complete_wish(n.volunteer, wish.id, hours=1, now=T0 + timedelta(hours=1))
    ratings.rate_wish(n.served, wish.id, stars=4, now=T0 + timedelta(hours=2))
    assert fresh(Wish, wish.id).average_stars == 4.0

    n.community.rating_trust_days = 30  # the opt-in: time alone then counts
    db.session.commit()
    old = make_resident(n.community, name="老住户", verified=False,
                        created_at=T0 - timedelta(days=31))
    ratings.rate_wish(old, wish.id, stars=2, now=T0 + timedelta(hours=3))
    assert fresh(Wish, wish.id).rating_count == 2


def test_the_secretary_finds_the_automatic_approvals_nobody_has_checked(neighbourhood):
    n = neighbourhood
    puppet = sign_up_unchecked(n, 4, "新志愿者")
    unchecked, total = accounts.list_volunteers(n.secretary, status="unchecked")
    assert ([v.id for v in unchecked], total) == ([puppet.id], 1)
    accounts.approve_report(n.secretary, puppet.id, now=T0)
    assert accounts.list_volunteers(n.secretary, status="unchecked") == ([], 0)


def test_joining_a_project_earns_with_the_first_confirmed_log_not_on_the_members_word(
        neighbourhood, project):
    n = neighbourhood
    assert points.points_of(n.volunteer) == 0  # the claim was the organisation's
    log = projects.log_service(n.volunteer, project.id, served_on=date(2026, 12, 1),
                               hours=1, now=T0)
    assert points.points_of(n.volunteer) == 0
    projects.confirm_log(n.secretary, log.id, now=T0)
    assert points.points_of(n.volunteer) == 5 + 5
    second = projects.log_service(n.volunteer, project.id, served_on=date(2026, 11, 30),
                                  hours=1, now=T0)
    projects.confirm_log(n.secretary, second.id, now=T0)
    assert points.points_of(n.volunteer) == 5 + 5 + 5  # joining pays once


def test_an_organisation_does_not_vouch_for_its_own_members_at_its_own_activity(
        neighbourhood, make_volunteer):
    from wishboard.activities import services as activities
    from wishboard.places.models import OrganizationStatus

    n = neighbourhood
    contact = make_volunteer(n.community, name="联络员", organization=n.org)
    n.org.contact_user_id = contact.id
    n.org.report_status = OrganizationStatus.APPROVED
    db.session.commit()
    start = T0 + timedelta(hours=2)
    activity = activities.create_activity(
        contact, title="组织学习", description="学习", category_id=n.category_id,
        starts_at=start, ends_at=start + timedelta(hours=1), signup_deadline=start,
        capacity=10, audience="volunteers", now=T0)
    for person in (n.volunteer, n.other_volunteer):
        activities.sign_up(person, activity.id, now=T0)
    code = activities.checkin_code(activity)
    activities.check_in(n.volunteer, activity.id, code=code, now=start)  # a member
    activities.check_in(n.other_volunteer, activity.id, code=code, now=start)  # not one
    assert points.points_of(n.volunteer) == 0
    assert points.points_of(n.other_volunteer) == 5
    assert board_points("organizations", n.org.id, n.community.id) == 0
    # The community's staff check the member in from the list: now it counts, for both.
    activities.check_in(n.secretary, activity.id, user_id=n.volunteer.id, now=start)
    assert points.points_of(n.volunteer) == 5
    assert board_points("organizations", n.org.id, n.community.id) == 5
