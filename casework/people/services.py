"""Writes and identity look-ups on people: each one a named, transactional function."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import Organisation
from casework.audit.models import Action
from casework.audit.services import record
from casework.core.access import principal_of
from casework.core.conflicts import StaleVersionError
from casework.core.crypto import keyring, normalise_name
from casework.core.roles import Capability
from casework.people.choices import ConsentPurpose, IndexKind
from casework.people.identity import IdentityData, index_terms, normalise_file_number
from casework.people.models import BlindIndex, Consent, Household, Identity, Person

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand stays right.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code(prefix: str) -> str:
    """A random pseudonymous code such as P-7K3M-Q9XD (about 10^12 possibilities)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


def save_with_new_code(obj: Any, prefix: str) -> None:
    for _attempt in range(5):
        obj.code = new_code(prefix)
        try:
            with transaction.atomic():
                obj.save()
            return
        except IntegrityError:
            if type(obj).objects.filter(code=obj.code).exists():
                continue
            raise
    raise RuntimeError("Could not draw a free pseudonymous code")


def _check_birth(data: IdentityData, birth_year: int | None) -> int | None:
    if data.date_of_birth:
        if birth_year and birth_year != data.date_of_birth.year:
            raise ValidationError(
                {"birth_year": _("The birth year differs from the date of birth.")}
            )
        if data.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
        return data.date_of_birth.year
    if birth_year and not 1900 <= birth_year <= timezone.localdate().year:
        raise ValidationError({"birth_year": _("Give a birth year between 1900 and this year.")})
    return birth_year


@transaction.atomic
def register_person(
    organisation: Organisation,
    data: IdentityData,
    *,
    birth_year: int | None = None,
    household: Household | None = None,
    **attributes: Any,
) -> Person:
    """A new person: the coded profile, the sealed identity and its search indexes."""
    if household is not None and household.organisation_id != organisation.pk:
        raise ValidationError({"household": _("That household belongs to another organisation.")})
    person = Person(
        organisation=organisation,
        birth_year=_check_birth(data, birth_year),
        household=household,
        **attributes,
    )
    person.full_clean(exclude=["code"])
    save_with_new_code(person, "P")
    identity = Identity(person=person, organisation=organisation)
    identity.seal(data)
    identity.save()
    _reindex(person, data)
    return person


@transaction.atomic
def update_identity(person: Person, data: IdentityData) -> Person:
    """Replace the identifying details of `person`; the indexes follow."""
    if person.erased_at:
        raise ErasedError(_("This person's identity was erased; it cannot be given again."))
    year = _check_birth(data, None if data.date_of_birth else person.birth_year)
    if year != person.birth_year:
        person.birth_year = year
        person.save()
    identity = person.identity
    identity.seal(data)
    identity.save()
    _reindex(person, data)
    return person


class ErasedError(PermissionDenied):
    """The person's identity was erased: it cannot be read or given again."""


def erase_identity(person: Person) -> int:
    """Overwrite the sealed identity with an empty one and drop the search indexes; the
    person keeps their code and coded attributes (erasure, casework.core.subjects)."""
    identity = person.identity
    identity.seal(IdentityData())
    identity.save()
    dropped, _by_model = person.blind_indexes.all().delete()
    person.erased_at = timezone.now()
    person.save(update_fields=["erased_at", "updated_at"])
    return 1 + dropped


def identity_section(person: Person) -> list[dict[str, Any]]:
    if person.erased_at:
        return []
    data = person.identity.open()
    return [
        {
            "given_names": data.given_names,
            "family_name": data.family_name,
            "aliases": data.aliases,
            "date_of_birth": data.date_of_birth,
            "phone": data.phone,
            "address": data.address,
            "file_numbers": data.file_numbers,
        }
    ]


def person_section(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "code": person.code,
            "birth_year": person.birth_year,
            "age_band": person.get_age_band_display(),
            "gender": person.get_gender_display(),
            "nationality": person.get_nationality_display(),
            "languages": person.languages,
            "interpreter_needed": person.interpreter_needed,
            "household": person.household.code if person.household else None,
            "relationship": person.get_relationship_display(),
            "registered": person.created_at,
        }
    ]


def consent_section(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "purpose": consent.get_purpose_display(),
            "service": consent.service,
            "how_given": consent.get_method_display(),
            "language": consent.language,
            "given_on": consent.given_on,
            "withdrawn_on": consent.withdrawn_on,
        }
        for consent in person.consents.all()
    ]


@transaction.atomic
def create_household(organisation: Organisation) -> Household:
    household = Household(organisation=organisation)
    save_with_new_code(household, "H")
    return household


def _digests(organisation_id: int, terms: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    ring = keyring()
    return [(kind, ring.blind_index(kind, value, organisation_id)) for kind, value in terms]


def _reindex(person: Person, data: IdentityData) -> None:
    BlindIndex.objects.filter(person=person).delete()
    BlindIndex.objects.bulk_create(
        BlindIndex(organisation_id=person.organisation_id, person=person, kind=kind, digest=digest)
        for kind, digest in _digests(person.organisation_id, index_terms(data, person.birth_year))
    )


def _matching(organisation_id: int, pairs: Iterable[tuple[str, str]]) -> QuerySet:
    """Index rows with any of the (kind, digest) pairs: one `IN` per kind, so that the query
    stays the same size however many names or file numbers a person has."""
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, digest in pairs:
        by_kind[kind].add(digest)
    condition = Q(pk__in=[])
    for kind, digests in sorted(by_kind.items()):
        condition |= Q(kind=kind, digest__in=sorted(digests))
    return BlindIndex.objects.filter(condition, organisation_id=organisation_id)


def search_digests(
    organisation_id: int,
    *,
    name: str = "",
    date_of_birth: dt.date | None = None,
    file_number: str = "",
) -> list[tuple[str, str]]:
    """The keyed hashes an identity search compares: safe to keep (they cannot be read
    back), where the typed name or date of birth must never be kept or put in a URL."""
    terms = []
    if name.strip():
        terms.append((IndexKind.NAME, normalise_name(name)))
    if date_of_birth:
        terms.append((IndexKind.DATE_OF_BIRTH, date_of_birth.isoformat()))
    if file_number.strip():
        terms.append((IndexKind.FILE_NUMBER, normalise_file_number(file_number)))
    return _digests(organisation_id, terms)


def people_matching(user: Any, digests: list[tuple[str, str]]) -> QuerySet:
    """People the user may see who match every (kind, digest) of an identity search.

    The search itself is audited: which kinds of value were looked up, never the values.
    """
    principal = principal_of(user)
    people = Person.objects.visible_to(user)
    if not principal.is_organisation or not digests:
        return people.none()
    for kind, digest in digests:
        people = people.filter(
            Exists(BlindIndex.objects.filter(person=OuterRef("pk"), kind=kind, digest=digest))
        )
    record(
        Action.SEARCH,
        object_type="people.person",
        user=user,
        changed_fields=sorted({kind for kind, _ in digests}),
    )
    return people


def find_people(
    user: Any,
    *,
    name: str = "",
    date_of_birth: dt.date | None = None,
    file_number: str = "",
) -> QuerySet:
    """People the user may see whose identity matches every criterion given, exactly
    (after normalising case, accents, spacing and word order)."""
    principal = principal_of(user)
    if not principal.is_organisation:
        return Person.objects.none()
    digests = search_digests(
        principal.org_id, name=name, date_of_birth=date_of_birth, file_number=file_number
    )
    return people_matching(user, digests)


@dataclass(frozen=True)
class Duplicate:
    person: Person
    reasons: tuple[str, ...]


DUPLICATE_REASONS = {
    IndexKind.NAME_DOB: _("same name and date of birth"),
    IndexKind.FILE_NUMBER: _("same file number"),
    IndexKind.PHONETIC_YEAR: _("similar-sounding name, same birth year"),
}


def likely_duplicates(
    organisation: Organisation,
    data: IdentityData,
    birth_year: int | None = None,
    *,
    exclude: Person | None = None,
) -> list[Duplicate]:
    """People of the organisation who are probably the person being registered."""
    terms = [t for t in index_terms(data, birth_year) if t[0] in DUPLICATE_REASONS]
    if not terms:
        return []
    hits = _matching(organisation.pk, _digests(organisation.pk, terms)).select_related("person")
    if exclude is not None:
        hits = hits.exclude(person=exclude)
    reasons: dict[Person, set[str]] = defaultdict(set)
    for hit in hits:
        reasons[hit.person].add(str(DUPLICATE_REASONS[hit.kind]))
    return [Duplicate(person, tuple(sorted(why))) for person, why in reasons.items()]


def read_identity(person: Person, user: Any) -> IdentityData:
    """Open a person's identity for a user allowed to see it; the read is audited."""
    principal = principal_of(user)
    if not (principal.can(Capability.PERSONAL_DATA_VIEW) and principal.owns(person)):
        raise PermissionDenied
    if person.erased_at:
        return IdentityData()
    identity = person.identity
    record(Action.READ, obj=identity, user=user)
    return identity.open()


@transaction.atomic
def record_consent(
    person: Person,
    *,
    purpose: str,
    given_on: dt.date,
    method: str,
    language: str,
    service: str = "",
) -> Consent:
    if purpose == ConsentPurpose.SHARE_WITH_SERVICE and not service.strip():
        raise ValidationError({"service": _("Name the service the person agreed to share with.")})
    consent = Consent(
        organisation_id=person.organisation_id,
        person=person,
        purpose=purpose,
        given_on=given_on,
        method=method,
        language=language,
        service=service.strip(),
    )
    consent.full_clean()
    consent.save()
    return consent


def consent_for(
    person: Person, purpose: str, *, on: dt.date | None = None, service: str = ""
) -> Consent | None:
    """The consent in force on `on` (default today) that allows `purpose` for `person`, or
    None: the one check every app makes before it shares a person's details with a service,
    moves them to another organisation or counts them in row-level network evidence.
    Sharing with a service needs a consent naming that service (case and spaces aside)."""
    day = on or timezone.localdate()
    found = Consent.objects.filter(person=person, purpose=purpose, given_on__lte=day).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day)
    )
    if purpose == ConsentPurpose.SHARE_WITH_SERVICE:
        named = service.strip()
        if not named:
            return None
        found = found.filter(service__iexact=named)
    return found.order_by("-given_on", "-pk").first()


@transaction.atomic
def withdraw_consent(consent: Consent, on: dt.date) -> Consent:
    """From `on`, the purpose no longer applies to this person anywhere it is used."""
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    if on < consent.given_on:
        raise ValidationError(
            {"withdrawn_on": _("Consent cannot be withdrawn before it was given.")}
        )
    consent.withdrawn_on = on
    consent.save()
    return consent


@transaction.atomic
def update_person(
    person: Person, data: IdentityData, *, expected_version: int, **profile: Any
) -> Person:
    """Correct a person's identity and profile; refused if someone saved in between."""
    fresh = Person.objects.select_for_update().get(pk=person.pk)
    if fresh.version != expected_version:
        raise StaleVersionError(_("This person was changed by someone else meanwhile."))
    for field, value in profile.items():
        setattr(fresh, field, value)
    fresh.birth_year = _check_birth(data, profile.get("birth_year", fresh.birth_year))
    fresh.version += 1
    fresh.full_clean()
    fresh.save()
    update_identity(fresh, data)
    return fresh


@transaction.atomic
def add_household_member(
    head: Person,
    data: IdentityData,
    *,
    relationship: str,
    birth_year: int | None = None,
    **profile: Any,
) -> Person:
    """Register a family member in `head`'s household (created on the first member)."""
    if relationship == "head":
        raise ValidationError({"relationship": _("The household already has its head.")})
    household = head.household
    if household is None:
        household = create_household(head.organisation)
        head.household, head.relationship = household, "head"
        head.save()
    return register_person(
        head.organisation,
        data,
        birth_year=birth_year,
        household=household,
        relationship=relationship,
        **profile,
    )


def merged_identity(keep: IdentityData, other: IdentityData) -> IdentityData:
    """One identity from two: `keep` wins; the other's names become aliases, numbers join."""
    names = {normalise_name(n) for n in keep.names()}
    aliases = list(keep.aliases)
    for name in other.names():
        if normalise_name(name) not in names:
            aliases.append(name)
            names.add(normalise_name(name))
    numbers = list(dict.fromkeys([*keep.file_numbers, *other.file_numbers]))
    return IdentityData(
        given_names=keep.given_names or other.given_names,
        family_name=keep.family_name or other.family_name,
        aliases=aliases,
        date_of_birth=keep.date_of_birth or other.date_of_birth,
        phone=keep.phone or other.phone,
        address=keep.address or other.address,
        file_numbers=numbers,
    )


def may_exercise_rights(user: Any, person: Person) -> bool:
    principal = principal_of(user)
    return principal.can(Capability.SUBJECT_RIGHTS) and principal.owns(person)


def subject_access(person: Person, user: Any) -> dict[str, Any]:
    """Everything held on `person` (GDPR Article 15), for their organisation's admin; the
    export is audited."""
    if not may_exercise_rights(user, person):
        raise PermissionDenied
    from casework.core import subjects

    record(Action.EXPORT, obj=person, user=user)
    return subjects.report(person)


@transaction.atomic
def erase_person(person: Person, user: Any) -> dict[str, int]:
    """Erase `person` (GDPR Article 17): identity, documents and free text go, coded data
    stays for the statistics. Audited without any erased value."""
    if not may_exercise_rights(user, person):
        raise PermissionDenied
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.erased_at:
        raise ErasedError(_("This person was already erased."))
    return _erase(person, user)


def _erase(person: Person, user: Any, *, why: str = "") -> dict[str, int]:
    from casework.core import subjects

    changed = subjects.erase(person)
    fields = [k for k, n in changed.items() if n] + ([why] if why else [])
    record(Action.ERASED, obj=person, user=user, changed_fields=fields)
    transaction.on_commit(_forget_old_pages)
    return changed


@transaction.atomic
def erase_past_retention(person: Person) -> dict[str, int]:
    """Erase a person whose organisation's retention period has passed (`casework retention
    run`); audited as the system's erasure, marked "retention"."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.erased_at:
        raise ErasedError(_("This person was already erased."))
    return _erase(person, None, why="retention")


def _forget_old_pages() -> None:
    """SQLite keeps the pages an erasure overwrote in its write-ahead log until a checkpoint:
    write them back and empty the log, so no copy of the erased values stays in a file.
    (PostgreSQL's old row versions never reach a dump and are vacuumed away.)"""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
