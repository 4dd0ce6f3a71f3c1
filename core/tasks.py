from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def _send(task, args: tuple, kwargs: dict) -> None:
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:
        # The data is already committed; a broker outage must not turn a successful request
        # into an error. Every task we enqueue this way has a periodic sweep or is best-effort.
        logger.exception("could not enqueue task=%s args=%s", task.name, args)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send a Celery task once the current transaction commits (never if it rolls back)."""
    transaction.on_commit(partial(_send, task, args, kwargs))
