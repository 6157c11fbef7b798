"""A dashboard's figures for one scope, period and breakdown, shown by the page, the CSV/XLSX
download and the benchmark alike. Inside an organisation they are computed live from its own
cases (a closure recorded now shows on the next load); the network's come from the latest
release that covers the period, never from a live query (casework.core.releases)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_countries import countries

from casework.accounts.models import Organisation, Project
from casework.cases.models import Case
from casework.core import releases
from casework.core.access import Principal
from casework.core.models import NETWORK, Release, ReleaseFigure
from casework.core.periods import sub_periods
from casework.finance.charts import CostBar, cost_bars
from casework.finance.costs import comparators
from casework.indicators.charts import Bar, Curve, bar, curves
from casework.indicators.compute import (
    Value,
    baseline_period,
    cost_values,
    counts,
    rates,
    survival,
    survival_values,
)
from casework.indicators.registry import DISAGGREGATION_LABELS, REGISTRY, Indicator

RATE_CODES = [
    code for code, i in REGISTRY.items() if i.kind not in ("survival", "count", "cost", "network")
]
NETWORK_CODES = [code for code, i in REGISTRY.items() if i.kind == "network"]
COUNT_CODES = [code for code, i in REGISTRY.items() if i.kind == "count"]
COST_CODES = [code for code, i in REGISTRY.items() if i.kind == "cost"]
SERIES_CODES = ["engagement_rate", "resolution_rate"]
TOTAL = None  # the group of a total cell


class ScopeError(ValueError):
    pass


class NotReleased(ScopeError):
    """No release covers the period asked for."""

    def __init__(self, period: str) -> None:
        newest = releases.latest()
        if newest is None:
            text = _("No release has been published yet: network figures appear once one is.")
        else:
            text = _("No release covers %(period)s yet: %(release)s covers %(periods)s.") % {
                "period": period,
                "release": newest.title,
                "periods": ", ".join(p["period"] for p in newest.periods) or "-",
            }
        super().__init__(text)


class NotInRelease(NotReleased):
    """The release covers the period, but publishes no tables for the scope."""

    def __init__(self, release: Release, period: str, scope: str) -> None:
        ScopeError.__init__(
            self,
            _(
                "%(release)s has no tables for %(scope)s in %(period)s: too few people, or "
                "the scope was not released then."
            )
            % {"release": release.title, "scope": scope, "period": period},
        )


class NotBrokenDown(NotReleased):
    """The release has the scope's tables, but not by the breakdown asked for."""

    def __init__(self, release: Release, period: str, scope: str, by: str) -> None:
        published = release.breakdowns(period, scope) or []
        if by == "quarter":
            why = _("quarters are published only where the network asks for them.")
        elif scope == NETWORK:
            why = _("that breakdown is not published.")
        else:
            why = _("breakdowns by a person's attributes are published for the network.")
        ScopeError.__init__(
            self,
            _(
                "%(release)s publishes %(scope)s in %(period)s in total and by %(published)s, "
                "not by %(by)s: %(why)s"
            )
            % {
                "release": release.title,
                "scope": scope,
                "period": period,
                "published": ", ".join(str(DISAGGREGATION_LABELS[b]).lower() for b in published)
                or "-",
                "by": str(DISAGGREGATION_LABELS.get(by, by)).lower(),
                "why": why,
            },
        )


@dataclass(frozen=True)
class Scope:
    """Whose cases a dashboard covers, and whether the viewer works inside them. Outside
    (`inside` False) the figures come from a release's tables for `code`: "network",
    "country:<code>" or "organisation:<slug>"."""

    code: str  # "organisation" (one's own, live), or a release scope
    cases: QuerySet
    inside: bool
    organisation: Organisation | None = None
    country: str = ""

    @property
    def label(self) -> str:
        if self.organisation is not None:
            return str(self.organisation)
        if self.country:
            return str(countries.name(self.country) or self.country)
        return str(_("the network"))


def scope_for(principal: Principal, code: str) -> Scope:
    """The one rule for whose figures a viewer sees: organisation staff see their own
    organisation live and exactly; everything else (the network, a country, another
    organisation, and for network roles any organisation) is read from releases
    (`Scope.inside` is False)."""
    kind, _sep, group = code.partition(":")
    if kind == "organisation":
        organisation = (
            Organisation.objects.filter(slug=group).first()
            if group
            else Organisation.objects.filter(pk=principal.org_id).first()
            if principal.is_organisation
            else None
        )
        if organisation is None:
            raise ScopeError(
                _("No such organisation.")
                if group
                else _("Only an organisation's staff see an organisation dashboard.")
            )
        if principal.is_organisation and principal.organisation_id == organisation.pk:
            cases = Case.objects.filter(organisation=organisation)
            return Scope("organisation", cases, True, organisation)
        return Scope(f"organisation:{organisation.slug}", Case.objects.none(), False, organisation)
    if kind == "country" and group:
        if not Organisation.objects.filter(country=group.upper()).exists():
            raise ScopeError(_("No organisation of the network works in %(c)s.") % {"c": group})
        return Scope(f"country:{group.upper()}", Case.objects.none(), False, country=group.upper())
    if code == NETWORK:
        return Scope(code, Case.objects.none(), False)
    raise ScopeError(
        _("Choose the network, country:<code> or organisation:<slug> (not %(scope)r).")
        % {"scope": code}
    )


@dataclass
class Row:
    indicator: Indicator
    cells: dict[str | None, Value]

    def cell(self, group: str | None) -> Value | None:
        return self.cells.get(group)

    def bar(self, group: str | None) -> Bar | None:
        value = self.cells.get(group)
        return bar(value) if value is not None else None


@dataclass
class Dashboard:
    scope: Scope
    start: dt.date
    end: dt.date
    by: str | None
    groups: list[str | None]
    rows: list[Row]
    retention: list[Curve]
    retention_days: int
    resolution: list[Value]
    series: list[dict[str, Any]] = field(default_factory=list)
    threshold: int = field(default_factory=lambda: settings.DISCLOSURE_THRESHOLD)
    release: Release | None = None
    retention_withheld: bool = False
    # The cost indicators (totals): live from the organisation's spending, else released.
    costs: list[tuple[Indicator, Value]] = field(default_factory=list)
    # The network's dashboard: each country's and organisation's released costs side by side.
    cost_comparison: list[dict[str, Any]] = field(default_factory=list)
    # The network's dashboard: the network-building indicators, year by year and to date.
    building_columns: list[str] = field(default_factory=list)
    building: list[tuple[Indicator, list[Value | None]]] = field(default_factory=list)

    @property
    def cost_chart(self) -> list[CostBar]:
        """Each country's cost per person per day against detention in that country."""
        return cost_bars(
            [
                (row["label"], row["cost_per_person_day"].rate, row["detention"])
                for row in self.cost_comparison
                if row["kind"] == "country"
                and not row["cost_per_person_day"].suppressed
                and row["cost_per_person_day"].rate is not None
            ]
        )

    def grid(self) -> list[tuple[Row, list[tuple[str | None, Value | None, Bar | None]]]]:
        """Each row with its cells in column order (the template's table)."""
        return [
            (row, [(group, row.cell(group), row.bar(group)) for group in self.groups])
            for row in self.rows
        ]


def _figures(cases: QuerySet, start: dt.date, end: dt.date, by: str | None, baseline: Any) -> dict:
    """Every rate and count of the dashboard, by group when `by` is given, and the total."""
    values = rates(RATE_CODES, cases, start, end)
    values |= counts(COUNT_CODES, cases, start, end, baseline=baseline)
    if by:
        grouped = rates(RATE_CODES, cases, start, end, by)
        grouped |= counts(COUNT_CODES, cases, start, end, by, baseline)
        values = {code: grouped[code] + values[code] for code in values}
    return values


def _groups(rows: list[Row]) -> list[str | None]:
    seen = {group for row in rows for group in row.cells if group is not None}
    return [*sorted(seen, key=lambda g: (g == "none", g)), TOTAL]


def build(
    scope: Scope, start: dt.date, end: dt.date, by: str | None = None, period: str = ""
) -> Dashboard:
    """The figures of one dashboard: live inside the organisation, else the release's."""
    if not scope.inside:
        return from_release(scope, period or str(start.year), start, end, by)
    baseline = baseline_period(scope.organisation.pk if scope.organisation else None)
    figures = _figures(scope.cases, start, end, by, baseline)
    rows = [
        Row(REGISTRY[code], {cell.group: cell for cell in figures[code]})
        for code in RATE_CODES + COUNT_CODES
    ]
    retention = survival("retention", scope.cases, start, end, by) if by else []
    retention += survival("retention", scope.cases, start, end)
    lines, last_day = curves(
        [(curve.group or str(_("All")), every_step(curve)) for curve in retention]
    )
    resolution = survival("time_to_resolution", scope.cases, start, end, by) if by else []
    resolution += survival("time_to_resolution", scope.cases, start, end)
    return Dashboard(
        scope=scope,
        start=start,
        end=end,
        by=by,
        groups=_groups(rows),
        rows=rows,
        retention=lines,
        retention_days=last_day,
        resolution=survival_values("time_to_resolution", resolution),
        series=_series(scope, start, end),
        costs=_costs(
            cost_values(
                COST_CODES,
                scope.cases,
                start,
                end,
                Project.objects.filter(organisation=scope.organisation),
            )
        ),
    )


def _costs(values: dict[str, list[Value]]) -> list[tuple[Indicator, Value]]:
    """Each cost indicator with its total (a release may predate them: none then)."""
    return [(REGISTRY[code], cells[-1]) for code in COST_CODES if (cells := values.get(code, []))]


def every_step(curve: Any) -> list[dict[str, Any]]:
    """Every step of a curve, with the numbers at risk: for the organisation's own staff."""
    return [
        {
            "day": step.time,
            "at_risk": step.at_risk,
            "events": step.events,
            "survival": step.survival,
            "low": step.low,
            "high": step.high,
        }
        for step in curve.steps
    ]


def value_of(figure: ReleaseFigure) -> Value:
    """A released cell as the dashboards show it (a withheld one keeps only why)."""
    return Value(
        figure.group or None,
        figure.numerator,
        figure.denominator,
        figure.value,
        figure.low,
        figure.high,
        suppressed=figure.suppressed,
        reason=figure.reason,
    )


def release_values(
    release: Release, period: str, codes: list[str], by: str | None, scope: str = NETWORK
) -> dict[str, list[Value]]:
    """The release's cells of `codes` for `period` in `scope`: each group of `by`, then the
    total. A scope the release has no tables for raises NotInRelease."""
    if not release.publishes(period, scope):
        raise NotInRelease(release, period, scope)
    published = release.breakdowns(period, scope)
    if by and published is not None and by not in published:
        raise NotBrokenDown(release, period, scope, by)
    out: dict[str, list[Value]] = {code: [] for code in codes}
    figures = release.figures.filter(
        period=period, scope=scope, table__in=codes, breakdown__in=["", by or ""]
    ).order_by("breakdown" if by else "pk", "pk")
    for figure in figures:
        out[figure.table].append(value_of(figure))
    for cells in out.values():  # groups first, the total last, as live figures come
        cells.sort(key=lambda v: (v.group is None, v.group == "none", v.group or ""))
    return out


def from_release(
    scope: Scope, period: str, start: dt.date, end: dt.date, by: str | None
) -> Dashboard:
    """The network's dashboard for one calendar year, as its release published it: one
    query for the cells and one for the curve, whatever the number of cases."""
    release = releases.covering(period)
    if release is None:
        raise NotReleased(period)
    codes = [*RATE_CODES, *COUNT_CODES, "time_to_resolution", *COST_CODES]
    values = release_values(release, period, codes, by, scope.code)
    rows = [
        Row(REGISTRY[code], {cell.group: cell for cell in values[code]})
        for code in RATE_CODES + COUNT_CODES
    ]
    curve = release.curves.filter(period=period, scope=scope.code, table="retention").first()
    withheld = curve is None or curve.suppressed
    lines, last_day = curves([] if curve is None or withheld else [(str(_("All")), curve.points)])
    return Dashboard(
        scope=scope,
        start=start,
        end=end,
        by=by,
        groups=_groups(rows),
        rows=rows,
        retention=lines,
        retention_days=last_day,
        resolution=[v for v in values["time_to_resolution"] if v.group is None],
        release=release,
        retention_withheld=withheld,
        costs=_costs({code: values[code] for code in COST_CODES}),
        cost_comparison=_cost_comparison(release, period) if scope.code == NETWORK else [],
        **(_building(release) if scope.code == NETWORK else {}),
    )


def _building(release: Release) -> dict[str, Any]:
    """The network-building indicators of the release: every published year, then the
    current year to date (one query)."""
    span = release.changes.get("to_date") or {}
    values: dict[str, dict[str, Value]] = {code: {} for code in NETWORK_CODES}
    for figure in release.figures.filter(scope=NETWORK, table__in=NETWORK_CODES, breakdown=""):
        values[figure.table][figure.period] = value_of(figure)
    years = sorted({p for by_period in values.values() for p in by_period} - {span.get("period")})
    columns = [*years, *([span["period"]] if span else [])]
    labels = [
        *years,
        *(
            [_("%(year)s to %(end)s") % {"year": span["period"][:4], "end": span["end"]}]
            if span
            else []
        ),
    ]
    return {
        "building_columns": labels,
        "building": [
            (REGISTRY[code], [values[code].get(column) for column in columns])
            for code in NETWORK_CODES
        ]
        if columns
        else [],
    }


def _cost_comparison(release: Release, period: str) -> list[dict[str, Any]]:
    """The released cost cells of every country and organisation for `period`, with the
    detention cost per day of the country (three queries)."""
    labels = {s["scope"]: s["label"] for s in release.scopes(period) if s["scope"] != NETWORK}
    against = comparators()
    country_of = {
        f"organisation:{slug}": str(country)
        for slug, country in Organisation.objects.values_list("slug", "country")
    }
    rows: dict[str, dict[str, Any]] = {}
    figures = release.figures.filter(
        period=period, scope__in=labels, table__in=COST_CODES, breakdown=""
    ).order_by("scope", "pk")
    for figure in figures:
        kind, _sep, group = figure.scope.partition(":")
        country = group if kind == "country" else country_of.get(figure.scope, "")
        row = rows.setdefault(
            figure.scope,
            {
                "scope": figure.scope,
                "kind": kind,
                "label": labels[figure.scope],
                "detention": float(against[country].per_day) if country in against else None,
            },
        )
        row[figure.table] = value_of(figure)
    empty = Value(None, None, None, None, None, None)
    return [
        {code: empty for code in COST_CODES} | row
        for row in sorted(rows.values(), key=lambda r: (r["kind"] != "country", r["label"]))
    ]


def _series(scope: Scope, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The main rates per sub-period and cumulatively from `start`: inside the organisation
    only, since sub-periods and overlapping cohorts could be subtracted from each other."""
    out = []
    for label, first, last in sub_periods(start, end):
        per_period = rates(SERIES_CODES, scope.cases, first, last)
        cumulative = rates(SERIES_CODES, scope.cases, start, last)
        row: dict[str, Any] = {"label": label, "start": first, "end": last}
        for code in SERIES_CODES:
            row[code] = per_period[code][0] if per_period[code] else None
            row[f"{code}_cumulative"] = cumulative[code][0] if cumulative[code] else None
        out.append(row)
    return out


def table(dashboard: Dashboard) -> tuple[list[str], list[list[Any]]]:
    """The dashboard's main table as rows for CSV/XLSX: one line per indicator and group,
    withheld figures empty and marked."""
    header = [
        "indicator",
        "group",
        "value",
        "low",
        "high",
        "numerator",
        "denominator",
        "suppressed",
        "unit",
    ]
    lines = []
    for row in dashboard.rows:
        for group in dashboard.groups:
            cell = row.cell(group)
            if cell is None:
                continue
            lines.append(
                [
                    row.indicator.code,
                    "all" if group is None else group,
                    cell.rate,
                    cell.low,
                    cell.high,
                    cell.numerator,
                    cell.denominator,
                    cell.suppressed,
                    str(row.indicator.unit),
                ]
            )
    for cell in dashboard.resolution:
        lines.append(
            [
                "time_to_resolution",
                "all" if cell.group is None else cell.group,
                cell.rate,
                cell.low,
                cell.high,
                cell.numerator,
                cell.denominator,
                cell.suppressed,
                "days (median)",
            ]
        )
    for indicator, cell in dashboard.costs:
        lines.append(
            [
                indicator.code,
                "all",
                cell.rate,
                cell.low,
                cell.high,
                cell.numerator,
                cell.denominator,
                cell.suppressed,
                str(indicator.unit),
            ]
        )
    for sub in dashboard.series:  # the series, one line per sub-period
        for code in SERIES_CODES:
            for suffix in ("", "_cumulative"):
                cell = sub.get(code + suffix)
                if cell is None:
                    continue
                lines.append(
                    [
                        code + suffix,
                        f"intake {sub['label']}",
                        cell.rate,
                        cell.low,
                        cell.high,
                        cell.numerator,
                        cell.denominator,
                        cell.suppressed,
                        "%",
                    ]
                )
    return header, lines
