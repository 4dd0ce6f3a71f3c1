from __future__ import annotations

from django import forms

from .choices import GracePeriod


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label="Key name",
        max_length=100,
        help_text="What will use the key, e.g. Inventory Source or our ERP.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ApiKeyRotateForm(forms.Form):
    grace_period = forms.ChoiceField(
        label="Old key", choices=GracePeriod.choices, initial=GracePeriod.ONE_DAY
    )
