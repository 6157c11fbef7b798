"""What the assessments app holds on a person, for subject access and erasure
(casework.core.subjects): the forms filled in about them, with every answer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from casework.assessments.models import Submission
from casework.core.subjects import Record, Section, register


def submissions(person: Any) -> list[Record]:
    rows = Submission.objects.filter(case__person=person).select_related(
        "case", "form_version__form"
    )
    return [
        {
            "case": s.case.code,
            "form": s.form_version.form.title,
            "form_version": s.form_version.version,
            "status": s.get_status_display(),
            "submitted": s.submitted_at,
            "answers": s.answers,
        }
        for s in rows.order_by("pk")
    ]


def erase(person: Any) -> int:
    """Answers emptied; the typed rows derived from them (coded ratings, screenings) stay."""
    changed = 0
    for submission in Submission.objects.filter(case__person=person):
        if submission.answers:
            submission.answers = {}
            submission.save(update_fields=["answers", "updated_at"])
            changed += 1
    return changed


def register_sections() -> None:
    register(Section("submissions", _("Forms"), submissions, erase, order=80))
