"""The MEL plan as data: its outcomes and indicators, midlines and endlines measured (never
typed), the six-month reflections that keep the figures of their day, the network dashboard's
network-building table against targets, the API, and the demo's plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from casework.core import releases
from casework.finance.tests.test_costs import enrol
from casework.indicators.dashboard import NETWORK_CODES
from casework.indicators.models import Outcome, PlanIndicator, Reflection, Target
from casework.indicators.registry import REGISTRY
from casework.indicators.services import (
    plan_records,
    progress,
    record_reflection,
    save_plan_indicator,
    set_target,
)
from casework.network import services
from casework.network.models import Risk
from casework.network.tests.test_indicators import LAST_YEAR, TODAY, built, on
from casework.testing.personas import World

__all__ = ["built"]  # the fixture

TWO_YEARS = f"{LAST_YEAR}-01-01..{TODAY.year}-12-31"
TEXTS = {"relevance": "Still relevant.", "progress": "Antwerp launched."}


def cities_target(world: World) -> Target:
    """The plan's two new cities in two years: midline last year, endline this year."""
    return set_target(
        world.nora,
        "new_pilot_cities",
        baseline_value=0,
        baseline_period=str(LAST_YEAR - 1),
        midline_period=str(LAST_YEAR),
        endline_period=str(TODAY.year),
        target_value=2,
        target_period=TWO_YEARS,
    )


@pytest.fixture
def released(built: World) -> World:
    """`built` (Antwerp launched last June) with a case, published in a release."""
    enrol(built, on(3))
    releases.build()
    return built


def row_of(records: list[dict[str, Any]], code: str) -> dict[str, Any]:
    return next(r for r in records if r["indicator"] == code)


def launch_madrid(world: World) -> None:
    madrid = services.save_expansion(
        world.nora, place_kind="city", country="ES", city="Madrid", on=TODAY
    )
    services.move(world.nora, madrid, stage="pilot_launched", on=TODAY)


def test_the_plan_holds_the_six_outcomes_of_the_mel_table(db: None) -> None:
    outcomes = list(Outcome.objects.order_by("position"))
    assert [o.position for o in outcomes] == [1, 2, 3, 4, 5, 6]
    assert outcomes[0].title == "Geographical expansion to more cities and countries"
    rows = PlanIndicator.objects.all()
    assert [outcome.indicators.count() for outcome in outcomes] == [3, 4, 1, 2, 5, 3]
    codes = {row.indicator for row in rows if row.indicator}
    assert codes <= set(REGISTRY), codes - set(REGISTRY)
    # Every network-building indicator of the registry is in the plan, but two that it does
    # not name (the members who answered, the network's joint activities).
    assert set(NETWORK_CODES) - {"network_feedback_responses", "joint_activities"} <= codes
    assert rows.filter(indicator="").count() == 2  # the two that the evaluations assess


def test_midline_and_endline_are_measured_over_their_periods(released: World) -> None:
    target = cities_target(released)
    measured = progress(target, released.otto)
    assert measured.midline is not None and measured.endline is not None
    assert (measured.midline.period, measured.midline.value, measured.midline.due) == (
        str(LAST_YEAR),
        Decimal(1),  # Antwerp, launched last June
        None,
    )
    assert measured.endline.value is None
    assert measured.endline.due == dt.date(TODAY.year, 12, 31)
    assert measured.current == 1 and measured.percent == 50
    # A launch this year moves the value now, never the midline.
    launch_madrid(released)
    releases.build()
    again = progress(target, released.otto)
    assert again.current == 2 and again.percent == 100
    assert again.midline is not None and again.midline.value == 1
    # The endline is measured once its year is over.
    after = progress(target, released.otto, today=dt.date(TODAY.year + 1, 1, 1))
    assert after.endline is not None and after.endline.value == 1 and after.endline.due is None


def test_a_target_takes_no_typed_midline_or_endline(released: World, client: Any) -> None:
    client.force_login(released.nora)
    response = client.post(
        "/evidence/targets/",
        {
            "indicator": "concept_notes",
            "baseline_value": "0",
            "baseline_period": str(LAST_YEAR - 1),
            "midline_value": "99",
            "midline_period": str(LAST_YEAR),
            "target_value": "4",
            "target_period": TWO_YEARS,
        },
    )
    assert response.status_code == 302
    page = client.get("/evidence/targets/").content.decode()
    assert "99" not in page
    row = page[page.index("Concept notes developed") :]
    assert f"2 <small>({LAST_YEAR})</small>" in row  # measured: last year's two notes


def test_the_plan_page_shows_baseline_midline_endline_target_now_and_progress(
    released: World, client: Any, django_assert_num_queries: Any
) -> None:
    cities_target(released)
    client.force_login(released.otto)  # an observer: the network's figures, released
    client.get("/evidence/")  # the session's first request notes when it was last seen
    with django_assert_num_queries(10):
        page = client.get("/evidence/mel/").content.decode()
    # The same queries whatever the number of targets: one release read for all of them.
    for code in ("concept_notes", "presentations", "beneficiaries"):
        set_target(
            released.nora,
            code,
            baseline_value=0,
            baseline_period=str(LAST_YEAR - 1),
            midline_period=str(LAST_YEAR),
            target_value=4,
            target_period=TWO_YEARS,
        )
    with django_assert_num_queries(10):
        client.get("/evidence/mel/")
    row = page[page.index("Number of new pilots set up in European cities") :]
    row = row[: row.index("</tr>")]
    assert f"0 <small>({LAST_YEAR - 1})</small>" in row
    assert f"1 <small>({LAST_YEAR})</small>" in row  # midline, measured
    assert f"due after {TODAY.year}-12-31" in row  # endline, to come
    assert f"2 <small>({TWO_YEARS})</small>" in row
    assert '<progress max="100" value="50">' in row
    assert "Change" not in page  # observers change nothing
    others = page[page.index("Number of new pilots set up in European countries") :]
    assert "No network target set yet." in others[: others.index("</tr>")]


def test_coordinators_write_what_the_evaluations_found_where_nothing_computes(
    world: World, client: Any
) -> None:
    typed = PlanIndicator.objects.get(wording__startswith="Development of a shared database")
    computed = PlanIndicator.objects.get(indicator="new_pilot_cities")
    for user in (world.olga, world.eva, world.otto):
        with pytest.raises(PermissionDenied):
            save_plan_indicator(user, typed, baseline="Spreadsheets")
    save_plan_indicator(world.nora, typed, baseline="Spreadsheets", target="One database")
    with pytest.raises(ValidationError) as refused:
        save_plan_indicator(world.nora, computed, midline="3")
    assert set(refused.value.message_dict) == {"midline"}
    computed.refresh_from_db()
    assert computed.midline == ""
    record = next(r for r in plan_records(world.amina) if r["id"] == str(typed.uid))
    assert record["baseline"] == {"value": "Spreadsheets", "period": None}
    assert record["target"]["value"] == "One database" and record["midline"]["value"] is None
    client.force_login(world.olga)
    assert client.get(f"/evidence/mel/{typed.uid}/").status_code == 403
    client.force_login(world.nora)
    form = {"wording": typed.wording, "indicator": "", "baseline": "None", "target": "All"}
    assert client.post(f"/evidence/mel/{typed.uid}/", form).status_code == 302
    typed.refresh_from_db()
    assert (typed.baseline, typed.target) == ("None", "All")
    bad = {"wording": computed.wording, "indicator": "new_pilot_cities", "endline": "5"}
    response = client.post(f"/evidence/mel/{computed.uid}/", bad)
    assert response.status_code == 400 and "This indicator is computed" in response.content.decode()


def test_a_reflection_keeps_the_figures_and_the_risks_of_its_day(
    released: World, client: Any
) -> None:
    w = released
    cities_target(w)
    risk = Risk.objects.first()
    assert risk is not None
    reflection = record_reflection(w.nora, held_on=TODAY, **TEXTS)
    assert reflection.release == releases.latest()
    kept = row_of(reflection.figures, "new_pilot_cities")
    assert kept["current"]["value"] == "1" and kept["midline"]["value"] == "1"
    assert kept["progress"] == 50
    assert {r["risk"] for r in reflection.risks} >= {risk.risk}
    # Later: Madrid launches, a new release, the risk is reviewed. The reflection reads the same.
    launch_madrid(w)
    releases.build()
    services.review_risk(w.nora, risk, on=TODAY, likelihood="high", impact="high", status="open")
    assert row_of(plan_records(w.nora), "new_pilot_cities")["current"]["value"] == "2"
    reflection.refresh_from_db()
    assert row_of(reflection.figures, "new_pilot_cities")["current"]["value"] == "1"
    assert all(r["likelihood"] == "" for r in reflection.risks)
    client.force_login(w.eva)  # an evaluator reads it
    page = client.get(f"/evidence/reflections/{reflection.uid}/").content.decode()
    row = page[page.index("Number of new pilots set up in European cities") :]
    assert '<progress max="100" value="50">' in row[: row.index("</tr>")]
    assert "Antwerp launched." in page
    # The next reflection is told that risks wait for review since this one.
    client.force_login(w.nora)
    listing = client.get("/evidence/reflections/").content.decode()
    assert "have not been reviewed since the last reflection" in listing


def test_who_records_reflections_and_when(world: World, client: Any) -> None:
    for user in (world.olga, world.eva, world.amina):
        with pytest.raises(PermissionDenied):
            record_reflection(user, held_on=TODAY, **TEXTS)
    with pytest.raises(ValidationError) as refused:
        record_reflection(world.nora, held_on=TODAY + dt.timedelta(days=1), **TEXTS)
    assert set(refused.value.message_dict) == {"held_on"}
    with pytest.raises(ValidationError) as empty:
        record_reflection(world.nora, held_on=TODAY, relevance="", progress="")
    assert set(empty.value.message_dict) == {"relevance", "progress"}
    assert not Reflection.objects.exists()
    # No release yet: the reflection keeps baselines, targets and findings only.
    cities_target(world)
    first = record_reflection(world.nora, held_on=TODAY, **TEXTS)
    assert first.release is None
    assert row_of(first.figures, "new_pilot_cities")["current"]["value"] is None
    client.force_login(world.otto)  # observers: aggregated figures only, not the reflections
    assert client.get("/evidence/reflections/").status_code == 403
    client.force_login(world.olga)  # a member's admin reads them, records none
    assert client.get(f"/evidence/reflections/{first.uid}/").status_code == 200
    form = {"kind": "reflection", "held_on": str(TODAY), **TEXTS}
    assert client.post("/evidence/reflections/", form).status_code == 403
    client.force_login(world.nora)
    response = client.post("/evidence/reflections/", form)
    assert response.status_code == 302 and Reflection.objects.count() == 2


def test_the_network_dashboard_measures_network_building_against_targets(
    released: World, client: Any
) -> None:
    cities_target(released)
    client.force_login(released.otto)
    page = client.get("/evidence/", {"scope": "network", "period": str(LAST_YEAR)})
    section = page.content.decode()
    section = section[section.index('id="building-h"') :]
    cities = section[section.index("New pilots in cities") :]
    cities = cities[: cities.index("</tr>")]
    assert f"0 <small>({LAST_YEAR - 1})</small>" in cities
    assert f"2 <small>({TWO_YEARS})</small>" in cities
    assert '<progress max="100" value="50">' in cities
    countries = section[section.index("New pilots in countries") :]
    assert "no target set" in countries[: countries.index("</tr>")]


def test_the_mel_api(released: World, client: Any) -> None:
    cities_target(released)
    client.force_login(released.otto)
    rows = client.get("/api/v1/mel/").json()
    assert len(rows) == PlanIndicator.objects.count()
    cities = row_of(rows, "new_pilot_cities")
    assert cities["midline"] == {"period": str(LAST_YEAR), "value": "1", "due": None}
    assert cities["current"]["value"] == "1" and cities["progress"] == 50
    assert client.get(f"/api/v1/mel/{cities['id']}/").json()["wording"] == cities["wording"]
    assert client.get("/api/v1/mel/reflections/").status_code == 403
    client.force_login(released.eva)
    body = {"held_on": str(TODAY), **TEXTS}
    api = "application/json"
    assert client.post("/api/v1/mel/reflections/", body, content_type=api).status_code == 403
    client.force_login(released.nora)
    made = client.post("/api/v1/mel/reflections/", body, content_type=api)
    assert made.status_code == 201, made.content
    assert made.json()["release"] == releases.latest().number  # type: ignore[union-attr]
    assert row_of(made.json()["figures"], "new_pilot_cities")["progress"] == 50
    future = client.post(
        "/api/v1/mel/reflections/",
        {**body, "held_on": str(TODAY + dt.timedelta(days=2))},
        content_type=api,
    )
    assert future.status_code == 400


def test_the_demo_sets_a_target_for_every_network_building_indicator(db: None) -> None:
    call_command("demo", "--cases", "120", stdout=StringIO())
    network = {t.indicator for t in Target.objects.filter(organisation__isnull=True)}
    assert set(NETWORK_CODES) <= network
    from casework.accounts.models import User

    coordinator = User.objects.get(username="coordinator")
    records = plan_records(coordinator)
    assert all(r["measured"] for r in records if r["computed"])
    typed = [r for r in records if not r["computed"]]
    assert len(typed) == 2 and all(r["baseline"]["value"] and r["target"]["value"] for r in typed)
    cities = row_of(records, "new_pilot_cities")
    assert cities["current"]["value"] is not None and cities["progress"] is not None
    reflection = Reflection.objects.get()
    assert reflection.release == releases.latest() and len(reflection.figures) == len(records)
