"""Reporting periods as they are written in URLs and pickers."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from django.utils.translation import gettext as _


class PeriodError(ValueError):
    pass


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """'2025', '2025-Q2', '2025-03' or '2025-01-01..2025-06-30' → (first day, last day)."""
    text = text.strip()
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
