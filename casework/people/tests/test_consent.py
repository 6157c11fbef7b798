from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from casework.people.choices import ConsentPurpose
from casework.people.identity import IdentityData
from casework.people.models import Person
from casework.people.services import (
    consent_for,
    consent_section,
    record_consent,
    register_person,
    withdraw_consent,
)
from casework.testing.personas import World

DAY = dt.date(2025, 3, 1)


@pytest.fixture
def person(world: World) -> Person:
    return register_person(world.alpha, IdentityData(given_names="Ada", family_name="Test"))


def consent(person: Person, purpose: str = ConsentPurpose.NETWORK_EVIDENCE, **kw):
    return record_consent(
        person, purpose=purpose, given_on=DAY, method="written", language="fr", **kw
    )


def test_consent_is_in_force_from_the_day_given_until_withdrawn(person: Person) -> None:
    record = consent(person)
    evidence = Person.objects.consented_to(ConsentPurpose.NETWORK_EVIDENCE, on=DAY)
    assert list(evidence) == [person]
    assert not Person.objects.consented_to(
        ConsentPurpose.NETWORK_EVIDENCE, on=DAY - dt.timedelta(days=1)
    ).exists()
    assert not Person.objects.consented_to(ConsentPurpose.CASE_MANAGEMENT, on=DAY).exists()
    withdraw_consent(record, DAY + dt.timedelta(days=10))
    assert Person.objects.consented_to(
        ConsentPurpose.NETWORK_EVIDENCE, on=DAY + dt.timedelta(days=9)
    ).exists()
    assert not Person.objects.consented_to(
        ConsentPurpose.NETWORK_EVIDENCE, on=DAY + dt.timedelta(days=10)
    ).exists()
    assert not record.in_force(DAY + dt.timedelta(days=30))


def test_sharing_needs_the_service_named(person: Person) -> None:
    with pytest.raises(ValidationError):
        consent(person, ConsentPurpose.SHARE_WITH_SERVICE)
    assert (
        consent(person, ConsentPurpose.SHARE_WITH_SERVICE, service="City legal aid").service
        == "City legal aid"
    )


def test_consent_cannot_be_withdrawn_twice_or_before_it_was_given(person: Person) -> None:
    record = consent(person)
    with pytest.raises(ValidationError):
        withdraw_consent(record, DAY - dt.timedelta(days=1))
    withdraw_consent(record, DAY)
    with pytest.raises(ValidationError):
        withdraw_consent(record, DAY)


def test_one_function_says_which_consent_allows_a_purpose(person: Person) -> None:
    day = dt.date(2026, 3, 1)
    assert consent_for(person, "share_with_service", on=day, service="Legal Aid Ghent") is None
    sharing = consent(person, "share_with_service", service="Legal Aid Ghent")
    named = consent_for(person, "share_with_service", on=day, service="  legal aid ghent ")
    assert named == sharing
    assert consent_for(person, "share_with_service", on=day, service="Another Clinic") is None
    assert consent_for(person, "share_with_service", on=day) is None  # no service named
    assert consent_for(person, "transfer", on=day) is None  # another purpose
    moving = consent(person, "transfer")
    assert consent_for(person, "transfer", on=day) == moving
    assert consent_for(person, "transfer", on=moving.given_on - dt.timedelta(days=1)) is None
    withdraw_consent(moving, day)
    assert consent_for(person, "transfer", on=day) is None  # withdrawn from that day


def test_the_subject_access_export_names_the_service_a_person_agreed_to_share_with(
    person: Person,
) -> None:
    consent(person, "share_with_service", service="Legal Aid Ghent")
    (row,) = consent_section(person)
    assert row["service"] == "Legal Aid Ghent"
