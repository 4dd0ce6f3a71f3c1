from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apikeys import services
from apikeys.choices import IdempotencyStatus
from apikeys.models import ApiKey, IdempotencyKey
from apikeys.selectors import REVOKED, apikey_for_token
from tests.apikeys.conftest import issue_key

pytestmark = pytest.mark.django_db

KEYS = "/admin/apikeys/apikey/"
IDEMPOTENCY_KEYS = "/admin/apikeys/idempotencykey/"


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(email="root@example.com", password="x")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def completed_record(reseller):
    now = timezone.now()
    return IdempotencyKey.objects.create(
        reseller=reseller,
        key="order-1",
        fingerprint="0" * 64,
        status=IdempotencyStatus.COMPLETED,
        response_status=201,
        response_body="{}",
        expires_at=now + timedelta(hours=24),
    )


def test_the_admin_shows_keys_but_refuses_to_change_them(admin_client, key):
    assert admin_client.get(KEYS).status_code == 200
    assert admin_client.get(f"{KEYS}{key.model.pk}/change/").status_code == 200

    response = admin_client.post(
        f"{KEYS}{key.model.pk}/change/", {"name": "Renamed", "reseller": key.model.reseller_id}
    )

    assert response.status_code == 403
    key.model.refresh_from_db()
    assert key.model.name == "ERP"


def test_the_admin_refuses_to_delete_keys(admin_client, key):
    one = admin_client.post(f"{KEYS}{key.model.pk}/delete/", {"post": "yes"})
    bulk = admin_client.post(
        KEYS, {"action": "delete_selected", "_selected_action": [key.model.pk], "post": "yes"}
    )

    assert one.status_code == 403
    assert bulk.status_code == 302  # "No action selected": delete_selected is not offered
    assert ApiKey.objects.filter(pk=key.model.pk).exists()


def test_the_admin_refuses_to_change_or_delete_idempotency_records(admin_client, completed_record):
    assert admin_client.get(IDEMPOTENCY_KEYS).status_code == 200
    change = admin_client.post(
        f"{IDEMPOTENCY_KEYS}{completed_record.pk}/change/", {"status": "in_flight"}
    )
    delete = admin_client.post(f"{IDEMPOTENCY_KEYS}{completed_record.pk}/delete/", {"post": "yes"})
    bulk = admin_client.post(
        IDEMPOTENCY_KEYS,
        {"action": "delete_selected", "_selected_action": [completed_record.pk], "post": "yes"},
    )

    assert (change.status_code, delete.status_code) == (403, 403)
    # No actions at all: the list ignores the bulk delete and shows itself again.
    assert bulk.status_code == 200
    assert 'name="action"' not in bulk.content.decode()
    completed_record.refresh_from_db()
    assert completed_record.status == IdempotencyStatus.COMPLETED


def test_the_admin_action_revokes_keys_through_the_service(
    admin_client, superuser, reseller_with_user, monkeypatch
):
    reseller, user = reseller_with_user
    first, second = issue_key(reseller, user, "one"), issue_key(reseller, user, "two")
    kept = issue_key(reseller, user, "kept")
    calls = []
    revoke = services.apikey_revoke

    def spy(**kwargs):
        calls.append(kwargs)
        return revoke(**kwargs)

    monkeypatch.setattr(services, "apikey_revoke", spy)

    response = admin_client.post(
        KEYS,
        {"action": "revoke_selected", "_selected_action": [first.model.pk, second.model.pk]},
        follow=True,
    )

    assert "Revoked 2 keys." in response.content.decode()
    assert sorted(call["api_key"].pk for call in calls) == sorted([first.model.pk, second.model.pk])
    assert all(call["actor"] == superuser for call in calls)
    for revoked in (first, second):
        revoked.model.refresh_from_db()
        assert revoked.model.revoked_by == superuser
        assert apikey_for_token(token=revoked.plaintext).failure == REVOKED
    assert apikey_for_token(token=kept.plaintext).api_key == kept.model


def test_the_admin_action_leaves_an_already_revoked_key_as_it_was(
    admin_client, key, reseller_with_user
):
    _, user = reseller_with_user
    services.apikey_revoke(api_key=key.model, actor=user)
    first = ApiKey.objects.get(pk=key.model.pk).revoked_at

    response = admin_client.post(
        KEYS, {"action": "revoke_selected", "_selected_action": [key.model.pk]}, follow=True
    )

    assert "Revoked 0 keys. 1 was already revoked." in response.content.decode()
    key.model.refresh_from_db()
    assert (key.model.revoked_at, key.model.revoked_by) == (first, user)
