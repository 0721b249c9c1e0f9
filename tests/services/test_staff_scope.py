"""Which community the staff act on: one rule in the rule book (``access.staff_scope``,
and ``access.managed_community_id`` for the management pages), asked by the needs queue,
the organisations waiting for review, the audit log and /manage; and the activity rules
the rule book now holds (who publishes, organises, signs up)."""

from datetime import timedelta

import pytest
from factories import T0

from wishboard import access
from wishboard.activities import services as activities
from wishboard.activities.models import Activity, Audience
from wishboard.audit import services as audit
from wishboard.errors import ForbiddenError, ValidationFailedError
from wishboard.extensions import db
from wishboard.needs import services as needs
from wishboard.organizations import services as organizations


def test_a_secretary_acts_on_her_own_community_unless_she_names_one(neighbourhood):
    n = neighbourhood
    assert access.staff_scope(n.secretary) == n.community.id
    assert access.staff_scope(n.secretary, n.elsewhere.id) == n.elsewhere.id
    assert not access.can_manage_community(n.secretary, n.elsewhere.id)  # named, not hers


def test_an_admin_acts_on_the_community_named_or_on_none(neighbourhood, make_user):
    admin = make_user("admin", None)
    assert access.staff_scope(admin) is None
    assert access.staff_scope(admin, neighbourhood.community.id) == neighbourhood.community.id
    assert access.staff_scope(None) is None
    assert access.staff_scope(neighbourhood.neighbour) is None


def test_the_management_pages_keep_a_secretary_on_her_own_community(neighbourhood, make_user):
    n = neighbourhood
    admin = make_user("admin", None)
    assert access.managed_community_id(n.secretary, n.elsewhere.id) == n.community.id
    assert access.managed_community_id(n.secretary, None) == n.community.id
    assert access.managed_community_id(admin, n.elsewhere.id) == n.elsewhere.id
    assert access.managed_community_id(admin, None) is None
    assert access.managed_community_id(admin, 0) == 0  # an id no row has, as it came


def test_the_needs_queue_reads_the_scope(neighbourhood, make_user):
    n = neighbourhood
    needs.submit_need(n.served, title="需要有人帮忙买药", description="下不了楼", now=T0)
    items, total = needs.list_needs(n.secretary)
    assert total == 1 and items[0].community_id == n.community.id
    with pytest.raises(ForbiddenError):
        needs.list_needs(n.secretary, community_id=n.elsewhere.id)
    admin = make_user("admin", None)
    with pytest.raises(ValidationFailedError):
        needs.list_needs(admin)
    assert needs.list_needs(admin, community_id=n.community.id)[1] == 1


def test_the_organisations_waiting_for_review_read_the_scope(neighbourhood, make_user):
    n = neighbourhood
    organizations.report_organization(n.neighbour, name="玉林小学党支部", unit="玉林小学",
                                      kind="other", community_id=n.community.id, now=T0)
    waiting, total = organizations.list_organizations(n.secretary, status="pending")
    assert total == 1 and waiting[0].name == "玉林小学党支部"
    with pytest.raises(ForbiddenError):
        organizations.list_organizations(n.far_secretary, status="pending",
                                         community_id=n.community.id)
    assert organizations.list_organizations(n.far_secretary, status="pending")[1] == 0
    with pytest.raises(ValidationFailedError):
        organizations.list_organizations(make_user("admin", None), status="pending")


def test_who_reads_the_audit_log(neighbourhood, make_user):
    n = neighbourhood
    admin = make_user("admin", None)
    assert access.audit_log_refusal(admin, None) is None
    assert access.audit_log_refusal(n.secretary, n.community.id) is None
    assert access.audit_log_refusal(n.secretary, n.elsewhere.id).code == "not_your_community"
    assert access.audit_log_refusal(n.secretary, None).code == "not_your_community"
    assert access.audit_log_refusal(n.volunteer, n.community.id).code == "not_your_community"
    audit.list_entries(n.secretary)  # her own community's, by the scope
    audit.list_entries(admin)  # the whole log
    with pytest.raises(ForbiddenError):
        audit.list_entries(n.secretary, community_id=n.elsewhere.id)
    with pytest.raises(ForbiddenError):
        audit.list_entries(n.neighbour)


def _activity(n, audience: Audience) -> Activity:
    activity = Activity(community_id=n.community.id, organizer_id=n.secretary.id,
                        title="义诊", description="", category_id=n.category_id,
                        starts_at=T0 + timedelta(days=3), ends_at=T0 + timedelta(days=3, hours=2),
                        signup_deadline=T0 + timedelta(days=2), capacity=10,
                        audience=audience, checkin_secret="x" * 32, created_at=T0)
    db.session.add(activity)
    db.session.commit()
    return activity


def test_who_signs_up_for_an_activity(neighbourhood):
    n = neighbourhood
    for_volunteers = _activity(n, Audience.VOLUNTEERS)
    assert access.signup_refusal(n.volunteer, for_volunteers) is None
    assert access.signup_refusal(n.neighbour, for_volunteers).code == "audience_volunteers"
    assert access.signup_refusal(n.far_volunteer, for_volunteers).code == "not_your_community"
    for_residents = _activity(n, Audience.RESIDENTS)
    assert access.signup_refusal(n.volunteer, for_residents).code == "audience_residents"
    assert access.signup_refusal(n.neighbour, for_residents) is None


def test_who_publishes_and_organises_an_activity(neighbourhood):
    n = neighbourhood
    assert activities.can_publish is access.can_publish_activity
    assert activities.can_organize is access.can_organize_activity
    assert access.can_publish_activity(n.secretary, n.community.id)
    assert not access.can_publish_activity(n.far_secretary, n.community.id)
    assert not access.can_publish_activity(n.volunteer, n.community.id)
    assert access.ensure_activity_organizer(n.secretary, n.community.id) is None
    with pytest.raises(ForbiddenError) as refused:
        access.ensure_activity_organizer(n.volunteer, n.community.id)
    assert refused.value.code == "not_an_organizer"
    activity = _activity(n, Audience.ALL)
    assert access.can_organize_activity(n.secretary, activity)
    assert not access.can_organize_activity(n.far_secretary, activity)
    assert not access.can_organize_activity(n.volunteer, activity)


def test_a_secretary_naming_another_community_in_the_address_still_sees_her_own(
        neighbourhood, client, login_as):
    n = neighbourhood
    needs.submit_need(n.served, title="需要有人帮忙买药", description="下不了楼", now=T0)
    login_as(n.secretary)
    page = client.get(f"/manage/needs?community_id={n.elsewhere.id}")
    assert page.status_code == 200
    assert "需要有人帮忙买药" in page.get_data(as_text=True)
