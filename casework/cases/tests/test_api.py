from __future__ import annotations

import datetime as dt
from functools import partial

from django.utils import timezone
from rest_framework.test import APIClient

from casework.audit.models import Action, AuditEntry
from casework.cases.models import Case
from casework.cases.tests.conftest import new_case
from casework.testing.personas import World
from casework.testing.queries import count_queries

TODAY = timezone.localdate()
IDENTITY = {
    "given_names": "Nadia",
    "family_name": "Haddad",
    "date_of_birth": "1992-07-14",
    "file_numbers": ["CY-555"],
}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_person_is_registered_found_and_read_with_identity(world: World) -> None:
    api = client_for(world.amina)
    created = api.post(
        "/api/v1/persons/", {"identity": IDENTITY, "gender": "female"}, format="json"
    )
    assert created.status_code == 201, created.json()
    code = created.json()["code"]
    again = api.post("/api/v1/persons/", {"identity": IDENTITY}, format="json")
    assert again.status_code == 409
    assert again.json()["duplicates"][0]["code"] == code
    listing = api.post("/api/v1/persons/search/", {"name": "haddad nadia"}, format="json").json()
    assert [p["code"] for p in listing["results"]] == [code]
    assert api.post("/api/v1/persons/search/", {}, format="json").status_code == 400
    assert "identity" not in listing["results"][0]  # lists never carry identity
    detail = api.get(f"/api/v1/persons/{code}/").json()
    assert detail["identity"]["family_name"] == "Haddad"
    assert (
        AuditEntry.objects.filter(
            action=Action.READ, object_type="people.identity", actor="amina"
        ).count()
        == 1
    )


def test_network_roles_and_other_organisations_get_no_person(world: World) -> None:
    code = (
        client_for(world.amina)
        .post("/api/v1/persons/", {"identity": IDENTITY}, format="json")
        .json()["code"]
    )
    for user in (world.nora, world.eva, world.otto):
        assert client_for(user).get("/api/v1/persons/").status_code == 403
        assert client_for(user).get(f"/api/v1/persons/{code}/").status_code == 403
    assert client_for(world.bilal).get(f"/api/v1/persons/{code}/").status_code == 404
    assert client_for(world.bilal).get("/api/v1/persons/").json()["count"] == 0


def test_a_case_goes_from_referral_to_resolution_through_the_api(world: World) -> None:
    api = client_for(world.amina)
    person = api.post("/api/v1/persons/", {"identity": IDENTITY}, format="json").json()["code"]
    start = TODAY - dt.timedelta(days=30)
    created = api.post(
        "/api/v1/cases/",
        {
            "person": person,
            "project": world.alpha_project.pk,
            "case_manager": "amina",
            "referral_date": start.isoformat(),
            "referral_source": "authority",
            "detention_status": "detained",
            "immigration_status": "asylum_refused",
            "vulnerabilities": ["child"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    code = created.json()["code"]
    url = f"/api/v1/cases/{code}"
    refused = api.post(f"{url}/transition/", {"to": "active"}, format="json")
    assert refused.status_code == 400
    assert "cannot move from Referral to Active" in refused.json()["detail"][0]
    ok = api.post(
        f"{url}/transition/",
        {"to": "screening", "on": start.isoformat(), "intake_date": start.isoformat()},
        format="json",
    )
    assert ok.json()["stage"] == "screening" and ok.json()["engagement"] == "engaged"
    contact = api.post(
        f"{url}/events/",
        {"kind": "contact", "on": TODAY.isoformat(), "mode": "phone"},
        format="json",
    )
    assert contact.status_code == 201
    assert contact.json()["results"][0]["summary"] == "Phone contact, attended"
    incomplete = api.post(f"{url}/close/", {"exit_reason": "resolved"}, format="json")
    assert "needs its resolution outcome" in incomplete.json()["detail"][0]
    closed = api.post(
        f"{url}/close/", {"exit_reason": "resolved", "resolution": "refugee_status"}, format="json"
    )
    assert closed.json()["stage"] == "closed" and closed.json()["resolution"] == "refugee_status"
    kinds = [e["kind"] for e in api.get(f"{url}/events/").json()["results"]]
    assert kinds == ["stage", "contact", "stage", "stage"]


def test_a_stale_version_is_a_conflict(world: World) -> None:
    case = new_case(world)
    api = client_for(world.amina)
    first = api.patch(
        f"/api/v1/cases/{case.code}/",
        {"referral_source": "self", "version": case.version},
        format="json",
    )
    assert first.status_code == 200 and first.json()["version"] == case.version + 1
    stale = api.patch(
        f"/api/v1/cases/{case.code}/",
        {"referral_source": "lawyer", "version": case.version},
        format="json",
    )
    assert stale.status_code == 409
    assert Case.objects.get(pk=case.pk).referral_source == "self"


def test_put_sends_the_whole_case_and_patch_a_part(world: World) -> None:
    """Found by the negative fuzz: PUT with an empty body was taken as a PATCH."""
    case = new_case(world)
    api = client_for(world.amina)
    url = f"/api/v1/cases/{case.code}/"
    empty = api.put(url, {}, format="json")
    assert empty.status_code == 400 and {"person", "project", "referral_date"} <= set(empty.json())
    whole = api.get(url).json()
    whole["referral_source"] = "lawyer"
    replaced = api.put(url, whole, format="json")
    assert replaced.status_code == 200 and replaced.json()["referral_source"] == "lawyer"
    moved = api.put(url, {**replaced.json(), "referral_date": "2020-01-01"}, format="json")
    assert moved.status_code == 400 and "cannot change" in str(moved.json())


def test_a_closure_waiting_for_approval_is_accepted_not_done(world: World) -> None:
    world.alpha.closure_needs_approval = True
    world.alpha.save()
    case = new_case(world)
    response = client_for(world.amina).post(
        f"/api/v1/cases/{case.code}/close/", {"exit_reason": "withdrew"}, format="json"
    )
    assert response.status_code == 202
    assert Case.objects.get(pk=case.pk).stage == "referral"


def test_case_list_filters_and_query_count(world: World) -> None:
    api = client_for(world.sam)
    new_case(world, vulnerabilities=["child"])
    new_case(world)
    api.get("/api/v1/cases/")  # warm-up: the principal is cached on the user
    assert api.get("/api/v1/cases/", {"vulnerability": "child"}).json()["count"] == 1
    before = count_queries(lambda: api.get("/api/v1/cases/"))
    for _ in range(10):
        new_case(world, vulnerabilities=["pregnancy"])
    assert count_queries(lambda: api.get("/api/v1/cases/")) == before
    assert api.get("/api/v1/cases/", {"stage": "bogus"}).status_code == 400


def test_the_schema_documents_the_case_endpoints(world: World) -> None:
    paths = (
        APIClient()
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()["paths"]
    )
    for path in (
        "/api/v1/persons/",
        "/api/v1/households/",
        "/api/v1/cases/",
        "/api/v1/cases/{code}/events/",
        "/api/v1/cases/{code}/transition/",
        "/api/v1/cases/{code}/close/",
    ):
        assert path in paths, path


def test_person_and_household_lists_do_not_query_per_row(world: World) -> None:
    from casework.people.identity import IdentityData
    from casework.people.services import add_household_member, register_person

    api = client_for(world.amina)
    head = register_person(world.alpha, IdentityData(given_names="Head"))
    add_household_member(head, IdentityData(given_names="Child"), relationship="child")
    for url in ("/api/v1/persons/", "/api/v1/households/"):
        api.get(url)  # warm-up: the principal is cached on the user
    before = [
        count_queries(partial(api.get, url)) for url in ("/api/v1/persons/", "/api/v1/households/")
    ]
    for n in range(8):
        other = register_person(world.alpha, IdentityData(given_names=f"Head {n}"))
        add_household_member(other, IdentityData(given_names=f"Child {n}"), relationship="child")
    after = [
        count_queries(partial(api.get, url)) for url in ("/api/v1/persons/", "/api/v1/households/")
    ]
    assert after == before
    assert api.get("/api/v1/households/").json()["count"] == 9


def test_patching_part_of_an_identity_keeps_the_rest(world: World) -> None:
    api = client_for(world.amina)
    code = api.post("/api/v1/persons/", {"identity": IDENTITY}, format="json").json()["code"]
    version = api.get(f"/api/v1/persons/{code}/").json()["version"]
    changed = api.patch(
        f"/api/v1/persons/{code}/",
        {"identity": {"phone": "+357 99 000000"}, "version": version},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    identity = changed.json()["identity"]
    assert identity["phone"] == "+357 99 000000"
    assert (identity["family_name"], identity["file_numbers"]) == ("Haddad", ["CY-555"])
    stale = api.patch(
        f"/api/v1/persons/{code}/", {"gender": "female", "version": version}, format="json"
    )
    assert stale.status_code == 409
    found = api.post("/api/v1/persons/search/", {"file_number": "cy555"}, format="json").json()
    assert [p["code"] for p in found["results"]] == [code]
