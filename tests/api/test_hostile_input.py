"""Input that used to answer 500 (or be stored wrong) now answers 4xx in the error shape:
ids past what a column holds, NUL and other unprintable characters, names longer than the
columns they end up in, dates outside this century, JSON nested past sense, bodies past
the size limit, 4.5 stars, 0 for a boolean; and a page never fails on a stored value."""

import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from helpers import error_of

from wishboard.activities import services as activities
from wishboard.activities.models import Activity
from wishboard.extensions import db
from wishboard.wishes.models import Wish

BIG = 2 ** 31  # one past what an INTEGER column holds


@pytest.fixture
def secretary(community, make_user):
    return make_user("secretary", community)


def category_id():
    return db.session.scalar(sa.text("SELECT min(id) FROM categories"))


def publish(client, token, **fields):
    body = {"title": "买药", "description": "帮忙买降压药", "category_id": category_id(),
            "beneficiary_name": "吴秀英", **fields}
    # json.dumps writes "\ud800" as an escape, as a client's JSON library would.
    return client.post("/api/v1/wishes", data=json.dumps(body), content_type="application/json",
                       headers=token)


@pytest.mark.parametrize("path", ["/api/v1/wishes/{id}", "/api/v1/needs/{id}",
                                  "/api/v1/communities/{id}", "/api/v1/activities/{id}",
                                  "/wishes/{id}", "/activities/{id}"])
def test_an_id_past_what_a_column_holds_is_not_found(client, secretary, token_for, path):
    response = client.get(path.format(id=BIG), headers=token_for(secretary))
    assert response.status_code == 404
    if path.startswith("/api"):
        assert error_of(response)["code"] == "not_found"


def test_another_method_on_such_an_id_is_not_found_either(client, secretary, token_for):
    # werkzeug answered 405 here when the converter refused the number.
    response = client.patch(f"/api/v1/communities/{BIG}", json={"claim_window_days": 7},
                            headers=token_for(secretary))
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_an_integer_past_the_column_in_a_query_or_body_is_a_validation_error(
        client, secretary, token_for):
    listed = client.get(f"/api/v1/organizations?community_id={BIG * 1000}")
    assert listed.status_code == 400 and "community_id" in error_of(listed)["fields"]
    made = publish(client, token_for(secretary), category_id=BIG)
    assert made.status_code == 400 and "category_id" in error_of(made)["fields"]


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "吴\u202e英", "x\x07y"])
def test_unprintable_characters_are_refused_not_stored(client, secretary, token_for, text):
    response = publish(client, token_for(secretary), title=text)
    assert response.status_code == 400
    assert error_of(response)["fields"]["title"] == ["含有不能显示的字符"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Wish)) == 0


def test_nul_in_a_log_in_name_or_a_search_is_a_validation_error(client):
    token = client.post("/api/v1/auth/token", json={"username": "a\x00b", "password": "x" * 9})
    assert token.status_code == 400 and "username" in error_of(token)["fields"]
    searched = client.get("/api/v1/wishes?q=%00")
    assert searched.status_code == 400 and "q" in error_of(searched)["fields"]


@pytest.mark.parametrize("path, body", [
    ("/api/v1/auth/token", {"username": "\ud800", "password": "x" * 9}),
    ("/api/v1/auth/reset", {"username": "wu\udfff", "code": "123456", "password": "x" * 12}),
])
def test_half_a_surrogate_pair_in_a_log_in_name_is_a_validation_error(client, path, body):
    # The log-in limits read the name before the schema does; they hashed it, and a lone
    # surrogate cannot be encoded: a 500 for the log-in and the reset alike.
    response = client.post(path, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert error["fields"] == {"username": ["含有不能显示的字符"]}


def test_a_field_name_with_half_a_surrogate_pair_is_named_back_as_sent(client):
    body = {"username": "wu", "password": "x" * 9, "\udc00name": 1}
    response = client.post("/api/v1/auth/token", data=json.dumps(body),
                           content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"\udc00name": ["不认识这个字段"]}
    assert b'"\\udc00name"' in response.data  # written as JSON's escape, as it came


def test_text_is_stored_in_nfc(client, secretary, token_for):
    decomposed = "Cafe\u0301"  # é as e + combining accent
    response = publish(client, token_for(secretary), title=decomposed)
    assert response.status_code == 201
    assert response.get_json()["title"] == "Caf\u00e9"


def test_a_long_beneficiary_name_fits_the_public_alias(client, secretary, token_for):
    name = "吴" * 50  # as long as a name may be; the alias column holds 30
    response = publish(client, token_for(secretary), beneficiary_name=name)
    assert response.status_code == 201
    alias = response.get_json()["public_alias"]
    assert alias.startswith("吴") and len(alias) == 30


def test_a_username_that_folds_past_the_column_is_refused(client, community):
    response = client.post("/api/v1/auth/register", json={
        "username": "ß" * 40, "password": "a-long-passphrase-9", "name": "测试",
        "phone": "13800000000", "role": "resident", "community_id": community.id})
    assert response.status_code == 400 and "username" in error_of(response)["fields"]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00",
                                    "1999-12-31", "2100-01-01"])
def test_dates_outside_this_century_are_refused(client, secretary, token_for, moment):
    response = publish(client, token_for(secretary), expires_at=moment)
    assert response.status_code == 400
    assert error_of(response)["fields"]["expires_at"] == ["日期应在2000年到2099年之间"]


def test_json_nested_past_sense_is_malformed_json(client, secretary, token_for):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/wishes", data=body, content_type="application/json",
                           headers=token_for(secretary))
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_json"


def test_a_body_past_the_size_limit_is_413_in_the_error_shape(client, secretary, token_for):
    body = json.dumps({"title": "x" * (2 * 1024 * 1024)})
    response = client.post("/api/v1/wishes", data=body, content_type="application/json",
                           headers=token_for(secretary))
    assert response.status_code == 413 and error_of(response)["code"] == "payload_too_large"


def test_half_a_star_is_refused_not_rounded(client, community, make_user, token_for):
    resident = make_user("resident", community)
    response = client.post("/api/v1/wishes/1/ratings", json={"stars": 4.5},
                           headers=token_for(resident))
    assert response.status_code == 400 and "stars" in error_of(response)["fields"]


@pytest.mark.parametrize("value", [0, 1, "maybe"])
def test_a_boolean_is_true_or_false(client, community, make_user, token_for, value):
    volunteer = make_user("volunteer", community)
    response = client.patch("/api/v1/me", json={"show_on_boards": value},
                            headers=token_for(volunteer))
    assert response.status_code == 400 and "show_on_boards" in error_of(response)["fields"]


def test_marking_the_inbox_read_needs_no_body(client, community, make_user, token_for):
    resident = make_user("resident", community)
    response = client.post("/api/v1/notifications/read", headers=token_for(resident))
    assert response.status_code == 200 and response.get_json()["unread"] == 0


def test_a_stored_moment_at_the_end_of_the_calendar_does_not_break_the_pages(
        app, client, community, secretary):
    # The forms refuse such dates now; one already stored must not take the pages down.
    start = datetime.now(timezone.utc) + timedelta(days=7)
    activity = activities.create_activity(
        secretary, title="跨年", description="d", category_id=category_id(), starts_at=start,
        ends_at=start + timedelta(hours=2), signup_deadline=start - timedelta(days=1),
        capacity=10, audience="all")
    db.session.execute(sa.update(Activity).where(Activity.id == activity.id).values(
        ends_at=datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc)))
    db.session.commit()
    activity_id = db.session.scalar(sa.select(Activity.id))
    for path in (f"/communities/{community.id}/activities", f"/activities/{activity_id}",
                 f"/api/v1/activities/{activity_id}", "/api/v1/activities"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("path", ["/api/v1/wishes/" + "1" * 5000, "/wishes/" + "9" * 5000,
                                  "/api/v1/wishes/\u0661", "/wishes/\u0661"])
def test_ids_of_thousands_of_digits_or_other_scripts_are_no_route(
        client, secretary, token_for, path):
    assert publish(client, token_for(secretary)).get_json()["id"] == 1
    assert client.get(path).status_code == 404  # ١ (Arabic-Indic one) is not a second "1"


@pytest.mark.parametrize("path", ["/auth/register?community_id=2147483648",
                                  "/manage/wishes?community_id=2147483648",
                                  "/manage/organizations?community_id=" + "9" * 25,
                                  "/manage/hours?community_id=2147483648",
                                  "/manage/commendation?community_id=2147483648&year=99999"])
def test_ids_in_a_page_query_past_the_column_are_no_such_community(
        client, community, make_user, login_as, path):
    login_as(make_user("admin", None))
    assert client.get(path).status_code in (200, 404)


def test_a_name_in_other_letter_forms_is_the_same_name(client, community):
    def register(username):
        return client.post("/api/v1/auth/register", json={
            "username": username, "password": "a-long-passphrase-9", "name": "测试",
            "phone": "13800000000", "role": "resident", "community_id": community.id})

    assert register("shuji").status_code == 201
    full_width = register("ｓｈｕｊｉ")
    assert full_width.status_code == 409 and error_of(full_width)["code"] == "username_taken"
    invisible = register("shuji\u3164")
    assert invisible.status_code == 400
    assert error_of(invisible)["fields"]["username"] == ["用户名里有看不见的字符"]
