"""Times read the way a Chinese reader expects: a deadline that is a date says 12月13日（周日）前
(no clock time, no doubled 前), recent events say 3分钟前 or 昨天下午3点, and a promise made
at 01:29 lasts to the end of the promised local day."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from wishboard.activities import services as activities
from wishboard.core import clock
from wishboard.extensions import db
from wishboard.notifications.services import notify
from wishboard.wishes import services as wishes

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    """A local (Shanghai) wall-clock moment, as the aware UTC datetime the database holds."""
    return datetime(*args, tzinfo=SHANGHAI).astimezone(timezone.utc)


PUBLISHED = at(2026, 12, 5, 15, 0)        # Saturday afternoon
CLAIMED = at(2026, 12, 6, 1, 29)          # Sunday, 01:29 local (Saturday 17:29 UTC)
LOOKING = CLAIMED + timedelta(minutes=3)  # when the pages are read


def text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def reading_at(monkeypatch):
    """The words on the page are worked out at ``LOOKING`` (services get ``now=``)."""
    monkeypatch.setattr(clock, "utcnow", lambda: LOOKING)


@pytest.fixture
def promised(app, neighbourhood, make_wish):
    n = neighbourhood
    wish = make_wish(n.secretary, served=n.served, now=PUBLISHED,
                     expires_at=at(2026, 12, 20, 23, 59, 59))
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True, now=CLAIMED)
    return wish


def test_a_claim_at_0129_promises_the_whole_last_day(app, neighbourhood, promised):
    assert neighbourhood.community.claim_window_days == 7
    due = promised.due_at.astimezone(SHANGHAI)
    assert (due.date(), due.hour, due.minute, due.second) == (
        datetime(2026, 12, 13).date(), 23, 59, 59)


def test_the_wish_page_writes_the_promise_and_the_deadline_as_days(
        client, neighbourhood, promised, login_as, reading_at):
    page = text(login_as(neighbourhood.volunteer).get(f"/wishes/{promised.id}"))
    assert "<dt>承诺完成</dt><dd>12月13日（周日）前</dd>" in page
    assert "<dt>截止时间</dt><dd>12月20日（周日）前</dd>" in page
    assert "前前" not in page and "凌晨" not in page and "23点" not in page
    assert "<dt>发布时间</dt><dd>昨天下午3点</dd>" in page
    # the timeline: the claim three minutes ago, its exact moment kept for machines
    assert f'<time datetime="{CLAIMED.isoformat()}">3分钟前</time>' in page


def test_my_claims_and_my_account_say_by_which_day(client, neighbourhood, promised, login_as,
                                                   reading_at):
    volunteer = login_as(neighbourhood.volunteer)
    assert "请在12月13日（周日）前完成" in text(volunteer.get("/claims/mine"))
    assert "12月13日（周日）前完成" in text(volunteer.get("/auth/account"))


def test_the_inbox_says_how_long_ago(client, neighbourhood, promised, login_as, reading_at):
    n = neighbourhood
    notify([n.served.id], "note", "前天的消息", now=at(2026, 12, 4, 9, 0))
    notify([n.served.id], "note", "上个月的消息", now=at(2026, 11, 2, 10, 0))
    notify([n.served.id], "note", "去年的消息", now=at(2025, 11, 30, 10, 0))
    db.session.commit()
    inbox = text(login_as(n.served).get("/inbox"))
    assert ">3分钟前</time>" in inbox                 # the claim, just now
    assert ">前天上午9点</time>" in inbox
    assert ">11月2日（周一）</time>" in inbox
    assert ">2025年11月30日（周日）</time>" in inbox


def test_an_activity_page_writes_its_span_and_signup_deadline(client, community, make_user,
                                                               reading_at):
    organizer = make_user("secretary", community)
    activity = activities.create_activity(
        organizer, title="健康讲座", description="社区卫生服务中心医生主讲", category_id=1,
        starts_at=at(2026, 12, 8, 9, 0), ends_at=at(2026, 12, 8, 11, 30),
        signup_deadline=at(2026, 12, 7, 20, 0), capacity=10, audience="all", now=CLAIMED)
    page = text(client.get(f"/activities/{activity.id}"))
    assert "<dd>12月8日（周二）上午9点至11点半</dd>" in page
    assert "<dd>12月7日（周一）晚上8点前</dd>" in page


NOW = at(2026, 12, 6, 15, 24)  # Sunday afternoon


@pytest.mark.parametrize("moment, words", [
    (at(2026, 12, 6, 15, 24), "12月6日（周日）下午3点24分"),
    (at(2026, 12, 6, 15, 0), "12月6日（周日）下午3点"),
    (at(2026, 12, 6, 15, 30), "12月6日（周日）下午3点半"),
    (at(2026, 12, 6, 12, 5), "12月6日（周日）中午12点5分"),
    (at(2026, 12, 6, 0, 0), "12月6日（周日）零点"),
    (at(2026, 12, 6, 0, 30), "12月6日（周日）零点半"),
    (at(2026, 12, 6, 1, 29), "12月6日（周日）凌晨1点29分"),
    (at(2026, 12, 6, 9, 0), "12月6日（周日）上午9点"),
    (at(2026, 12, 6, 20, 0), "12月6日（周日）晚上8点"),
    (at(2025, 11, 30, 9, 0), "2025年11月30日（周日）上午9点"),
])
def test_moments(moment, words):
    assert clock.datetime_words(moment, now=NOW) == words


@pytest.mark.parametrize("moment, words", [
    (at(2026, 11, 30, 23, 59, 59), "11月30日（周一）前"),
    (at(2026, 11, 30, 23, 59), "11月30日（周一）前"),
    (at(2026, 12, 1, 0, 0), "11月30日（周一）前"),  # midnight: the end of the day before
    (at(2026, 11, 30, 15, 0), "11月30日（周一）下午3点前"),
    (at(2027, 1, 4, 23, 59, 59), "2027年1月4日（周一）前"),
    (None, ""),
])
def test_deadlines(moment, words):
    assert clock.deadline_words(moment, now=NOW) == words


@pytest.mark.parametrize("moment, words", [
    (NOW - timedelta(seconds=20), "刚刚"),
    (NOW + timedelta(seconds=20), "刚刚"),
    (NOW - timedelta(minutes=3), "3分钟前"),
    (NOW - timedelta(minutes=59), "59分钟前"),
    (NOW - timedelta(hours=2, minutes=10), "2小时前"),
    (at(2026, 12, 6, 0, 10), "15小时前"),
    (at(2026, 12, 5, 23, 50), "昨天晚上11点50分"),
    (at(2026, 12, 5, 15, 0), "昨天下午3点"),
    (at(2026, 12, 4, 9, 0), "前天上午9点"),
    (at(2026, 11, 2, 9, 0), "11月2日（周一）"),
    (at(2025, 11, 30, 9, 0), "2025年11月30日（周日）"),
    (at(2026, 12, 9, 9, 0), "12月9日（周三）上午9点"),  # the future: in full
])
def test_ago(moment, words):
    assert clock.ago_words(moment, now=NOW) == words


def test_ago_keeps_the_time_for_records_and_half_an_hour_after_midnight_is_minutes():
    assert clock.ago_words(at(2026, 11, 2, 9, 0), now=NOW, with_time=True) == \
        "11月2日（周一）上午9点"
    assert clock.ago_words(at(2026, 12, 5, 23, 50), now=at(2026, 12, 6, 0, 20)) == "30分钟前"


@pytest.mark.parametrize("start, end, words", [
    (at(2026, 12, 8, 9, 0), at(2026, 12, 8, 11, 30), "12月8日（周二）上午9点至11点半"),
    (at(2026, 12, 8, 9, 0), at(2026, 12, 8, 15, 0), "12月8日（周二）上午9点至下午3点"),
    (at(2026, 12, 8, 9, 0), at(2026, 12, 9, 9, 0),
     "12月8日（周二）上午9点至12月9日（周三）上午9点"),
])
def test_periods(start, end, words):
    assert clock.period_words(start, end, now=NOW) == words
