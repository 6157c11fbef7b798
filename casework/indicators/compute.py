"""Indicator values, computed by database aggregates (never by loading rows into Python)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from casework.cases.choices import Engagement, ExitReason
from casework.cases.models import EngagementPeriod
from casework.core.disclosure import rate_withheld
from casework.indicators.registry import DISAGGREGATIONS, REGISTRY
from casework.indicators.statistics import wilson


@dataclass(frozen=True)
class Value:
    """One cell: a rate with its numerator, denominator and 95% Wilson interval.

    Withheld cells (disclosure control) have every figure None and `suppressed` True.
    """

    group: str | None
    numerator: int | None
    denominator: int | None
    rate: float | None
    low: float | None
    high: float | None
    suppressed: bool = False


def numerator_condition(code: str, end: dt.date) -> Q:
    if code == "resolution_rate":
        return Q(exit_reason=ExitReason.RESOLVED, closed_on__lte=end)
    status = {
        "engagement_rate": Engagement.ENGAGED,
        "disengagement_rate": Engagement.DISENGAGED,
        "removal_rate": Engagement.REMOVED,
    }[code]
    return Q(status_at_end=status)


def case_rates(
    code: str, cases: QuerySet, start: dt.date, end: dt.date, by: str | None = None
) -> list[Value]:
    """`code`'s value for the cohort of `cases` with intake in [start, end], one per group."""
    if code not in REGISTRY:
        raise KeyError(f"No indicator {code}.")
    if by is not None and by not in REGISTRY[code].disaggregations:
        raise ValueError(f"{code} cannot be broken down by {by}.")
    latest = EngagementPeriod.objects.filter(case=OuterRef("pk"), started_on__lte=end).order_by(
        "-started_on", "-pk"
    )
    cohort = cases.filter(intake_date__gte=start, intake_date__lte=end).annotate(
        status_at_end=Subquery(latest.values("status")[:1])
    )
    column = DISAGGREGATIONS[by] if by else None
    counts = {
        "d": Count("pk", distinct=True),
        "n": Count("pk", filter=numerator_condition(code, end), distinct=True),
    }
    if column:
        rows = list(cohort.values(column).annotate(**counts).order_by(column))
    else:
        rows = [cohort.aggregate(**counts)]
    values = []
    for row in rows:
        n, d = row["n"], row["d"]
        if not d:
            continue
        low, high = wilson(n, d)
        values.append(Value(str(row[column]) if column else None, n, d, n / d, low, high))
    return values


def published(
    values: list[Value], *, inside_organisation: bool, k: int | None = None
) -> list[Value]:
    """Values as they may be shown: exact inside the organisation that recorded them; else
    small numbers withheld, and, in a breakdown, a second group withheld with a lone one, so
    that the total minus the other groups cannot reveal it."""
    if inside_organisation:
        return values
    hidden = {
        i for i, v in enumerate(values) if rate_withheld(v.numerator or 0, v.denominator or 0, k)
    }
    if len(values) > 1 and len(hidden) == 1:
        others = [i for i in range(len(values)) if i not in hidden]
        hidden.add(min(others, key=lambda i: (values[i].denominator or 0, i)))
    return [
        Value(v.group, None, None, None, None, None, suppressed=True) if i in hidden else v
        for i, v in enumerate(values)
    ]
