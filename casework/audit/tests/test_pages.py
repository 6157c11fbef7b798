from __future__ import annotations

import csv
import io
from typing import Any

from django.urls import reverse

from casework.audit.models import Action, AuditEntry
from casework.audit.services import record
from casework.testing.personas import World
from casework.testing.queries import count_queries


def entries_on_page(response: Any) -> list[AuditEntry]:
    return list(response.context["object_list"])


def test_an_org_admin_sees_their_organisations_entries_only(world: World, client: Any) -> None:
    client.force_login(world.olga)
    entries = entries_on_page(client.get(reverse("audit:entry-list"), {"page": 1}))
    assert entries
    assert {e.organisation_id for e in entries} == {world.alpha.pk}


def test_the_network_coordinator_sees_network_entries_only(world: World, client: Any) -> None:
    client.force_login(world.nora)
    entries = entries_on_page(client.get(reverse("audit:entry-list")))
    assert entries
    assert {e.organisation_id for e in entries} == {None}


def test_the_log_is_searchable(world: World, client: Any) -> None:
    client.force_login(world.amina)
    client.force_login(world.olga)
    response = client.get(reverse("audit:entry-list"), {"user": "amina", "action": "login"})
    entries = entries_on_page(response)
    assert [(e.actor, e.action) for e in entries] == [("amina", Action.LOGIN)]
    by_object = client.get(
        reverse("audit:entry-list"),
        {"object_type": "accounts.project", "object_id": str(world.alpha_project.pk)},
    )
    assert {e.object_id for e in entries_on_page(by_object)} == {str(world.alpha_project.pk)}
    today = entries_on_page(client.get(reverse("audit:entry-list"), {"date_from": "2000-01-01"}))
    assert len(today) > 1
    none = client.get(reverse("audit:entry-list"), {"date_to": "2000-01-01"})
    assert entries_on_page(none) == []


def test_a_reversed_date_range_is_explained(world: World, client: Any) -> None:
    client.force_login(world.olga)
    response = client.get(
        reverse("audit:entry-list"), {"date_from": "2025-02-01", "date_to": "2025-01-01"}
    )
    assert "The end date is before the start date." in response.content.decode()


def test_the_export_is_the_filtered_log_as_csv_and_is_itself_audited(
    world: World, client: Any
) -> None:
    client.force_login(world.olga)
    response = client.get(reverse("audit:entry-export"), {"action": "create"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "at", "actor"]
    expected = AuditEntry.objects.filter(organisation_id=world.alpha.pk, action="create").count()
    assert len(rows) - 1 == expected
    assert {row[5] for row in rows[1:]} == {"create"}
    assert {row[4] for row in rows[1:]} == {str(world.alpha.pk)}
    assert AuditEntry.objects.filter(action=Action.EXPORT, actor="olga").exists()


def test_requests_are_stamped_with_an_id_and_address(world: World, client: Any) -> None:
    client.force_login(world.olga)
    response = client.get(
        reverse("accounts:member-detail", args=[world.amina.memberships.get().uid]),
        HTTP_X_REQUEST_ID="req-12345678",
    )
    assert response["X-Request-ID"] == "req-12345678"
    entry = AuditEntry.objects.get(action=Action.READ)
    assert (entry.request_id, entry.ip) == ("req-12345678", "127.0.0.1")


def test_the_log_page_does_not_query_per_row(world: World, client: Any) -> None:
    client.force_login(world.olga)
    url = reverse("audit:entry-list")
    client.get(
        url
    )  # the first request after signing in stamps the session's last activity (one write)
    before = count_queries(lambda: client.get(url))
    for _ in range(40):
        record(Action.EXPORT, object_type="test.thing", organisation_id=world.alpha.pk)
    assert count_queries(lambda: client.get(url)) == before
