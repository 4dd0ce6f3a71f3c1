"""Forms for the portal's order pad. They check shapes (a quantity is a whole number, a CSV row
has two columns); every business rule (listed SKU, quantity ≥ 1, complete address, unique
reference) stays in orders.services.order_place so the portal and the API agree."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django import forms
from django.db.models import EmailField

from .choices import SHIPPING_METHODS
from .models import NOTE_MAX_LENGTH, SHIP_TO_FIELDS, ship_to_field
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
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Packing or delivery instructions for our warehouse.",
    )


# The form's name for a ship-to field where it differs from the API's (the page says
# "Country"; the field was posted as ship-country before the API existed).
SHIP_TO_FORM_NAMES = {"country_code": "country"}
SHIP_TO_WIDGET_ATTRS = {
    "name": {"autocomplete": "shipping name"},
    "company": {"autocomplete": "shipping organization"},
    "address_line1": {"autocomplete": "shipping address-line1"},
    "address_line2": {"autocomplete": "shipping address-line2"},
    "city": {"autocomplete": "shipping address-level2"},
    "state": {"autocomplete": "shipping address-level1"},
    "postal_code": {"autocomplete": "shipping postal-code"},
    "country_code": {"autocomplete": "shipping country", "maxlength": 2, "size": 2},
    "phone": {"type": "tel", "autocomplete": "shipping tel"},
    "email": {"autocomplete": "shipping email"},
}
SHIP_TO_HELP = {
    "country_code": "Two-letter code, e.g. US.",
    "email": "For the carrier's delivery notices.",
}


def ship_to_form_name(name: str) -> str:
    """The ShipToForm field for a ship-to field of order_place (`country_code` -> `country`)."""
    return SHIP_TO_FORM_NAMES.get(name, name)


def _ship_to_form_field(name: str) -> forms.Field:
    """The form field for one ship-to field, from its Order column: label, required, length.

    Required fields are ServiceCheckedCharFields: order_place decides what is required (the
    API shares it). The country has no max_length: order_place explains a wrong country
    better than a length error would.
    """
    column = ship_to_field(name)
    widget_class = forms.EmailInput if isinstance(column, EmailField) else forms.TextInput
    options = {
        "widget": widget_class(attrs=SHIP_TO_WIDGET_ATTRS.get(name, {})),
        "help_text": SHIP_TO_HELP.get(name, ""),
    }
    if not column.blank:
        options["form_class"] = ServiceCheckedCharField
    if name == "country_code":
        options["max_length"] = None
    return column.formfield(**options)


class _ShipToFormBase(forms.Form):
    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()


ShipToForm = type(
    "ShipToForm",
    (_ShipToFormBase,),
    {
        "__module__": __name__,
        "__doc__": "The ship-to address on the order pad: one field per Order ship_* column.",
        **{ship_to_form_name(name): _ship_to_form_field(name) for name in SHIP_TO_FIELDS},
    },
)


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
