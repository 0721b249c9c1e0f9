"""切换身份 on the pages: a secretary reports as a volunteer where she lives, switches,
claims there and switches back."""

from factories import make_wish
from wishboard.accounts import services as accounts


def test_a_secretary_reports_elsewhere_switches_and_claims(client, neighbourhood, login_as):
    password = "correct-horse-9"  # every fixture person's (tests/conftest.py)
    n = neighbourhood
    login_as(n.secretary)
    page = client.get("/auth/account").get_data(as_text=True)
    assert "我住在另一个社区，也想在那里做志愿者" in page
    form = client.get("/auth/account/volunteer-elsewhere").get_data(as_text=True)
    assert n.elsewhere.name in form and f'value="{n.community.id}"' not in form

    blank = client.post("/auth/account/volunteer-elsewhere",
                        data={"community_id": "", "volunteer_type": "party_member"})
    assert blank.status_code == 200 and "has-error" in blank.get_data(as_text=True)
    own = client.post("/auth/account/volunteer-elsewhere",
                      data={"community_id": n.community.id, "volunteer_type": "elder"})
    assert "不能是您任书记的社区" in own.get_data(as_text=True)

    done = client.post("/auth/account/volunteer-elsewhere", follow_redirects=True,
                       data={"community_id": n.elsewhere.id, "volunteer_type": "elder"})
    text = done.get_data(as_text=True)
    assert f"已向{n.elsewhere.name}报到，等那里的社区书记审核" in text
    assert f"切换为{n.elsewhere.name}志愿者身份（报到待审核）" in text
    hat = [h for h in accounts.hats.hats_of(n.secretary) if h.id != n.secretary.id][0]
    accounts.approve_report(n.far_secretary, hat.id)

    switched = client.post(f"/auth/account/switch/{hat.id}", follow_redirects=True)
    text = switched.get_data(as_text=True)
    assert f"已切换为{n.elsewhere.name}志愿者身份" in text
    assert f"现在：{n.elsewhere.name}志愿者" in text
    assert "请先切换为社区书记身份" in text and "现在的密码" not in text

    wish = make_wish(n.far_secretary, title="帮忙修水管")
    claim = client.post(f"/wishes/{wish.id}/claim", data={"accept_letter": "true"},
                        follow_redirects=True)
    assert claim.status_code == 200
    assert "已认领" in client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    # The community she runs is closed to the volunteer hat's management pages.
    assert client.get("/manage/").status_code == 403

    assert "社区书记账号的密码" in client.get("/auth/account").get_data(as_text=True)
    refused = client.post(f"/auth/account/switch/{n.secretary.id}", follow_redirects=True,
                          data={"password": "wrong-password-1"})
    assert "密码不对" in refused.get_data(as_text=True)
    assert client.get("/manage/").status_code == 403
    back = client.post(f"/auth/account/switch/{n.secretary.id}", follow_redirects=True,
                       data={"password": password})
    assert f"现在：{n.community.name}社区书记" in back.get_data(as_text=True)
    assert client.get("/manage/").status_code == 200
    # Someone else's account is not a hat of hers.
    assert client.post(f"/auth/account/switch/{n.far_secretary.id}").status_code == 403
