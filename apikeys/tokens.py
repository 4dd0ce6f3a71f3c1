"""The API key format: generating, recognising and hashing keys. Pure functions, no database.

A key looks like ``rpk_<lookup>_<secret><checksum>``:

- ``rpk_`` says "reseller portal key", so people and secret scanners recognise a leaked key;
- ``lookup`` (12 base62 characters) finds the key's row without revealing the secret; it is
  stored, and shown in the portal as the key's prefix ``rpk_<lookup>``;
- ``secret`` is 256 bits from :mod:`secrets`, base62-encoded to 43 characters; it is never
  stored, only the SHA-256 of the whole key is;
- ``checksum`` is the CRC32 of everything before it, base62-encoded to 6 characters (the scheme
  GitHub uses for its tokens), so a scanner can tell a real key from a random look-alike
  offline, and the API can reject a mistyped key without a database query.

SHA-256 without a salt or a slow KDF is right here: a 256-bit random secret cannot be guessed
or found in a rainbow table, unlike a password, and authentication must stay cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import zlib
from dataclasses import dataclass, field

PREFIX = "rpk_"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
LOOKUP_LENGTH = 12
SECRET_BYTES = 32
SECRET_LENGTH = 43  # ceil(256 / log2(62))
CHECKSUM_LENGTH = 6  # ceil(32 / log2(62))
KEY_LENGTH = len(PREFIX) + LOOKUP_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH

# Also the pattern to give a secret scanner (documented in the README).
KEY_PATTERN = re.compile(
    rf"^{PREFIX}(?P<lookup>[0-9A-Za-z]{{{LOOKUP_LENGTH}}})_"
    rf"(?P<secret>[0-9A-Za-z]{{{SECRET_LENGTH}}})(?P<checksum>[0-9A-Za-z]{{{CHECKSUM_LENGTH}}})$"
)


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(BASE62[remainder])
    return "".join(reversed(digits)).rjust(width, BASE62[0])


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


@dataclass(frozen=True)
class NewKey:
    # Kept out of the repr so a stray log line or traceback cannot print the secret.
    plaintext: str = field(repr=False)
    prefix: str
    hash: str


def generate_key() -> NewKey:
    lookup = "".join(secrets.choice(BASE62) for _ in range(LOOKUP_LENGTH))
    secret = _base62(int.from_bytes(secrets.token_bytes(SECRET_BYTES), "big"), SECRET_LENGTH)
    body = f"{PREFIX}{lookup}_{secret}"
    plaintext = body + _checksum(body)
    return NewKey(plaintext=plaintext, prefix=f"{PREFIX}{lookup}", hash=hash_key(plaintext))


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def looks_like_key(candidate: str) -> bool:
    """Whether `candidate` has the key format and a correct checksum (no database needed)."""
    match = KEY_PATTERN.match(candidate)
    if match is None:
        return False
    body = candidate[:-CHECKSUM_LENGTH]
    return hmac.compare_digest(_checksum(body), match["checksum"])


def prefix_of(plaintext: str) -> str | None:
    """The stored lookup prefix of a well-formed key, or None for anything else."""
    if not looks_like_key(plaintext):
        return None
    return plaintext[: len(PREFIX) + LOOKUP_LENGTH]


def matches(plaintext: str, stored_hash: str) -> bool:
    """Constant-time comparison, so response timing does not leak how much of a hash matched."""
    return hmac.compare_digest(hash_key(plaintext), stored_hash)
