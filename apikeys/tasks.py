from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def purge_expired_idempotency_keys() -> int:
    """Periodic: forget Idempotency-Keys older than 24 hours. Idempotent, so safe to redeliver."""
    return services.idempotency_purge_expired()
