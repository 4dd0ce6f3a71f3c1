from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from resellers.models import Reseller

from . import tokens
from .choices import GRACE_PERIOD_DURATIONS, ApiKeyStatus, IdempotencyStatus
from .exceptions import (
    ApiKeyNotAllowed,
    ApiKeyNotUsable,
    IdempotencyConflict,
    IdempotencyMismatch,
)
from .models import ApiKey, IdempotencyKey

logger = logging.getLogger(__name__)

# Enough for every integration a reseller runs, few enough that a forgotten script creating
# keys in a loop is noticed.
MAX_USABLE_KEYS = 20
# `last_used_at` is written at most this often per key, so authentication is read-only on
# almost every request.
LAST_USED_RESOLUTION = timedelta(seconds=60)
IDEMPOTENCY_TTL = timedelta(hours=24)
# An in-flight claim older than this belongs to a request that died (worker killed, server
# crashed) and may be taken over by a retry. Comfortably above any request timeout.
IDEMPOTENCY_ABANDONED_AFTER = timedelta(seconds=60)


# --- API keys -----------------------------------------------------------------------------


def _issue(
    *, reseller: Reseller, name: str, actor: User | None, rotated_from: ApiKey | None
) -> tuple[ApiKey, str]:
    new = tokens.generate_key()
    # 62**12 possible lookups: a prefix collision (an IntegrityError) is not a practical concern.
    api_key = ApiKey.objects.create(
        reseller=reseller,
        name=name,
        prefix=new.prefix,
        hash=new.hash,
        created_by=actor,
        rotated_from=rotated_from,
    )
    return api_key, new.plaintext


def _stop(locked: ApiKey, *, actor: User | None, now: datetime) -> None:
    """Revoke a locked key: a revocation, or a rotation without a grace period."""
    locked.revoked_at = now
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])


def _ensure_actor_may_manage(api_key: ApiKey, *, actor: User, action: str) -> None:
    """Resellers manage their own keys; staff may act on any key.

    Views already scope the lookup; this keeps the rule in the services too.
    """
    if not actor.is_staff and actor.reseller_id != api_key.reseller_id:
        raise ApiKeyNotAllowed(f"You can only {action} your own account's keys.")


@transaction.atomic
def apikey_create(*, reseller: Reseller, name: str, actor: User | None) -> tuple[ApiKey, str]:
    """Create a key; returns it with the plaintext, which exists only in this return value."""
    # The lock serialises concurrent creations for one reseller so the key limit holds.
    locked = Reseller.objects.select_for_update().get(pk=reseller.pk)
    if not locked.may_order:
        raise ApiKeyNotAllowed(
            f"Your account is {locked.get_status_display().lower()}; API keys are available "
            "once it is approved."
        )
    name = (name or "").strip()
    if not name:
        raise ApiKeyNotAllowed("Give the key a name, e.g. the system that will use it.")
    if ApiKey.objects.filter(reseller=locked).usable(timezone.now()).count() >= MAX_USABLE_KEYS:
        raise ApiKeyNotAllowed(
            f"You already have {MAX_USABLE_KEYS} working keys. Revoke one you no longer use first."
        )
    api_key, plaintext = _issue(reseller=locked, name=name, actor=actor, rotated_from=None)
    logger.info("api key created prefix=%s reseller=%s", api_key.prefix, locked.pk)
    return api_key, plaintext


@transaction.atomic
def apikey_rotate(*, api_key: ApiKey, actor: User, grace_period: str) -> tuple[ApiKey, str]:
    """Replace a key with a new one of the same name.

    The old key stops working now (no grace period) or at the end of the chosen grace period,
    so the reseller can deploy the new key without downtime. The new key's `rotated_from` is
    the old key as this rotation left it.
    """
    if grace_period not in GRACE_PERIOD_DURATIONS:
        raise ApiKeyNotUsable("Choose how long the old key should keep working.")
    locked = ApiKey.objects.select_for_update().select_related("reseller").get(pk=api_key.pk)
    _ensure_actor_may_manage(locked, actor=actor, action="rotate")
    if not locked.reseller.may_order:
        raise ApiKeyNotAllowed(
            f"Your account is {locked.reseller.get_status_display().lower()}; keys can be "
            "rotated once it is approved. You can still revoke them."
        )
    now = timezone.now()
    status = locked.status_at(now)
    if status == ApiKeyStatus.EXPIRING:
        raise ApiKeyNotUsable(
            f"{locked.prefix}… was already rotated and stops working at "
            f"{timezone.localtime(locked.expires_at):%Y-%m-%d %H:%M %Z}. Rotate its replacement "
            "instead."
        )
    if status != ApiKeyStatus.ACTIVE:
        raise ApiKeyNotUsable(
            f"{locked.prefix}… is {ApiKeyStatus(status).label.lower()}; create a new key instead."
        )
    new_key, plaintext = _issue(
        reseller=locked.reseller, name=locked.name, actor=actor, rotated_from=locked
    )
    grace = GRACE_PERIOD_DURATIONS[grace_period]
    if grace:
        locked.expires_at = now + grace
        locked.save(update_fields=["expires_at"])
    else:
        _stop(locked, actor=actor, now=now)
    logger.info(
        "api key rotated old=%s new=%s grace=%s reseller=%s",
        locked.prefix,
        new_key.prefix,
        grace_period,
        locked.reseller_id,
    )
    return new_key, plaintext


@transaction.atomic
def apikey_revoke(*, api_key: ApiKey, actor: User) -> ApiKey:
    """Stop a key at once; returns the key as revoked. Resellers revoke their own keys; staff
    may revoke any key."""
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    _ensure_actor_may_manage(locked, actor=actor, action="revoke")
    if locked.revoked_at is None:
        _stop(locked, actor=actor, now=timezone.now())
        logger.info(
            "api key revoked prefix=%s reseller=%s by_staff=%s",
            locked.prefix,
            locked.reseller_id,
            actor.is_staff,
        )
    return locked


def apikey_record_use(*, api_key: ApiKey, now: datetime | None = None) -> bool:
    """Record that the key was used, at most once per LAST_USED_RESOLUTION.

    Called on every authenticated request, so it must not write every time. The in-memory value
    from the authentication query skips the statement entirely when it is fresh; otherwise a
    conditional UPDATE lets one of several concurrent requests write and the rest match no row.
    A single UPDATE is atomic on its own, so no transaction is opened.
    """
    now = now or timezone.now()
    threshold = now - LAST_USED_RESOLUTION
    if api_key.last_used_at is not None and api_key.last_used_at >= threshold:
        return False
    updated = (
        ApiKey.objects.filter(pk=api_key.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=threshold))
        .update(last_used_at=now)
    )
    if updated:
        api_key.last_used_at = now
    return bool(updated)


# --- Idempotency keys ---------------------------------------------------------------------


@dataclass(frozen=True)
class ApiResult:
    status_code: int
    body: str
    replayed: bool = False


def _claim(*, reseller: Reseller, key: str, fingerprint: str) -> IdempotencyKey | ApiResult:
    """Claim `key` for this request, or return the stored answer to replay.

    Atomic without a lock: the INSERT either creates the in-flight row or fails on the unique
    (reseller, key) constraint, in which case another request owns or owned the key.
    """
    for _attempt in range(3):
        now = timezone.now()
        try:
            # In autocommit (a normal request) the INSERT commits on its own, so the claim is
            # visible to concurrent requests at once, in one round trip. Inside a transaction
            # (tests, ATOMIC_REQUESTS) a savepoint keeps a failed INSERT from breaking it.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                return IdempotencyKey.objects.create(
                    reseller=reseller,
                    key=key,
                    fingerprint=fingerprint,
                    locked_at=now,
                    expires_at=now + IDEMPOTENCY_TTL,
                )
        except IntegrityError:
            pass
        record = IdempotencyKey.objects.filter(reseller=reseller, key=key).first()
        if record is None:
            continue  # released or purged between our INSERT and SELECT: try again
        if record.expires_at <= now:
            # Expired but not purged yet: the key is free again. The conditional UPDATE lets
            # exactly one of several concurrent retries take it.
            taken = IdempotencyKey.objects.filter(pk=record.pk, expires_at__lte=now).update(
                fingerprint=fingerprint,
                status=IdempotencyStatus.IN_FLIGHT,
                locked_at=now,
                response_status=None,
                response_body="",
                order=None,
                expires_at=now + IDEMPOTENCY_TTL,
            )
            if taken:
                record.refresh_from_db()
                return record
            continue
        if record.fingerprint != fingerprint:
            raise IdempotencyMismatch(
                "This Idempotency-Key was already used with a different request body. Send a "
                "new key for a new request, or resend exactly the same body to get the first "
                "answer."
            )
        if record.status == IdempotencyStatus.COMPLETED:
            # Completed in the same UPDATE that stored response_status: it is always set.
            return ApiResult(record.response_status, record.response_body, replayed=True)
        if record.locked_at <= now - IDEMPOTENCY_ABANDONED_AFTER:
            taken = IdempotencyKey.objects.filter(
                pk=record.pk, status=IdempotencyStatus.IN_FLIGHT, locked_at=record.locked_at
            ).update(locked_at=now)
            if taken:
                record.locked_at = now
                return record
            continue
        raise IdempotencyConflict(
            "A request with this Idempotency-Key is still being processed. Wait a moment and "
            "retry with the same key and body to get its answer."
        )
    raise IdempotencyConflict(
        "This Idempotency-Key is changing hands too quickly; retry in a moment."
    )


def _release(record: IdempotencyKey) -> None:
    # Only while we still own the claim (same locked_at): never delete a completed answer or a
    # claim a retry has taken over.
    IdempotencyKey.objects.filter(
        pk=record.pk, status=IdempotencyStatus.IN_FLIGHT, locked_at=record.locked_at
    ).delete()


def api_idempotent(
    *,
    reseller: Reseller,
    run: Callable[[Callable[[Any], None] | None], Any],
    render: Callable[[Any], str],
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> ApiResult:
    """Run a creating API request (placing an order) at most once per Idempotency-Key.

    `run(before_commit)` does the work in its own transaction and calls `before_commit(result)`
    inside it (`order_place(..., before_commit=...)` does): the result and the stored answer
    commit together, so a crash can never leave an order without its answer (a retry would
    then place a second one) or an answer without its order.

    Failed attempts are not stored: the claim is released and a retry with the same key runs
    again. Nothing was saved, so re-running is safe, and it answers with the current truth (the
    SKU has since been listed, the account reinstated) instead of pinning a stale error for 24
    hours. This is where we differ from Stripe, which stores errors too.
    """
    if not idempotency_key:
        # Nothing to record with the result: run's own transaction is enough.
        return ApiResult(201, render(run(None)))
    claimed = _claim(reseller=reseller, key=idempotency_key, fingerprint=fingerprint)
    if isinstance(claimed, ApiResult):
        return claimed
    claim = claimed
    body = ""

    def complete(order: Any) -> None:
        # Inside run's transaction: the answer is stored with the order or not at all.
        nonlocal body
        body = render(order)
        completed = IdempotencyKey.objects.filter(
            pk=claim.pk, status=IdempotencyStatus.IN_FLIGHT, locked_at=claim.locked_at
        ).update(
            status=IdempotencyStatus.COMPLETED,
            response_status=201,
            response_body=body,
            order=order,
        )
        if not completed:
            # We ran past the abandonment timeout and a retry took the key over; roll back
            # so the retry's answer is the only one.
            raise IdempotencyConflict(
                "This request took too long and a retry with the same Idempotency-Key took "
                "over; use the retry's answer."
            )

    try:
        run(complete)
    except BaseException:
        try:
            _release(claim)
        except Exception:
            # The original error matters more; the abandonment timeout frees the key.
            logger.exception("could not release idempotency key id=%s", claim.pk)
        raise
    return ApiResult(201, body)


def idempotency_purge_expired(*, now: datetime | None = None) -> int:
    """Delete idempotency keys past their 24 hours. A single DELETE; safe to run twice."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
