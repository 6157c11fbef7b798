"""Retention and time to resolution: Kaplan-Meier curves counted by the database."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from casework.cases.models import Case
from casework.cases.services import close_case
from casework.core import releases
from casework.indicators.compute import survival, survival_values
from casework.indicators.tests.conftest import END, START, enrol
from casework.testing.personas import World


def test_retention_and_resolution_of_the_2020_cohort(cohort_2020: World) -> None:
    cases = Case.objects.visible_to(cohort_2020.amina)
    [retention] = survival("retention", cases, START, END)
    assert (retention.cases, retention.events) == (126, 15)
    [drop] = [s for s in retention.steps if s.events]
    assert (drop.time, drop.at_risk, drop.events) == (90, 126, 15)
    assert retention.at(365)[0] == pytest.approx(111 / 126)
    [resolution] = survival("time_to_resolution", cases, START, END)
    assert (resolution.events, resolution.median) == (32, (None, None, None))
    [cell] = survival_values("retention", [retention])
    assert cell.rate is not None
    assert (cell.numerator, cell.denominator, round(cell.rate, 3)) == (15, 126, 0.881)


def test_the_median_time_to_resolution_censors_open_cases(world: World) -> None:
    for i in range(12):
        case = enrol(world, i)
        assert case.intake_date is not None
        if i < 8:  # resolved after 10, 20, ... 80 days
            close_case(
                case,
                exit_reason="resolved",
                resolution="humanitarian_permit",
                on=case.intake_date + dt.timedelta(days=10 * (i + 1)),
            )
    cases = Case.objects.visible_to(world.amina)
    [curve] = survival("time_to_resolution", cases, START, dt.date(2019, 6, 30))
    # 12 people: resolutions after 10, 20, ... 80 days; 4 open cases censored at 170-173.
    assert [s.at_risk for s in curve.steps if s.events] == [12, 11, 10, 9, 8, 7, 6, 5]
    assert curve.median[0] == 60  # S falls to 6/12 with the sixth resolution
    [cell] = survival_values("time_to_resolution", [curve])
    assert (cell.rate, cell.numerator, cell.denominator) == (60.0, 8, 12)
    # With the data cut at the end of February, five resolutions had happened: not yet half.
    cut = dt.date(2019, 2, 28)
    [early] = survival("time_to_resolution", cases, START, cut, cutoff=cut)
    assert (early.events, early.median[0]) == (5, None)


def test_curves_break_down_and_refuse_other_indicators(cohort_2020: World) -> None:
    cases = Case.objects.visible_to(cohort_2020.amina)
    [alpha] = survival("retention", cases, START, END, by="organisation")
    assert (alpha.group, alpha.cases) == ("alpha", 126)
    with pytest.raises(ValueError):
        survival("engagement_rate", cases, START, END)


def test_the_curve_api_is_exact_inside_and_coarse_outside(cohort_2020: World) -> None:
    client = APIClient()
    params = {"scope": "organisation:alpha", "period": "2019"}
    client.force_authenticate(cohort_2020.amina)
    inside = client.get("/api/v1/indicators/retention/curve/", params).json()
    [total] = inside["curves"]
    assert total["people"] == 126
    assert [(p["day"], p["at_risk"], p["events"]) for p in total["points"] if p["events"]] == [
        (90, 126, 15)
    ]
    releases.build(periods=["2019"])
    client.force_authenticate(cohort_2020.otto)
    params = {"scope": "network", "period": "2019"}
    outside = client.get("/api/v1/indicators/retention/curve/", params).json()
    latest = releases.latest()
    assert latest is not None
    assert outside["release"]["number"] == latest.number
    [total] = outside["curves"]
    assert total["people"] is None
    assert all("at_risk" not in p and "events" not in p for p in total["points"])
    assert all(p["day"] % 30 == 0 for p in total["points"])
    values = client.get("/api/v1/indicators/time_to_resolution/values/", params).json()
    assert values["cells"][0]["numerator"] == 32 and values["cells"][0]["value"] is None
    assert client.get("/api/v1/indicators/removal_rate/curve/", params).status_code == 400


def test_outside_the_organisation_curves_are_for_the_whole_scope_only(
    cohort_2020: World,
) -> None:
    client = APIClient()
    client.force_authenticate(cohort_2020.otto)
    by_country = client.get(
        "/api/v1/indicators/retention/curve/", {"period": "2019", "by": "country"}
    )
    assert by_country.status_code == 400
    [cell] = survival_values(
        "retention", survival("retention", Case.objects.all(), START, END, cutoff=END)
    )
    assert cell.rate is None  # nobody followed a year within 2019: not estimable


def test_staff_looking_at_the_network_get_the_release_curve(released_2020: World) -> None:
    client = APIClient()
    curves = []
    for user in (released_2020.amina, released_2020.otto):
        client.force_authenticate(user)
        params = {"scope": "network", "period": "2019"}
        curves.append(client.get("/api/v1/indicators/retention/curve/", params).json()["curves"])
    assert curves[0] == curves[1]  # the same release for everyone outside the live figures
