"""The year-end selection through the JSON API, on the real clock: last year's selection is
opened, frozen, adjusted, put to 公示, objected to, ended early by an admin, answered,
published; its certificates verify by code, and a withdrawn one says so."""

from datetime import datetime, timedelta, timezone

from factories import completed_wish

from wishboard.core.clock import local_day, utcnow
from wishboard.honours import services as honours
from wishboard.ratings import services as ratings

LAST_YEAR = local_day(utcnow()).year - 1
OPENED = datetime(LAST_YEAR, 12, 1, 2, tzinfo=timezone.utc)  # before the cut-off day


def serve(n, volunteer, stars, *, month, organization_id=None):
    at = datetime(LAST_YEAR, month, 10, 2, tzinfo=timezone.utc)
    wish = completed_wish(n.secretary, volunteer, hours=2, served=n.served, now=at,
                          organization_id=organization_id, title=f"陪老人复查{month}")
    ratings.rate_wish(n.served, wish.id, stars=stars, now=at + timedelta(hours=2))


def test_the_selection_through_the_api(neighbourhood, client, token_for, make_user):
    n = neighbourhood
    admin = make_user("admin", name="管理员")
    for month in (3, 4, 5):
        serve(n, n.volunteer, 5, month=month, organization_id=n.org.id)
    serve(n, n.other_volunteer, 4, month=6)
    secretary, resident = token_for(n.secretary), token_for(n.neighbour)
    base = f"/api/v1/communities/{n.community.id}/selections"

    # Last year's cut-off day is over: the rules are no longer the secretary's to set; an
    # admin opens it, saying why.
    late = client.post(base, json={"year": LAST_YEAR, "min_average_stars": 4.5},
                       headers=secretary)
    assert late.status_code == 400 and "截止日已过" in late.get_json()["error"]["fields"][
        "cutoff"][0]
    assert client.post(base, json={"year": LAST_YEAR}, headers=token_for(admin)).get_json()[
        "error"]["fields"]["reason"]
    opened = client.post(base, json={"year": LAST_YEAR, "min_average_stars": 4.5,
                                      "reason": "社区去年换届，评选推迟开启"},
                         headers=token_for(admin))
    assert opened.status_code == 201, opened.get_json()
    body = opened.get_json()
    assert (body["state"], body["cutoff"]) == ("open", f"{LAST_YEAR}-12-31")
    assert body["opened_at"] > body["cutoff_at"]
    assert body["settings"]["quota_party_members"] == 10
    sid = body["id"]
    assert client.post(base, json={"year": LAST_YEAR, "reason": "再开一次"},
                       headers=token_for(admin)).get_json()["error"]["code"] == "selection_exists"
    bad = client.post(base, json={"year": LAST_YEAR + 1, "cutoff": f"{LAST_YEAR}-06-30"},
                      headers=secretary)
    assert bad.status_code == 400 and "cutoff" in bad.get_json()["error"]["fields"]
    assert client.post(base, json={"year": 2030, "min_average_stars": 4.25},
                       headers=secretary).status_code == 400
    # Not public before its 公示.
    assert client.get(f"/api/v1/selections/{sid}").status_code == 404
    assert client.get(base).get_json() == []

    assert client.patch(f"/api/v1/selections/{sid}", json={"min_average_stars": 4.0},
                        headers=secretary).get_json()["error"]["code"] == "cutoff_passed"
    changed = client.patch(f"/api/v1/selections/{sid}", json={
        "min_average_stars": 4.0, "reason": "按区里统一的标准"}, headers=token_for(admin))
    assert changed.get_json()["settings"]["min_average_stars"] == 4.0
    frozen = client.post(f"/api/v1/selections/{sid}/freeze", headers=secretary).get_json()
    assert frozen["state"] == "nominating"
    assert [x["name"] for x in frozen["nominees"]] == ["李建国", "省种子站党支部"]
    li = frozen["nominees"][0]
    assert li["figures"]["completions"] == 3 and li["figures"]["average_stars"] == 5.0
    standings = client.get(f"/api/v1/selections/{sid}/standings?division=party_member",
                           headers=secretary).get_json()
    assert [s["name"] for s in standings] == ["李建国", "王晓梅"]

    nominees = f"/api/v1/selections/{sid}/nominees"
    no_reason = client.post(nominees, json={"user_id": n.other_volunteer.id},
                            headers=secretary)
    assert no_reason.status_code == 400
    assert no_reason.get_json()["error"]["fields"]["reason"] == ["必填"]
    added = client.post(nominees, json={"user_id": n.other_volunteer.id,
                                        "reason": "坚持陪老人复查"}, headers=secretary)
    assert added.status_code == 201
    assert added.get_json()["source"] == "secretary"
    wang = added.get_json()["id"]
    assert client.post(nominees, json={"user_id": n.other_volunteer.id, "reason": "再加"},
                       headers=secretary).get_json()["error"]["code"] == "already_nominated"
    removed = client.post(f"{nominees}/{wang}/remove", json={"reason": "本人谦让"},
                          headers=secretary)
    assert removed.get_json()["status"] == "removed"
    added = client.post(nominees, json={"user_id": n.other_volunteer.id,
                                        "reason": "本人同意参评"}, headers=secretary)
    assert added.status_code == 201 and added.get_json()["id"] == wang

    started = client.post(f"/api/v1/selections/{sid}/publicity", json={"days": 7},
                          headers=secretary).get_json()
    assert started["state"] == "publicity" and started["publicity_running"] is True
    assert client.get(base).get_json()[0]["id"] == sid  # now public
    public = client.get(f"/api/v1/selections/{sid}").get_json()
    assert [(d["kind"], d["reason"]) for d in public["admin_decisions"]] == [
        ("opened_late", "社区去年换届，评选推迟开启"),
        ("settings_changed_late", "按区里统一的标准")]

    objections = f"/api/v1/selections/{sid}/objections"
    raised = client.post(objections, json={"nominee_id": wang, "reason": "她今年只服务过一次"},
                         headers=resident)
    assert raised.status_code == 201, raised.get_json()
    objection = raised.get_json()
    assert objection["objector"]["name"] == "赵大妈" and objection["mine"] is True
    assert client.post(objections, json={"nominee_id": wang, "reason": "再提一次同样的"},
                       headers=resident).get_json()["error"]["code"] == "objection_pending"
    assert client.post(objections, json={"nominee_id": wang,
                                         "reason": "没登录也想提"}).status_code == 401
    # The public does not see an objection before its answer, nor ever its objector.
    assert client.get(f"/api/v1/selections/{sid}").get_json()["objections"] == []

    publish = f"/api/v1/selections/{sid}/publish"
    assert client.post(publish, headers=secretary).get_json()["error"]["code"] \
        == "publicity_not_over"
    early = f"/api/v1/selections/{sid}/end-publicity-early"
    assert client.post(early, json={"reason": "更正"}, headers=secretary).status_code == 403
    assert client.post(early, json={}, headers=token_for(admin)).status_code == 400
    ended = client.post(early, json={"reason": "区里统一提前表彰"}, headers=token_for(admin))
    assert ended.status_code == 200
    assert ended.get_json()["publicity_running"] is False
    assert client.get(f"/api/v1/selections/{sid}").get_json()["ended_early_reason"] \
        == "区里统一提前表彰"  # public: why the public's time to object was cut short
    assert client.post(publish, headers=secretary).get_json()["error"]["code"] \
        == "objections_open"
    answered = client.post(f"/api/v1/objections/{objection['id']}/answer",
                           json={"upheld": False, "answer": "经核实她服务过两次"},
                           headers=secretary)
    assert answered.get_json()["status"] == "dismissed"
    assert client.post(f"/api/v1/objections/{objection['id']}/answer",
                       json={"upheld": True, "answer": "改主意"},
                       headers=secretary).get_json()["error"]["code"] == "objection_answered"

    published = client.post(publish, headers=secretary)
    assert published.status_code == 200
    body = published.get_json()
    assert body["state"] == "published"
    codes = {x["name"]: body["certificates"][str(x["id"])]["code"] for x in body["nominees"]}
    assert set(codes) == {"李建国", "王晓梅", "省种子站党支部"}

    verified = client.get(f"/api/v1/certificates/{codes['省种子站党支部']}")
    assert verified.status_code == 200
    assert verified.headers["Cache-Control"] == "no-store"
    answer = verified.get_json()
    assert (answer["kind"], answer["honour"], answer["status"]) == (
        "organization", "先进报到党组织", "valid")
    mine = client.get("/api/v1/me/certificates", headers=token_for(n.volunteer)).get_json()
    assert [c["honour"] for c in mine] == ["优秀报到党员"]

    wang_code = codes["王晓梅"]
    assert client.post(f"/api/v1/certificates/{wang_code}/withdraw", json={"reason": "错发"},
                       headers=token_for(n.far_secretary)).status_code == 403
    withdrawn = client.post(f"/api/v1/certificates/{wang_code}/withdraw",
                            json={"reason": "服务记录有误"}, headers=secretary)
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert withdrawn.get_json()["withdrawn_reason"] == "服务记录有误"  # the staff read why
    public = client.get(f"/api/v1/certificates/{wang_code.lower()}").get_json()
    assert public["status"] == "withdrawn" and public["withdrawn_reason"] is None
    holder = client.get(f"/api/v1/certificates/{wang_code}",
                        headers=token_for(n.other_volunteer)).get_json()
    assert holder["withdrawn_reason"] == "服务记录有误"
    assert client.post(f"/api/v1/certificates/{wang_code}/withdraw", json={"reason": "再撤"},
                       headers=secretary).get_json()["error"]["code"] == "certificate_withdrawn"
    assert client.get("/api/v1/certificates/ABCDEFGHJKMN").status_code == 404


def test_a_freeze_before_the_cut_off_day_is_refused(neighbourhood, client, token_for):
    n = neighbourhood
    this_year = LAST_YEAR + 1
    opened = client.post(f"/api/v1/communities/{n.community.id}/selections",
                         json={"year": this_year}, headers=token_for(n.secretary)).get_json()
    refused = client.post(f"/api/v1/selections/{opened['id']}/freeze",
                          headers=token_for(n.secretary))
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "cutoff_not_reached"


def test_a_publicity_runs_five_days_and_fresh_accounts_do_not_hold_the_results(
        neighbourhood, client, token_for, make_user):
    n = neighbourhood
    admin = make_user("admin", name="管理员")
    for month in (3, 4, 5):
        serve(n, n.volunteer, 5, month=month, organization_id=n.org.id)
    selection = honours.open_selection(n.secretary, n.community.id, year=LAST_YEAR,
                                       now=OPENED)
    honours.freeze_selection(n.secretary, selection.id)
    secretary, sid = token_for(n.secretary), selection.id
    publicity = f"/api/v1/selections/{sid}/publicity"

    short = client.post(publicity, json={"days": 1}, headers=secretary)
    assert short.status_code == 400 and "至少5天" in short.get_json()["error"]["fields"]["days"][0]
    unexplained = client.post(publicity, json={"days": 1}, headers=token_for(admin))
    assert unexplained.get_json()["error"]["fields"]["reason"]
    started = client.post(publicity, json={"days": 5}, headers=secretary).get_json()
    length = (datetime.fromisoformat(started["publicity_ends_at"])
              - datetime.fromisoformat(started["publicity_starts_at"]))
    assert length >= timedelta(days=5)
    li, org = (x["id"] for x in started["nominees"])
    assert client.post(f"/api/v1/selections/{sid}/nominees/{li}/remove",
                       json={"reason": "私下原因"}, headers=secretary).get_json()[
        "error"]["code"] == "selection_in_publicity"

    objections = f"/api/v1/selections/{sid}/objections"
    strangers = [token_for(make_user("resident", n.elsewhere, name=f"路人{i}", verified=False))
                 for i in range(2)]
    for headers in strangers:
        for nominee in (li, org):
            raised = client.post(objections, json={"nominee_id": nominee,
                                                   "reason": "我不认识这个人"}, headers=headers)
            assert raised.status_code == 201 and raised.get_json()["blocks"] is False
    third = client.post(objections, json={"nominee_id": li, "reason": "我还是不认识他"},
                        headers=strangers[0])
    assert third.get_json()["error"]["code"] == "too_many_objections"
    staff = client.get(f"/api/v1/selections/{sid}", headers=secretary).get_json()
    assert (staff["open_objections"], staff["unverified_open_objections"]) == (0, 4)
    assert client.get(f"/api/v1/selections/{sid}").get_json()[
        "unverified_open_objections"] == 0

    answered = client.post(f"/api/v1/selections/{sid}/nominees/{li}/answer",
                           json={"upheld": False, "answer": "李建国是本社区报到党员，服务记录齐全"},
                           headers=secretary)
    assert answered.status_code == 200
    assert [o["status"] for o in answered.get_json()] == ["dismissed", "dismissed"]
    assert client.post(f"/api/v1/selections/{sid}/nominees/{li}/answer",
                       json={"upheld": False, "answer": "再答一次"},
                       headers=secretary).get_json()["error"]["code"] == "objection_answered"
    assert client.post(f"/api/v1/selections/{sid}/nominees/{li}/answer",
                       json={"upheld": False}, headers=secretary).status_code == 400

    honours.end_publicity_early(admin, sid, reason="区里统一提前表彰")
    published = client.post(f"/api/v1/selections/{sid}/publish", headers=secretary)
    assert published.status_code == 200  # the two about the organisation do not hold it
