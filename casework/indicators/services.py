"""Setting targets, and measuring progress towards them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.core import releases
from casework.core.access import principal_of
from casework.core.periods import PeriodError, parse_period
from casework.core.roles import Capability
from casework.indicators.charts import column_chart
from casework.indicators.compute import Value, baseline_period, values_of
from casework.indicators.dashboard import release_values, scope_for
from casework.indicators.models import Target
from casework.indicators.registry import REGISTRY

PERIOD_FIELDS = ("baseline_period", "midline_period", "endline_period", "target_period")


def target_owner(user: User) -> Organisation | None:
    """Coordinators set the network's targets, organisation admins their organisation's."""
    principal = principal_of(user)
    if not principal.can(Capability.TARGETS_MANAGE):
        raise PermissionDenied
    if principal.is_network:
        return None
    return Organisation.objects.get(pk=principal.org_id)


@transaction.atomic
def set_target(user: User, indicator: str, **fields: Any) -> Target:
    """Create or change the caller's scope's target for `indicator`."""
    organisation = target_owner(user)
    if indicator not in REGISTRY:
        raise ValidationError({"indicator": "No such indicator."})
    errors = {}
    for name in PERIOD_FIELDS:
        text = fields.get(name) or ""
        if text:
            try:
                parse_period(text)
            except PeriodError as error:
                errors[name] = str(error)
    if errors:
        raise ValidationError(errors)
    target, _created = Target.objects.get_or_create(
        indicator=indicator,
        organisation=organisation,
        defaults={**fields, "set_by": user},
    )
    if not _created:
        for name, value in fields.items():
            setattr(target, name, value)
        target.set_by = user
        target.full_clean()
        target.save()
    return target


@dataclass(frozen=True)
class Progress:
    """Where an indicator stands against its target, in the indicator's unit."""

    target: Target
    current: Decimal | None  # None: withheld, or nothing to measure yet
    measured_to: dt.date | None
    share: float | None  # 0 at the baseline, 1 at the target

    @property
    def change(self) -> float | None:
        """Growth against the baseline (0.15 for +15%)."""
        if self.current is None or not self.target.baseline_value:
            return None
        return float((self.current - self.target.baseline_value) / self.target.baseline_value)

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(100 * max(0.0, min(self.share, 1.0)))


def _in_unit(code: str, value: Value) -> Decimal | None:
    if value.suppressed or value.rate is None:
        return None
    kind = REGISTRY[code].kind
    if kind in ("count", "survival", "cost", "network") and code != "retention":
        return Decimal(str(round(value.rate, 2)))
    return Decimal(str(round(100 * value.rate, 2)))


def _measure(code: str, target: Target, user: Any, start: dt.date, end: dt.date) -> Value | None:
    """The total cell of `code` over the target's scope as `user` may see it: the network's
    from its release (whole calendar years only), an organisation's live for its own staff
    only."""
    principal = principal_of(user)
    if target.organisation_id is None and REGISTRY[code].kind == "network":
        return _network_measure(code, start, end)
    if target.organisation_id is None:
        period = str(start.year)
        if (start, end) != parse_period(period):
            return None  # a release publishes whole calendar years
        release = releases.covering(period)
        if release is None:
            return None
        cells = release_values(release, period, [code], None)[code]
        return cells[0] if cells else None
    if not (principal.is_organisation and principal.organisation_id == target.organisation_id):
        return None  # another organisation's target: its figures are for its own staff
    cases = scope_for(principal, "organisation").cases
    cells = values_of(code, cases, start, end, None, baseline_period(target.organisation_id))
    return cells[0] if cells else None


STOCKS = {"places_exploring"}  # a count at the period's end, not over it


def _network_measure(code: str, start: dt.date, end: dt.date) -> Value | None:
    """A network-building indicator over whole years from the latest release: each ended
    year as published, the current year to date; added up over the years (a stock, such as
    the places exploring a pilot: its last year's)."""
    release = releases.latest()
    if release is None or start != dt.date(start.year, 1, 1):
        return None
    to_date = release.changes.get("to_date") or {}
    wanted = {
        year: to_date["period"] if to_date and str(year) == to_date["period"][:4] else str(year)
        for year in range(start.year, end.year + 1)
    }
    found = dict(
        release.figures.filter(
            scope="network", table=code, breakdown="", period__in=wanted.values()
        ).values_list("period", "value")
    )
    values = [found.get(label) for label in wanted.values()]
    if any(v is None for v in values):
        return None  # a year not published yet
    total = values[-1] if code in STOCKS else sum(v for v in values if v is not None)
    return Value(None, int(total or 0), None, total, None, None)


def progress(target: Target, user: Any, today: dt.date | None = None) -> Progress:
    """The indicator's value over the target period (to date, if it is not over), for the
    target's scope, disclosure-controlled unless the viewer works in that organisation."""
    today = today or timezone.localdate()
    try:
        start, end = parse_period(target.target_period)
    except PeriodError:  # saved under older rules
        return Progress(target, None, None, None)
    if start > today:
        return Progress(target, None, None, None)
    end = min(end, today)
    cell = _measure(target.indicator, target, user, start, end)
    current = _in_unit(target.indicator, cell) if cell is not None else None
    share = None
    if current is not None and target.target_value != target.baseline_value:
        share = float(
            (current - target.baseline_value) / (target.target_value - target.baseline_value)
        )
    return Progress(target, current, end, share)


def served_by_year(measured: Progress, user: Any, today: dt.date | None = None) -> Any:
    """People served each calendar year from the baseline's to the target's (six at most),
    disclosure-controlled like the target, as a column chart against the target."""
    today = today or timezone.localdate()
    target = measured.target
    try:
        first = parse_period(target.baseline_period)[0].year
        last = min(parse_period(target.target_period)[1].year, today.year)
    except PeriodError:  # saved under older rules
        return None
    years = []
    for year in range(max(first, last - 5), last + 1):
        end = min(dt.date(year, 12, 31), today)
        cell = _measure("beneficiaries", target, user, dt.date(year, 1, 1), end)
        shown = cell is not None and not cell.suppressed
        years.append(
            (str(year), float(cell.numerator or 0) if cell is not None and shown else None)
        )
    return column_chart(years, float(target.target_value), float(target.baseline_value))
