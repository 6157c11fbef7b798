"""Sections of the case page contributed by other apps (registered in AppConfig.ready).

`cases` cannot import the apps below it, yet the case page shows their records (the
immigration procedure, forms, referrals): each of them registers a section here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casework.cases.models import Case


@dataclass(frozen=True)
class Section:
    template: str
    context: Callable[[Case, Any], dict[str, Any]]  # (case, user) → template context
    order: int = 50


SECTIONS: list[Section] = []


def register(section: Section) -> None:
    if section not in SECTIONS:
        SECTIONS.append(section)
        SECTIONS.sort(key=lambda s: s.order)


def sections_for(case: Case, user: Any) -> list[tuple[str, dict[str, Any]]]:
    return [
        (section.template, {"case": case, **section.context(case, user)}) for section in SECTIONS
    ]
