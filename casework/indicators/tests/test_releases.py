"""Releases: what leaves an organisation, checked as an attacker would check it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from casework.accounts.demo import create_demo_network
from casework.accounts.models import Organisation, User
from casework.cases.models import Case
from casework.cases.services import close_case, open_case, record_engagement, transition
from casework.core import releases
from casework.core.models import ImmutableError, Job, Release, ReleaseFigure
from casework.core.periods import parse_period
from casework.core.publication import Universe, _Model
from casework.indicators.compute import members
from casework.indicators.registry import REGISTRY
from casework.people.identity import IdentityData
from casework.people.services import register_person
from casework.synthetic.generator import generate
from casework.testing.personas import World

K = 5
# The worker closes its database connection between jobs, as it must in production; on
# PostgreSQL that would end a test's transaction, so tests that run it commit for real.
runs_the_worker = pytest.mark.django_db(transaction=True)
RESOLUTIONS = {"permanent": "refugee_status", "temporary": "humanitarian_permit"}


def enrol_2025(world: World, i: int, project=None) -> Case:
    project = project or world.alpha_project
    person = register_person(
        project.organisation, IdentityData(given_names=f"P {i}"), birth_year=1990
    )
    on = dt.date(2025, 1, 1) + dt.timedelta(days=i % 200)
    case = open_case(
        project,
        person,
        referral_date=on,
        referral_source="ngo",
        detention_status="released_from_detention",
        immigration_status="return_order",
    )
    return transition(case, "screening", on=on, intake_date=on)


def totals(user: User, codes: list[str], period: str) -> dict[str, dict]:
    client = APIClient()
    client.force_authenticate(user)
    out = {}
    for code in codes:
        response = client.get(f"/api/v1/indicators/{code}/values/", {"period": period})
        assert response.status_code == 200, response.json()
        out[code] = next(c for c in response.json()["cells"] if c["group"] is None)
    return out


def test_the_permanent_outcomes_cannot_be_worked_out_by_subtraction(world: World) -> None:
    """The leak found on the demo: time to resolution's 17 resolved, minus 8 temporary and 5
    departures, gave the 4 permanent outcomes that the rates withheld."""
    cases = [enrol_2025(world, i) for i in range(86)]
    kinds = ["permanent"] * 4 + ["temporary"] * 8 + ["departure"] * 5
    for case, kind in zip(cases, kinds, strict=False):
        assert case.intake_date is not None
        resolution = RESOLUTIONS.get(kind, "assisted_voluntary_return")
        close_case(
            case,
            exit_reason="resolved",
            resolution=resolution,
            on=case.intake_date + dt.timedelta(days=60),
        )
    releases.build(periods=["2025"])
    codes = [
        "resolution_rate",
        "resolution_permanent_rate",
        "resolution_temporary_rate",
        "resolution_departure_rate",
        "time_to_resolution",
    ]
    shown = totals(world.otto, codes, "2025")
    assert shown["resolution_permanent_rate"]["suppressed"]
    parts_known = not (
        shown["resolution_temporary_rate"]["suppressed"]
        or shown["resolution_departure_rate"]["suppressed"]
    )
    resolved_known = not (
        shown["resolution_rate"]["suppressed"] and shown["time_to_resolution"]["suppressed"]
    )
    assert not (parts_known and resolved_known), shown


def test_computing_a_release_takes_as_many_queries_for_many_cases_as_for_few(
    world: World,
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            releases.prepare("2025", dt.date(2026, 6, 30), K)
        return len(captured)

    for i in range(6):
        enrol_2025(world, i, world.beta_project if i % 2 else None)
    few = queries()
    for i in range(6, 30):
        enrol_2025(world, i, world.beta_project if i % 2 else None)
    assert queries() == few


def test_a_release_is_numbered_immutable_and_frozen_per_period(world: World) -> None:
    for i in range(12):
        enrol_2025(world, i)
    first = releases.build(periods=["2025"])
    assert first.number == f"{first.built_at:%Y-%m}" and first.covers("2025")
    assert first.audit["2025"]["passed"]
    with pytest.raises(ImmutableError):
        first.save()
    with pytest.raises(releases.NothingToRelease):
        releases.build(periods=["2025"])
    enrol_2025(world, 99)  # a late entry changes nothing already published
    second = releases.build(periods=["2024", "2025"])
    assert second.number == f"{first.number}.2"
    assert second.changes == {
        "previous": first.number,
        "new_periods": ["2024"],
        "carried_periods": ["2025"],
    }
    frozen = lambda r: list(  # noqa: E731
        r.figures.filter(period="2025").values_list("table", "breakdown", "group", "numerator")
    )
    assert frozen(first) == frozen(second)
    assert Release.objects.count() == 2


@runs_the_worker
def test_the_release_pages_and_api(
    world: World, client, django_capture_on_commit_callbacks, release_scopes: None
) -> None:
    cases = [enrol_2025(world, i) for i in range(30)]
    for case in cases[:2]:  # two disengaged: too few to show
        assert case.intake_date is not None
        record_engagement(case, "disengaged", on=case.intake_date + dt.timedelta(days=20))
    client.force_login(world.otto)
    assert "No release has been published yet" in client.get("/evidence/releases/").content.decode()
    assert client.post("/evidence/releases/").status_code == 403  # observers do not build
    client.force_login(world.nora)  # the coordinator
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/evidence/releases/")
    job_page = response["Location"]
    assert response.status_code == 302 and job_page.startswith("/jobs/")
    assert "Waiting for the worker" in client.get(job_page).content.decode()
    assert "being built" in client.get("/evidence/releases/").content.decode()
    again = client.post("/evidence/releases/")  # a second click follows the same job
    assert again["Location"] == job_page and not Release.objects.exists()
    client.force_login(world.otto)
    assert client.get(job_page).status_code == 403  # an observer does not follow builds
    call_command("worker", "--batch", verbosity=0)
    client.force_login(world.nora)
    release = Release.objects.get()
    followed = client.get(job_page).content.decode()
    assert "Done" in followed and f"/evidence/releases/{release.number}/" in followed
    page = client.get(f"/evidence/releases/{release.number}/").content.decode()
    assert release.title in page and "passed" in page
    job = Job.objects.get()
    assert (job.status, job.done, job.total, job.result["release"]) == (
        "done",
        job.total,
        job.total,
        release.number,
    )
    nothing = client.post("/evidence/releases/", follow=True).content.decode()
    assert "Nothing new to publish" in nothing and Job.objects.count() == 1
    api = APIClient()
    api.force_authenticate(world.eva)
    listed = api.get("/api/v1/releases/").json()
    assert [r["number"] for r in listed] == [release.number]
    detail = api.get(f"/api/v1/releases/{release.number}/").json()
    assert detail["audit"]["2025"]["passed"]
    assert {f["indicator"] for f in detail["figures"]} >= {"engagement_rate", "beneficiaries"}
    withheld = [f for f in detail["figures"] if f["suppressed"]]
    assert withheld and all(f["numerator"] is None and f["reason"] for f in withheld)
    dashboard = client.get("/evidence/", {"period": "2025"}).content.decode()
    assert release.title in dashboard and "withheld" in dashboard and "&lt;5" not in dashboard
    assert 'value="country:BE"' in dashboard and 'value="organisation:alpha"' in dashboard
    assert "scope=country%3ABE" in page  # the release page links each scope's tables
    belgium = client.get("/evidence/", {"scope": "country:BE", "period": "2025"})
    assert belgium.status_code == 200 and "Evidence — Belgium" in belgium.content.decode()
    nowhere = client.get("/evidence/", {"scope": "country:FR", "period": "2025"})
    assert (
        nowhere.status_code == 400 and "No organisation of the network" in nowhere.content.decode()
    )


def test_a_country_and_an_organisation_are_broken_down_by_their_parts_by_default(
    world: World, client
) -> None:
    """Each country's and organisation's tables are released by default, in total and by
    their parts; by gender they are not (that is the network's), and readers are told so."""
    for i in range(30):
        enrol_2025(world, i)
    release = releases.build(periods=["2025"])
    tables = set(release.figures.filter(period="2025").values_list("scope", "breakdown"))
    assert {b for s, b in tables if s == "country:BE"} == {
        "",
        "organisation",
        "project",
        "target_cohort",
    }
    assert {b for s, b in tables if s == "organisation:alpha"} == {"", "project", "target_cohort"}
    assert {b for s, b in tables if s == "network"} >= {"gender", "vulnerability", "country"}
    assert release.breakdowns("2025", "organisation:alpha") == ["project", "target_cohort"]
    api = APIClient()
    api.force_authenticate(world.otto)
    url = "/api/v1/indicators/engagement_rate/values/"
    by_project = api.get(url, {"scope": "organisation:alpha", "period": "2025", "by": "project"})
    assert by_project.status_code == 200
    assert {c["group"] for c in by_project.json()["cells"]} == {world.alpha_project.name, None}
    by_gender = api.get(url, {"scope": "organisation:alpha", "period": "2025", "by": "gender"})
    assert by_gender.status_code == 404
    assert "in total and by project, target cohort, not by gender" in by_gender.json()["detail"]
    client.force_login(world.otto)
    page = client.get("/evidence/", {"scope": "country:BE", "period": "2025", "by": "gender"})
    assert "not by gender" in page.content.decode()


def test_quarters_are_a_breakdown_of_the_year_audited_with_it(world: World, settings) -> None:
    """Where the network asks for quarters, a year's release breaks every figure down by
    quarter of intake. The quarters add up to the year, so a small quarter is not shown
    beside the year and the other quarters; without the setting, no quarter is published."""
    for i in range(40):
        enrol_2025(world, i)  # intake in the first quarter
    for i in range(95, 98):
        enrol_2025(world, i)  # three in the second
    settings.RELEASE_QUARTERS = True
    releases.build(periods=["2025"])
    api = APIClient()
    api.force_authenticate(world.otto)
    url = "/api/v1/indicators/engagement_rate/values/"
    response = api.get(url, {"period": "2025", "by": "quarter"})
    assert response.status_code == 200, response.json()
    cells = {c["group"]: c for c in response.json()["cells"]}
    assert set(cells) == {None, "2025-Q1", "2025-Q2"}
    assert cells["2025-Q2"]["suppressed"]
    assert cells["2025-Q1"]["suppressed"] or cells[None]["suppressed"], cells
    # Inside the organisation, its staff see their own quarters live and exact.
    api.force_authenticate(world.amina)
    own = api.get(url, {"period": "2025", "by": "quarter", "scope": "organisation:alpha"})
    assert own.status_code == 200, own.json()
    assert {c["group"]: c["denominator"] for c in own.json()["cells"]} == {
        None: 43,
        "2025-Q1": 40,
        "2025-Q2": 3,
    }


def test_without_the_setting_no_quarter_is_published_and_readers_are_told_how(
    world: World,
) -> None:
    for i in range(30):
        enrol_2025(world, i)
    releases.build(periods=["2025"])
    api = APIClient()
    api.force_authenticate(world.otto)
    url = "/api/v1/indicators/engagement_rate/values/"
    refused = api.get(url, {"period": "2025", "by": "quarter"})
    assert refused.status_code == 404
    assert "quarters are published only where the network asks" in refused.json()["detail"]
    asked = api.get(url, {"period": "2025-Q2"})
    assert asked.status_code == 400 and "by quarter of intake" in str(asked.json())


# The property: rebuild every published figure from the cases behind it (through
# `compute.members`, not through the release's own atoms), and ask the exact audit, for the
# staff of each organisation, how far each withheld count could be from anything else.
ORACLE_BREAKDOWNS = [None, "organisation", "gender", "vulnerability", "age_band", "quarter"]


def _oracle(release: Release, period: str) -> list[tuple]:
    start, end = parse_period(period)
    cutoff = release.cutoff.date()
    cases = Case.objects.all()
    # One unit per case, and one per person for the counts of people (a person's unit comes
    # after every case's); each known to the staff of its organisation.
    rows = list(Case.objects.values_list("pk", "person_id", "organisation__slug"))
    columns = {pk: i for i, (pk, _person, _org) in enumerate(rows)}
    people: dict[int, int] = {}
    owners = [frozenset({org}) for _pk, _person, org in rows]
    for _pk, person, org in rows:
        if person not in people:
            people[person] = len(owners)
            owners.append(frozenset({org}))
    universe = Universe("units", tuple(1 for _ in owners), tuple(owners))
    owner = {pk: org for pk, _person, org in rows}

    def scoped(scope: str) -> QuerySet:
        """The cases of a release scope: the network, a country or an organisation."""
        kind, _sep, group = scope.partition(":")
        lookup = {"country": "organisation__country", "organisation": "organisation__slug"}
        return cases.filter(**{lookup[kind]: group}) if group else cases

    def form(code: str, part: str, by: str | None, group: str | None, scope: str) -> frozenset[int]:
        ids = members(code, scoped(scope), start, end, part=part, by=by, group=group, cutoff=cutoff)
        if REGISTRY[code].kind in ("count", "cost"):  # a cost stands on the people served
            return frozenset(people[p] for p in ids.values_list("person_id", flat=True))
        return frozenset(columns[pk] for pk in ids.values_list("pk", flat=True))

    published: list[frozenset[int]] = []
    exposed: list[tuple[ReleaseFigure, frozenset[int]]] = []
    withheld: list[tuple[ReleaseFigure, frozenset[int], frozenset[int] | None]] = []
    figures = release.figures.filter(period=period).exclude(
        # events; projects; places, documents and events of network building
        table__in=[
            "reporting_compliance",
            "sustainable_pilots",
            *(code for code, i in REGISTRY.items() if i.kind == "network"),
        ]
    )
    for figure in figures:
        if (figure.breakdown or None) not in ORACLE_BREAKDOWNS:
            continue
        by, group = figure.breakdown or None, figure.group or None
        n = form(figure.table, "numerator", by, group, figure.scope)
        if REGISTRY[figure.table].kind in ("count", "cost"):
            if figure.suppressed:
                withheld.append((figure, n, None))
            else:
                assert len(n) == figure.numerator, figure
                published.append(n)
                exposed.append((figure, n))
            continue
        d = form(figure.table, "denominator", by, group, figure.scope)
        if figure.suppressed:
            withheld.append((figure, n, d))
        else:
            assert (len(n), len(d)) == (figure.numerator, figure.denominator), figure
            published += [n, d]
            exposed += [(figure, n), (figure, d - n), (figure, d)]
    public = set(published)  # a count some published cell shows is no secret
    targets = []
    for figure, counted, of in withheld:
        # Where the denominator is public, d - n is known exactly when n is: n is checked.
        forms = [counted] if of is None or of in public else [counted, of, of - counted]
        targets += [(figure, f) for f in forms if f and f not in public]
    model = _Model(universe, list(dict.fromkeys(published)))
    narrow: list[tuple[str, str | None, int | None, int | None]] = []
    for figure, shown in exposed:  # a published count, or what it leaves out, seen by each
        for viewer in [None, *sorted(set(owner.values()))]:
            others = len(shown) if viewer is None else universe.others(shown, viewer)
            if 0 < others < K:
                narrow.append((str(figure), viewer, others, others))
    for org in sorted(set(owner.values())):
        for figure, target in targets:
            if universe.others(target, org) == 0:
                continue
            check = model.check(target, org, K)
            if check.width < K:
                narrow.append((str(figure), org, check.low, check.high))
    return narrow


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a failure is shown unshrunk
)
@given(
    cases=st.integers(min_value=150, max_value=400),
    seed=st.integers(min_value=1, max_value=10**6),
)
def test_no_withheld_count_below_k_can_be_worked_out_from_a_release(
    db: None, release_scopes: None, cases: int, seed: int
) -> None:
    savepoint = transaction.savepoint()  # each example starts from an empty database
    try:
        create_demo_network("observer-test-pw")
        pilots = list(Organisation.objects.order_by("slug")[:3])  # a few, larger pilots
        generate(cases, seed, dt.date(2026, 6, 30), pilots)
        release = releases.build(periods=["2025"])
        assert _oracle(release, "2025") == []
    finally:
        transaction.savepoint_rollback(savepoint)


@runs_the_worker
def test_a_failed_build_says_so_without_its_data(
    world: World, client, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    def broken(**kwargs: object) -> Release:
        raise ValueError("a message that might quote data")

    monkeypatch.setattr(releases, "build", broken)
    enrol_2025(world, 0)
    client.force_login(world.nora)
    with django_capture_on_commit_callbacks(execute=True):
        job_page = client.post("/evidence/releases/")["Location"]
    call_command("worker", "--batch", verbosity=0)
    job = Job.objects.get()
    assert job.status == "failed" and job.error == "Unexpected error (ValueError)."
    page = client.get(job_page).content.decode()
    assert "Unexpected error (ValueError)" in page and "might quote" not in page


@runs_the_worker
def test_a_release_is_built_through_the_api_and_followed(
    world: World, django_capture_on_commit_callbacks
) -> None:
    for i in range(8):
        enrol_2025(world, i)
    api = APIClient()
    api.force_authenticate(world.otto)
    assert api.post("/api/v1/releases/").status_code == 403  # observers read, not build
    api.force_authenticate(world.nora)
    with django_capture_on_commit_callbacks(execute=True):
        queued = api.post("/api/v1/releases/")
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    job_url = f"/api/v1/jobs/{queued.json()['id']}/"
    call_command("worker", "--batch", verbosity=0)
    done = api.get(job_url).json()
    release = Release.objects.get()
    assert (done["status"], done["percent"], done["result"]["release"]) == (
        "done",
        100,
        release.number,
    )
    again = api.post("/api/v1/releases/")
    assert again.status_code == 409 and "Nothing new" in again.json()["detail"]
    api.force_authenticate(world.eva)
    assert api.get(job_url).status_code == 403
    assert api.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404
