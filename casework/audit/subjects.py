"""Who read or changed a person's record, for their subject-access export
(casework.core.subjects). The log itself is never erased: it names codes, not values."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.audit.models import AuditEntry
from casework.core.subjects import Record, Section, register


def access_log(person: Any) -> list[Record]:
    codes = [person.code, *person.cases.values_list("code", flat=True)]
    about = Q()
    for code in codes:
        about |= Q(subject__contains=code)
    entries = AuditEntry.objects.filter(about, organisation_id=person.organisation_id)
    return [
        {
            "at": e.at,
            "who": e.actor or "",
            "what": e.get_action_display(),
            "record": e.object_type,
            "fields": e.changed_fields,
        }
        for e in entries.order_by("at", "pk")
    ]


def register_sections() -> None:
    register(Section("access_log", _("Who read or changed the record"), access_log, order=200))
