"""What the immigration app shows on the case page and on the home page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from casework.cases.models import Case
from casework.core.access import Principal
from casework.core.roles import Capability
from casework.immigration.forms import AppointmentForm, LegalStatusForm, ProcedureEventForm
from casework.immigration.models import Appointment


def case_section(case: Case, user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "events": case.procedure_events.all()[:50],
        "statuses": case.legal_statuses.all(),
        "detentions": case.detentions.all(),
        "appointments": case.appointments.all(),
        "today": today,
        "event_form": ProcedureEventForm(
            initial={"on": today, "source": "person"}, auto_id="procedure_%s"
        ),
        "status_form": LegalStatusForm(initial={"since": today}, auto_id="legal_%s"),
        "appointment_form": AppointmentForm(
            initial={"on": today + dt.timedelta(days=7)}, auto_id="appointment_%s"
        ),
    }


def upcoming(request: HttpRequest, principal: Principal) -> dict[str, Any] | None:
    if not principal.is_organisation:
        return None
    today = timezone.localdate()
    appointments = (
        Appointment.objects.visible_to(request.user)
        .filter(outcome="", on__gte=today, on__lte=today + dt.timedelta(days=14))
        .select_related("case")
    )
    if not principal.can(Capability.CASES_SUPERVISE):
        appointments = appointments.filter(case__case_manager=request.user)
    return {"appointments": appointments.order_by("on")[:30]}
