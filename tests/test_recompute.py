"""``flask wishboard recompute``: every number kept beside the rows it counts can be rebuilt
from those rows, and the command says what it changed."""

import sqlalchemy as sa

from wishboard.accounts.models import User
from wishboard.activities.models import Activity
from wishboard.audit.models import AuditEntry
from wishboard.extensions import db
from wishboard.points.models import PointsTotal
from wishboard.wishes.models import Wish
from wishboard.wishes.tallies import WishTally
from wishboard.wishes.states import WishState


def _recompute(runner, *args):
    return runner.invoke(args=["wishboard", "recompute", *args])


def _one(model, *where):
    return db.session.scalars(sa.select(model).where(*where).order_by(model.id)).first()


def test_recompute_repairs_every_kind_of_derived_value_and_reports_it(runner, client):
    assert runner.invoke(args=["wishboard", "seed-demo"]).exit_code == 0
    clean = _recompute(runner, "--check")
    assert clean.exit_code == 0, clean.output
    assert "every derived value matches the base tables" in clean.output

    rated = _one(Wish, Wish.rating_count > 0)
    project = _one(Wish, Wish.member_count > 0)
    activity = _one(Activity, Activity.confirmed_count > 0)
    claimant = _one(User, User.open_claim_count > 0)
    tally = db.session.scalars(sa.select(WishTally).where(
        WishTally.community_id == rated.community_id,
        WishTally.state == WishState.OPEN)).one()
    right = {"tally": tally.count, "rating_count": rated.rating_count,
             "rating_sum": rated.rating_sum, "member_count": project.member_count,
             "hours": project.confirmed_hours, "seats": activity.confirmed_count,
             "waiting": activity.waitlist_count, "claims": claimant.open_claim_count}
    total = _one(PointsTotal, PointsTotal.period == "all", PointsTotal.owner_type == "volunteer")
    right_points = total.points

    # Corrupt one of each kind, as a crash or a hand-edit might.
    tally.count += 7
    db.session.add(WishTally(community_id=rated.community_id, state=WishState.REJECTED,
                             count=3))
    rated.rating_count, rated.rating_sum = 99, 1
    project.member_count, project.confirmed_hours = 0, 123
    activity.confirmed_count, activity.waitlist_count = 0, 5
    claimant.open_claim_count = 40
    total.points += 500
    db.session.commit()
    # A board's total is read from its tally: the corruption shows until it is repaired.
    board = client.get(f"/api/v1/wishes?community_id={rated.community_id}&status=open")
    assert board.get_json()["total"] == right["tally"] + 7

    check = _recompute(runner, "--check")
    assert check.exit_code == 1
    for kind in ("wish tally", "wish rating_count", "wish rating_sum", "project member_count",
                 "project confirmed_hours", "activity confirmed_count",
                 "activity waitlist_count", "volunteer open_claim_count", "points total"):
        assert f"mismatch {kind}" in check.output, kind
    assert f"community {rated.community_id} open: stored {right['tally'] + 7}, actual " \
           f"{right['tally']}" in check.output
    assert f"community {rated.community_id} rejected: stored 3, actual 0" in check.output
    assert "10 derived values found" in check.output
    db.session.expire_all()
    assert db.session.get(Wish, rated.id).rating_count == 99  # --check changes nothing

    repair = _recompute(runner)
    assert repair.exit_code == 0 and "10 derived values repaired" in repair.output
    db.session.expire_all()
    rated, project = db.session.get(Wish, rated.id), db.session.get(Wish, project.id)
    activity, claimant = db.session.get(Activity, activity.id), db.session.get(User, claimant.id)
    assert (rated.rating_count, rated.rating_sum) == (right["rating_count"], right["rating_sum"])
    assert (project.member_count, project.confirmed_hours) == (right["member_count"],
                                                               right["hours"])
    assert (activity.confirmed_count, activity.waitlist_count) == (right["seats"],
                                                                   right["waiting"])
    assert claimant.open_claim_count == right["claims"]
    assert db.session.get(PointsTotal, total.id).points == right_points
    board = client.get(f"/api/v1/wishes?community_id={rated.community_id}&status=open")
    assert board.get_json()["total"] == right["tally"]
    assert _recompute(runner, "--check").exit_code == 0
    logged = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "derived_recomputed")).one()
    assert logged.after["count"] == 9


def test_the_old_points_recompute_name_still_runs_the_whole_recount(runner):
    assert runner.invoke(args=["wishboard", "seed-demo"]).exit_code == 0
    old = runner.invoke(args=["wishboard", "points", "recompute", "--check"])
    assert old.exit_code == 0
    assert "every derived value matches the base tables" in old.output
