"""What the cases app holds on a person, for subject access and erasure (casework.core.subjects):
their cases, timelines, contacts, goals, tasks, approvals and documents."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from casework.cases.models import Approval, Case, Contact, Document, Goal, Task, TimelineEvent
from casework.core.subjects import Record, Section, register


def _cases(person: Any) -> Any:
    return Case.objects.filter(person=person).order_by("referral_date", "pk")


def cases(person: Any) -> list[Record]:
    return [
        {
            "case": case.code,
            "project": case.project.name,
            "case_manager": str(case.case_manager or ""),
            "referral_date": case.referral_date,
            "referral_source": case.get_referral_source_display(),
            "intake_date": case.intake_date,
            "detention_status_at_referral": case.get_detention_status_display(),
            "immigration_status": case.get_immigration_status_display(),
            "stage": case.get_stage_display(),
            "closed_on": case.closed_on,
            "exit_reason": case.get_exit_reason_display() if case.exit_reason else "",
            "resolution": case.get_resolution_display() if case.resolution else "",
            "vulnerabilities": [v.get_flag_display() for v in case.vulnerabilities.all()],
        }
        for case in _cases(person).select_related("project", "case_manager")
    ]


def timeline(person: Any) -> list[Record]:
    events = TimelineEvent.objects.filter(case__person=person).select_related("case")
    return [
        {
            "case": e.case.code,
            "date": e.occurred_on,
            "kind": e.get_kind_display(),
            "summary": e.summary,
            "recorded": e.recorded_at,
        }
        for e in events.order_by("occurred_on", "pk")
    ]


def contacts(person: Any) -> list[Record]:
    rows = Contact.objects.filter(case__person=person).select_related("case")
    return [
        {
            "case": c.case.code,
            "date": c.occurred_on,
            "mode": c.get_mode_display(),
            "attended": c.attended,
            "interpreter_used": c.interpreter_used,
            "minutes": c.duration_minutes,
            "note": c.note,
        }
        for c in rows.order_by("occurred_on", "pk")
    ]


def goals(person: Any) -> list[Record]:
    rows = Goal.objects.filter(case__person=person).select_related("case").order_by("pk")
    return [
        {
            "case": g.case.code,
            "domain": g.get_domain_display(),
            "goal": g.description,
            "target_date": g.target_date,
            "status": g.get_status_display(),
        }
        for g in rows
    ]


def tasks(person: Any) -> list[Record]:
    rows = Task.objects.filter(case__person=person).select_related("case").order_by("pk")
    return [
        {"case": t.case.code, "task": t.title, "due": t.due_on, "done": t.done_on} for t in rows
    ]


def approvals(person: Any) -> list[Record]:
    rows = Approval.objects.filter(case__person=person).select_related("case").order_by("pk")
    return [
        {
            "case": a.case.code,
            "for": a.get_kind_display(),
            "status": a.get_status_display(),
            "asked": a.created_at,
            "decided_on": a.decided_on,
            "comment": a.comment,
        }
        for a in rows
    ]


def documents(person: Any) -> list[Record]:
    rows = Document.objects.filter(person=person).select_related("case").order_by("pk")
    return [
        {
            "document": d.filename,
            "kind": d.get_kind_display(),
            "case": d.case.code if d.case else "",
            "size_bytes": d.size,
            "added": d.created_at,
        }
        for d in rows
    ]


def _blank(rows: Any, field: str) -> int:
    changed = 0
    for row in rows:
        if getattr(row, field):
            setattr(row, field, "")
            row.save(update_fields=[field, "updated_at"])
            changed += 1
    return changed


def erase(person: Any) -> int:
    """Free text blanked (notes, goals, tasks, comments), documents deleted; the cases, their
    coded events and dates stay for the statistics."""
    of_person = {"case__person": person}
    changed = _blank(Contact.objects.filter(**of_person), "note")
    changed += _blank(Goal.objects.filter(**of_person), "description")
    changed += _blank(Task.objects.filter(**of_person), "title")
    changed += _blank(Approval.objects.filter(**of_person), "comment")
    for document in Document.objects.filter(person=person):
        document.delete()  # its sealed content goes with it
        changed += 1
    return changed


def register_sections() -> None:
    register(Section("cases", _("Cases"), cases, erase, order=40))
    register(Section("timeline", _("Timeline"), timeline, order=50))
    register(Section("contacts", _("Contacts"), contacts, order=60))
    register(Section("goals", _("Goals"), goals, order=61))
    register(Section("tasks", _("Tasks"), tasks, order=62))
    register(Section("approvals", _("Approvals"), approvals, order=63))
    register(Section("documents", _("Documents"), documents, order=64))
