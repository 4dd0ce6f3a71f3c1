"""Forms refuse a POST without the CSRF token (the test client skips the check unless asked)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from resellers.choices import ResellerStatus
from resellers.models import Reseller, StatusChange
from tests.factories import ResellerFactory

SIGNUP = {
    "company_name": "Northwind Traders",
    "contact_name": "Nancy Davolio",
    "email": "nancy@northwind.example",
    "password": "correct-horse-battery-9",
}


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def _token(client: Client, url: str) -> str:
    """The token the page hands out, as a browser would submit it."""
    client.get(url)
    return client.cookies["csrftoken"].value


@pytest.mark.django_db
def test_signup_without_the_token_is_refused_and_creates_nothing(csrf_client, channel):
    response = csrf_client.post(reverse("signup"), SIGNUP)

    assert response.status_code == 403
    assert not Reseller.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_with_the_token_goes_through(csrf_client, channel):
    # The control for the test above: the same POST with the token is accepted.
    token = _token(csrf_client, reverse("signup"))

    response = csrf_client.post(reverse("signup"), {**SIGNUP, "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert Reseller.objects.get().company_name == "Northwind Traders"


@pytest.mark.django_db
def test_a_back_office_action_without_the_token_is_refused_and_changes_nothing(
    csrf_client, staff, channel, django_capture_on_commit_callbacks
):
    reseller = ResellerFactory(status=ResellerStatus.PENDING)
    csrf_client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_client.post(
            reverse("backoffice:reseller_approve", args=[reseller.pk]), {"channel": channel.pk}
        )

    assert response.status_code == 403
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.PENDING
    assert not StatusChange.objects.filter(reseller=reseller).exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_back_office_action_with_the_token_goes_through(csrf_client, staff, channel):
    reseller = ResellerFactory(status=ResellerStatus.PENDING)
    csrf_client.force_login(staff)
    token = _token(csrf_client, reverse("backoffice:reseller_detail", args=[reseller.pk]))

    response = csrf_client.post(
        reverse("backoffice:reseller_approve", args=[reseller.pk]),
        {"channel": channel.pk, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.APPROVED
