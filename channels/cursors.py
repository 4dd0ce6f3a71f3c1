"""Opaque keyset cursors for incremental reads: a position (updated_at, id), base64url JSON.

Opaque so clients pass them back unchanged and the encoding can change; not signed, because
a forged cursor can only select rows of the caller's own channel, which it may read anyway.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime


def encode(updated_at: datetime, pk: int | None) -> str:
    raw = json.dumps([updated_at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int | None]:
    """(updated_at, id) or ValueError for anything this module did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, pk = json.loads(raw)
        updated_at = datetime.fromisoformat(moment)
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise ValueError("not a cursor") from error
    if updated_at.tzinfo is None or not (pk is None or (isinstance(pk, int) and pk >= 0)):
        raise ValueError("not a cursor")
    return updated_at, pk
