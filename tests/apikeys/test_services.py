from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apikeys import services
from apikeys.choices import ApiKeyStatus, GracePeriod, IdempotencyStatus
from apikeys.exceptions import ApiKeyNotAllowed, ApiKeyNotUsable
from apikeys.models import ApiKey, IdempotencyKey
from apikeys.selectors import EXPIRED, REVOKED, UNKNOWN, apikey_for_token, apikey_list
from apikeys.tasks import purge_expired_idempotency_keys
from resellers.choices import ResellerStatus
from tests.apikeys.conftest import ApiClient, issue_key, order_body
from tests.factories import ResellerFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _every_text_value(model) -> list[str]:
    """Every value of every text column of `model`, read with raw SQL (nothing filtered)."""
    table = model._meta.db_table
    columns = [
        field.column
        for field in model._meta.concrete_fields
        if field.get_internal_type() in ("CharField", "TextField", "JSONField")
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
        return [str(value) for row in cursor.fetchall() for value in row if value is not None]


def test_creating_a_key_returns_the_plaintext_once_and_stores_only_prefix_and_hash(
    reseller_with_user, listings
):
    reseller, user = reseller_with_user
    key = issue_key(reseller, user)
    # Use the key for an idempotent order, so the idempotency table has a row as well.
    response = ApiClient(key).post("/orders", order_body(), idempotency_key="first-order")
    assert response.status_code == 201

    stored = _every_text_value(ApiKey) + _every_text_value(IdempotencyKey)

    secret_part = key.plaintext[len(key.model.prefix) + 1 :]
    assert key.model.prefix in stored
    assert all(key.plaintext not in value for value in stored)
    assert all(secret_part not in value for value in stored)
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.parametrize(
    "status", [ResellerStatus.PENDING, ResellerStatus.DENIED, ResellerStatus.SUSPENDED]
)
def test_only_approved_or_active_resellers_may_create_keys(channel, status):
    reseller = ResellerFactory(status=status, channel=channel)
    user = UserFactory(reseller=reseller)

    with pytest.raises(ApiKeyNotAllowed, match=status.label.lower()):
        services.apikey_create(reseller=reseller, name="ERP", actor=user)
    assert not ApiKey.objects.exists()


def test_a_key_needs_a_name(reseller_with_user):
    reseller, user = reseller_with_user
    with pytest.raises(ApiKeyNotAllowed, match="name"):
        services.apikey_create(reseller=reseller, name="   ", actor=user)


def test_a_reseller_cannot_pile_up_working_keys(reseller_with_user, monkeypatch):
    reseller, user = reseller_with_user
    monkeypatch.setattr(services, "MAX_USABLE_KEYS", 2)
    first = issue_key(reseller, user, "one")
    issue_key(reseller, user, "two")

    with pytest.raises(ApiKeyNotAllowed, match="Revoke one"):
        services.apikey_create(reseller=reseller, name="three", actor=user)

    services.apikey_revoke(api_key=first.model, actor=user)
    assert issue_key(reseller, user, "three").model.pk


def test_rotating_without_grace_revokes_the_old_key_at_once(key, reseller_with_user):
    _, user = reseller_with_user

    new, plaintext = services.apikey_rotate(
        api_key=key.model, actor=user, grace_period=GracePeriod.NONE
    )

    key.model.refresh_from_db()
    assert key.model.status == ApiKeyStatus.REVOKED
    assert key.model.revoked_by == user
    assert new.name == key.model.name
    assert new.rotated_from == key.model
    assert apikey_for_token(token=key.plaintext).failure == REVOKED
    assert apikey_for_token(token=plaintext).api_key == new


@pytest.mark.parametrize(
    ("grace", "duration"),
    [
        (GracePeriod.ONE_HOUR, timedelta(hours=1)),
        (GracePeriod.ONE_DAY, timedelta(hours=24)),
        (GracePeriod.ONE_WEEK, timedelta(days=7)),
    ],
)
def test_rotating_with_grace_keeps_the_old_key_working_until_it_ends(
    key, reseller_with_user, grace, duration
):
    _, user = reseller_with_user
    before = timezone.now()

    services.apikey_rotate(api_key=key.model, actor=user, grace_period=grace)

    key.model.refresh_from_db()
    assert key.model.revoked_at is None
    assert before + duration <= key.model.expires_at <= timezone.now() + duration
    assert key.model.status == ApiKeyStatus.EXPIRING
    assert apikey_for_token(token=key.plaintext).api_key == key.model
    later = key.model.expires_at + timedelta(seconds=1)
    assert apikey_for_token(token=key.plaintext, now=later).failure == EXPIRED


def test_a_key_already_being_replaced_cannot_be_rotated_again(key, reseller_with_user):
    _, user = reseller_with_user
    services.apikey_rotate(api_key=key.model, actor=user, grace_period=GracePeriod.ONE_HOUR)

    with pytest.raises(ApiKeyNotUsable, match="already rotated"):
        services.apikey_rotate(api_key=key.model, actor=user, grace_period=GracePeriod.ONE_HOUR)
    assert ApiKey.objects.count() == 2


def test_a_revoked_key_cannot_be_rotated(key, reseller_with_user):
    _, user = reseller_with_user
    services.apikey_revoke(api_key=key.model, actor=user)

    with pytest.raises(ApiKeyNotUsable, match="revoked"):
        services.apikey_rotate(api_key=key.model, actor=user, grace_period=GracePeriod.NONE)


def test_revoking_stops_the_key_and_records_who(key, reseller_with_user):
    _, user = reseller_with_user

    services.apikey_revoke(api_key=key.model, actor=user)

    key.model.refresh_from_db()
    assert key.model.revoked_at is not None
    assert key.model.revoked_by == user
    assert apikey_for_token(token=key.plaintext).failure == REVOKED


def test_revoking_twice_keeps_the_first_revocation(key, reseller_with_user, staff):
    _, user = reseller_with_user
    services.apikey_revoke(api_key=key.model, actor=user)
    first = ApiKey.objects.get(pk=key.model.pk).revoked_at

    services.apikey_revoke(api_key=key.model, actor=staff)

    key.model.refresh_from_db()
    assert (key.model.revoked_at, key.model.revoked_by) == (first, user)


def test_a_user_of_another_reseller_cannot_revoke_the_key(key, other_reseller_with_user):
    _, stranger = other_reseller_with_user

    with pytest.raises(ApiKeyNotAllowed, match="only revoke your own"):
        services.apikey_revoke(api_key=key.model, actor=stranger)
    key.model.refresh_from_db()
    assert key.model.revoked_at is None


def test_a_user_of_another_reseller_cannot_rotate_the_key(key, other_reseller_with_user):
    _, stranger = other_reseller_with_user

    with pytest.raises(ApiKeyNotAllowed, match="only rotate your own"):
        services.apikey_rotate(api_key=key.model, actor=stranger, grace_period=GracePeriod.NONE)
    key.model.refresh_from_db()
    assert key.model.status == ApiKeyStatus.ACTIVE
    assert ApiKey.objects.count() == 1


def test_staff_may_revoke_any_key(key):
    staff = StaffFactory()
    services.apikey_revoke(api_key=key.model, actor=staff)
    key.model.refresh_from_db()
    assert key.model.revoked_by == staff


def test_usable_keys_are_the_active_and_expiring_ones(reseller_with_user):
    reseller, user = reseller_with_user
    active = issue_key(reseller, user, "active").model
    expiring = issue_key(reseller, user, "expiring").model
    expired = issue_key(reseller, user, "expired").model
    revoked = issue_key(reseller, user, "revoked").model
    now = timezone.now()
    ApiKey.objects.filter(pk=expiring.pk).update(expires_at=now + timedelta(hours=1))
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(seconds=1))
    services.apikey_revoke(api_key=revoked, actor=user)

    assert set(ApiKey.objects.usable(timezone.now())) == {active, expiring}
    # The query and the property say the same of every key.
    assert {key for key in ApiKey.objects.all() if key.is_usable} == {active, expiring}


def test_an_unknown_secret_with_a_real_prefix_is_refused(key):
    from apikeys import tokens

    forged_body = key.model.prefix + "_" + "A" * tokens.SECRET_LENGTH
    forged = forged_body + tokens._checksum(forged_body)

    assert tokens.looks_like_key(forged)
    assert apikey_for_token(token=forged).failure == UNKNOWN


def test_last_used_is_written_at_most_once_a_minute(key, django_assert_num_queries):
    now = timezone.now()
    assert services.apikey_record_use(api_key=key.model, now=now)

    # Fresh in memory: not even a query.
    with django_assert_num_queries(0):
        assert not services.apikey_record_use(api_key=key.model, now=now + timedelta(seconds=30))

    # Another process's stale copy: one conditional UPDATE that matches nothing.
    stale = ApiKey.objects.get(pk=key.model.pk)
    stale.last_used_at = None
    with django_assert_num_queries(1):
        assert not services.apikey_record_use(api_key=stale, now=now + timedelta(seconds=30))

    assert services.apikey_record_use(api_key=key.model, now=now + timedelta(seconds=61))
    key.model.refresh_from_db()
    assert key.model.last_used_at == now + timedelta(seconds=61)


def test_the_key_list_is_one_resellers_keys_newest_first(key, other_key, reseller_with_user):
    reseller, user = reseller_with_user
    newer = issue_key(reseller, user, "newer")

    assert list(apikey_list(reseller=reseller)) == [newer.model, key.model]


def test_expired_idempotency_keys_are_purged(reseller):
    now = timezone.now()
    for name, expires_at in [
        ("old", now - timedelta(seconds=1)),
        ("new", now + timedelta(hours=1)),
    ]:
        IdempotencyKey.objects.create(
            reseller=reseller,
            key=name,
            fingerprint="0" * 64,
            status=IdempotencyStatus.COMPLETED,
            expires_at=expires_at,
        )

    assert purge_expired_idempotency_keys.delay().get() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_the_purge_runs_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "apikeys.tasks.purge_expired_idempotency_keys" in tasks
