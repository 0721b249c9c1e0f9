"""The queue's workers: ``dramatiq wishboard.notifications.worker`` on any host that has
the app's configuration (DATABASE_URL, DELIVERY_BROKER_URL, SECRET_KEY...). Each message is
one try of one delivery (``outbox.attempt``)."""

import dramatiq

from wishboard import create_app
from wishboard.notifications.queue import delivery_queue

app = create_app()
queue = delivery_queue(app)
if queue is None:
    raise RuntimeError("DELIVERY_BROKER_URL is not set: the scheduler sends by itself, no "
                       "worker is needed")
broker = queue.broker
dramatiq.set_broker(broker)
