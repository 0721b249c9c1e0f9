"""gunicorn's settings for Wishboard. gunicorn reads this file from the directory it starts
in (``gunicorn wsgi:app``); anything given on its command line wins over it.

Environment: ``BIND`` (default 127.0.0.1:8000, behind nginx), ``WEB_CONCURRENCY`` (workers;
default two per CPU core plus one), ``GUNICORN_THREADS`` (threads per worker, default 1),
``GUNICORN_TIMEOUT`` (seconds a request may take, default 30), ``ACCESS_LOG`` (a file, or
``-`` for standard output, the default; empty to turn it off).

The scheduler does not run here: start ``flask wishboard scheduler`` once, anywhere.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
# The app reads this to know it shares the machine with other workers (per-process
# counters and caches are then refused or turned off).
os.environ.setdefault("WEB_CONCURRENCY", str(workers))

# A request that takes longer than this is cut off and its worker replaced; a restart
# (SIGHUP, or a deploy's SIGTERM) lets requests in flight finish for this long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
keepalive = 5
# Replace each worker after this many requests (spread out, so not all at once): a slow
# leak in any library never grows without end. A worker takes about a second to start, so
# not too often: at 1,000 requests a second per worker, once every couple of minutes.
max_requests = 100000
max_requests_jitter = 10000
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# One line per request: who, what, status, size, milliseconds, the request id the app
# answered with (X-Request-ID, also in its error log lines) and the browser.
accesslog = os.environ.get("ACCESS_LOG", "-") or None
access_log_format = ('%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s '
                     '"%(a)s"')
errorlog = "-"
# Behind nginx on the same host: trust its X-Forwarded-* headers (the app's ProxyFix reads
# them only with PROXY_FIX_X_FOR).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# ...but never let a request header move the app under another path (SCRIPT_NAME): the
# site is served at the root.
forwarder_headers = ""
