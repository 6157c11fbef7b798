"""Export cells: formula-like text stays text in CSV and XLSX; numbers stay numbers."""

from __future__ import annotations

from openpyxl import Workbook

from casework.core.exports import csv_row, xlsx_row


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe() -> None:
    row = ["=1+1", "+1-2x", "-cmd|'/c calc'!A1", "@SUM(A1)", "\tx", "\rx", "plain", "a=b"]
    assert csv_row(row) == [
        "'=1+1",
        "'+1-2x",
        "'-cmd|'/c calc'!A1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "plain",
        "a=b",
    ]


def test_numbers_and_empty_cells_are_left_alone() -> None:
    assert csv_row(["-3", "+4.5", -3, 0.25, None, ""]) == ["-3", "+4.5", -3, 0.25, "", ""]


def test_xlsx_keeps_the_value_as_text_with_a_quote_prefix() -> None:
    sheet = Workbook().active
    xlsx_row(sheet, ['=HYPERLINK("http://x")', "@x", "-3", 7, "ok\x00"])
    cells = list(sheet[1])
    assert [c.value for c in cells] == ['=HYPERLINK("http://x")', "@x", "-3", 7, "ok"]
    assert cells[0].data_type == "s" and cells[0].quotePrefix
    assert cells[1].quotePrefix and not cells[2].quotePrefix and not cells[4].quotePrefix
