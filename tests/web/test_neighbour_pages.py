"""A volunteer who lives in the community, on the pages: 我的 and the board offer 提需求,
the need form takes their need (the secretary's queue says whose it is), the wish page
offers them the rate form for a neighbour's service and not for their own, and a message
about their need opens 我的心愿."""

from __future__ import annotations

import re

import sqlalchemy as sa
from factories import completed_wish

from wishboard.extensions import db
from wishboard.needs import services as needs
from wishboard.needs.models import Need
from wishboard.notifications.models import Notification
from wishboard.points import services as points
from wishboard.ratings.models import Rating


def text(response) -> str:
    return response.get_data(as_text=True)


def browser(app, user):
    client = app.test_client()
    response = client.post("/auth/login", data={"username": user.username,
                                                "password": "correct-horse-9"})
    assert response.status_code == 302
    return client


def test_a_volunteer_posts_a_need_from_my_page_and_the_secretary_sees_whose(
        app, neighbourhood):
    n = neighbourhood
    volunteer = browser(app, n.other_volunteer)
    account = text(volunteer.get("/auth/account"))
    assert 'href="/needs/new"' in account and "我有困难，提需求" in account
    assert 'href="/needs/mine"' in account
    board = text(volunteer.get(f"/communities/{n.community.id}"))
    assert 'href="/needs/new"' in board
    elsewhere = text(volunteer.get(f"/communities/{n.elsewhere.id}"))
    assert 'href="/needs/new"' not in elsewhere

    assert volunteer.get("/needs/new").status_code == 200
    posted = volunteer.post("/needs/new", data={
        "title": "腰伤了，想请人帮忙取快递", "description": "这周下不了楼", "address": "",
        "contact_phone": ""}, follow_redirects=True)
    assert "您的需求已提交" in text(posted) and "腰伤了，想请人帮忙取快递" in text(posted)
    need = db.session.scalar(sa.select(Need))
    assert need.resident_id == n.other_volunteer.id and not need.on_behalf

    queue = text(browser(app, n.secretary).get("/manage/needs"))
    assert "王晓梅（住在本社区的志愿者）" in queue

    needs.reject_need(n.secretary, need.id, "已由楼栋长帮忙")
    note = db.session.scalar(sa.select(Notification).where(
        Notification.user_id == n.other_volunteer.id, Notification.kind == "need_rejected"))
    opened = volunteer.get(f"/inbox/{note.id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/needs/mine")


def test_the_wish_page_offers_a_neighbour_volunteer_the_rate_form_not_the_claimant(
        app, neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, served=n.served)
    claimant = text(browser(app, n.volunteer).get(f"/wishes/{wish.id}"))
    assert "给这次服务打分" not in claimant
    far = text(browser(app, n.far_volunteer).get(f"/wishes/{wish.id}"))
    assert "给这次服务打分" not in far

    neighbour = browser(app, n.other_volunteer)
    page = text(neighbour.get(f"/wishes/{wish.id}"))
    assert "给这次服务打分" in page
    action = re.search(r'<section class="card" id="rate">.*?<form method="post" action="([^"]+)"',
                       page, re.S).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    before = points.points_of(n.volunteer)
    sent = neighbour.post(action, data={"csrf_token": token, "stars": "5", "comment": "好"},
                          follow_redirects=True)
    assert sent.status_code == 200 and "您已评价" in text(sent)
    rating = db.session.scalar(sa.select(Rating))
    assert (rating.rater_id, rating.stars) == (n.other_volunteer.id, 5)
    assert points.points_of(n.volunteer) == before + 10
    # The public reads the neighbour's name masked, as a resident's.
    public = text(app.test_client().get(f"/wishes/{wish.id}"))
    assert "王**" in public and "王晓梅" not in public
