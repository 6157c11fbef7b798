"""Cells for downloads: what a spreadsheet would run as a formula stays text.

A project name, a form answer or a user name such as `=HYPERLINK("http://x")` or `@SUM(…)`
becomes a live formula when a CSV or XLSX file is opened in a spreadsheet (CSV or formula
injection). Every export writes its cells through these functions: in CSV a cell starting
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe (OWASP's
advice), unless it is a plain number such as `-3`; in XLSX the value stays exactly as
stored, written as a text cell that the spreadsheet also treats as text when edited
("quote prefix").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _number(value)


def csv_cell(value: Any) -> Any:
    """A CSV cell: None as empty, formula-like text behind an apostrophe."""
    if value is None:
        return ""
    return f"'{value}" if _formula_like(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]


def xlsx_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl sheet: formula-like text stays text, and characters a
    workbook cannot hold are dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cells = [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]
    sheet.append(cells)
    for cell in sheet[sheet.max_row]:
        if _formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def table_download(
    name: str,
    fmt: str,
    note: str,
    header: list[str],
    lines: Iterable[Iterable[Any]],
    sheet_title: str = "table",
) -> HttpResponse:
    """A table as a CSV (UTF-8 with a byte-order mark, for spreadsheets) or XLSX download
    named `name`.<fmt>: a line saying what it is, the header, then the lines."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(csv_row([note]))
        writer.writerow(csv_row(header))
        writer.writerows(csv_row(line) for line in lines)
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = sheet_title
        xlsx_row(sheet, [note])
        xlsx_row(sheet, header)
        for line in lines:
            xlsx_row(sheet, line)
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(out.getvalue(), content_type=XLSX)
    else:
        raise ValueError(f"No download format {fmt!r}.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
