import sqlalchemy as sa

from wishboard.accounts.models import ApiToken, Role, User
from wishboard.extensions import db
from wishboard.places.models import Category, Community, Organization


def _counts():
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, Community, Organization, Category)}


def test_create_admin_without_prompting(runner, client):
    result = runner.invoke(args=["wishboard", "create-admin", "--username", "root_admin",
                                 "--password", "very-secret-1", "--name", "管理员"])
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(User).where(User.username == "root_admin"))
    assert admin.role is Role.ADMIN and admin.community_id is None
    assert client.post("/api/v1/auth/token", json={"username": "root_admin",
                                                   "password": "very-secret-1"}
                       ).status_code == 200


def test_create_admin_prompts_for_what_is_missing(runner):
    result = runner.invoke(args=["wishboard", "create-admin", "--username", "prompted"],
                           input="very-secret-2\nvery-secret-2\n管理员\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User.name).where(User.username == "prompted")) == "管理员"


def test_create_admin_refuses_a_short_password_and_a_taken_name(runner, make_user):
    short = runner.invoke(args=["wishboard", "create-admin", "--username", "x_admin",
                                "--password", "short", "--name", "管理员"])
    assert short.exit_code != 0
    assert "password" in short.output
    make_user("admin", None, username="taken")
    taken = runner.invoke(args=["wishboard", "create-admin", "--username", "Taken",
                                "--password", "long-enough-1", "--name", "管理员"])
    assert taken.exit_code != 0
    assert "已有人使用" in taken.output


def test_build_a_community_from_the_cli(runner):
    def run(*args):
        result = runner.invoke(args=["wishboard", *args])
        assert result.exit_code == 0, result.output
        return int(result.output.rsplit("id ", 1)[1].rstrip(")\n"))

    district = run("create-community", "--name", "武侯区", "--level", "district")
    street = run("create-community", "--name", "玉林街道", "--level", "street",
                 "--parent-id", str(district))
    community = run("create-community", "--name", "玉林北路社区", "--level", "community",
                    "--parent-id", str(street), "--auto-approve-reports")
    run("create-organization", "--name", "省种子站党支部", "--community-id", str(community))
    run("create-category", "--name", "助餐送餐")
    secretary = runner.invoke(args=["wishboard", "create-secretary", "--username", "shuji",
                                    "--name", "张书记", "--community-id", str(community)],
                              input="long-enough-1\nlong-enough-1\n")
    assert secretary.exit_code == 0, secretary.output
    user = db.session.scalar(sa.select(User).where(User.username == "shuji"))
    assert user.role is Role.SECRETARY and user.community_id == community
    assert db.session.get(Community, community).auto_approve_reports is True


def test_cli_errors_are_clear_not_tracebacks(runner):
    result = runner.invoke(args=["wishboard", "create-community", "--name", "1栋",
                                 "--level", "building"])
    assert result.exit_code == 1
    assert "需要所属社区" in result.output
    assert "Traceback" not in result.output


def test_seed_demo_builds_yulin_north_road_and_twice_changes_nothing(runner, client):
    first = runner.invoke(args=["wishboard", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "shuji_zhang" in first.output and "yubei-demo-2026" in first.output
    counts = _counts()
    hashes = dict(db.session.execute(sa.select(User.username, User.password_hash)).all())
    # Three organisations the secretary entered, and one that reported itself and waits.
    assert counts["User"] >= 15 and counts["Organization"] == 4
    statuses = sorted(db.session.scalars(sa.select(Organization.report_status)))
    assert [s.value for s in statuses] == ["approved"] * 3 + ["pending"]

    second = runner.invoke(args=["wishboard", "seed-demo"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    assert _counts() == counts
    assert dict(db.session.execute(sa.select(User.username, User.password_hash)).all()) == hashes

    communities = client.get("/api/v1/communities").get_json()["items"]
    yulin = next(c for c in communities if c["name"] == "玉林北路社区")
    grid = client.get(f"/api/v1/communities/{yulin['id']}").get_json()["grid"]
    assert {a["level"] for a in grid} == {"area"}
    assert grid[0]["children"][0]["level"] == "courtyard"
    assert grid[0]["children"][0]["children"][0]["level"] == "building"
    for username in ("shuji_zhang", "dangyuan_li", "wulao_zhou", "jumin_wu", "admin"):
        assert client.post("/api/v1/auth/token", json={
            "username": username, "password": "yubei-demo-2026"}).status_code == 200
    users = db.session.scalars(sa.select(User).where(User.role == Role.VOLUNTEER)).all()
    assert len(users) >= 12
    assert {u.volunteer_type.value for u in users} >= {"party_member", "elder"}
    assert any(u.organization_id for u in users)


def test_seed_demo_if_empty_leaves_a_used_database_alone(runner, make_user, community):
    make_user("resident", community)
    result = runner.invoke(args=["wishboard", "seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "not loaded" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_purge_tokens_removes_only_long_dead_tokens(runner, client, community, make_user,
                                                    token_for):
    from datetime import timedelta

    from wishboard.core.clock import utcnow

    live = token_for(make_user("resident", community))
    token_for(make_user("resident", community))
    db.session.execute(sa.update(ApiToken).where(ApiToken.id == 2)
                       .values(expires_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    result = runner.invoke(args=["wishboard", "purge-tokens"])
    assert result.exit_code == 0 and "purged 1 tokens" in result.output
    assert client.get("/api/v1/me", headers=live).status_code == 200
