"""The rules of organisations and their members, without HTTP: where an organisation's and
a member's points live (双报到), who may do what, and what approving an organisation does
to its contact's other requests."""

import sqlalchemy as sa
from factories import T0, completed_wish, make_wish

from wishboard.access import claim_refusal, organization_rights, wish_rights
from wishboard.extensions import db
from wishboard.organizations import services as organizations
from wishboard.organizations.models import MembershipStatus
from wishboard.places.models import Organization, OrganizationStatus
from wishboard.points import services as points
from wishboard.points.models import PointsTotal


def totals_of(owner_type, owner_id):
    return {t.period: t.community_id for t in db.session.scalars(
        sa.select(PointsTotal).where(PointsTotal.owner_type == owner_type,
                                     PointsTotal.owner_id == owner_id))}


def test_totals_live_in_the_owners_home_whichever_community_the_work_was_done_in(
        neighbourhood):
    """An organisation of 玉林北路 whose first points come from a member's service in 肖家河
    ranks on 玉林北路's organisation board; the member on 肖家河's volunteer board."""
    n = neighbourhood
    n.far_volunteer.organization_id = n.org.id
    db.session.commit()
    completed_wish(n.far_secretary, n.far_volunteer, now=T0, organization_id=n.org.id)
    assert set(totals_of("organization", n.org.id).values()) == {n.community.id}
    assert set(totals_of("volunteer", n.far_volunteer.id).values()) == {n.elsewhere.id}
    assert len(totals_of("organization", n.org.id)) == 4  # all, year, quarter, month
    assert points.recompute_totals(repair=False) == []


def test_recompute_moves_a_total_booked_on_the_wrong_communitys_board(neighbourhood):
    """Totals booked before the rule (in the community of the work) are found and moved."""
    n = neighbourhood
    n.far_volunteer.organization_id = n.org.id
    db.session.commit()
    completed_wish(n.far_secretary, n.far_volunteer, now=T0, organization_id=n.org.id)
    db.session.execute(sa.update(PointsTotal).where(PointsTotal.owner_type == "organization")
                       .values(community_id=n.elsewhere.id))
    db.session.commit()
    found = points.recompute_totals(repair=False)
    assert len(found) == 4
    assert found[0].stored["community_id"] == n.elsewhere.id
    assert found[0].ledger["community_id"] == n.community.id
    points.recompute_totals()
    assert set(totals_of("organization", n.org.id).values()) == {n.community.id}
    assert points.recompute_totals(repair=False) == []
    rows, _ = points.leaderboard(n.community.id, kind="organizations")
    assert [r.id for r in rows] == [n.org.id]
    assert points.leaderboard(n.elsewhere.id, kind="organizations")[0] == []


def test_a_member_elsewhere_may_claim_here_only_for_the_organisation(neighbourhood):
    n = neighbourhood
    n.far_volunteer.organization_id = n.org.id
    db.session.commit()
    wish = make_wish(n.secretary, now=T0)
    assert claim_refusal(n.far_volunteer, wish).code == "not_your_community"
    assert claim_refusal(n.far_volunteer, wish, n.org.id) is None
    assert claim_refusal(n.far_volunteer, wish, 999).code == "not_your_organization"
    rights = wish_rights(n.far_volunteer, wish)
    assert rights.claim and rights.claim_organization_id == n.org.id
    # Not for an organisation of a third community, and not once it is unapproved.
    n.org.report_status = OrganizationStatus.REJECTED
    db.session.commit()
    assert claim_refusal(n.far_volunteer, wish, n.org.id).code == "organization_not_approved"
    assert not wish_rights(n.far_volunteer, wish).claim
    # A volunteer of this community keeps claiming for themselves, as before.
    assert wish_rights(n.other_volunteer, wish).claim_organization_id is None


def test_approving_an_organisation_makes_its_contact_a_member_and_ends_their_other_request(
        neighbourhood, make_org):
    n = neighbourhood
    reported = organizations.report_organization(
        n.other_volunteer, name="芳草院志愿服务队", unit="芳草院", kind="service_team",
        community_id=n.community.id, now=T0)
    assert reported.report_status is OrganizationStatus.PENDING
    request = organizations.request_membership(n.other_volunteer, n.org.id, now=T0)
    organizations.approve_organization(n.secretary, reported.id, now=T0)
    db.session.expire_all()
    assert n.other_volunteer.organization_id == reported.id
    ended = db.session.get(type(request), request.id)
    assert ended.status is MembershipStatus.WITHDRAWN and "芳草院志愿服务队" in ended.reason


def test_what_each_viewer_may_do_with_an_organisation(neighbourhood):
    n = neighbourhood
    n.org.contact_user_id = n.volunteer.id
    db.session.commit()
    contact = organization_rights(n.volunteer, n.org)
    assert contact.manage and contact.is_member and not contact.leave
    assert not contact.decide_report and not contact.see_phones
    staff = organization_rights(n.secretary, n.org)
    assert staff.manage and staff.decide_report and staff.see_phones and not staff.request
    assert not organization_rights(n.far_secretary, n.org).manage
    joiner = organization_rights(n.far_volunteer, n.org)  # 双报到: any community may ask
    assert joiner.request and not joiner.manage
    resident = organization_rights(n.served, n.org)
    assert not resident.request and resident.request_refusal is None
    visitor = organization_rights(None, n.org)
    assert visitor == type(visitor)()


def test_an_organisation_turned_back_organises_no_activity(neighbourhood):
    from wishboard.activities.services import can_publish

    n = neighbourhood
    n.org.contact_user_id = n.volunteer.id
    db.session.commit()
    assert can_publish(n.volunteer, n.community.id)
    n.org.report_status = OrganizationStatus.REJECTED
    db.session.commit()
    assert not can_publish(n.volunteer, n.community.id)


def test_registration_choices_offer_home_neighbours_and_what_a_search_finds(
        app, make_place, make_user):
    district = make_place("武侯区", "district")
    street = make_place("玉林街道", "street", parent=district)
    home = make_place("玉林北路社区", parent=street)
    beside = make_place("玉林南路社区", parent=street)
    far = make_place("肖家河社区")
    for community, name in ((home, "玉林北路小学党支部"), (beside, "玉林南路派出所党支部"),
                            (far, "四川省种子站党支部"), (far, "待审核的党支部")):
        db.session.add(Organization(name=name, community_id=community.id, unit=name[:-3],
                                    report_status=OrganizationStatus.PENDING
                                    if name.startswith("待") else OrganizationStatus.APPROVED))
    db.session.commit()
    groups = organizations.registration_choices(home)
    assert [(label, [name for _, name in options]) for label, options in groups] == [
        ("玉林北路社区（本社区）", ["玉林北路小学党支部"]),
        ("玉林南路社区", ["玉林南路派出所党支部"])]
    searched = organizations.registration_choices(home, "种子站")
    assert searched[0] == ("搜索“种子站”的结果", [(searched[0][1][0][0], "四川省种子站党支部")])
    assert organizations.registration_choices(home, "待审核")[0] == ("没有找到“待审核”", [])


def test_staff_entered_organisations_are_approved_at_once(neighbourhood):
    n = neighbourhood
    made = organizations.create_organization(n.secretary, name="玉林北路小学党支部",
                                             community_id=n.community.id, kind="government",
                                             unit="玉林北路小学")
    assert made.is_approved and (made.kind.value, made.unit) == ("government", "玉林北路小学")


def test_a_member_taken_off_or_leaving_gives_back_what_they_hold_for_it_and_logs_no_more(
        neighbourhood):
    """Security review, finding 7: a member taken off (or who left) kept the wishes they
    had claimed for the organisation, completed them for its points, and kept logging hours
    on its project. Their claims for it are released (with the reason) in the same
    transaction; their own claims stay; joining and logging need today's membership."""
    from datetime import timedelta

    import pytest

    from wishboard.errors import ForbiddenError, IllegalTransitionError
    from wishboard.projects import services as projects
    from wishboard.wishes import services as wishes
    from wishboard.wishes.models import Claim, ClaimStatus
    from wishboard.wishes.states import WishState

    n = neighbourhood
    n.org.contact_user_id = n.other_volunteer.id
    n.other_volunteer.organization_id = n.org.id
    n.far_volunteer.organization_id = n.org.id  # lives in 肖家河, member of 玉林北路's org
    db.session.commit()
    for_org = make_wish(n.secretary, now=T0)
    own = make_wish(n.far_secretary, now=T0, title="自己社区的心愿")
    project = make_wish(n.secretary, now=T0, kind="project", title="宣讲")
    wishes.claim_wish(n.far_volunteer, for_org.id, accept_letter=True,
                      organization_id=n.org.id, now=T0)
    wishes.claim_wish(n.far_volunteer, own.id, accept_letter=True, now=T0)
    wishes.claim_wish(n.other_volunteer, project.id, accept_letter=True,
                      organization_id=n.org.id, now=T0)
    projects.join_project(n.far_volunteer, project.id, now=T0)
    before = points.total_of("organization", n.org.id).points

    organizations.remove_member(n.other_volunteer, n.org.id, n.far_volunteer.id,
                                "不再是本单位职工", now=T0 + timedelta(hours=1))
    db.session.expire_all()
    assert (for_org.state, for_org.claimant_id) == (WishState.OPEN, None)
    claim = db.session.scalar(sa.select(Claim).where(Claim.wish_id == for_org.id))
    assert claim.status is ClaimStatus.RELEASED and "不再是本单位职工" in claim.end_reason
    assert (own.state, own.claimant_id) == (WishState.CLAIMED, n.far_volunteer.id)
    assert project.state is WishState.CLAIMED  # the contact's claim, not theirs
    with pytest.raises(IllegalTransitionError):
        wishes.complete_wish(n.far_volunteer, for_org.id, hours=2, now=T0 + timedelta(hours=2))
    db.session.rollback()
    with pytest.raises(ForbiddenError) as refused:
        projects.log_service(n.far_volunteer, project.id, served_on=T0.date(), hours=5,
                             now=T0 + timedelta(hours=3))
    assert refused.value.code == "not_a_member_of_claimant"
    db.session.rollback()
    assert wish_rights(n.far_volunteer, project).log is False
    assert points.total_of("organization", n.org.id).points <= before  # nothing more earned

    n.volunteer.organization_id = n.org.id  # leaving by themselves does the same
    db.session.commit()
    again = make_wish(n.secretary, now=T0, title="再认领")
    wishes.claim_wish(n.volunteer, again.id, accept_letter=True, organization_id=n.org.id,
                      now=T0 + timedelta(hours=4))
    organizations.leave_organization(n.volunteer, now=T0 + timedelta(hours=5))
    db.session.expire_all()
    assert (again.state, again.claimant_id) == (WishState.OPEN, None)
    with pytest.raises(ForbiddenError):
        projects.join_project(n.volunteer, project.id, now=T0 + timedelta(hours=6))
