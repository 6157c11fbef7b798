from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from casework.audit.models import Action, AuditEntry
from casework.cases.choices import Stage
from casework.cases.models import Case
from casework.cases.services import transition
from casework.cases.tests.conftest import REFERRED, new_case
from casework.people.identity import IdentityData
from casework.people.services import register_person
from casework.testing.personas import World
from casework.testing.queries import count_queries

TODAY = timezone.localdate()


def register_data(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "given_names": "Amadou",
        "family_name": "Diallo",
        "date_of_birth": "1990-05-02",
        "gender": "male",
        "nationality": "GN",
        "languages": "fr, ff",
        "file_numbers": "BE-123",
        "project": world.alpha_project.pk,
        "case_manager": world.amina.pk,
        "referral_date": (TODAY - dt.timedelta(days=3)).isoformat(),
        "referral_source": "lawyer",
        "detention_status": "detained",
        "immigration_status": "return_order",
        "vulnerabilities": ["mental_health", "torture_trauma"],
        **extra,
    }


def test_a_caseworker_registers_a_person_and_opens_a_case(world: World, client: Any) -> None:
    client.force_login(world.amina)
    response = client.post(reverse("cases:register"), register_data(world))
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    assert case.person.nationality == "GN" and case.person.languages == ["fr", "ff"]
    assert set(case.vulnerabilities.values_list("flag", flat=True)) == {
        "mental_health",
        "torture_trauma",
    }
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Amadou Diallo" in page and "BE-123" in page
    reads = AuditEntry.objects.filter(action=Action.READ, actor="amina")
    assert {e.object_type for e in reads} == {"cases.case", "people.identity"}


def test_a_likely_duplicate_is_shown_before_anything_is_saved(world: World, client: Any) -> None:
    client.force_login(world.amina)
    client.post(reverse("cases:register"), register_data(world))
    page = client.post(
        reverse("cases:register"), register_data(world, file_numbers="")
    ).content.decode()
    assert "This person may already be registered" in page
    assert "same name and date of birth" in page
    assert Case.objects.count() == 1
    client.post(reverse("cases:register"), register_data(world, not_a_duplicate="on"))
    assert Case.objects.count() == 2


def test_registration_errors_are_shown_next_to_the_fields(world: World, client: Any) -> None:
    client.force_login(world.amina)
    data = register_data(world, referral_date="2999-01-01", project="")
    page = client.post(reverse("cases:register"), data).content.decode()
    assert "The referral date is in the future." in page
    assert 'id="id_project_error"' in page
    assert not Case.objects.exists()


def test_the_register_form_over_htmx_leaves_the_page_on_success(world: World, client: Any) -> None:
    client.force_login(world.amina)
    response = client.post(reverse("cases:register"), register_data(world), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == Case.objects.get().get_absolute_url()


def test_the_case_list_searches_by_code_name_and_date_of_birth(world: World, client: Any) -> None:
    target = new_case(world)
    other = new_case(world)
    person = register_person(
        world.alpha,
        IdentityData(given_names="Leyla", family_name="Aziz", date_of_birth=dt.date(1988, 3, 9)),
    )
    from casework.cases.services import open_case

    leyla = open_case(
        world.alpha_project,
        person,
        referral_date=REFERRED,
        referral_source="ngo",
        detention_status="at_risk",
        immigration_status="no_status",
    )
    client.force_login(world.sam)
    url = reverse("cases:case-list")

    def found(**query: str) -> set[str]:
        return {c.code for c in client.get(url, query).context["object_list"]}

    def searched(**identity: str) -> set[str]:
        response = client.post(url, identity)
        location = response["Location"]
        for value in identity.values():  # names and dates never travel in a URL
            assert value.lower() not in location.lower()
        return {c.code for c in client.get(location).context["object_list"]}

    assert found(q=target.code) == {target.code}
    assert found(q=leyla.person.code.lower()) == {leyla.code}
    assert searched(name="aziz LEYLA") == {leyla.code}
    assert searched(date_of_birth="1988-03-09") == {leyla.code}
    assert searched(name="Leyla") == set()  # names match exactly, never by fragment
    assert found(stage="referral") == {target.code, other.code, leyla.code}
    assert found(vulnerability="child") == set()
    assert found(search="made-up-token") == set()  # an expired search finds nothing
    search = AuditEntry.objects.filter(action=Action.SEARCH, actor="sam")
    assert search.count() == 3
    first = search.first()
    assert first is not None and first.changed_fields == ["name"]


def test_the_case_list_does_not_query_per_row(world: World, client: Any) -> None:
    client.force_login(world.amina)
    url = reverse("cases:case-list")
    new_case(world)
    client.get(
        url
    )  # the first request after signing in stamps the session's last activity (one write)
    before = count_queries(lambda: client.get(url))
    for _ in range(12):
        new_case(world)
    assert count_queries(lambda: client.get(url)) == before


def test_the_case_page_does_not_query_per_event(world: World, client: Any) -> None:
    from casework.cases.services import record_contact

    case = transition(new_case(world), Stage.SCREENING, on=REFERRED, intake_date=REFERRED)
    client.force_login(world.amina)
    url = case.get_absolute_url()
    client.get(
        url
    )  # the first request after signing in stamps the session's last activity (one write)
    before = count_queries(lambda: client.get(url))
    for n in range(10):
        record_contact(case, on=REFERRED + dt.timedelta(days=n), mode="phone")
    assert count_queries(lambda: client.get(url)) == before


def test_the_timeline_filters_by_kind_as_an_htmx_partial(world: World, client: Any) -> None:
    from casework.cases.services import record_contact

    case = transition(new_case(world), Stage.SCREENING, on=REFERRED, intake_date=REFERRED)
    record_contact(case, on=REFERRED, mode="phone")
    client.force_login(world.amina)
    response = client.get(
        case.get_absolute_url(),
        {"kind": "contact"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="timeline",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="timeline"')
    assert "Phone contact, attended" in html and "Referred by" not in html


def test_a_refused_transition_explains_itself(world: World, client: Any) -> None:
    case = new_case(world)
    client.force_login(world.amina)
    response = client.post(
        reverse("cases:transition", args=[case.code]),
        {"to": "screening", "on": TODAY.isoformat(), "version": case.version},
        follow=True,
    )
    assert "Give the intake date before screening starts." in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.REFERRAL


def test_a_stale_edit_shows_both_versions_and_saves_nothing(world: World, client: Any) -> None:
    case = new_case(world)
    client.force_login(world.amina)
    url = reverse("cases:case-update", args=[case.code])
    form = client.get(url).context["form"]
    opened_version = form.initial["version"]
    client.force_login(world.sam)  # a colleague saves first
    client.post(
        url,
        {
            "referral_source": "authority",
            "detention_status": "detained",
            "immigration_status": "return_order",
            "case_manager": world.amina.pk,
            "legal_representation": "unknown",
            "version": opened_version,
        },
    )
    client.force_login(world.amina)
    response = client.post(
        url,
        {
            "referral_source": "self",
            "detention_status": "detained",
            "immigration_status": "return_order",
            "case_manager": world.amina.pk,
            "legal_representation": "unknown",
            "version": opened_version,
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this case while you were editing" in page
    assert "Self-referral" in page and "Authority" in page
    case.refresh_from_db()
    assert case.referral_source == "authority"


def test_the_case_list_shows_engagement_labels(world: World, client: Any) -> None:
    transition(new_case(world), Stage.SCREENING, on=REFERRED, intake_date=REFERRED)
    client.force_login(world.amina)
    page = client.get(reverse("cases:case-list")).content.decode()
    assert "<td>Engaged</td>" in page
