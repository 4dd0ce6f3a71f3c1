"""Order numbers computed by the database from the id (a stored generated column).

A regular column cannot be altered into a generated one, so the column is dropped and added
again; every existing number was already SO-%07d of its id, which the expression reproduces.
"""

from django.db import migrations, models

import orders.models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="order", name="number"),
        migrations.AddField(
            model_name="order",
            name="number",
            field=models.GeneratedField(
                db_persist=True,
                expression=orders.models.order_number_expression(),
                output_field=models.CharField(max_length=20),
                unique=True,
            ),
        ),
    ]
