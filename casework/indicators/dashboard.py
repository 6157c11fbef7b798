"""A dashboard's figures for one scope, period and breakdown, computed once and shown by the
page, the CSV/XLSX download and the benchmark alike. Nothing is cached: a contact or a
closure recorded now shows on the next load."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from casework.accounts.models import Organisation
from casework.cases.models import Case
from casework.core.access import Principal
from casework.core.disclosure import rate_withheld
from casework.indicators.charts import Bar, Curve, bar, curves
from casework.indicators.compute import (
    Value,
    baseline_period,
    counts,
    publish,
    published,
    published_curve,
    rates,
    survival,
    survival_values,
)
from casework.indicators.periods import sub_periods
from casework.indicators.registry import REGISTRY, Indicator

RATE_CODES = [code for code, i in REGISTRY.items() if i.kind not in ("survival", "count")]
COUNT_CODES = [code for code, i in REGISTRY.items() if i.kind == "count"]
SERIES_CODES = ["engagement_rate", "resolution_rate"]
TOTAL = None  # the group of a total cell


class ScopeError(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    """Whose cases a dashboard covers, and whether the viewer works inside them."""

    code: str  # "organisation" or "network"
    cases: QuerySet
    inside: bool
    organisation: Organisation | None = None
    # The viewer's own organisation's cases, when they look at the network from inside one:
    # they know those figures exactly, so disclosure control must not let them subtract.
    own: QuerySet | None = None


def scope_for(principal: Principal, code: str) -> Scope:
    """Organisation staff see their organisation exactly, or the network disclosure-
    controlled; network roles (observers too) see the network only."""
    if code == "organisation":
        if not principal.is_organisation:
            raise ScopeError("Only an organisation's staff see an organisation dashboard.")
        organisation = Organisation.objects.get(pk=principal.organisation_id)
        return Scope(code, Case.objects.filter(organisation=organisation), True, organisation)
    if code == "network":
        own = None
        if principal.is_organisation:
            own = Case.objects.filter(organisation_id=principal.organisation_id)
        return Scope(code, Case.objects.all(), False, own=own)
    raise ScopeError(f"Unknown scope {code!r}.")


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

    def grid(self) -> list[tuple[Row, list[tuple[str | None, Value | None, Bar | None]]]]:
        """Each row with its cells in column order (the template's table)."""
        return [
            (row, [(group, row.cell(group), row.bar(group)) for group in self.groups])
            for row in self.rows
        ]


def _figures(
    cases: QuerySet,
    start: dt.date,
    end: dt.date,
    by: str | None,
    baseline: Any,
    against: QuerySet | None = None,
) -> dict:
    """Every rate and count of the dashboard, by group when `by` is given, and the total."""
    values = rates(RATE_CODES, cases, start, end)
    values |= counts(COUNT_CODES, cases, start, end, baseline=baseline, against=against)
    if by:
        grouped = rates(RATE_CODES, cases, start, end, by)
        grouped |= counts(COUNT_CODES, cases, start, end, by, baseline, against)
        values = {code: grouped[code] + values[code] for code in values}
    return values


def build(scope: Scope, start: dt.date, end: dt.date, by: str | None = None) -> Dashboard:
    """The figures of one dashboard. Outside the organisation: disclosure-controlled, with
    the viewer's own organisation's figures treated as known, the curve and the median for
    the whole scope only (group curves could be subtracted from it), and no series."""
    inside = scope.inside
    baseline = baseline_period(scope.organisation.pk if scope.organisation else None)
    known = None
    if scope.own is not None:
        known = _figures(scope.own, start, end, by, baseline, against=scope.cases)
    figures = _figures(scope.cases, start, end, by, baseline)
    shown = publish(figures, inside_organisation=inside, known=known)
    rows, seen = [], []
    for code in RATE_CODES + COUNT_CODES:
        rows.append(Row(REGISTRY[code], {cell.group: cell for cell in shown[code]}))
        seen += [cell.group for cell in shown[code] if cell.group is not None]
    groups = [*sorted(set(seen), key=lambda g: (g == "none", g)), TOTAL]
    curve_by = by if inside else None
    retention = survival("retention", scope.cases, start, end, curve_by) if curve_by else []
    retention += survival("retention", scope.cases, start, end)
    k = settings.DISCLOSURE_THRESHOLD
    # Staff looking at the network know their own organisation's curve exactly: the
    # network's points could be taken apart, so they see no network curve.
    lines, last_day = curves(
        [
            (curve.group or str(_("All")), published_curve(curve, inside_organisation=inside))
            for curve in retention
            if inside or (scope.own is None and not rate_withheld(curve.events, curve.cases, k))
        ]
    )
    resolution = (
        survival("time_to_resolution", scope.cases, start, end, curve_by) if curve_by else []
    )
    resolution += survival("time_to_resolution", scope.cases, start, end)
    own_resolution = None
    if scope.own is not None:
        own_resolution = survival_values(
            "time_to_resolution", survival("time_to_resolution", scope.own, start, end)
        )
    medians = published(
        survival_values("time_to_resolution", resolution),
        inside_organisation=inside,
        known=own_resolution,
    )
    return Dashboard(
        scope=scope,
        start=start,
        end=end,
        by=by,
        groups=groups,
        rows=rows,
        retention=lines,
        retention_days=last_day,
        resolution=medians,
        series=_series(scope, start, end) if inside else [],
    )


def _series(scope: Scope, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The main rates per sub-period and cumulatively from `start`: inside the organisation
    only, since sub-periods and overlapping cohorts could be subtracted from each other."""
    out = []
    for label, first, last in sub_periods(start, end):
        per_period = rates(SERIES_CODES, scope.cases, first, last)
        cumulative = rates(SERIES_CODES, scope.cases, start, last)
        row: dict[str, Any] = {"label": label, "start": first, "end": last}
        for code in SERIES_CODES:
            row[code] = (per_period[code] or [None])[0]
            row[f"{code}_cumulative"] = (cumulative[code] or [None])[0]
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
    for row in dashboard.series:  # the series, one line per sub-period
        for code in SERIES_CODES:
            for suffix in ("", "_cumulative"):
                cell = row.get(code + suffix)
                if cell is None:
                    continue
                lines.append(
                    [
                        code + suffix,
                        f"intake {row['label']}",
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
