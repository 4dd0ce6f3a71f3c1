from __future__ import annotations

from django import forms
from django.utils import timezone

from channels.forms import CsvUploadForm

from .carriers import CARRIERS
from .models import Shipment


class ShipmentForm(forms.Form):
    """Add shipment: the carrier and tracking, and one quantity per order line."""

    carrier = forms.CharField(
        label="Carrier",
        max_length=Shipment._meta.get_field("carrier").max_length,
        help_text="UPS, USPS, FedEx and DHL get a tracking link; any other name is kept as typed.",
        widget=forms.TextInput(attrs={"list": "carrier-names", "autocomplete": "off"}),
    )
    service = forms.CharField(
        label="Service",
        required=False,
        max_length=Shipment._meta.get_field("service").max_length,
        help_text="E.g. Ground, 2nd Day Air.",
    )
    tracking_number = forms.CharField(
        label="Tracking number", max_length=Shipment._meta.get_field("tracking_number").max_length
    )
    tracking_url = forms.CharField(
        label="Tracking URL",
        required=False,
        max_length=Shipment._meta.get_field("tracking_url").max_length,
        help_text="Only for a carrier not listed above; theirs is built from the number.",
    )
    shipped_at = forms.DateTimeField(
        label="Shipped at",
        required=False,
        help_text="Leave empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    carrier_names = [carrier.name for carrier in CARRIERS.values()]

    def __init__(self, *args, lines_left: list[tuple], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines_left = lines_left
        for index, (line, left) in enumerate(lines_left):
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"{line.sku} quantity",
                min_value=0,
                initial=left,
                required=False,
                widget=forms.NumberInput(attrs={"max": left, "min": 0, "data-index": index}),
            )

    def line_fields(self) -> list[tuple]:
        """(order line, units left, bound quantity field) for the table of lines."""
        return [(line, left, self[f"line_{line.pk}"]) for line, left in self.lines_left]

    def quantities(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data.get(f"line_{line.pk}") or 0 for line, _ in self.lines_left
        }

    def shipped_at_value(self):
        return self.cleaned_data.get("shipped_at") or timezone.now()

    def add_service_errors(self, errors: list[tuple[str, str]]) -> None:
        """Place the service's (path, message) errors on the fields they name."""
        for path, message in errors:
            if path in self.fields:
                self.add_error(path, message)
            elif path.startswith("lines[") and path.endswith("].quantity"):
                index = int(path[len("lines[") : -len("].quantity")])
                line, _ = self.lines_left[index]
                self.add_error(f"line_{line.pk}", message)
            else:
                self.add_error(None, message)


class TrackingImportForm(CsvUploadForm):
    file_help = (
        "Columns order_number,carrier,tracking_number and optionally sku,quantity. "
        "A header row is optional."
    )
    text_placeholder = "SO-0000042,UPS,1Z999AA10123456784"


class StaffCancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        help_text="The reseller sees it on the order.",
    )
