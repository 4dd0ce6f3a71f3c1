"""A Celery app for fault-injection tests: the first run of the activation task stalls.

Started as `celery -A tests.reliability.slow_worker worker -Q reliability`. The first time the
activation task starts, it records the pid of the process running it in $SLOW_TASK_MARKER and
sleeps, so the test can kill that process mid-task. Later runs go straight through.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from config.celery import app

__all__ = ["app"]

MARKER = Path(os.environ.get("SLOW_TASK_MARKER", "/tmp/slow-task-marker"))


@task_prerun.connect
def stall_the_first_activation(sender=None, task=None, **kwargs) -> None:
    if task is None or task.name != "resellers.tasks.activate_reseller":
        return
    first_run = not MARKER.exists()
    with MARKER.open("a") as marker:
        marker.write(f"{os.getpid()}\n")
    if first_run:
        time.sleep(60)
