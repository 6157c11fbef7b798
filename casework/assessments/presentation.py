"""What the case page shows of forms: the case's submissions and the forms one can fill."""

from __future__ import annotations

from typing import Any

from casework.assessments.models import Form, Submission
from casework.cases.models import Case


def case_section(case: Case, user: Any) -> dict[str, Any]:
    return {
        "submissions": Submission.objects.visible_to(user)
        .filter(case=case)
        .select_related("form_version__form", "submitted_by", "created_by"),
        "forms": Form.for_cases(Form.objects.visible_to(user))
        .filter(versions__isnull=False)
        .distinct(),
    }
