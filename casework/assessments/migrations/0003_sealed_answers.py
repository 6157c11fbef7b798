"""A submission's answers are sealed at rest, like identity: the column becomes text holding
ciphertext, and every existing submission's answers are sealed in place."""

from django.db import migrations

import casework.core.fields
from casework.core.fields import sealing

seal, unseal = sealing("assessments.submission", "answers", json_value=True)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_rating_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="answers",
            field=casework.core.fields.SealedJSONField(default=dict, verbose_name="answers"),
        ),
        migrations.RunPython(seal, unseal),
    ]
