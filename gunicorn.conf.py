"""gunicorn settings for production: `gunicorn config.wsgi` picks this file up by itself."""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers: every request is short (exports stream from a cursor, not held in memory).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # large XLSX exports
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
access_log_format = (
    'time=%(t)s level=INFO logger=gunicorn.access remote=%(h)s method=%(m)s path="%(U)s" '
    'status=%(s)s bytes=%(B)s duration_us=%(D)s agent="%(a)s"'
)
