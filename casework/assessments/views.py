"""Pages of the forms library and of filling forms on a case."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from casework.assessments import exports
from casework.assessments.engine import (
    FormState,
    answers_from_post,
    apply_action,
    pick_language,
    with_defaults,
)
from casework.assessments.forms import UploadForm
from casework.assessments.models import Form, FormVersion, Submission
from casework.assessments.presentation import filling, form_language
from casework.assessments.services import (
    InvalidAnswers,
    discard_draft,
    import_form,
    may_add_forms,
    save_draft,
    submit,
)
from casework.assessments.xlsform import FormRejected
from casework.audit.services import record_read
from casework.cases.models import Case
from casework.core.access import get_visible_or_404
from casework.core.conflicts import StaleVersionError
from casework.core.http import user_of
from casework.core.roles import CASEWORK, Capability
from casework.core.views import AccessMixin


class FormListView(AccessMixin, ListView):
    """The forms one may fill or manage: the network's standard forms and one's own."""

    capabilities = (Capability.ORG_VIEW,)
    model = Form
    template_name = "assessments/form_list.html"

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .select_related("organisation")
            .prefetch_related(
                Prefetch(
                    "versions",
                    queryset=FormVersion.objects.only(
                        "pk", "form_id", "number", "version", "languages", "uploaded_at"
                    ),
                )
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if may_add_forms(self.principal):
            context["upload_form"] = UploadForm()
        return context


class FormUploadView(AccessMixin, View):
    """Import an XLSForm: a new form or a new version; refused forms store nothing."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        if not may_add_forms(self.principal):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(
                request, " ".join(str(e) for errors in form.errors.values() for e in errors)
            )
            return HttpResponseRedirect(reverse("assessments:form-list"))
        upload = form.cleaned_data["file"]
        try:
            version = import_form(upload.read(), upload.name, by=user_of(request))
        except FormRejected as rejected:
            return render(
                request,
                "assessments/form_rejected.html",
                {"errors": rejected.errors, "filename": upload.name},
                status=400,
            )
        messages.success(
            request,
            _("Imported “%(title)s”, version %(version)s.")
            % {"title": version.form.title, "version": version.version},
        )
        return HttpResponseRedirect(version.form.get_absolute_url())


class FormDetailView(AccessMixin, DetailView):
    """A form's versions and questions, in the reader's language."""

    capabilities = (Capability.ORG_VIEW,)
    model = Form
    template_name = "assessments/form_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        versions = list(self.object.versions.all())
        if not versions:
            raise Http404
        wanted = self.request.GET.get("version", "")
        shown = next((v for v in versions if str(v.number) == wanted), versions[0])
        language = pick_language(shown.definition, get_language() or "")
        context.update(
            versions=versions,
            shown=shown,
            state=FormState(shown.definition, with_defaults(shown.definition), language=language),
            can_export=self.principal.can(Capability.CASES_SUPERVISE),
        )
        return context


class FormExportView(AccessMixin, View):
    """One version of a form, written back to XLSForm."""

    capabilities = (Capability.ORG_VIEW,)

    def get(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        version = get_visible_or_404(FormVersion.objects, request.user, form_id=pk, number=number)
        return exports.xlsform_response(version)


class SubmissionExportView(AccessMixin, View):
    """The organisation's submitted answers to a form, one column per question."""

    capabilities = (*CASEWORK, Capability.CASES_SUPERVISE)

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        form = get_visible_or_404(Form.objects, request.user, pk=pk)
        return exports.submissions_response(form, request.user, fmt)


# Filling forms on a case --------------------------------------------------------------------------
class FillMixin(AccessMixin):
    capabilities = CASEWORK
    kwargs: dict[str, Any]

    def case(self) -> Case:
        return get_visible_or_404(Case.objects, self.request.user, code=self.kwargs["code"])

    def language(self, version: FormVersion) -> str:
        return form_language(self.request, version)

    def render_form(
        self,
        case: Case,
        version: FormVersion,
        answers: dict[str, Any],
        *,
        submission: Submission | None = None,
        complete: bool = False,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "case": case,
            "submission": submission,
            "complete": complete,
            **filling(self.request, version, answers, complete=complete),
        }
        return render(self.request, "assessments/fill.html", context, status=status)

    def handle(
        self, case: Case, version: FormVersion, submission: Submission | None
    ) -> HttpResponse:
        """One press of a button on the form: add or remove an entry, discard, save a
        draft or submit. Anything refused shows the form again with what was typed."""
        post = self.request.POST
        base = submission.answers if submission else with_defaults(version.definition)
        answers = answers_from_post(version.definition, post, base)
        action = post.get("_action", "submit")
        if action.startswith(("add:", "remove:")):
            apply_action(version.definition, answers, action)
            return self.render_form(case, version, answers, submission=submission)
        try:
            return self.perform(action, case, version, answers, submission)
        except InvalidAnswers:
            messages.error(
                self.request, _("Some answers need attention; nothing was submitted yet.")
            )
            return self.render_form(
                case, version, answers, submission=submission, complete=True, status=400
            )
        except StaleVersionError as error:  # someone saved the draft since it was opened
            messages.error(self.request, " ".join(error.messages))
            return self.render_form(case, version, answers, submission=submission, status=409)
        except ValidationError as error:  # the case's and the draft's rules
            messages.error(self.request, " ".join(error.messages))
            return self.render_form(case, version, answers, submission=submission, status=400)

    def perform(
        self,
        action: str,
        case: Case,
        version: FormVersion,
        answers: dict[str, Any],
        submission: Submission | None,
    ) -> HttpResponse:
        user, expected = user_of(self.request), _int(self.request.POST.get("_version"))
        if action == "discard" and submission is not None:
            discard_draft(submission, by=user, expected_version=expected)
            messages.success(self.request, _("Draft discarded."))
            return HttpResponseRedirect(case.get_absolute_url() + "#forms-h")
        service = save_draft if action == "draft" else submit
        saved = service(
            case, version, answers, by=user, submission=submission, expected_version=expected
        )
        messages.success(
            self.request,
            _("Draft saved. Finish it any time from the case page.")
            if action == "draft"
            else _("Form submitted; it is on the case's timeline."),
        )
        return HttpResponseRedirect(saved.get_absolute_url())


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None


class NewSubmissionView(FillMixin, View):
    """Fill a form on a case: `?form=<id>` picks the form; its latest version is used."""

    def version(self) -> FormVersion:
        form = get_visible_or_404(Form.objects.for_cases(), self.request.user, pk=self.form_pk())
        version = form.current_version()
        if version is None:
            raise Http404
        return version

    def form_pk(self) -> int:
        pk = _int(self.request.GET.get("form") or self.request.POST.get("_form"))
        if pk is None:
            raise Http404
        return pk

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        case = self.case()
        if "form" not in request.GET:
            forms = Form.objects.visible_to(request.user).for_cases().filter(versions__isnull=False)
            return render(
                request, "assessments/pick.html", {"case": case, "forms": forms.distinct()}
            )
        version = self.version()
        return self.render_form(case, version, with_defaults(version.definition))

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        return self.handle(self.case(), self.version(), None)


class SubmissionView(FillMixin, View):
    """A submission: a draft opens for editing, a submitted form reads only (audited)."""

    def submission(self, case: Case) -> Submission:
        return get_visible_or_404(
            Submission.objects.select_related("form_version__form", "submitted_by"),
            self.request.user,
            case=case,
            uid=self.kwargs["uid"],
        )

    def get(self, request: HttpRequest, code: str, uid: uuid.UUID) -> HttpResponse:
        case = self.case()
        submission = self.submission(case)
        record_read(submission, request.user)
        if submission.is_draft:
            return self.render_form(
                case, submission.form_version, submission.answers, submission=submission
            )
        version = submission.form_version
        state = FormState(version.definition, submission.answers, language=self.language(version))
        return render(
            request,
            "assessments/submission_detail.html",
            {"case": case, "submission": submission, "version": version, "state": state},
        )

    def post(self, request: HttpRequest, code: str, uid: uuid.UUID) -> HttpResponse:
        case = self.case()
        submission = self.submission(case)
        if not submission.is_draft:
            messages.error(request, _("This form is already submitted; it cannot be changed."))
            return HttpResponseRedirect(submission.get_absolute_url())
        return self.handle(case, submission.form_version, submission)


class CheckView(FillMixin, View):
    """Live checks while filling (htmx): which questions show, and messages for answers
    that break a rule. The same engine re-checks everything on submit."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, code: str, version: int) -> HttpResponse:
        self.case()  # the caller works on this case
        form_version = get_visible_or_404(FormVersion.objects, request.user, pk=version)
        definition = form_version.definition
        answers = answers_from_post(definition, request.POST, with_defaults(definition))
        state = FormState(definition, answers, language=self.language(form_version))
        state.hide_unshown_errors(complete=False)
        for node in state.all_nodes():
            node.posted_options = request.POST.get(f"_options.{node.key}", "")
        return render(request, "assessments/partials/state.html", {"state": state})
