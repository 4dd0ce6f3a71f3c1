"""A Celery app for the killed-worker test: the first capture stalls after Stripe captured.

Started as `celery -A tests.payments.slow_payment_worker worker -Q payments-reliability`. The
first time a capture reaches Stripe, the process records its pid in $SLOW_CAPTURE_MARKER and
sleeps right after Stripe answered, before the outcome is recorded: the test kills it there,
the worst moment (the money moved, our database does not know). Later runs go straight through.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from config.celery import app

__all__ = ["app"]

MARKER = Path(os.environ.get("SLOW_CAPTURE_MARKER", "/tmp/slow-capture-marker"))


@task_prerun.connect
def stall_after_the_first_capture(sender=None, task=None, **kwargs) -> None:
    # Patched here, not at import: the worker imports this module before Django is set up.
    from payments.gateways import StripeGateway

    if getattr(StripeGateway.capture, "stalls", False):
        return
    capture = StripeGateway.capture

    def stalling_capture(self, **kwargs):
        result = capture(self, **kwargs)
        first_run = not MARKER.exists()
        with MARKER.open("a") as marker:
            marker.write(f"{os.getpid()}\n")
        if first_run:
            time.sleep(60)
        return result

    stalling_capture.stalls = True
    StripeGateway.capture = stalling_capture
