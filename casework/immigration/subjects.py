"""What the immigration app holds on a person, for subject access (casework.core.subjects):
the procedure, legal statuses, detention and reporting appointments. All of it is coded,
so erasure keeps it for the statistics."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from casework.core.subjects import Record, Section, register
from casework.immigration.models import Appointment, DetentionEpisode, LegalStatus, ProcedureEvent


def procedure(person: Any) -> list[Record]:
    rows = ProcedureEvent.objects.filter(case__person=person).select_related("case")
    return [
        {
            "case": e.case.code,
            "date": e.occurred_on,
            "event": e.get_kind_display(),
            "source": e.get_source_display(),
        }
        for e in rows.order_by("occurred_on", "pk")
    ]


def legal_statuses(person: Any) -> list[Record]:
    rows = LegalStatus.objects.filter(case__person=person).select_related("case")
    return [
        {"case": s.case.code, "status": s.get_status_display(), "since": s.since}
        for s in rows.order_by("since", "pk")
    ]


def detention(person: Any) -> list[Record]:
    rows = DetentionEpisode.objects.filter(case__person=person).select_related("case")
    return [
        {
            "case": d.case.code,
            "detained_on": d.started_on,
            "released_on": d.ended_on,
            "place": d.get_place_type_display(),
        }
        for d in rows.order_by("started_on", "pk")
    ]


def appointments(person: Any) -> list[Record]:
    rows = Appointment.objects.filter(case__person=person).select_related("case")
    return [
        {
            "case": a.case.code,
            "date": a.on,
            "appointment": a.get_kind_display(),
            "outcome": a.get_outcome_display() if a.outcome else "",
        }
        for a in rows.order_by("on", "pk")
    ]


def register_sections() -> None:
    register(Section("procedure", _("Immigration procedure"), procedure, order=70))
    register(Section("legal_statuses", _("Legal statuses"), legal_statuses, order=71))
    register(Section("detention", _("Detention"), detention, order=72))
    register(Section("appointments", _("Reporting appointments"), appointments, order=73))
