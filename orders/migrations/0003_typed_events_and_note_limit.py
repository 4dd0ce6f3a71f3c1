"""Order events become typed: the sentence that was stored in `message` is now rendered from
`kind` and `params`. Existing rows are read once, here, to recover their parameters:

- created: "Placed via Portal." -> {"source": "portal"}
- status_changed: the staff member's note -> {"note": ...}
- payment_*: "Capture of 1,234.50 USD recorded (offline, no gateway). Reference X." ->
  {"amount", "currency", "gateway_note", "reference"}

A row whose text does not match what the code wrote keeps it as {"legacy_message": ...}, which
is shown as it was. Reversible: going back renders each row's sentence into `message` again
(the same text the old code stored).
"""

import re
from decimal import Decimal

import django.core.serializers.json
from django.db import migrations, models

# The labels the code used when these rows were written (not the live choices, which may move).
SOURCE_BY_LABEL = {"Portal": "portal", "API": "api", "Inventory Source": "inventory_source"}
LABEL_BY_SOURCE = {value: label for label, value in SOURCE_BY_LABEL.items()}
PAYMENT_TEXT = {
    "payment_captured": re.compile(
        r"^Capture of (?P<amount>[\d,]+\.\d{2}) (?P<currency>[A-Z]{3}) recorded"
        r"(?: \((?P<gateway_note>[^)]*)\))?\. Reference (?P<reference>.+)\.$"
    ),
    "payment_authorized": re.compile(
        r"^Payment of (?P<amount>[\d,]+\.\d{2}) (?P<currency>[A-Z]{3}) authorized by the reseller"
        r"(?: \((?P<gateway_note>[^)]*)\))?\. Reference (?P<reference>.+)\.$"
    ),
}


def params_from_message(kind: str, message: str) -> dict:
    if kind == "created":
        label = message.removeprefix("Placed via ").removesuffix(".")
        if message.startswith("Placed via ") and label in SOURCE_BY_LABEL:
            return {"source": SOURCE_BY_LABEL[label]}
    elif kind == "status_changed":
        return {"note": message}
    elif kind in PAYMENT_TEXT:
        match = PAYMENT_TEXT[kind].match(message)
        if match:
            return {
                "amount": str(Decimal(match["amount"].replace(",", ""))),
                "currency": match["currency"],
                "reference": match["reference"],
                "gateway_note": match["gateway_note"] or "",
            }
    return {"legacy_message": message} if message else {}


def message_from_params(kind: str, params: dict) -> str:
    if "legacy_message" in params:
        return params["legacy_message"]
    if kind == "created" and "source" in params:
        return f"Placed via {LABEL_BY_SOURCE.get(params['source'], params['source'])}."
    if kind == "status_changed":
        return params.get("note", "")
    if kind in PAYMENT_TEXT and "amount" in params:
        amount = f"{Decimal(params['amount']):,.2f} {params['currency']}"
        text = (
            f"Capture of {amount} recorded"
            if kind == "payment_captured"
            else f"Payment of {amount} authorized by the reseller"
        )
        if params.get("gateway_note"):
            text += f" ({params['gateway_note']})"
        return f"{text}. Reference {params['reference']}."
    return ""


def forwards(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    batch = []
    for event in OrderEvent.objects.only("id", "kind", "message").iterator(chunk_size=2000):
        event.params = params_from_message(event.kind, event.message)
        batch.append(event)
        if len(batch) >= 2000:
            OrderEvent.objects.bulk_update(batch, ["params"])
            batch = []
    OrderEvent.objects.bulk_update(batch, ["params"])


def backwards(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    batch = []
    for event in OrderEvent.objects.only("id", "kind", "params").iterator(chunk_size=2000):
        event.message = message_from_params(event.kind, event.params or {})
        batch.append(event)
        if len(batch) >= 2000:
            OrderEvent.objects.bulk_update(batch, ["message"])
            batch = []
    OrderEvent.objects.bulk_update(batch, ["message"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_order_number_generated"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderevent",
            name="params",
            field=models.JSONField(
                blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
        migrations.RemoveField(
            model_name="orderevent",
            name="message",
        ),
        migrations.AlterField(
            model_name="order",
            name="note",
            field=models.TextField(blank=True, max_length=5000),
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Order placed"),
                    ("status_changed", "Status changed"),
                    ("payment_authorized", "Payment authorized"),
                    ("payment_captured", "Payment captured"),
                ],
                max_length=30,
            ),
        ),
    ]
