"""One spelling per e-mail address: the key for sign-up, log-in, password reset and lockout."""

from __future__ import annotations

import unicodedata

from django.http import HttpRequest


def normalize_email(value: str | None) -> str:
    """NFKC then case-fold, so `Lock2@…`, `lOck2@…` and `reſeller@…` (long s) each have one key.

    NFKC folds compatibility forms (U+017F long s → s, full-width letters → ASCII) and
    casefold() is the Unicode caseless match; together they are the comparison the database
    lookup must agree with, or the lockout counts per typed string while log-in does not.
    """
    return unicodedata.normalize("NFKC", (value or "").strip()).casefold()


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """django-axes AXES_USERNAME_CALLABLE: failures counted on the normalised address."""
    if credentials and credentials.get("username") is not None:
        return normalize_email(credentials["username"])
    return normalize_email(request.POST.get("username") if request is not None else "")
