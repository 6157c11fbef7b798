"""Reporting periods as they are written in URLs and pickers."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from django.utils.translation import gettext as _


class PeriodError(ValueError):
    pass


FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_YEARS = 10


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """'2025', '2025-Q2', '2025-03' or '2025-01-01..2025-06-30' → (first day, last day)."""
    start, end = _parse(text.strip())
    if not (start.year >= FIRST_YEAR and end.year <= LAST_YEAR):
        raise PeriodError(
            _("Choose a period between %(a)d and %(b)d.") % {"a": FIRST_YEAR, "b": LAST_YEAR}
        )
    if end.year - start.year >= MAX_YEARS:
        raise PeriodError(_("Choose a period of at most %(n)d years.") % {"n": MAX_YEARS})
    return start, end


def check_outside(text: str) -> None:
    """Figures published outside an organisation cover one calendar year, never a part of
    one or a custom range, so that no two published cohorts differ by a few people."""
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise PeriodError(
            _(
                "Outside your own organisation, figures are given for whole calendar years "
                "only (for example 2025): two overlapping periods could otherwise be "
                "subtracted from each other. Where the network publishes quarters, break a "
                "year down by quarter of intake."
            )
        )


def _parse(text: str) -> tuple[dt.date, dt.date]:
    try:
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", text, re.IGNORECASE):
            year, quarter = int(m[1]), int(m[2])
            first_month = 3 * quarter - 2
            last_month = first_month + 2
            return (
                dt.date(year, first_month, 1),
                dt.date(year, last_month, calendar.monthrange(year, last_month)[1]),
            )
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            year, month = int(m[1]), int(m[2])
            return dt.date(year, month, 1), dt.date(
                year, month, calendar.monthrange(year, month)[1]
            )
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if end < start:
                raise PeriodError(_("The period ends before it starts."))
            return start, end
    except ValueError as error:
        raise PeriodError(str(error)) from None
    raise PeriodError(_("Write the period as 2025, 2025-Q2, 2025-03 or 2025-01-01..2025-06-30."))


def sub_periods(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The period cut for a series: quarters over a year or more, months over shorter spans."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = 3 if months > 6 else 1
    out = []
    year, month = start.year, start.month
    if step == 3:
        month = 3 * ((month - 1) // 3) + 1
    while dt.date(year, month, 1) <= end:
        last_month = month + step - 1
        first = max(dt.date(year, month, 1), start)
        last = min(dt.date(year, last_month, calendar.monthrange(year, last_month)[1]), end)
        label = f"{year}-Q{(month + 2) // 3}" if step == 3 else f"{year}-{month:02d}"
        out.append((label, first, last))
        month += step
        if month > 12:
            year, month = year + 1, month - 12
    return out


def presets(today: dt.date) -> list[str]:
    """Periods offered in the picker: this and last year, the last four quarters, and the
    last three months."""
    quarter = (today.month - 1) // 3 + 1
    quarters = []
    year = today.year
    for _i in range(4):
        quarters.append(f"{year}-Q{quarter}")
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    months = []
    year, month = today.year, today.month
    for _i in range(3):
        months.append(f"{year}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return [str(today.year), str(today.year - 1), *quarters, *months]
