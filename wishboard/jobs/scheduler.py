"""The scheduler: one table of jobs, each a call into a service.

It runs in exactly one process: inside ``flask wishboard serve`` for development, and as
``flask wishboard scheduler`` in production. The app factory never starts it, so gunicorn
workers cannot run jobs N times.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from functools import wraps

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from wishboard.accounts import tokens
from wishboard.core.clock import local_zone
from wishboard.jobs import sweeps
from wishboard.matching import digest
from wishboard.notifications import outbox

log = logging.getLogger(__name__)

# Stable ids; every job is safe to run twice.
JOBS = [
    # The stale-work policy. It selects whatever is due at the time it runs, so after a
    # downtime the first run (at start) catches up on everything that fell due meanwhile.
    dict(id="sweep", func=sweeps.run_sweep, trigger="interval", minutes=10, run_at_start=True),
    # Messages to outside channels: whatever is due, every half minute.
    dict(id="deliver", func=outbox.deliver_due, trigger="interval", seconds=30,
         run_at_start=True),
    dict(id="purge_expired_tokens", func=tokens.purge_expired_tokens,
         trigger="cron", hour=3, minute=17),
    # The followers' daily digest, at DIGEST_HOUR local time. It sends what waited until
    # the latest digest hour, so the run at start catches up on one a downtime missed and
    # never sends early; each person's items are taken once (matching/digest.py).
    dict(id="follow_digest", func=digest.send_digests, trigger="cron", minute=0,
         local_hour="DIGEST_HOUR", run_at_start=True),
]

JOB_DEFAULTS = {
    "coalesce": True,           # after a downtime, run once, not once per missed time
    "max_instances": 1,
    "misfire_grace_time": 3600,  # a run up to an hour late still happens
}


def _in_app_context(app: Flask, func, job_id: str):
    @wraps(func)
    def run():
        with app.app_context():
            try:
                result = func()
            except Exception:
                log.exception("job %s failed", job_id)
                raise
            summary = result.summary() if hasattr(result, "summary") else result
            log.info("job %s done: %s", job_id, summary)
            return result

    return run


def build_scheduler(app: Flask, scheduler_cls=BackgroundScheduler):
    scheduler = scheduler_cls(timezone=app.config["SCHEDULER_TIMEZONE"],
                              job_defaults=JOB_DEFAULTS)
    for job in JOBS:
        spec = dict(job)
        func = spec.pop("func")
        if spec.pop("run_at_start", False):
            spec["next_run_time"] = datetime.now(timezone.utc)
        if (hour_setting := spec.pop("local_hour", None)) is not None:
            # An hour of the community's day (a setting), in its own time zone.
            spec["hour"] = app.config[hour_setting]
            with app.app_context():
                spec["timezone"] = local_zone()
        scheduler.add_job(_in_app_context(app, func, spec["id"]), replace_existing=True, **spec)
    return scheduler
