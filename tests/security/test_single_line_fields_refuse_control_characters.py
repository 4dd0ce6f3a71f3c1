"""Issue 11 item 4: a CR/LF in a one-line field is refused and cannot kill the staff e-mail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from resellers.exceptions import SignupRejected
from resellers.models import Reseller
from resellers.services import reseller_signup
from resellers.tasks import notify_staff_of_signup
from tests.factories import ResellerFactory

INJECTED = "Acme\r\nBcc: victim@example.com"


def _signup_data(password: str, **overrides) -> dict:
    return {
        "company_name": "Acme",
        "contact_name": "Ada",
        "email": "ada@example.com",
        "password": password,
        **overrides,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["company_name", "contact_name", "city", "tax_id"])
@pytest.mark.parametrize("bad", ["\r\n", "\n", "\t", "\x00", "\x1b", "\u2028", "\x85"])
def test_the_signup_form_refuses_control_characters(client, password, field, bad):
    response = client.post(reverse("signup"), _signup_data(password, **{field: f"Ac{bad}me"}))

    assert response.status_code == 200
    assert "Use a single line" in response.content.decode()
    assert not Reseller.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_signup_service_refuses_control_characters_and_saves_nothing(channel, password):
    with pytest.raises(SignupRejected) as refused:
        reseller_signup(**_signup_data(password, company_name=INJECTED, city="Line\nbreak"))

    assert [field for field, _ in refused.value.errors] == ["company_name", "city"]
    assert not Reseller.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_staff_profile_form_refuses_control_characters(staff_client, reseller):
    from resellers.forms import ResellerProfileForm

    form = ResellerProfileForm(
        data={"company_name": INJECTED, "contact_name": "Ada", "email": "a@example.com"},
        instance=reseller,
    )
    assert not form.is_valid()
    assert "Use a single line" in str(form.errors["company_name"])


@pytest.mark.django_db
def test_the_staff_signup_email_survives_a_name_saved_with_a_line_break(settings, mailoutbox):
    # A row written before the check existed must still reach staff, with a one-line subject.
    settings.STAFF_NOTIFICATION_EMAILS = ["staff@example.com"]
    reseller = ResellerFactory(company_name=INJECTED)

    notify_staff_of_signup(reseller.pk)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "New reseller signup: Acme Bcc: victim@example.com"
    assert mailoutbox[0].bcc == []


@pytest.mark.django_db
def test_order_placement_refuses_control_characters_in_one_line_fields(reseller, listing):
    from dataclasses import replace

    from orders.exceptions import OrderValidationError
    from orders.models import Order
    from orders.services import order_place
    from tests.orders.conftest import SHIP_TO, order_request

    request = order_request(
        reference="PO\r\n1",
        items=((listing.product.sku, 1),),
        ship_to=replace(SHIP_TO, name="Jordan\nCustomer", city="Spring\x0bfield"),
    )
    with pytest.raises(OrderValidationError) as refused:
        order_place(reseller=reseller, request=request)

    refused_paths = {
        error.path for error in refused.value.field_errors if "single line" in error.message
    }
    assert refused_paths == {
        "reference_number",
        "shipping_address.name",
        "shipping_address.city",
    }
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_the_staff_signup_email_is_retried_when_the_mail_server_refuses(
    settings, mailoutbox, monkeypatch
):
    import smtplib

    from resellers import tasks

    settings.STAFF_NOTIFICATION_EMAILS = ["staff@example.com"]
    reseller = ResellerFactory(company_name="Acme")
    real_send_mail = tasks.send_mail
    calls = []

    def flaky_send_mail(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr(tasks, "send_mail", flaky_send_mail)

    # Eagerly, the retry runs at once; throw=False keeps the Retry signal out of the test.
    notify_staff_of_signup.apply(args=[reseller.pk], throw=False)

    assert len(calls) == 2
    assert [mail.subject for mail in mailoutbox] == ["New reseller signup: Acme"]
