"""Indicators beyond the status rates: outcome improvement, reporting compliance, and the
breakdowns by age band and vulnerability."""

from __future__ import annotations

import datetime as dt

from casework.assessments.models import FormVersion
from casework.assessments.services import load_standard
from casework.cases.models import Case
from casework.cases.services import set_vulnerabilities
from casework.immigration.services import record_appointment_outcome, schedule_appointment
from casework.indicators.compute import case_rates
from casework.indicators.tests.conftest import END, START, enrol, rate
from casework.testing.personas import World


def cells(code: str, cases, by: str | None = None) -> list[tuple]:
    return [(v.group, v.numerator, v.denominator) for v in case_rates(code, cases, START, END, by)]


def test_improvement_counts_people_rated_twice_by_the_period_end(world: World) -> None:
    load_standard()
    form = FormVersion.objects.get(form__form_id="casework_outcome_ratings")
    better, same, worse, once, late = (enrol(world, i) for i in range(5))
    for case, scores in ((better, (0, 1, 2)), (same, (2, 2, 2)), (worse, (3, 2, 1))):
        rate(case, form, dt.date(2019, 3, 1), "intake", (scores[0],) * 3)
        rate(case, form, dt.date(2019, 6, 1), "follow_up", (scores[1],) * 3)
        rate(case, form, dt.date(2019, 9, 1), "follow_up", (scores[2],) * 3)
    rate(once, form, dt.date(2019, 3, 1), "intake", (0, 0, 0))
    rate(late, form, dt.date(2019, 3, 1), "intake", (0, 0, 0))
    rate(late, form, dt.date(2020, 2, 1), "follow_up", (3, 3, 3))  # after the period
    cases = Case.objects.visible_to(world.amina)
    assert cells("improved_wellbeing", cases) == [(None, 1, 3)]
    # Up to June only the first two ratings count: "better" and "worse" both changed by 1.
    [june] = case_rates("improved_wellbeing", cases, START, dt.date(2019, 6, 30))
    assert (june.numerator, june.denominator) == (1, 3)
    assert cells("improved_basic_needs", cases) == [(None, 0, 3)]  # rated 1 every time


def test_reporting_compliance_counts_kept_appointments_in_the_period(world: World) -> None:
    case = enrol(world, 0)
    outcomes = ["attended", "attended", "missed", "cancelled", "attended"]
    for i, outcome in enumerate(outcomes):
        appointment = schedule_appointment(case, "reporting", on=dt.date(2019, 2, 1 + i))
        record_appointment_outcome(appointment, outcome)
    schedule_appointment(case, "reporting", on=dt.date(2019, 3, 1))  # outcome not yet known
    interview = schedule_appointment(case, "interview", on=dt.date(2019, 2, 10))
    record_appointment_outcome(interview, "missed")
    cases = Case.objects.visible_to(world.amina)
    assert cells("reporting_compliance", cases) == [(None, 3, 4)]
    assert cells("reporting_compliance", cases, by="country") == [("BE", 3, 4)]


def test_rates_break_down_by_age_band_at_intake_and_vulnerability(world: World) -> None:
    young, adult, unknown = (enrol(world, i) for i in range(3))
    young.person.birth_year = 2003  # 16 at intake in 2019
    young.person.save()
    adult.person.birth_year = 1989  # 30
    adult.person.save()
    unknown.person.birth_year = None
    unknown.person.age_band = "50-64"
    unknown.person.save()
    set_vulnerabilities(young, ["child", "torture_trauma"])
    cases = Case.objects.visible_to(world.amina)
    assert cells("engagement_rate", cases, by="age_band") == [
        ("0-17", 1, 1),
        ("25-34", 1, 1),
        ("50-64", 1, 1),
    ]
    assert cells("engagement_rate", cases, by="vulnerability") == [
        ("child", 1, 1),
        ("torture_trauma", 1, 1),
        ("none", 2, 2),  # no flag: listed last
    ]


def test_resolution_rates_by_outcome_type(cohort_2020: World) -> None:
    cases = Case.objects.visible_to(cohort_2020.amina)
    # The 32 resolutions of the cohort are humanitarian permits: a temporary outcome.
    assert cells("resolution_temporary_rate", cases) == [(None, 32, 126)]
    assert cells("resolution_permanent_rate", cases) == [(None, 0, 126)]
    assert cells("resolution_departure_rate", cases) == [(None, 0, 126)]


def test_every_breakdown_has_a_label_for_the_picker() -> None:
    from casework.indicators.registry import DISAGGREGATION_LABELS, DISAGGREGATIONS

    assert set(DISAGGREGATION_LABELS) == set(DISAGGREGATIONS)
