"""What the referrals app holds on a person, for subject access and erasure
(casework.core.subjects): their referrals to services and every change of their status.
Erasure blanks the free text (why, the outcome, the notes of each change); the coded rows
(service, provider, dates, statuses) stay for the statistics."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from casework.core.subjects import Record, Section, register
from casework.referrals.models import Referral, ReferralStep


def referrals(person: Any) -> list[Record]:
    rows = (
        Referral.objects.filter(case__person=person)
        .select_related("case")
        .prefetch_related(
            Prefetch("steps", queryset=ReferralStep.objects.select_related("taken_by"))
        )
    )
    return [
        {
            "case": r.case.code,
            "service": r.get_service_type_display(),
            "provider": r.provider,
            "sent_on": r.sent_on,
            "why": r.reason,
            "details_shared": r.shares_details,
            "status": r.get_status_display(),
            "status_since": r.status_on,
            "follow_up_on": r.follow_up_on,
            "outcome": r.outcome,
            "steps": [
                {
                    "date": s.on,
                    "status": s.get_status_display(),
                    "note": s.note,
                    "by": str(s.taken_by or ""),
                }
                for s in r.steps.all()
            ],
        }
        for r in rows.order_by("sent_on", "pk")
    ]


def erase(person: Any) -> int:
    """Why, outcomes and notes blanked; the referrals and their coded steps stay."""
    changed = 0
    for referral in Referral.objects.filter(case__person=person):
        if referral.reason or referral.outcome:
            referral.reason = referral.outcome = ""
            referral.save(update_fields=["reason", "outcome", "updated_at"])
            changed += 1
    for step in ReferralStep.objects.filter(referral__case__person=person):
        if step.note:
            step.note = ""
            step.save(update_fields=["note", "updated_at"])
            changed += 1
    return changed


def register_sections() -> None:
    register(Section("referrals", _("Referrals to services"), referrals, erase, order=75))
