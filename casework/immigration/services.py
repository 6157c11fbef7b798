"""Writes on the immigration procedure; each also writes the case's timeline through `cases`.

Detention, release and removal change the person's engagement too, so "status on a date"
stays one query over the engagement periods.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.cases.choices import Engagement, EventKind
from casework.cases.models import Case
from casework.cases.services import (
    CaseRuleError,
    add_event,
    current_period,
    record_engagement,
    require_open,
)
from casework.immigration.choices import AppointmentOutcome, PlaceType, ProcedureKind
from casework.immigration.models import Appointment, DetentionEpisode, LegalStatus, ProcedureEvent

# Procedure events that change where the person is, and so their engagement.
ENGAGEMENT_AFTER: dict[str, Engagement] = {
    ProcedureKind.DETAINED: Engagement.DETAINED,
    ProcedureKind.RELEASED: Engagement.ENGAGED,
    ProcedureKind.REMOVAL: Engagement.REMOVED,
}
APPOINTMENT_EVENT = {
    ("reporting", "attended"): ProcedureKind.REPORTING_ATTENDED,
    ("reporting", "missed"): ProcedureKind.REPORTING_MISSED,
    ("interview", "attended"): ProcedureKind.INTERVIEW,
    ("hearing", "attended"): ProcedureKind.HEARING,
}


@transaction.atomic
def record_procedure_event(
    case: Case,
    kind: str,
    *,
    on: dt.date,
    source: str = "person",
    place_type: str = PlaceType.UNKNOWN,
    by: User | None = None,
) -> ProcedureEvent:
    case = Case.objects.select_for_update().get(pk=case.pk)  # one procedure change at a time
    require_open(case)
    open_episode = case.detentions.filter(ended_on__isnull=True).first()
    if kind == ProcedureKind.DETAINED and open_episode is not None:
        raise CaseRuleError(_("The person is already recorded as detained."))
    if kind == ProcedureKind.RELEASED and open_episode is None:
        raise CaseRuleError(_("The person is not recorded as detained."))
    if open_episode is not None and kind != ProcedureKind.DETAINED and on < open_episode.started_on:
        raise CaseRuleError(_("The event is dated before the detention began."))
    event = ProcedureEvent(
        organisation_id=case.organisation_id, case=case, occurred_on=on, kind=kind, source=source
    )
    event.full_clean()
    event.save()
    if kind == ProcedureKind.DETAINED:
        DetentionEpisode.objects.create(
            organisation_id=case.organisation_id, case=case, started_on=on, place_type=place_type
        )
    elif kind in (ProcedureKind.RELEASED, ProcedureKind.REMOVAL) and open_episode is not None:
        open_episode.ended_on = on
        open_episode.save()
    add_event(
        case,
        EventKind.PROCEDURE,
        event.get_kind_display(),
        on=on,
        by=by,
        source=event,
        data={"kind": kind, "source": source},
    )
    status = ENGAGEMENT_AFTER.get(kind)
    period = current_period(case)
    if status and period is not None and period.status != status:
        record_engagement(case, status, on=on, by=by)
    return event


@transaction.atomic
def set_legal_status(
    case: Case, status: str, *, since: dt.date, by: User | None = None
) -> LegalStatus:
    require_open(case)
    latest = case.legal_statuses.first()
    if latest is not None and since < latest.since:
        raise CaseRuleError(_("A newer legal status is already recorded."))
    legal = LegalStatus(organisation_id=case.organisation_id, case=case, status=status, since=since)
    legal.full_clean()
    legal.save()
    add_event(
        case,
        EventKind.LEGAL_STATUS,
        _("Legal status: %(status)s") % {"status": legal.get_status_display()},
        on=since,
        by=by,
        source=legal,
        data={"status": status},
    )
    return legal


@transaction.atomic
def schedule_appointment(case: Case, kind: str, *, on: dt.date) -> Appointment:
    require_open(case)
    appointment = Appointment(organisation_id=case.organisation_id, case=case, kind=kind, on=on)
    appointment.full_clean()
    appointment.save()
    return appointment


@transaction.atomic
def record_appointment_outcome(
    appointment: Appointment, outcome: str, *, by: User | None = None
) -> Appointment:
    """Attended or missed: reporting, interviews and hearings become procedure events."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.outcome:
        raise CaseRuleError(_("The outcome of this appointment is already recorded."))
    if outcome not in (
        AppointmentOutcome.ATTENDED,
        AppointmentOutcome.MISSED,
        AppointmentOutcome.CANCELLED,
    ):
        raise CaseRuleError(_("Choose attended, missed or cancelled."))
    if outcome != AppointmentOutcome.CANCELLED and appointment.on > timezone.localdate():
        raise CaseRuleError(_("This appointment has not happened yet."))
    appointment.outcome = outcome
    appointment.save()
    kind = APPOINTMENT_EVENT.get((appointment.kind, outcome))
    if kind:
        record_procedure_event(appointment.case, kind, on=appointment.on, source="staff", by=by)
    return appointment
