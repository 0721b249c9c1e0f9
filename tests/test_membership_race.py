"""One person, one organisation, however the decisions race: the contact and the secretary
approve the same request to join at the same moment the secretary approves another
organisation the person reported (which would make them its member), against gunicorn
with several workers. Exactly one membership results, the request says which, never a
500."""

import sqlalchemy as sa
from live import gunicorn, post_each_at_once

from wishboard.accounts import tokens
from wishboard.accounts.models import User
from wishboard.extensions import db
from wishboard.organizations import services as organizations
from wishboard.organizations.models import MembershipRequest, MembershipStatus
from wishboard.places.models import Organization, OrganizationStatus

ROUNDS = 3


def test_racing_approvals_leave_one_membership(app, migrated_url, community, make_user):
    secretary = make_user("secretary", community, name="张丽华")
    contact = make_user("volunteer", community, name="李建国")
    seed = organizations.create_organization(secretary, name="四川省种子站党支部",
                                             community_id=community.id)
    contact.organization_id, seed.contact_user_id = seed.id, contact.id
    db.session.commit()
    rounds = []
    for i in range(ROUNDS):
        person = make_user("volunteer", community, name=f"报到人{i}")
        own = organizations.report_organization(
            person, name=f"志愿服务队{i}", unit="芳草院", kind="service_team",
            community_id=community.id)
        request = organizations.request_membership(person, seed.id)
        rounds.append((person.id, own.id, request.id))
    staff_token, contact_token = tokens.issue_token(secretary)[0], tokens.issue_token(contact)[0]

    with gunicorn(migrated_url) as base:
        for person_id, own_id, request_id in rounds:
            results = post_each_at_once([
                (f"{base}/api/v1/membership-requests/{request_id}/approve", contact_token),
                (f"{base}/api/v1/membership-requests/{request_id}/approve", staff_token),
                (f"{base}/api/v1/organizations/{own_id}/approve", staff_token)], {})
            assert all(status < 500 for status, _ in results), results
            assert results[2][0] == 200, results  # the organisation's 报到 is decided
            approvals = sorted(status for status, _ in results[:2])
            assert approvals in ([200, 409], [409, 409]), results

            db.session.expire_all()
            person = db.session.get(User, person_id)
            request = db.session.get(MembershipRequest, request_id)
            assert db.session.get(Organization, own_id).report_status \
                is OrganizationStatus.APPROVED
            if approvals == [200, 409]:
                assert person.organization_id == seed.id
                assert request.status is MembershipStatus.APPROVED
            else:  # the reporter joined their own organisation first
                assert person.organization_id == own_id
                assert request.status is MembershipStatus.WITHDRAWN
    members = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.id.in_([person_id for person_id, _, _ in rounds]),
        User.organization_id.is_not(None)))
    assert members == ROUNDS
