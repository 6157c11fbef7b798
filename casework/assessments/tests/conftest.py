from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from casework.assessments.models import Form
from casework.assessments.services import load_standard
from casework.cases.models import Case
from casework.cases.tests.conftest import new_case
from casework.testing.personas import World

FIXTURES = Path(__file__).parent / "fixtures"
PUBLIC = FIXTURES / "public"


def md(text: str) -> bytes:
    """A Markdown-table XLSForm (pyxform reads these as it reads spreadsheets)."""
    return text.strip().encode()


def public_manifest() -> list[dict[str, Any]]:
    return json.loads((PUBLIC / "manifest.json").read_text())


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def standard(db: None) -> dict[str, Form]:
    load_standard()
    return {form.form_id: form for form in Form.objects.all()}


@pytest.fixture
def case(world: World) -> Case:
    return new_case(world)


@pytest.fixture
def beta_case(world: World) -> Case:
    return new_case(world, "beta")
