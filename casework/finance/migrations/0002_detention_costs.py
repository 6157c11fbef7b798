"""The detention costs the network's scaling plan cites (DOMAIN.md, reference figures):
De Bruycker et al. (2015), per person per day. Coordinators add and correct figures from
/finance/detention-costs/."""

from decimal import Decimal

from django.db import migrations

SOURCE = "De Bruycker et al. (2015), cited in the network's scaling plan"
FIGURES = [
    ("AT", Decimal("120.00"), ""),
    ("BE", Decimal("180.00"), "Without the costs of infrastructure, removal and lawyers."),
    ("GB", Decimal("164.00"), ""),
]


def seed(apps, schema_editor):
    DetentionCost = apps.get_model("finance", "DetentionCost")
    for country, per_day, note in FIGURES:
        DetentionCost.objects.get_or_create(
            country=country, year=2015, source=SOURCE, defaults={"per_day": per_day, "note": note}
        )


def unseed(apps, schema_editor):
    apps.get_model("finance", "DetentionCost").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
