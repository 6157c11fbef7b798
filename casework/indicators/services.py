"""Setting targets and measuring progress towards them; the MEL plan measured against
them, and its reflections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import Organisation, User
from casework.core import releases
from casework.core.access import principal_of
from casework.core.models import NETWORK, Release
from casework.core.periods import PeriodError, parse_period
from casework.core.roles import Capability
from casework.indicators.charts import column_chart
from casework.indicators.choices import ReflectionKind
from casework.indicators.compute import Value, baseline_period, values_of
from casework.indicators.dashboard import scope_for, value_of
from casework.indicators.models import (
    REFLECTION_TEXTS,
    Outcome,
    PlanIndicator,
    Reflection,
    Target,
)
from casework.indicators.registry import REGISTRY
from casework.network.choices import RiskStatus
from casework.network.models import Risk
from casework.network.services import keeps_network_records

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
class Milestone:
    """A midline or an endline: the indicator measured over its period once it is over."""

    period: str
    value: Decimal | None  # None: still to come (`due`), withheld, or not published
    due: dt.date | None = None  # the period's last day, while it has not passed


@dataclass(frozen=True)
class Progress:
    """Where an indicator stands against its target, in the indicator's unit."""

    target: Target
    current: Decimal | None  # None: withheld, or nothing to measure yet
    measured_to: dt.date | None
    share: float | None  # 0 at the baseline, 1 at the target
    midline: Milestone | None = None
    endline: Milestone | None = None

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
    """The cell's value in the indicator's unit, to two decimals at most, without trailing
    zeros (1 not 1.0, 3.8 not 3.80)."""
    if value.suppressed or value.rate is None:
        return None
    kind = REGISTRY[code].kind
    if kind in ("count", "survival", "cost", "network") and code != "retention":
        shown = round(value.rate, 2)
    else:
        shown = round(100 * value.rate, 2)
    return Decimal(f"{Decimal(str(shown)).normalize():f}")


def _measure(
    code: str,
    target: Target,
    user: Any,
    start: dt.date,
    end: dt.date,
    release: Release | None = None,
) -> Value | None:
    """The total cell of `code` over the target's scope as `user` may see it: the network's
    from a release (`release`, else the latest; whole calendar years only), an
    organisation's live for its own staff only."""
    principal = principal_of(user)
    if target.organisation_id is None:
        release = release or releases.latest()
    if target.organisation_id is None and REGISTRY[code].kind == "network":
        return _network_measure(code, start, end, release)
    if target.organisation_id is None:
        period = str(start.year)
        if (start, end) != parse_period(period):
            return None  # a release publishes whole calendar years
        if release is None or not release.covers(period):
            return None
        return network_totals(release).get((period, code))
    if not (principal.is_organisation and principal.organisation_id == target.organisation_id):
        return None  # another organisation's target: its figures are for its own staff
    cases = scope_for(principal, "organisation").cases
    cells = values_of(code, cases, start, end, None, baseline_period(target.organisation_id))
    return cells[0] if cells else None


# Not added up over years: a count at the period's end (the places exploring a pilot); the
# people involved in a year and the members who presented or answered (the same ones come
# back the next year); the members' mean confidence. Each is its latest published year's.
STOCKS = {
    "places_exploring",
    "lived_experience_involved",
    "network_feedback_score",
    "network_feedback_responses",
    "members_presenting",
}


def _network_measure(
    code: str, start: dt.date, end: dt.date, release: Release | None
) -> Value | None:
    """A network-building indicator over whole years from `release`: each ended year as
    published, the current year to date; added up over the years (a stock, such as the
    places exploring a pilot: its last year's)."""
    if release is None or start != dt.date(start.year, 1, 1):
        return None
    to_date = release.changes.get("to_date") or {}
    wanted = {
        year: to_date["period"] if to_date and str(year) == to_date["period"][:4] else str(year)
        for year in range(start.year, end.year + 1)
    }
    totals = network_totals(release)
    cells = [totals.get((label, code)) for label in wanted.values()]
    values = [None if cell is None else cell.rate for cell in cells]
    if code in STOCKS:
        latest = next((v for v in reversed(values) if v is not None), None)
        return None if latest is None else Value(None, round(latest), None, latest, None, None)
    if any(v is None for v in values):
        return None  # a year not published yet, or withheld
    total = sum(v for v in values if v is not None)
    return Value(None, int(total or 0), None, total, None, None)


def network_totals(release: Release) -> dict[tuple[str, str], Value]:
    """Every network total the release publishes, by (period, indicator): read in one query
    and kept on the release object, so that measuring many targets against one release
    costs one query."""
    cached = release.__dict__.get("_network_totals")
    if cached is None:
        figures = release.figures.filter(scope=NETWORK, breakdown="", group="")
        cached = {(f.period, f.table): value_of(f) for f in figures}
        release.__dict__["_network_totals"] = cached
    return cached


def _milestone(
    target: Target, period: str, user: Any, today: dt.date, release: Release | None
) -> Milestone | None:
    """The midline or endline over `period`, measured once the period is over."""
    if not period:
        return None
    try:
        start, end = parse_period(period)
    except PeriodError:  # saved under older rules
        return None
    if end >= today:
        return Milestone(period, None, end)
    cell = _measure(target.indicator, target, user, start, end, release)
    return Milestone(period, _in_unit(target.indicator, cell) if cell is not None else None, None)


def progress(
    target: Target,
    user: Any,
    today: dt.date | None = None,
    release: Release | None = None,
    *,
    milestones: bool = True,
) -> Progress:
    """The indicator's value over the target period (to date, if it is not over), and its
    midline and endline (unless `milestones` is False: the dashboard shows neither), for
    the target's scope, disclosure-controlled unless the viewer works in that organisation.
    The network's figures come from `release` (default: the latest), as they stood on
    `today` (default: today)."""
    today = today or timezone.localdate()
    if target.organisation_id is None:
        release = release or releases.latest()
    midline = endline = None
    if milestones:
        midline = _milestone(target, target.midline_period, user, today, release)
        endline = _milestone(target, target.endline_period, user, today, release)
    try:
        start, end = parse_period(target.target_period)
    except PeriodError:  # saved under older rules
        return Progress(target, None, None, None, midline, endline)
    if start > today:
        return Progress(target, None, None, None, midline, endline)
    end = min(end, today)
    cell = _measure(target.indicator, target, user, start, end, release)
    current = _in_unit(target.indicator, cell) if cell is not None else None
    share = None
    if current is not None and target.target_value != target.baseline_value:
        share = float(
            (current - target.baseline_value) / (target.target_value - target.baseline_value)
        )
    return Progress(target, current, end, share, midline, endline)


def served_by_year(
    measured: Progress,
    user: Any,
    today: dt.date | None = None,
    release: Release | None = None,
) -> Any:
    """People served each calendar year from the baseline's to the target's (six at most),
    disclosure-controlled like the target (the network's from `release`, default the
    latest), as a column chart against the target."""
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
        cell = _measure("beneficiaries", target, user, dt.date(year, 1, 1), end, release)
        shown = cell is not None and not cell.suppressed
        years.append(
            (str(year), float(cell.numerator or 0) if cell is not None and shown else None)
        )
    return column_chart(years, float(target.target_value), float(target.baseline_value))


# The MEL plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    """An indicator of the plan with where it stands: measured against the network's target
    for its registry indicator (`measured`), or as the coordinators typed it."""

    indicator: PlanIndicator
    measured: Progress | None  # None: typed, or no network target set yet

    @property
    def unit(self) -> str:
        code = self.indicator.indicator
        return str(REGISTRY[code].unit) if code in REGISTRY else ""


def mel_plan(
    user: Any, today: dt.date | None = None, release: Release | None = None
) -> list[tuple[Outcome, list[PlanRow]]]:
    """Every outcome of the plan with its indicators, each measured against the network's
    target for it from `release` (default: the latest) as of `today`."""
    today = today or timezone.localdate()
    release = release or releases.latest()
    targets = {t.indicator: t for t in Target.objects.filter(organisation__isnull=True)}
    rows = PlanIndicator.objects.visible_to(user).order_by("position", "pk")
    outcomes = Outcome.objects.visible_to(user).prefetch_related(Prefetch("indicators", rows))
    out = []
    for outcome in outcomes:
        plan_rows = []
        for row in outcome.indicators.all():
            target = targets.get(row.indicator) if row.indicator else None
            measured = progress(target, user, today, release) if target is not None else None
            plan_rows.append(PlanRow(row, measured))
        out.append((outcome, plan_rows))
    return out


def _number(value: Decimal | None) -> str | None:
    """A value as plain text without trailing zeros (3.2, 125, 0)."""
    return None if value is None else f"{value.normalize():f}"


def _milestone_record(milestone: Milestone | None) -> dict[str, Any] | None:
    if milestone is None:
        return None
    return {
        "period": milestone.period,
        "value": _number(milestone.value),
        "due": str(milestone.due) if milestone.due else None,
    }


def plan_record(row: PlanRow) -> dict[str, Any]:
    """One row of the plan as data: what the API returns and a reflection keeps."""
    plan, measured = row.indicator, row.measured
    record: dict[str, Any] = {
        "id": str(plan.uid),
        "outcome": {
            "id": str(plan.outcome.uid),
            "position": plan.outcome.position,
            "title": plan.outcome.title,
        },
        "position": plan.position,
        "wording": plan.wording,
        "indicator": plan.indicator or None,
        "unit": row.unit,
        "computed": plan.computed,
        "measured": measured is not None,
        "note": plan.note,
    }
    if measured is None:
        return record | {
            "baseline": {"value": plan.baseline or None, "period": None},
            "midline": {"value": plan.midline or None, "period": None, "due": None},
            "endline": {"value": plan.endline or None, "period": None, "due": None},
            "target": {"value": plan.target or None, "period": None},
            "current": None,
            "progress": None,
        }
    target = measured.target
    return record | {
        "baseline": {"value": _number(target.baseline_value), "period": target.baseline_period},
        "midline": _milestone_record(measured.midline),
        "endline": _milestone_record(measured.endline),
        "target": {"value": _number(target.target_value), "period": target.target_period},
        "current": {
            "value": _number(measured.current),
            "measured_to": str(measured.measured_to) if measured.measured_to else None,
        },
        "progress": measured.percent,
    }


def by_outcome(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the plan (as `plan_record` writes them) under their outcomes, in order."""
    outcomes: dict[str, dict[str, Any]] = {}
    for record in records:
        outcome = outcomes.setdefault(record["outcome"]["id"], {**record["outcome"], "rows": []})
        outcome["rows"].append(record)
    return list(outcomes.values())


def plan_records(
    user: Any, today: dt.date | None = None, release: Release | None = None
) -> list[dict[str, Any]]:
    """The whole plan as data, row by row (`mel_plan`, `plan_record`)."""
    return [plan_record(row) for _outcome, rows in mel_plan(user, today, release) for row in rows]


def keeps_the_plan(user: User) -> bool:
    """The MEL plan and its reflections are the network's: its coordinators keep them."""
    return keeps_network_records(user)


PLAN_TEXT_FIELDS = ("baseline", "midline", "endline", "target")


@transaction.atomic
def save_plan_indicator(user: User, row: PlanIndicator, **fields: Any) -> PlanIndicator:
    """Change an indicator of the plan: its wording, what computes it, or (where nothing
    does) what the evaluations found. A computed indicator takes no typed values: its
    baseline and target are the network's target, its midline and endline are measured."""
    if not keeps_the_plan(user):
        raise PermissionDenied
    for name in ("wording", "indicator", "note", *PLAN_TEXT_FIELDS):
        if name in fields:
            value = fields[name]
            setattr(row, name, value.strip() if isinstance(value, str) else value)
    if row.indicator and row.indicator not in REGISTRY:
        raise ValidationError({"indicator": _("No such indicator.")})
    if row.indicator:
        typed = [name for name in PLAN_TEXT_FIELDS if getattr(row, name)]
        if typed:
            raise ValidationError(
                {
                    name: _(
                        "This indicator is computed: set its baseline and target as the "
                        "network's target, and its midline and endline are measured."
                    )
                    for name in typed
                }
            )
    row.full_clean()
    row.save()
    return row


def _risk_register(user: User) -> list[dict[str, Any]]:
    return [
        {
            "area": str(risk.get_area_display()),
            "risk": risk.risk,
            "likelihood": risk.likelihood,
            "impact": risk.impact,
            "status": risk.status,
            "reviewed_on": str(risk.reviewed_on) if risk.reviewed_on else None,
            "review_note": risk.review_note,
        }
        for risk in Risk.objects.visible_to(user).order_by("area", "created_at", "pk")
    ]


def release_on(day: dt.date) -> Release | None:
    """The release in force on `day`: the newest built by its end."""
    return Release.objects.filter(built_at__date__lte=day).first()


@transaction.atomic
def record_reflection(
    user: User, *, held_on: dt.date, kind: str = ReflectionKind.REFLECTION, **texts: str
) -> Reflection:
    """Record a six-month reflection (or a midline or endline evaluation) held on a day,
    with the plan's figures from the release in force that day and the risk register as it
    stands, kept as they were."""
    if not keeps_the_plan(user):
        raise PermissionDenied
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Record a reflection once it has been held.")})
    release = release_on(held_on)
    reflection = Reflection(
        kind=kind,
        held_on=held_on,
        release=release,
        written_by=user,
        **{name: (texts.get(name) or "").strip() for name in REFLECTION_TEXTS},
    )
    reflection.full_clean(exclude=["figures", "risks"])
    reflection.figures = plan_records(user, today=held_on, release=release)
    reflection.risks = _risk_register(user)
    reflection.save()
    return reflection


def risks_unreviewed_since(user: User, day: dt.date | None) -> int:
    """Open risks of the register not reviewed since `day` (the last reflection): each
    reflection reviews the register."""
    risks = Risk.objects.visible_to(user).exclude(status=RiskStatus.CLOSED)
    if day is None:
        return risks.filter(reviewed_on__isnull=True).count()
    return risks.exclude(reviewed_on__gte=day).count()
