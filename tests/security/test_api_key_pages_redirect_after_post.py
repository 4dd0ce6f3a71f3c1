"""Issue 11, item 12: creating or rotating an API key redirects after the POST, and the new key
is shown once by the page the redirect leads to. Reloading that page repeats only the GET: no
second key, and the key is not shown again.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apikeys.choices import GracePeriod
from apikeys.models import ApiKey
from tests.apikeys.conftest import issue_key

KEY_IN_PAGE = re.compile(r"rpk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}")
SETTINGS = "/portal/settings/"

pytestmark = pytest.mark.django_db


def test_creating_a_key_redirects_and_a_reload_creates_no_second_key(reseller_client, reseller):
    response = reseller_client.post(reverse("portal:apikey_create"), {"name": "ERP"})

    assert response.status_code == 302
    assert response.url == SETTINGS
    assert not KEY_IN_PAGE.search(response.content.decode())
    assert ApiKey.objects.filter(reseller=reseller).count() == 1

    first = reseller_client.get(SETTINGS)
    shown = KEY_IN_PAGE.findall(first.content.decode())
    assert len(shown) == 1
    assert "no-store" in first["Cache-Control"]

    reloaded = reseller_client.get(SETTINGS).content.decode()  # what F5 repeats now
    assert not KEY_IN_PAGE.search(reloaded)
    assert shown[0] not in str(dict(reseller_client.session))
    assert ApiKey.objects.filter(reseller=reseller).count() == 1


def test_rotating_a_key_redirects_and_a_reload_rotates_nothing_more(
    reseller_client, reseller_with_user
):
    reseller, user = reseller_with_user
    old = issue_key(reseller, user)
    response = reseller_client.post(
        reverse("portal:apikey_rotate", args=[old.model.pk]),
        {"grace_period": GracePeriod.ONE_HOUR},
    )

    assert response.status_code == 302
    assert response.url == SETTINGS
    assert ApiKey.objects.filter(reseller=reseller).count() == 2

    page = reseller_client.get(SETTINGS).content.decode()
    shown = KEY_IN_PAGE.findall(page)
    assert len(shown) == 1 and shown[0] != old.plaintext
    assert f"It replaces <code>{old.model.prefix}…</code>" in page

    assert not KEY_IN_PAGE.search(reseller_client.get(SETTINGS).content.decode())
    assert ApiKey.objects.filter(reseller=reseller).count() == 2


def test_a_key_parked_for_one_reseller_is_never_shown_to_another(
    reseller_client, reseller_with_user, other_reseller_with_user
):
    other, other_user = other_reseller_with_user
    foreign = issue_key(other, other_user)
    session = reseller_client.session
    session["apikeys:new_key"] = {"id": foreign.model.pk, "plaintext": foreign.plaintext}
    session.save()

    page = reseller_client.get(SETTINGS).content.decode()

    assert foreign.plaintext not in page
    assert "Your new API key" not in page
