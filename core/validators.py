"""Form-field checks shared by more than one app's forms."""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError


def clean_country_code(value: str | None) -> str:
    """A blank value, or a two-letter country code in capitals (" us " → "US")."""
    country = (value or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise ValidationError("Enter a two-letter country code such as US.")
    return country


# Control characters (C0, DEL, C1 — CR, LF and tab among them) and the Unicode line and
# paragraph separators: none belongs in a one-line value, and a CR/LF in a name that reaches
# an e-mail subject or a CSV row splits it.
SINGLE_LINE_MESSAGE = "Use a single line: remove line breaks, tabs and other control characters."


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value)


def validate_single_line(value: str | None) -> None:
    if value and has_control_characters(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="control_characters")


def one_line(value: str) -> str:
    """The value with every control character or line break turned into a space (for headers)."""
    return " ".join(
        "".join(
            " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in value
        ).split()
    )


def require_single_line_text_fields(form: forms.BaseForm) -> None:
    """Adds validate_single_line to every one-line text input of `form` (not passwords)."""
    for field in form.fields.values():
        widget = field.widget
        if (
            isinstance(field, forms.CharField)
            and isinstance(widget, forms.TextInput)
            and not isinstance(widget, forms.PasswordInput)
            and validate_single_line not in field.validators
        ):
            field.validators.append(validate_single_line)
