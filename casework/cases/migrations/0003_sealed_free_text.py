"""Contact notes, goals, task titles and approval comments are sealed at rest, like identity:
the columns become text holding ciphertext, and every existing value is sealed in place."""

from django.db import migrations

import casework.core.fields
from casework.core.fields import sealing

FIELDS = [("contact", "note"), ("goal", "description"), ("task", "title"), ("approval", "comment")]


def _uncopy_comments(apps, schema_editor):
    """Decisions' comments were copied into their timeline events in clear: the approval
    keeps them (sealed), the events no longer."""
    TimelineEvent = apps.get_model("cases", "TimelineEvent")
    for event in TimelineEvent.objects.filter(kind="approval").only("pk", "data").iterator():
        if "comment" in (event.data or {}):
            data = {k: v for k, v in event.data.items() if k != "comment"}
            TimelineEvent.objects.filter(pk=event.pk).update(data=data)


def _seal(apps, schema_editor):
    for model, field in FIELDS:
        sealing(f"cases.{model}", field)[0](apps, schema_editor)


def _open(apps, schema_editor):
    for model, field in FIELDS:
        sealing(f"cases.{model}", field)[1](apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_documents_and_consent_events"),
    ]

    operations = [
        migrations.AlterField(
            model_name="approval",
            name="comment",
            field=casework.core.fields.SealedTextField(
                blank=True, max_length=2000, verbose_name="comment"
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="note",
            field=casework.core.fields.SealedTextField(
                blank=True, max_length=2000, verbose_name="note"
            ),
        ),
        migrations.AlterField(
            model_name="goal",
            name="description",
            field=casework.core.fields.SealedTextField(
                max_length=300, multiline=False, verbose_name="goal"
            ),
        ),
        migrations.AlterField(
            model_name="task",
            name="title",
            field=casework.core.fields.SealedTextField(
                max_length=200, multiline=False, verbose_name="task"
            ),
        ),
        migrations.RunPython(_uncopy_comments, migrations.RunPython.noop),
        migrations.RunPython(_seal, _open),
    ]
