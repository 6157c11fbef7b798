from __future__ import annotations

import datetime as dt
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from casework.audit.models import Action, AuditEntry
from casework.core.crypto import DecryptionError
from casework.people.identity import IdentityData
from casework.people.models import Identity, Person
from casework.people.services import (
    find_people,
    likely_duplicates,
    read_identity,
    register_person,
    update_identity,
)
from casework.testing.personas import World

ZAINAB = IdentityData(
    given_names="Zaïnab",
    family_name="Okonkwo-Lindqvist",
    aliases=["Zee Okon"],
    date_of_birth=dt.date(1991, 4, 17),
    phone="+32 470 12 34 56",
    address="Rue Imaginaire 12, Ghent",
    file_numbers=["OV-9876543"],
)


def test_an_identity_is_sealed_and_opens_for_the_organisation(world: World) -> None:
    person = register_person(world.alpha, ZAINAB, gender="female", nationality="NG")
    assert person.code.startswith("P-") and len(person.code) == 11
    assert person.birth_year == 1991
    stored = bytes(Identity.objects.get(person=person).sealed)
    assert b"Okonkwo" not in stored and b"Ghent" not in stored
    assert read_identity(person, world.amina) == ZAINAB
    read = AuditEntry.objects.get(action=Action.READ)
    assert (read.actor, read.object_type) == ("amina", "people.identity")


def test_nobody_outside_the_organisation_opens_an_identity(world: World) -> None:
    person = register_person(world.alpha, ZAINAB)
    for outsider in (world.boris, world.nora, world.eva, world.otto, world.nadia):
        with pytest.raises(PermissionDenied):
            read_identity(person, outsider)
        assert not Identity.objects.visible_to(outsider).exists()
        assert not Person.objects.visible_to(outsider).exists()


def test_a_sealed_identity_copied_to_another_person_does_not_open(world: World) -> None:
    first = register_person(world.alpha, ZAINAB)
    second = register_person(world.alpha, IdentityData(given_names="Other", family_name="Person"))
    Identity.objects.filter(person=second).update(sealed=first.identity.sealed)
    with pytest.raises(DecryptionError):
        Identity.objects.get(person=second).open()


def test_people_are_found_by_name_date_of_birth_and_file_number(world: World) -> None:
    person = register_person(world.alpha, ZAINAB)
    register_person(world.alpha, IdentityData(given_names="Someone", family_name="Else"))
    assert list(find_people(world.amina, name="okonkwo lindqvist ZAINAB")) == [person]
    assert list(find_people(world.amina, name="Zee  Okon")) == [person]
    assert list(find_people(world.amina, date_of_birth=dt.date(1991, 4, 17))) == [person]
    assert list(find_people(world.amina, file_number="ov 9876543")) == [person]
    both = find_people(
        world.amina, name="Zainab Okonkwo-Lindqvist", date_of_birth=dt.date(1990, 1, 1)
    )
    assert not both.exists()
    assert not find_people(world.amina, name="Zainab").exists()  # exact, not partial
    assert not find_people(world.boris, name="Zainab Okonkwo-Lindqvist").exists()
    assert not find_people(world.nora, name="Zainab Okonkwo-Lindqvist").exists()


def test_the_same_name_in_two_organisations_gives_unrelated_indexes(world: World) -> None:
    a = register_person(world.alpha, ZAINAB)
    b = register_person(world.beta, ZAINAB)
    digests_a = set(a.blind_indexes.values_list("digest", flat=True))
    digests_b = set(b.blind_indexes.values_list("digest", flat=True))
    assert digests_a and digests_b and not digests_a & digests_b


def test_an_identity_change_moves_the_indexes(world: World) -> None:
    person = register_person(world.alpha, ZAINAB)
    changed = IdentityData(
        given_names="Zainab", family_name="Lindqvist", date_of_birth=ZAINAB.date_of_birth
    )
    update_identity(person, changed)
    assert not find_people(world.amina, name="Zainab Okonkwo-Lindqvist").exists()
    assert list(find_people(world.amina, name="Zainab Lindqvist")) == [person]
    assert read_identity(person, world.amina) == changed


def test_likely_duplicates_are_named_with_their_reason(world: World) -> None:
    existing = register_person(world.alpha, ZAINAB)
    twin = IdentityData(
        given_names="Zainab", family_name="Okonkwo Lindqvist", date_of_birth=ZAINAB.date_of_birth
    )
    [dup] = likely_duplicates(world.alpha, twin)
    assert dup.person == existing
    assert "same name and date of birth" in dup.reasons

    mohammed = register_person(
        world.alpha, IdentityData(given_names="Mohammed", family_name="Ali"), birth_year=1985
    )
    sound = likely_duplicates(
        world.alpha, IdentityData(given_names="Muhammad", family_name="Aly"), 1985
    )
    assert [(d.person, d.reasons) for d in sound] == [
        (mohammed, ("similar-sounding name, same birth year",))
    ]
    assert not likely_duplicates(
        world.alpha, IdentityData(given_names="Muhammad", family_name="Aly"), 1990
    )

    by_file = likely_duplicates(
        world.alpha, IdentityData(given_names="X", file_numbers=["OV9876543"])
    )
    assert [d.person for d in by_file] == [existing]
    assert not likely_duplicates(world.beta, twin)  # other organisations are never searched


def test_impossible_birth_data_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        register_person(world.alpha, ZAINAB, birth_year=1990)
    with pytest.raises(ValidationError):
        register_person(world.alpha, IdentityData(date_of_birth=dt.date(2999, 1, 1)))
    with pytest.raises(ValidationError):
        register_person(world.alpha, IdentityData(given_names="A"), birth_year=1850)
    assert not Person.objects.exists()


def keys(*args: str) -> str:
    out = StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def test_keys_rotate_re_encrypts_everything_and_old_keys_retire_after(
    world: World, settings, tmp_path: Path
) -> None:
    path = tmp_path / "keys.json"
    shutil.copy(settings.CASEWORK_KEYS_FILE, path)
    settings.CASEWORK_KEYS_FILE = path
    people = [register_person(world.alpha, ZAINAB) for _ in range(3)]
    old = Identity.objects.values_list("key_id", flat=True).distinct().get()
    assert "3 records re-encrypted" in keys("rotate")
    new = Identity.objects.values_list("key_id", flat=True).distinct().get()
    assert new != old
    assert all(read_identity(p, world.amina) == ZAINAB for p in people)
    assert set(find_people(world.amina, name="Zainab Okonkwo-Lindqvist")) == set(people)
    assert AuditEntry.objects.filter(action=Action.REENCRYPTED, object_id=new).exists()
    status = keys("status")
    assert (
        f"{new}  active        3 records" in status and f"{old}  old           0 records" in status
    )
    keys("retire", old)
    with pytest.raises(CommandError, match="is the active key"):
        keys("retire", new)


def test_a_key_still_in_use_cannot_be_retired(world: World, settings, tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    shutil.copy(settings.CASEWORK_KEYS_FILE, path)
    settings.CASEWORK_KEYS_FILE = path
    register_person(world.alpha, ZAINAB)
    old = Identity.objects.get().key_id
    from casework.core.crypto import keyring

    ring = keyring()
    ring.add_key()
    ring.save()  # as if a rotation stopped half-way
    with pytest.raises(CommandError, match="still seals 1 records"):
        keys("retire", old)
    assert "Finishing an earlier rotation" in keys("rotate")
    keys("retire", old)
