"""Form-field checks shared by more than one app's forms."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def clean_country_code(value: str | None) -> str:
    """A blank value, or a two-letter country code in capitals (" us " → "US")."""
    country = (value or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise ValidationError("Enter a two-letter country code such as US.")
    return country
