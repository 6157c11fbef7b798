"""Caseload and unit costs: enrolled days from the cases, spending from the amounts.

- A case is enrolled from its intake date to its closure (both days counted), or to the end
  of the period while open. Its **case-days** in a period are the days of that span inside
  the period; its **person-days** count each member of its household (one for a case without
  a household): a family of four enrolled for ten days gives 10 case-days and 40 person-days.
- **Spending** in a period is every spending line that overlaps it, spread evenly over the
  days of its own period (an annual amount counts a quarter of itself in a quarter of 91 of
  365 days), in euros at the rate typed with it.
- **Cost per person per day** = spending ÷ person-days; **cost per case per month** =
  spending ÷ case-days x 30.4375 (the mean length of a month).
- **Completeness**: how many months of the period have some spending recorded for the
  project, so that a low cost is not taken for a cheap pilot when it is a missing invoice.
- **Saving against detention** = detention cost per day x person-days - spending, at the
  country's latest published comparator, with the range between its lowest and highest.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, Q, QuerySet
from django.db.models import Value as Const
from django.db.models.functions import Coalesce, Greatest, Least

from casework.accounts.models import Project
from casework.cases.models import Case
from casework.core.access import principal_of
from casework.finance.choices import Kind
from casework.finance.models import Amount, DetentionCost

MONTH_DAYS = Decimal("30.4375")  # 365.25 / 12
METHOD = (
    "Cost per person per day = spending in the period / enrolled person-days in the period "
    "(a family case counts every member of its household); cost per case per month = "
    "spending / case-days x 30.4375. Enrolled: from intake to closure, or to the period's end "
    "while open. Spending lines are spread evenly over the days of their own period. Saving = "
    "detention cost per person per day x person-days - spending."
)  # as the API and the downloads say it
CENT = Decimal("0.01")


def enrolled_days(cases: QuerySet, start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    """Project id → (case-days, person-days) of `cases` in [start, end], in one query."""
    first = Const(start, output_field=DateField())
    last = Const(end, output_field=DateField())
    rows = (
        cases.filter(intake_date__isnull=False, intake_date__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .annotate(
            span=ExpressionWrapper(
                Least(Coalesce("closed_on", last), last) - Greatest("intake_date", first),
                output_field=DurationField(),
            ),
            size=Count("household__members", distinct=True),
        )
        .values("project_id", "size", "span")
        .order_by()
    )
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        days = row["span"].days + 1
        out[row["project_id"]][0] += days
        out[row["project_id"]][1] += days * max(row["size"], 1)
    return {project: (case_days, person_days) for project, (case_days, person_days) in out.items()}


def _overlap(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> int:
    return max(0, (min(a_end, b_end) - max(a_start, b_start)).days + 1)


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    year, month = start.year, start.month
    while dt.date(year, month, 1) <= end:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        out.append((max(dt.date(year, month, 1), start), min(following - dt.timedelta(1), end)))
        year, month = following.year, following.month
    return out


@dataclass
class Spending:
    """Spending of one project in the period: its total in euros and the months covered."""

    total: Decimal = Decimal("0")
    months_covered: int = 0
    months: int = 0


def spending(
    amounts: QuerySet, start: dt.date, end: dt.date, kind: str = Kind.SPENT
) -> dict[int, Spending]:
    """Project id → its spending (or budget, with `kind`) in [start, end], lines spread
    evenly over their days."""
    months = _months(start, end)
    lines = amounts.filter(
        kind=kind, starts_on__lte=end, ends_on__gte=start, withdrawn_at__isnull=True
    )
    out: dict[int, Spending] = defaultdict(lambda: Spending(months=len(months)))
    covered: dict[int, set[int]] = defaultdict(set)
    for line in lines.order_by("starts_on"):
        days = (line.ends_on - line.starts_on).days + 1
        inside = _overlap(line.starts_on, line.ends_on, start, end)
        share = (line.in_euros * inside / days).quantize(CENT, ROUND_HALF_UP)
        found = out[line.project_id]
        found.total += share
        for i, (first, last) in enumerate(months):
            if _overlap(line.starts_on, line.ends_on, first, last):
                covered[line.project_id].add(i)
    for project, months_seen in covered.items():
        out[project].months_covered = len(months_seen)
    return dict(out)


@dataclass(frozen=True)
class Comparator:
    """A country's detention cost per person per day: the latest figure, and the range of
    every figure kept for the country (for the sensitivity of a saving)."""

    per_day: Decimal
    year: int
    source: str
    low: Decimal
    high: Decimal


def comparators() -> dict[str, Comparator]:
    """Country code → its comparator."""
    by_country: dict[str, list[DetentionCost]] = defaultdict(list)
    for cost in DetentionCost.objects.order_by("country", "-year", "source"):
        by_country[str(cost.country)].append(cost)
    return {
        country: Comparator(
            costs[0].per_day,
            costs[0].year,
            costs[0].source,
            min(c.per_day for c in costs),
            max(c.per_day for c in costs),
        )
        for country, costs in by_country.items()
    }


@dataclass(frozen=True)
class UnitCost:
    """One project's (or a sum of projects') costs in a period. A sum over several countries
    has no single comparator: its saving is the sum of its countries' (`parts`), over the
    countries that have one."""

    label: str
    country: str
    spending: Decimal
    case_days: int
    person_days: int
    months_covered: int
    months: int
    comparator: Comparator | None
    parts: tuple[UnitCost, ...] = ()
    budget: Decimal = Decimal("0")  # the budget of the period, spread like spending

    @property
    def share_of_budget(self) -> Decimal | None:
        """Spending ÷ budget (None without a budget)."""
        if not self.budget:
            return None
        return (self.spending / self.budget).quantize(Decimal("0.001"), ROUND_HALF_UP)

    @property
    def per_person_day(self) -> Decimal | None:
        if not self.person_days:
            return None
        return (self.spending / self.person_days).quantize(CENT, ROUND_HALF_UP)

    @property
    def per_case_month(self) -> Decimal | None:
        if not self.case_days:
            return None
        return (self.spending / self.case_days * MONTH_DAYS).quantize(CENT, ROUND_HALF_UP)

    def saving(self, per_day: Decimal | None = None) -> Decimal | None:
        """Detention cost x person-days - spending, at `per_day` (default: the comparator's
        latest figure)."""
        if self.parts:
            return _sum(part.saving() for part in self.parts)
        rate = per_day
        if rate is None and self.comparator is not None:
            rate = self.comparator.per_day
        if rate is None or not self.person_days:
            return None
        return (rate * self.person_days - self.spending).quantize(CENT, ROUND_HALF_UP)

    @property
    def saving_low(self) -> Decimal | None:
        if self.parts:
            return _sum(part.saving_low for part in self.parts)
        return self.saving(self.comparator.low) if self.comparator else None

    @property
    def saving_high(self) -> Decimal | None:
        if self.parts:
            return _sum(part.saving_high for part in self.parts)
        return self.saving(self.comparator.high) if self.comparator else None

    @property
    def share_saved(self) -> Decimal | None:
        """1 - ATD cost per day ÷ detention cost per day."""
        cost = self.per_person_day
        if cost is None or self.comparator is None:
            return None
        return (1 - self.spending / self.person_days / self.comparator.per_day).quantize(
            Decimal("0.001"), ROUND_HALF_UP
        )

    @property
    def complete(self) -> bool:
        return self.months_covered == self.months

    def as_dict(self) -> dict[str, Any]:
        """Every figure by name, for the API and the downloads."""
        comparator = self.comparator
        return {
            "project": self.label or None,
            "country": self.country,
            "budget": self.budget,
            "spending": self.spending,
            "share_of_budget": self.share_of_budget,
            "case_days": self.case_days,
            "person_days": self.person_days,
            "months_with_spending": self.months_covered,
            "months": self.months,
            "per_person_day": self.per_person_day,
            "per_case_month": self.per_case_month,
            "detention_per_day": comparator.per_day if comparator else None,
            "detention_source": f"{comparator.source} ({comparator.year})" if comparator else "",
            "share_saved": self.share_saved,
            "saving": self.saving(),
            "saving_low": self.saving_low,
            "saving_high": self.saving_high,
        }


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    known = [value for value in values if value is not None]
    return sum(known, Decimal("0")) if known else None


def combined(rows: list[UnitCost], months: int, label: str = "") -> UnitCost:
    """The sum of `rows`: with their country's comparator when they are all of one country,
    else with one part per country."""
    countries = sorted({row.country for row in rows})
    one = countries[0] if len(countries) == 1 else ""
    return UnitCost(
        label,
        one,
        sum((r.spending for r in rows), Decimal("0")),
        sum(r.case_days for r in rows),
        sum(r.person_days for r in rows),
        min((r.months_covered for r in rows), default=0),
        months,
        rows[0].comparator if one else None,
        ()
        if one or not rows
        else tuple(
            combined([r for r in rows if r.country == country], months, country)
            for country in countries
        ),
        sum((r.budget for r in rows), Decimal("0")),
    )


def with_spending(rows: list[UnitCost], months: int, label: str = "") -> UnitCost:
    """The sum of the rows with spending recorded in the period, for the indicators: a
    project with none would count its days at no cost and its whole detention cost saved."""
    return combined([row for row in rows if row.months_covered], months, label)


Amounts = tuple[float | None, float | None, float | None]


def indicator_amounts(total: UnitCost) -> dict[str, Amounts]:
    """The cost indicators' (value, low, high) for a total, in euros: none where no
    spending is recorded (a cost of nothing would be read as a cheap pilot)."""
    found = {
        "cost_per_person_day": (total.per_person_day, None, None),
        "cost_per_case_month": (total.per_case_month, None, None),
        "saving_against_detention": (total.saving(), total.saving_low, total.saving_high),
    }
    spent = total.spending > 0

    def euros(value: Decimal | None) -> float | None:
        return float(value) if spent and value is not None else None

    return {code: (euros(v), euros(low), euros(high)) for code, (v, low, high) in found.items()}


def months_in(start: dt.date, end: dt.date) -> int:
    return len(_months(start, end))


def project_costs(
    cases: QuerySet, amounts: QuerySet, projects: QuerySet, start: dt.date, end: dt.date
) -> list[tuple[Project, UnitCost]]:
    """Each project of `projects` with its unit costs in [start, end], by name: five
    queries (projects, days, spending, budgets, comparators), whatever their number."""
    days = enrolled_days(cases, start, end)
    spent = spending(amounts, start, end)
    budgets = spending(amounts, start, end, Kind.BUDGET)
    against = comparators()
    months = months_in(start, end)
    rows = []
    for project in projects.select_related("organisation").order_by("name"):
        case_days, person_days = days.get(project.pk, (0, 0))
        found = spent.get(project.pk, Spending(months=months))
        country = str(project.organisation.country)
        unit = UnitCost(
            project.name,
            country,
            found.total,
            case_days,
            person_days,
            found.months_covered,
            months,
            against.get(country),
            budget=budgets[project.pk].total if project.pk in budgets else Decimal("0"),
        )
        rows.append((project, unit))
    return rows


def unit_costs(
    cases: QuerySet, amounts: QuerySet, projects: QuerySet, start: dt.date, end: dt.date
) -> list[UnitCost]:
    """Each project's unit costs in [start, end], then the total of all of them (a list of
    UnitCost, the total last, labelled "")."""
    rows = [unit for _project, unit in project_costs(cases, amounts, projects, start, end)]
    return [*rows, combined(rows, months_in(start, end))]


def sustainable(amounts: QuerySet, start: dt.date, end: dt.date) -> set[int]:
    """The projects with a budget or spending line from multi-year or sustainable funding
    that overlaps [start, end]."""
    return set(
        amounts.filter(
            sustainable=True, starts_on__lte=end, ends_on__gte=start, withdrawn_at__isnull=True
        ).values_list("project_id", flat=True)
    )


def costs_of(user: Any, start: dt.date, end: dt.date) -> list[UnitCost]:
    """`unit_costs` of the caller's own organisation, every row read through the access
    layer."""
    return unit_costs(
        Case.objects.visible_to(user),
        Amount.objects.visible_to(user),
        Project.objects.visible_to(user).filter(organisation_id=principal_of(user).organisation_id),
        start,
        end,
    )


@dataclass(frozen=True)
class Projection:
    """The scaling plan's arithmetic: more cases a year at a monthly cost per case, against
    the same time in detention."""

    baseline_cases: int
    growth: Decimal  # 0.15 for +15%
    monthly_cost: Decimal
    detention_per_day: Decimal | None

    @property
    def additional_cases(self) -> Decimal:
        return (self.baseline_cases * self.growth).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def additional_annual_cost(self) -> Decimal:
        return (self.additional_cases * self.monthly_cost * 12).quantize(CENT, ROUND_HALF_UP)

    @property
    def detention_cost_avoided(self) -> Decimal | None:
        """The same case-years in detention: an upper bound, since not everyone would have
        been detained for as long."""
        if self.detention_per_day is None:
            return None
        days = self.additional_cases * 12 * MONTH_DAYS
        return (days * self.detention_per_day).quantize(CENT, ROUND_HALF_UP)
