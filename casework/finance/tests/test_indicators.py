"""The cost indicators: live on the organisation's dashboard, from a release for the
network, in the API; a cost is withheld where the people behind it are."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casework.cases.services import open_case, transition
from casework.core import releases
from casework.core.models import Release
from casework.finance.models import DetentionCost
from casework.finance.services import record_amount
from casework.finance.tests.test_costs import enrol, line
from casework.people.identity import IdentityData
from casework.people.services import register_person
from casework.testing.personas import World

YEAR = dt.date(2025, 1, 1)
URL = "/evidence/"


def enrol_beta(world: World, people: int) -> None:
    for i in range(people):
        person = register_person(world.beta, IdentityData(given_names=f"B{i}"))
        case = open_case(
            world.beta_project,
            person,
            referral_date=YEAR,
            referral_source="ngo",
            detention_status="released_from_detention",
            immigration_status="return_order",
        )
        transition(case, "screening", on=YEAR, intake_date=YEAR)


def beta_line(world: World, amount: str) -> None:
    record_amount(
        world.beth,
        project=world.beta_project,
        kind="spent",
        period="2025",
        category="staff",
        amount=amount,
        source="foundation",
    )


@pytest.fixture
def pilots(world: World, settings: Any) -> World:
    """Alpha (Belgium) in 2025: six people enrolled all year, €7,300 of sustainable funding
    spent; Beta (Poland, no detention cost recorded): five people all year, €1,825."""
    settings.RELEASE_SCOPES = ["country", "organisation"]
    for _ in range(6):
        enrol(world, YEAR)
    line(world, amount="7300", sustainable=True)
    enrol_beta(world, 5)
    beta_line(world, "1825")
    return world


def cells(release: Release, scope: str) -> dict[str, Any]:
    return {
        f.table: f
        for f in release.figures.filter(period="2025", scope=scope, breakdown="")
        if f.table.startswith(("cost_", "saving_", "sustainable_"))
    }


def test_the_organisation_dashboard_shows_its_costs_live(pilots: World, client: Client) -> None:
    # Alpha: person-days = case-days = 6 x 365 = 2,190.
    # Per person per day: 7,300 ÷ 2,190 = 3.333 → €3.33.
    # Per case per month: 7,300 ÷ 2,190 x 30.4375 = 101.458 → €101.46.
    # Saving at Belgium's €180: 180 x 2,190 - 7,300 = 394,200 - 7,300 = €386,900.
    client.force_login(pilots.sam)
    page = client.get(URL, {"scope": "organisation", "period": "2025"}).content.decode()
    section = page[page.index('id="costs-h"') :]
    assert "€3.33" in section and "€101.46" in section
    assert "€386,900.00" in section
    assert "[€" not in section  # one detention cost for Belgium: no range to show
    assert "<strong>1</strong> <small>pilots</small>" in section


def test_a_release_publishes_each_scopes_costs(pilots: World) -> None:
    # The network: person-days 2,190 + 1,825 = 4,015; spending 7,300 + 1,825 = €9,125;
    # 9,125 ÷ 4,015 = 2.2727 → €2.27. Its saving is Belgium's only (Poland has no
    # detention cost): €386,900. Beta: 1,825 ÷ 1,825 = €1.00, and no saving.
    release = releases.build(periods=["2025"])
    network = cells(release, "network")
    assert network["cost_per_person_day"].value == pytest.approx(2.27)
    assert network["cost_per_person_day"].numerator == 11  # the people served behind it
    assert network["saving_against_detention"].value == pytest.approx(386900)
    assert network["sustainable_pilots"].value == 1
    alpha = cells(release, "organisation:alpha")
    assert alpha["cost_per_person_day"].value == pytest.approx(3.33)
    assert alpha["cost_per_case_month"].value == pytest.approx(101.46)
    beta = cells(release, "country:PL")
    assert beta["cost_per_person_day"].value == pytest.approx(1.0)
    assert beta["saving_against_detention"].value is None
    assert beta["sustainable_pilots"].value == 0


def test_a_cost_is_withheld_where_the_people_behind_it_are(world: World, settings: Any) -> None:
    settings.RELEASE_SCOPES = ["country", "organisation"]
    for _ in range(6):
        enrol(world, YEAR)
    line(world, amount="7300")
    enrol_beta(world, 1)  # one person: fewer than k
    beta_line(world, "365")
    release = releases.build(periods=["2025"])
    beta = cells(release, "organisation:beta")
    for table in ("cost_per_person_day", "cost_per_case_month", "saving_against_detention"):
        assert beta[table].suppressed and beta[table].value is None
        assert beta[table].numerator is None
    served = release.figures.get(
        period="2025", scope="organisation:beta", table="beneficiaries", breakdown=""
    )
    assert served.suppressed
    # Every published cost cell stands on a published count of people.
    for figure in release.figures.filter(table__startswith="cost_", suppressed=False):
        people = release.figures.get(
            period="2025", scope=figure.scope, table="beneficiaries", breakdown=""
        )
        assert not people.suppressed and people.numerator == figure.numerator


def test_a_coordinator_compares_the_network_from_the_release(pilots: World, client: Client) -> None:
    # An older, lower figure for Belgium: the saving's range runs from it to the latest.
    # At €120: 120 x 2,190 - 7,300 = €255,500; at €180: €386,900.
    DetentionCost.objects.create(country="BE", per_day="120", year=2010, source="Older")
    releases.build(periods=["2025"])
    client.force_login(pilots.nora)
    page = client.get(URL, {"scope": "network", "period": "2025"}).content.decode()
    section = page[page.index('id="costs-h"') :]
    assert "€2.27" in section  # the network
    assert "Belgium" in section and "€3.33" in section and "€180.00" in section
    assert section.count("[€255,500 \u2013 €386,900]") == 3  # network, Belgium, Alpha
    alpha = section[section.index("Alpha Association") :]
    assert alpha.index("€180.00") < alpha.index("</tr>")  # its country's detention cost
    assert "Poland" in section and "€1.00" in section
    assert 'class="atd"' in section and 'class="detention"' in section  # the chart


def test_a_caseworker_sees_costs_on_the_dashboard_without_the_finance_pages(
    pilots: World, client: Client
) -> None:
    client.force_login(pilots.amina)
    assert client.get("/finance/").status_code == 403
    page = client.get(URL, {"scope": "organisation", "period": "2025"}).content.decode()
    assert "€3.33" in page


def test_the_api_gives_the_costs_live_and_from_the_release(pilots: World) -> None:
    api = APIClient()
    api.force_authenticate(pilots.sam)
    own = api.get(
        "/api/v1/indicators/cost_per_person_day/values/",
        {"scope": "organisation", "period": "2025"},
    ).json()
    assert own["release"] is None and own["cells"][0]["value"] == pytest.approx(3.33)
    refused = api.get(
        "/api/v1/indicators/cost_per_person_day/values/",
        {"scope": "organisation", "period": "2025", "by": "gender"},
    )
    assert refused.status_code == 400 and "no breakdown" in refused.json()["by"][0]
    releases.build(periods=["2025"])
    api.force_authenticate(pilots.nora)
    network = api.get(
        "/api/v1/indicators/saving_against_detention/values/", {"period": "2025"}
    ).json()
    assert network["release"] is not None
    assert network["cells"][0]["value"] == pytest.approx(386900)
