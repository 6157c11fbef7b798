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
from casework.cases.models import Case
from casework.core.access import principal_of
from casework.core.roles import Capability
from casework.indicators.compute import Value, published, values_of
from casework.indicators.models import Target
from casework.indicators.periods import PeriodError, parse_period
from casework.indicators.registry import REGISTRY

PERIOD_FIELDS = ("baseline_period", "midline_period", "endline_period", "target_period")


def target_owner(user: User) -> Organisation | None:
    """Coordinators set the network's targets, organisation admins their organisation's."""
    principal = principal_of(user)
    if not principal.can(Capability.TARGETS_MANAGE):
        raise PermissionDenied
    if principal.is_network:
        return None
    return Organisation.objects.get(pk=principal.organisation_id)


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
    if kind in ("count", "survival") and code != "retention":
        return Decimal(str(round(value.rate, 2)))
    return Decimal(str(round(100 * value.rate, 2)))


def progress(target: Target, user: Any, today: dt.date | None = None) -> Progress:
    """The indicator's value over the target period (to date, if it is not over), for the
    target's scope, disclosure-controlled unless the viewer works in that organisation."""
    today = today or timezone.localdate()
    start, end = parse_period(target.target_period)
    if start > today:
        return Progress(target, None, None, None)
    end = min(end, today)
    principal = principal_of(user)
    if target.organisation_id is None:
        cases, inside = Case.objects.all(), False
    else:
        cases = Case.objects.filter(organisation_id=target.organisation_id)
        inside = principal.is_organisation and principal.organisation_id == target.organisation_id
    cells = published(values_of(target.indicator, cases, start, end), inside_organisation=inside)
    current = _in_unit(target.indicator, cells[0]) if cells else None
    share = None
    if current is not None and target.target_value != target.baseline_value:
        share = float(
            (current - target.baseline_value) / (target.target_value - target.baseline_value)
        )
    return Progress(target, current, end, share)
