"""Feed tokens and webhook signing secrets. Pure functions, no database."""

from __future__ import annotations

import base64
import secrets

from apikeys.tokens import hash_key

FEED_TOKEN_PREFIX = "rpf_"
# Shown in the portal so a reseller can tell which token a URL carries.
FEED_TOKEN_HINT_LENGTH = len(FEED_TOKEN_PREFIX) + 6
SIGNING_SECRET_PREFIX = "whsec_"


def new_feed_token() -> tuple[str, str, str]:
    """(plaintext, hint, hash). 256 random bits: a SHA-256 without salt is the right store,
    as for API keys (see apikeys.tokens)."""
    plaintext = FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return plaintext, plaintext[:FEED_TOKEN_HINT_LENGTH], hash_key(plaintext)


def feed_token_hash(plaintext: str) -> str:
    return hash_key(plaintext)


def new_signing_secret() -> str:
    """`whsec_` and 24 random bytes in base64: the Standard Webhooks secret format, which every
    Standard Webhooks library (and the `standardwebhooks` package) accepts as is."""
    return SIGNING_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")
