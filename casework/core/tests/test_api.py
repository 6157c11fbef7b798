"""The API's base classes, apart from any app's endpoints."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError

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
