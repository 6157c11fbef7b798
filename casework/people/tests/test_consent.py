from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from casework.people.choices import ConsentPurpose
from casework.people.identity import IdentityData
from casework.people.models import Person
from casework.people.services import record_consent, register_person, withdraw_consent
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
