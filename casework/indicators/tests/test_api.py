from __future__ import annotations

from rest_framework.test import APIClient

from casework.accounts.models import User
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
    cohort_2020: World, release_scopes: None
) -> None:
    mine = values(cohort_2020.amina, "removal_rate", scope="organisation:alpha", period="2019")
    [total] = mine["cells"]
    assert (total["numerator"], total["denominator"], total["suppressed"]) == (3, 126, False)
    client = APIClient()
    client.force_authenticate(cohort_2020.bilal)
    theirs = client.get(
        "/api/v1/indicators/removal_rate/values/", {"scope": "organisation:alpha", "period": "2019"}
    )
    # Another organisation's figures: only as a release publishes them, and none yet.
    assert theirs.status_code == 404 and "No release" in theirs.json()["detail"]
    assert mine["release"] is None  # live
    client.force_authenticate(cohort_2020.otto)
    unreleased = client.get("/api/v1/indicators/removal_rate/values/", {"period": "2019"})
    assert unreleased.status_code == 404 and "No release" in unreleased.json()["detail"]
    from casework.core import releases

    release = releases.build(periods=["2019"])
    network = values(cohort_2020.otto, "removal_rate", scope="network", period="2019")
    assert network["release"]["number"] == release.number
    assert network["cells"][0] == {
        "group": None,
        "value": None,
        "numerator": None,
        "denominator": None,
        "low": None,
        "high": None,
        "suppressed": True,
        "reason": "primary",
    }
    # The evaluator, the coordinator and the organisation's own staff looking at the network
    # get the same release figures, never live ones.
    for user in (cohort_2020.eva, cohort_2020.nora, cohort_2020.amina):
        seen = values(user, "removal_rate", scope="network", period="2019")
        assert seen["release"]["number"] == release.number
        assert seen["cells"] == network["cells"]
    # Outside Alpha, its own tables come from the release too: as published, not live.
    alpha = values(cohort_2020.bilal, "removal_rate", scope="organisation:alpha", period="2019")
    assert alpha["release"]["number"] == release.number
    assert alpha["cells"][0]["suppressed"] and alpha["cells"][0]["numerator"] is None
    # Alpha is Belgium's only organisation: both tables are the same, published alike.
    alone = values(cohort_2020.otto, "beneficiaries", scope="organisation:alpha", period="2019")
    country = values(cohort_2020.otto, "beneficiaries", scope="country:BE", period="2019")
    assert alone["cells"] == country["cells"]
    assert country["cells"][0]["numerator"] == 126
    client.force_authenticate(cohort_2020.bilal)
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
