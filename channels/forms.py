from __future__ import annotations

from django import forms

from core.concurrency import VersionFormMixin

from .choices import StockPolicy
from .models import Channel, Listing, Product


class ChannelForm(VersionFormMixin, forms.ModelForm):
    class Meta:
        model = Channel
        fields = [
            "name",
            "slug",
            "currency",
            "is_active",
            "is_default",
            "stock_policy",
            "cancel_window_hours",
        ]
        help_texts = {"slug": "Short identifier used in URLs and rules, e.g. wholesale."}

    def _get_validation_exclusions(self):
        # Making this channel the default is allowed: channel_save() clears the old default
        # in the same transaction, so the single-default constraint holds at commit.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("is_default")
        return exclusions

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stock_policy"].required = False

    def clean_stock_policy(self) -> str:
        return self.cleaned_data.get("stock_policy") or StockPolicy.REFUSE

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


class ProductForm(VersionFormMixin, forms.ModelForm):
    class Meta:
        model = Product
        fields = ["sku", "title", "description", "cost", "msrp", "weight", "stock"]
        help_texts = {
            "sku": "Resellers order by SKU. No spaces or commas (it is used in CSV files).",
            "stock": "Units on the shelf. Resellers see what is available: this minus the "
            "units reserved by orders not shipped yet.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The stock on hand as the page showed it travels with the form, so saving another
        # field does not write back a count that orders changed meanwhile (changed_data
        # compares with what was shown, not with the row as it is now).
        self.fields["stock"].show_hidden_initial = True

    def clean_sku(self) -> str:
        sku = self.cleaned_data["sku"].strip()
        if any(character.isspace() or character in ',;"' for character in sku):
            raise forms.ValidationError(
                "A SKU cannot contain spaces, commas, semicolons or quotes."
            )
        clash = Product.objects.filter(sku__iexact=sku).exclude(pk=self.instance.pk).first()
        if clash is not None:
            # Exact matches are unique in the database; a case-only difference would let
            # "mug-1" and "MUG-1" coexist and confuse everyone typing SKUs by hand.
            raise forms.ValidationError(f"A product with SKU “{clash.sku}” already exists.")
        return sku


class ListingForm(VersionFormMixin, forms.ModelForm):
    """A product on a channel at a price. The product is chosen by SKU: a catalog can hold
    far more products than a drop-down list can usefully show."""

    sku = forms.CharField(label="Product SKU", max_length=64)

    class Meta:
        model = Listing
        fields = ["channel", "sku", "price", "is_active"]
        labels = {"price": "Channel price", "is_active": "Active"}
        help_texts = {
            "price": "What resellers on this channel pay per unit, in the channel's currency.",
            "is_active": "Inactive listings are hidden from resellers and cannot be ordered.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.order_by("name")
        self.fields["channel"].empty_label = "Choose a channel"
        if self.instance.pk:
            self.fields["sku"].initial = self.instance.product.sku

    def clean_sku(self) -> Product:
        sku = self.cleaned_data["sku"].strip()
        product = Product.objects.filter(sku=sku).first()
        if product is None:
            raise forms.ValidationError(
                f"No product has SKU “{sku}”. Create the product first, then list it."
            )
        return product

    def clean(self) -> dict:
        cleaned = super().clean()
        channel, product = cleaned.get("channel"), cleaned.get("sku")
        if channel and product:
            self.instance.product = product
            clash = Listing.objects.filter(channel=channel, product=product).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error(
                    "sku", f"{product.sku} is already listed on {channel}; edit that listing."
                )
        return cleaned

    def _get_validation_exclusions(self):
        # Uniqueness of (channel, product) is checked in clean() with a clearer message.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("product")
        return exclusions

    @property
    def listing_data(self) -> dict:
        return {
            "channel": self.cleaned_data["channel"],
            "product": self.cleaned_data["sku"],
            "price": self.cleaned_data["price"],
            "is_active": self.cleaned_data["is_active"],
        }


class CsvUploadForm(forms.Form):
    """A CSV file or pasted rows, decoded to `cleaned_data["csv_text"]` (imports share it)."""

    MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    file_help = ""
    text_placeholder = ""

    file = forms.FileField(
        label="CSV file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    text = forms.CharField(label="Or paste CSV rows", required=False, widget=forms.Textarea())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.file_help
        self.fields["text"].widget.attrs.update({"rows": 6, "placeholder": self.text_placeholder})

    def clean(self) -> dict:
        cleaned = super().clean()
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if upload and text:
            raise forms.ValidationError("Upload a file or paste rows, not both.")
        if upload:
            if upload.size > self.MAX_UPLOAD_BYTES:
                self.add_error("file", "The file is larger than 2 MB; split it into parts.")
                return cleaned
            try:
                cleaned["csv_text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error(
                    "file",
                    "The file is not UTF-8 text. Save it from your spreadsheet as CSV UTF-8.",
                )
        elif text:
            cleaned["csv_text"] = text
        elif not self.errors:
            raise forms.ValidationError("Choose a CSV file or paste some rows.")
        return cleaned


class ListingImportForm(CsvUploadForm):
    file_help = "Columns sku,price and optionally active (yes/no). A header row is optional."
    text_placeholder = "MUG-1,8.25,yes"

    channel = forms.ModelChoiceField(
        label="Channel",
        queryset=Channel.objects.order_by("name"),
        empty_label="Choose a channel",
        help_text="Every row is listed on this channel.",
    )
    field_order = ["channel", "file", "text"]


class StockImportForm(CsvUploadForm):
    file_help = "Columns sku,stock: the units on hand. A header row is optional."
    text_placeholder = "MUG-1,120"
