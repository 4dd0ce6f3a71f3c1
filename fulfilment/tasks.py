from __future__ import annotations

import secrets

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .emails import build_message
from .models import OrderEmail


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_order_emails(email_ids: list[int]) -> int:
    """Send the order e-mails with these ids that are not sent yet; safe to run twice.

    Each row is claimed (sent_at set, with this run's token) by one conditional UPDATE before
    anything is sent, so a redelivered task or a second worker sends nothing twice. If the mail
    server fails, the rows not sent are released for the retry.
    """
    token = secrets.token_hex(8)
    OrderEmail.objects.filter(pk__in=email_ids, sent_at__isnull=True).update(
        sent_at=timezone.now(), claim=token
    )
    emails = list(
        OrderEmail.objects.filter(claim=token)
        .select_related("order__reseller", "shipment")
        .prefetch_related("shipment__lines__order_line")
    )
    sent: list[int] = []
    try:
        for email in emails:
            build_message(email).send()
            sent.append(email.pk)
    except Exception:
        with transaction.atomic():
            OrderEmail.objects.filter(claim=token).exclude(pk__in=sent).update(
                sent_at=None, claim=""
            )
        raise
    return len(sent)
