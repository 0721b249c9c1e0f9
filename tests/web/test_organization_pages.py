"""报到党组织 on the pages: 组织报到 from 我的, the secretary's 组织报到审核 beside the
volunteers' 报到审核, a volunteer asking to join, and the contact's page (我的组织) with
members, requests, live claims and its members' service logs waiting for the community's
staff to confirm them (never the contact)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from factories import T0, first_category_id

from wishboard.extensions import db
from wishboard.organizations.models import MembershipRequest
from wishboard.places.models import Organization
from wishboard.projects import services as projects
from wishboard.projects.models import LogStatus, ServiceLog
from wishboard.wishes import services as wishes


def text(response) -> str:
    return response.get_data(as_text=True)


def as_user(app, user):
    client = app.test_client()
    response = client.post("/auth/login", data={"username": user.username,
                                                "password": "correct-horse-9"})
    assert response.status_code == 302
    return client


def visible(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


def test_report_from_my_account_the_secretary_approves_a_volunteer_joins_the_contact_agrees(
        app, neighbourhood):
    n = neighbourhood
    contact = as_user(app, n.other_volunteer)
    account = text(contact.get("/auth/account"))
    assert "/me/organization" in account and "我的组织" in account
    mine = visible(contact.get("/me/organization"))
    assert "为单位的组织报到" in mine and "找一个组织加入" in mine
    form = contact.get("/organizations/report")
    assert form.status_code == 200 and "组织名称" in text(form) and "向哪个社区报到" in text(form)
    missing = contact.post("/organizations/report", data={
        "name": "玉林北路小学党支部", "kind": "government", "community_id": n.community.id})
    assert missing.status_code == 200 and "必填" in text(missing)
    sent = contact.post("/organizations/report", data={
        "name": "玉林北路小学党支部", "unit": "玉林北路小学", "kind": "government",
        "community_id": str(n.community.id), "description": "周末辅导功课"},
        follow_redirects=True)
    page = visible(sent)
    assert "「玉林北路小学党支部」已向社区报到，社区书记审核后会通知您。" in page
    assert "报到状态：待审核" in page and "周末辅导功课" in page
    org = db.session.scalar(sa.select(Organization).where(
        Organization.name == "玉林北路小学党支部"))

    secretary = as_user(app, n.secretary)
    queue = visible(secretary.get("/manage/organizations"))
    assert "玉林北路小学党支部" in queue and "通过报到" in queue and "退回原因" in queue
    assert "组织报到" in visible(secretary.get("/manage/reports"))
    assert "待审核的组织报到： 1 个" in visible(secretary.get("/manage/"))
    approved = secretary.post(f"/manage/organizations/{org.id}/approve", follow_redirects=True)
    assert "已通过「玉林北路小学党支部」的报到" in visible(approved)

    joiner = as_user(app, n.far_volunteer)  # 双报到: a volunteer of 肖家河
    public = visible(joiner.get(f"/organizations/{org.id}"))
    assert "加入这个组织" in public and "等待审核的加入申请" not in public
    asked = joiner.post(f"/organizations/{org.id}/join", data={"note": "在小学任教"},
                        follow_redirects=True)
    assert "申请已提交" in visible(asked) and "您的加入申请正在等待审核" in visible(asked)

    managed = visible(contact.get("/me/organization"))  # one organisation: its page
    assert "等待审核的加入申请（1）" in managed and "钱建军" in managed and "在小学任教" in managed
    assert "138****1234" in managed  # the contact sees members' phones masked
    request = db.session.scalar(sa.select(MembershipRequest))
    agreed = contact.post(f"/membership-requests/{request.id}/approve", follow_redirects=True)
    assert "钱建军已加入组织。" in visible(agreed)
    db.session.expire_all()
    assert n.far_volunteer.organization_id == org.id
    assert "您是这个组织的成员" in visible(joiner.get("/me/organization"))


def test_the_secretary_sees_members_phones_and_the_contact_the_logs_waiting_for_the_community(
        app, neighbourhood):
    """The contact sees the members' logs as waiting for the community's staff, and may not
    confirm them (403); the secretary may."""
    n = neighbourhood
    n.org.contact_user_id = n.volunteer.id
    n.other_volunteer.organization_id = n.org.id
    db.session.commit()
    project = wishes.create_wish(n.secretary, title="转基因知识科普讲座", kind="project",
                                 description="面向全社区", category_id=first_category_id(),
                                 beneficiary_name="全体居民", now=T0)
    wishes.claim_wish(n.volunteer, project.id, accept_letter=True, organization_id=n.org.id,
                      now=T0)
    projects.join_project(n.other_volunteer, project.id, now=T0)
    log = projects.log_service(n.other_volunteer, project.id, served_on=wishes.local_day(T0),
                               hours=2, now=T0)

    contact_client = as_user(app, n.volunteer)
    contact = visible(contact_client.get(f"/organizations/{n.org.id}"))
    assert "转基因知识科普讲座" in contact and "等待社区确认的服务记录（1）" in contact
    assert "王晓梅" in contact and "待确认" in contact and "修改组织信息" in contact
    assert "去确认" not in contact and "联络员和成员不能确认" in contact
    assert "13800001234" not in contact
    confirm = f"/service-logs/{log.id}/confirm"
    assert confirm not in text(contact_client.get(f"/wishes/{project.id}"))
    refused = contact_client.post(confirm)
    assert refused.status_code == 403 and "认领组织的联络员和成员不能确认" in text(refused)
    db.session.expire_all()
    assert db.session.get(ServiceLog, log.id).status is LogStatus.PENDING
    secretary_client = as_user(app, n.secretary)
    assert confirm in text(secretary_client.get(f"/wishes/{project.id}"))
    secretary = visible(secretary_client.get(f"/organizations/{n.org.id}"))
    assert "13800001234" in secretary and "联络员" in secretary
    visitor = visible(app.test_client().get(f"/organizations/{n.org.id}"))
    assert "正能量值" in visitor and "修改组织信息" not in visitor and "王晓梅" not in visitor


def test_the_contact_edits_and_removes_a_member_with_a_reason(app, neighbourhood):
    n = neighbourhood
    n.org.contact_user_id = n.volunteer.id
    n.other_volunteer.organization_id = n.org.id
    db.session.commit()
    contact = as_user(app, n.volunteer)
    saved = contact.post(f"/organizations/{n.org.id}/edit", data={
        "unit": "四川省种子站", "kind": "government", "description": "农业科普"},
        follow_redirects=True)
    assert "组织信息已保存。" in visible(saved) and "农业科普" in visible(saved)
    no_reason = contact.post(f"/organizations/{n.org.id}/members/{n.other_volunteer.id}/remove",
                             data={})
    assert no_reason.status_code == 400 and "必填" in text(no_reason)
    removed = contact.post(f"/organizations/{n.org.id}/members/{n.other_volunteer.id}/remove",
                           data={"reason": "已调离"}, follow_redirects=True)
    assert "已将这位成员移出组织。" in visible(removed)
    db.session.expire_all()
    assert n.other_volunteer.organization_id is None
    stranger = as_user(app, n.far_volunteer)
    assert stranger.post(f"/organizations/{n.org.id}/edit",
                         data={"unit": "x"}).status_code == 403


def test_sign_up_offers_organisations_of_other_communities_and_finds_them_by_name(
        client, neighbourhood, make_org):
    n = neighbourhood
    far_org = make_org(n.elsewhere, "肖家河街道关工委")
    page = text(client.get(f"/auth/register?community_id={n.community.id}"))
    assert '<optgroup label="玉林北路社区（本社区）">' in page and n.org.name in page
    assert "肖家河街道关工委" not in page  # another street: found by searching
    found = client.post(f"/auth/register?community_id={n.community.id}", data={
        "community_id": n.community.id, "role": "volunteer", "name": "周德华",
        "phone": "13880030001", "username": "wulao_zhou", "password": "long-enough-1",
        "org_q": "关工委", "org_search": "1"})
    shown = visible(found)
    assert found.status_code == 200 and 'label="搜索“关工委”的结果"' in text(found)
    assert 'value="周德华"' in text(found) and "注册成功" not in shown
    done = client.post(f"/auth/register?community_id={n.community.id}", data={
        "community_id": n.community.id, "role": "volunteer", "name": "周德华",
        "phone": "13880030001", "username": "wulao_zhou", "password": "long-enough-1",
        "organization_id": str(far_org.id), "org_q": "关工委"}, follow_redirects=True)
    assert "您加入组织的申请已提交" in visible(done)


def test_the_board_links_its_organisations_and_the_pages_answer_for_the_unknown(
        client, neighbourhood):
    n = neighbourhood
    board = text(client.get(f"/communities/{n.community.id}"))
    assert f"/organizations/{n.org.id}" in board
    assert client.get("/organizations/999999").status_code == 404
    assert client.get("/me/organization").status_code == 302


def test_each_sight_of_the_contacts_phones_on_the_management_page_is_audited(
        app, neighbourhood):
    """Security review, finding 9: the organisations page shows each contact's full phone
    to the staff; looking is doing, so each page shown writes whose numbers were on it."""
    from wishboard.audit.models import AuditEntry

    n = neighbourhood
    n.org.contact_user_id = n.volunteer.id
    db.session.commit()
    secretary = as_user(app, n.secretary)
    page = visible(secretary.get("/manage/organizations?status=approved"))
    assert n.org.name in page and n.volunteer.phone in page
    [entry] = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "organization_contacts_viewed")).all()
    assert (entry.actor_id, entry.community_id) == (n.secretary.id, n.community.id)
    assert entry.after == {"user_ids": [n.volunteer.id], "organization_ids": [n.org.id]}
    assert "查看报到党组织联络员电话" in visible(secretary.get("/manage/audit"))
    empty = visible(secretary.get("/manage/organizations?status=pending"))
    assert "没有待审核的组织报到" in empty
    assert len(db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "organization_contacts_viewed")).all()) == 1  # no phone shown
