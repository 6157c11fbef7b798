"""The network-building indicators, counted by hand (their release, dashboard and targets:
casework/indicators/tests/test_network_building.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.network import services
from casework.network.indicators import counts
from casework.testing.personas import World

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


def on(month: int, day: int = 1, year: int = LAST_YEAR) -> dt.date:
    return dt.date(year, month, day)


@pytest.fixture
def built(world: World) -> World:
    """Last year: two concept notes (one with two members), a high-profile presentation by
    Alpha and Beta, a training with people with lived experience, an initiative led by
    them; the stakeholder 'Ombud' first speaks out in March. Antwerp: scoping in January,
    dialogue in March, pilot launched in June; Spain: scoping in May."""
    w = world
    ombud = services.save_stakeholder(
        w.nora,
        name="Ombud",
        kind="ombudsperson",
        country="BE",
        level="national",
        relationship="ally",
    )
    both = [w.alpha, w.beta]
    services.save_activity(
        w.nora, kind="concept_note", title="A", on=on(2), status="submitted", members=both
    )
    services.save_activity(w.nora, kind="concept_note", title="B", on=on(4), status="drafted")
    services.save_activity(
        w.nora, kind="presentation", title="C", on=on(5), high_profile=True, members=both
    )
    services.save_activity(w.nora, kind="training", title="D", on=on(6), lived_experience="with")
    services.save_activity(w.nora, kind="initiative", title="E", on=on(7), lived_experience="by")
    services.save_activity(w.nora, kind="initiative", title="F", on=on(8))  # not led by them
    services.save_activity(w.nora, kind="statement", title="G", on=on(3), stakeholders=[ombud])
    services.save_activity(w.nora, kind="statement", title="H", on=on(9), stakeholders=[ombud])
    antwerp = services.save_expansion(
        w.nora, place_kind="city", country="BE", city="Antwerp", on=on(1)
    )
    services.move(w.nora, antwerp, stage="dialogue", on=on(3))
    services.move(w.nora, antwerp, stage="pilot_launched", on=on(6))
    services.save_expansion(w.nora, place_kind="country", country="ES", on=on(5))
    return w


def test_each_indicator_counts_what_the_plan_says(built: World) -> None:
    found = counts(on(1), on(12, 31))
    assert found == {
        "new_pilot_cities": 1,  # Antwerp, launched in June
        "new_pilot_countries": 0,  # Spain is scoping
        "places_exploring": 1,  # Antwerp (Spain is only scoping)
        "new_stakeholders_engaged": 1,  # the Ombud's first statement, in March
        "concept_notes": 2,  # A and B, whatever their status; A counted once
        "approaches": 0,
        "joint_activities": 3,  # D, E and F (trainings and initiatives, whoever leads them)
        "presentations": 1,
        "high_profile_presentations": 1,
        "members_presenting": 2,  # Alpha and Beta in C
        "lived_experience_trainings": 1,  # D
        "lived_experience_initiatives": 1,  # E (F is not led by them)
        "network_feedback_score": None,  # nobody answered: no mean, not 0
        "network_feedback_responses": 0,
    }
    first_half = counts(on(1), on(2, 28))
    assert first_half["places_exploring"] == 0  # Antwerp was scoping until March
    assert first_half["new_stakeholders_engaged"] == 0
