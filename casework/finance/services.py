"""Writes on budgets, spending and detention comparators: each a named, checked function.
Bad input is refused with every reason at once, and nothing is stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import Project, User
from casework.core.access import principal_of
from casework.core.periods import PeriodError, parse_period
from casework.core.roles import Capability
from casework.finance.choices import EURO, Category, FundingSource, Kind
from casework.finance.models import Amount, DetentionCost

# The periods an amount may cover: a month, a quarter or a year (no custom range: a line's
# days must be those of a period a reader recognises).
PERIOD_FORMS = ("2025", "2025-Q2", "2025-03")


def _period(text: str) -> tuple[dt.date, dt.date]:
    text = (text or "").strip()
    if ".." in text:
        raise PeriodError(_("Enter a year (2025), a quarter (2025-Q2) or a month (2025-03)."))
    return parse_period(text)


@transaction.atomic
def record_amount(
    user: User,
    *,
    project: Project,
    kind: str,
    period: str,
    category: str,
    amount: Decimal | str,
    currency: str = EURO,
    rate: Decimal | str | None = None,
    rate_on: dt.date | None = None,
    source: str,
    sustainable: bool = False,
    note: str = "",
) -> Amount:
    """Store one budget or spending line of a project of the caller's organisation."""
    principal = principal_of(user)
    if not principal.can(Capability.FINANCE_MANAGE) or project.organisation_id != (
        principal.organisation_id
    ):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if kind not in Kind.values:
        refuse("kind", _("Choose budget or spending."))
    if category not in Category.values:
        refuse("category", _("Choose one of the categories."))
    if source not in FundingSource.values:
        refuse("source", _("Choose a source of funds."))
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        refuse("amount", _("Enter an amount such as 1250.50."))
        value = Decimal(0)
    if value < 0:
        refuse("amount", _("An amount is never negative: enter a refund as a lower amount."))
    currency = (currency or "").strip().upper()
    rate_value = None
    if currency != EURO:
        if rate in (None, ""):
            refuse(
                "rate", _("For %(c)s, enter what one unit was worth in euros.") % {"c": currency}
            )
        else:
            try:
                rate_value = Decimal(str(rate))
            except InvalidOperation:
                refuse("rate", _("Enter the rate as a number such as 0.5113."))
            if rate_value is not None and rate_value <= 0:
                refuse("rate", _("A rate is more than zero."))
        if rate_on is None:
            refuse("rate_on", _("Enter the date of the rate."))
    try:
        starts_on, ends_on = _period(period)
    except PeriodError as error:
        refuse("period", str(error))
    else:
        if kind == Kind.SPENT and starts_on > timezone.localdate():
            refuse("period", _("Spending is recorded once the period has begun."))
        overlapping = Amount.objects.filter(
            project=project,
            kind=kind,
            category=category,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
            withdrawn_at__isnull=True,
        )
        if kind in Kind.values and category in Category.values and overlapping.exists():
            other = overlapping.first()
            refuse(
                "period",
                _(
                    "%(project)s already has %(kind)s for %(category)s in %(period)s, which "
                    "overlaps: change that line instead."
                )
                % {
                    "project": project.name,
                    "kind": Kind(kind).label.lower(),
                    "category": Category(category).label.lower(),
                    "period": other.period if other else period,
                },
            )
    if errors:
        raise ValidationError(errors)
    line = Amount(
        organisation_id=project.organisation_id,
        project=project,
        kind=kind,
        period=period.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        category=category,
        amount=value,
        currency=currency,
        rate=rate_value,
        rate_on=rate_on if currency != EURO else None,
        source=source,
        sustainable=sustainable,
        note=note,
        entered_by=user,
    )
    line.full_clean()
    line.save()
    return line


def withdraw_amount(user: User, line: Amount) -> Amount:
    """Take back a line entered by mistake: it stops counting, and stays listed as withdrawn
    (withdrawing it again changes nothing)."""
    principal = principal_of(user)
    if not principal.can(Capability.FINANCE_MANAGE) or (
        line.organisation_id != principal.organisation_id
    ):
        raise PermissionDenied
    if line.withdrawn_at is None:
        line.withdrawn_at = timezone.now()
        line.save(update_fields=["withdrawn_at", "updated_at"])
    return line


@transaction.atomic
def correct_amount(user: User, line: Amount, **fields: Any) -> Amount:
    """Replace a line by a corrected one: the old line is withdrawn and the new one recorded
    together, or neither is (the new line may cover the old one's period)."""
    if line.withdrawn_at is not None:
        raise ValidationError(_("This line is withdrawn already: add a new line instead."))
    # A copy: should the corrected line be refused, the caller's `line` is as it was.
    withdraw_amount(user, Amount.objects.get(pk=line.pk))
    return record_amount(user, **fields)


def set_detention_cost(user: User, **fields: Any) -> DetentionCost:
    """A coordinator adds or corrects a country's detention cost for one year and source."""
    if not principal_of(user).can(Capability.FINANCE_COMPARATORS):
        raise PermissionDenied
    cost, _created = DetentionCost.objects.get_or_create(
        country=fields.pop("country"),
        year=fields.pop("year"),
        source=fields.pop("source"),
        defaults=fields,
    )
    if not _created:
        for name, value in fields.items():
            setattr(cost, name, value)
    cost.full_clean()
    cost.save()
    return cost
