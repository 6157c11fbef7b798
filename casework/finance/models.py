"""Budgets and spending of each project, and what detention costs per person per day.

An amount is entered for one project, one category and one period (a month, a quarter or a
year), in euros or in another currency with the rate to the euro and its date. Costs per
person per day divide the spending by the enrolled person-days that the cases give
(casework.finance.costs): nothing here repeats a count of people.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from casework.core.access import Principal
from casework.core.models import AuditedModel, OrgScopedModel, TimeStampedModel
from casework.core.querysets import AccessQuerySet
from casework.finance.choices import EURO, Category, FundingSource, Kind

CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("Write the currency as its three-letter code (EUR)."))
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class Amount(OrgScopedModel, TimeStampedModel):
    """What one project budgeted or spent in one category over one period."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        "accounts.Project",
        on_delete=models.PROTECT,
        related_name="amounts",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("budget or spending"), max_length=10, choices=Kind.choices)
    period = models.CharField(
        _("period"), max_length=10, help_text=_("A year (2025), a quarter (2025-Q2) or a month.")
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3, default=EURO, validators=[CURRENCY])
    rate = models.DecimalField(
        _("euros per unit"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("For another currency than the euro: what one unit was worth in euros."),
    )
    rate_on = models.DateField(_("date of the rate"), null=True, blank=True)
    source = models.CharField(_("source of funds"), max_length=20, choices=FundingSource.choices)
    sustainable = models.BooleanField(
        _("multi-year or sustainable funding"),
        default=False,
        help_text=_("Funding that continues beyond the pilot (counted as sustainable funding)."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A line entered by mistake is withdrawn, not deleted: it no longer counts, and the books
    # still show what was entered and when it was taken back.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["project__name", "-starts_on", "category"]
        verbose_name = _("budget or spending line")
        verbose_name_plural = _("budgets and spending")
        indexes = [
            models.Index(fields=["organisation", "kind", "starts_on"], name="amount_org_kind_start")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.period} {self.get_category_display()}"

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        """An organisation's own amounts, for its own staff only: the network sees costs in
        releases, never live."""
        if principal.is_organisation:
            return queryset.filter(organisation_id=principal.organisation_id)
        return queryset.none()

    @property
    def in_euros(self) -> Decimal:
        if self.currency == EURO:
            return self.amount
        assert self.rate is not None  # the service refuses another currency without a rate
        return (self.amount * self.rate).quantize(Decimal("0.01"))


class DetentionCost(AuditedModel, TimeStampedModel):
    """What immigration detention costs per person per day in a country: a published figure
    with its source, kept by the network's coordinators to compare against."""

    country = CountryField(_("country"))
    per_day = models.DecimalField(
        _("euros per person per day"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    year = models.PositiveSmallIntegerField(_("year of the figure"))
    source = models.CharField(_("source"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["country", "-year"]
        verbose_name = _("detention cost")
        verbose_name_plural = _("detention costs")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "year", "source"], name="detention_cost_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country.name} {self.year}: €{self.per_day}"
