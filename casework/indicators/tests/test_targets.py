"""People served, new groups, and progress against baselines and targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from casework.cases.models import Case
from casework.indicators.compute import counts
from casework.indicators.models import Target
from casework.indicators.services import progress, set_target
from casework.indicators.tests.conftest import END, START
from casework.testing.personas import World


def test_people_served_and_new_groups(cohort_2020: World) -> None:
    cases = Case.objects.visible_to(cohort_2020.amina)
    served = counts(["beneficiaries", "new_groups"], cases, START, END)
    assert [(v.numerator, v.denominator) for v in served["beneficiaries"]] == [(126, None)]
    assert served["new_groups"][0].numerator == 126  # nobody was served in 2018
    later = counts(
        ["beneficiaries", "new_groups"], cases, dt.date(2020, 1, 1), dt.date(2020, 12, 31)
    )
    # Still open in 2020: the 76 engaged and the 8 disengaged not closed; the cohort is known.
    assert later["beneficiaries"][0].numerator == 84
    assert later["new_groups"][0].numerator == 0


def test_progress_runs_from_the_baseline_to_the_target(released_2020: World) -> None:
    cohort_2020 = released_2020
    target = set_target(
        cohort_2020.olga,
        "engagement_rate",
        baseline_value=Decimal("80"),
        baseline_period="2018",
        target_value=Decimal("90"),
        target_period="2019",
    )
    assert target.organisation == cohort_2020.alpha
    measured = progress(target, cohort_2020.amina)
    assert measured.current == Decimal("85.71") and measured.percent == 57
    network = set_target(
        cohort_2020.nora,
        "beneficiaries",
        baseline_value=Decimal("100"),
        baseline_period="2018",
        target_value=Decimal("120"),
        target_period="2019",
    )
    assert network.organisation is None
    served = progress(network, cohort_2020.otto)
    assert served.change is not None
    assert served.percent == 100 and round(served.change, 2) == 0.26  # 126 served: +26%
    assert set(Target.objects.visible_to(cohort_2020.bilal)) == {network}


def test_who_may_set_targets_and_with_what(world: World) -> None:
    for user in (world.amina, world.otto, world.eva):
        with pytest.raises(PermissionDenied):
            set_target(user, "engagement_rate", baseline_value=1, baseline_period="2024",
                       target_value=2, target_period="2025")  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        set_target(world.olga, "engagement_rate", baseline_value=1, baseline_period="last year",
                   target_value=2, target_period="2025")  # fmt: skip
    assert "baseline_period" in refused.value.message_dict


def test_the_targets_page_and_the_dashboard_show_progress(
    cohort_2020: World, client: Client
) -> None:
    client.force_login(cohort_2020.olga)
    url = reverse("indicators:targets")
    bad = client.post(url, {"indicator": "engagement_rate", "baseline_value": "80",
                            "baseline_period": "soon", "target_value": "90",
                            "target_period": "2019"})  # fmt: skip
    assert bad.status_code == 400 and "2025-Q2" in bad.content.decode()
    saved = client.post(url, {"indicator": "engagement_rate", "baseline_value": "80",
                              "baseline_period": "2018", "target_value": "90",
                              "target_period": "2019", "note": "Plan 2019"})  # fmt: skip
    assert saved.status_code == 302
    page = client.get(url).content.decode()
    assert "85.71" in page and "57%" in page
    dashboard = client.get("/evidence/", {"period": "2019"}).content.decode()
    assert "Against targets" in dashboard and "57%" in dashboard
    assert "People served per year" not in dashboard  # no target for people served
    client.post(url, {"indicator": "beneficiaries", "baseline_value": "100",
                      "baseline_period": "2018", "target_value": "120",
                      "target_period": "2019"})  # fmt: skip
    dashboard = client.get("/evidence/", {"period": "2019"}).content.decode()
    assert "People served per year" in dashboard and "<title>2019: 126</title>" in dashboard
    client.force_login(cohort_2020.amina)
    assert client.post(url, {"indicator": "engagement_rate"}).status_code == 403


def test_new_groups_are_new_against_the_targets_baseline(cohort_2020: World) -> None:
    from casework.indicators.compute import baseline_period

    cases = Case.objects.visible_to(cohort_2020.amina)
    year_2020 = (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert counts(["new_groups"], cases, *year_2020)["new_groups"][0].numerator == 0
    set_target(
        cohort_2020.olga,
        "beneficiaries",
        baseline_value=Decimal("40"),
        baseline_period="2018",
        target_value=Decimal("48"),
        target_period="2020",
    )
    baseline = baseline_period(cohort_2020.alpha.pk)
    assert baseline == (dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    new = counts(["new_groups"], cases, *year_2020, baseline=baseline)["new_groups"]
    assert new[0].numerator == 84  # nobody was served in 2018: everyone is in a new group


def test_outside_an_organisation_targets_are_measured_over_whole_years_only(
    cohort_2020: World,
) -> None:
    quarter = set_target(
        cohort_2020.nora,
        "engagement_rate",
        baseline_value=Decimal("80"),
        baseline_period="2018",
        target_value=Decimal("90"),
        target_period="2019-Q1",
    )
    assert progress(quarter, cohort_2020.otto).current is None
    assert progress(quarter, cohort_2020.amina).current is None  # staff: outside the network
