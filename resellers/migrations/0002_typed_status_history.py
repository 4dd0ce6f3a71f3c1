"""Reseller status history becomes typed: `kind` says what happened, `params` holds the reason a
staff member gave; the system's fixed sentences ("Signed up.") are rendered, not stored.

Existing rows are read once to fill `kind`: the system's three sentences map to their kinds,
everything else gets the kind its from/to statuses imply and keeps its text as the reason.
Reversible: going back writes each row's sentence into `reason` again.
"""

from django.db import migrations, models

SYSTEM_KINDS = {
    "Signed up.": "signed_up",
    "Approved automatically on signup.": "auto_approved",
    "First order placed.": "activated",
}
SYSTEM_SENTENCES = {kind: text for text, kind in SYSTEM_KINDS.items()}
KIND_BY_TO_STATUS = {
    "pending": "signed_up",
    "approved": "approved",
    "denied": "denied",
    "suspended": "suspended",
    "active": "activated",
}


def forwards(apps, schema_editor):
    StatusChange = apps.get_model("resellers", "StatusChange")
    batch = []
    for change in StatusChange.objects.iterator(chunk_size=2000):
        reason = change.reason or ""
        if reason in SYSTEM_KINDS:
            change.kind, change.params = SYSTEM_KINDS[reason], {}
        else:
            if change.from_status == "suspended":
                change.kind = "reinstated"
            else:
                change.kind = KIND_BY_TO_STATUS.get(change.to_status, "approved")
            change.params = {"reason": reason} if reason else {}
        batch.append(change)
        if len(batch) >= 2000:
            StatusChange.objects.bulk_update(batch, ["kind", "params"])
            batch = []
    StatusChange.objects.bulk_update(batch, ["kind", "params"])


def backwards(apps, schema_editor):
    StatusChange = apps.get_model("resellers", "StatusChange")
    batch = []
    for change in StatusChange.objects.iterator(chunk_size=2000):
        params = change.params or {}
        change.reason = SYSTEM_SENTENCES.get(change.kind, "") or params.get("reason", "")
        batch.append(change)
        if len(batch) >= 2000:
            StatusChange.objects.bulk_update(batch, ["reason"])
            batch = []
    StatusChange.objects.bulk_update(batch, ["reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("resellers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="statuschange",
            name="kind",
            field=models.CharField(
                choices=[
                    ("signed_up", "Signed up"),
                    ("approved", "Approved"),
                    ("auto_approved", "Approved automatically"),
                    ("denied", "Denied"),
                    ("suspended", "Suspended"),
                    ("reinstated", "Reinstated"),
                    ("activated", "Activated by first order"),
                ],
                default="approved",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="statuschange",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
        migrations.RemoveField(
            model_name="statuschange",
            name="reason",
        ),
    ]
