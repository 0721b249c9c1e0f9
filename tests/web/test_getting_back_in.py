"""An elderly resident who forgot the password gets back in through the secretary, on the
pages, and logs in with the mobile number; an admin at the server resets one too."""

import re

import sqlalchemy as sa

from wishboard.audit.models import AuditEntry
from wishboard.extensions import db

NEW = "Huang-yeye-2026"


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_secretary_gives_a_code_and_the_resident_sets_a_password(app, client, community,
                                                                     make_user, login_as):
    resident = make_user("resident", community, name="黄大爷", phone="13980003333")
    login_as(make_user("secretary", community))
    listed = text(client.get("/manage/residents?verified=true"))
    assert "黄大爷" in listed and "生成重置码" in listed
    assert client.post("/manage/people/99999/password-reset").status_code == 404
    shown = text(client.post(f"/manage/people/{resident.id}/password-reset"))
    code = re.search(r'<p class="code" aria-label="重置码">([0-9]{6})</p>', shown).group(1)
    assert resident.username in shown and "只能用一次" in shown

    visitor = app.test_client()
    assert "忘记密码" in text(visitor.get("/auth/login"))
    page = text(visitor.get("/auth/reset"))
    assert "用户名或手机号" in page and "重置码" in page
    mismatch = visitor.post("/auth/reset", data={"username": "13980003333", "code": code,
                                                 "password": NEW, "password_again": NEW + "1"})
    assert "两次输入的新密码不一样" in text(mismatch)
    wrong = visitor.post("/auth/reset", data={"username": "13980003333",
                                              "code": "999999" if code != "999999" else "111111",
                                              "password": NEW, "password_again": NEW})
    assert "重置码不对或已过期" in text(wrong)
    done = visitor.post("/auth/reset", data={"username": "13980003333", "code": code,
                                             "password": NEW, "password_again": NEW},
                        follow_redirects=True)
    assert f"您的用户名是 {resident.username}" in text(done)
    logged = visitor.post("/auth/login", data={"username": "13980003333", "password": NEW})
    assert logged.status_code == 302


def test_an_admin_at_the_server_sets_a_password(app, runner, community, make_user, client):
    resident = make_user("resident", community, phone="13980004444")
    result = runner.invoke(args=["wishboard", "reset-password", "--username", "13980004444"],
                           input=f"{NEW}\n{NEW}\n")
    assert result.exit_code == 0 and resident.username in result.output
    assert client.post("/auth/login", data={"username": resident.username,
                                            "password": NEW}).status_code == 302
    weak = runner.invoke(args=["wishboard", "reset-password", "--username", resident.username],
                         input="12345678\n12345678\n")
    assert weak.exit_code != 0
    unknown = runner.invoke(args=["wishboard", "reset-password", "--username", "nobody_x"],
                            input=f"{NEW}\n{NEW}\n")
    assert unknown.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "password_changed", AuditEntry.object_id == resident.id)) == 1


def test_a_shared_wish_link_leads_through_log_in_back_to_the_wish(app, community, make_user,
                                                                  make_wish):
    volunteer = make_user("volunteer", community)
    secretary = make_user("secretary", community)
    wish = make_wish(secretary)
    visitor = app.test_client()
    page = text(visitor.get(f"/wishes/{wish.id}"))
    link = re.search(r'href="([^"]+)">登录后认领', page).group(1).replace("&amp;", "&")
    assert link == f"/auth/login?next=/wishes/{wish.id}"
    header = re.search(r'href="(/auth/login[^"]*)">登录</a>', page).group(1)
    assert header == f"/auth/login?next=/wishes/{wish.id}"
    back = visitor.post(link, data={"username": volunteer.username,
                                    "password": "correct-horse-9"})
    assert back.status_code == 302 and back.headers["Location"] == f"/wishes/{wish.id}"
    assert "认领这个心愿" in text(visitor.get(f"/wishes/{wish.id}"))
    # Somewhere else is not "back".
    outside = app.test_client().post("/auth/login?next=https://evil.example/",
                                     data={"username": volunteer.username,
                                           "password": "correct-horse-9"})
    assert outside.headers["Location"] == "/auth/account"


def test_a_served_wish_invites_the_resident_to_log_in_and_rate(app, community, make_user,
                                                               completed_wish):
    wish = completed_wish(make_user("secretary", community), make_user("volunteer", community))
    page = text(app.test_client().get(f"/wishes/{wish.id}"))
    assert f'href="/auth/login?next=/wishes/{wish.id}">登录后评价' in page


def test_after_rating_the_page_says_so_instead_of_the_form(client, neighbourhood, login_as):
    from factories import completed_wish

    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, served=n.served)
    login_as(n.served)
    before = text(client.get(f"/wishes/{wish.id}"))
    assert f'action="/wishes/{wish.id}/rate"' in before and "您已评价" not in before
    after = text(client.post(f"/wishes/{wish.id}/rate", data={"stars": "4", "comment": "很耐心"},
                             follow_redirects=True))
    assert "您已评价" in after and "4星：很耐心" in after
    assert f'action="/wishes/{wish.id}/rate"' not in after


def test_a_resident_whose_need_the_secretary_recorded_finds_and_rates_it(
        client, neighbourhood, login_as):
    from wishboard.needs import services as needs
    from wishboard.wishes import services as wishes

    n = neighbourhood  # n.served: 吴秀英, 13812345678
    need = needs.submit_need(n.secretary, title="帮忙换灯泡", description="楼道灯坏了",
                             contact_name="吴秀英", contact_phone="13812345678",
                             address="玉林北路3号")
    wish = wishes.publish_need(n.secretary, need.id, title="帮独居老人换灯泡",
                               description="楼道灯坏了，需要梯子", category_id=n.category_id)
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True)
    login_as(n.served)
    mine = text(client.get("/needs/mine"))
    assert "帮忙换灯泡" in mine and "去评价" not in mine
    own = text(client.get(f"/wishes/{wish.id}"))
    assert "13812345678" in own and "玉林北路3号" in own  # their own details, unmasked
    wishes.complete_wish(n.volunteer, wish.id, hours=1)
    mine = text(client.get("/needs/mine"))
    assert "帮独居老人换灯泡 · 去评价" in mine
    client.post(f"/wishes/{wish.id}/rate", data={"stars": "5"})
    assert "去评价" not in text(client.get("/needs/mine"))
    # Only a resident the secretary has verified is matched: anyone can sign up with an old
    # person's number, and must not read their address or rate in their name.
    from wishboard.accounts.models import User
    stranger = User(username="not_wu", name="冒名", phone="13800009999", role=n.served.role,
                    community_id=n.community.id, password_hash=n.served.password_hash)
    db.session.add(stranger)
    db.session.commit()
    unverified = needs.submit_need(n.secretary, title="再换一个灯泡", description="又坏了",
                                   contact_name="钱大爷", contact_phone="13800009999")
    assert unverified.resident_id is None
    stranger.verified_at, stranger.phone = n.served.verified_at, "13812345678"
    db.session.commit()  # two verified residents share the number: it names no one
    shared = needs.submit_need(n.secretary, title="修水管", description="漏水",
                               contact_name="吴秀英", contact_phone="13812345678")
    assert shared.resident_id is None


def test_places_named_alike_are_told_apart_by_their_path(client, community, make_place,
                                                         make_user, login_as):
    from wishboard.needs import services as needs

    for area in ("一片区", "二片区"):
        yard = make_place(f"{area[0]}号院落", "courtyard",
                          parent=make_place(area, "area", parent=community))
        building = make_place("1栋", "building", parent=yard)
    board = text(client.get(f"/communities/{community.id}"))
    assert "一片区 › 一号院落 › 1栋" in board and "二片区 › 二号院落 › 1栋" in board
    resident = make_user("resident", community)
    needs.submit_need(resident, title="修门锁", description="锁坏了", grid_id=building.id)
    login_as(make_user("secretary", community))
    assert "<dd>二片区 › 二号院落 › 1栋</dd>" in text(client.get("/manage/needs"))


def test_my_page_starts_with_what_to_do_next(client, neighbourhood, login_as, app):
    from factories import make_wish

    from wishboard.wishes import services as wishes

    n = neighbourhood
    idle = text(login_as(n.other_volunteer).get("/auth/account"))
    assert f'href="/communities/{n.community.id}">去找一个心愿认领' in idle
    claimed = make_wish(n.secretary, served=n.served, title="帮忙买降压药")
    wishes.claim_wish(n.volunteer, claimed.id, accept_letter=True)
    busy = app.test_client()
    busy.post("/auth/login", data={"username": n.volunteer.username,
                                   "password": "correct-horse-9"})
    page = text(busy.get("/auth/account"))
    assert "帮忙买降压药 · " in page and "前完成" in page and "去找一个心愿认领" not in page
    wishes.complete_wish(n.volunteer, claimed.id, hours=1)
    served = app.test_client()
    served.post("/auth/login", data={"username": n.served.username,
                                     "password": "correct-horse-9"})
    page = text(served.get("/auth/account"))
    assert "帮忙买降压药 · 去评价" in page and "新消息" in page
