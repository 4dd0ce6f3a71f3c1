from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from resellers.choices import ResellerStatus
from resellers.services import reseller_approve, reseller_suspend
from tests.factories import OrderFactory, ResellerFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ResellerStatus.PENDING, "Waiting for approval"),
        (ResellerStatus.DENIED, "not approved"),
        (ResellerStatus.SUSPENDED, "Ordering is off"),
        (ResellerStatus.APPROVED, "Your account is approved"),
        (ResellerStatus.ACTIVE, "Your account is active"),
    ],
)
def test_portal_home_shows_the_status(client, channel, django_user_model, status, words):
    reseller = ResellerFactory(status=status, channel=channel, status_reason="Reason here")
    user = django_user_model.objects.create_user(
        email="u@example.com", password="x", reseller=reseller
    )
    client.force_login(user)

    page = client.get(reverse("portal:home")).content.decode()

    assert words in page


@pytest.mark.django_db
def test_portal_home_shows_only_the_users_own_orders(
    reseller_client, reseller, other_reseller_with_user
):
    other, _ = other_reseller_with_user
    OrderFactory(reseller=reseller, reference_number="MINE-1")
    OrderFactory(reseller=other, reference_number="THEIRS-1")

    page = reseller_client.get(reverse("portal:home")).content.decode()

    assert reseller.company_name in page
    assert "MINE-1" in page  # the recent orders table is shown...
    assert "THEIRS-1" not in page  # ...and holds only this reseller's orders


@pytest.mark.django_db
def test_staff_without_a_reseller_get_403_in_the_portal(staff_client):
    assert staff_client.get(reverse("portal:home")).status_code == 403


@pytest.mark.django_db
def test_emails_are_sent_only_after_commit(channel, staff, django_capture_on_commit_callbacks):
    reseller = ResellerFactory(status=ResellerStatus.PENDING)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reseller_approve(reseller=reseller, actor=staff, channel=channel)
        assert mail.outbox == []  # nothing is sent while the transaction is open
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_email_when_the_transaction_rolls_back(
    channel, staff, django_capture_on_commit_callbacks
):
    reseller = ResellerFactory(status=ResellerStatus.ACTIVE, channel=channel)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        reseller_suspend(reseller=reseller, actor=staff, reason="late payments")
        raise RuntimeError("something later in the request failed")

    assert callbacks == []
    assert mail.outbox == []
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.ACTIVE


@pytest.mark.django_db
def test_plain_text_emails_are_not_html_escaped(channel, staff, django_capture_on_commit_callbacks):
    reseller = ResellerFactory(status=ResellerStatus.PENDING, company_name="Crate & Carton")

    with django_capture_on_commit_callbacks(execute=True):
        reseller_approve(reseller=reseller, actor=staff, channel=channel)

    assert "Crate & Carton" in mail.outbox[0].body
    assert "&amp;" not in mail.outbox[0].body
