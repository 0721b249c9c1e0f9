"""The pages of the numbers: the secretary's 统计 (charts drawn as SVG with their tables),
the public 述评公开 page and the monthly 通报 (no private data), the wish list downloads
with the board's filters, and the roll-up (汇总) that a street account is shown instead of
every management page."""

import csv
import io
import re

import pytest
import stats_data
from openpyxl import load_workbook
from stats_data import at

from wishboard.accounts.models import Role, User
from wishboard.extensions import db
from wishboard.wishes import services as wishes

RANGE = "from=2026-10&to=2026-12"
PRIVATE = ("吴秀英", "13812345678", "玉林北路3号", "赵大妈")


@pytest.fixture
def story(neighbourhood, make_user):
    return stats_data.build(neighbourhood, make_user)


@pytest.fixture
def street(neighbourhood, make_place, make_user):
    places = stats_data.two_streets(neighbourhood, make_place)
    return dict(places,
                account=make_user("secretary", places["street"], name="街道王主任",
                                  username="jiedao"),
                third_secretary=make_user("secretary", places["third"], name="锦城书记"))


def _charts(page: str) -> list[str]:
    return re.findall(r'<svg class="chart-svg"[^>]*role="img"[^>]*aria-label="[^"]+"', page)


def test_the_public_page_shows_the_months_as_charts_and_tables(client, neighbourhood, story):
    response = client.get(f"/communities/{neighbourhood.community.id}/stats?{RANGE}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert len(_charts(page)) == 5
    assert page.count("<title>") >= 6  # the page's and each chart's
    assert page.count('<table class="numbers">') == 5
    assert "2026年10月至2026年12月" in page
    assert "<td>4.5</td>" in page  # October's average stars in the stars table
    assert "2.2天" in page  # November's median time to completion
    for words in PRIVATE + ("李建国", "孙老师", "周小云"):
        assert words not in page  # counts, hours and stars: nobody is named


def test_the_public_page_needs_no_login_and_refuses_bad_months(client, neighbourhood):
    assert client.get(f"/communities/{neighbourhood.community.id}/stats").status_code == 200
    response = client.get(f"/communities/{neighbourhood.community.id}/stats?from=2026-13")
    assert response.status_code == 200  # the last twelve months, saying what was wrong
    page = response.get_data(as_text=True)
    assert "月份格式不对，例如 2026-11 或 2026年11月" in page
    assert "<details class=\"month-picker\" open>" in page
    longer = client.get(f"/communities/{neighbourhood.community.id}/stats?from=2020-01")
    assert "一次最多看36个月" in longer.get_data(as_text=True)


def _month_input(page: str, name: str) -> str:
    return re.search(rf'<input id="{name}"[^>]*>', page, re.S)[0]


def test_a_wrong_month_stays_as_typed_with_its_reason_under_it(client, neighbourhood):
    """The range picker keeps what was typed, says under the wrong field (only) what is
    wrong, once, and meanwhile shows the last twelve months."""
    page = client.get(f"/communities/{neighbourhood.community.id}/stats"
                      "?from=2026-13&to=2026-13").get_data(as_text=True)
    typed_from, typed_to = _month_input(page, "from"), _month_input(page, "to")
    assert 'value="2026-13"' in typed_from and 'value="2026-13"' in typed_to
    assert 'aria-invalid="true" aria-describedby="from-error"' in typed_from
    assert 'aria-describedby="to-error"' in typed_to
    error = re.search(r'<p class="field-error" id="from-error">([^<]*)</p>', page)
    assert error and "月份格式不对" in error[1]
    assert page.index('id="from"') < page.index('id="from-error"') < page.index('id="to"')
    assert page.count("月份格式不对") == 2  # once under each field, nowhere else
    assert "近12个月的数字" in page

    page = client.get(f"/communities/{neighbourhood.community.id}/stats"
                      "?from=2026-12&to=2026年1月").get_data(as_text=True)
    assert 'value="2026年1月"' in _month_input(page, "to")  # kept, though it was readable
    assert 'aria-invalid' not in _month_input(page, "to")
    assert page.count("开始月份不能晚于结束月份") == 1 and 'id="from-error"' in page


@pytest.mark.parametrize("months", ["from=2026-1&to=2026-3", "from=2026年1月&to=2026年3月",
                                    "from=２０２６－０１&to=２０２６年３月"])
def test_months_are_read_as_people_write_them(client, neighbourhood, months):
    page = client.get(f"/communities/{neighbourhood.community.id}/stats?{months}"
                      ).get_data(as_text=True)
    assert "2026年1月至2026年3月" in page and "field-error" not in page
    assert 'value="2026-01"' in _month_input(page, "from")


def test_the_monthly_report_counts_who_served_up_to_its_months_end(client, neighbourhood,
                                                                    story):
    page = client.get(f"/communities/{neighbourhood.community.id}/stats/report"
                      "?month=2026-10").get_data(as_text=True)
    assert "2026年截至10月底，本社区4名报到志愿者中有1人参加过服务，占25%。" in page
    figures = client.get(f"/communities/{neighbourhood.community.id}/stats"
                         "?from=2026-10&to=2026-10").get_data(as_text=True)
    assert "2026年截至10月底服务过的报到志愿者" in figures
    this_month = client.get(f"/communities/{neighbourhood.community.id}/stats/report"
                            ).get_data(as_text=True)
    assert "今年截至目前，本社区" in this_month


def test_the_monthly_report_names_no_organisation_of_a_hidden_volunteer(client, neighbourhood,
                                                                        story):
    neighbourhood.volunteer.show_on_boards = False
    db.session.commit()
    page = client.get(f"/communities/{neighbourhood.community.id}/stats/report"
                      "?month=2026-11").get_data(as_text=True)
    row = re.search(r"<tr><td>\d+</td><th[^>]*>一位志愿者（未公开姓名）.*?</tr>", page, re.S)[0]
    assert "省种子站党支部" not in row
    assert "李建国" not in page
    board = client.get(f"/communities/{neighbourhood.community.id}/honor").get_data(
        as_text=True)
    hidden = re.search(r"一位志愿者（未公开姓名）.*?</li>", board, re.S)[0]
    assert "省种子站党支部" not in hidden


def test_the_monthly_report_names_the_board_and_nobody_served(client, neighbourhood, story):
    neighbourhood.other_volunteer.show_on_boards = False
    db.session.commit()
    response = client.get(f"/communities/{neighbourhood.community.id}/stats/report"
                          "?month=2026-11")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2026年11月双报到服务通报" in page
    assert "李建国" in page and "省种子站党支部" in page
    assert "王晓梅" not in page  # keeps her name off public boards
    for words in PRIVATE:
        assert words not in page
    assert "data-print" in page


def test_the_secretary_sees_the_numbers_from_the_dashboard(client, neighbourhood, login_as):
    login_as(neighbourhood.secretary)
    page = client.get("/manage/").get_data(as_text=True)
    assert "近12个月的数字" in page and "/manage/stats" in page
    response = client.get(f"/manage/stats?{RANGE}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert len(_charts(page)) == 5 and "导出心愿清单" in page


def test_residents_and_volunteers_have_no_statistics_page(client, neighbourhood, login_as):
    login_as(neighbourhood.volunteer)
    assert client.get("/manage/stats").status_code == 403
    assert client.get("/manage/wishes/export").status_code == 403


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_the_wish_list_downloads_with_the_boards_filters(client, neighbourhood, story,
                                                         login_as):
    login_as(neighbourhood.secretary)
    response = client.get("/manage/wishes/export?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _csv(response)
    assert rows[1][:2] == ["编号", "标题"]
    titles = [row[1] for row in rows[2:]]
    assert set(titles) == {"陪吴奶奶去医院", "修水龙头", "教老人用手机", "打扫楼道", "垃圾分类宣传"}
    assert "别处的心愿" not in titles
    completed = _csv(client.get("/manage/wishes/export?format=csv&status=completed&q=楼道"))
    assert [row[1] for row in completed[2:]] == ["打扫楼道"]
    assert completed[2][15:17] == ["3", "已确认"]  # hours and their confirmation
    project = _csv(client.get("/manage/wishes/export?format=csv&kind=project"))
    assert [row[1] for row in project[2:]] == ["垃圾分类宣传"]
    assert "吴秀英" not in response.get_data().decode("utf-8-sig")  # the alias only


def test_the_downloads_keep_a_formula_as_text(client, neighbourhood, login_as):
    hostile = '=HYPERLINK("http://x","y")'
    stats_data.make_wish(neighbourhood.secretary, title=hostile, now=at(11, 1))
    login_as(neighbourhood.secretary)
    rows = _csv(client.get("/manage/wishes/export?format=csv"))
    assert rows[2][1] == "'" + hostile
    response = client.get("/manage/wishes/export?format=xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    cell = sheet.cell(row=3, column=2)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (hostile, "s", True)


def test_a_secretary_downloads_only_their_own_community(client, neighbourhood, login_as):
    login_as(neighbourhood.far_secretary)
    rows = _csv(client.get(f"/manage/wishes/export?format=csv"
                           f"&community_id={neighbourhood.community.id}"))
    assert rows[0][0].startswith("肖家河社区")  # community_id is an admin's choice only


# The roll-up, and the street account --------------------------------------------------------

def test_a_street_account_is_shown_the_rollup_instead_of_management(client, neighbourhood,
                                                                    story, street, login_as):
    login_as(street["account"])
    for url in ("/manage/", "/manage/needs", "/manage/wishes", "/manage/settings",
                "/manage/commendation", "/manage/stats", "/manage/wishes/new",
                "/manage/organizations", "/manage/hours", "/manage/places"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith("/manage/rollup"), url
    response = client.get(f"/manage/rollup?{RANGE}&sort=completed&order=desc")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.index("玉林北路社区") < page.index("肖家河社区")
    assert "锦城社区" not in page  # another street's
    assert 'aria-sort="descending"' in page
    assert "玉林街道光荣榜" in page and "李建国" in page
    for url in ("/", f"/communities/{street['street'].id}", "/auth/account",
                f"/communities/{street['street'].id}/honor",
                f"/communities/{street['street'].id}/activities"):
        assert client.get(url, follow_redirects=True).status_code == 200, url


def _tabs(page: str) -> dict[str, str]:
    """The bottom tab bar's links: {words: address}."""
    bar = re.search(r'<nav class="tabbar[^"]*" aria-label="主菜单">(.*?)</nav>', page, re.S)[1]
    return {words.strip(): href for href, words in
            re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)', bar)}


def test_a_street_accounts_tabs_lead_to_its_rollup(client, neighbourhood, story, street,
                                                   login_as):
    """Its bottom tabs: 找心愿 (its street's page, listing the communities), 光荣榜 (the
    roll-up's district-wide boards) and 汇总 in place of 管理; no 活动 or board of the
    street itself, which are empty."""
    login_as(street["account"])
    links = _tabs(client.get("/manage/rollup").get_data(as_text=True))
    assert list(links) == ["找心愿", "光荣榜", "汇总", "我的"]
    assert links["光荣榜"] == "/manage/rollup#boards"
    assert links["汇总"] == "/manage/rollup"
    assert links["找心愿"] == f"/communities/{street['street'].id}"
    street_page = client.get(links["找心愿"]).get_data(as_text=True)
    assert "玉林北路社区" in street_page and "肖家河社区" in street_page
    # A community's secretary keeps their community's tabs.
    login_as(neighbourhood.secretary)
    links = _tabs(client.get("/manage/").get_data(as_text=True))
    assert list(links) == ["找心愿", "活动", "光荣榜", "管理", "我的"]
    assert links["光荣榜"] == f"/communities/{neighbourhood.community.id}/honor"


def test_a_street_account_is_labelled_a_rollup_account(client, street, make_user, login_as):
    login_as(street["account"])
    account = client.get("/auth/account").get_data(as_text=True)
    assert "<dt>身份</dt><dd>汇总账号</dd>" in account
    assert "<dt>街道</dt><dd>玉林街道</dd>" in account
    assert "社区书记" not in account
    assert 'href="/manage/rollup"' in account
    login_as(make_user("admin", None))
    secretaries = client.get("/manage/secretaries").get_data(as_text=True)
    assert "街道汇总账号" in secretaries and "社区书记</span>" in secretaries


def test_the_rollup_page_is_refused_to_another_streets_secretary(client, street, login_as):
    login_as(street["third_secretary"])
    response = client.get(f"/manage/rollup?place_id={street['street'].id}")
    assert response.status_code == 403
    # Their own street is where the page opens.
    page = client.get("/manage/rollup").get_data(as_text=True)
    assert "簇桥街道汇总" in page and "锦城社区" in page


def test_a_street_account_cannot_post_a_need_or_publish_a_wish(client, neighbourhood, street,
                                                               login_as):
    login_as(street["account"])
    client.post("/manage/needs/new", data={"title": "街道代录", "description": "不行",
                                           "contact_name": "某人"})
    client.post("/manage/wishes/new", data={"title": "街道的心愿", "description": "不行",
                                            "category_id": str(neighbourhood.category_id),
                                            "beneficiary_name": "某人"})
    assert db.session.scalar(db.select(db.func.count()).select_from(
        wishes.Wish).where(wishes.Wish.title == "街道的心愿")) == 0


def test_an_admin_creates_a_street_account_from_the_secretaries_page(client, street,
                                                                     make_user, login_as):
    admin = make_user("admin", None)
    login_as(admin)
    page = client.get("/manage/secretaries").get_data(as_text=True)
    assert "街道：玉林街道" in page and "区：武侯区" in page
    form_page = client.get("/manage/secretaries")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form_page.get_data(as_text=True))
    data = {"name": "区李主任", "username": "quli", "password": "district-pass-2026",
            "community_id": str(street["district"].id)}
    if token:
        data["csrf_token"] = token[1]
    response = client.post("/manage/secretaries", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    account = db.session.scalar(db.select(User).where(User.username == "quli"))
    assert account.role is Role.SECRETARY and account.community_id == street["district"].id


def test_the_public_figures_come_from_the_page_cache_until_a_write(app, neighbourhood):
    visitor = app.test_client()
    for url in (f"/communities/{neighbourhood.community.id}/stats",
                f"/api/v1/communities/{neighbourhood.community.id}/stats"):
        first, second = visitor.get(url), visitor.get(url)
        assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit"), url
        stats_data.make_wish(neighbourhood.secretary)  # a write: the figures change at once
        third = visitor.get(url)
        assert third.headers["X-Cache"] == "miss" and third.get_data() != first.get_data()


def test_the_wish_list_page_downloads_what_it_shows(client, neighbourhood, story, login_as):
    login_as(neighbourhood.secretary)
    page = client.get("/manage/wishes?status=expired").get_data(as_text=True)
    link = re.search(r'href="(/manage/wishes/export\?[^"]+)"', page)[1].replace("&amp;", "&")
    response = client.get(link)
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [row[1].value for row in sheet.iter_rows(min_row=3)] == ["教老人用手机"]


def test_no_page_or_read_answers_500_to_a_street_account(app, client, neighbourhood, story,
                                                         street, login_as, token_for):
    """Every GET of the site and the API, as the street account: the roll-up, a redirect
    to it, or a refusal; never a page that assumed a community."""
    headers = token_for(street["account"])
    login_as(street["account"])
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/static"):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(street["street"].id)).replace(
                f"<{name}>", "1")
        response = client.get(url, headers=headers if url.startswith("/api/") else {})
        assert response.status_code < 500, (url, response.get_data(as_text=True)[:300])
        checked += 1
    assert checked > 50
