from __future__ import annotations

from django import forms

from .models import Channel


class ChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["name", "slug", "currency", "is_active", "is_default"]
        help_texts = {"slug": "Short identifier used in URLs and rules, e.g. wholesale."}

    def _get_validation_exclusions(self):
        # Making this channel the default is allowed: channel_save() clears the old default
        # in the same transaction, so the single-default constraint holds at commit.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("is_default")
        return exclusions

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError("Enter a three-letter ISO currency code such as USD.")
        return currency

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("is_default") and not cleaned.get("is_active"):
            self.add_error("is_active", "The default channel must be active.")
        return cleaned
