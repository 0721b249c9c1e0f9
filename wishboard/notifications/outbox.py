"""Messages that leave the app: the delivery job sends each queued ``Delivery`` to its
channel's webhook, signed, and retries with growing waits until it gives up.

Each message is one POST of JSON (UTF-8) with three headers:

- ``X-Wishboard-Delivery``: the delivery's id (the same on every retry: a receiver that
  sees it twice keeps one);
- ``X-Wishboard-Timestamp``: seconds since 1970, when this try was signed;
- ``X-Wishboard-Signature``: ``sha256=`` and the hex HMAC-SHA256, keyed with the channel's
  secret, of the timestamp, a dot and the body.

A 2xx answer is delivered; anything else (another status, a redirect, a refused or slow
connection) is a failure, retried after ``WEBHOOK_RETRY_SECONDS`` doubling each time, until
``WEBHOOK_MAX_ATTEMPTS`` tries: then the delivery is dead and the secretary's delivery log
says why.

Webhook addresses are checked against server-side request forgery when they are saved and
again at every send: the host's every address must be public (not private, loopback,
link-local, multicast or reserved), unless ``WEBHOOK_ALLOW_PRIVATE`` (a bridge on the same
host); the connection goes to the address that was checked, so a name that changes its
answer between the check and the connection cannot redirect it.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from wishboard.core.clock import utcnow
from wishboard.errors import ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications.models import Delivery, DeliveryStatus

USER_AGENT = "Wishboard-Webhook/1"
LONGEST_WAIT = timedelta(hours=6)


class UnsafeTarget(Exception):
    """The address may not be called (scheme, credentials, or a non-public host)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the IP checked, and the one connected to


def check_target(url: str, *, allow_private: bool) -> Target:
    """Where ``url`` would be sent, after the checks above; raises ``UnsafeTarget``."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget("地址格式不对") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("地址应以 http:// 或 https:// 开头")
    if parts.username or parts.password:
        raise UnsafeTarget("地址里不能带用户名或密码")
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeTarget("找不到这个地址的服务器") from None
    if not allow_private and port not in (80, 443, 8080, 8443):
        raise UnsafeTarget("端口只能是 80、443、8080 或 8443")
    addresses = sorted({info[4][0] for info in infos})
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not allow_private and not all(each.is_global for each in _every_form(ip)):
            raise UnsafeTarget("不能发往内网、本机或保留地址")
        if ip.is_multicast or ip.is_unspecified:
            raise UnsafeTarget("不能发往这个地址")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _every_form(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list:
    """The address and every IPv4 address it carries (mapped, 6to4, Teredo, NAT64 or the
    old IPv4-compatible form): each must be public, or a gateway could carry the call
    inside."""
    forms = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        forms += [form for form in (ip.ipv4_mapped, ip.sixtofour) if form is not None]
        if ip.teredo:
            forms += list(ip.teredo)
        if any(ip in net for net in NAT64) or int(ip) >> 32 == 0:
            forms.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return forms


def validate_webhook_url(url: str) -> str:
    """For the form and the API: the address as saved, or a field error."""
    try:
        check_target(url, allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"])
    except UnsafeTarget as error:
        raise ValidationFailedError(fields={"url": [str(error)]}) from None
    return url.strip()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout,
                         context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def payload(delivery: Delivery) -> dict:
    """What the receiver gets: the message, its person (to address them by phone or by a
    WeChat binding the bridge keeps) and where it points."""
    note = delivery.notification
    person = note.user
    path = f"/wishes/{note.wish_id}" if note.wish_id else "/inbox"
    return {"id": delivery.id, "kind": note.kind, "text": note.text,
            "created_at": note.created_at.isoformat(), "path": path,
            "wish_id": note.wish_id,
            "person": {"id": person.id, "name": person.name, "phone": person.phone,
                       "username": person.username},
            "community_id": delivery.channel.community_id}


@dataclass(frozen=True)
class Message:
    """One try, read from the database before any network: where, with which key, what."""

    delivery_id: int
    url: str
    secret: str
    body: bytes


def message_of(delivery: Delivery) -> Message:
    return Message(delivery.id, delivery.channel.url, delivery.channel.secret,
                   json.dumps(payload(delivery), ensure_ascii=False).encode())


def send(message: Message) -> None:
    """One try; raises ``DeliveryFailed`` with the reason."""
    config = current_app.config
    try:
        target = check_target(message.url, allow_private=config["WEBHOOK_ALLOW_PRIVATE"])
    except UnsafeTarget as error:
        raise DeliveryFailed(f"地址不可用：{error}") from None
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               "X-Wishboard-Delivery": str(message.delivery_id),
               "X-Wishboard-Timestamp": timestamp,
               "X-Wishboard-Signature": sign(message.secret, timestamp, message.body)}
    connection_class = (_PinnedHTTPSConnection if target.scheme == "https"
                        else _PinnedHTTPConnection)
    connection = connection_class(target, timeout=config["WEBHOOK_TIMEOUT_SECONDS"])
    try:
        connection.request("POST", target.path, body=message.body, headers=headers)
        response = connection.getresponse()
        response.read(4096)
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryFailed(f"连接失败：{type(error).__name__} {error}"[:300]) from None
    finally:
        connection.close()
    if not 200 <= response.status < 300:
        raise DeliveryFailed(f"对方回答 HTTP {response.status}")


class DeliveryFailed(Exception):
    pass


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    queued: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"delivered {self.delivered}, retrying {self.retrying}, dead {self.dead}"
        return text + (f", queued {self.queued}" if self.queued else "")


def _retry_wait(attempts: int) -> timedelta:
    base = timedelta(seconds=current_app.config["WEBHOOK_RETRY_SECONDS"])
    return min(base * (2 ** (attempts - 1)), LONGEST_WAIT)


def deliver_due(*, now: datetime | None = None, everything: bool = False,
                limit: int = 200) -> DeliveryReport:
    """The delivery job: every pending delivery whose time has come (with ``everything``,
    every pending one: ``flask wishboard deliver --now``), oldest first.

    Each is taken with a compare-and-set on its time (so a second sender running at the
    same moment skips it), pushed a lease ahead, and then either sent here, outside any
    transaction, or handed to the queue's workers when the deployment has one
    (``DELIVERY_BROKER_URL``: ``wishboard.notifications.queue``). A delivery whose worker
    never answers comes due again when its lease ends: at least once, and the receiver
    keeps one by its ``X-Wishboard-Delivery`` id."""
    from wishboard.notifications.queue import delivery_queue

    now = now or utcnow()
    report = DeliveryReport()
    query = sa.select(Delivery.id, Delivery.next_attempt_at).where(
        Delivery.status == DeliveryStatus.PENDING)
    if not everything:
        query = query.where(Delivery.next_attempt_at <= now)
    due = db.session.execute(query.order_by(Delivery.next_attempt_at, Delivery.id)
                             .limit(limit)).all()
    db.session.rollback()
    queue = delivery_queue(current_app._get_current_object())
    lease = timedelta(seconds=current_app.config["QUEUE_LEASE_SECONDS"] if queue
                      else current_app.config["WEBHOOK_TIMEOUT_SECONDS"] * 4)
    for delivery_id, planned in due:
        taken = db.session.execute(
            sa.update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING,
                   Delivery.next_attempt_at == planned)
            .values(next_attempt_at=now + lease))
        db.session.commit()
        if taken.rowcount != 1:
            continue
        if queue is not None:
            queue.send(delivery_id, now + lease)
            report.queued += 1
        else:
            attempt(delivery_id, leased_until=now + lease, now=now, report=report)
    return report


def attempt(delivery_id: int, *, leased_until: datetime | None = None,
            now: datetime | None = None, report: DeliveryReport | None = None
            ) -> DeliveryReport:
    """One try of one delivery, and its outcome: delivered, or retried later, or dead after
    the last try. Called by the job above, or by a queue worker with the lease it was
    handed: a delivery no longer pending, or taken again since (its lease replaced: a
    message the queue carried twice), is left alone. The message is read and that read
    ended before the network is used; the outcome is written only if the lease still
    holds, in a transaction of its own."""
    now = now or utcnow()
    report = report if report is not None else DeliveryReport()
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None or delivery.status is not DeliveryStatus.PENDING or (
            leased_until is not None and delivery.next_attempt_at != leased_until):
        db.session.rollback()
        return report
    message, attempts, lease = message_of(delivery), delivery.attempts + 1, \
        delivery.next_attempt_at
    db.session.rollback()
    try:
        send(message)
    except DeliveryFailed as failure:
        dead = attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]
        values = dict(attempts=attempts, last_error=str(failure)[:300])
        if dead:
            values["status"], outcome = DeliveryStatus.DEAD, "dead"
        else:
            values["next_attempt_at"], outcome = now + _retry_wait(attempts), "retrying"
        report.errors.append(f"{delivery_id}: {failure}")
    else:
        values = dict(attempts=attempts, status=DeliveryStatus.DELIVERED,
                      delivered_at=utcnow(), last_error=None)
        outcome = "delivered"
    written = db.session.execute(
        sa.update(Delivery).where(Delivery.id == delivery_id,
                                  Delivery.status == DeliveryStatus.PENDING,
                                  Delivery.next_attempt_at == lease).values(**values))
    db.session.commit()
    if written.rowcount == 1:
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
