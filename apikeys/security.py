"""Who is calling the API and how often: key authentication and the per-key rate limit."""

from __future__ import annotations

import logging
import math
import threading
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer
from ninja.throttling import BaseThrottle

from . import selectors, services, tokens
from .models import ApiKey

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-API-TOKEN"
RATE_LIMIT_WINDOW_SECONDS = 60

# The 401 message for each reason a key was refused: what happened and what to do.
FAILURE_MESSAGES = {
    selectors.MISSING: (
        f"No API key. Send it in the {TOKEN_HEADER} header (or Authorization: Bearer <key>); "
        "create one in the portal under Settings."
    ),
    selectors.MALFORMED: (
        f"That is not an API key: keys start with {tokens.PREFIX} and are {tokens.KEY_LENGTH} "
        "characters long. Copy the whole key shown when it was created."
    ),
    selectors.UNKNOWN: (
        "Unknown API key. Check that you copied the whole key, or create a new one in the "
        "portal under Settings."
    ),
    selectors.REVOKED: "This API key was revoked. Create a new one in the portal under Settings.",
    selectors.EXPIRED: (
        "This API key expired at the end of its rotation grace period. Use the key that "
        "replaced it."
    ),
}


def authentication_failure_message(request: HttpRequest) -> str:
    return FAILURE_MESSAGES[getattr(request, "_api_key_failure", selectors.MISSING)]


def _authenticate(request: HttpRequest, token: str | None) -> ApiKey | None:
    lookup = selectors.apikey_for_token(token=token)
    if lookup.api_key is None:
        # ninja asks X-API-TOKEN on every request (None when the header is absent), then
        # Bearer only when an Authorization header is sent. Explain the first key the client
        # actually sent; with none, the 401 says the key is missing.
        if lookup.failure != selectors.MISSING and not hasattr(request, "_api_key_failure"):
            request._api_key_failure = lookup.failure  # type: ignore[attr-defined]
        return None
    services.apikey_record_use(api_key=lookup.api_key)
    return lookup.api_key


class ApiTokenHeader(APIKeyHeader):
    """`X-API-TOKEN: <key>` — the documented way to authenticate."""

    param_name = TOKEN_HEADER

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return _authenticate(request, key)


class ApiTokenBearer(HttpBearer):
    """`Authorization: Bearer <key>` — for HTTP clients that only know bearer tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return _authenticate(request, token)


# A little longer than the window, so a counter outlives the window it counts.
COUNTER_TTL_SECONDS = RATE_LIMIT_WINDOW_SECONDS + 5


def count_hit(cache_key: str) -> int:
    """Add one to a window's counter and return the new count, atomically."""
    cache = caches[DEFAULT_CACHE_ALIAS]  # the backend itself, not the module-level proxy
    if isinstance(cache, RedisCache):
        # One round trip: INCR creates the key at 1 and is atomic across every web process;
        # EXPIRE in the same pipeline (the key names its window, so re-setting it is
        # harmless). Django's add() + incr() would take three round trips.
        full_key = cache.make_and_validate_key(cache_key)
        client = cache._cache.get_client(full_key, write=True)
        with client.pipeline(transaction=False) as pipeline:
            pipeline.incr(full_key)
            pipeline.expire(full_key, COUNTER_TTL_SECONDS)
            count, _ = pipeline.execute()
        return int(count)
    # Local memory (one process, its own lock): add() creates the counter only if missing.
    if cache.add(cache_key, 1, timeout=COUNTER_TTL_SECONDS):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:
        # The counter expired between add() and incr(): a new window's first hit.
        cache.set(cache_key, 1, timeout=COUNTER_TTL_SECONDS)
        return 1


class ApiKeyRateThrottle(BaseThrottle):
    """A fixed window of API_RATE_LIMIT_PER_MINUTE requests per key and minute.

    The counter lives in Django's cache: Redis in production, so every web process shares it
    and INCR makes it exact under concurrency; local memory on a laptop. A fixed window (not a
    sliding log) costs one round trip per request and needs no per-request storage.
    """

    def __init__(self) -> None:
        # ninja keeps one throttle per API and asks wait() right after allow_request() said
        # no, so the wait is per thread, never shared between concurrent requests.
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        limit = settings.API_RATE_LIMIT_PER_MINUTE
        api_key = getattr(request, "auth", None)
        self._local.wait = None
        if not limit or api_key is None:
            return True
        now = time.time()
        window = int(now // RATE_LIMIT_WINDOW_SECONDS)
        try:
            count = count_hit(f"apikeys:rate:{api_key.pk}:{window}")
        except Exception:
            # A cache outage must not take the API down with it: fail open, loudly.
            logger.exception("rate limit cache unavailable; allowing request")
            return True
        if count <= limit:
            return True
        self._local.wait = (window + 1) * RATE_LIMIT_WINDOW_SECONDS - now
        return False

    def wait(self) -> float | None:
        wait = getattr(self._local, "wait", None)
        return max(1, math.ceil(wait)) if wait is not None else None
