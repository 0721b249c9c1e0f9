"""Reaching the right hands, in a real browser on a phone: a volunteer writes down what they
can do and follows their courtyard, the secretary publishes a wish there, sees the volunteer
first among the suggestions and invites them, and the volunteer accepts from 我的. Every
page is shot in both modes, its tap targets measured and checked with axe-core."""

import sqlalchemy as sa

from wishboard.extensions import db
from wishboard.matching.models import Skill
from wishboard.wishes.models import Wish
from wishboard.wishes.states import WishState


def test_a_volunteer_who_follows_a_place_is_invited_and_accepts_from_my_page(
        live_url, phone, shot, community, make_place, make_user):
    courtyard = make_place("芳草院", "courtyard", parent=community)
    make_place("2栋", "building", parent=courtyard)
    secretary = make_user("secretary", community, name="张丽华", username="shuji")
    zhou = make_user("volunteer", community, name="周德华", username="zhou")
    make_user("volunteer", community, name="王晓梅", username="wang")
    escort = db.session.scalar(sa.select(Skill.id).where(Skill.name == "陪伴就医"))

    volunteer = phone(zhou)
    volunteer.click("text=我的特长和服务")
    volunteer.check(f"#skill-{escort}")
    volunteer.fill("#offer", "周末可以陪老人去医院")
    volunteer.check(f"#place-{courtyard.id}")
    shot(volunteer, "01-volunteer-skills-and-follows")
    with volunteer.expect_navigation():
        volunteer.click("button:has-text('保存')")
    assert "陪伴就医" in volunteer.content()

    desk = phone(secretary)
    desk.goto(live_url + "/manage/wishes/new")
    desk.fill("#title", "陪罗爷爷去医院复查")
    desk.fill("#description", "下周三上午去省医院复查，需要有人陪同")
    desk.select_option("#grid_id", label="芳草院")
    desk.fill("#beneficiary_name", "罗德明")
    shot(desk, "02-secretary-publishes")
    with desk.expect_navigation():
        desk.click("button[type=submit]")
    wish = db.session.scalar(sa.select(Wish).where(Wish.title == "陪罗爷爷去医院复查"))
    suggested = desk.locator("#suggestions li strong").all_inner_texts()
    assert suggested[0] == "周德华", suggested  # the skill and the courtyard put him first
    shot(desk, "03-secretary-sees-suggestions")
    with desk.expect_navigation():
        desk.click("button[aria-label='邀请周德华']")
    assert "已邀请" in desk.content()

    volunteer.goto(live_url + "/auth/account")
    invited = volunteer.locator("#invited-heading")
    assert invited.is_visible()  # first on 我的
    shot(volunteer, "04-volunteer-is-asked")
    volunteer.click("text=接受（签责任书认领）")
    volunteer.check("#accept_letter")
    shot(volunteer, "05-volunteer-reads-the-letter")
    with volunteer.expect_navigation():
        volunteer.click("button:has-text('接受（签责任书认领）')")
    assert "认领成功" in volunteer.content()
    shot(volunteer, "06-claimed")

    db.session.expire_all()
    wish = db.session.get(Wish, wish.id)
    assert wish.state is WishState.CLAIMED and wish.claimant_id == zhou.id
