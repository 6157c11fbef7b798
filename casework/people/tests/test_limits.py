"""What one request may carry: the API holds to the person form's lengths, types and list
sizes (casework.core.limits), and no input builds a query that grows with it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from casework.core.limits import LIST_ITEMS, NAME_LENGTH, REQUEST_BODY_BYTES
from casework.people.forms import PersonForm
from casework.people.identity import IdentityData
from casework.people.models import Person
from casework.people.services import likely_duplicates, register_person
from casework.testing.personas import World
from casework.testing.queries import count_queries

IDENTITY = {"given_names": "Nadia", "family_name": "Haddad"}


@pytest.fixture
def api(world: World) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.amina)
    return client


@pytest.fixture
def person(world: World) -> Person:
    return register_person(world.alpha, IdentityData(given_names="Omar", family_name="Said"))


def errors(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    return response.json()


def test_languages_null_is_a_400_not_a_server_error(api: APIClient, person: Person) -> None:
    assert "languages" in errors(
        api.post("/api/v1/persons/", {"identity": IDENTITY, "languages": None}, format="json")
    )
    # the form field of the report, multipart as a browser or curl -F sends it: the API takes
    # JSON only, so it is refused before anything is read
    assert (
        api.post("/api/v1/persons/", {"languages": "null"}, format="multipart").status_code == 415
    )
    url = f"/api/v1/persons/{person.code}/"
    assert "languages" in errors(api.patch(url, {"languages": None}, format="json"))
    assert not Person.objects.exclude(pk=person.pk).exists()


def test_languages_are_a_bounded_list_of_language_codes(api: APIClient, person: Person) -> None:
    url = f"/api/v1/persons/{person.code}/"
    for bad in ({"any": "json"}, "fr", ["français"], ["x" * 5000], ["fr"] * (LIST_ITEMS + 1)):
        assert "languages" in errors(api.patch(url, {"languages": bad}, format="json")), bad
    ok = api.patch(url, {"languages": ["fr", "prs", "pt-br"]}, format="json")
    assert ok.status_code == 200 and ok.json()["languages"] == ["fr", "prs", "pt-br"]


def test_identity_fields_have_the_forms_lengths_and_list_sizes(
    api: APIClient, world: World
) -> None:
    too_long = {"given_names": "N" * (NAME_LENGTH + 1)}
    assert (
        "given_names"
        in errors(api.post("/api/v1/persons/", {"identity": too_long}, format="json"))["identity"]
    )
    for field, value in (
        ("aliases", [f"Alias {n}" for n in range(LIST_ITEMS + 1)]),
        ("aliases", ["A" * (NAME_LENGTH + 1)]),
        ("file_numbers", [f"F-{n}" for n in range(LIST_ITEMS + 1)]),
        ("file_numbers", ["F" * 61]),
        ("file_numbers", ["F" * 60] * 5),  # 5 of 60 joined by "; " is over the form's 300
        ("phone", "0" * 61),
        ("address", "A" * 501),
    ):
        body = {"identity": {**IDENTITY, field: value}}
        response = api.post("/api/v1/persons/", body, format="json")
        assert field in errors(response)["identity"], field
    assert not Person.objects.exists()
    assert "name" in errors(api.post("/api/v1/persons/search/", {"name": "N" * 201}, format="json"))


def test_a_body_over_the_cap_is_refused_unread(api: APIClient) -> None:
    name = "N" * REQUEST_BODY_BYTES
    response = api.post("/api/v1/persons/", {"identity": {"given_names": name}}, format="json")
    assert response.status_code == 413
    assert not Person.objects.exists()


def test_json_nested_too_deeply_is_a_400(api: APIClient) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = api.post("/api/v1/persons/", body, content_type="application/json")
    assert response.status_code == 400


def test_the_duplicate_check_is_one_query_of_fixed_size(world: World) -> None:
    """Formerly one OR term per file number: 1,000 made SQLite refuse the query."""
    numbers = [f"F-{n}" for n in range(2000)]
    data = IdentityData(given_names="Nadia", file_numbers=numbers)
    found: list[Any] = []
    assert count_queries(lambda: found.extend(likely_duplicates(world.alpha, data))) == 1
    assert found == []


def test_the_person_form_holds_to_the_same_limits(db: None) -> None:
    base = {"given_names": "Nadia", "gender": "female", "nationality": "SY"}
    for field, value in (
        ("languages", "fr, français"),
        ("languages", ", ".join(f"l{n:02d}"[:3] for n in range(LIST_ITEMS + 1))),
        ("aliases", "; ".join(f"Alias {n}" for n in range(LIST_ITEMS + 1))),
        ("file_numbers", "F" * 61),
        ("address", "A" * 501),
    ):
        form = PersonForm({**base, field: value})
        assert not form.is_valid() and field in form.errors, field
    form = PersonForm({**base, "languages": "FR, prs, fr", "aliases": "Nadia H.; N. Haddad"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["languages"] == ["fr", "prs"]
    assert form.identity().aliases == ["Nadia H.", "N. Haddad"]


def test_an_unknown_api_address_is_a_json_404(api: APIClient) -> None:
    response = api.get("/api/v1/cases/a.b/submissions/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": "Not found."}
