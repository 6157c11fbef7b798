"""The accounts API: tokens, `me` and organisations."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.test import APIClient

from casework.accounts.models import Organisation
from casework.audit.models import Action, AuditEntry
from casework.testing.personas import PASSWORD, World
from casework.testing.queries import count_queries


def token_for(client: APIClient, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_a_token_from_username_and_password_opens_the_api(
    world: World, api_client: APIClient
) -> None:
    response = token_for(api_client, "amina")
    assert response.status_code == 200
    token = response.json()["token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/").json()
    assert me["username"] == "amina"
    assert AuditEntry.objects.filter(action=Action.TOKEN_ISSUED, actor="amina").exists()
    assert token_for(APIClient(), "amina").json()["token"] != token  # a new token each time


def test_wrong_credentials_get_no_token_and_are_audited(
    world: World, api_client: APIClient
) -> None:
    response = token_for(api_client, "amina", "wrong")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert AuditEntry.objects.filter(action=Action.LOGIN_FAILED).count() == 1


def test_a_bad_token_is_refused(world: World, api_client: APIClient) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api_client.get("/api/v1/me/").status_code == 401


def test_me_lists_memberships_roles_and_the_active_one(world: World, api_client: APIClient) -> None:
    api_client.force_authenticate(world.mia)
    me = api_client.get("/api/v1/me/").json()
    roles = {(m["organisation"]["slug"], m["role"], m["active"]) for m in me["memberships"]}
    assert roles == {("alpha", "caseworker", True), ("beta", "org_admin", False)}
    admin = next(m for m in me["memberships"] if m["role"] == "org_admin")
    assert "audit.view" in admin["capabilities"]
    assert admin["scope"] == "organisation"


def test_organisations_are_scoped(world: World, api_client: APIClient) -> None:
    api_client.force_authenticate(world.amina)
    own = api_client.get("/api/v1/organisations/").json()
    assert [o["slug"] for o in own["results"]] == ["alpha"]
    assert api_client.get("/api/v1/organisations/beta/").status_code == 404
    assert api_client.get("/api/v1/organisations/nowhere/").status_code == 404
    api_client.force_authenticate(world.eva)
    network = api_client.get("/api/v1/organisations/").json()
    assert {o["slug"] for o in network["results"]} == {"alpha", "beta"}
    assert api_client.get("/api/v1/organisations/alpha/").json()["country"] == "BE"


def test_the_organisation_list_does_not_query_per_row(world: World, api_client: APIClient) -> None:
    api_client.force_authenticate(world.eva)
    api_client.get("/api/v1/organisations/")  # warm-up: the principal is cached on the user
    before = count_queries(lambda: api_client.get("/api/v1/organisations/"))
    for i in range(10):
        Organisation.objects.create(slug=f"org{i}", name=f"Org {i}", country="IT")
    assert count_queries(lambda: api_client.get("/api/v1/organisations/")) == before
