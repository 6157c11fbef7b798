"""The engine reproduces a published evaluation table (DOMAIN.md, 2020 evaluation).

126 people with irregular status: 86% stayed engaged, 12% disengaged or absconded, 2% were
forcibly removed; 25% reached case resolution; 99% improved their ability to take part in
informed decisions and 96% their ability to engage with procedures. The cohort is built
through the public
services a case manager uses, then the registry's indicators are computed from it.
"""

from __future__ import annotations

import pytest

from casework.cases.models import Case
from casework.indicators.compute import case_rates
from casework.indicators.tests.conftest import END, START
from casework.testing.personas import World

EXPECTED = {  # code: (numerator, rounded %, Wilson 95% low, high)
    "engagement_rate": (108, 86, 0.7855, 0.9077),
    "disengagement_rate": (15, 12, 0.0735, 0.1872),
    "removal_rate": (3, 2, 0.0081, 0.0677),
    "resolution_rate": (32, 25, 0.1860, 0.3365),
    "improved_informed_decisions": (125, 99, 0.9564, 0.9986),
    "improved_engagement_with_procedures": (121, 96, 0.9105, 0.9829),
}


def test_the_engine_returns_the_published_2020_figures(cohort_2020: World) -> None:
    cases = Case.objects.visible_to(cohort_2020.amina)
    for code, (n, percent, low, high) in EXPECTED.items():
        [value] = case_rates(code, cases, START, END)
        assert (value.numerator, value.denominator) == (n, 126), code
        assert value.rate is not None, code
        assert round(value.rate * 100) == percent, code
        assert (value.low, value.high) == pytest.approx((low, high), abs=1e-4), code


def test_outside_the_organisation_the_release_withholds_small_cells(
    released_2020: World,
) -> None:
    from casework.core import releases
    from casework.indicators.dashboard import release_values

    release = releases.covering("2019")
    assert release is not None
    shown = release_values(release, "2019", ["removal_rate", "engagement_rate"], None)
    [removal] = shown["removal_rate"]
    assert removal.suppressed and removal.numerator is None and removal.rate is None
    assert removal.reason == "primary"
    cases = Case.objects.visible_to(released_2020.amina)
    [inside] = case_rates("removal_rate", cases, START, END)
    assert inside.numerator == 3  # her own organisation's figure, live and exact


def test_rates_break_down_by_an_allowed_disaggregation_only(cohort_2020: World) -> None:
    cases = Case.objects.visible_to(cohort_2020.amina)
    by_org = case_rates("engagement_rate", cases, START, END, by="organisation")
    assert [(v.group, v.numerator, v.denominator) for v in by_org] == [("alpha", 108, 126)]
    with pytest.raises(ValueError):
        case_rates("engagement_rate", cases, START, END, by="nationality")
