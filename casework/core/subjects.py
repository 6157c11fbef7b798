"""The rights of the data subject: everything held on one person, and its erasure.

Each app that stores something about a person registers a `Section` from its `ready()`: what
it holds (`collect`, for the subject-access export, GDPR Article 15) and how to erase it
(`erase`, Article 17). The person's page (casework.people) runs every section without
importing the apps above it, as releases do with their contributors.

Erasure removes identity, documents and free text, and keeps the coded, non-identifying rows
that the network's statistics count (a case's dates, stage and outcome; coded events; typed
form rows such as outcome ratings). The person keeps their random code, marked erased.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

Record = dict[str, Any]


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    collect: Callable[[Any], list[Record]]
    # Erases what the section holds on the person; returns how many rows it changed.
    erase: Callable[[Any], int] | None = None
    order: int = 100


SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    SECTIONS[section.key] = section


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


def report(person: Any) -> dict[str, Any]:
    """Everything held on `person`, section by section, as plain values (JSON-ready)."""
    return {
        "person": person.code,
        "organisation": str(person.organisation),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "erased_at": person.erased_at.isoformat() if person.erased_at else None,
        "sections": [
            {"key": s.key, "title": str(s.title), "records": [_plain(r) for r in s.collect(person)]}
            for s in sections()
        ],
    }


def erase(person: Any) -> dict[str, int]:
    """Run every section's erasure (in the caller's transaction); rows changed per section."""
    return {s.key: s.erase(person) for s in sections() if s.erase is not None}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    return value
