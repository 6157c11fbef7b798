"""The finance app's vocabularies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    BUDGET = "budget", _("Budget")
    SPENT = "spent", _("Spending")


class Category(models.TextChoices):
    STAFF = "staff", _("Staff")
    TRANSPORT = "transport", _("Transport")
    SUBSISTENCE = "subsistence", _("Accommodation and subsistence for beneficiaries")
    INTERPRETATION = "interpretation", _("Interpretation")
    LEGAL = "legal", _("Legal")
    OVERHEADS = "overheads", _("Overheads")
    OTHER = "other", _("Other")


class FundingSource(models.TextChoices):
    FOUNDATION = "foundation", _("Private foundation")
    EU = "eu", _("EU fund (AMIF, ESF+, …)")
    NATIONAL = "national", _("National government")
    LOCAL = "local", _("Local government")
    OTHER = "other", _("Other")


EURO = "EUR"
