import sqlalchemy as sa

from wishboard.accounts.models import User
from wishboard.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def test_home_lists_communities_and_categories_in_chinese(client, community):
    page = text(client.get("/"))
    assert "玉林北路社区" in page
    assert "红袖套行动" in page
    assert 'lang="zh-CN"' in page
    assert "长辈版" in page


def test_community_page_shows_grid_and_organisations(client, community, make_place, make_org):
    make_place("一片区", "area", parent=community)
    make_org(community, "四川省种子站党支部")
    page = text(client.get(f"/communities/{community.id}"))
    assert ">一片区</option>" in page and "四川省种子站党支部" in page
    assert client.get("/communities/99999").status_code == 404


def test_register_in_two_steps_and_land_on_my_account_pending(client, community, make_org):
    org = make_org(community)
    step1 = text(client.get("/auth/register"))
    assert "第1步" in step1 and "玉林北路社区" in step1
    step2 = text(client.get(f"/auth/register?community_id={community.id}"))
    assert "第2步" in step2 and org.name in step2
    response = client.post(f"/auth/register?community_id={community.id}", data={
        "community_id": community.id, "role": "volunteer", "name": "周德华",
        "phone": "13880030001", "username": "wulao_zhou", "password": "long-enough-1",
        "volunteer_type": "elder", "organization_id": str(org.id)}, follow_redirects=True)
    page = text(response)
    assert "注册成功" in page and "报到状态：待审核" in page
    assert "您加入组织的申请已提交" in page
    user = db.session.scalar(sa.select(User).where(User.username == "wulao_zhou"))
    # Naming the organisation asks to join it; its contact (or the secretary) decides.
    assert user.volunteer_type.value == "elder" and user.organization_id is None
    from wishboard.organizations.models import MembershipRequest
    asked = db.session.scalar(sa.select(MembershipRequest).where(
        MembershipRequest.user_id == user.id))
    assert asked.organization_id == org.id and asked.status.value == "pending"


def test_register_form_says_what_is_wrong_next_to_the_field_and_keeps_the_input(
        client, community):
    response = client.post(f"/auth/register?community_id={community.id}", data={
        "community_id": community.id, "role": "resident", "name": "黄大爷",
        "phone": "12345", "username": "huang", "password": "long-enough-1"})
    page = text(response)
    assert response.status_code == 200
    assert "请填写11位手机号" in page
    assert 'value="黄大爷"' in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_register_with_a_taken_username_is_a_form_message(client, community, make_user):
    make_user("resident", community, username="taken_name")
    response = client.post(f"/auth/register?community_id={community.id}", data={
        "community_id": community.id, "role": "resident", "name": "马丽",
        "phone": "13550050004", "username": "taken_name", "password": "long-enough-1"})
    assert response.status_code == 200
    assert "这个用户名已有人使用" in text(response)


def test_login_wrong_password_says_so_in_words(client, community, make_user):
    user = make_user("resident", community)
    response = client.post("/auth/login", data={"username": user.username,
                                                "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码不对" in text(response)
    assert f'value="{user.username}"' in text(response)


def test_login_then_account_then_logout(client, community, make_user, login_as):
    user = make_user("volunteer", community, name="李建国")
    login_as(user)
    account = text(client.get("/auth/account"))
    assert "李建国" in account and "已报到" in account
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/auth/account").status_code == 302


def test_pages_that_need_login_send_you_to_log_in_and_back(client, community, make_user):
    response = client.get("/auth/account")
    assert response.status_code == 302
    assert "/auth/login?next=/auth/account" in response.headers["Location"]
    user = make_user("resident", community)
    back = client.post("/auth/login?next=/auth/account",
                       data={"username": user.username, "password": "correct-horse-9"})
    assert back.headers["Location"].endswith("/auth/account")


def test_login_never_redirects_off_site(client, community, make_user):
    user = make_user("resident", community)
    response = client.post("/auth/login?next=https://evil.example/x",
                           data={"username": user.username, "password": "correct-horse-9"})
    assert response.headers["Location"] == "/auth/account"


def test_large_mode_is_one_tap_and_remembered(client):
    assert '<html lang="zh-CN" class="">' in text(client.get("/"))
    response = client.get("/large-mode?next=/auth/login")
    assert response.headers["Location"] == "/auth/login"
    page = text(client.get("/auth/login"))
    assert '<html lang="zh-CN" class="large">' in page and "标准版" in page
    client.get("/large-mode")
    assert '<html lang="zh-CN" class="">' in text(client.get("/"))


def test_web_forms_carry_a_csrf_token_and_refuse_posts_without_it(
        make_app, community, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = make_user("resident", community)
    assert 'name="csrf_token"' in text(client.get("/auth/login"))
    response = client.post("/auth/login", data={"username": user.username,
                                                "password": "correct-horse-9"})
    assert response.status_code == 400
    assert "页面已过期" in text(response)


def test_an_error_page_speaks_one_language_whatever_the_browser_asks(client):
    page = client.get("/wishes/99999", headers={"Accept-Language": "en-US,en;q=0.9"})
    body = text(page)
    assert page.status_code == 404 and "找不到这个页面" in body
    assert "Not found" not in body and "No such wish" not in body
    api = client.get("/api/v1/wishes/99999", headers={"Accept-Language": "en"})
    assert api.get_json()["error"]["message"] == "No such wish"


def test_a_too_long_rating_comment_is_named_beside_its_field(client, neighbourhood, login_as):
    from factories import completed_wish

    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, served=n.served)
    login_as(n.served)
    page = text(client.post(f"/wishes/{wish.id}/rate", data={"stars": "5",
                                                             "comment": "好" * 5000}))
    assert 'id="comment-error"' in page and "您已评价" not in page
