from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apikeys.choices import ApiKeyStatus, GracePeriod
from apikeys.models import ApiKey
from apikeys.selectors import apikey_for_token
from apikeys.services import apikey_revoke, apikey_rotate
from resellers.choices import ResellerStatus
from tests.apikeys.conftest import issue_key
from tests.factories import ResellerFactory, UserFactory

pytestmark = pytest.mark.django_db

KEY_IN_PAGE = re.compile(r"rpk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}")


def test_the_settings_page_has_the_contract_words(reseller_client):
    response = reseller_client.get("/portal/settings/")
    page = response.content.decode()

    assert response.status_code == 200
    assert reverse("portal:settings") == "/portal/settings/"
    assert "Create API key" in page
    assert 'aria-current="page">Settings</a>' in page
    assert "no-store" in response["Cache-Control"]


def test_the_portal_home_links_to_settings(reseller_client):
    page = reseller_client.get(reverse("portal:home")).content.decode()
    assert 'href="/portal/settings/"' in page


def test_a_new_key_is_shown_once_and_never_again(reseller_client, reseller):
    response = reseller_client.post(
        reverse("portal:apikey_create"), {"name": "Inventory Source"}, follow=True
    )
    page = response.content.decode()

    shown = KEY_IN_PAGE.findall(page)
    assert len(shown) == 1
    assert "no-store" in response["Cache-Control"]
    assert 'data-copy-target="new-api-key"' in page
    assert "copy.js" in page
    api_key = apikey_for_token(token=shown[0]).api_key
    assert api_key is not None
    assert (api_key.reseller, api_key.name) == (reseller, "Inventory Source")

    # Shown by the redirected GET, which took it out of the session: not on the next page.
    assert shown[0] not in str(dict(reseller_client.session))
    again = reseller_client.get("/portal/settings/").content.decode()
    assert not KEY_IN_PAGE.search(again)
    assert f"{api_key.prefix}…" in again


def test_a_key_without_a_name_is_refused_with_the_reason(reseller_client):
    page = reseller_client.post(reverse("portal:apikey_create"), {"name": ""}).content.decode()

    assert "This field is required." in page
    assert not ApiKey.objects.exists()
    assert not KEY_IN_PAGE.search(page)


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ResellerStatus.PENDING, "once your account is approved"),
        (ResellerStatus.DENIED, "not approved"),
        (ResellerStatus.SUSPENDED, "suspended"),
    ],
)
def test_a_reseller_that_may_not_order_sees_why_it_cannot_create_keys(
    client, channel, status, words
):
    reseller = ResellerFactory(status=status, channel=channel)
    client.force_login(UserFactory(reseller=reseller))

    page = client.get("/portal/settings/").content.decode()
    assert words in page
    assert "Create API key" not in page

    client.post(reverse("portal:apikey_create"), {"name": "ERP"})
    assert not ApiKey.objects.exists()


def test_the_list_shows_name_prefix_dates_and_status(reseller_client, key):
    page = reseller_client.get("/portal/settings/").content.decode()

    assert "ERP" in page
    assert f"<code>{key.model.prefix}…</code>" in page
    assert "Never" in page
    assert "Active" in page
    assert key.plaintext not in page


def test_rotating_shows_the_new_key_once_and_keeps_the_old_for_the_grace_period(
    reseller_client, key
):
    response = reseller_client.post(
        reverse("portal:apikey_rotate", args=[key.model.pk]),
        {"grace_period": GracePeriod.ONE_DAY},
        follow=True,
    )
    page = response.content.decode()

    shown = KEY_IN_PAGE.findall(page)
    assert len(shown) == 1 and shown[0] != key.plaintext
    assert "no-store" in response["Cache-Control"]
    assert f"It replaces <code>{key.model.prefix}…</code>, which keeps working until" in page
    key.model.refresh_from_db()
    assert key.model.status == ApiKeyStatus.EXPIRING


def test_rotating_without_grace_says_the_old_key_has_stopped(reseller_client, key):
    page = reseller_client.post(
        reverse("portal:apikey_rotate", args=[key.model.pk]),
        {"grace_period": GracePeriod.NONE},
        follow=True,
    ).content.decode()

    assert f"It replaces <code>{key.model.prefix}…</code>, which has stopped working." in page


def test_each_key_shows_its_status_and_only_working_keys_can_be_revoked(
    reseller_client, reseller_with_user
):
    reseller, user = reseller_with_user
    _issue_keys_in_every_status(reseller, user, 3)
    expired = issue_key(reseller, user, name="Old").model
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    page = reseller_client.get("/portal/settings/").content.decode()

    for status in ApiKeyStatus:
        assert f'<span class="badge badge-{status.value}">{status.label}</span>' in page
    assert page.count('class="badge badge-active">Active<') == 2  # one key and a replacement
    # Active and expiring keys can be revoked; expired and revoked ones cannot.
    assert page.count('<button type="submit" class="danger small"') == 3


def test_revoking_asks_for_confirmation_and_stops_the_key(reseller_client, key):
    page = reseller_client.get("/portal/settings/").content.decode()
    revoke_url = reverse("portal:apikey_revoke", args=[key.model.pk])
    assert re.search(rf'action="{revoke_url}"[^>]*data-confirm="Revoke {key.model.prefix}', page)

    response = reseller_client.post(revoke_url, follow=True)

    assert "is revoked" in response.content.decode()
    key.model.refresh_from_db()
    assert key.model.status == ApiKeyStatus.REVOKED


def test_a_reseller_cannot_revoke_or_rotate_another_resellers_key(reseller_client, other_key):
    revoke = reseller_client.post(reverse("portal:apikey_revoke", args=[other_key.model.pk]))
    rotate = reseller_client.post(
        reverse("portal:apikey_rotate", args=[other_key.model.pk]),
        {"grace_period": GracePeriod.NONE},
    )

    assert (revoke.status_code, rotate.status_code) == (404, 404)
    other_key.model.refresh_from_db()
    assert other_key.model.status == ApiKeyStatus.ACTIVE
    assert ApiKey.objects.count() == 1


def test_a_reseller_never_sees_another_resellers_keys(reseller_client, other_key):
    page = reseller_client.get("/portal/settings/").content.decode()
    assert other_key.model.prefix not in page
    assert "No API keys yet." in page


def test_the_actions_are_post_only(reseller_client, key):
    assert reseller_client.get(reverse("portal:apikey_create")).status_code == 405
    revoke_url = reverse("portal:apikey_revoke", args=[key.model.pk])
    assert reseller_client.get(revoke_url).status_code == 405
    key.model.refresh_from_db()
    assert key.model.revoked_at is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/portal/settings/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_staff_see_a_resellers_keys_on_its_page(staff_client, reseller, key):
    page = staff_client.get(reverse("backoffice:reseller_detail", args=[reseller.pk]))
    html = page.content.decode()

    assert f"{key.model.prefix}…" in html
    assert "ERP" in html
    assert reverse("backoffice:apikey_revoke", args=[key.model.pk]) in html
    assert key.plaintext not in html


def test_staff_can_revoke_any_key(staff_client, staff, reseller, key):
    response = staff_client.post(reverse("backoffice:apikey_revoke", args=[key.model.pk]))

    assert response.status_code == 302
    assert response.url == reverse("backoffice:reseller_detail", args=[reseller.pk])
    key.model.refresh_from_db()
    assert (key.model.status, key.model.revoked_by) == (ApiKeyStatus.REVOKED, staff)


def test_a_reseller_cannot_use_the_staff_revoke(reseller_client, other_key):
    response = reseller_client.post(reverse("backoffice:apikey_revoke", args=[other_key.model.pk]))

    assert response.status_code == 403
    other_key.model.refresh_from_db()
    assert other_key.model.revoked_at is None


def test_an_expiring_key_can_still_be_revoked_at_once(reseller_client, reseller_with_user):
    reseller, user = reseller_with_user
    old = issue_key(reseller, user)
    reseller_client.post(
        reverse("portal:apikey_rotate", args=[old.model.pk]), {"grace_period": GracePeriod.ONE_WEEK}
    )

    reseller_client.post(reverse("portal:apikey_revoke", args=[old.model.pk]))

    assert apikey_for_token(token=old.plaintext).api_key is None


def _page_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context), response.content.decode()


def _issue_keys_in_every_status(reseller, user, count: int) -> None:
    """`count` keys, of which one is rotated (expiring, plus its replacement) and one revoked."""
    keys = [issue_key(reseller, user, name=f"Key {n}").model for n in range(count)]
    apikey_rotate(api_key=keys[0], actor=user, grace_period=GracePeriod.ONE_DAY)
    apikey_revoke(api_key=keys[1], actor=user)


def test_the_key_list_needs_the_same_few_queries_at_two_sizes(reseller_client, reseller_with_user):
    reseller, user = reseller_with_user
    _issue_keys_in_every_status(reseller, user, 2)
    small, page = _page_queries(reseller_client, "/portal/settings/")
    assert page.count("<code>rpk_") == 3  # two keys and the rotated one's replacement
    _issue_keys_in_every_status(reseller, user, 14)
    large, page = _page_queries(reseller_client, "/portal/settings/")

    assert page.count("<code>rpk_") == 18
    # session, user, reseller, keys; Payment methods: the payment profile; webhook endpoints
    assert small == large <= 6


def test_the_back_office_key_list_needs_the_same_queries_at_two_sizes(
    staff_client, reseller_with_user
):
    reseller, user = reseller_with_user
    url = reverse("backoffice:reseller_detail", args=[reseller.pk])
    _issue_keys_in_every_status(reseller, user, 2)
    small, page = _page_queries(staff_client, url)
    assert page.count("<code>rpk_") == 3
    _issue_keys_in_every_status(reseller, user, 14)
    large, page = _page_queries(staff_client, url)

    assert page.count("<code>rpk_") == 18
    assert small == large
