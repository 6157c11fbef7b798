"""The immigration procedure's actions on the case page (built on cases' action view)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from casework.cases.models import Case
from casework.cases.views import CaseActionView
from casework.core.access import get_visible_or_404
from casework.core.http import user_of
from casework.immigration.forms import (
    AppointmentForm,
    LegalStatusForm,
    OutcomeForm,
    ProcedureEventForm,
)
from casework.immigration.models import Appointment
from casework.immigration.services import (
    record_appointment_outcome,
    record_procedure_event,
    schedule_appointment,
    set_legal_status,
)


class ProcedureEventView(CaseActionView):
    form_class = ProcedureEventForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        record_procedure_event(
            case,
            data["kind"],
            on=data["on"],
            source=data["source"],
            place_type=data["place_type"] or "unknown",
            by=user_of(self.request),
        )
        return _("Procedure event recorded.")


class LegalStatusView(CaseActionView):
    form_class = LegalStatusForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        set_legal_status(case, data["status"], since=data["since"], by=user_of(self.request))
        return _("Legal status recorded.")


class AppointmentView(CaseActionView):
    form_class = AppointmentForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        schedule_appointment(case, data["kind"], on=data["on"])
        return _("Appointment added.")


class AppointmentOutcomeView(CaseActionView):
    form_class = OutcomeForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        appointment = get_visible_or_404(
            Appointment.objects, self.request.user, case=case, uid=self.kwargs["uid"]
        )
        record_appointment_outcome(appointment, data["outcome"], by=user_of(self.request))
        return _("Outcome recorded.")
