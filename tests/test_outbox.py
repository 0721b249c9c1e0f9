"""Notifications that leave the app: the outbox written with each change, the delivery job
sending to a real HTTP receiver on this machine, signatures, retries with back-off, the
dead-letter state, the delivery log, people's choices, and the guard against webhooks that
point inside the network."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from wishboard.core.clock import utcnow
from wishboard.errors import ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications import outbox
from wishboard.notifications import services as notifications
from wishboard.notifications.models import Delivery, DeliveryStatus, Notification


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers each POST with the next status of
    ``script`` (then 200), and keeps what it got."""

    def __init__(self, script=()):
        self.script, self.got = list(script), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append((dict(self.headers), body))
                self.send_response(receiver.script.pop(0) if receiver.script else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook?from=wishboard"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def _make(*script):
        made.append(Receiver(script))
        return made[-1]

    yield _make
    for each in made:
        each.close()


@pytest.fixture
def local_hooks(app):
    """A bridge on this host (the tests' receiver): allowed as WEBHOOK_ALLOW_PRIVATE allows."""
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_RETRY_SECONDS=60,
                      WEBHOOK_MAX_ATTEMPTS=3, WEBHOOK_TIMEOUT_SECONDS=5)
    return app


def app_client(client):
    """A client without the page log-in's cookie, for calls with a bearer token."""
    return client.application.test_client()


def deliveries(status=None):
    query = sa.select(Delivery).order_by(Delivery.id)
    if status:
        query = query.where(Delivery.status == status)
    db.session.expire_all()
    return list(db.session.scalars(query))


def test_a_decided_report_is_delivered_once_and_signed(local_hooks, receiver, community,
                                                       make_user, runner):
    secretary = make_user("secretary", community)
    volunteer = make_user("volunteer", community, name="孙婷", phone="13900001111",
                          report_status="pending")
    hook = receiver()
    channel = notifications.create_channel(secretary, community_id=community.id,
                                           name="社区服务号", url=hook.url)
    from wishboard.accounts import services as accounts
    accounts.approve_report(secretary, volunteer.id)

    (queued,) = deliveries()
    assert queued.status is DeliveryStatus.PENDING and queued.notification.kind == \
        "report_decided"
    result = runner.invoke(args=["wishboard", "deliver"])
    assert result.exit_code == 0 and "delivered 1" in result.output

    (headers, body), = hook.got
    signature = "sha256=" + hmac.new(channel.secret.encode(),
                                     headers["X-Wishboard-Timestamp"].encode() + b"." + body,
                                     hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Wishboard-Signature"], signature)
    assert headers["X-Wishboard-Delivery"] == str(queued.id)
    message = json.loads(body)
    assert message["kind"] == "report_decided" and "已通过审核" in message["text"]
    assert message["person"] == {"id": volunteer.id, "name": "孙婷", "phone": "13900001111",
                                 "username": volunteer.username}
    (sent,) = deliveries()
    assert sent.status is DeliveryStatus.DELIVERED and sent.attempts == 1
    # Delivered means delivered once: another run sends nothing.
    assert "delivered 0" in runner.invoke(args=["wishboard", "deliver", "--now"]).output
    assert len(hook.got) == 1


def test_a_receiver_failing_twice_gets_it_on_the_third_try_after_growing_waits(
        local_hooks, receiver, community, make_user):
    secretary = make_user("secretary", community)
    resident = make_user("resident", community)
    hook = receiver(500, 503)
    notifications.create_channel(secretary, community_id=community.id, name="短信", url=hook.url)
    t0 = utcnow()
    notifications.notify([resident.id], "wish_claimed", "您的心愿已有人认领", now=t0)
    db.session.commit()

    assert outbox.deliver_due(now=t0).retrying == 1
    (first,) = deliveries()
    assert first.attempts == 1 and first.last_error == "对方回答 HTTP 500"
    assert first.next_attempt_at == t0 + timedelta(seconds=60)
    assert outbox.deliver_due(now=t0 + timedelta(seconds=30)).retrying == 0  # not yet due
    assert outbox.deliver_due(now=t0 + timedelta(seconds=61)).retrying == 1
    (second,) = deliveries()
    assert second.next_attempt_at == t0 + timedelta(seconds=61 + 120)  # the wait doubled
    assert outbox.deliver_due(now=t0 + timedelta(seconds=200)).delivered == 1
    (done,) = deliveries()
    assert done.status is DeliveryStatus.DELIVERED and done.attempts == 3
    assert len(hook.got) == 3
    assert len({headers["X-Wishboard-Delivery"] for headers, _ in hook.got}) == 1


def test_a_receiver_that_never_answers_well_ends_dead_and_the_log_says_why(
        local_hooks, receiver, community, make_user, client, login_as, token_for):
    secretary = make_user("secretary", community)
    resident = make_user("resident", community)
    hook = receiver(500, 500, 500)
    channel = notifications.create_channel(secretary, community_id=community.id,
                                           name="服务号", url=hook.url)
    notifications.notify([resident.id], "wish_claimed", "您的心愿已有人认领")
    db.session.commit()
    api = token_for(secretary)  # (before the page log-in: the API is used with a token)
    for _ in range(3):
        outbox.deliver_due(everything=True)
    (dead,) = deliveries()
    assert dead.status is DeliveryStatus.DEAD and dead.attempts == 3
    assert outbox.deliver_due(everything=True).summary() == \
        "delivered 0, retrying 0, dead 0"  # dead stays dead

    login_as(secretary)
    page = client.get("/manage/channels?status=dead").get_data(as_text=True)
    assert "发送失败" in page and "对方回答 HTTP 500" in page and "您的心愿已有人认领" in page
    logged = app_client(client).get(f"/api/v1/communities/{community.id}/deliveries?status=dead",
                                    headers=api).get_json()
    assert logged["total"] == 1 and logged["items"][0]["last_error"] == "对方回答 HTTP 500"

    # Once the bridge is mended, the secretary sends them again.
    retried = app_client(client).post(f"/api/v1/channels/{channel.id}/retry", headers=api)
    assert retried.get_json() == {"retried": 1}
    assert outbox.deliver_due(everything=True).delivered == 1


def test_a_copy_of_a_delivery_taken_again_since_does_nothing(local_hooks, receiver, community,
                                                            make_user):
    """A queue may carry a message twice: the try under a lease that was replaced (the
    delivery taken again since) neither sends nor writes."""
    secretary = make_user("secretary", community)
    hook = receiver()
    notifications.create_channel(secretary, community_id=community.id, name="服务号",
                                 url=hook.url)
    notifications.notify([make_user("resident", community).id], "wish_claimed", "x")
    db.session.commit()
    (queued,) = deliveries()
    stale = queued.next_attempt_at - timedelta(minutes=5)
    assert outbox.attempt(queued.id, leased_until=stale).summary() == \
        "delivered 0, retrying 0, dead 0"
    assert hook.got == [] and deliveries()[0].attempts == 0
    assert outbox.attempt(queued.id, leased_until=queued.next_attempt_at).delivered == 1
    assert len(hook.got) == 1


def test_no_message_leaves_for_a_change_that_was_rolled_back(local_hooks, receiver, community,
                                                             make_user):
    secretary = make_user("secretary", community)
    resident = make_user("resident", community)
    notifications.create_channel(secretary, community_id=community.id, name="服务号",
                                 url=receiver().url)
    notifications.notify([resident.id], "wish_claimed", "不会发出")
    db.session.rollback()
    assert deliveries() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_people_keep_a_kind_of_message_inside_the_app(local_hooks, receiver, community,
                                                      make_user, client, login_as, token_for):
    secretary = make_user("secretary", community)
    resident = make_user("resident", community)
    notifications.create_channel(secretary, community_id=community.id, name="服务号",
                                 url=receiver().url)
    api = token_for(resident)
    login_as(resident)
    page = client.get("/auth/account").get_data(as_text=True)
    assert "哪些消息也发到微信或短信" in page and 'id="out_reminders"' in page
    assert 'id="out_staff"' not in page  # staff reminders are for staff
    # Tick every box but 提醒.
    client.post("/account/notifications", data={"out_progress": "1", "out_hours": "1"})
    settings = client.get("/api/v1/me/notification-settings").get_json()
    assert settings["outside"]["reminders"] is False and settings["outside"]["progress"] is True
    notifications.notify([resident.id], "reminder_rating", "请去评价")
    notifications.notify([resident.id], "wish_completed", "服务已完成")
    db.session.commit()
    assert [d.notification.kind for d in deliveries()] == ["wish_completed"]
    # Both are in the inbox all the same.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 2
    bad = app_client(client).put("/api/v1/me/notification-settings",
                                 json={"muted": ["everything"]}, headers=api)
    assert bad.status_code == 400 and "muted" in bad.get_json()["error"]["fields"]


def test_an_inactive_channel_or_another_community_gets_nothing(local_hooks, receiver,
                                                               community, make_place, make_user):
    secretary = make_user("secretary", community)
    elsewhere = make_place("肖家河社区")
    far = make_user("resident", elsewhere)
    channel = notifications.create_channel(secretary, community_id=community.id, name="服务号",
                                           url=receiver().url)
    notifications.notify([far.id], "wish_claimed", "别的社区")
    notifications.set_channel_active(secretary, channel.id, False)
    notifications.notify([make_user("resident", community).id], "wish_claimed", "已停用")
    db.session.commit()
    assert deliveries() == []


@pytest.mark.parametrize("url, why", [
    ("http://127.0.0.1:8080/hook", "内网"), ("http://localhost/hook", "内网"),
    ("http://10.1.2.3/hook", "内网"), ("http://169.254.169.254/latest/meta-data", "内网"),
    ("http://[::1]/hook", "内网"), ("ftp://example.cn/hook", "http"),
    ("http://user:pw@example.cn/hook", "用户名"), ("not a url", "http"),
    ("http://[::ffff:127.0.0.1]/hook", "内网"), ("http://[64:ff9b::a9fe:a9fe]/hook", "内网"),
    ("http://[2002:a9fe:a9fe::1]/hook", "内网"), ("http://[::127.0.0.1]/hook", "内网"),
    ("http://1.1.1.1:6379/hook", "端口"),
])
def test_webhooks_that_point_inside_the_network_are_refused(app, community, make_user, url,
                                                            why, client, token_for):
    secretary = make_user("secretary", community)
    with pytest.raises(ValidationFailedError) as refused:
        notifications.create_channel(secretary, community_id=community.id, name="x", url=url)
    assert why in refused.value.fields["url"][0]
    answer = client.post(f"/api/v1/communities/{community.id}/channels",
                         json={"name": "服务号", "url": url}, headers=token_for(secretary))
    assert answer.status_code == 400 and "url" in answer.get_json()["error"]["fields"]


def test_a_saved_address_that_turns_private_is_not_called(local_hooks, receiver, community,
                                                          make_user):
    """Checked again at each send: a channel saved while allowed is not called once the
    deployment stops allowing private addresses."""
    secretary = make_user("secretary", community)
    hook = receiver()
    notifications.create_channel(secretary, community_id=community.id, name="服务号",
                                 url=hook.url)
    notifications.notify([make_user("resident", community).id], "wish_claimed", "x")
    db.session.commit()
    local_hooks.config["WEBHOOK_ALLOW_PRIVATE"] = False
    report = outbox.deliver_due(everything=True)
    assert report.retrying == 1 and hook.got == []
    assert "地址不可用" in deliveries()[0].last_error


def test_channels_are_the_secretarys_business(app, community, make_place, make_user, client,
                                              login_as, token_for, local_hooks, receiver):
    secretary = make_user("secretary", community)
    channel = notifications.create_channel(secretary, community_id=community.id, name="服务号",
                                           url=receiver().url)
    stranger = token_for(make_user("secretary", make_place("肖家河社区")))
    assert client.get(f"/api/v1/communities/{community.id}/channels",
                      headers=stranger).status_code == 403
    assert client.patch(f"/api/v1/channels/{channel.id}", json={"is_active": False},
                        headers=stranger).status_code == 403
    volunteer = token_for(make_user("volunteer", community))
    assert client.get(f"/api/v1/communities/{community.id}/deliveries",
                      headers=volunteer).status_code == 403
    login_as(secretary)
    listed = client.get(f"/api/v1/communities/{community.id}/channels").get_json()
    assert listed[0]["secret"] == channel.secret and len(channel.secret) == 64
    local_hooks.config["WEBHOOK_ALLOW_PRIVATE"] = False
    page = client.post("/manage/channels", data={"name": "短信", "url": "http://10.0.0.1/x"})
    assert "不能发往内网" in page.get_data(as_text=True)


# A Redis database of its own for each parallel worker (gw0 15, gw1 14, ...): the queue's
# test empties it.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
REDIS_URL = os.environ.get("WISHBOARD_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _WORKER}")


@pytest.fixture
def redis_queue(local_hooks):
    """The deployment's Redis as the delivery queue (a database of its own, emptied)."""
    redis = pytest.importorskip("redis")
    pytest.importorskip("dramatiq")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    client.flushdb()
    local_hooks.config["DELIVERY_BROKER_URL"] = REDIS_URL
    yield local_hooks
    local_hooks.extensions.pop("wishboard_delivery_queue", None)
    client.flushdb()
    client.close()


def test_past_one_machine_the_queue_carries_deliveries_to_a_worker(
        redis_queue, receiver, community, make_user, runner):
    """With DELIVERY_BROKER_URL the scheduler's job only hands ids to Dramatiq on Redis; a
    worker makes the try, and the outbox keeps its outcome."""
    import dramatiq

    from wishboard.notifications.queue import QUEUE_NAME, delivery_queue

    secretary = make_user("secretary", community)
    hook = receiver(500)
    notifications.create_channel(secretary, community_id=community.id, name="服务号",
                                 url=hook.url)
    notifications.notify([make_user("resident", community).id], "wish_claimed", "已认领")
    db.session.commit()

    handed = runner.invoke(args=["wishboard", "deliver"])
    assert "queued 1" in handed.output and hook.got == []  # nothing sent by the job itself
    broker = delivery_queue(redis_queue).broker
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        broker.join(QUEUE_NAME, timeout=20_000)
        (first,) = deliveries()
        assert first.status is DeliveryStatus.PENDING and first.attempts == 1  # a 500
        assert first.last_error == "对方回答 HTTP 500"
        assert "queued 1" in runner.invoke(args=["wishboard", "deliver", "--now"]).output
        broker.join(QUEUE_NAME, timeout=20_000)
    finally:
        worker.stop()
    (done,) = deliveries()
    assert done.status is DeliveryStatus.DELIVERED and done.attempts == 2
    assert len(hook.got) == 2
