"""The indicators' part of every release: each indicator by each breakdown for a calendar
year, the network's survival curves, and the atoms the audit needs to see how the figures
are linked (casework.core.publication).

Three universes per year: the cohort (cases with intake in the year: status, resolution,
improvement and survival figures), the reporting appointments of the year (compliance,
counted in events with the people behind them), and the people served in the year (people
served, people in new groups). An atom is a set of units that agree on every attribute a
figure can select by: organisation, project, detention status, gender, age band, every
vulnerability flag and every indicator's conditions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models import Case as Cases
from django.db.models import Count, Exists, IntegerField, Min, OuterRef, QuerySet, When

from casework.cases.choices import Vulnerability
from casework.cases.models import Case, CaseVulnerability
from casework.core.publication import Cell, Universe, count_withheld
from casework.core.releases import Contribution, CurveFigure, Figure
from casework.indicators.compute import (
    Survival,
    Value,
    age_band_at_intake,
    baseline_period,
    cohort_conditions,
    cohorts_served_before,
    compliance_rows,
    counts,
    rates,
    served,
    survival,
    survival_values,
)
from casework.indicators.periods import parse_period
from casework.indicators.registry import DISAGGREGATIONS, REGISTRY

TOTAL = ""  # breakdown and group of a total cell
FLAGS = [flag.value for flag in Vulnerability]
SURVIVAL_CODES = [code for code, i in REGISTRY.items() if i.kind == "survival"]
COHORT_CODES = [code for code, i in REGISTRY.items() if i.kind in ("status", "improvement")]
COMPLIANCE_CODES = [code for code, i in REGISTRY.items() if i.kind == "compliance"]
COUNT_CODES = [code for code, i in REGISTRY.items() if i.kind == "count"]
CURVE_STEP = 30  # days between published curve points


class Inconsistent(RuntimeError):
    """The atoms do not add up to a computed figure: the audit would not see what is
    published, so nothing is released."""


def _columns(prefix: str) -> dict[str, str]:
    """Breakdown → the column its group is read from, for rows reached through `prefix`."""
    return {
        by: (column if column == "age_band_at_intake" else prefix + column)
        for by, column in DISAGGREGATIONS.items()
        if by != "vulnerability"
    }


def _with_groups(rows: QuerySet, prefix: str) -> QuerySet:
    """Rows annotated with the age band at intake and one flag per vulnerability group."""
    case = OuterRef(f"{prefix}pk") if prefix else OuterRef("pk")
    flags = {
        f"flag_{flag}": Exists(CaseVulnerability.objects.filter(case=case, flag=flag))
        for flag in FLAGS
    }
    return rows.annotate(age_band_at_intake=age_band_at_intake(prefix), **flags)


def _group(value: Any) -> str:
    return str(value) if value is not None else "none"


class Atoms:
    """The atoms of one universe: each a dict of its attributes, with its units."""

    def __init__(self, name: str, rows: Iterable[dict[str, Any]], columns: dict[str, str]):
        self.name = name
        self.columns = columns
        self.rows = [row for row in rows if row["units"]]

    def groups(self, by: str) -> list[str]:
        """Every group of `by` that some atom belongs to."""
        if by == "vulnerability":
            found = {flag for row in self.rows for flag in FLAGS if row[f"flag_{flag}"]}
            if any(not any(row[f"flag_{f}"] for f in FLAGS) for row in self.rows):
                found.add("none")
        else:
            found = {_group(row[self.columns[by]]) for row in self.rows}
        return sorted(found, key=lambda g: (g == "none", g))

    def select(self, by: str, group: str, where: Callable[[dict], bool] | None = None) -> frozenset:
        def member(row: dict) -> bool:
            if by == TOTAL:
                return True
            if by == "vulnerability":
                if group == "none":
                    return not any(row[f"flag_{f}"] for f in FLAGS)
                return bool(row[f"flag_{group}"])
            return _group(row[self.columns[by]]) == group

        return frozenset(
            i for i, row in enumerate(self.rows) if member(row) and (where is None or where(row))
        )

    def universe(self, people: bool = False) -> Universe:
        return Universe(
            self.name,
            tuple(row["units"] for row in self.rows),
            tuple(row["owners"] for row in self.rows),
            tuple(row["people"] for row in self.rows) if people else None,
        )


def _cohort_atoms(period: str, cases: QuerySet, start: dt.date, end: dt.date, cutoff: dt.date):
    rows, conditions = cohort_conditions(cases, start, end, cutoff)
    flags = {}
    for code, (numerator, denominator) in conditions.items():
        flags[f"n_{code}"] = Cases(When(numerator, then=1), default=0, output_field=IntegerField())
        if denominator is not None:
            flags[f"d_{code}"] = Cases(
                When(denominator, then=1), default=0, output_field=IntegerField()
            )
    columns = _columns("")
    rows = _with_groups(rows, "").annotate(**flags)
    names = [*columns.values(), *(f"flag_{f}" for f in FLAGS), *flags]
    grouped = rows.values(*names).annotate(units=Count("pk")).order_by(*names)
    return Atoms(
        f"{period}:cohort",
        ({**row, "owners": frozenset({row["organisation__slug"]})} for row in grouped),
        columns,
    )


def _compliance_atoms(period: str, cases: QuerySet, start: dt.date, end: dt.date):
    rows, attended = compliance_rows(cases, start, end)
    columns = _columns("case__")
    rows = _with_groups(rows, "case__").annotate(
        attended=Cases(When(attended, then=1), default=0, output_field=IntegerField())
    )
    names = [*columns.values(), *(f"flag_{f}" for f in FLAGS), "attended"]
    grouped = (
        rows.values(*names)
        .annotate(units=Count("pk"), people=Count("case", distinct=True))
        .order_by(*names)
    )
    return Atoms(
        f"{period}:compliance",
        ({**row, "owners": frozenset({row["case__organisation__slug"]})} for row in grouped),
        columns,
    )


def _served_atoms(period: str, cases: QuerySet, start: dt.date, end: dt.date):
    """People served: a person is one unit, whatever number of cases; their atom is the set
    of groups their cases fall in, and in which of those their case is of a new group."""
    baseline = baseline_period(None)
    columns = _columns("")
    before = cohorts_served_before(cases, start, baseline)
    rows = _with_groups(served(cases, start, end), "").annotate(
        new=Cases(
            When(project__target_cohort__in=before, then=0),
            default=1,
            output_field=IntegerField(),
        )
    )
    names = ["person_id", *columns.values(), *(f"flag_{f}" for f in FLAGS), "new"]
    per_person: dict[int, set[tuple[str, str, int]]] = defaultdict(set)
    owners: dict[int, set[str]] = defaultdict(set)
    for row in rows.values(*names).order_by("person_id"):
        person = row["person_id"]
        owners[person].add(row["organisation__slug"])
        memberships = [(by, _group(row[column])) for by, column in columns.items()]
        flags = [f for f in FLAGS if row[f"flag_{f}"]] or ["none"]
        memberships += [("vulnerability", flag) for flag in flags]
        for by, group in [*memberships, (TOTAL, TOTAL)]:
            per_person[person].add((by, group, 0))
            if row["new"]:
                per_person[person].add((by, group, 1))
    atoms: dict[tuple, dict[str, Any]] = {}
    for person, signature in per_person.items():
        key = (frozenset(signature), frozenset(owners[person]))
        atom = atoms.setdefault(key, {"signature": key[0], "owners": key[1], "units": 0})
        atom["units"] += 1
    return ServedAtoms(f"{period}:served", atoms.values())


class ServedAtoms(Atoms):
    """Person atoms: membership is read from the signature, not from columns."""

    def __init__(self, name: str, rows: Iterable[dict[str, Any]]):
        self.name = name
        self.columns = {}
        self.rows = sorted(rows, key=lambda r: sorted(map(str, r["signature"])))

    def groups(self, by: str) -> list[str]:
        found = {g for row in self.rows for b, g, _new in row["signature"] if b == by}
        return sorted(found, key=lambda g: (g == "none", g))

    def select_new(self, by: str, group: str, new: bool) -> frozenset:
        wanted = (by, group, 1 if new else 0)
        return frozenset(i for i, row in enumerate(self.rows) if wanted in row["signature"])


def _check(cell: Cell, atoms: Atoms, value: Value) -> None:
    universe = atoms.universe()
    n = universe.total(cell.numerator)
    d = universe.total(cell.denominator) if cell.denominator is not None else None
    if (n, d) != ((value.numerator or 0), value.denominator if d is not None else None):
        raise Inconsistent(f"{cell.key}: atoms give {n}/{d}, computed {value}.")


def _values(by: str | None, computed: list[Value]) -> dict[str, Value]:
    return {(TOTAL if by is None else _group(v.group)): v for v in computed}


def survival_points(total: Survival, parts: list[Survival], k: int) -> list[dict[str, Any]]:
    """The network curve's points every 30 days at most, each shown only when, since the
    previous point, the events are 0 or at least k and at least k people are still followed
    — for the whole network and for what the other organisations add once any one
    organisation takes its own curve away. No numbers at risk and no events are given."""
    last = total.steps[-1].time if total.steps else 0
    points: list[dict[str, Any]] = [{"day": 0, "survival": 1.0, "low": 1.0, "high": 1.0}]

    def window(curve: Survival, after: int, day: int) -> tuple[int, int]:
        events = sum(s.events for s in curve.steps if after < s.time <= day)
        followed = sum(s.events + s.censored for s in curve.steps if s.time >= day)
        return events, followed

    for day in range(CURVE_STEP, last + 1, CURVE_STEP):
        after = points[-1]["day"]
        events, followed = window(total, after, day)
        views = [(events, followed)]
        for part in parts:
            own_events, own_followed = window(part, after, day)
            views.append((events - own_events, followed - own_followed))
        if any(f < k or count_withheld(e, k) for e, f in views):
            continue  # the drop waits for the next point that can be shown
        survival_, low, high = total.at(day)
        points.append({"day": day, "survival": survival_, "low": low, "high": high})
    return points if len(points) > 1 else []


class IndicatorFigures:
    """The release contributor of the indicators app."""

    def periods(self, today: dt.date) -> list[str]:
        first = Case.objects.aggregate(first=Min("intake_date"))["first"]
        if first is None:
            return []
        return [str(year) for year in range(first.year, today.year)]

    def contribute(self, period: str, cutoff: dt.date) -> Contribution:
        start, end = parse_period(period)
        cases = Case.objects.all()  # the network: every organisation's cases, aggregated
        out = Contribution()
        cohort = _cohort_atoms(period, cases, start, end, cutoff)
        compliance = _compliance_atoms(period, cases, start, end)
        people = _served_atoms(period, cases, start, end)
        out.universes = {
            cohort.name: cohort.universe(),
            compliance.name: compliance.universe(people=True),
            people.name: people.universe(),
        }
        baseline = baseline_period(None)
        for by in [None, *DISAGGREGATIONS]:
            breakdown = by or TOTAL
            rate_values = rates(COHORT_CODES + COMPLIANCE_CODES, cases, start, end, by)
            count_values = counts(COUNT_CODES, cases, start, end, by, baseline)
            curve_values = {
                code: survival_values(code, survival(code, cases, start, end, by, cutoff))
                for code in SURVIVAL_CODES
            }
            for code in COHORT_CODES + SURVIVAL_CODES:
                computed = _values(
                    by, rate_values[code] if code in rate_values else curve_values[code]
                )
                groups = cohort.groups(by) if by else [TOTAL]
                for group in groups:
                    out.figures.append(
                        self._rate(period, code, breakdown, group, cohort, computed.get(group))
                    )
            for code in COMPLIANCE_CODES:
                computed = _values(by, rate_values[code])
                for group in compliance.groups(by) if by else [TOTAL]:
                    out.figures.append(
                        self._rate(period, code, breakdown, group, compliance, computed.get(group))
                    )
            for code in COUNT_CODES:
                computed = _values(by, count_values[code])
                for group in people.groups(breakdown) if by else [TOTAL]:
                    atoms = people.select_new(breakdown, group, new=code == "new_groups")
                    cell = Cell((period, code, breakdown, group), people.name, atoms)
                    value = computed.get(group) or Value(group, 0, None, 0, None, None)
                    _check(cell, people, value)
                    out.figures.append(Figure(cell, value.numerator, None, value.rate))
        k = settings.DISCLOSURE_THRESHOLD
        for code in SURVIVAL_CODES:
            totals = survival(code, cases, start, end, cutoff=cutoff)
            if not totals:
                continue
            total = totals[0]
            parts = survival(code, cases, start, end, "organisation", cutoff)
            out.curves.append(
                CurveFigure(
                    code,
                    (period, code, TOTAL, TOTAL),
                    survival_points(total, parts, k),
                    total.median if code == "time_to_resolution" else (None, None, None),
                )
            )
        return out

    @staticmethod
    def _rate(
        period: str, code: str, breakdown: str, group: str, atoms: Atoms, value: Value | None
    ) -> Figure:
        def flag(name: str) -> Callable[[dict], bool]:
            return lambda row: bool(row[name])

        if code in COMPLIANCE_CODES:
            numerator = atoms.select(breakdown, group, flag("attended"))
            denominator = atoms.select(breakdown, group)
        else:
            numerator = atoms.select(breakdown, group, flag(f"n_{code}"))
            has_denominator = atoms.rows and f"d_{code}" in atoms.rows[0]
            denominator = atoms.select(
                breakdown, group, flag(f"d_{code}") if has_denominator else None
            )
        cell = Cell((period, code, breakdown, group), atoms.name, numerator, denominator)
        value = value or Value(group, 0, 0, None, None, None)
        _check(cell, atoms, value)
        return Figure(cell, value.numerator, value.denominator, value.rate, value.low, value.high)
