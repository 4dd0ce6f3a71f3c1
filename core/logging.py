"""A logging filter that keeps credentials out of every log line."""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_PATTERNS = (
    # Our API keys wherever they appear (a message, a repr of headers, a traceback).
    (re.compile(r"rpk_[A-Za-z0-9_\-]+"), "rpk_" + REDACTED),
    # A credential after an auth scheme: "Token abc", "Bearer abc", "Basic abc".
    (re.compile(r"\b(Token|Bearer|Basic)(\s+)[^\s'\",;}]+", re.IGNORECASE), r"\1\2" + REDACTED),
    # Header values by name, in HTTP form, META form or a dict repr.
    (
        re.compile(
            r"((?:HTTP_)?(?:AUTHORIZATION|X[-_]API[-_]TOKEN)['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n,}]+",
            re.IGNORECASE,
        ),
        r"\1" + REDACTED,
    ),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactCredentialsFilter(logging.Filter):
    """Rewrites a record's message, traceback and stack with credentials redacted.

    Attached to the handlers (not a logger) so records propagated from any library logger —
    django-ninja logs a malformed Authorization header in full when DEBUG is on — pass it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
