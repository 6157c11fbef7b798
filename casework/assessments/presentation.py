"""What pages show of forms: the case's submissions and the forms one can fill, and a form
being filled (on a case, or the network's feedback questionnaire)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language

from casework.assessments.engine import FormState, pick_language
from casework.assessments.models import Form, FormVersion, Submission
from casework.cases.models import Case


def form_language(request: HttpRequest, version: FormVersion) -> str:
    """The form language asked for (`?lang=fr`), else the user's, else the form's own."""
    wanted = request.GET.get("lang") or request.POST.get("_lang") or get_language()
    return pick_language(version.definition, wanted or "")


def filling(
    request: HttpRequest, version: FormVersion, answers: dict[str, Any], *, complete: bool
) -> dict[str, Any]:
    """The context of a form being filled: its language, its state with the answers, and
    the problems to list above it once everything was checked (`complete`)."""
    language = form_language(request, version)
    state = FormState(version.definition, answers, language=language)
    state.hide_unshown_errors(complete=complete)
    return {
        "version": version,
        "language": language,
        "state": state,
        "problems": state.problems_to_show(complete=True) if complete else [],
    }


def case_section(case: Case, user: Any) -> dict[str, Any]:
    return {
        "submissions": Submission.objects.visible_to(user)
        .filter(case=case)
        .select_related("form_version__form", "submitted_by", "created_by"),
        "forms": Form.objects.visible_to(user)
        .for_cases()
        .filter(versions__isnull=False)
        .distinct(),
    }
