"""Rule history rows get structured parameters, from which the sentence shown is rendered.

Existing rows are filled from their snapshots: an `updated` row lists the snapshot keys that
differ from the same rule's previous row, a `moved` row the priority before and after. A row
with no earlier row for its rule keeps empty params (it reads as "Updated." as before).
Reversing drops the column; nothing else changed.
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    RuleChange = apps.get_model("rules", "RuleChange")
    previous: dict[int, dict] = {}
    batch = []
    for change in RuleChange.objects.exclude(rule=None).order_by("rule_id", "id").iterator():
        before = previous.get(change.rule_id)
        after = change.snapshot or {}
        if before is not None and change.action == "updated":
            change.params = {"changed": [k for k in after if after[k] != before.get(k)]}
            batch.append(change)
        elif before is not None and change.action == "moved":
            change.params = {
                "from_priority": before.get("priority"),
                "to_priority": after.get("priority"),
            }
            batch.append(change)
        previous[change.rule_id] = after
    RuleChange.objects.bulk_update(batch, ["params"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0002_rule_change_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="rulechange",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
