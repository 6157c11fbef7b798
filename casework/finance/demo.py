"""Plausible budgets and spending for the demo pilots, from their own caseload.

Each demo project spends, per enrolled day, what the network's published figures say a pilot
of its country costs: Bulgaria €3.34, Cyprus €6.90 and Poland €7.30 per person per day (2020
evaluation); Belgium and Greece €194, Italy €88 per case per month, and the network's €140
elsewhere (scaling plan). Spending is split across categories as a case-management pilot's
would be, entered per year (per quarter in the current year, up to the last ended quarter). Each
past year had a budget 8% above what was spent (pilots underspend a little), and the current
year's budget is 15% above the last year's spending.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min
from django.utils import timezone

from casework.accounts.models import Project
from casework.cases.models import Case
from casework.core.periods import parse_period
from casework.finance.choices import Category, FundingSource, Kind
from casework.finance.costs import MONTH_DAYS, enrolled_days
from casework.finance.models import Amount

PER_PERSON_DAY = {"BG": Decimal("3.34"), "CY": Decimal("6.90"), "PL": Decimal("7.30")}
PER_CASE_MONTH = {"BE": Decimal("194"), "GR": Decimal("194"), "IT": Decimal("88")}
NETWORK_CASE_MONTH = Decimal("140")
SHARES = {
    Category.STAFF: Decimal("0.60"),
    Category.TRANSPORT: Decimal("0.08"),
    Category.SUBSISTENCE: Decimal("0.12"),
    Category.INTERPRETATION: Decimal("0.06"),
    Category.LEGAL: Decimal("0.06"),
    Category.OVERHEADS: Decimal("0.08"),
}
SOURCES = {"BE": FundingSource.EU, "IT": FundingSource.EU, "GB": FundingSource.NATIONAL}
SUSTAINABLE = {"BG", "GB"}  # pilots with multi-year funding
BUDGET_OVER_SPENT = Decimal("1.08")


def _periods(first_year: int, today: dt.date) -> list[str]:
    years = [str(year) for year in range(first_year, today.year)]
    quarters = [f"{today.year}-Q{q}" for q in range(1, (today.month - 1) // 3 + 1)]
    return years + quarters


def _spent(country: str, case_days: int, person_days: int) -> Decimal:
    if country in PER_PERSON_DAY:
        return PER_PERSON_DAY[country] * person_days
    monthly = PER_CASE_MONTH.get(country, NETWORK_CASE_MONTH)
    return monthly * case_days / MONTH_DAYS


def create_demo_budgets(today: dt.date | None = None) -> int:
    """Add the demo projects' spending and budgets where they have none; the lines added."""
    today = today or timezone.localdate()
    added = 0
    for project in Project.objects.select_related("organisation").order_by("pk"):
        if Amount.objects.filter(project=project).exists():
            continue
        cases = Case.objects.filter(project=project)
        first = cases.aggregate(first=Min("intake_date"))["first"]
        if first is None:
            continue
        country = str(project.organisation.country)
        last_year = Decimal(0)
        for period in _periods(first.year, today):
            start, end = parse_period(period)
            case_days, person_days = enrolled_days(cases, start, end).get(project.pk, (0, 0))
            total = _spent(country, case_days, person_days)
            if not total:
                continue
            if period == str(today.year - 1):
                last_year = total
            added += _lines(project, Kind.SPENT, period, start, end, total, country)
            if "-Q" not in period:
                budget = total * BUDGET_OVER_SPENT
                added += _lines(project, Kind.BUDGET, period, start, end, budget, country)
        if last_year:
            start, end = parse_period(str(today.year))
            added += _lines(
                project,
                Kind.BUDGET,
                str(today.year),
                start,
                end,
                last_year * Decimal("1.15"),
                country,
            )
    return added


def _lines(
    project: Project,
    kind: str,
    period: str,
    start: dt.date,
    end: dt.date,
    total: Decimal,
    country: str,
) -> int:
    for category, share in SHARES.items():
        Amount(
            organisation_id=project.organisation_id,
            project=project,
            kind=kind,
            period=period,
            starts_on=start,
            ends_on=end,
            category=category,
            amount=(total * share).quantize(Decimal("0.01"), ROUND_HALF_UP),
            source=SOURCES.get(country, FundingSource.FOUNDATION),
            sustainable=country in SUSTAINABLE,
            note="Demo figures",
        ).save()
    return len(SHARES)
