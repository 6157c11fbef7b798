"""The finance API: the same rules as the pages."""

from __future__ import annotations

import datetime as dt

from rest_framework.test import APIClient

from casework.finance.models import Amount
from casework.finance.tests.test_costs import enrol, line
from casework.testing.personas import World


def client_of(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_budgets_are_entered_listed_and_withdrawn(world: World) -> None:
    api = client_of(world.sam)
    body = {
        "project": world.alpha_project.pk,
        "kind": "spent",
        "period": "2025-Q1",
        "category": "legal",
        "amount": "900.00",
        "source": "eu",
    }
    created = api.post("/api/v1/budgets/", body)
    assert created.status_code == 201, created.json()
    assert created.json()["in_euros"] == "900.00" and created.json()["starts_on"] == "2025-01-01"
    again = api.post("/api/v1/budgets/", body)
    assert again.status_code == 400 and "overlaps" in str(again.json()["period"])
    negative = api.post("/api/v1/budgets/", {**body, "period": "2025-Q2", "amount": "-1"})
    assert negative.status_code == 400
    assert Amount.objects.count() == 1
    assert [
        r["period"] for r in api.get("/api/v1/budgets/", {"period": "2025"}).json()["results"]
    ] == ["2025-Q1"]
    assert api.get("/api/v1/budgets/", {"period": "2024"}).json()["count"] == 0
    uid = created.json()["id"]
    withdrawn = api.post(f"/api/v1/budgets/{uid}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    # Beta's staff do not see Alpha's lines, nor may they enter one for Alpha's project.
    beta = client_of(world.boris)
    assert beta.get(f"/api/v1/budgets/{uid}/").status_code == 404
    assert beta.post("/api/v1/budgets/", body).status_code == 400


def test_costs_give_the_hand_computed_figures(world: World) -> None:
    enrol(world, dt.date(2025, 1, 1))
    line(world)  # €3,650 over 365 person-days: €10.00
    response = client_of(world.olga).get("/api/v1/costs/", {"period": "2025"})
    assert response.status_code == 200, response.json()
    project = response.json()["projects"][0]
    assert (project["per_person_day"], project["saving"]) == ("10.00", "62050.00")
    assert "person-days" in response.json()["method"]
    assert client_of(world.amina).get("/api/v1/costs/").status_code == 403
    assert client_of(world.olga).get("/api/v1/costs/", {"period": "soon"}).status_code == 400


def test_detention_costs_are_read_by_all_and_kept_by_coordinators(world: World) -> None:
    listed = client_of(world.otto).get("/api/v1/detention-costs/").json()["results"]
    assert {c["country"] for c in listed} == {"AT", "BE", "GB"}
    body = {"country": "pl", "per_day": "75.00", "year": 2024, "source": "A report"}
    assert client_of(world.otto).post("/api/v1/detention-costs/", body).status_code == 403
    created = client_of(world.nora).post("/api/v1/detention-costs/", body)
    assert created.status_code == 201 and created.json()["country"] == "PL"


def test_a_line_is_corrected_through_the_api(world: World) -> None:
    old = line(world)
    api = APIClient()
    api.force_authenticate(world.sam)
    url = f"/api/v1/budgets/{old.uid}/correct/"
    body = {
        "project": world.alpha_project.pk,
        "kind": "spent",
        "period": "2025",
        "category": "staff",
        "amount": "3900",
        "source": "foundation",
    }
    refused = api.post(url, {**body, "period": "2099"}, format="json")
    assert refused.status_code == 400 and "once the period has begun" in str(refused.json())
    old.refresh_from_db()
    assert old.withdrawn_at is None
    corrected = api.post(url, body, format="json")
    assert corrected.status_code == 201 and corrected.json()["amount"] == "3900.00"
    old.refresh_from_db()
    assert old.withdrawn_at is not None
