"""Memberships get a random `uid`: staff pages, the switcher and the API name them by it, so their
sequential ids no longer tell anyone the network's volumes.

The standard three steps for a unique field on existing rows: add it nullable, give every row
a fresh uuid4 (in batches), then make it unique and required."""

import uuid

from django.db import migrations, models

MODELS = ["membership"]
BATCH = 1000


def fill_uids(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("accounts", name)
        rows = model.objects.filter(uid__isnull=True).only("pk")
        while batch := list(rows[:BATCH]):
            for row in batch:
                row.uid = uuid.uuid4()
            model.objects.bulk_update(batch, ["uid"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_uids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="membership",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
