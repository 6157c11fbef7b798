"""Forms of the finance pages; the services check the rules (casework.finance.services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from casework.accounts.models import Project
from casework.finance.choices import EURO, Category, FundingSource, Kind
from casework.finance.models import DetentionCost


class AmountForm(forms.Form):
    project = forms.ModelChoiceField(Project.objects.none(), label=_("Project"))
    kind = forms.ChoiceField(
        label=_("Budget or spending"), choices=Kind.choices, initial=Kind.SPENT
    )
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        help_text=_("A year (2025), a quarter (2025-Q2) or a month (2025-03)."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial=EURO)
    rate = forms.DecimalField(
        label=_("Euros per unit"),
        max_digits=14,
        decimal_places=6,
        required=False,
        help_text=_("Only for another currency than the euro, with the date of the rate."),
    )
    rate_on = forms.DateField(
        label=_("Date of the rate"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    source = forms.ChoiceField(label=_("Source of funds"), choices=FundingSource.choices)
    sustainable = forms.BooleanField(label=_("Multi-year or sustainable funding"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, projects: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = projects
        only = list(projects[:2])
        if len(only) == 1:  # one project: chosen already
            field.initial = only[0].pk


class DetentionCostForm(forms.ModelForm):
    class Meta:
        model = DetentionCost
        fields = ["country", "per_day", "year", "source", "note"]


class ProjectionForm(forms.Form):
    baseline_cases = forms.IntegerField(
        label=_("Cases a year now"), min_value=1, max_value=10_000_000, initial=400
    )
    growth = forms.DecimalField(
        label=_("Growth (%)"),
        min_value=Decimal("-100"),
        max_value=Decimal("1000"),
        decimal_places=2,
        initial=15,
    )
    monthly_cost = forms.DecimalField(
        label=_("Cost per case per month (€)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        initial=140,
    )
    detention_per_day = forms.DecimalField(
        label=_("Detention cost per person per day (€)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        required=False,
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "A header row with project, kind, period, category, amount and, where needed, "
            "currency, rate, rate_on, source, sustainable, note. Up to 2 MB."
        ),
    )
