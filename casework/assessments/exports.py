"""Downloads: a form as XLSForm, and submitted answers as CSV or XLSX with a codebook."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import Http404, HttpResponse
from django.utils.text import slugify

from casework.assessments.choices import SubmissionStatus
from casework.assessments.engine import STORED_TYPES
from casework.assessments.models import Form, FormVersion, Submission
from casework.assessments.xlsform import DEFAULT_LANGUAGE, write_xlsform
from casework.audit.models import Action
from casework.audit.services import record
from casework.core.exports import XLSX, csv_row, xlsx_row

FIXED = ["submission", "case", "form_version", "submitted_at"]


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsform_response(version: FormVersion) -> HttpResponse:
    name = f"{slugify(version.form.form_id) or 'form'}-v{slugify(version.version)}.xlsx"
    return _download(write_xlsform(version.definition), name, XLSX)


def columns_of(children: list[dict[str, Any]], repeat: str = "") -> Iterator[dict[str, Any]]:
    """Every question that stores an answer, in form order, with the repeat it is in."""
    for element in children:
        if element["type"] in ("group", "repeat"):
            inner = element["name"] if element["type"] == "repeat" else repeat
            yield from columns_of(element["children"], inner)
        elif element["type"] in STORED_TYPES and element.get("name"):
            yield {**element, "repeat": repeat}
            if element.get("or_other"):
                yield {"type": "text", "name": f"{element['name']}_other", "repeat": repeat}


def _label(element: dict[str, Any], language: str) -> str:
    labels = element.get("label") or {}
    return labels.get(language) or labels.get(DEFAULT_LANGUAGE) or next(iter(labels.values()), "")


def _values(answers: dict[str, Any], column: dict[str, Any]) -> str:
    """A column's answer; inside a repeat, every instance's answer joined by ' | '."""
    if not column["repeat"]:
        return str(answers.get(column["name"], ""))
    return " | ".join(_collect(answers, column["repeat"], column["name"]))


def _collect(scope: dict[str, Any], repeat: str, name: str) -> Iterator[str]:
    for key, value in scope.items():
        if isinstance(value, list):
            for instance in value:
                if key == repeat:
                    yield str(instance.get(name, ""))
                else:
                    yield from _collect(instance, repeat, name)


def table(form: Form, submissions: Iterable[Submission]) -> tuple[list[str], list[list[str]]]:
    """Columns from the newest version (older versions' extra questions are added)."""
    seen: dict[str, dict[str, Any]] = {}
    for version in form.versions.all():
        for column in columns_of(version.definition["children"]):
            seen.setdefault(column["name"], column)
    columns = list(seen.values())
    rows = [
        [
            str(s.uid),
            s.case.code,
            s.form_version.version,
            s.submitted_at.isoformat() if s.submitted_at else "",
            *(_values(s.answers, column) for column in columns),
        ]
        for s in submissions
    ]
    return [*FIXED, *(c["name"] for c in columns)], rows


def codebook(form: Form) -> list[list[str]]:
    """One row per question: name, type, label, and its choices as name=label."""
    version = form.current_version()
    if version is None:
        return []
    definition = version.definition
    language = definition["default_language"]
    rows = [["name", "type", "label", "repeat", "choices"]]
    for column in columns_of(definition["children"]):
        choices = definition["choices"].get(column.get("list_name", ""), [])
        rows.append(
            [
                column["name"],
                column["type"],
                _label(column, language),
                column["repeat"],
                "; ".join(f"{c['name']}={_label(c, language)}" for c in choices),
            ]
        )
    return rows


def submissions_response(form: Form, user: Any, fmt: str) -> HttpResponse:
    """The submitted answers to `form` that `user` may see, as CSV or XLSX (audited)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    submissions = (
        Submission.objects.visible_to(user)
        .filter(form_version__form=form, status=SubmissionStatus.SUBMITTED)
        .select_related("case", "form_version")
        .order_by("pk")
    )
    record(
        Action.EXPORT, object_type="assessments.submission", object_id=f"form:{form.pk}", user=user
    )
    header, rows = table(form, submissions)
    stem = f"{slugify(form.form_id) or 'form'}-submissions"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(csv_row(header))
        writer.writerows(csv_row(row) for row in rows)
        return _download(buffer.getvalue().encode("utf-8-sig"), f"{stem}.csv", "text/csv")
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "submissions"
        xlsx_row(sheet, header)
        for row in rows:
            xlsx_row(sheet, row)
        book = workbook.create_sheet("codebook")
        for row in codebook(form):
            xlsx_row(book, row)
        out = io.BytesIO()
        workbook.save(out)
        return _download(out.getvalue(), f"{stem}.xlsx", XLSX)
    raise Http404
