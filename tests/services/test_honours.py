"""The year-end selection (年度评选), walked through the real services on a fixed clock:
the standings frozen at the cut-off (and left alone by later corrections), the rules'
nominees, adjustments with reasons, the 公示 with objections answered, publishing (refused
too early and while an objection waits), certificates verified by their code (API and
page), withdrawn honours, made-up codes, an admin ending a 公示 early, and another
community's secretary refused."""

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from factories import T0, completed_wish, make_wish

from wishboard.accounts import services as accounts
from wishboard.accounts.models import User
from wishboard.audit.models import AuditEntry
from wishboard.blueprints.honour_pages import selection_page
from wishboard.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.honours import services as honours
from wishboard.honours.models import (
    Certificate, HonourDivision, Nominee, NomineeSource, NomineeStatus, SelectionStanding,
    SelectionState,
)
from wishboard.notifications.models import Notification
from wishboard.ratings import services as ratings
from wishboard.ratings.models import Rating
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Wish


def local(year, month, day, hour=10):
    """A moment in Shanghai (UTC+8)."""
    return datetime(year, month, day, hour, tzinfo=timezone.utc) - timedelta(hours=8)


def serve(n, volunteer, stars, *, day, organization_id=None) -> Rating:
    """``volunteer`` claims and completes a wish for ``n.served`` (2 hours), who rates it
    (which also confirms the hours), ``day`` days after T0."""
    at = T0 + timedelta(days=day)
    wish = completed_wish(n.secretary, volunteer, hours=2, served=n.served, now=at,
                          organization_id=organization_id, title=f"帮忙买药{day}")
    return ratings.rate_wish(n.served, wish.id, stars=stars, now=at + timedelta(hours=2))


def inbox(user, kind) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.text).where(
        Notification.user_id == user.id, Notification.kind == kind)))


def actions_of(selection) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "selection", AuditEntry.object_id == selection.id)
        .order_by(AuditEntry.id)))


@pytest.fixture
def year_of_service(neighbourhood, make_user):
    """2026 in the neighbourhood: 李建国 (party member, for his organisation) serves three
    times at 5 stars; 陈志强 (party member) three times at 5 stars; 王晓梅 (party member)
    once; 周德华 (elder) three times at 4 stars, one of whose ratings the secretary removes
    before the cut-off."""
    n = neighbourhood
    n.chen = make_user("volunteer", n.community, name="陈志强", created_at=T0 - timedelta(days=1))
    n.zhou = make_user("volunteer", n.community, name="周德华", volunteer_type="elder",
                       created_at=T0 - timedelta(days=1))
    n.admin = make_user("admin", name="管理员")
    for day in range(3):
        serve(n, n.volunteer, 5, day=day, organization_id=n.org.id)
        serve(n, n.chen, 5, day=day)
    serve(n, n.other_volunteer, 5, day=1)
    zhou = [serve(n, n.zhou, 4, day=day) for day in range(3)]
    n.zhou_late_rating = serve(n, n.zhou, 4, day=4)
    ratings.remove_rating(n.secretary, zhou[0].id, "重复评价", now=local(2026, 12, 20))
    return n


def test_the_selection_walks_from_snapshot_to_verified_certificate(
        year_of_service, client, token_for):
    n = year_of_service

    selection = honours.open_selection(n.secretary, n.community.id, year=2026,
                                       now=local(2026, 12, 15))
    assert selection.cutoff_on == date(2026, 12, 31)
    assert selection.settings()["min_completions"] == 3
    with pytest.raises(ConflictError) as again:
        honours.open_selection(n.secretary, n.community.id, year=2026, now=local(2026, 12, 15))
    assert again.value.code == "selection_exists"
    with pytest.raises(ConflictError) as early:
        honours.freeze_selection(n.secretary, selection.id, now=local(2026, 12, 31, 20))
    assert early.value.code == "cutoff_not_reached"

    # A correction after the cut-off but before the freeze is not in the snapshot either.
    ratings.remove_rating(n.secretary, n.zhou_late_rating.id, "评价有误",
                          now=local(2027, 1, 1))
    honours.freeze_selection(n.secretary, selection.id, now=local(2027, 1, 2))
    snapshot = {s.name: s for s in db.session.scalars(sa.select(SelectionStanding).where(
        SelectionStanding.selection_id == selection.id))}
    li, zhou = snapshot["李建国"], snapshot["周德华"]
    assert (li.completions, li.ratings, li.stars, float(li.hours)) == (3, 3, 15, 6.0)
    assert li.points == 3 * (5 + 20 + 2 * 5 + 5 * 2)  # claim, completion, hours, stars
    # 周德华: 4 services; the rating removed on 20 December is out, the one removed on
    # 1 January (after the cut-off) still counts.
    assert (zhou.completions, zhou.ratings, zhou.stars) == (4, 3, 12)
    assert snapshot["省种子站党支部"].division is HonourDivision.ORGANIZATION
    assert snapshot["省种子站党支部"].completions == 3

    view = honours.selection_view(n.secretary, selection.id, now=local(2027, 1, 2))
    proposed = {d: [x.name for x in view.listed(d)] for d in HonourDivision}
    assert proposed == {HonourDivision.PARTY_MEMBER: ["李建国", "陈志强"],  # 王晓梅: once
                        HonourDivision.ELDER: ["周德华"],
                        HonourDivision.ORGANIZATION: ["省种子站党支部"]}

    # A correction after the freeze leaves the snapshot as it was.
    li_rating = db.session.scalar(sa.select(Rating).join(Wish, Wish.id == Rating.wish_id)
                                  .where(Wish.claimant_id == n.volunteer.id).limit(1))
    ratings.remove_rating(n.secretary, li_rating.id, "更正", now=local(2027, 1, 3))
    db.session.expire_all()
    assert db.session.get(SelectionStanding, li.id).stars == 15

    # Adjust, with a reason for each change.
    wang = honours.add_nominee(n.secretary, selection.id, user_id=n.other_volunteer.id,
                               reason="全年坚持为独居老人送药", now=local(2027, 1, 3))
    assert (wang.source, wang.added_reason) == (NomineeSource.SECRETARY, "全年坚持为独居老人送药")
    chen = next(x for x in view.nominees if x.name == "陈志强")
    honours.remove_nominee(n.secretary, selection.id, chen.id, reason="本人申请不参评",
                           now=local(2027, 1, 3))
    db.session.refresh(chen)
    assert (chen.status, chen.removed_reason) == (NomineeStatus.REMOVED, "本人申请不参评")
    with pytest.raises(ValidationFailedError):  # not a party member or an elder
        honours.add_nominee(n.secretary, selection.id, user_id=n.served.id, reason="试试",
                            now=local(2027, 1, 3))
    without = client.post(f"/api/v1/selections/{selection.id}/nominees",
                          json={"user_id": n.chen.id}, headers=token_for(n.secretary))
    assert without.status_code == 400
    assert without.get_json()["error"]["fields"]["reason"]

    # 公示: seven whole days from 4 January, 10 o'clock.
    honours.start_publicity(n.secretary, selection.id, now=local(2027, 1, 4))
    db.session.refresh(selection)
    assert selection.publicity_ends_at == local(2027, 1, 11, 10)
    assert honours.read_selection(None, selection.id).state is SelectionState.PUBLICITY
    zhou_nominee = next(x for x in view.nominees if x.name == "周德华")
    dismissed = honours.raise_objection(n.neighbour, selection.id, nominee_id=zhou_nominee.id,
                                        reason="他去年就已经评过了", now=local(2027, 1, 5))
    with pytest.raises(ConflictError) as twice:
        honours.raise_objection(n.neighbour, selection.id, nominee_id=zhou_nominee.id,
                                reason="再说一遍他去年评过了", now=local(2027, 1, 5))
    assert twice.value.code == "objection_pending"
    upheld = honours.raise_objection(n.far_resident, selection.id, nominee_id=wang.id,
                                     reason="她的送药服务没有记录", now=local(2027, 1, 6))
    assert inbox(n.secretary, "objection_raised")

    with pytest.raises(ConflictError) as running:
        honours.publish_selection(n.secretary, selection.id, now=local(2027, 1, 10, 23))
    assert running.value.code == "publicity_not_over"
    with pytest.raises(ConflictError) as running:  # 9 o'clock: not seven whole days yet
        honours.publish_selection(n.secretary, selection.id, now=local(2027, 1, 11, 9))
    assert running.value.code == "publicity_not_over"
    with pytest.raises(ConflictError) as waiting:
        honours.publish_selection(n.secretary, selection.id, now=local(2027, 1, 11, 11))
    assert waiting.value.code == "objections_open"
    with pytest.raises(ConflictError):  # the 公示 is over: no more objections
        honours.raise_objection(n.served, selection.id, nominee_id=zhou_nominee.id,
                                reason="公示结束后才看到", now=local(2027, 1, 11, 11))

    honours.answer_objection(n.secretary, dismissed.id, upheld=False,
                             answer="经核实，周德华今年是首次参评", now=local(2027, 1, 11, 12))
    honours.answer_objection(n.secretary, upheld.id, upheld=True,
                             answer="经核实，送药服务没有登记，撤销提名", now=local(2027, 1, 11, 12))
    db.session.refresh(wang)
    assert wang.status is NomineeStatus.WITHDRAWN
    assert "异议不成立" in inbox(n.neighbour, "objection_answered")[0]
    assert "异议成立" in inbox(n.far_resident, "objection_answered")[0]
    assert inbox(n.other_volunteer, "nomination_withdrawn")

    # The public reads the answered objections, never who raised them.
    public = client.get(f"/api/v1/selections/{selection.id}").get_json()
    assert {o["objector"] for o in public["objections"]} == {None}
    assert {o["status"] for o in public["objections"]} == {"upheld", "dismissed"}
    assert "陈志强" not in {x["name"] for x in public["nominees"]}  # removed: staff only
    page = client.get(f"/selections/{selection.id}").get_data(as_text=True)
    assert "经核实，周德华今年是首次参评" in page and "赵大妈" not in page

    honours.publish_selection(n.secretary, selection.id, now=local(2027, 1, 12))
    certificates = {c.name: c for c in db.session.scalars(sa.select(Certificate))}
    assert set(certificates) == {"李建国", "周德华", "省种子站党支部"}
    assert inbox(n.volunteer, "honour_awarded")
    li_code = certificates["李建国"].code
    assert len(li_code) == 12 and li_code.isupper()

    answer = client.get(f"/api/v1/certificates/{li_code}")
    assert answer.status_code == 200
    assert {k: answer.get_json()[k] for k in ("name", "honour", "year", "status")} == {
        "name": "李建国", "honour": "优秀报到党员", "year": 2026, "status": "valid"}
    assert answer.get_json()["community"]["name"] == "玉林北路社区"
    verify_page = client.get(f"/verify/{li_code}").get_data(as_text=True)
    assert "真实有效" in verify_page and "李建国" in verify_page

    # A withdrawn honour verifies as withdrawn, with its date and not its reason.
    zhou_code = certificates["周德华"].code
    honours.withdraw_certificate(n.secretary, zhou_code, reason="本人有违纪行为",
                                 now=local(2027, 3, 1))
    withdrawn = client.get(f"/api/v1/certificates/{zhou_code}").get_json()
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawn_at"].startswith("2027-03-01")
    assert withdrawn["withdrawn_reason"] is None
    page = client.get(f"/verify/{zhou_code}").get_data(as_text=True)
    assert "已撤销" in page and "3月1日" in page and "违纪" not in page
    assert "本人有违纪行为" in inbox(n.zhou, "honour_withdrawn")[0]

    # Made-up codes: 404, whatever their shape.
    assert client.get("/api/v1/certificates/ABCDEFGHJKMN").status_code == 404
    assert client.get("/api/v1/certificates/not-a-code").status_code == 404
    assert client.get("/verify/ABCDEFGHJKMN").status_code == 404

    assert actions_of(selection) == [
        "selection_opened", "selection_frozen", "nominee_added", "nominee_removed",
        "publicity_started", "objection_raised", "objection_raised", "objection_answered",
        "objection_answered", "selection_published"]
    certificate_actions = set(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "certificate")))
    assert certificate_actions == {"certificate_issued", "certificate_withdrawn"}


def test_an_admin_ends_a_publicity_early_with_a_reason(year_of_service):
    n = year_of_service
    selection = honours.open_selection(n.secretary, n.community.id, year=2026,
                                       cutoff=date(2026, 12, 20), now=local(2026, 12, 1))
    honours.freeze_selection(n.secretary, selection.id, now=local(2026, 12, 21))
    honours.start_publicity(n.secretary, selection.id, days=7, now=local(2026, 12, 22))
    with pytest.raises(ForbiddenError):  # not the secretary's call
        honours.end_publicity_early(n.secretary, selection.id, reason="名单有误",
                                    now=local(2026, 12, 23))
    honours.end_publicity_early(n.admin, selection.id, reason="名单有误，需要重新公示",
                                now=local(2026, 12, 23))
    db.session.refresh(selection)
    assert selection.publicity_ends_at == local(2026, 12, 23)
    assert selection.ended_early_reason == "名单有误，需要重新公示"
    assert inbox(n.secretary, "publicity_ended_early")
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "publicity_ended_early"))
    assert entry.actor_id == n.admin.id and entry.after["reason"] == "名单有误，需要重新公示"
    # A correction round, then a new 公示.
    honours.reopen_selection(n.secretary, selection.id, reason="更正名单",
                             now=local(2026, 12, 23, 11))
    honours.start_publicity(n.secretary, selection.id, days=5, now=local(2026, 12, 24))
    db.session.refresh(selection)
    assert selection.publicity_round == 2 and selection.ended_early_at is None
    # The reason stays public after the new 公示 starts.
    view = honours.selection_view(None, selection.id, now=local(2026, 12, 24))
    assert [(d.kind, d.reason) for d in view.decisions] == [
        ("ended_early", "名单有误，需要重新公示")]


def test_another_communitys_secretary_is_refused(year_of_service, client, token_for):
    n = year_of_service
    with pytest.raises(ForbiddenError):
        honours.open_selection(n.far_secretary, n.community.id, year=2026,
                               now=local(2026, 12, 1))
    selection = honours.open_selection(n.secretary, n.community.id, year=2026,
                                       now=local(2026, 12, 1))
    with pytest.raises(ForbiddenError):
        honours.freeze_selection(n.far_secretary, selection.id, now=local(2027, 1, 2))
    headers = token_for(n.far_secretary)
    assert client.post(f"/api/v1/selections/{selection.id}/freeze",
                       headers=headers).status_code == 403
    assert client.post(f"/api/v1/communities/{n.community.id}/selections",
                       json={"year": 2025}, headers=headers).status_code == 403
    # Before its 公示 a selection is the staff's: others do not learn it exists.
    assert client.get(f"/api/v1/selections/{selection.id}", headers=headers).status_code == 404
    with pytest.raises(NotFoundError):
        honours.read_selection(n.neighbour, selection.id)


def test_a_volunteer_who_hides_their_name_is_not_put_on_a_public_list(year_of_service):
    n = year_of_service
    n.chen.show_on_boards = False
    db.session.commit()
    selection = honours.open_selection(n.secretary, n.community.id, year=2026,
                                       now=local(2026, 12, 1))
    honours.freeze_selection(n.secretary, selection.id, now=local(2027, 1, 1))
    view = honours.selection_view(n.secretary, selection.id)
    assert [x.name for x in view.listed(HonourDivision.PARTY_MEMBER)] == ["李建国"]
    with pytest.raises(ConflictError) as refused:
        honours.add_nominee(n.secretary, selection.id, user_id=n.chen.id, reason="表现突出",
                            now=local(2027, 1, 1))
    assert refused.value.code == "name_not_public"


def test_codes_are_long_random_and_unambiguous():
    codes = {honours.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 12 and not set(c) & set("01OIL") for c in codes)
    code = next(iter(codes))
    spaced = "-".join(code[i:i + 4] for i in (0, 4, 8)).lower()
    assert honours.normalise_code(spaced) == code
    assert honours.normalise_code("0" * 12) is None


# The holes a review of the selection found, each closed -----------------------------------

def opened_and_frozen(n, **settings):
    """The 2026 selection, opened in time (15 December) and frozen on 2 January."""
    selection = honours.open_selection(n.secretary, n.community.id, year=2026,
                                       now=local(2026, 12, 15), **settings)
    honours.freeze_selection(n.secretary, selection.id, now=local(2027, 1, 2))
    return selection


def nominee_named(selection, name):
    return db.session.scalar(sa.select(Nominee).where(Nominee.selection_id == selection.id,
                                                      Nominee.name == name))


def test_a_secretary_cannot_run_a_one_minute_publicity_and_publish_at_once(year_of_service):
    """A one-day 公示 started at 23:59 used to end at midnight, a minute later, and the
    secretary published: ending a 公示 early is an admin's call. Now it runs at least five
    whole days of 24 hours from its start."""
    n = year_of_service
    selection = opened_and_frozen(n)
    late_evening = local(2027, 1, 5, 23) + timedelta(minutes=59)
    with pytest.raises(ValidationFailedError) as short:
        honours.start_publicity(n.secretary, selection.id, days=1, now=late_evening)
    assert "公示至少5天" in short.value.fields["days"][0]
    honours.start_publicity(n.secretary, selection.id, days=5, now=late_evening)
    db.session.refresh(selection)
    assert selection.publicity_ends_at == late_evening + timedelta(days=5)
    for moment in (late_evening + timedelta(minutes=1),
                   late_evening + timedelta(days=5, minutes=-1)):
        with pytest.raises(ConflictError) as early:
            honours.publish_selection(n.secretary, selection.id, now=moment)
        assert early.value.code == "publicity_not_over"
    honours.publish_selection(n.secretary, selection.id, now=late_evening + timedelta(days=5))


def test_only_an_admin_runs_a_shorter_publicity_and_its_reason_is_public(year_of_service):
    n = year_of_service
    selection = opened_and_frozen(n)
    start = local(2027, 1, 5, 23)
    with pytest.raises(ValidationFailedError) as unexplained:
        honours.start_publicity(n.admin, selection.id, days=2, now=start)
    assert unexplained.value.fields["reason"]
    honours.start_publicity(n.admin, selection.id, days=2, reason="区里表彰大会提前到1月8日",
                            now=start)
    db.session.refresh(selection)
    assert selection.publicity_ends_at == start + timedelta(days=2)
    view = selection_page(None, selection.id, now=start)
    assert [(d.kind, d.reason) for d in view.decisions] == [
        ("short_publicity", "区里表彰大会提前到1月8日")]
    assert view.publicity_words() == "1月5日（周二）晚上11点至1月7日（周四）晚上11点"
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "publicity_started"))
    assert entry.actor_id == n.admin.id and entry.after["reason"] == "区里表彰大会提前到1月8日"


def test_once_shown_a_nominee_leaves_the_list_only_in_a_correction_round_and_publicly(
        year_of_service, client):
    """Someone removed during (or after) the 公示 used to vanish from the public page: the
    published list could differ quietly from the one shown."""
    n = year_of_service
    selection = opened_and_frozen(n)
    chen, zhou = nominee_named(selection, "陈志强"), nominee_named(selection, "周德华")
    # Before any 公示: removed without a public trace (the reason may be private).
    honours.remove_nominee(n.secretary, selection.id, zhou.id, reason="本人申请不参评",
                           now=local(2027, 1, 3))
    honours.start_publicity(n.secretary, selection.id, now=local(2027, 1, 4))
    with pytest.raises(ConflictError) as running:
        honours.remove_nominee(n.secretary, selection.id, chen.id, reason="家里有事不参评",
                               now=local(2027, 1, 5))
    assert running.value.code == "selection_in_publicity"
    # After it: back to the list with a reason, the change, and a new 公示.
    honours.reopen_selection(n.secretary, selection.id, reason="名单需要更正",
                             now=local(2027, 1, 12))
    honours.remove_nominee(n.secretary, selection.id, chen.id, reason="家里有事不参评",
                           now=local(2027, 1, 12))
    with pytest.raises(ConflictError):  # no results without a new 公示
        honours.publish_selection(n.secretary, selection.id, now=local(2027, 1, 12))
    honours.start_publicity(n.secretary, selection.id, now=local(2027, 1, 13))

    public = client.get(f"/api/v1/selections/{selection.id}").get_json()
    left = {x["name"]: x for x in public["nominees"] if x["status"] == "removed"}
    assert set(left) == {"陈志强"}  # 周德华 was never on a list the public saw
    assert (left["陈志强"]["status_label"], left["陈志强"]["removed_reason"]) == (
        "社区移出名单", None)
    assert left["陈志强"]["left_at"].startswith("2027-01-12")
    page = client.get(f"/selections/{selection.id}").get_data(as_text=True)
    assert "社区移出名单" in page and "陈志强" in page and "1月12日" in page
    assert "家里有事" not in page and "周德华" not in page and "名单需要更正" not in page
    assert "这是第2次公示" in page


def test_objections_of_fresh_unverified_accounts_are_answered_but_do_not_hold_the_results(
        year_of_service, make_user):
    """Fresh, unverified accounts from anywhere each raised up to ten objections, each
    holding the results until answered."""
    n = year_of_service
    selection = opened_and_frozen(n)
    honours.start_publicity(n.secretary, selection.id, now=local(2027, 1, 4))
    li, chen = nominee_named(selection, "李建国"), nominee_named(selection, "陈志强")
    strangers = [make_user("resident", n.elsewhere, name=f"路人{i}", verified=False,
                           created_at=local(2027, 1, 4)) for i in range(3)]
    for i, stranger in enumerate(strangers):
        for nominee in (li, chen):
            honours.raise_objection(stranger, selection.id, nominee_id=nominee.id,
                                    reason=f"我反对{nominee.name}（{i}）", now=local(2027, 1, 5))
    with pytest.raises(ConflictError) as flood:
        honours.raise_objection(strangers[0], selection.id,
                                nominee_id=nominee_named(selection, "周德华").id,
                                reason="再反对一个人", now=local(2027, 1, 5))
    assert flood.value.code == "too_many_objections" and "最多提出2条" in flood.value.message
    # Someone the secretary knows: theirs holds the results until it is answered.
    known = honours.raise_objection(n.neighbour, selection.id, nominee_id=chen.id,
                                    reason="他的服务时长登记有误", now=local(2027, 1, 6))

    staff = selection_page(n.secretary, selection.id, now=local(2027, 1, 12))
    assert (staff.open_objections, staff.unverified_open) == (1, 6)
    assert staff.blocking == {known.id} and staff.current_step() == 5
    assert honours.selection_view(None, selection.id).unverified_open == 0  # staff only
    with pytest.raises(ConflictError) as waiting:
        honours.publish_selection(n.secretary, selection.id, now=local(2027, 1, 12))
    assert waiting.value.code == "objections_open"
    # One answer to the three about 李建国; each objector is told.
    answered = honours.answer_objections(n.secretary, selection.id, li.id, upheld=False,
                                         answer="经核实，服务记录齐全", now=local(2027, 1, 12))
    assert len(answered) == 3 and {o.answer for o in answered} == {"经核实，服务记录齐全"}
    assert all(inbox(s, "objection_answered") for s in strangers)
    with pytest.raises(ConflictError) as again:
        honours.answer_objections(n.secretary, selection.id, li.id, upheld=True,
                                  answer="改主意", now=local(2027, 1, 12))
    assert again.value.code == "objection_answered"
    honours.answer_objection(n.secretary, known.id, upheld=False, answer="经核实时长无误",
                             now=local(2027, 1, 12))
    # The strangers' objections to 陈志强 still wait: they do not hold the results.
    honours.publish_selection(n.secretary, selection.id, now=local(2027, 1, 12, 11))
    assert honours.selection_view(n.secretary, selection.id).unverified_open == 3


def test_a_selection_is_opened_and_its_rules_set_before_its_cut_off_day_ends(
        year_of_service):
    """Opened on 2 January with a 30 June cut-off, the rules were chosen knowing the
    year's results."""
    n = year_of_service
    with pytest.raises(ValidationFailedError) as late:
        honours.open_selection(n.secretary, n.community.id, year=2026,
                               cutoff=date(2026, 6, 30), quota_party_members=1,
                               now=local(2027, 1, 2))
    assert "截止日已过" in late.value.fields["cutoff"][0]
    # On the cut-off day itself, still in time; the rules may change until it ends.
    selection = honours.open_selection(n.secretary, n.community.id, year=2026,
                                       cutoff=date(2026, 12, 20), now=local(2026, 12, 20, 23))
    assert selection.created_at == local(2026, 12, 20, 23)
    with pytest.raises(ConflictError) as fixed:
        honours.update_settings(n.secretary, selection.id, quota_party_members=1,
                                now=local(2026, 12, 21))
    assert fixed.value.code == "cutoff_passed"
    with pytest.raises(ValidationFailedError):
        honours.update_settings(n.admin, selection.id, quota_party_members=1,
                                now=local(2026, 12, 21))
    honours.update_settings(n.admin, selection.id, quota_party_members=1,
                            reason="街道统一名额", now=local(2026, 12, 21))
    # An admin may open a selection late, saying why.
    with pytest.raises(ValidationFailedError) as unexplained:
        honours.open_selection(n.admin, n.community.id, year=2025, now=local(2026, 12, 21))
    assert unexplained.value.fields["reason"]
    earlier = honours.open_selection(n.admin, n.community.id, year=2025,
                                     reason="2025年度漏评，经街道同意补评",
                                     now=local(2026, 12, 21))
    assert [(d.kind, d.reason) for d in honours.selection_view(
        n.admin, earlier.id).decisions] == [("opened_late", "2025年度漏评，经街道同意补评")]
    assert [(d.kind, d.reason) for d in honours.selection_view(
        n.admin, selection.id).decisions] == [("settings_changed_late", "街道统一名额")]


def test_claims_given_back_after_the_cut_off_earn_nothing_in_the_snapshot(year_of_service):
    """Each claim books its points at once; claiming many wishes just before the cut-off
    and giving them back after it (the reversal dated after) inflated the standing."""
    n = year_of_service
    grabbed = [make_wish(n.secretary, title=f"抢{i}", now=local(2026, 12, 30))
               for i in range(8)]
    for wish in grabbed:
        wishes.claim_wish(n.chen, wish.id, accept_letter=True, now=local(2026, 12, 31, 20))
    live, overdue = (make_wish(n.secretary, title=t, now=local(2026, 12, 30))
                     for t in ("还在做", "已超期"))
    wishes.claim_wish(n.chen, live.id, accept_letter=True, due_at=local(2027, 1, 10),
                      now=local(2026, 12, 31, 20))
    wishes.claim_wish(n.chen, overdue.id, accept_letter=True, due_at=local(2027, 1, 1, 12),
                      now=local(2026, 12, 31, 20))
    for wish in grabbed:
        wishes.release_claim(n.chen, wish.id, "没空", now=local(2027, 1, 1, 9))
    selection = opened_and_frozen(n, quota_party_members=1)
    standing = {s.name: s for s in db.session.scalars(sa.select(SelectionStanding).where(
        SelectionStanding.selection_id == selection.id))}
    li, chen = standing["李建国"], standing["陈志强"]
    # 陈志强: his three completed claims and the live one; not the eight given back after
    # the cut-off, nor the one overdue at the freeze.
    assert (chen.claims, chen.completions) == (4, 3)
    assert chen.points == li.points + 5
    view = honours.selection_view(n.secretary, selection.id)
    assert [x.name for x in view.listed(HonourDivision.PARTY_MEMBER)] == ["陈志强"]
    # The snapshot stays one: a release after the freeze changes nothing.
    wishes.release_claim(n.chen, live.id, "没空", now=local(2027, 1, 3))
    db.session.expire_all()
    assert db.session.get(SelectionStanding, chen.id).claims == 4


def test_a_code_typed_full_width_or_with_other_separators_is_found():
    code = "TJ5DR5N6NXCS"
    for typed in ("ＴＪ５Ｄ－Ｒ５Ｎ６－ＮＸＣＳ", "TJ5D—R5N6—NXCS", "tj5d.r5n6.nxcs",
                  "TJ5D\u200bR5N6\u200bNXCS", "TJ5D · R5N6 · NXCS", "验证码：TJ5D-R5N6-NXCS"):
        assert honours.normalise_code(typed) == code, typed
    assert honours.normalise_code("ＴＪ５Ｄ－Ｒ５Ｎ６") is None
    assert honours.normalise_code("Ｏ" * 12) is None  # O is not in the alphabet


def test_a_nominee_who_hides_their_name_is_anonymous_to_the_public_and_the_secretary_told(
        year_of_service, client, token_for):
    n = year_of_service
    selection = opened_and_frozen(n)
    honours.start_publicity(n.secretary, selection.id, now=local(2027, 1, 4))
    accounts.update_preferences(n.chen, show_on_boards=False)
    assert "陈志强选择了不在光荣榜上显示姓名" in inbox(n.secretary, "nominee_name_hidden")[0]

    public = client.get(f"/api/v1/selections/{selection.id}").get_json()
    hidden = [x for x in public["nominees"] if x["name"] == "一位志愿者（未公开姓名）"]
    assert len(hidden) == 1 and hidden[0]["user_id"] is None
    assert hidden[0]["organization_name"] is None and hidden[0]["figures"]["completions"] == 3
    page = client.get(f"/selections/{selection.id}").get_data(as_text=True)
    assert "陈志强" not in page and "一位志愿者（未公开姓名）" in page
    staff = client.get(f"/api/v1/selections/{selection.id}",
                       headers=token_for(n.secretary)).get_json()
    assert "陈志强" in {x["name"] for x in staff["nominees"]}

    honours.end_publicity_early(n.admin, selection.id, reason="区里统一提前表彰",
                                now=local(2027, 1, 5))
    honours.publish_selection(n.secretary, selection.id, now=local(2027, 1, 5, 11))
    code = db.session.scalar(sa.select(Certificate.code).where(
        Certificate.user_id == n.chen.id))
    public = client.get(f"/api/v1/selections/{selection.id}").get_json()
    assert code not in {c["code"] for c in public["certificates"].values()}
    assert client.get(f"/api/v1/certificates/{code}").get_json()["name"] == "陈**"
    verify = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "陈**" in verify and "陈志强" not in verify
    assert client.get(f"/certificates/{code}").headers["Location"].endswith(f"/verify/{code}")
    assert client.get(f"/certificates/{code}/pdf").status_code == 302
    assert client.get(f"/api/v1/certificates/{code}",
                      headers=token_for(n.chen)).get_json()["name"] == "陈志强"


def test_the_migration_keeps_a_selections_record_from_the_audit_log(year_of_service,
                                                                    runner):
    """Who the public saw and the admins' exceptions were read from the audit log; they
    are honours' own now, and the migration that made them fills them from the log."""
    n = year_of_service
    selection = honours.open_selection(n.secretary, n.community.id, year=2026,
                                       cutoff=date(2026, 12, 20), now=local(2026, 12, 20, 23))
    honours.update_settings(n.admin, selection.id, quota_elders=1, reason="街道统一名额",
                            now=local(2026, 12, 21))
    honours.freeze_selection(n.secretary, selection.id, now=local(2026, 12, 21, 11))
    honours.start_publicity(n.admin, selection.id, days=2, reason="表彰大会提前",
                            now=local(2026, 12, 22))
    honours.end_publicity_early(n.admin, selection.id, reason="名单有误",
                                now=local(2026, 12, 23))
    honours.reopen_selection(n.secretary, selection.id, reason="更正名单",
                             now=local(2026, 12, 23, 11))
    removed = nominee_named(selection, "陈志强")
    honours.remove_nominee(n.secretary, selection.id, removed.id, reason="本人不愿参评",
                           now=local(2026, 12, 23, 12))
    honours.start_publicity(n.secretary, selection.id, days=7, now=local(2026, 12, 24))

    selection_id, secretary_id = selection.id, n.secretary.id

    def record():
        secretary = db.session.get(User, secretary_id)
        view = honours.selection_view(secretary, selection_id, now=local(2026, 12, 25))
        return ([(d.kind, d.reason, d.decided_by_id, d.at) for d in view.decisions],
                {x.name: x.shown_at for x in view.nominees},
                [x.name for x in view.left(public=True)])

    decisions, shown, left = record()
    assert [d[:2] for d in decisions] == [
        ("settings_changed_late", "街道统一名额"), ("short_publicity", "表彰大会提前"),
        ("ended_early", "名单有误")]
    assert shown["陈志强"] == local(2026, 12, 22) and left == ["陈志强"]
    db.session.commit()
    db.session.remove()
    assert runner.invoke(args=["db", "downgrade", "0a81b4ec294e"]).exit_code == 0
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert record() == (decisions, shown, left)
