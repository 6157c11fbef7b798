"""Retention: how long an organisation keeps the identity and free text of people whose cases
are all closed (`Organisation.retention_months`), and who is past it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q

from casework.accounts.models import Organisation
from casework.cases.models import Case
from casework.people.models import Person


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (the month's last day where it is shorter)."""
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Due:
    organisation: Organisation
    months: int
    closed_before: dt.date
    people: list[Person]


def due(today: dt.date) -> list[Due]:
    """Per organisation with a retention period: the people not yet erased whose every case
    is closed, the last one before the cut-off."""
    out = []
    organisations = Organisation.objects.filter(retention_months__isnull=False).order_by("name")
    for organisation in organisations:
        months = organisation.retention_months
        assert months is not None
        cutoff = months_before(today, months)
        open_case = Case.objects.filter(person=OuterRef("pk"), closed_on__isnull=True)
        people = (
            Person.objects.filter(organisation=organisation, erased_at__isnull=True)
            .filter(merged_into__isnull=True)
            .annotate(last_closed=Max("cases__closed_on"))
            .filter(~Exists(open_case), Q(last_closed__lt=cutoff))
            .order_by("code")
        )
        out.append(Due(organisation, months, cutoff, list(people)))
    return out
