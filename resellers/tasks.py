from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.template.loader import render_to_string

from accounts.models import User
from core.validators import one_line

from . import services
from .choices import ResellerStatus
from .models import Reseller

NOTICE_SUBJECTS = {
    "received": "We received your reseller application",
    "approved": "Your reseller account is approved",
    "denied": "Your reseller application was not approved",
    "suspended": "Ordering is suspended on your reseller account",
}


# An unreachable or refusing mail server is worth retrying (a signup nobody hears of is lost
# business); a message that can never be sent is not, so only connection errors retry.
MAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(acks_late=True, **MAIL_RETRY)
def send_reseller_notice(reseller_id: int, notice: str) -> None:
    reseller = Reseller.objects.filter(pk=reseller_id).first()
    if reseller is None or notice not in NOTICE_SUBJECTS:
        return
    body = render_to_string(
        f"emails/reseller_{notice}.txt", {"reseller": reseller, "site_url": settings.SITE_URL}
    )
    EmailMessage(
        NOTICE_SUBJECTS[notice],
        body,
        settings.DEFAULT_FROM_EMAIL,
        [reseller.email],
        reply_to=[settings.SUPPORT_EMAIL] if settings.SUPPORT_EMAIL else None,
    ).send()


@shared_task(acks_late=True, **MAIL_RETRY)
def notify_staff_of_signup(reseller_id: int) -> None:
    reseller = Reseller.objects.filter(pk=reseller_id).first()
    if reseller is None:
        return
    recipients = list(settings.STAFF_NOTIFICATION_EMAILS) or list(
        User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True)
    )
    if not recipients:
        return
    body = render_to_string(
        "emails/staff_new_signup.txt", {"reseller": reseller, "site_url": settings.SITE_URL}
    )
    # A name saved before control characters were refused must not make the header invalid
    # (BadHeaderError is not retried, and staff would never hear of the signup).
    subject = one_line(f"New reseller signup: {reseller.company_name}")
    send_mail(subject, body, None, recipients)


# Both tasks below are idempotent: the conditional update in the service makes a second run
# (redelivery after a worker crash, or the sweep racing the task) a no-op.
@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def activate_reseller(reseller_id: int) -> bool:
    return services.reseller_activate_on_first_order(reseller_id=reseller_id)


@shared_task(acks_late=True)
def activate_resellers_with_orders() -> int:
    """Periodic sweep: activate approved resellers whose activation task never ran."""
    reseller_ids = list(
        Reseller.objects.filter(status=ResellerStatus.APPROVED, orders__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    return sum(services.reseller_activate_on_first_order(reseller_id=pk) for pk in reseller_ids)
