from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from resellers.models import Reseller

from . import tokens
from .choices import ApiKeyStatus
from .models import ApiKey


def apikey_list(*, reseller: Reseller) -> QuerySet[ApiKey]:
    """A reseller's keys, newest first: what the portal and the back office list."""
    return ApiKey.objects.filter(reseller=reseller).order_by("-created_at", "-id")


def apikey_get(*, reseller: Reseller | None, pk: int) -> ApiKey:
    """One key, or ApiKey.DoesNotExist when it is not the asker's (callers answer 404).

    `reseller=None` is staff, who may act on any key.
    """
    keys = ApiKey.objects.select_related("reseller")
    if reseller is not None:
        keys = keys.filter(reseller=reseller)
    return keys.get(pk=pk)


# Why a presented key was refused; the API turns each into a 401 message a developer can act on.
MISSING = "missing"
MALFORMED = "malformed"
UNKNOWN = "unknown"
REVOKED = "revoked"
EXPIRED = "expired"


@dataclass(frozen=True)
class KeyLookup:
    api_key: ApiKey | None
    failure: str | None = None


def apikey_for_token(*, token: str | None, now: datetime | None = None) -> KeyLookup:
    """Find the usable key for a presented token, with its reseller and channel (one query).

    The format and checksum are checked first, so typos and random strings never reach the
    database. The hash comparison is constant-time.
    """
    token = (token or "").strip()
    if not token:
        return KeyLookup(None, MISSING)
    prefix = tokens.prefix_of(token)
    if prefix is None:
        return KeyLookup(None, MALFORMED)
    try:
        api_key = ApiKey.objects.select_related("reseller", "reseller__channel").get(prefix=prefix)
    except ApiKey.DoesNotExist:
        api_key = None
    if api_key is None or not tokens.matches(token, api_key.hash):
        return KeyLookup(None, UNKNOWN)
    status = api_key.status_at(now or timezone.now())
    if status == ApiKeyStatus.REVOKED:
        return KeyLookup(None, REVOKED)
    if status == ApiKeyStatus.EXPIRED:
        return KeyLookup(None, EXPIRED)
    return KeyLookup(api_key)
