"""Indicator values, computed by database aggregates (never by loading rows into Python)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as Cases
from django.db.models import (
    CharField,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models import Value as Const
from django.db.models.functions import (
    Cast,
    Coalesce,
    Concat,
    ExtractQuarter,
    ExtractYear,
    Least,
)
from django.db.models.lookups import LessThan
from django.utils import timezone

from casework.accounts.models import Project
from casework.assessments.models import OutcomeRating
from casework.cases.choices import OUTCOME_TYPE, Engagement, ExitReason
from casework.cases.models import EngagementPeriod
from casework.core.periods import PeriodError, parse_period
from casework.finance import costs as finance
from casework.finance.models import Amount
from casework.immigration.choices import AppointmentKind, AppointmentOutcome
from casework.immigration.models import Appointment
from casework.indicators.models import Target
from casework.indicators.registry import DISAGGREGATIONS, REGISTRY
from casework.indicators.statistics import Step, kaplan_meier, median_survival, wilson


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
    reason: str = ""  # why a withheld cell is withheld (casework.core.publication.REASONS)
    # Indicators that count events (appointments) rather than people also carry the people
    # behind the numerator and behind the complement: disclosure control counts people.
    people: tuple[int, int] | None = None


def age_band_at_intake(prefix: str = "") -> Cases:
    """The age band at intake: from the birth year where known, else the recorded band."""
    age = ExtractYear(f"{prefix}intake_date") - F(f"{prefix}person__birth_year")
    bands = [(18, "0-17"), (25, "18-24"), (35, "25-34"), (50, "35-49"), (65, "50-64")]
    recorded = F(f"{prefix}person__age_band")
    return Cases(
        When(**{f"{prefix}person__birth_year__isnull": True}, then=recorded),
        When(**{f"{prefix}intake_date__isnull": True}, then=recorded),
        *(When(LessThan(age, limit), then=Const(band)) for limit, band in bands),
        default=Const("65+"),
        output_field=CharField(),
    )


EARLIER = "earlier"  # the quarter-of-intake group of cases taken in before the period


def intake_quarter(start: dt.date, prefix: str = "") -> Cases:
    """The quarter of intake, written like a period (2026-Q2); "earlier" for a case taken in
    before `start` (people served and appointments of a period count such cases too)."""
    date = f"{prefix}intake_date"
    return Cases(
        When(**{f"{date}__isnull": True}, then=Const(None)),
        When(**{f"{date}__lt": start}, then=Const(EARLIER)),
        default=Concat(
            Cast(ExtractYear(date), CharField()),
            Const("-Q"),
            Cast(ExtractQuarter(date), CharField()),
            output_field=CharField(),
        ),
        output_field=CharField(),
    )


# What each kind of indicator counts: the rows (cases, or appointments for compliance), and
# for each indicator its numerator and denominator conditions (None: every row).
Conditions = dict[str, tuple[Q, Q | None]]
STATUS = {
    "engagement_rate": Engagement.ENGAGED,
    "disengagement_rate": Engagement.DISENGAGED,
    "removal_rate": Engagement.REMOVED,
}


def _status_rows(codes: list[str], cases: QuerySet, end: dt.date) -> tuple[QuerySet, Conditions]:
    latest = EngagementPeriod.objects.filter(case=OuterRef("pk"), started_on__lte=end).order_by(
        "-started_on", "-pk"
    )
    rows = cases.annotate(status_at_end=Subquery(latest.values("status")[:1]))
    conditions: Conditions = {}
    for code in codes:
        resolved = Q(exit_reason=ExitReason.RESOLVED, closed_on__lte=end)
        if code == "resolution_rate":
            conditions[code] = (resolved, None)
        elif outcome_type := REGISTRY[code].dimension:  # resolution of one outcome type
            of_type = [r for r, t in OUTCOME_TYPE.items() if t == outcome_type]
            conditions[code] = (resolved & Q(resolution__in=of_type), None)
        else:
            conditions[code] = (Q(status_at_end=STATUS[code]), None)
    return rows, conditions


def _improvement_rows(
    codes: list[str], cases: QuerySet, end: dt.date
) -> tuple[QuerySet, Conditions]:
    conditions: Conditions = {}
    for code in codes:
        dimension = REGISTRY[code].dimension
        ratings = OutcomeRating.objects.filter(
            case=OuterRef("pk"), dimension=dimension, rated_on__lte=end
        )
        cases = cases.annotate(
            **{
                f"first_{dimension}": Subquery(
                    ratings.order_by("rated_on", "pk").values("score")[:1]
                ),
                f"latest_{dimension}": Subquery(
                    ratings.order_by("-rated_on", "-pk").values("score")[:1]
                ),
                f"ratings_{dimension}": Subquery(
                    ratings.order_by().values("case").annotate(n=Count("pk")).values("n")[:1]
                ),
            }
        )
        rated_twice = Q(**{f"ratings_{dimension}__gte": 2})
        improved = Q(**{f"latest_{dimension}__gt": F(f"first_{dimension}")})
        conditions[code] = (rated_twice & improved, rated_twice)
    return cases, conditions


def _compliance_rows(
    codes: list[str], cases: QuerySet, start: dt.date, end: dt.date
) -> tuple[QuerySet, Conditions]:
    rows = Appointment.objects.filter(
        case__in=cases.values("pk"),
        kind=AppointmentKind.REPORTING,
        on__gte=start,
        on__lte=end,
        outcome__in=(AppointmentOutcome.ATTENDED, AppointmentOutcome.MISSED),
    )
    return rows, {code: (Q(outcome=AppointmentOutcome.ATTENDED), None) for code in codes}


def _rows(
    kind: str, codes: list[str], cases: QuerySet, start: dt.date, end: dt.date
) -> tuple[QuerySet, Conditions, str]:
    """The counted rows of one kind of indicator, their conditions, and the prefix that
    leads from a row to its case's columns."""
    if kind == "compliance":
        return (*_compliance_rows(codes, cases, start, end), "case__")
    cohort = cases.filter(intake_date__gte=start, intake_date__lte=end)
    if kind == "improvement":
        return (*_improvement_rows(codes, cohort, end), "")
    return (*_status_rows(codes, cohort, end), "")


def cohort_conditions(
    cases: QuerySet, start: dt.date, end: dt.date, cutoff: dt.date
) -> tuple[QuerySet, Conditions]:
    """The cohort of [start, end] with the numerator and denominator condition of every
    indicator counted on it (status, improvement and the survival events by `cutoff`): what
    a release's audit needs to know which figures count which cases."""
    of_kind = {
        kind: [code for code, i in REGISTRY.items() if i.kind == kind]
        for kind in ("status", "improvement", "survival")
    }
    cohort = cases.filter(intake_date__gte=start, intake_date__lte=end)
    rows, conditions = _status_rows(of_kind["status"], cohort, end)
    rows, improvement = _improvement_rows(of_kind["improvement"], rows, end)
    conditions |= improvement
    for code in of_kind["survival"]:
        rows = rows.annotate(**{f"event_{code}": survival_event(code, cutoff)})
        conditions[code] = (Q(**{f"event_{code}__isnull": False}), None)
    return rows, conditions


def compliance_rows(cases: QuerySet, start: dt.date, end: dt.date) -> tuple[QuerySet, Q]:
    """The appointments reporting compliance counts, and the condition of its numerator."""
    codes = [code for code, i in REGISTRY.items() if i.kind == "compliance"]
    rows, conditions = _compliance_rows(codes, cases, start, end)
    return rows, conditions[codes[0]][0]


def served(cases: QuerySet, start: dt.date, end: dt.date) -> QuerySet:
    """Cases open at some time in [start, end] (people served counts their people)."""
    return _served(cases, start, end)


def _check(codes: list[str], by: str | None) -> None:
    for code in codes:
        if code not in REGISTRY:
            raise KeyError(f"No indicator {code}.")
        if by is not None and by not in REGISTRY[code].disaggregations:
            raise ValueError(f"{code} cannot be broken down by {by}.")


def _group_column(
    rows: QuerySet, by: str | None, prefix: str, start: dt.date
) -> tuple[QuerySet, str | None]:
    column = DISAGGREGATIONS[by] if by else None
    if column == "age_band_at_intake":
        return rows.annotate(age_band_at_intake=age_band_at_intake(prefix)), column
    if column == "intake_quarter":
        return rows.annotate(intake_quarter=intake_quarter(start, prefix)), column
    return rows, (prefix + column if column else None)


def _group_name(value: Any) -> str:
    return str(value) if value is not None else "none"


def rates(
    codes: list[str], cases: QuerySet, start: dt.date, end: dt.date, by: str | None = None
) -> dict[str, list[Value]]:
    """Values of several rate indicators over `cases` for [start, end], one per group of
    `by`: one query for each kind of indicator, however many indicators of that kind."""
    _check(codes, by)
    out: dict[str, list[Value]] = {}
    kinds: dict[str, list[str]] = {}
    for code in codes:
        kinds.setdefault(REGISTRY[code].kind, []).append(code)
    for kind, of_kind in kinds.items():
        rows, conditions, prefix = _rows(kind, of_kind, cases, start, end)
        rows, column = _group_column(rows, by, prefix, start)
        counts = {}
        for i, code in enumerate(of_kind):
            numerator, denominator = conditions[code]
            counts[f"n{i}"] = Count("pk", filter=numerator, distinct=True)
            counts[f"d{i}"] = Count("pk", filter=denominator, distinct=True)
            if kind == "compliance":  # the people behind the events
                counts[f"pn{i}"] = Count("case", filter=numerator, distinct=True)
                counts[f"pc{i}"] = Count("case", filter=~numerator, distinct=True)
        if column:
            grouped = list(rows.values(column).annotate(**counts).order_by(column))
        else:
            grouped = [rows.aggregate(**counts)]
        for i, code in enumerate(of_kind):
            values = []
            for row in grouped:
                n, d = row[f"n{i}"], row[f"d{i}"]
                if d:
                    low, high = wilson(n, d)
                    group = _group_name(row[column]) if column else None
                    people = (row[f"pn{i}"], row[f"pc{i}"]) if f"pn{i}" in row else None
                    values.append(Value(group, n, d, n / d, low, high, people=people))
            # One order on every database (they sort NULL differently): "none" last.
            out[code] = sorted(values, key=lambda v: (v.group == "none", v.group or ""))
    return out


def _served(cases: QuerySet, start: dt.date, end: dt.date) -> QuerySet:
    """Cases open at some time in [start, end]."""
    return cases.filter(intake_date__lte=end).exclude(closed_on__lt=start)


Period = tuple[dt.date, dt.date]


def baseline_period(organisation_id: int | None) -> Period | None:
    """The baseline period that "new groups" are new against: the one set on the scope's
    target for new groups, else on its target for people served (None: not set)."""
    scope = (
        Q(organisation_id__isnull=True)
        if organisation_id is None
        else Q(organisation_id=organisation_id)
    )
    for code in ("new_groups", "beneficiaries"):
        target = Target.objects.filter(scope, indicator=code).first()
        if target is not None:
            try:
                return parse_period(target.baseline_period)
            except PeriodError:  # saved under older rules: fall back to the year before
                return None
    return None


def _year_before(start: dt.date) -> Period:
    try:
        first = start.replace(year=start.year - 1)
    except ValueError:  # 29 February
        first = start.replace(year=start.year - 1, day=28)
    return first, start - dt.timedelta(days=1)


def _counted(
    code: str,
    cases: QuerySet,
    start: dt.date,
    end: dt.date,
    baseline: Period | None = None,
    against: QuerySet | None = None,
) -> QuerySet:
    """The cases whose people a count indicator counts. New groups: target cohorts that the
    scope (`against`, by default the cases themselves) did not serve in the baseline period,
    when that ended before the period; else in the year before the period."""
    rows = _served(cases, start, end)
    if code == "new_groups":
        rows = rows.exclude(
            project__target_cohort__in=cohorts_served_before(cases, start, baseline, against)
        )
    return rows


def cohorts_served_before(
    cases: QuerySet, start: dt.date, baseline: Period | None, against: QuerySet | None = None
) -> QuerySet:
    """The target cohorts that "new groups" are not new against: those the scope served in
    the baseline period, when that ended before `start`, else in the year before `start`."""
    first, last = baseline if baseline and baseline[1] < start else _year_before(start)
    served_then = _served(cases if against is None else against, first, last)
    return served_then.values("project__target_cohort")


def counts(
    codes: list[str],
    cases: QuerySet,
    start: dt.date,
    end: dt.date,
    by: str | None = None,
    baseline: Period | None = None,
    against: QuerySet | None = None,
) -> dict[str, list[Value]]:
    """People counted by the count indicators (people served, people in new groups)."""
    _check(codes, by)
    out: dict[str, list[Value]] = {}
    for code in codes:
        if REGISTRY[code].kind != "count":
            raise ValueError(f"{code} is not a count.")
        rows, column = _group_column(
            _counted(code, cases, start, end, baseline, against), by, "", start
        )
        people = {"n": Count("person", distinct=True)}
        grouped = (
            list(rows.values(column).annotate(**people).order_by(column))
            if column
            else [rows.aggregate(**people)]
        )
        values = [  # the value of a count is the count itself; it has no denominator
            Value(
                _group_name(row[column]) if column else None, row["n"], None, row["n"], None, None
            )
            for row in grouped
            if row["n"] or not column
        ]
        out[code] = sorted(values, key=lambda v: (v.group == "none", v.group or ""))
    return out


def cost_values(
    codes: list[str],
    cases: QuerySet,
    start: dt.date,
    end: dt.date,
    projects: QuerySet | None = None,
) -> dict[str, list[Value]]:
    """The cost indicators over `cases` and their projects' spending (or `projects`', where
    given): totals only. The numerator is the number of people served, the count a cost
    divides by and is published with; the value is the amount (or the number of pilots)."""
    _check(codes, None)
    if projects is None:
        projects = Project.objects.filter(pk__in=cases.values("project_id"))
    amounts = Amount.objects.filter(project__in=projects)
    rows = [unit for _project, unit in finance.project_costs(cases, amounts, projects, start, end)]
    total = finance.with_spending(rows, finance.months_in(start, end))
    people = _served(cases, start, end).aggregate(n=Count("person", distinct=True))["n"]
    amounts_of = finance.indicator_amounts(total)
    out: dict[str, list[Value]] = {}
    for code in codes:
        if REGISTRY[code].kind != "cost":
            raise ValueError(f"{code} is not a cost.")
        if code == "sustainable_pilots":
            n = len(finance.sustainable(amounts, start, end))
            out[code] = [Value(None, n, None, n, None, None)]
        else:
            value, low, high = amounts_of[code]
            out[code] = [Value(None, people, None, value, low, high)]
    return out


def values_of(
    code: str,
    cases: QuerySet,
    start: dt.date,
    end: dt.date,
    by: str | None = None,
    baseline: Period | None = None,
    against: QuerySet | None = None,
) -> list[Value]:
    """`code`'s cells, whatever its kind (one per group of `by`, or the total). `against`:
    the scope the viewer's own part of a network figure is measured in (new groups)."""
    _check([code], by)
    kind = REGISTRY[code].kind
    if kind == "survival":
        return survival_values(code, survival(code, cases, start, end, by))
    if kind == "count":
        return counts([code], cases, start, end, by, baseline, against)[code]
    if kind == "cost":
        return cost_values([code], cases, start, end)[code]
    if kind == "network":  # the network's, from releases: no organisation's own figure
        return []
    return rates([code], cases, start, end, by)[code]


def case_rates(
    code: str, cases: QuerySet, start: dt.date, end: dt.date, by: str | None = None
) -> list[Value]:
    """`code`'s value over `cases` for the period [start, end], one per group of `by`."""
    return rates([code], cases, start, end, by)[code]


def members(
    code: str,
    cases: QuerySet,
    start: dt.date,
    end: dt.date,
    *,
    part: str = "numerator",
    by: str | None = None,
    group: str | None = None,
    cutoff: dt.date | None = None,
) -> QuerySet:
    """The cases behind a figure: those counted in its numerator (or denominator), in one
    group of a breakdown. For the people allowed to see them, never published."""
    _check([code], by)
    indicator = REGISTRY[code]
    if indicator.kind == "survival":  # the events by `cutoff` over the cohort
        rows, prefix = cases.filter(intake_date__gte=start, intake_date__lte=end), ""
        if part == "numerator":
            event = survival_event(code, cutoff or timezone.localdate())
            rows = rows.annotate(event_on=event).filter(event_on__isnull=False)
    elif indicator.kind == "count":
        rows, prefix = _counted(code, cases, start, end), ""
    elif indicator.kind == "network":  # counts places and events: no case behind it
        rows, prefix = cases.none(), ""
    elif indicator.kind == "cost":  # the people served it divides by; pilots count no case
        rows = cases.none() if code == "sustainable_pilots" else _served(cases, start, end)
        prefix = ""
    else:
        rows, conditions, prefix = _rows(indicator.kind, [code], cases, start, end)
        numerator, denominator = conditions[code]
        condition = numerator if part == "numerator" else denominator
        if condition is not None:
            rows = rows.filter(condition)
    rows, column = _group_column(rows, by, prefix, start)
    if column and group is not None:
        lookup: dict[str, object] = (
            {f"{column}__isnull": True} if group == "none" else {column: group}
        )
        rows = rows.filter(**lookup)
    ids = rows.values("case_id" if prefix else "pk")
    return cases.filter(pk__in=ids)


# Survival ----------------------------------------------------------------------------------------
RETENTION_DAY = 365  # retention's single figure: the share still engaged one year after intake


@dataclass(frozen=True)
class Survival:
    """A Kaplan-Meier curve for one group, with the people and events behind it."""

    group: str | None
    steps: list[Step]
    cases: int
    events: int

    @property
    def median(self) -> tuple[int | None, int | None, int | None]:
        return median_survival(self.steps)

    def at(self, day: int) -> tuple[float | None, float | None, float | None]:
        """S(day) and its interval (the last step on or before `day`); None beyond the
        longest follow-up, where the curve says nothing."""
        if not self.steps or self.steps[-1].time < day:
            return None, None, None
        point = (1.0, 1.0, 1.0)
        for step in self.steps:
            if step.time > day:
                break
            point = (step.survival, step.low, step.high)
        return point


def survival_event(code: str, cutoff: dt.date) -> Any:
    """The day of a case's event by `cutoff` (null: none yet): its first disengagement for
    retention, its resolution for time to resolution."""
    if code == "retention":
        first = EngagementPeriod.objects.filter(
            case=OuterRef("pk"), status=Engagement.DISENGAGED, started_on__lte=cutoff
        ).order_by("started_on", "pk")
        return Subquery(first.values("started_on")[:1], output_field=DateField())
    return Cases(
        When(exit_reason=ExitReason.RESOLVED, closed_on__lte=cutoff, then=F("closed_on")),
        output_field=DateField(),
    )


def survival(
    code: str,
    cases: QuerySet,
    start: dt.date,
    end: dt.date,
    by: str | None = None,
    cutoff: dt.date | None = None,
) -> list[Survival]:
    """Kaplan-Meier curves of `code` ("retention" or "time_to_resolution") for the cohort with
    intake in [start, end], one per group, each person followed until the event or the data
    cut-off (today), censored at a closure for another reason. The database counts events
    and censored cases per day of follow-up; Python multiplies the resulting rows."""
    return survival_within(code, cases, start, end, by, cutoff).get("", [])


def survival_within(
    code: str,
    cases: QuerySet,
    start: dt.date,
    end: dt.date,
    by: str | None = None,
    cutoff: dt.date | None = None,
    within: str | None = None,
) -> dict[str, list[Survival]]:
    """`survival`'s curves for each value of the column `within` too (e.g. each
    organisation's), from one query: {value: curves}; without `within`, {"": curves}."""
    indicator = REGISTRY[code]
    if indicator.kind != "survival":
        raise ValueError(f"{code} is not a survival indicator.")
    _check([code], by)
    end_of_follow_up = cutoff or timezone.localdate()
    cohort = cases.filter(intake_date__gte=start, intake_date__lte=end)
    event_on = survival_event(code, end_of_follow_up)
    until = Const(end_of_follow_up, output_field=DateField())
    rows = cohort.annotate(
        event_on=event_on,
        stop_on=Coalesce(
            "event_on", Least(Coalesce("closed_on", until), until), output_field=DateField()
        ),
        follow_up=ExpressionWrapper(F("stop_on") - F("intake_date"), output_field=DurationField()),
    )
    rows, column = _group_column(rows, by, "", start)
    keys = [*(c for c in (within, column) if c), "follow_up"]
    grouped = (
        rows.values(*keys)
        .annotate(
            events=Count("pk", filter=Q(event_on__isnull=False), distinct=True),
            censored=Count("pk", filter=Q(event_on__isnull=True), distinct=True),
        )
        .order_by(*keys)
    )
    tables: dict[str, dict[str | None, list[tuple[int, int, int]]]] = {}
    for row in grouped:
        part = str(row[within]) if within else ""
        group = _group_name(row[column]) if column else None
        days = row["follow_up"].days if isinstance(row["follow_up"], dt.timedelta) else 0
        tables.setdefault(part, {}).setdefault(group, []).append(
            (max(days, 0), row["events"], row["censored"])
        )
    return {
        part: sorted(
            (
                Survival(
                    group,
                    kaplan_meier(table),
                    sum(e + c for _t, e, c in table),
                    sum(e for _t, e, _c in table),
                )
                for group, table in of_part.items()
            ),
            key=lambda c: (c.group == "none", c.group or ""),
        )
        for part, of_part in tables.items()
    }


def survival_values(code: str, curves: list[Survival]) -> list[Value]:
    """Each curve as one cell: the median days (time to resolution) or the share still
    engaged a year after intake (retention), with its interval."""
    values = []
    for curve in curves:
        if code == "retention":
            rate, low, high = curve.at(RETENTION_DAY)
            values.append(Value(curve.group, curve.events, curve.cases, rate, low, high))
        else:
            median, low_day, high_day = curve.median
            values.append(
                Value(
                    curve.group,
                    curve.events,
                    curve.cases,
                    None if median is None else float(median),
                    None if low_day is None else float(low_day),
                    None if high_day is None else float(high_day),
                )
            )
    return values
