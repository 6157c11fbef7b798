"""Schemathesis against every operation of the API's OpenAPI schema, once per role.

Requests go in-process to the WSGI application (no server), with each persona's own API
token. A fixed, small number of examples per operation and a derandomized Hypothesis keep the
run bounded and the same on every run. Every response must not be a server error and must
conform to the schema: a documented status code, its content type and its body's schema.

It runs once on each database, in a different mode: on SQLite with requests that fit the
schema (positive), on PostgreSQL with requests that break it (negative: wrong types, values
out of range, missing fields), which must also be refused with a documented client error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from casework.assessments.services import import_form
from casework.cases.models import Case
from casework.cases.services import open_case
from casework.people.identity import IdentityData
from casework.people.services import create_household, register_person
from casework.testing.personas import PASSWORD, World

# The roles of casework/testing/personas.py: each organisation role of Alpha, Beta's admin
# (another organisation), the network roles, a user in two organisations.
ROLES = ["amina", "sam", "olga", "boris", "nora", "eva", "otto", "mia"]
EXAMPLES = 25  # per operation and role
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]
FORM = b"| survey |\n| | type | name | label |\n| | text | why | Why? |\n"

# CI runs the suite on SQLite and again on PostgreSQL: each run fuzzes in one mode, so that
# both modes and both databases are covered for the time of one. `-m "not fuzz"` leaves it out
# of a quick run.
pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]
# CASEWORK_FUZZ_MODE=negative (or positive) chooses the mode whatever the database.
MODE = GenerationMode(
    os.environ.get("CASEWORK_FUZZ_MODE")
    or ("positive" if connection.vendor == "sqlite" else "negative")
)


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    """The WSGI application, without the signal handlers that would close the test's
    database connection after each request (Django's test client removes them too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        cache.clear()  # the token endpoint's throttle counts in the cache


def seed(world: World) -> dict[str, dict[str, Any]]:
    """A little of everything, so that fuzzed requests can also meet real rows."""
    person = register_person(
        world.alpha, IdentityData(given_names="Fuzz", family_name="Persona"), birth_year=1990
    )
    household = create_household(world.alpha)
    case: Case = open_case(
        world.alpha_project,
        person,
        referral_date=world.alpha_project.start_date,
        referral_source="self",
        detention_status="at_risk",
        immigration_status="no_status",
    )
    form = import_form(FORM.strip(), "fuzz.md", organisation=world.alpha)
    return {
        "/api/v1/persons/{code}/": {"code": person.code},
        "/api/v1/households/{code}/": {"code": household.code},
        "/api/v1/cases/{code}/": {"code": case.code},
        "/api/v1/cases/{case_code}/": {"case_code": case.code},
        "/api/v1/forms/{id}/": {"id": form.form_id},
        "/api/v1/organisations/{slug}/": {"slug": world.alpha.slug},
        "/api/v1/indicators/{code}/": {"code": "retention"},
        # Not the caller's tokens (/api/v1/me/tokens/{id}/): DELETE would revoke the token
        # the run uses. Jobs and releases have no row to meet here.
    }


def real_rows(rows: dict[str, dict[str, Any]], path: str) -> dict[str, Any] | None:
    """Path parameters naming rows that exist, for an operation whose path starts with one
    of `rows` (generated values are mostly rows that do not exist: a 404)."""
    for prefix, values in rows.items():
        if path.startswith(prefix):
            return values
    return None


def token_of(client: Any, username: str) -> str:
    response = client.post(
        "/api/v1/auth/token/",
        json={"username": username, "password": PASSWORD, "name": "fuzz"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["token"]


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_its_schema_says(
    role: str, world: World, app: WSGIHandler, record_property: Any
) -> None:
    rows = seed(world)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    headers = {"Authorization": f"Token {token_of(Client(app), role)}"}
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema fails here
        strategies = [operation.as_strategy(MODE)]
        real = real_rows(rows, operation.path)
        if real is not None:
            strategies.append(operation.as_strategy(MODE, path_parameters=real))
        for strategy in strategies:
            sent += run(operation, strategy, headers, failures)
    record_property("fuzz_requests", sent)  # summed in the run's summary (conftest.py)
    record_property("fuzz_mode", MODE.value)
    print(f"schemathesis ({MODE}): {sent} requests as {role}")
    assert not failures, "\n\n".join(failures)


def run(operation: Any, strategy: Any, headers: dict[str, str], failures: list[str]) -> int:
    """Send EXAMPLES requests drawn from `strategy`; the number sent."""
    count = 0

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the failure as found
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        nonlocal count
        count += 1
        checks = CHECKS if MODE == GenerationMode.POSITIVE else NEGATIVE_CHECKS
        case.call_and_validate(headers=headers, checks=checks)

    try:
        fuzz()
    except Unsatisfiable:  # negative mode: the operation takes nothing that can be broken
        pass
    except (Exception, BaseExceptionGroup) as error:  # each operation's failure, not the first only
        failures.append(f"{operation.label}: {error}")
    return count
