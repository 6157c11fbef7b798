"""What an identity record holds once opened, and the blind-index terms derived from it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field

import jellyfish

from casework.core.crypto import normalise, normalise_name
from casework.people.choices import IndexKind


@dataclass
class IdentityData:
    """Names, date of birth, contact details and file numbers: never stored in clear."""

    given_names: str = ""
    family_name: str = ""
    aliases: list[str] = field(default_factory=list)
    date_of_birth: dt.date | None = None
    phone: str = ""
    address: str = ""
    file_numbers: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.family_name) if part)

    def names(self) -> list[str]:
        return [name for name in (self.full_name, *self.aliases) if normalise(name)]

    def to_bytes(self) -> bytes:
        data = asdict(self)
        data["date_of_birth"] = self.date_of_birth.isoformat() if self.date_of_birth else None
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> IdentityData:
        data = json.loads(raw)
        if data.get("date_of_birth"):
            data["date_of_birth"] = dt.date.fromisoformat(data["date_of_birth"])
        return cls(**data)


def normalise_file_number(value: str) -> str:
    return normalise(value).replace(" ", "")


def phonetic(name: str) -> str:
    """The sound of a name: Metaphone of each word, in a fixed order."""
    return " ".join(sorted(jellyfish.metaphone(word) for word in normalise(name).split()))


def index_terms(data: IdentityData, birth_year: int | None) -> set[tuple[str, str]]:
    """(kind, normalised value) pairs to keep as blind indexes for exact-match search."""
    terms: set[tuple[str, str]] = set()
    dob = data.date_of_birth.isoformat() if data.date_of_birth else ""
    year = data.date_of_birth.year if data.date_of_birth else birth_year
    if dob:
        terms.add((IndexKind.DATE_OF_BIRTH, dob))
    for name in data.names():
        terms.add((IndexKind.NAME, normalise_name(name)))
        if dob:
            terms.add((IndexKind.NAME_DOB, f"{normalise_name(name)}|{dob}"))
        if year:
            terms.add((IndexKind.PHONETIC_YEAR, f"{phonetic(name)}|{year}"))
    for number in data.file_numbers:
        if normalise_file_number(number):
            terms.add((IndexKind.FILE_NUMBER, normalise_file_number(number)))
    return terms
