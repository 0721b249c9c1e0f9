"""Past one machine: deliveries carried by a real queue. With ``DELIVERY_BROKER_URL`` (the
Redis the deployment already runs, e.g. ``redis://127.0.0.1:6379/2``), the scheduler's
delivery job only takes what is due and puts each delivery's id on a Dramatiq queue;
workers on any number of hosts (``dramatiq wishboard.notifications.worker``) make the
tries. Without it the scheduler process sends by itself.

Dramatiq rather than Celery: it speaks to Redis with nothing else to run, its workers are
plain processes, and the outbox already keeps what a queue would otherwise have to: the
state of every message, its retries with back-off and its dead letter, in the database
beside the change it reports. So the queue only carries ids, Dramatiq's own retries are
off (a failed try is rescheduled by the outbox), and a lost message is taken again when
its lease ends."""

from __future__ import annotations

from flask import Flask

QUEUE_NAME = "wishboard_deliveries"
ACTOR_NAME = "wishboard_deliver"


class DeliveryQueue:
    def __init__(self, app: Flask, url: str):
        import dramatiq
        from dramatiq.brokers.redis import RedisBroker

        self.broker = RedisBroker(url=url)

        def deliver(delivery_id: int, leased_until: str) -> None:
            from datetime import datetime

            from wishboard.notifications import outbox

            with app.app_context():
                outbox.attempt(delivery_id,
                               leased_until=datetime.fromisoformat(leased_until))

        self.actor = dramatiq.actor(deliver, actor_name=ACTOR_NAME, queue_name=QUEUE_NAME,
                                    max_retries=0, broker=self.broker)

    def send(self, delivery_id: int, leased_until) -> None:
        """Hand one delivery over with the lease it was taken under: a copy of the message
        that arrives after the delivery was taken again finds its lease gone and does
        nothing."""
        self.actor.send(delivery_id, leased_until.isoformat())


def delivery_queue(app: Flask) -> DeliveryQueue | None:
    """The app's queue when ``DELIVERY_BROKER_URL`` is set (made once per app), else None."""
    url = app.config.get("DELIVERY_BROKER_URL")
    if not url:
        return None
    queue = app.extensions.get("wishboard_delivery_queue")
    if queue is None:
        queue = app.extensions["wishboard_delivery_queue"] = DeliveryQueue(app, url)
    return queue
