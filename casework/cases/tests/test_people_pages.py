"""Person details, household members and merging records, through the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from casework.audit.models import Action, AuditEntry
from casework.cases.models import Case
from casework.cases.services import CaseRuleError, merge_people, open_case
from casework.cases.tests.conftest import REFERRED
from casework.people.identity import IdentityData
from casework.people.models import Person
from casework.people.services import find_people, read_identity, record_consent, register_person
from casework.testing.personas import World


def person_data(**extra: Any) -> dict[str, Any]:
    return {
        "given_names": "Omar",
        "family_name": "Rahimi",
        "date_of_birth": "1987-01-20",
        "gender": "male",
        "nationality": "AF",
        "languages": "fa",
        "phone": "+32 1",
        "file_numbers": "OV-1; OV-2",
        "interpreter_needed": "true",
        **extra,
    }


def case_for(world: World, person: Person) -> Case:
    return open_case(
        world.alpha_project,
        person,
        referral_date=REFERRED,
        referral_source="ngo",
        detention_status="at_risk",
        immigration_status="no_status",
    )


def test_a_caseworker_corrects_a_phone_number(world: World, client: Any) -> None:
    person = register_person(world.alpha, IdentityData(given_names="Omar", family_name="Rahimi"))
    client.force_login(world.amina)
    url = reverse("people:person-update", args=[person.code])
    form = client.get(url).context["form"]
    data = person_data(version=form.initial["version"], phone="+32 470 000 111")
    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert read_identity(person, world.amina).phone == "+32 470 000 111"
    assert read_identity(person, world.amina).file_numbers == ["OV-1", "OV-2"]
    person.refresh_from_db()
    assert (person.nationality, person.birth_year, person.interpreter_needed) == ("AF", 1987, True)
    stale = client.post(url, {**data, "phone": "+32 999"})  # the same, now stale, version
    assert stale.status_code == 409
    assert "+32 999" in stale.content.decode() and "+32 470 000 111" in stale.content.decode()
    assert read_identity(person, world.amina).phone == "+32 470 000 111"


def test_a_household_member_is_added_and_shown_on_the_case(world: World, client: Any) -> None:
    head = register_person(world.alpha, IdentityData(given_names="Omar", family_name="Rahimi"))
    case = case_for(world, head)
    client.force_login(world.amina)
    url = reverse("people:household-add", args=[head.code]) + f"?next={case.get_absolute_url()}"
    response = client.post(
        url, person_data(given_names="Laila", date_of_birth="2015-03-03", relationship="child")
    )
    assert response["Location"] == case.get_absolute_url()
    head.refresh_from_db()
    assert head.relationship == "head" and head.household is not None
    child = head.household.members.exclude(pk=head.pk).get()
    assert child.relationship == "child"
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Laila Rahimi" in page


def test_a_supervisor_merges_two_records_of_one_person(world: World, client: Any) -> None:
    first = register_person(
        world.alpha, IdentityData(given_names="Omar", family_name="Rahimi", file_numbers=["OV-1"])
    )
    second = register_person(
        world.alpha,
        IdentityData(
            given_names="Omer",
            family_name="Rahimy",
            date_of_birth=dt.date(1987, 1, 20),
            file_numbers=["OV-9"],
        ),
    )
    case_a, case_b = case_for(world, first), case_for(world, second)
    record_consent(
        second, purpose="case_management", given_on=REFERRED, method="verbal", language="fa"
    )
    client.force_login(world.sam)
    preview = client.post(
        reverse("cases:merge"), {"keep": first.code, "other": second.code.lower()}
    )
    assert "Omer Rahimy" in preview.content.decode() and "Merge them" in preview.content.decode()
    assert Person.objects.visible_to(world.sam).count() == 2  # nothing merged yet
    client.post(reverse("cases:merge"), {"keep": first.code, "other": second.code, "confirm": "on"})
    assert set(Case.objects.filter(person=first)) == {case_a, case_b}
    first.refresh_from_db()
    merged = read_identity(first, world.sam)
    assert merged.aliases == ["Omer Rahimy"] and merged.file_numbers == ["OV-1", "OV-9"]
    assert merged.date_of_birth == dt.date(1987, 1, 20)
    assert list(find_people(world.sam, name="Omer Rahimy")) == [first]
    assert first.consents.count() == 1
    assert not Person.objects.visible_to(world.sam).filter(pk=second.pk).exists()
    assert AuditEntry.objects.filter(action=Action.MERGED, object_id=second.code).exists()
    event = case_b.events.first()
    assert event is not None and "merged into" in event.summary


def test_only_a_supervisor_of_the_same_organisation_merges(world: World) -> None:
    a = register_person(world.alpha, IdentityData(given_names="A"))
    b = register_person(world.alpha, IdentityData(given_names="B"))
    c = register_person(world.beta, IdentityData(given_names="C"))
    with pytest.raises(CaseRuleError, match="Only a supervisor"):
        merge_people(a, b, by=world.amina)
    with pytest.raises(CaseRuleError, match="Both people must belong"):
        merge_people(a, c, by=world.sam)
    with pytest.raises(CaseRuleError, match="two different"):
        merge_people(a, a, by=world.sam)
