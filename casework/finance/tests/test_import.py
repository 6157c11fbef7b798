"""Importing budgets and spending from a file: a preview with every rejected row and why,
then exactly the accepted rows stored."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from casework.finance.models import Amount
from casework.testing.personas import World

HEADER = "project;kind;period;category;amount;currency;rate;rate_on;source;sustainable;note"


def csv_file(world: World, *rows: str) -> SimpleUploadedFile:
    text = "\n".join([HEADER, *rows]).replace("PROJECT", world.alpha_project.name)
    return SimpleUploadedFile("budget.csv", text.encode())


def test_a_preview_shows_every_rejected_row_and_stores_nothing_until_confirmed(
    world: World, client: Any
) -> None:
    client.force_login(world.sam)
    url = reverse("finance:amount-import")
    upload = csv_file(
        world,
        "PROJECT;spent;2025-Q1;staff;12500;EUR;;;eu;yes;Salaries",
        "PROJECT;spent;2025-Q1;staff;100;EUR;;;eu;;the same line again",  # overlaps line 2
        "Nowhere;spent;2025;legal;5;;;;;;",
        "PROJECT;spent;2025;transport;-3;;;;;;",
        "PROJECT;budget;2025;interpretation;400;BGN;;;;;",
        "PROJECT;budget;2025;Legal;1000;BGN;0,5113;2025-01-02;Private foundation;;",
    )
    preview = client.post(url, {"file": upload})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview: 2 of 6 rows can be imported" in page
    assert "overlaps" in page and "no project of your organisation is called" in page
    assert "never negative" in page and "what one unit was worth in euros" in page
    assert not Amount.objects.exists()
    token = page.split('name="rows" value="')[1].split('"')[0]
    done = client.post(url, {"rows": token})
    assert done.status_code == 302
    lines = list(Amount.objects.order_by("period", "category"))
    assert [(a.category, str(a.in_euros), a.sustainable) for a in lines] == [
        ("legal", "511.30", False),
        ("staff", "12500.00", True),
    ]
    # The preview token is the uploader's own, and cannot be tampered with.
    client.force_login(world.olga)
    assert client.post(url, {"rows": token}).status_code == 403
    assert client.post(url, {"rows": token + "x"}).status_code == 302
    assert Amount.objects.count() == 2


def test_an_xlsx_file_and_files_that_cannot_be_read(world: World, client: Any) -> None:
    client.force_login(world.olga)
    url = reverse("finance:amount-import")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Project", "Kind", "Period", "Category", "Amount"])
    sheet.append([world.alpha_project.name, "spent", 2025, "staff", 3650.5])
    data = io.BytesIO()
    book.save(data)
    xlsx = SimpleUploadedFile("budget.xlsx", data.getvalue())
    assert (
        "Preview: 1 of 1 row can be imported" in client.post(url, {"file": xlsx}).content.decode()
    )
    for name, content, message in (
        ("budget.xlsx", b"not a workbook", "not an XLSX workbook"),
        ("budget.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file"),
        ("budget.csv", b"", "The submitted file is empty"),
        ("budget.csv", b"project,kind\nA,spent", "The header row lacks period, category, amount"),
        ("budget.csv", b"\xff\xfe\x00x", "not UTF-8"),
    ):
        refused = client.post(url, {"file": SimpleUploadedFile(name, content)})
        assert refused.status_code == 400, name
        assert message in refused.content.decode(), name
    assert not Amount.objects.exists()
    client.force_login(world.amina)
    assert client.get(url).status_code == 403
