"""The order e-mails: written as OrderEmail rows in the transaction that made them due, sent
by `tasks.send_order_emails` after commit (never on rollback), each exactly once."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from core.tasks import enqueue_on_commit

from .choices import OrderEmailKind
from .models import OrderEmail

BATCH = 200  # e-mails per task: a 10,000-row tracking import is 50 tasks, not 10,000


def order_emails_enqueue(emails: list[OrderEmail]) -> None:
    """Save the e-mails owed and have them sent once the transaction commits."""
    if not emails:
        return
    OrderEmail.objects.bulk_create(emails, batch_size=500)
    from . import tasks  # tasks imports this module

    ids = [email.pk for email in emails]
    for start in range(0, len(ids), BATCH):
        enqueue_on_commit(tasks.send_order_emails, ids[start : start + BATCH])


def subject_for(email: OrderEmail) -> str:
    number = email.order.number
    return {
        OrderEmailKind.RECEIVED: f"Order {number} received",
        OrderEmailKind.AUTHORIZATION_NEEDED: (
            f"Order {number} received: your payment authorization is needed"
        ),
        OrderEmailKind.SHIPPED: f"Order {number} has shipped",
        OrderEmailKind.CANCELED: f"Order {number} canceled",
    }[email.kind]


def build_message(email: OrderEmail) -> EmailMultiAlternatives:
    """The e-mail as plain text with an HTML alternative, from `emails/order_<kind>.*`."""
    order = email.order
    context = {
        "order": order,
        "reseller": order.reseller,
        "shipment": email.shipment,
        "final": email.final,
        "portal_url": f"{settings.SITE_URL}{order.get_portal_url()}",
        "support_email": settings.SUPPORT_EMAIL,
    }
    text = render_to_string(f"emails/order_{email.kind}.txt", context)
    html = render_to_string(f"emails/order_{email.kind}.html", context)
    message = EmailMultiAlternatives(
        subject=subject_for(email),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.reseller.email],
        reply_to=[settings.SUPPORT_EMAIL] if settings.SUPPORT_EMAIL else None,
    )
    message.attach_alternative(html, "text/html")
    return message
