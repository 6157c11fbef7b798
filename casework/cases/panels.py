"""The case manager's and the supervisor's panels on the home page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from casework.accounts.models import Organisation
from casework.cases.choices import ApprovalStatus, Stage
from casework.cases.models import Approval, Case, Task
from casework.cases.services import at_risk
from casework.core.access import Principal
from casework.core.home import Panel, register
from casework.core.roles import Capability


def my_work(request: HttpRequest, principal: Principal) -> dict[str, Any] | None:
    if not principal.is_organisation:
        return None
    user = request.user
    supervising = principal.can(Capability.CASES_SUPERVISE)
    cases = Case.objects.visible_to(user)
    mine = cases.filter(case_manager=user)
    by_stage = dict(mine.open().values_list("stage").annotate(n=Count("pk")).order_by())
    today = timezone.localdate()
    organisation = Organisation.objects.get(pk=principal.org_id)
    risky = at_risk(cases if supervising else mine, organisation).select_related("person")
    return {
        "stages": [
            (stage, by_stage.get(stage.value, 0)) for stage in Stage if stage != Stage.CLOSED
        ],
        "overdue": Task.objects.visible_to(user)
        .filter(assignee=user, done_on__isnull=True, due_on__lt=today)
        .select_related("case")
        .order_by("due_on")[:20],
        "at_risk": risky.order_by("quiet_since")[:20],
        "at_risk_count": risky.count(),
        "alert_days": organisation.disengagement_alert_days,
        "approvals": Approval.objects.visible_to(user)
        .filter(status=ApprovalStatus.PENDING)
        .select_related("case", "requested_by")[:50]
        if supervising
        else [],
        "supervising": supervising,
    }


def register_panels() -> None:
    register(Panel("cases/partials/home_work.html", my_work, (Capability.CASES_WORK,), order=10))
