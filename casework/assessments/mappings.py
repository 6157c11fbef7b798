"""Declared mappings: how a standard form's answers become typed rows that indicators query.

Each mapping names the form (its `form_id`) and, for each typed column, the question that
fills it. The field names of the standard forms are therefore a contract (see
`standard/README.md`). Forms without a mapping (an organisation's own questionnaires, the
client summary) keep their answers in the submission only.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casework.assessments.choices import NeedDomain, OutcomeDimension
from casework.assessments.models import (
    NeedRating,
    OutcomeRating,
    Screening,
    ScreeningFlag,
    Submission,
)
from casework.cases.choices import Vulnerability

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mapping:
    form_id: str
    date_field: str
    write: Callable[[Submission, dict[str, Any], dt.date], None]
    produces: str


def _common(submission: Submission) -> dict[str, Any]:
    return {"organisation_id": submission.organisation_id, "case_id": submission.case_id}


def _outcome_ratings(submission: Submission, answers: dict[str, Any], on: dt.date) -> None:
    OutcomeRating.objects.bulk_create(
        OutcomeRating(
            **_common(submission),
            submission=submission,
            rated_on=on,
            timepoint=answers.get("timepoint", ""),
            dimension=dimension,
            score=int(answers[dimension]),
        )
        for dimension in OutcomeDimension.values
        if answers.get(dimension, "") in ("0", "1", "2", "3")
    )


def _screening(submission: Submission, answers: dict[str, Any], on: dt.date) -> None:
    screening = Screening.objects.create(
        **_common(submission),
        submission=submission,
        screened_on=on,
        risk_of_harm=answers.get("risk_of_harm", ""),
        intervention_level=answers.get("intervention_level", ""),
        placement=answers.get("placement_recommendation", ""),
    )
    ScreeningFlag.objects.bulk_create(
        ScreeningFlag(**_common(submission), submission=submission, screening=screening, domain=d)
        for d in answers.get("domains", "").split()
        if d in Vulnerability.values
    )


def _needs(submission: Submission, answers: dict[str, Any], on: dt.date) -> None:
    NeedRating.objects.bulk_create(
        NeedRating(
            **_common(submission),
            submission=submission,
            assessed_on=on,
            kind=answers.get("assessment_kind", ""),
            domain=domain,
            level=answers[f"{domain}_need"],
        )
        for domain in NeedDomain.values
        if answers.get(f"{domain}_need")
    )


MAPPINGS = {
    m.form_id: m
    for m in (
        Mapping("casework_outcome_ratings", "rating_date", _outcome_ratings, "outcome ratings"),
        Mapping("casework_vulnerability_screening", "screening_date", _screening, "screenings"),
        Mapping("casework_needs_assessment", "assessment_date", _needs, "need ratings"),
    )
}


def apply_mapping(submission: Submission) -> None:
    """Write the typed rows of a submitted standard form (network forms only: an
    organisation's own form with the same form_id maps nothing)."""
    form = submission.form_version.form
    mapping = MAPPINGS.get(form.form_id)
    if mapping is None or not form.is_standard:
        return
    answers = submission.answers
    try:
        on = dt.date.fromisoformat(answers.get(mapping.date_field, ""))
    except ValueError:
        # A later version of the form without its date: the submission stands, unmapped.
        logger.warning("Submission %s of %s has no %s: not mapped.", submission.pk,
                       form.form_id, mapping.date_field)  # fmt: skip
        return
    mapping.write(submission, answers, on)
