"""A known stretch of a community's life, October to December 2026, driven through the real
services on fixed clocks, for the statistics' tests (services, API, pages, browser). What
each month must show is written beside the story and in ``EXPECTED``.

Times are UTC; Shanghai is 8 hours ahead, so 2026-10-31 15:00Z is still 31 October there
(23:00) and 2026-10-31 17:00Z is already 1 November (01:00)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

from factories import make_wish

from wishboard.activities import services as activities
from wishboard.places.models import PlaceLevel
from wishboard.extensions import db
from wishboard.projects import services as projects
from wishboard.ratings import services as ratings
from wishboard.wishes import services as wishes


def at(month: int, day: int, hour: int = 2, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


# Per local month: what the statistics must say. Medians in hours.
EXPECTED = {
    "2026-10": dict(posted=2, claimed=1, completed=1, expired=0, hours=2.0, ratings=2,
                    average_stars=4.5, claim_hours=4.0, completion_hours=24.0, active=1,
                    party_members=1, elders=0, others=0, organizations=0),
    "2026-11": dict(posted=3, claimed=4, completed=2, expired=1, hours=4.5, ratings=1,
                    average_stars=3.0, claim_hours=2.0, completion_hours=53.0, active=4,
                    party_members=2, elders=1, others=1, organizations=1),
    "2026-12": dict(posted=0, claimed=0, completed=0, expired=0, hours=3.0, ratings=0,
                    average_stars=None, claim_hours=None, completion_hours=None, active=0,
                    party_members=0, elders=0, others=0, organizations=0),
}
TOTALS = dict(posted=5, claimed=5, completed=3, expired=1, hours=9.5, ratings=3,
              average_stars=4.0, claim_hours=3.0, completion_hours=34.0, active=4,
              party_members=2, elders=1, others=1, organizations=1)


def build(hood, make_user) -> SimpleNamespace:
    """The story. ``hood`` is the ``neighbourhood`` fixture: ``volunteer`` (a party member,
    member of ``org``) and ``other_volunteer`` (a party member) report to ``community``."""
    secretary, volunteer, other = hood.secretary, hood.volunteer, hood.other_volunteer
    joined = at(9, 1)
    elder = make_user("volunteer", hood.community, name="孙老师", volunteer_type="elder",
                      created_at=joined)
    helper = make_user("volunteer", hood.community, name="周小云", volunteer_type="other",
                       created_at=joined)

    # October. A: published 10:00 local, first claimed 4 hours later, done 24 hours after
    # publication with 2 hours; the person served rates 5 stars (and so confirms the 2
    # hours, in October), a neighbour 4 stars.
    a = make_wish(secretary, served=hood.served, title="陪吴奶奶去医院", now=at(10, 5))
    wishes.claim_wish(volunteer, a.id, accept_letter=True, now=at(10, 5, 6))
    wishes.complete_wish(volunteer, a.id, hours=2, now=at(10, 6))
    ratings.rate_wish(hood.served, a.id, stars=5, now=at(10, 7))
    ratings.rate_wish(hood.neighbour, a.id, stars=4, now=at(10, 8))

    # B: published on 31 October at 23:00 local (October); claimed at 01:00 on 1 November
    # local (17:00Z on the 31st: November) by the elder, 2 hours later; done 34 hours after
    # publication with 1.5 hours, confirmed by the secretary in November; 3 stars.
    b = make_wish(secretary, title="修水龙头", now=at(10, 31, 15))
    wishes.claim_wish(elder, b.id, accept_letter=True, now=at(10, 31, 17))
    wishes.complete_wish(elder, b.id, hours=1.5, now=at(11, 2, 1))
    ratings.rate_wish(hood.neighbour, b.id, stars=3, now=at(11, 3))
    wishes.confirm_hours(secretary, b.id, now=at(11, 4))

    # November. C: nobody claims it; it expires on the 20th.
    c = make_wish(secretary, title="教老人用手机", now=at(11, 3))
    wishes.expire_many([c.id], "发布60天无人认领", at(11, 20))
    db.session.commit()

    # D: claimed 10 hours after publication by the other volunteer, who gives it back; the
    # volunteer claims it again (two claims in November, the first one counts for the
    # median), done 72 hours after publication with 3 hours, confirmed on 1 December.
    d = make_wish(secretary, title="打扫楼道", now=at(11, 5))
    wishes.claim_wish(other, d.id, accept_letter=True, now=at(11, 5, 12))
    wishes.release_claim(other, d.id, "临时有事", now=at(11, 6))
    wishes.claim_wish(volunteer, d.id, accept_letter=True, now=at(11, 7))
    wishes.complete_wish(volunteer, d.id, hours=3, now=at(11, 8))
    wishes.confirm_hours(secretary, d.id, now=at(12, 1))

    # P: a service project claimed for the organisation an hour after publication; the
    # volunteer (a member since September) joins and logs 3 hours on 12 November, which
    # the secretary confirms.
    volunteer.organization_since = joined
    db.session.commit()
    p = make_wish(secretary, title="垃圾分类宣传", kind="project", now=at(11, 10))
    wishes.claim_wish(volunteer, p.id, accept_letter=True, organization_id=hood.org.id,
                      now=at(11, 10, 3))
    projects.join_project(volunteer, p.id, now=at(11, 10, 4))
    log = projects.log_service(volunteer, p.id, served_on=date(2026, 11, 12), hours=3,
                               now=at(11, 12, 10))
    projects.confirm_log(secretary, log.id, now=at(11, 12, 12))

    # An activity on 15 November: the helper (an "other" volunteer) checks in.
    activity = activities.create_activity(
        secretary, title="重阳节慰问", description="到独居老人家里慰问", category_id=hood.category_id,
        starts_at=at(11, 15), ends_at=at(11, 15, 4), signup_deadline=at(11, 14),
        capacity=10, audience="volunteers", now=at(11, 1))
    activities.sign_up(helper, activity.id, now=at(11, 2))
    activities.check_in(secretary, activity.id, user_id=helper.id, now=at(11, 15, 1))

    # Elsewhere: another community's wish, which must not count here.
    far = make_wish(hood.far_secretary, title="别处的心愿", now=at(11, 5))
    wishes.claim_wish(hood.far_volunteer, far.id, accept_letter=True, now=at(11, 5, 3))
    wishes.complete_wish(hood.far_volunteer, far.id, hours=1, now=at(11, 6))

    return SimpleNamespace(a=a, b=b, c=c, d=d, p=p, elder=elder, helper=helper,
                           activity=activity, far=far)


def two_streets(neighbourhood, make_place) -> dict:
    """玉林街道 holds both communities of the neighbourhood; 簇桥街道, in the same district,
    holds a third (锦城社区)."""
    district = make_place("武侯区", level=PlaceLevel.DISTRICT)
    street = make_place("玉林街道", level=PlaceLevel.STREET, parent=district)
    other_street = make_place("簇桥街道", level=PlaceLevel.STREET, parent=district)
    for place in (neighbourhood.community, neighbourhood.elsewhere):
        place.parent_id = street.id
    third = make_place("锦城社区", level=PlaceLevel.COMMUNITY, parent=other_street)
    db.session.commit()
    return dict(district=district, street=street, other_street=other_street, third=third)
