from __future__ import annotations

import datetime as dt

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from casework.accounts.demo import create_demo_network
from casework.accounts.models import Organisation, User
from casework.core.disclosure import count_withheld, rate_withheld
from casework.indicators.registry import FAMILIES, REGISTRY
from casework.synthetic.generator import generate
from casework.testing.personas import World

K = 5


def values(user: User, code: str, **params: str) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/indicators/{code}/values/", params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_registry_lists_every_indicator_with_its_definition(world: World) -> None:
    client = APIClient()
    client.force_authenticate(world.otto)
    codes = {i["code"]: i for i in client.get("/api/v1/indicators/").json()}
    assert {"engagement_rate", "disengagement_rate", "removal_rate", "resolution_rate"} <= set(
        codes
    )
    assert codes["removal_rate"]["denominator"].startswith("cases enrolled")
    assert client.get("/api/v1/indicators/nonsense/").status_code == 404


def test_staff_see_their_organisation_exactly_and_others_only_suppressed(
    cohort_2020: World,
) -> None:
    mine = values(cohort_2020.amina, "removal_rate", scope="organisation:alpha", period="2019")
    [total] = mine["cells"]
    assert (total["numerator"], total["denominator"], total["suppressed"]) == (3, 126, False)
    client = APIClient()
    client.force_authenticate(cohort_2020.bilal)
    theirs = client.get(
        "/api/v1/indicators/removal_rate/values/", {"scope": "organisation:alpha", "period": "2019"}
    )
    assert theirs.status_code == 400  # another organisation's figures: the network only
    network = values(cohort_2020.otto, "removal_rate", scope="network", period="2019")
    assert network["cells"][0] == {
        "group": None,
        "value": None,
        "numerator": None,
        "denominator": None,
        "low": None,
        "high": None,
        "suppressed": True,
    }
    network = values(cohort_2020.otto, "engagement_rate", scope="network", period="2019")
    assert network["cells"][0]["numerator"] == 108 and network["threshold"] == K
    quarter = client.get("/api/v1/indicators/engagement_rate/values/", {"period": "2019-Q2"})
    assert quarter.status_code == 400 and "calendar years" in quarter.json()["period"][0]


def test_bad_parameters_are_explained(world: World) -> None:
    client = APIClient()
    client.force_authenticate(world.otto)
    url = "/api/v1/indicators/engagement_rate/values/"
    assert "2025-Q2" in client.get(url, {"period": "last year"}).json()["period"][0]
    assert client.get(url, {"period": "2025", "by": "nationality"}).status_code == 400
    assert client.get(url, {"period": "2025", "scope": "planet"}).status_code == 400
    assert client.get(url, {"period": "2025-13"}).status_code == 400


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cases=st.integers(min_value=15, max_value=90), seed=st.integers(min_value=1, max_value=10**6)
)
def test_an_observer_never_receives_a_cell_that_reveals_fewer_than_k_people(
    db: None, cases: int, seed: int
) -> None:
    savepoint = transaction.savepoint()  # each example starts from an empty database
    try:
        create_demo_network("observer-test-pw")
        generate(cases, seed, dt.date(2026, 6, 30), list(Organisation.objects.all()))
        observer = User.objects.get(username="observer")
        period = "2025"
        for code in REGISTRY:
            for by in ("country", "gender", "age_band", "vulnerability"):
                cells = values(observer, code, scope="network", period=period, by=by)["cells"]
                hidden = [c for c in cells if c["suppressed"]]
                for cell in cells:
                    if cell["suppressed"]:
                        continue
                    if cell["denominator"] is None:  # a count of people
                        assert not count_withheld(cell["numerator"], K), cell
                    else:
                        assert not rate_withheld(cell["numerator"], cell["denominator"], K), cell
                assert len(hidden) != 1, cells  # one hidden group = total minus the others
            family = ["resolution_rate", *FAMILIES["resolution_rate"]]
            by_code = {
                c: values(observer, c, scope="network", period=period, by=by)["cells"]
                for c in family
            }
            for group in {cell["group"] for cells in by_code.values() for cell in cells}:
                in_group = [c for cells in by_code.values() for c in cells if c["group"] == group]
                assert sum(c["suppressed"] for c in in_group) != 1, in_group  # parts add up
        staff = User.objects.get(username="caseworker.be")
        for code in ("removal_rate", "beneficiaries", "reporting_compliance", "retention"):
            for by in ("country", "gender"):
                network = values(staff, code, scope="network", period=period, by=by)["cells"]
                own = values(staff, code, scope="organisation:be", period=period, by=by)["cells"]
                mine = {cell["group"]: cell for cell in own}
                for cell in network:
                    known = mine.get(cell["group"])
                    if cell["suppressed"] or known is None or cell["denominator"] is None:
                        continue
                    others_n = cell["numerator"] - known["numerator"]
                    others_d = cell["denominator"] - known["denominator"]
                    if code != "reporting_compliance":  # events: checked on people instead
                        assert not rate_withheld(others_n, others_d, K), (cell, known)
        for code in ("retention", "time_to_resolution"):
            client = APIClient()
            client.force_authenticate(observer)
            curves = client.get(f"/api/v1/indicators/{code}/curve/", {"period": period}).json()[
                "curves"
            ]
            for curve in curves:
                assert curve["people"] is None
                for point in curve["points"]:
                    assert point["at_risk"] is None
                    assert point["events"] == 0 or point["events"] >= K, point
    finally:
        transaction.savepoint_rollback(savepoint)
