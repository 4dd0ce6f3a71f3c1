from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from .normalization import normalize_email


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "That email and password do not match an account. Check both and try "
        "again.",
        "inactive": "This account is inactive.",
    }

    def clean_username(self) -> str:
        return normalize_email(self.cleaned_data["username"])


class SiteUrlPasswordResetForm(PasswordResetForm):
    """Finds the account by its normalised address; links point at SITE_URL, never the Host."""

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def get_users(self, email: str):
        users = get_user_model()._default_manager.filter(
            email__iexact=normalize_email(email), is_active=True
        )
        return (user for user in users if user.has_usable_password())

    def save(self, *args, **kwargs) -> None:
        # The request's Host may be any allowed host (or port); the e-mail must carry the
        # site's one public address.
        site = urlsplit(settings.SITE_URL)
        kwargs["domain_override"] = site.netloc + site.path.rstrip("/")
        kwargs["use_https"] = site.scheme == "https"
        super().save(*args, **kwargs)
