from __future__ import annotations

import re

from django import forms
from django.contrib.auth import password_validation

from accounts.models import User
from accounts.normalization import normalize_email
from channels.models import Channel
from channels.selectors import active_channels, channel_for_approval
from core.concurrency import VersionFormMixin
from core.validators import clean_country_code, require_single_line_text_fields

from .choices import ResellerStatus
from .models import PortalSettings, Reseller

PHONE_PATTERN = re.compile(r"^\+?[0-9 ().-]{7,20}$")


class SignupForm(forms.Form):
    company_name = forms.CharField(label="Company name", max_length=200)
    contact_name = forms.CharField(label="Contact name", max_length=150)
    email = forms.EmailField(label="Email", help_text="You will log in with this address.")
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not a common password, not only digits.",
    )
    phone = forms.CharField(label="Phone", max_length=32, required=False)
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    tax_id = forms.CharField(label="Tax ID", max_length=64, required=False)
    address_line1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    address_line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    state = forms.CharField(label="State / region", max_length=100, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    country = forms.CharField(
        label="Country", max_length=60, required=False, help_text="Two-letter code, e.g. US."
    )

    SECTIONS = (
        ("Your company", ("company_name", "contact_name", "phone", "website", "tax_id")),
        ("Your login", ("email", "password")),
        (
            "Billing address",
            ("address_line1", "address_line2", "city", "state", "postal_code", "country"),
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        require_single_line_text_fields(self)

    def sections(self) -> list[tuple[str, list]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Log in or reset your password."
            )
        return email

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise forms.ValidationError(
                "Enter a phone number of 7 to 20 digits; spaces, dashes, dots, brackets and a "
                "leading + are allowed."
            )
        return phone

    def clean_country(self) -> str:
        return clean_country_code(self.cleaned_data["country"])

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = User(email=cleaned.get("email", ""), full_name=cleaned.get("contact_name", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class SeenStatusMixin(forms.Form):
    """The status the staff member saw when the page was drawn, sent back with the action.

    The transition service refuses the action if the reseller has moved since (two staff
    members approving and denying at once). Left out by a hand-made request, nothing is checked
    beyond the transition rules.
    """

    expected_status = forms.ChoiceField(
        choices=ResellerStatus.choices, required=False, widget=forms.HiddenInput
    )
    # The id of the newest status change the page listed (0: none): the row version.
    seen_change = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)


class ApproveForm(SeenStatusMixin):
    channel = forms.ModelChoiceField(
        label="Channel",
        queryset=Channel.objects.none(),
        required=False,
        help_text="The channel decides the catalog, the prices and the invoicing rules.",
    )

    def __init__(self, *args, reseller: Reseller, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = active_channels()
        # Shown on the page only; approving without a choice lets the service apply the rule.
        self.single_channel = channel_for_approval()
        if self.single_channel is None:
            self.fields["channel"].required = True
            if reseller.channel_id and reseller.channel.is_active:
                self.fields["channel"].initial = reseller.channel_id
        else:
            self.fields["channel"].initial = self.single_channel.pk


class ReasonForm(SeenStatusMixin):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The reseller will see this.",
    )


class ChannelChangeForm(forms.Form):
    channel = forms.ModelChoiceField(
        label="New channel",
        queryset=Channel.objects.none(),
        help_text="Future orders use this channel's prices and rules; placed orders keep theirs.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the reseller's history.",
    )

    def __init__(self, *args, reseller: Reseller, **kwargs) -> None:
        super().__init__(*args, prefix="channel_change", **kwargs)
        self.fields["channel"].queryset = active_channels().exclude(pk=reseller.channel_id)


class BulkDecisionForm(forms.Form):
    """The reseller list's **Approve selected** / **Deny selected**."""

    ACTIONS = (("approve", "Approve selected"), ("deny", "Deny selected"))

    resellers = forms.ModelMultipleChoiceField(
        queryset=Reseller.objects.all(),
        error_messages={"required": "Select at least one reseller."},
    )
    action = forms.ChoiceField(choices=ACTIONS)
    channel = forms.ModelChoiceField(
        label="Channel",
        queryset=Channel.objects.none(),
        required=False,
        empty_label="The only active channel",
        help_text="For Approve selected.",
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For Deny selected; each reseller will see it.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = active_channels()
        if channel_for_approval() is None:
            self.fields["channel"].empty_label = "Choose a channel"

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("action") == "deny" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Give a reason for denying; each reseller will see it.")
        return cleaned


class ReinstateForm(SeenStatusMixin):
    reason = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResellerProfileForm(VersionFormMixin, forms.ModelForm):
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    tags = forms.CharField(
        label="Tags",
        required=False,
        help_text="Comma-separated labels rules can match on, e.g. eu, dropship.",
    )

    class Meta:
        model = Reseller
        fields = [
            "company_name",
            "contact_name",
            "email",
            "phone",
            "website",
            "tax_id",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "country",
            "tier",
            "tags",
            "notes",
            "payment_terms",
            "tax_exempt",
            "tax_exempt_note",
            "tax_exempt_until",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "tax_exempt_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        require_single_line_text_fields(self)
        self.initial["tags"] = ", ".join(self.instance.tags or [])
        self.fields["payment_terms"].required = False

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [tag.strip() for tag in raw.split(",") if tag.strip()]

    def clean_country(self) -> str:
        return clean_country_code(self.cleaned_data.get("country"))

    def clean_payment_terms(self) -> int:
        # Left out of a submission (a form drawn before terms existed): keep the current ones.
        return self.cleaned_data.get("payment_terms") or self.instance.payment_terms

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("tax_exempt") and not (cleaned.get("tax_exempt_note") or "").strip():
            # The note is what the invoice prints as the reason no tax was charged.
            self.add_error(
                "tax_exempt_note",
                "Say why the reseller is exempt (e.g. its resale certificate number); "
                "invoices print it.",
            )
        return cleaned


class PortalSettingsForm(VersionFormMixin, forms.ModelForm):
    class Meta:
        model = PortalSettings
        fields = ["auto_approve_resellers"]
