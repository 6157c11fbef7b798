"""Network building as its users see it: the directory, contact people, activities and the
expansion pipeline, on the pages and through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from casework.audit.models import Action, AuditEntry
from casework.network import services
from casework.network.models import Activity, Contact, Expansion, Risk, Stakeholder, Term
from casework.testing.personas import World

TODAY = timezone.localdate()


def stakeholder(world: World, name: str, **fields: Any) -> Stakeholder:
    defaults = {
        "kind": "cso",
        "country": "BE",
        "city": "Ghent",
        "level": "local",
        "relationship": "ally",
    }
    return services.save_stakeholder(world.nora, name=name, **(defaults | fields))


@pytest.fixture
def directory(world: World) -> World:
    stakeholder(world, "Ghent legal aid")  # an ally in Belgium
    stakeholder(
        world,
        "Ministry of the Interior",
        kind="national_authority",
        level="national",
        relationship="advocacy_target",
        stance="sceptical",
    )
    stakeholder(world, "Warsaw shelter", country="PL", city="Warsaw")
    return world


def names(page: str, *candidates: str) -> set[str]:
    return {name for name in candidates if name in page}


ALL = ("Ghent legal aid", "Ministry of the Interior", "Warsaw shelter")


def test_case_managers_see_the_allies_of_their_country_and_the_network_sees_all(
    directory: World, client: Any
) -> None:
    url = reverse("network:stakeholders")
    client.force_login(directory.amina)  # Alpha, Belgium
    page = client.get(url).content.decode()
    assert names(page, *ALL) == {"Ghent legal aid"}
    assert "Stance" not in page  # advocacy notes are for network building
    for user in (directory.olga, directory.nora, directory.eva):
        client.force_login(user)
        assert names(client.get(url).content.decode(), *ALL) == set(ALL)
    client.force_login(directory.otto)  # an observer: figures in releases only
    assert client.get(url).status_code == 403
    client.force_login(directory.nora)
    found = client.get(url, {"q": "ghent", "relationship": "ally"}).content.decode()
    assert names(found, *ALL) == {"Ghent legal aid"}
    assert "1 stakeholder" in found


def test_the_directory_asks_the_same_queries_for_more_stakeholders(
    directory: World, client: Any
) -> None:
    client.force_login(directory.nora)
    url = reverse("network:stakeholders")
    client.get(url)
    counts = []
    for batch in range(2):
        for i in range(5):
            stakeholder(directory, f"Body {batch}-{i}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    # Session, user, memberships, the second-factor check, the count and the page of rows.
    assert counts == [6, 6], counts


def test_a_stakeholder_is_added_once_and_changed_by_its_recorder(world: World, client: Any) -> None:
    client.force_login(world.olga)
    data = {
        "name": "Antwerp city",
        "kind": "city",
        "country": "BE",
        "city": "Antwerp",
        "level": "local",
        "relationship": "partner",
        "stance": "open",
    }
    created = client.post(reverse("network:stakeholder-create"), data)
    assert created.status_code == 302
    city = Stakeholder.objects.get()
    assert city.organisation == world.alpha
    again = client.post(reverse("network:stakeholder-create"), {**data, "name": "antwerp CITY"})
    assert again.status_code == 400 and "in the directory already" in again.content.decode()
    update = reverse("network:stakeholder-update", args=[city.uid])
    assert client.post(update, {**data, "stance": "supportive"}).status_code == 302
    city.refresh_from_db()
    assert city.stance == "supportive"
    client.force_login(world.boris)  # another organisation's admin: not theirs to change
    assert client.post(update, {**data, "stance": "opposed"}).status_code == 403


def test_a_contact_person_is_kept_only_with_consent_and_reads_are_audited(
    directory: World, client: Any
) -> None:
    ally = Stakeholder.objects.get(name="Ghent legal aid")
    url = reverse("network:contact-create", args=[ally.uid])
    client.force_login(directory.nora)
    data = {"name": "Ines Vermeulen", "role": "Coordinator", "email": "ines@example.org"}
    refused = client.post(url, data)
    assert refused.status_code == 400 and "only once they agreed" in refused.content.decode()
    assert not Contact.objects.exists()
    assert client.post(url, {**data, "consented": "on"}).status_code == 302
    contact = Contact.objects.get()
    assert contact.consented_on == TODAY
    client.force_login(directory.amina)  # a case manager in Belgium finds the ally's contact
    page = client.get(reverse("network:stakeholder", args=[ally.uid])).content.decode()
    assert "ines@example.org" in page
    read = AuditEntry.objects.filter(action=Action.READ, object_id=str(ally.uid))
    assert read.filter(actor=directory.amina.username).exists()
    client.force_login(directory.nora)
    remove = reverse("network:contact-remove", args=[contact.uid])
    assert client.post(remove).status_code == 400  # not confirmed
    assert client.post(remove, {"confirm": "yes"}).status_code == 302
    assert not Contact.objects.exists()
    deleted = AuditEntry.objects.get(action=Action.DELETE, object_id=str(contact.uid))
    assert "Ines" not in str(vars(deleted))


def test_an_activity_counts_with_its_kind_and_status(world: World, client: Any) -> None:
    ally = stakeholder(world, "UNHCR Brussels", kind="un_agency", level="national")
    client.force_login(world.olga)
    url = reverse("network:activity-create")
    data = {
        "kind": "concept_note",
        "title": "Concept note for Antwerp",
        "on": "2025-05-02",
        "members": [world.alpha.pk],
        "stakeholders": [ally.pk],
    }
    refused = client.post(url, data)
    assert refused.status_code == 400 and "where the concept note" in refused.content.decode()
    assert client.post(url, {**data, "status": "submitted"}).status_code == 302
    note = Activity.objects.get()
    assert (note.status, list(note.members.all()), list(note.stakeholders.all())) == (
        "submitted",
        [world.alpha],
        [ally],
    )
    future = client.post(
        url, {**data, "status": "drafted", "on": str(TODAY.replace(year=TODAY.year + 1))}
    )
    assert future.status_code == 400 and "in the future" in future.content.decode()
    meeting = services.save_activity(
        world.nora, kind="meeting", title="Quarterly meeting", on=TODAY, status="granted"
    )
    assert meeting.status == ""  # only applications have a status
    page = client.get(reverse("network:activities"), {"kind": "concept_note"}).content.decode()
    assert "Concept note for Antwerp" in page and "Quarterly meeting" not in page


def test_a_city_moves_through_the_pipeline_to_a_launched_pilot(world: World, client: Any) -> None:
    client.force_login(world.nora)
    first = TODAY - dt.timedelta(days=30)
    created = client.post(
        reverse("network:expansion-create"),
        {"place_kind": "city", "country": "IT", "city": "Turin", "on": first},
    )
    assert created.status_code == 302
    turin = Expansion.objects.get()
    assert turin.stage == "scoping" and turin.steps.count() == 1
    twice = client.post(
        reverse("network:expansion-create"),
        {"place_kind": "city", "country": "IT", "city": "turin"},
    )
    assert twice.status_code == 400 and "in the pipeline already" in twice.content.decode()
    nameless = client.post(
        reverse("network:expansion-create"), {"place_kind": "city", "country": "IT"}
    )
    assert nameless.status_code == 400 and "Name the city" in nameless.content.decode()
    url = reverse("network:expansion-move", args=[turin.uid])
    for stage, on in (("dialogue", first), ("partnership_agreed", first + dt.timedelta(10))):
        assert client.post(url, {"stage": stage, "on": on}).status_code == 302
    back = client.post(url, {"stage": "pilot_launched", "on": first})
    assert back.status_code == 400 and "comes after it" in back.content.decode()
    same = client.post(url, {"stage": "partnership_agreed", "on": TODAY})
    assert same.status_code == 400 and "write what happened" in same.content.decode()
    launch = TODAY - dt.timedelta(days=2)
    assert client.post(url, {"stage": "pilot_launched", "on": launch}).status_code == 302
    assert client.post(url, {"stage": "paused", "on": TODAY}).status_code == 302
    assert client.post(url, {"stage": "pilot_launched", "on": TODAY}).status_code == 302
    turin.refresh_from_db()
    assert turin.launched_on == launch  # the first launch counts
    assert [s.stage for s in turin.steps.order_by("on", "created_at")][-3:] == [
        "pilot_launched",
        "paused",
        "pilot_launched",
    ]
    page = client.get(reverse("network:expansion")).content.decode()
    launched = page[page.index('id="stage-pilot_launched"') :]
    assert "Turin" in launched[: launched.index("</section>")]


def test_the_api_records_and_reads_network_building(world: World) -> None:
    api = APIClient()
    api.force_authenticate(world.nora)
    made = api.post(
        "/api/v1/stakeholders/",
        {
            "name": "Council of Europe",
            "kind": "council_of_europe",
            "country": "fr",
            "level": "regional",
            "relationship": "ally",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    ally = made.json()["id"]
    assert made.json()["country"] == "FR" and made.json()["recorded_by"] is None
    activity = api.post(
        "/api/v1/activities/",
        {
            "kind": "invitation_to_speak",
            "title": "Hearing",
            "on": "2025-10-01",
            "high_profile": True,
            "members": [world.alpha.slug],
            "stakeholders": [ally],
        },
        format="json",
    )
    assert activity.status_code == 201, activity.json()
    assert activity.json()["stakeholders"] == [ally]
    place = api.post(
        "/api/v1/expansion/", {"place_kind": "country", "country": "ES"}, format="json"
    )
    assert place.status_code == 201 and place.json()["stage"] == "scoping"
    moved = api.post(
        f"/api/v1/expansion/{place.json()['id']}/stage/", {"stage": "dialogue"}, format="json"
    )
    assert moved.status_code == 201 and moved.json()["stage"] == "dialogue"
    assert [s["stage"] for s in moved.json()["steps"]] == ["dialogue", "scoping"]
    refused = api.post(
        "/api/v1/activities/",
        {"kind": "concept_note", "title": "x", "on": "2025-01-01"},
        format="json",
    )
    assert refused.status_code == 400 and "status" in refused.json()
    api.force_authenticate(world.amina)  # a case manager in Belgium: not an ally in France
    assert api.get("/api/v1/stakeholders/").json()["count"] == 0
    assert api.get("/api/v1/activities/").status_code == 403
    api.force_authenticate(world.boris)  # may record, but not change the network's rows
    assert (
        api.patch(f"/api/v1/stakeholders/{ally}/", {"stance": "opposed"}, format="json").status_code
        == 403
    )


def test_services_refuse_who_may_not_record(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.save_stakeholder(
            world.amina, name="x", kind="cso", country="BE", level="local", relationship="ally"
        )
    with pytest.raises(ValidationError):
        services.add_contact(world.nora, stakeholder(world, "y"), name="z", consented=False)


def test_the_stakeholder_map_draws_who_worked_with_whom(directory: World, client: Any) -> None:
    ally = Stakeholder.objects.get(name="Ghent legal aid")
    services.save_activity(
        directory.nora,
        kind="meeting",
        title="M",
        on=TODAY,
        members=[directory.alpha],
        stakeholders=[ally],
    )
    client.force_login(directory.eva)
    client.get(reverse("network:map"))  # the first request after signing in stamps the session
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("network:map")).content.decode()
    assert len(queries) == 8  # session, user, memberships, second factor; the map's four
    svg = page[page.index("<svg") : page.index("</svg>")]
    # Columns: Belgium (Alpha, two stakeholders), then Poland (Beta, one).
    assert svg.index(">Belgium<") < svg.index(">Poland<")
    for name in ("Alpha Association", "Beta Foundation", *ALL):
        assert f">{name}<" in svg
    assert svg.count("<path ") == 1  # Alpha met Ghent legal aid
    assert svg.count("<rect x=") == 3  # the pilots are squares, and the legend's pilot
    download = client.get(reverse("network:map-svg"), {"country": "PL"})
    assert download["Content-Type"] == "image/svg+xml"
    assert download["Content-Disposition"].startswith('attachment; filename="stakeholder-map-')
    drawn = download.content.decode()
    assert "Warsaw shelter" in drawn and "Ghent legal aid" not in drawn


def test_the_risk_register_starts_from_the_plan_and_is_reviewed(world: World, client: Any) -> None:
    risks = Risk.objects.all()
    assert risks.count() == 10  # the plan's table 4.4
    firewall = risks.get(risk__contains="unconscionable demands")
    assert firewall.area == "advocacy" and "firewalls" in firewall.mitigation
    client.force_login(world.olga)  # an organisation admin reads the register
    page = client.get(reverse("network:risks")).content.decode()
    assert "Network building" in page and "Confusion over roles" in page
    assert client.get(reverse("network:risk-update", args=[firewall.uid])).status_code == 403
    client.force_login(world.nora)
    url = reverse("network:risk-update", args=[firewall.uid])
    review = {
        "review-on": str(TODAY),
        "review-likelihood": "medium",
        "review-impact": "high",
        "review-status": "open",
        "review-note": "An authority asked for disengagement alerts; refused.",
    }
    assert client.post(url, review).status_code == 302
    firewall.refresh_from_db()
    assert (firewall.likelihood, firewall.impact, firewall.reviewed_on) == ("medium", "high", TODAY)
    earlier = client.post(url, {**review, "review-on": str(TODAY - dt.timedelta(days=3))})
    assert earlier.status_code == 400 and "a review comes after it" in earlier.content.decode()
    api = APIClient()
    api.force_authenticate(world.boris)  # records network building, but not the register
    body = {"area": "other", "risk": "Server outage", "mitigation": "Backups"}
    assert api.post("/api/v1/risks/", body, format="json").status_code == 403
    api.force_authenticate(world.nora)
    assert api.post("/api/v1/risks/", body, format="json").status_code == 201
    assert Risk.objects.count() == 11


def test_the_glossary_is_read_by_everyone_in_their_language(world: World, client: Any) -> None:
    firewall = Term.objects.get(slug="firewall")
    services.save_term(
        world.nora,
        firewall,
        translations={"fr": {"term": "Pare-feu", "definition": "Aucune donnée à l'éloignement."}},
    )
    client.force_login(world.otto)  # an observer too
    page = client.get(reverse("network:glossary")).content.decode()
    assert "Firewall" in page and "Case resolution" in page
    assert "Pare-feu" not in page and "français" in page  # a language to show it in
    client.force_login(world.amina)
    french = client.get(reverse("network:glossary"), {"lang": "fr"}).content.decode()
    assert "Pare-feu" in french and "Aucune donnée" in french
    assert "Case resolution" in french  # untranslated terms stay in English
    with pytest.raises(ValidationError):
        services.save_term(world.nora, firewall, translations={"fr": "Pare-feu"})
    api = APIClient()
    api.force_authenticate(world.amina)
    listed = api.get("/api/v1/glossary/").json()
    assert any(t["slug"] == "firewall" for t in listed["results"])
    assert api.patch("/api/v1/glossary/firewall/", {"term": "x"}, format="json").status_code == 403
