from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from resellers.choices import ResellerStatus
from resellers.models import PortalSettings, Reseller, StatusChange
from tests.factories import ChannelFactory, UserFactory

VALID = {
    "company_name": "Northwind Traders",
    "contact_name": "Nancy Davolio",
    "email": "Nancy@Northwind.example",
    "password": "correct-horse-battery-9",
    "phone": "+1 (555) 010-2030",
    "website": "northwind.example",
    "country": "us",
}


@pytest.mark.django_db
def test_signup_creates_a_pending_reseller_and_logs_the_user_in(
    client, channel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), VALID)

    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    reseller = Reseller.objects.get()
    assert reseller.status == ResellerStatus.PENDING
    assert reseller.channel == channel  # new enrollments wait in the default channel
    assert reseller.country == "US"
    assert reseller.website == "https://northwind.example"
    user = User.objects.get(email="nancy@northwind.example")
    assert user.reseller == reseller
    page = client.get(reverse("portal:home"))
    assert "Waiting for approval" in page.content.decode()
    assert StatusChange.objects.get(reseller=reseller).to_status == ResellerStatus.PENDING
    assert [m.subject for m in mail.outbox] == ["We received your reseller application"]


@pytest.mark.django_db
def test_staff_are_emailed_about_a_new_signup(
    client, channel, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), VALID)

    staff_mail = [m for m in mail.outbox if m.to == [staff.email]]
    assert len(staff_mail) == 1
    assert "Northwind Traders" in staff_mail[0].subject


@pytest.mark.django_db
def test_auto_approve_on_approves_at_once_on_the_single_channel(client, channel):
    PortalSettings.objects.update_or_create(pk=1, defaults={"auto_approve_resellers": True})

    client.post(reverse("signup"), VALID)

    reseller = Reseller.objects.get()
    assert (reseller.status, reseller.channel) == (ResellerStatus.APPROVED, channel)
    change = reseller.status_changes.first()
    assert change.actor is None and change.to_status == ResellerStatus.APPROVED


@pytest.mark.django_db
def test_auto_approve_with_several_channels_uses_the_default_channel(client, channel):
    ChannelFactory(slug="wholesale")
    PortalSettings.objects.update_or_create(pk=1, defaults={"auto_approve_resellers": True})

    client.post(reverse("signup"), VALID)

    reseller = Reseller.objects.get()
    assert (reseller.status, reseller.channel) == (ResellerStatus.APPROVED, channel)


@pytest.mark.django_db
def test_auto_approve_off_leaves_the_signup_pending(client, channel):
    PortalSettings.objects.update_or_create(pk=1, defaults={"auto_approve_resellers": False})

    client.post(reverse("signup"), VALID)

    assert Reseller.objects.get().status == ResellerStatus.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "taken@example.com", "An account with this email already exists"),
        ("password", "password123", "This password is too common"),
        ("password", "short", "This password is too short"),
        ("password", "4815162342108", "This password is entirely numeric"),
        ("website", "not a website", "Enter a valid URL"),
        ("phone", "call me maybe", "Enter a phone number"),
        ("company_name", "", "This field is required"),
        ("country", "USA", "two-letter country code"),
    ],
)
def test_signup_refuses_bad_input_with_a_clear_message_and_saves_nothing(
    client, channel, field, value, message
):
    UserFactory(email="taken@example.com")

    response = client.post(reverse("signup"), {**VALID, field: value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Reseller.objects.exists()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_signup_page_uses_the_contract_words(client):
    page = client.get(reverse("signup")).content.decode()
    for words in ["Company name", "Contact name", "Email", "Password", "Sign up"]:
        assert words in page
