"""The scheduler: one table of jobs, each a call into a service.

It runs in exactly one process: inside ``flask wishboard serve`` for development, and as
``flask wishboard scheduler`` in production. The app factory never starts it, so gunicorn
workers cannot run jobs N times.
"""

from __future__ import annotations

import logging
from functools import wraps

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from wishboard.services import tokens

log = logging.getLogger(__name__)

# Stable ids; every job is safe to run twice.
JOBS = [
    dict(id="purge_expired_tokens", func=tokens.purge_expired_tokens,
         trigger="cron", hour=3, minute=17),
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
            result = func()
            log.info("job %s done: %s", job_id, result)
            return result

    return run


def build_scheduler(app: Flask, scheduler_cls=BackgroundScheduler):
    scheduler = scheduler_cls(timezone=app.config["SCHEDULER_TIMEZONE"],
                              job_defaults=JOB_DEFAULTS)
    for job in JOBS:
        spec = dict(job)
        func = spec.pop("func")
        scheduler.add_job(_in_app_context(app, func, spec["id"]), replace_existing=True, **spec)
    return scheduler
