"""Needs (需求征集): residents submit, the secretary records for those without a phone,
declines with a reason, publishes a need as a wish in their own words, or merges it into a
wish still being worked on."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import T0, completed_wish, make_wish

from wishboard.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.needs import services as needs
from wishboard.needs.models import NeedStatus
from wishboard.notifications.models import Notification
from wishboard.wishes import services as wishes
from wishboard.wishes.models import WishEvent
from wishboard.wishes.states import WishState


def inbox(user, kind) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.text).where(
        Notification.user_id == user.id, Notification.kind == kind)))


def submit(resident, title="需要有人帮忙买药"):
    return needs.submit_need(resident, title=title, description="腿脚不便，下不了楼",
                             address="玉林北路3号", now=T0)


def test_a_resident_submits_a_need_and_the_secretary_hears_of_it(neighbourhood):
    n = neighbourhood
    need = submit(n.served)
    assert need.status is NeedStatus.NEW and need.resident_id == n.served.id
    assert need.community_id == n.community.id and not need.on_behalf
    assert (need.contact_name, need.contact_phone) == ("吴秀英", "13812345678")
    [text] = inbox(n.secretary, "need_submitted")
    assert "吴秀英" not in text  # the name is masked in the message
    assert inbox(n.far_secretary, "need_submitted") == []


def test_needs_come_from_the_people_who_live_here_or_their_secretary(neighbourhood,
                                                                     make_user):
    n = neighbourhood
    # A volunteer who lives in the community asks for themselves, like a resident.
    own = submit(n.volunteer)
    assert (own.resident_id, own.community_id, own.on_behalf) == (
        n.volunteer.id, n.community.id, False)
    assert own.by_volunteer and not submit(n.served).by_volunteer
    with pytest.raises(ForbiddenError) as refused:
        submit(make_user("admin"))
    assert refused.value.code == "residents_only"
    with pytest.raises(ValidationFailedError) as nameless:
        needs.submit_need(n.secretary, title="代录", description="老人没有手机", now=T0)
    assert "contact_name" in nameless.value.fields
    recorded = needs.submit_need(n.secretary, title="代录", description="老人没有手机",
                                 contact_name="王大爷", contact_phone="02885550000", now=T0)
    assert recorded.on_behalf and recorded.resident_id is None
    assert recorded.submitted_by_id == n.secretary.id


def test_a_need_is_seen_by_its_resident_and_this_communitys_staff_only(neighbourhood):
    n = neighbourhood
    need = submit(n.served)
    assert needs.need_for(n.served, need.id).id == need.id
    assert needs.need_for(n.secretary, need.id).id == need.id
    for outsider in (n.neighbour, n.volunteer, n.far_secretary):
        with pytest.raises(NotFoundError):
            needs.need_for(outsider, need.id)


def test_rejecting_keeps_the_reason_tells_the_resident_and_is_final(neighbourhood):
    n = neighbourhood
    need = submit(n.served)
    with pytest.raises(ForbiddenError):
        needs.reject_need(n.far_secretary, need.id, "不是本社区", now=T0)
    needs.reject_need(n.secretary, need.id, "已有社区医生上门", now=T0 + timedelta(hours=1))
    db.session.refresh(need)
    assert need.status is NeedStatus.REJECTED and need.reject_reason == "已有社区医生上门"
    assert need.decided_by_id == n.secretary.id
    assert any("已有社区医生上门" in text for text in inbox(n.served, "need_rejected"))
    with pytest.raises(ConflictError) as again:
        wishes.publish_need(n.secretary, need.id, title="买药", description="帮忙",
                            now=T0 + timedelta(hours=2))
    assert again.value.code == "need_already_handled"


def test_publishing_a_need_makes_an_open_wish_in_the_secretarys_words(neighbourhood):
    n = neighbourhood
    need = submit(n.served)
    with pytest.raises(ValidationFailedError) as wordless:
        wishes.publish_need(n.secretary, need.id, now=T0)
    assert set(wordless.value.fields) == {"title", "description"}
    wish = wishes.publish_need(n.secretary, need.id, title="帮老人买药", description="每周一次",
                               category_id=n.category_id, now=T0 + timedelta(hours=1))
    assert wish.state is WishState.OPEN and wish.title == "帮老人买药"
    assert wish.public_alias == "吴**"
    assert [b.user_id for b in wish.beneficiaries] == [n.served.id]
    db.session.refresh(need)
    assert need.status is NeedStatus.PUBLISHED and need.wish_id == wish.id
    # The need's own words stay off the public timeline.
    submitted = db.session.scalar(sa.select(WishEvent).where(
        WishEvent.wish_id == wish.id, WishEvent.action == "need_submitted"))
    assert submitted.note == need.title and not submitted.is_public
    assert inbox(n.served, "wish_published")


def test_a_need_merges_into_a_live_wish_and_its_resident_is_served_too(neighbourhood):
    n = neighbourhood
    wish = make_wish(n.secretary, served=n.served, now=T0)
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True, now=T0)
    need = submit(n.neighbour, title="我也需要买药")
    merged = wishes.publish_need(n.secretary, need.id, wish_id=wish.id,
                                 now=T0 + timedelta(hours=1))
    assert merged.id == wish.id and merged.state is WishState.CLAIMED
    db.session.refresh(need)
    assert need.status is NeedStatus.MERGED and need.wish_id == wish.id
    db.session.refresh(wish)
    assert {b.user_id for b in wish.beneficiaries} == {n.served.id, n.neighbour.id}


def test_a_need_does_not_merge_into_a_finished_wish_nor_another_communitys(neighbourhood):
    n = neighbourhood
    done = completed_wish(n.secretary, n.volunteer, now=T0)
    need = submit(n.neighbour)
    with pytest.raises(ConflictError) as refused:
        wishes.publish_need(n.secretary, need.id, wish_id=done.id, now=T0)
    assert refused.value.code == "wish_not_mergeable"
    far_wish = make_wish(n.far_secretary, now=T0)
    with pytest.raises(ValidationFailedError) as elsewhere:
        wishes.publish_need(n.secretary, need.id, wish_id=far_wish.id, now=T0)
    assert "wish_id" in elsewhere.value.fields
    db.session.refresh(need)
    assert need.status is NeedStatus.NEW and need.wish_id is None


def test_a_recorded_need_is_a_known_volunteers_when_it_names_their_number(neighbourhood,
                                                                           make_user):
    """代录: a volunteer who lives here, whose 报到 the secretary approved, is known to the
    community like a verified resident; one still waiting is not."""
    n = neighbourhood
    known = make_user("volunteer", n.community, name="孙建华", phone="13900001111")
    waiting = make_user("volunteer", n.community, name="孙新来", phone="13900002222",
                        report_status="pending")
    theirs = needs.submit_need(n.secretary, title="代录", description="电话里说的",
                               contact_name="孙建华", contact_phone="13900001111", now=T0)
    assert theirs.on_behalf and theirs.resident_id == known.id and theirs.by_volunteer
    nobodys = needs.submit_need(n.secretary, title="代录", description="电话里说的",
                                contact_name="孙新来", contact_phone="13900002222", now=T0)
    assert nobodys.resident_id is None and waiting.id != nobodys.submitted_by_id


GRANNY = "13911112222"


def test_a_recorded_need_never_goes_to_an_account_signed_up_with_the_persons_number(
        make_place, make_user):
    """Security review, finding 3: 代录 linked a need to the one approved volunteer with the
    number given, and where the community approves 报到 automatically anyone who signed up
    with an old person's number was one: they took her need and read her address. Only
    neighbours a person knows are linked, by number or by the secretary's choice."""
    from factories import first_category_id

    from wishboard.access import private_details_reason
    from wishboard.accounts import services as accounts

    auto = make_place("自动通过社区", auto_approve_reports=True)
    secretary = make_user("secretary", auto, name="书记")
    stranger = accounts.register_user(username="mallory", password="Zq8!mountain-tea-41",
                                      name="陌生人", phone=GRANNY, role="volunteer",
                                      community_id=auto.id)
    need = needs.submit_need(secretary, title="需要康复护理", description="独居，行动不便",
                             contact_name="吴奶奶", contact_phone=GRANNY,
                             address="玉林北路3号院2栋1单元401", now=T0)
    assert (need.resident_id, need.link) == (None, "no_account")  # the hole: the stranger's
    with pytest.raises(NotFoundError):
        needs.need_for(stranger, need.id)
    wish = wishes.publish_need(secretary, need.id, title="康复护理", description="上门",
                               category_id=first_category_id(), now=T0)
    assert private_details_reason(stranger, wish) is None
    with pytest.raises(ValidationFailedError) as refused:
        needs.submit_need(secretary, title="代录", description="x", contact_name="吴奶奶",
                          user_id=stranger.id, now=T0)
    assert refused.value.code == "not_a_known_neighbour" and "user_id" in refused.value.fields
    accounts.approve_report(secretary, stranger.id, now=T0)  # once a person approves them
    theirs = needs.submit_need(secretary, title="代录", description="x", contact_name="陌生人",
                               contact_phone=GRANNY, now=T0)
    assert (theirs.resident_id, theirs.link) == (stranger.id, "phone")


def test_of_several_known_accounts_with_one_number_the_verified_resident_has_the_need(
        client, make_place, make_user, token_for):
    """The same finding's regression: a verified grandmother and the approved volunteer
    grandchild who set up her phone share a number; the need is hers. Two volunteers and
    no resident: nobody's, and the answer says so; the secretary may name the account
    (``user_id``), a resident posting for themselves may not."""
    auto = make_place("自动通过社区", auto_approve_reports=True)
    secretary = make_user("secretary", auto, name="书记")
    granny = make_user("resident", auto, name="吴奶奶", phone=GRANNY)
    grandchild = make_user("volunteer", auto, name="吴小孙", phone=GRANNY)
    twin = make_user("volunteer", auto, name="吴小弟", phone="13911113333")
    sister = make_user("volunteer", auto, name="吴小妹", phone="13911113333")
    for volunteer in (grandchild, twin, sister):  # their 报到 approved by the secretary
        volunteer.report_reviewed_at, volunteer.report_reviewed_by_id = T0, secretary.id
    db.session.commit()
    hers = needs.submit_need(secretary, title="代录", description="x", contact_name="吴奶奶",
                             contact_phone=GRANNY, now=T0)
    assert (hers.resident_id, hers.link) == (granny.id, "phone")
    answer = client.post("/api/v1/needs", headers=token_for(secretary), json={
        "title": "代录", "description": "电话里说的", "contact_name": "吴小弟",
        "contact_phone": "13911113333"})
    assert answer.status_code == 201, answer.get_json()
    assert (answer.get_json()["resident_id"], answer.get_json()["link"]) == (
        None, "several_accounts")
    chosen = client.post("/api/v1/needs", headers=token_for(secretary), json={
        "title": "代录", "description": "电话里说的", "contact_name": "吴小弟",
        "contact_phone": "13911113333", "user_id": twin.id})
    assert chosen.status_code == 201, chosen.get_json()
    assert (chosen.get_json()["resident_id"], chosen.get_json()["link"]) == (twin.id, "chosen")
    assert client.get(f"/api/v1/needs/{hers.id}", headers=token_for(granny)).status_code == 200
    assert client.get(f"/api/v1/needs/{hers.id}",
                      headers=token_for(grandchild)).status_code == 404
    own = client.post("/api/v1/needs", headers=token_for(granny), json={
        "title": "买药", "description": "x", "user_id": grandchild.id})
    assert own.status_code == 400 and "user_id" in own.get_json()["error"]["fields"]
