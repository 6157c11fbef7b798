"""The 2020 evaluation's cohort, built through the public services (DOMAIN.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.assessments.models import FormVersion
from casework.assessments.services import load_standard, submit
from casework.cases.models import Case
from casework.cases.services import close_case, open_case, record_engagement, transition
from casework.immigration.services import record_procedure_event
from casework.people.identity import IdentityData
from casework.people.services import register_person
from casework.testing.personas import World

START, END = dt.date(2019, 1, 1), dt.date(2019, 12, 31)


def enrol(world: World, i: int) -> Case:
    person = register_person(world.alpha, IdentityData(given_names=f"Person {i}"), birth_year=1990)
    intake = START + dt.timedelta(days=i)
    case = open_case(
        world.alpha_project,
        person,
        referral_date=intake,
        referral_source="ngo",
        detention_status="released_from_detention",
        immigration_status="return_order",
    )
    return transition(case, "screening", on=intake, intake_date=intake)


def rate(case: Case, form: FormVersion, on: dt.date, timepoint: str, scores: tuple) -> None:
    """Outcome ratings through the standard form, as a case manager fills it."""
    dimensions = ("informed_decision_making", "engagement_with_procedures", "wellbeing")
    answers = {"rating_date": on.isoformat(), "timepoint": timepoint, "basic_needs": "1"}
    answers |= {d: str(s) for d, s in zip(dimensions, scores, strict=True)}
    submit(case, form, answers, by=None)


@pytest.fixture
def cohort_2020(world: World) -> World:
    load_standard()
    ratings = FormVersion.objects.get(form__form_id="casework_outcome_ratings")
    for i in range(126):
        case = enrol(world, i)
        assert case.intake_date is not None
        later = case.intake_date + dt.timedelta(days=90)
        # 125 of 126 improved their informed decisions (99%), 121 their engagement with
        # procedures (96%), 100 their wellbeing; basic needs stay at 1 for everyone.
        rate(case, ratings, case.intake_date, "intake", (1, 1, 1))
        follow_up = (2 if i else 1, 2 if i >= 5 else 1, 2 if i < 100 else 1)
        rate(case, ratings, later - dt.timedelta(days=30), "follow_up", follow_up)
        if i < 32:  # resolved, closed while engaged
            close_case(case, exit_reason="resolved", resolution="humanitarian_permit", on=later)
        elif i < 47:  # 15 disengaged (some of them closed as such)
            record_engagement(case, "disengaged", on=later)
            if i % 2:
                close_case(case, exit_reason="disengaged", on=later + dt.timedelta(days=30))
        elif i < 50:  # 3 forcibly removed
            record_procedure_event(case, "detained", on=later)
            record_procedure_event(case, "removal", on=later + dt.timedelta(days=10))
            close_case(case, exit_reason="removed", on=later + dt.timedelta(days=10))
        # the other 76 stay engaged, open
    return world


@pytest.fixture
def released_2020(cohort_2020: World) -> World:
    """The 2020 cohort, published in a release (the only way it reaches the network)."""
    from casework.core import releases

    releases.build(periods=["2019"])
    return cohort_2020
