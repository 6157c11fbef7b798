"""Submitting forms on cases: validation, drafts, versions, the timeline and typed rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F, OuterRef, Subquery

from casework.assessments.choices import NeedDomain
from casework.assessments.models import (
    Form,
    NeedRating,
    OutcomeRating,
    Screening,
    Submission,
)
from casework.assessments.services import (
    InvalidAnswers,
    import_form,
    save_draft,
    submit,
)
from casework.assessments.tests.conftest import md
from casework.audit.models import AuditEntry
from casework.cases.choices import EventKind
from casework.cases.models import Case
from casework.cases.services import CaseRuleError, close_case, transition
from casework.cases.tests.conftest import REFERRED
from casework.core.conflicts import StaleVersionError
from casework.testing.personas import World

RATINGS = ("informed_decision_making", "engagement_with_procedures", "wellbeing", "basic_needs")


def ratings(on: dt.date, timepoint: str, scores: tuple[int, int, int, int]) -> dict[str, str]:
    return {"rating_date": on.isoformat(), "timepoint": timepoint} | {
        name: str(score) for name, score in zip(RATINGS, scores, strict=True)
    }


def test_outcome_ratings_at_intake_and_follow_up_become_comparable_rows(
    standard: dict[str, Form], case: Case, world: World
) -> None:
    version = standard["casework_outcome_ratings"].current_version()
    assert version is not None
    submit(case, version, ratings(REFERRED, "intake", (1, 0, 2, 1)), by=world.amina)
    submit(
        case,
        version,
        ratings(REFERRED + dt.timedelta(days=90), "follow_up", (3, 2, 2, 1)),
        by=world.amina,
    )
    rows = OutcomeRating.objects.filter(case=case)
    assert rows.count() == 8
    first = rows.filter(dimension=OuterRef("dimension")).order_by("rated_on", "pk")
    latest = rows.filter(dimension=OuterRef("dimension")).order_by("-rated_on", "-pk")
    improved = (
        rows.filter(timepoint="intake")
        .annotate(
            first=Subquery(first.values("score")[:1]), latest=Subquery(latest.values("score")[:1])
        )
        .filter(latest__gt=F("first"))
        .values_list("dimension", flat=True)
    )
    assert sorted(improved) == ["engagement_with_procedures", "informed_decision_making"]


def test_a_screening_becomes_a_screening_with_its_flags(
    standard: dict[str, Form], case: Case, world: World
) -> None:
    version = standard["casework_vulnerability_screening"].current_version()
    assert version is not None
    answers = {
        "screening_date": REFERRED.isoformat(),
        "domains": "child torture_trauma",
        "child_age": "16",
        "risk_of_harm": "medium",
        "intervention_level": "high",
        "placement_recommendation": "community_with_case_management",
    }
    submission = submit(case, version, answers, by=world.amina)
    screening = Screening.objects.get(submission=submission)
    assert (screening.intervention_level, screening.screened_on) == ("high", REFERRED)
    assert sorted(screening.flags.values_list("domain", flat=True)) == ["child", "torture_trauma"]
    assert submission.answers["flag_count"] == "2"


def test_a_needs_assessment_becomes_one_row_per_domain(
    standard: dict[str, Form], case: Case, world: World
) -> None:
    version = standard["casework_needs_assessment"].current_version()
    assert version is not None
    domains = NeedDomain.values
    answers = {"assessment_date": REFERRED.isoformat(), "assessment_kind": "initial"}
    answers |= {f"{d}_need": "low" for d in domains} | {
        "housing_need": "high",
        "housing_notes": "Evicted",
    }
    submit(case, version, answers, by=world.amina)
    rows = NeedRating.objects.filter(case=case)
    assert rows.count() == 9
    assert rows.get(domain="housing").level == "high"


def test_answers_that_break_the_rules_store_nothing(
    standard: dict[str, Form], case: Case, world: World
) -> None:
    version = standard["casework_vulnerability_screening"].current_version()
    assert version is not None
    with pytest.raises(InvalidAnswers) as invalid:
        submit(case, version, {"domains": "child", "child_age": "25"}, by=world.amina)
    rules = {(p.field, p.rule) for p in invalid.value.problems}
    assert ("child_age", "constraint") in rules
    assert ("intervention_level", "required") in rules
    assert not Submission.objects.exists()
    assert not case.events.filter(kind=EventKind.SUBMISSION).exists()


def test_a_submission_is_on_the_timeline_and_in_the_audit_log(
    standard: dict[str, Form], case: Case, world: World
) -> None:
    version = standard["casework_outcome_ratings"].current_version()
    assert version is not None
    submission = submit(case, version, ratings(REFERRED, "intake", (1, 1, 1, 1)), by=world.amina)
    event = case.events.get(kind=EventKind.SUBMISSION)
    assert event.source_id == submission.pk
    assert event.summary == "Form submitted: Outcome ratings (version 2026.1)"
    assert AuditEntry.objects.filter(
        object_type="assessments.submission", object_id=str(submission.uid), action="create"
    ).exists()


def test_a_draft_keeps_unfinished_answers_and_is_submitted_later(
    standard: dict[str, Form], case: Case, world: World
) -> None:
    version = standard["casework_outcome_ratings"].current_version()
    assert version is not None
    draft = save_draft(case, version, {"wellbeing": "2"}, by=world.amina)
    assert draft.is_draft and draft.answers == {"wellbeing": "2"}
    assert not OutcomeRating.objects.exists()
    save_draft(
        case, version, {"wellbeing": "3"}, by=world.amina, submission=draft, expected_version=1
    )
    with pytest.raises(StaleVersionError, match="Someone else saved"):
        save_draft(
            case, version, {"wellbeing": "1"}, by=world.amina, submission=draft, expected_version=1
        )
    with pytest.raises(InvalidAnswers):
        submit(case, version, {"wellbeing": "3"}, by=world.amina, submission=draft)
    submit(
        case, version, ratings(REFERRED, "intake", (0, 0, 3, 0)), by=world.amina, submission=draft
    )
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.submitted_by == world.amina
    with pytest.raises(CaseRuleError, match="already submitted"):
        save_draft(case, version, {}, by=world.amina, submission=draft)


def test_a_new_form_version_does_not_touch_old_submissions(case: Case, world: World) -> None:
    v1 = import_form(md(FORM_V1), "f.md", by=world.olga)
    old = submit(case, v1, {"score": "3"}, by=world.amina)
    v2 = import_form(
        md(FORM_V1.replace("| 1 |", "| 2 |").replace(". <= 3", ". <= 5")), "f.md", by=world.olga
    )
    new = submit(case, v2, {"score": "5"}, by=world.amina)
    old.refresh_from_db()
    assert (old.form_version, old.answers["score"]) == (v1, "3")
    assert new.form_version == v2
    with pytest.raises(InvalidAnswers):
        submit(case, v1, {"score": "5"}, by=world.amina)  # v1's rule still holds for v1


def test_a_closed_case_takes_no_form(standard: dict[str, Form], case: Case, world: World) -> None:
    case = transition(case, "screening", on=REFERRED, intake_date=REFERRED)
    case = close_case(case, exit_reason="withdrew", on=REFERRED)
    version = standard["casework_outcome_ratings"].current_version()
    assert version is not None
    with pytest.raises(CaseRuleError, match="closed"):
        submit(case, version, ratings(REFERRED, "intake", (1, 1, 1, 1)), by=world.amina)


def test_an_organisations_own_form_with_a_standard_id_maps_nothing(
    case: Case, world: World
) -> None:
    text = FORM_V1.replace("| own_form |", "| casework_outcome_ratings |")
    version = import_form(md(text), "f.md", by=world.olga)
    submit(case, version, {"score": "1"}, by=world.amina)
    assert not OutcomeRating.objects.exists()


FORM_V1 = """
| survey |
|        | type    | name  | label | constraint |
|        | integer | score | Score | . <= 3     |
| settings |
|          | form_id  | version |
|          | own_form | 1 |
"""
