"""The numbers in a real browser on a phone: the secretary's 统计 page with its SVG charts
and tables, the public 述评公开 page and the printable monthly 通报 that anyone opens
without logging in, and the roll-up a street account is shown. Every page is shot in both
modes (长辈版 too), its tap targets measured and checked with axe-core."""

import stats_data

from wishboard.extensions import db
from wishboard.places.models import PlaceLevel

RANGE = "from=2026-10&to=2026-12"


def test_the_statistics_and_the_public_page_read_on_a_phone(live_url, phone, shot,
                                                           neighbourhood, make_user):
    stats_data.build(neighbourhood, make_user)
    community = neighbourhood.community.id

    desk = phone(neighbourhood.secretary)
    desk.goto(f"{live_url}/manage/")
    assert desk.locator("#figures-heading").is_visible()
    shot(desk, "01-dashboard-figures")
    with desk.expect_navigation():
        desk.click("text=看统计图表")
    desk.goto(f"{live_url}/manage/stats?{RANGE}")
    charts = desk.locator("svg.chart-svg[role=img]")
    assert charts.count() == 5
    # a row for the year, three for the months, one for the total
    assert desk.locator("figure#chart-wishes table.numbers tbody tr").count() == 5
    box = charts.first.bounding_box()
    assert 250 < box["width"] <= 375 and box["height"] > 120
    shot(desk, "02-secretary-statistics")

    public = phone()
    public.goto(f"{live_url}/communities/{community}/stats?{RANGE}")
    assert "述评公开" in public.title()
    assert public.locator("svg.chart-svg[role=img]").count() == 5
    assert "李建国" not in public.content()
    shot(public, "03-public-figures")
    # A month typed wrong stays as typed, with the reason under its field.
    public.goto(f"{live_url}/communities/{community}/stats?from=2026-13&to=2026年3月")
    assert public.locator("#from").input_value() == "2026-13"
    assert public.locator("#to").input_value() == "2026年3月"
    assert public.locator("#from-error").is_visible()
    assert public.locator("#from").get_attribute("aria-describedby") == "from-error"
    shot(public, "03b-wrong-month")
    public.goto(f"{live_url}/communities/{community}/stats/report?month=2026-11")
    assert public.locator("h1").inner_text() == "2026年11月双报到服务通报"
    shot(public, "04-monthly-report")
    public.emulate_media(media="print")
    assert not public.locator(".tabbar").is_visible()
    public.emulate_media(media="screen")


def test_a_street_account_reads_its_communities_side_by_side(live_url, phone, shot,
                                                            neighbourhood, make_user,
                                                            make_place):
    stats_data.build(neighbourhood, make_user)
    street = make_place("玉林街道", level=PlaceLevel.STREET)
    for place in (neighbourhood.community, neighbourhood.elsewhere):
        place.parent_id = street.id
    db.session.commit()
    account = make_user("secretary", street, name="街道王主任", username="jiedao")

    desk = phone(account)
    desk.goto(f"{live_url}/manage/")
    assert desk.url.endswith("/manage/rollup")
    desk.goto(f"{live_url}/manage/rollup?{RANGE}")
    assert desk.locator("table.rollup tbody tr").count() == 2
    with desk.expect_navigation():
        desk.click("table.rollup thead a:has-text('完成')")
    with desk.expect_navigation():
        desk.click("table.rollup thead a:has-text('完成')")
    assert desk.locator("table.rollup tbody th").first.inner_text() == "肖家河社区"
    shot(desk, "05-street-rollup")
    # Its tabs lead to the roll-up, not to the empty pages of the street itself.
    assert desk.locator(".tabbar a").all_inner_texts() == ["找心愿", "光荣榜", "汇总", "我的"]
    with desk.expect_navigation():
        desk.click(".tabbar a:has-text('我的')")
    assert "汇总账号" in desk.locator("dl.facts").inner_text()
    shot(desk, "06-street-account")
