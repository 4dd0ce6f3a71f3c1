"""Staff set a reseller's payment terms and tax exemption on its profile."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from resellers.choices import PaymentTerms
from tests.resellers.test_backoffice import _profile_post

pytestmark = pytest.mark.django_db


def test_staff_set_payment_terms_and_a_tax_exemption(staff_client, reseller):
    url = reverse("backoffice:reseller_edit", args=[reseller.pk])
    response = staff_client.post(
        url,
        _profile_post(
            reseller,
            payment_terms="60",
            tax_exempt="on",
            tax_exempt_note="Resale certificate CA-778812",
            tax_exempt_until="2027-06-30",
        ),
    )
    assert response.status_code == 302
    reseller.refresh_from_db()
    assert reseller.payment_terms == PaymentTerms.NET_60
    assert reseller.tax_exempt and reseller.tax_exempt_note == "Resale certificate CA-778812"
    assert reseller.tax_exempt_until == datetime.date(2027, 6, 30)
    page = staff_client.get(reseller.get_absolute_url()).content.decode()
    assert "Net 60" in page and "Exempt: Resale certificate CA-778812 (until 2027-06-30)" in page


def test_an_exemption_needs_a_note_the_invoice_can_print(staff_client, reseller):
    url = reverse("backoffice:reseller_edit", args=[reseller.pk])
    response = staff_client.post(url, _profile_post(reseller, tax_exempt="on"))
    assert response.status_code == 200
    assert "Say why the reseller is exempt" in response.content.decode()
    reseller.refresh_from_db()
    assert not reseller.tax_exempt


def test_terms_outside_15_30_60_are_refused(staff_client, reseller):
    url = reverse("backoffice:reseller_edit", args=[reseller.pk])
    response = staff_client.post(url, _profile_post(reseller, payment_terms="45"))
    assert response.status_code == 200
    reseller.refresh_from_db()
    assert reseller.payment_terms == PaymentTerms.NET_30


def test_an_exemption_covers_orders_up_to_its_expiry_day(reseller):
    reseller.tax_exempt = True
    reseller.tax_exempt_until = datetime.date(2027, 1, 31)
    assert reseller.tax_exempt_on(datetime.date(2027, 1, 31))
    assert not reseller.tax_exempt_on(datetime.date(2027, 2, 1))
    reseller.tax_exempt_until = None
    assert reseller.tax_exempt_on(datetime.date(2099, 1, 1))
    reseller.tax_exempt = False
    assert not reseller.tax_exempt_on(datetime.date(2027, 1, 1))
