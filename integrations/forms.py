from __future__ import annotations

from django import forms

from .choices import EventType


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="Where we POST the events, e.g. https://shop.example.com/hooks/portal.",
        widget=forms.URLInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=[(value, f"{value} — {label}") for value, label in EventType.choices],
        widget=forms.CheckboxSelectMultiple,
        initial=list(EventType.values),
        error_messages={"required": "Choose at least one event to receive."},
    )
