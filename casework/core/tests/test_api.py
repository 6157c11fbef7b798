"""The API's base classes, apart from any app's endpoints."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.test import APIClient

from casework.core.api.errors import api_error, exception_handler
from casework.core.api.permissions import CapabilityPermission
from casework.core.conflicts import StaleVersionError
from casework.core.roles import Capability
from casework.testing.personas import World


def allowed(user: object, capabilities: object, action: str | None = None) -> bool:
    request = SimpleNamespace(user=user)
    view = SimpleNamespace(capabilities=capabilities, action=action)
    return CapabilityPermission().has_permission(request, view)  # type: ignore[arg-type]


def test_the_permission_refuses_anonymous_callers(db: None) -> None:
    assert not allowed(AnonymousUser(), ())


def test_the_permission_asks_for_every_capability_of_the_view(world: World) -> None:
    assert allowed(world.amina, (Capability.CASES_WORK,))
    assert not allowed(world.amina, (Capability.CASES_WORK, Capability.AUDIT_VIEW))
    assert not allowed(world.nadia, (Capability.CASES_WORK,))  # logged in, with no role


def test_the_permission_reads_capabilities_by_action_with_a_default(world: World) -> None:
    by_action = {"create": (Capability.AUDIT_VIEW,), "*": (Capability.CASES_WORK,)}
    assert allowed(world.amina, by_action, "list")
    assert not allowed(world.amina, by_action, "create")
    assert allowed(world.olga, by_action, "create")


def test_a_field_error_stays_by_field_and_a_rule_goes_under_detail() -> None:
    assert api_error(DjangoValidationError({"on": ["Too late."]})).detail == {"on": ["Too late."]}
    assert api_error(DjangoValidationError("Closed.")).detail == {"detail": ["Closed."]}


def test_the_handler_answers_a_stale_version_409_and_a_refusal_400(db: None) -> None:
    stale = exception_handler(StaleVersionError("Changed meanwhile."), {})
    assert stale is not None
    assert (stale.status_code, stale.data) == (409, {"detail": ["Changed meanwhile."]})
    refused = exception_handler(DjangoValidationError({"on": ["Too late."]}), {})
    assert refused is not None
    assert (refused.status_code, refused.data) == (400, {"on": ["Too late."]})
    assert exception_handler(KeyError("bug"), {}) is None  # anything else stays a 500


def test_pages_are_whole_numbers_and_nothing_else(world: World) -> None:
    """DRF read `page=last` as the last page and ignored a `page_size` it could not read."""
    api = APIClient()
    api.force_authenticate(world.olga)
    url = "/api/v1/organisations/"
    assert api.get(url, {"page": "1", "page_size": "2"}).status_code == 200
    for query in ({"page": "last"}, {"page": "٣"}, {"page": "0"}, {"page": ""}, {"page_size": "x"}):
        response = api.get(url, query)
        assert response.status_code == 400, query
        assert list(response.json()) == list(query), response.json()
    assert api.get(url, {"page": "99"}).status_code == 404


def test_bodies_are_json_only_except_uploads(world: World) -> None:
    api = APIClient()
    api.force_authenticate(world.amina)
    refused = api.post("/api/v1/persons/", {"languages": "fr"}, format="multipart")  # multipart
    assert refused.status_code == 415


def test_text_with_a_nul_character_is_refused_before_the_database_sees_it(world: World) -> None:
    """PostgreSQL cannot compare text holding NUL: a lookup by such a code was a 500."""
    api = APIClient()
    api.force_authenticate(world.amina)
    body = {"person": "P-\u0000", "project": world.alpha_project.pk}
    refused = api.post("/api/v1/cases/", body)
    assert refused.status_code == 400 and "NUL" in refused.json()["detail"]
    nested = api.post("/api/v1/persons/", {"identity": {"aliases": ["a\u0000"]}})
    assert nested.status_code == 400


def test_a_text_field_takes_text_only(world: World) -> None:
    """A number or a boolean where the schema says text is refused, on every text field
    (found by the negative fuzz: 12 was taken as "12")."""
    from rest_framework import serializers

    class Body(serializers.Serializer):
        name = serializers.CharField()
        email = serializers.EmailField(required=False)

    for bad in (12, 3.5, True, ["a"], {"a": 1}):
        body = Body(data={"name": bad})
        assert not body.is_valid()
        assert set(body.errors) == {"name"}
    assert not Body(data={"name": "x", "email": 7}).is_valid()
    assert Body(data={"name": "12"}).is_valid()
    client = APIClient()
    client.force_authenticate(world.nora)
    risk = {"area": "goal", "risk": 12, "mitigation": "Diverse funders"}
    assert client.post("/api/v1/risks/", risk, format="json").status_code == 400
    risk["risk"] = "Lack of funding"
    assert client.post("/api/v1/risks/", risk, format="json").status_code == 201
