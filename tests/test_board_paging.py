"""The board at a district's scale: pages read on from a cursor, totals from the tallies or
a bounded count, and every wish met exactly once however the pages fall."""

import re
from datetime import timedelta

from factories import T0, make_wish

from wishboard.extensions import db
from wishboard.wishes import services as wishes


def _walk(client, url):
    """Follow ``next`` from the first page to the last; every answer and every id seen."""
    answers, after = [], None
    while True:
        answer = client.get(url + (f"&after={after}" if after else ""))
        assert answer.status_code == 200, answer.get_json()
        answers.append(answer.get_json())
        after = answers[-1]["next"]
        if after is None:
            return answers


def test_cursor_pages_meet_every_wish_once_newest_first_with_ties(client, neighbourhood):
    n = neighbourhood
    # Three published in the same microsecond: the id breaks the tie, on both engines.
    made = [make_wish(n.secretary, title=f"心愿{i}", now=T0 + timedelta(minutes=i // 3))
            for i in range(8)]
    answers = _walk(client, f"/api/v1/wishes?community_id={n.community.id}&per_page=3")
    assert [len(a["items"]) for a in answers] == [3, 3, 2]
    assert {(a["total"], a["total_capped"]) for a in answers} == {(8, False)}
    seen = [item["id"] for a in answers for item in a["items"]]
    newest_first = sorted(made, key=lambda w: (w.published_at, w.id), reverse=True)
    assert seen == [w.id for w in newest_first]
    # page= still works, and agrees with the cursor on where page 2 starts.
    second = client.get(f"/api/v1/wishes?community_id={n.community.id}&per_page=3&page=2")
    assert [i["id"] for i in second.get_json()["items"]] == seen[3:6]


def test_the_total_follows_each_change_of_state_at_once(client, neighbourhood):
    n = neighbourhood
    board = f"/api/v1/wishes?community_id={n.community.id}"
    first = make_wish(n.secretary, now=T0)
    make_wish(n.secretary, now=T0)

    def total(status):
        return client.get(board + (f"&status={status}" if status else "")).get_json()["total"]

    assert (total("open"), total("claimed"), total("")) == (2, 0, 2)
    wishes.claim_wish(n.volunteer, first.id, accept_letter=True, now=T0)
    assert (total("open"), total("claimed"), total("")) == (1, 1, 2)
    wishes.release_claim(n.volunteer, first.id, "临时有事", now=T0 + timedelta(hours=1))
    assert (total("open"), total("claimed"), total("")) == (2, 0, 2)
    wishes.cancel_wish(n.secretary, first.id, "已解决", now=T0 + timedelta(hours=2))
    assert (total("open"), total("cancelled"), total("")) == (1, 1, 2)


def test_a_filtered_count_stops_at_the_cap_and_says_so(app, client, neighbourhood):
    n = neighbourhood
    for i in range(5):
        make_wish(n.secretary, title=f"买药{i}", now=T0)
    make_wish(n.secretary, title="修灯", now=T0)
    app.config["LIST_COUNT_CAP"] = 3
    found = client.get(f"/api/v1/wishes?community_id={n.community.id}&q=买药").get_json()
    assert (found["total"], found["total_capped"], len(found["items"])) == (3, True, 5)
    few = client.get(f"/api/v1/wishes?community_id={n.community.id}&q=修灯").get_json()
    assert (few["total"], few["total_capped"]) == (1, False)
    # The whole board is counted by its tally, which has no cap.
    whole = client.get(f"/api/v1/wishes?community_id={n.community.id}").get_json()
    assert (whole["total"], whole["total_capped"]) == (6, False)
    page = client.get(f"/communities/{n.community.id}?q=买药").get_data(as_text=True)
    assert '<p class="board-count">共 3+ 个心愿</p>' in page


def test_a_cursor_that_is_not_one_is_a_400_never_a_500(client, neighbourhood):
    for bad in ("abc", "1-", "-5", "99999999999999999-1", "1-99999999999", "1.5-2", "１-２"):
        answer = client.get(f"/api/v1/wishes?community_id={neighbourhood.community.id}"
                            f"&after={bad}")
        assert answer.status_code == 400, bad
        assert "after" in answer.get_json()["error"]["fields"]
    page = client.get(f"/communities/{neighbourhood.community.id}?after=abc")
    assert page.status_code == 400


def test_the_board_page_reads_on_with_its_next_link(client, neighbourhood):
    n = neighbourhood
    made = [make_wish(n.secretary, title=f"第{i}件心愿", now=T0 + timedelta(minutes=i))
            for i in range(23)]
    first = client.get(f"/communities/{n.community.id}").get_data(as_text=True)
    assert "共 23 个心愿" in first and "第1页，共2页" in first
    link = re.search(r'href="([^"]*after=[^"]*)">下一页', first)
    second = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "第2页，共2页" in second and "下一页" not in second
    assert "第0件心愿" in second and "第2件心愿" in second and "第3件心愿" not in second
    assert f"第{len(made) - 1}件心愿" in first
    db.session.expire_all()


def test_search_finds_one_character_two_and_more_in_title_or_description(client,
                                                                         neighbourhood):
    n = neighbourhood
    make_wish(n.secretary, title="帮忙买药", description="腿脚不便", now=T0)
    make_wish(n.secretary, title="修灯", description="顺便帮忙买药回来", now=T0)
    make_wish(n.secretary, title="上门理发", description="老人行动不便", now=T0)

    def titles(q):
        answer = client.get(f"/api/v1/wishes?community_id={n.community.id}&q={q}")
        assert answer.status_code == 200
        return sorted(w["title"] for w in answer.get_json()["items"])

    assert titles("买药") == ["修灯", "帮忙买药"]
    assert titles("药") == ["修灯", "帮忙买药"]
    assert titles("理") == ["上门理发"]
    assert titles("帮忙买药回来") == ["修灯"]
    assert titles("不便") == ["上门理发", "帮忙买药"]
    assert titles("药理") == [] and titles("发修") == []
    # % and _ are letters here, not wildcards.
    assert titles("%25") == [] and titles("_") == []
