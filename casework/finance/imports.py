"""Budgets and spending from a CSV or XLSX file: every row checked exactly as the page
checks one line (`record_amount`, inside a transaction that a preview rolls back), so the
preview shows every rejected row and why, and the import stores exactly what it showed.

Columns (a header row, in any order; names as below, case and spaces ignored): project,
kind (budget or spent), period, category, amount, and optionally currency, rate, rate_on,
source, sustainable, note. Codes or their English labels are accepted for kind, category and
source; the project by its name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casework.accounts.models import Project, User
from casework.finance.choices import EURO, Category, FundingSource, Kind
from casework.finance.services import record_amount

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
REQUIRED = ("project", "kind", "period", "category", "amount")
OPTIONAL = ("currency", "rate", "rate_on", "source", "sustainable", "note")
TRUE = {"yes", "y", "true", "1", "x"}


class ImportRefused(ValueError):
    """The file as a whole cannot be read (not its rows: those are reported one by one)."""


@dataclass
class Row:
    number: int  # the line in the file (the header is line 1)
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read(name: str, content: bytes) -> list[Row]:
    """The rows of a CSV (UTF-8, comma or semicolon) or XLSX file, with their values as text."""
    if len(content) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 2 MB."))
    if not content.strip():
        raise ImportRefused(_("The file is empty."))
    lower = name.lower()
    if lower.endswith(".xlsx"):
        table = _xlsx(content)
    elif lower.endswith(".csv"):
        table = _csv(content)
    else:
        raise ImportRefused(_("Upload a .csv or .xlsx file."))
    if not table:
        raise ImportRefused(_("The file has no header row."))
    header = [str(cell or "").strip().lower().replace(" ", "_") for cell in table[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ImportRefused(
            _("The header row lacks %(columns)s.") % {"columns": ", ".join(missing)}
        )
    known = set(REQUIRED) | set(OPTIONAL)
    rows = []
    for i, cells in enumerate(table[1:], start=2):
        values = {
            column: _text(cells[j]) if j < len(cells) else ""
            for j, column in enumerate(header)
            if column in known
        }
        if any(values.values()):
            rows.append(Row(i, values))
    if not rows:
        raise ImportRefused(_("The file has a header but no rows."))
    if len(rows) > MAX_ROWS:
        raise ImportRefused(_("At most %(n)d rows at a time.") % {"n": MAX_ROWS})
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_("This CSV file is not UTF-8.")) from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count)  # the header's separator: comma, semicolon or tab
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRefused(_("This is not an XLSX workbook.")) from None
    sheet = book.worksheets[0]
    table = [list(row) for row in islice(sheet.iter_rows(values_only=True), MAX_ROWS + 2)]
    book.close()
    return table


def _choice(value: str, choices: Any, name: str, errors: list[str]) -> str:
    wanted = value.strip().lower()
    for code, label in choices.choices:
        if wanted in (str(code).lower(), str(label).lower()):
            return str(code)
    errors.append(
        _("%(name)s: “%(value)s” is not one of %(options)s.")
        % {"name": name, "value": value, "options": ", ".join(str(c) for c in choices.values)}
    )
    return ""


def check(user: User, organisation_id: int, rows: list[Row], *, store: bool) -> list[Row]:
    """Check every row as `record_amount` would, in file order (so two rows of one file
    that overlap are caught too). Without `store`, nothing is kept."""
    projects = {
        p.name.strip().lower(): p for p in Project.objects.filter(organisation_id=organisation_id)
    }
    with transaction.atomic():
        for row in rows:
            row.errors = []
            fields = _fields(row, projects)
            if row.errors:
                continue
            try:
                with transaction.atomic():
                    record_amount(user, **fields)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    row.errors += [f"{name}: {m}" if name != "__all__" else m for m in messages]
            except PermissionDenied:
                row.errors.append(_("You may not enter amounts for this project."))
        if not store:
            transaction.set_rollback(True)
    return rows


def _fields(row: Row, projects: dict[str, Project]) -> dict[str, Any]:
    values, errors = row.values, row.errors
    project = projects.get(values.get("project", "").strip().lower())
    if project is None:
        errors.append(
            _("project: no project of your organisation is called “%(name)s”.")
            % {"name": values.get("project", "")}
        )
    rate_on = None
    if values.get("rate_on"):
        try:
            rate_on = dt.date.fromisoformat(values["rate_on"][:10])
        except ValueError:
            errors.append(_("rate_on: write the date as 2025-06-30."))
    fields = {
        "project": project,
        "kind": _choice(values.get("kind", ""), Kind, "kind", errors),
        "period": values.get("period", ""),
        "category": _choice(values.get("category", ""), Category, "category", errors),
        "amount": values.get("amount", "").replace(",", ".") or "x",
        "currency": values.get("currency") or EURO,
        "rate": values.get("rate", "").replace(",", ".") or None,
        "rate_on": rate_on,
        "source": _choice(values.get("source") or "other", FundingSource, "source", errors),
        "sustainable": values.get("sustainable", "").strip().lower() in TRUE,
        "note": values.get("note", "")[:300],
    }
    return fields
