"""The indicators' part of every release: each indicator by each breakdown for a calendar
year, for the network and (settings.RELEASE_SCOPES) for each country and each organisation
as seen from outside, by every other breakdown; each scope's survival curves; and the atoms
the audit needs to see how the figures are linked (casework.core.publication).

The cost indicators are published for each scope in total, each in a cell over the same
atoms as the scope's people served, so that a cost is shown only where the count of people it
divides by is; the number of pilots with sustainable funding counts projects, not people, and
is published as it is (`Contribution.unprotected`).

Three universes per year: the cohort (cases with intake in the year: status, resolution,
improvement and survival figures), the reporting appointments of the year (compliance,
counted in events with the people behind them), and the people served in the year (people
served, people in new groups). An atom is a set of units that agree on every attribute a
figure can select by: organisation, project, detention status, gender, age band, every
vulnerability flag, the quarter of intake where quarters are published
(settings.RELEASE_QUARTERS), and every indicator's conditions. Quarters are a breakdown of
the year, not periods of their own: a quarter's figures then share the year's atoms, so the
audit sees that the four quarters add up to the year. A scope's cells are sums over the
scope's atoms; the network's are also computed by the engine and must agree (`Inconsistent`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Case as Cases
from django.db.models import Count, Exists, IntegerField, Min, OuterRef, QuerySet, When
from django_countries import countries

from casework.accounts.models import Organisation, Project
from casework.cases.choices import Vulnerability
from casework.cases.models import Case, CaseVulnerability
from casework.core.models import NETWORK
from casework.core.periods import parse_period
from casework.core.publication import Cell, Universe, count_withheld
from casework.core.releases import Contribution, CurveFigure, Figure
from casework.finance import costs as finance
from casework.finance.models import Amount
from casework.indicators.compute import (
    Survival,
    Value,
    age_band_at_intake,
    baseline_period,
    cohort_conditions,
    cohorts_served_before,
    compliance_rows,
    counts,
    intake_quarter,
    rates,
    served,
    survival_values,
    survival_within,
)
from casework.indicators.registry import DISAGGREGATIONS, REGISTRY
from casework.indicators.statistics import wilson

TOTAL = ""  # breakdown and group of a total cell
FLAGS = [flag.value for flag in Vulnerability]
SURVIVAL_CODES = [code for code, i in REGISTRY.items() if i.kind == "survival"]
COHORT_CODES = [code for code, i in REGISTRY.items() if i.kind in ("status", "improvement")]
COMPLIANCE_CODES = [code for code, i in REGISTRY.items() if i.kind == "compliance"]
COUNT_CODES = [code for code, i in REGISTRY.items() if i.kind == "count"]
COST_CODES = [code for code, i in REGISTRY.items() if i.kind == "cost"]
CURVE_STEP = 30  # days between published curve points


class Inconsistent(RuntimeError):
    """The atoms do not add up to a computed figure: the audit would not see what is
    published, so nothing is released."""


COMPUTED = ("age_band_at_intake", "intake_quarter")  # columns annotated, not read


def _quarters() -> bool:
    """Whether some table of the release breaks down by quarter of intake."""
    return settings.RELEASE_QUARTERS or "quarter" in settings.RELEASE_SCOPE_BREAKDOWNS


def _columns(prefix: str) -> dict[str, str]:
    """Breakdown → the column its group is read from, for rows reached through `prefix`.
    The quarter of intake only where it is published: it would split the atoms for
    nothing."""
    return {
        by: (column if column in COMPUTED else prefix + column)
        for by, column in DISAGGREGATIONS.items()
        if by != "vulnerability" and (by != "quarter" or _quarters())
    }


def _with_groups(rows: QuerySet, prefix: str, start: dt.date) -> QuerySet:
    """Rows annotated with the age band at intake, the quarter of intake where it is
    published, and one flag per vulnerability group."""
    case = OuterRef(f"{prefix}pk") if prefix else OuterRef("pk")
    columns: dict[str, Any] = {
        f"flag_{flag}": Exists(CaseVulnerability.objects.filter(case=case, flag=flag))
        for flag in FLAGS
    }
    if _quarters():
        columns["intake_quarter"] = intake_quarter(start, prefix)
    return rows.annotate(age_band_at_intake=age_band_at_intake(prefix), **columns)


def _group(value: Any) -> str:
    return str(value) if value is not None else "none"


@dataclass(frozen=True)
class TableScope:
    """Whose cases a set of tables covers: the network, or the cases of one group of the
    `by` breakdown (a country, an organisation). Its tables break down by every other."""

    name: str
    by: str = TOTAL
    group: str = TOTAL

    @property
    def breakdowns(self) -> list[str | None]:
        """The network: every breakdown. A country or an organisation: its parts (the
        organisations, projects and target cohorts below it), and the breakdowns by
        person attributes that settings.RELEASE_SCOPE_BREAKDOWNS adds."""
        if not self.by:
            return [
                None,
                *(by for by in DISAGGREGATIONS if by != "quarter" or settings.RELEASE_QUARTERS),
            ]
        parts = PARTS[self.by]
        return [
            None,
            *(
                by
                for by in DISAGGREGATIONS
                if by in parts or by in settings.RELEASE_SCOPE_BREAKDOWNS
            ),
        ]

    @property
    def within(self) -> str | None:
        """The case column a survival query splits by for this kind of scope."""
        return DISAGGREGATIONS[self.by] if self.by else None


WHOLE_NETWORK = TableScope(NETWORK)
# What a country's and an organisation's tables break down by, whatever the settings: the
# parts of the scope. Their cells sum the network's own cells by organisation and project,
# so they add almost nothing for an attacker to solve; a scope's tables by gender or age
# band would (docs/disclosure.md).
PARTS = {
    "country": ("organisation", "project", "target_cohort"),
    "organisation": ("project", "target_cohort"),
}


def _scopes(atoms: list[Atoms]) -> list[TableScope]:
    """The network, then each country and each organisation with units this period."""
    out = [WHOLE_NETWORK]
    for by in ("country", "organisation"):
        if by in settings.RELEASE_SCOPES:
            groups = sorted({g for a in atoms for g in a.groups(by)} - {"none"})
            out += [TableScope(f"{by}:{group}", by, group) for group in groups]
    return out


class Atoms:
    """The atoms of one universe: each a dict of its attributes, with its units. Which atoms
    a group or a flag holds is indexed once, so a cell is a few set intersections."""

    def __init__(self, name: str, rows: Iterable[dict[str, Any]], columns: dict[str, str]):
        self.name = name
        self.columns = columns
        self.rows = [row for row in rows if row["units"]]
        self._indexes: dict[str, dict[str, frozenset[int]]] = {}
        self._universe: Universe | None = None

    def index(self, by: str) -> dict[str, frozenset[int]]:
        """Group of `by` → the atoms in it (for the total, "" → every atom)."""
        if by not in self._indexes:
            found: dict[str, set[int]] = defaultdict(set)
            for i, row in enumerate(self.rows):
                for group in self._groups_of(row, by):
                    found[group].add(i)
            self._indexes[by] = {group: frozenset(atoms) for group, atoms in found.items()}
        return self._indexes[by]

    def _groups_of(self, row: dict, by: str) -> list[str]:
        if by == TOTAL:
            return [TOTAL]
        if by == "vulnerability":
            return [f for f in FLAGS if row[f"flag_{f}"]] or ["none"]
        if by.startswith("?"):  # a flag: the atoms where it is set
            return [by] if row[by[1:]] else []
        return [_group(row[self.columns[by]])]

    def groups(self, by: str, scope: TableScope = WHOLE_NETWORK) -> list[str]:
        """Every group of `by` that some atom of the scope belongs to."""
        within = self.index(scope.by).get(scope.group, frozenset())
        found = [group for group, atoms in self.index(by).items() if atoms & within]
        return sorted(found, key=lambda g: (g == "none", g))

    def select(
        self, by: str, group: str, flag: str | None = None, scope: TableScope = WHOLE_NETWORK
    ) -> frozenset[int]:
        """The atoms of `group` of `by` within the scope, where `flag` (a column) is set."""
        atoms = self.index(by).get(group, frozenset()) & self.index(scope.by).get(
            scope.group, frozenset()
        )
        if flag is not None:
            atoms &= self.index(f"?{flag}").get(f"?{flag}", frozenset())
        return atoms

    def universe(self, people: bool = False) -> Universe:
        if self._universe is None or (people and self._universe.people is None):
            self._universe = Universe(
                self.name,
                tuple(row["units"] for row in self.rows),
                tuple(row["owners"] for row in self.rows),
                tuple(row["people"] for row in self.rows) if people else None,
            )
        return self._universe


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
    rows = _with_groups(rows, "", start).annotate(**flags)
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
    rows = _with_groups(rows, "case__", start).annotate(
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


def _new_against(cases: QuerySet, start: dt.date) -> dict[str, set[Any]]:
    """Scope → the target cohorts its "new groups" are not new against: those the scope
    served in its baseline period (the organisation's, or the network's, target sets it),
    else in the year before."""
    before = {NETWORK: cohorts_served_before(cases, start, baseline_period(None))}
    if "country" in settings.RELEASE_SCOPES:
        # Without order_by(), the cases' own ordering makes DISTINCT one row per case.
        present = cases.values_list("organisation__country", flat=True).order_by().distinct()
        for country in present:
            own = cases.filter(organisation__country=country)
            before[f"country:{country}"] = cohorts_served_before(own, start, None)
    if "organisation" in settings.RELEASE_SCOPES:
        organisations = (
            cases.values_list("organisation_id", "organisation__slug").order_by().distinct()
        )
        for pk, slug in organisations:
            own = cases.filter(organisation_id=pk)
            before[f"organisation:{slug}"] = cohorts_served_before(own, start, baseline_period(pk))
    return {
        scope: set(cohorts.values_list("project__target_cohort", flat=True))
        for scope, cohorts in before.items()
    }


def _served_atoms(period: str, cases: QuerySet, start: dt.date, end: dt.date):
    """People served: a person is one unit, whatever number of cases; their atom is the set
    of groups their cases fall in, in each scope a case belongs to (the network, its
    country, its organisation), and in which of those their case is of a new group."""
    columns = _columns("")
    before = _new_against(cases, start)
    rows = _with_groups(served(cases, start, end), "", start)
    names = [
        "person_id",
        "project__target_cohort",
        *columns.values(),
        *(f"flag_{f}" for f in FLAGS),
    ]
    per_person: dict[int, set[tuple[str, str, str, int]]] = defaultdict(set)
    owners: dict[int, set[str]] = defaultdict(set)
    for row in rows.values(*names).distinct().order_by("person_id"):
        person = row["person_id"]
        owners[person].add(row["organisation__slug"])
        memberships = [(by, _group(row[column])) for by, column in columns.items()]
        flags = [f for f in FLAGS if row[f"flag_{f}"]] or ["none"]
        memberships += [("vulnerability", flag) for flag in flags]
        scopes = [
            NETWORK,
            f"country:{row['organisation__country']}",
            f"organisation:{row['organisation__slug']}",
        ]
        for scope in scopes:
            cohort = row["project__target_cohort"]
            new = scope in before and (cohort is None or cohort not in before[scope])
            for by, group in [*memberships, (TOTAL, TOTAL)]:
                per_person[person].add((scope, by, group, 0))
                if new:
                    per_person[person].add((scope, by, group, 1))
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
        self._indexes = {}
        self._universe = None
        entries: dict[tuple[str, str, str, int], set[int]] = defaultdict(set)
        for i, row in enumerate(self.rows):
            for entry in row["signature"]:
                entries[entry].add(i)
        self._entries = {entry: frozenset(atoms) for entry, atoms in entries.items()}

    def groups(self, by: str, scope: TableScope = WHOLE_NETWORK) -> list[str]:
        found = {g for s, b, g, _new in self._entries if (s, b) == (scope.name, by)}
        return sorted(found, key=lambda g: (g == "none", g))

    def select_new(self, scope: TableScope, by: str, group: str, new: bool) -> frozenset[int]:
        return self._entries.get((scope.name, by, group, 1 if new else 0), frozenset())


def _check(cell: Cell, atoms: Atoms, value: Value | None) -> None:
    value = value or Value(cell.key[-1] or None, 0, 0, None, None, None)
    universe = atoms.universe()
    n = universe.total(cell.numerator)
    d = universe.total(cell.denominator) if cell.denominator is not None else None
    if (n, d) != ((value.numerator or 0), value.denominator if d is not None else None):
        raise Inconsistent(f"{cell.key}: atoms give {n}/{d}, computed {value}.")


def _values(by: str | None, computed: list[Value]) -> dict[str, Value]:
    return {(TOTAL if by is None else _group(v.group)): v for v in computed}


def survival_points(
    total: Survival, parts: list[Survival], k: int, containing: Iterable[Survival] = ()
) -> list[dict[str, Any]]:
    """A scope's curve, its points every 30 days at most, each shown only when, since the
    previous point, the events are 0 or at least k and at least k people are still followed
    — for the whole scope, for what the other organisations add once any one organisation
    of it (`parts`) takes its own curve away, and for what each published curve that
    contains it (`containing`: the network's, its country's) adds to it. No numbers at
    risk and no events are given."""
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
        for whole in containing:
            all_events, all_followed = window(whole, after, day)
            if (all_events, all_followed) != (events, followed):
                views.append((all_events - events, all_followed - followed))
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
        scopes = _scopes([cohort, compliance, people])
        names = dict(Organisation.objects.values_list("slug", "name"))
        for scope in scopes[1:]:
            label = (
                names.get(scope.group, scope.group)
                if scope.by == "organisation"
                else countries.name(scope.group) or scope.group
            )
            out.scopes[scope.name] = str(label)
        for scope in scopes:
            out.breakdowns[scope.name] = [by for by in scope.breakdowns if by]
        self._network(out, period, cases, start, end, cutoff, cohort, compliance, people)
        for scope in scopes[1:]:
            self._scope(out, period, scope, cohort, compliance, people)
        self._survival(out, period, scopes, cases, start, end, cutoff, cohort)
        self._costs(out, period, scopes, cases, start, end, people)
        return out

    @staticmethod
    def _costs(
        out: Contribution,
        period: str,
        scopes: list[TableScope],
        cases: QuerySet,
        start: dt.date,
        end: dt.date,
        people: ServedAtoms,
    ) -> None:
        """Each scope's cost indicators, from every project's costs computed once."""
        amounts = Amount.objects.all()
        projects = finance.project_costs(cases, amounts, Project.objects.all(), start, end)
        funded = finance.sustainable(amounts, start, end)
        months = finance.months_in(start, end)
        for scope in scopes:
            mine = [
                (project, unit)
                for project, unit in projects
                if not scope.by
                or (
                    str(project.organisation.country)
                    if scope.by == "country"
                    else project.organisation.slug
                )
                == scope.group
            ]
            total = finance.with_spending([unit for _p, unit in mine], months)
            atoms = people.select_new(scope, TOTAL, TOTAL, new=False)
            n = people.universe().total(atoms)
            for code, values in finance.indicator_amounts(total).items():
                cell = Cell((period, scope.name, code, TOTAL, TOTAL), people.name, atoms)
                out.figures.append(Figure(cell, n, None, *values))
            pilots = sum(1 for project, _unit in mine if project.pk in funded)
            key = (period, scope.name, "sustainable_pilots", TOTAL, TOTAL)
            out.unprotected.append(Figure(Cell(key, "", frozenset()), pilots, None, pilots))

    def _network(
        self,
        out: Contribution,
        period: str,
        cases: QuerySet,
        start: dt.date,
        end: dt.date,
        cutoff: dt.date,
        cohort: Atoms,
        compliance: Atoms,
        people: ServedAtoms,
    ) -> None:
        """The network's tables, each cell computed by the engine and checked against the
        atoms, so the audit sees exactly what is published."""
        baseline = baseline_period(None)
        for by in WHOLE_NETWORK.breakdowns:
            breakdown = by or TOTAL
            rate_values = rates(COHORT_CODES + COMPLIANCE_CODES, cases, start, end, by)
            count_values = counts(COUNT_CODES, cases, start, end, by, baseline)
            curves = {
                code: survival_within(code, cases, start, end, by, cutoff).get("", [])
                for code in SURVIVAL_CODES
            }
            for code in COHORT_CODES + SURVIVAL_CODES + COMPLIANCE_CODES:
                atoms = compliance if code in COMPLIANCE_CODES else cohort
                computed = _values(
                    by,
                    rate_values[code]
                    if code in rate_values
                    else survival_values(code, curves[code]),
                )
                for group in atoms.groups(by) if by else [TOTAL]:
                    figure = self._rate(WHOLE_NETWORK, period, code, breakdown, group, atoms)
                    _check(figure.cell, atoms, computed.get(group))
                    out.figures.append(_with_value(figure, computed.get(group)))
            for code in COUNT_CODES:
                computed = _values(by, count_values[code])
                for group in people.groups(breakdown) if by else [TOTAL]:
                    figure = self._count(WHOLE_NETWORK, period, code, breakdown, group, people)
                    value = computed.get(group) or Value(group, 0, None, 0, None, None)
                    _check(figure.cell, people, value)
                    out.figures.append(figure)

    def _scope(
        self,
        out: Contribution,
        period: str,
        scope: TableScope,
        cohort: Atoms,
        compliance: Atoms,
        people: ServedAtoms,
    ) -> None:
        """A country's or an organisation's tables: sums over its atoms (the network's
        agree with the engine, and a scope's atoms are some of the network's). Survival
        figures get their values in `_survival`."""
        for by in scope.breakdowns:
            breakdown = by or TOTAL
            groups = {
                atoms.name: atoms.groups(breakdown, scope) if by else [TOTAL]
                for atoms in (cohort, compliance, people)
            }
            for code in COHORT_CODES + SURVIVAL_CODES + COMPLIANCE_CODES:
                atoms = compliance if code in COMPLIANCE_CODES else cohort
                for group in groups[atoms.name]:
                    out.figures.append(self._rate(scope, period, code, breakdown, group, atoms))
            for code in COUNT_CODES:
                for group in groups[people.name]:
                    out.figures.append(self._count(scope, period, code, breakdown, group, people))

    def _survival(
        self,
        out: Contribution,
        period: str,
        scopes: list[TableScope],
        cases: QuerySet,
        start: dt.date,
        end: dt.date,
        cutoff: dt.date,
        cohort: Atoms,
    ) -> None:
        """Each scope's survival values (a median, a share at one year: not sums of atoms)
        and its curve. One query per indicator, breakdown and kind of scope."""
        k = settings.DISCLOSURE_THRESHOLD
        country_of = {
            row["organisation__slug"]: row["organisation__country"] for row in cohort.rows
        }
        by_scope: dict[str, dict[str, list[Survival]]] = defaultdict(dict)  # scope → code → curves
        for code in SURVIVAL_CODES:
            by_scope[NETWORK][code] = survival_within(code, cases, start, end, None, cutoff).get(
                "", []
            )
            for kind in ("country", "organisation"):
                if kind not in settings.RELEASE_SCOPES:
                    continue
                split = survival_within(
                    code, cases, start, end, None, cutoff, DISAGGREGATIONS[kind]
                )
                for group, curves in split.items():
                    by_scope[f"{kind}:{group}"][code] = curves
        values: dict[tuple[str, str, str, str], Value] = {}
        for kind in ("country", "organisation"):
            if kind not in settings.RELEASE_SCOPES:
                continue
            for by in TableScope(kind, kind).breakdowns:
                for code in SURVIVAL_CODES:
                    split = survival_within(
                        code, cases, start, end, by, cutoff, DISAGGREGATIONS[kind]
                    )
                    for group_of_scope, curves in split.items():
                        for value in survival_values(code, curves):
                            group = TOTAL if by is None else _group(value.group)
                            values[(f"{kind}:{group_of_scope}", code, by or TOTAL, group)] = value
        for i, figure in enumerate(out.figures):
            _period, scope_name, code, breakdown, group = figure.cell.key
            if scope_name != NETWORK and code in SURVIVAL_CODES:
                found = values.get((scope_name, code, breakdown, group))
                _check(figure.cell, cohort, found)
                out.figures[i] = _with_value(figure, found)
        for scope in scopes:
            for code in SURVIVAL_CODES:
                totals = by_scope[scope.name].get(code, [])
                if not totals:
                    continue
                if scope.by == "organisation":
                    parts, containing = [], [by_scope[NETWORK][code][0]]
                    country = f"country:{country_of.get(scope.group)}"
                    if by_scope.get(country, {}).get(code):
                        containing.append(by_scope[country][code][0])
                else:
                    organisations = [
                        slug
                        for slug, country in country_of.items()
                        if scope.by == TOTAL or f"country:{country}" == scope.name
                    ]
                    parts = [
                        by_scope[f"organisation:{slug}"][code][0]
                        for slug in organisations
                        if by_scope.get(f"organisation:{slug}", {}).get(code)
                    ]
                    if not parts:  # the organisation scopes are not built: split here
                        within = survival_within(
                            code,
                            cases
                            if scope.by == TOTAL
                            else cases.filter(organisation__country=scope.group),
                            start,
                            end,
                            None,
                            cutoff,
                            "organisation__slug",
                        )
                        parts = [curves[0] for curves in within.values()]
                    if len(parts) < 2:
                        parts = []  # one organisation: it knows the whole curve anyway
                    containing = [] if scope.by == TOTAL else [by_scope[NETWORK][code][0]]
                out.curves.append(
                    CurveFigure(
                        scope.name,
                        code,
                        (period, scope.name, code, TOTAL, TOTAL),
                        survival_points(totals[0], parts, k, containing),
                        totals[0].median if code == "time_to_resolution" else (None, None, None),
                    )
                )

    @staticmethod
    def _rate(
        scope: TableScope, period: str, code: str, breakdown: str, group: str, atoms: Atoms
    ) -> Figure:
        """A rate cell over the scope's atoms, with its value from those atoms (survival
        figures: counts only, their values are set by `_survival`)."""

        if code in COMPLIANCE_CODES:
            numerator = atoms.select(breakdown, group, "attended", scope)
            denominator = atoms.select(breakdown, group, None, scope)
        else:
            numerator = atoms.select(breakdown, group, f"n_{code}", scope)
            has_denominator = atoms.rows and f"d_{code}" in atoms.rows[0]
            denominator = atoms.select(
                breakdown, group, f"d_{code}" if has_denominator else None, scope
            )
        cell = Cell(
            (period, scope.name, code, breakdown, group), atoms.name, numerator, denominator
        )
        universe = atoms.universe()
        n, d = universe.total(numerator), universe.total(denominator)
        if d and code not in SURVIVAL_CODES:
            low, high = wilson(n, d)
            return Figure(cell, n, d, n / d, low, high)
        return Figure(cell, n, d)

    @staticmethod
    def _count(
        scope: TableScope, period: str, code: str, breakdown: str, group: str, people: ServedAtoms
    ) -> Figure:
        atoms = people.select_new(scope, breakdown, group, new=code == "new_groups")
        cell = Cell((period, scope.name, code, breakdown, group), people.name, atoms)
        n = people.universe().total(atoms)
        return Figure(cell, n, None, n)


def _with_value(figure: Figure, value: Value | None) -> Figure:
    """The figure with the engine's value and interval (none computed: no value)."""
    if value is None:
        return Figure(figure.cell, figure.numerator, figure.denominator)
    return Figure(
        figure.cell, figure.numerator, figure.denominator, value.rate, value.low, value.high
    )
