"""Forms for the portal's order pad. They check shapes (a quantity is a whole number, a CSV row
has two columns); every business rule (listed SKU, quantity ≥ 1, complete address, unique
reference) stays in orders.services.order_place so the portal and the API agree."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django import forms

from .choices import SHIPPING_METHODS
from .services import MAX_LINES

MAX_PAD_ROWS = 200  # each row is two POST fields; Django refuses more than 1,000 fields
EMPTY_PAD_ROWS = 5
MAX_CSV_BYTES = 512 * 1024


class ServiceCheckedCharField(forms.CharField):
    """Shown as required (label marker, browser `required`), but left empty it is passed on:
    order_place checks it, so a missing city and an unknown SKU are reported together."""

    def validate(self, value) -> None:
        if value in self.empty_values:
            return
        super().validate(value)


class OrderDetailsForm(forms.Form):
    reference_number = ServiceCheckedCharField(
        label="Reference number",
        max_length=64,
        help_text="Your own order number, e.g. your store's order ID. Must be unique.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    shipping_method = forms.ChoiceField(
        label="Shipping method",
        choices=[(method, method) for method in SHIPPING_METHODS],
        initial=SHIPPING_METHODS[0],
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Packing or delivery instructions for our warehouse.",
    )


class ShipToForm(forms.Form):
    # order_place decides what is required (the API shares it); see ServiceCheckedCharField.
    name = ServiceCheckedCharField(
        label="Name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "shipping name"}),
    )
    company = forms.CharField(
        label="Company",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping organization"}),
    )
    address_line1 = ServiceCheckedCharField(
        label="Address line 1",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-line1"}),
    )
    address_line2 = forms.CharField(
        label="Address line 2",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-line2"}),
    )
    city = ServiceCheckedCharField(
        label="City",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-level2"}),
    )
    state = ServiceCheckedCharField(
        label="State",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-level1"}),
    )
    postal_code = ServiceCheckedCharField(
        label="Postal code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "shipping postal-code"}),
    )
    # No max_length here: order_place explains a wrong country better than a length error.
    country = ServiceCheckedCharField(
        label="Country",
        help_text="Two-letter code, e.g. US.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "shipping country",
                "maxlength": 2,
                "size": 2,
            }
        ),
    )
    phone = forms.CharField(
        label="Phone",
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "shipping tel"}),
    )
    email = forms.EmailField(
        label="Email",
        required=False,
        help_text="For the carrier's delivery notices.",
        widget=forms.EmailInput(attrs={"autocomplete": "shipping email"}),
    )

    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()


class OrderLineForm(forms.Form):
    sku = forms.CharField(
        label="SKU",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    quantity = forms.IntegerField(
        label="Quantity",
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "step": 1, "inputmode": "numeric"}),
        error_messages={"invalid": "Enter a whole number."},
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        sku = (cleaned.get("sku") or "").strip()
        cleaned["sku"] = sku
        if sku and cleaned.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", "Enter a quantity.")
        return cleaned

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("sku") and data.get("quantity") is None


OrderLineFormSet = forms.formset_factory(
    OrderLineForm,
    extra=EMPTY_PAD_ROWS,
    max_num=MAX_PAD_ROWS,
    absolute_max=MAX_PAD_ROWS,
    validate_max=True,
)


@dataclass(frozen=True)
class CsvLine:
    line: int
    sku: str
    quantity: int


class OrderLinesCsvForm(forms.Form):
    lines_text = forms.CharField(
        label="Paste lines",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "MUG-CERAMIC,12", "spellcheck": "false"}
        ),
        help_text="One line per item: sku,quantity. A header line sku,quantity is allowed.",
    )
    lines_file = forms.FileField(
        label="Or upload a CSV file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="Same columns: sku,quantity.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        upload = cleaned.get("lines_file")
        text = cleaned.get("lines_text") or ""
        cleaned["lines_file_lines"] = []
        cleaned["lines_text_lines"] = []
        if upload:
            if upload.size > MAX_CSV_BYTES:
                self.add_error("lines_file", "The file is larger than 512 KB; split the order.")
                return cleaned
            try:
                content = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error(
                    "lines_file",
                    "The file is not UTF-8 text. Save it from your spreadsheet as CSV UTF-8.",
                )
                return cleaned
            cleaned["lines_file_lines"] = self._parse(content, "lines_file")
        if text.strip():
            cleaned["lines_text_lines"] = self._parse(text, "lines_text")
        if len(cleaned["lines_file_lines"]) + len(cleaned["lines_text_lines"]) > MAX_LINES:
            self.add_error(None, f"An order can have at most {MAX_LINES} lines.")
        return cleaned

    def _parse(self, text: str, field: str) -> list[CsvLine]:
        source = "file" if field == "lines_file" else "pasted text"
        parsed: list[CsvLine] = []
        problems: list[str] = []
        reader = csv.reader(io.StringIO(text))
        try:
            for cells in reader:
                number = reader.line_num
                cells = [cell.strip() for cell in cells]
                if not any(cells):
                    continue
                if (
                    not parsed
                    and not problems
                    and [c.lower() for c in cells] == ["sku", "quantity"]
                ):
                    continue
                if len(cells) != 2:
                    problems.append(
                        f"Line {number}: expected two columns, sku,quantity; found {len(cells)}."
                    )
                    continue
                sku, quantity = cells
                try:
                    parsed.append(CsvLine(number, sku, int(quantity)))
                except ValueError:
                    problems.append(f"Line {number}: quantity “{quantity}” is not a whole number.")
        except csv.Error as error:
            problems.append(f"Line {reader.line_num}: not valid CSV ({error}).")
        for problem in problems[:20]:
            self.add_error(field, f"In the {source}: {problem}")
        if len(problems) > 20:
            self.add_error(field, f"…and {len(problems) - 20} more problems in the {source}.")
        return parsed
