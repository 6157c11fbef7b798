"""Case screens: list and search, registration, the case page and its actions.

Views stay thin: they read through the access layer, validate a form and call one service.
Actions are small forms on the case page that post with htmx and come back as the page
section they change; without JavaScript they post and redirect like any form.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView
from django_htmx.http import HttpResponseClientRedirect

from casework.accounts.models import Organisation
from casework.audit.mixins import AuditedReadMixin
from casework.audit.services import record_read
from casework.cases.choices import TRANSITIONS, ApprovalStatus, EventKind, Stage
from casework.cases.forms import (
    CaseFilterForm,
    CaseForm,
    ContactForm,
    DateForm,
    DecisionForm,
    DocumentForm,
    EmptyForm,
    EngagementForm,
    GoalForm,
    GoalStatusForm,
    IdentitySearchForm,
    MergeForm,
    ReassignForm,
    RegisterForm,
    TaskForm,
    TransitionForm,
)
from casework.cases.models import (
    Approval,
    Case,
    CaseQuerySet,
    Document,
    EngagementPeriod,
    Goal,
    Task,
)
from casework.cases.querysets import filter_cases
from casework.cases.sections import sections_for
from casework.cases.services import (
    EDITABLE,
    add_goal,
    add_task,
    attach_document,
    complete_task,
    decide_approval,
    end_consent,
    give_consent,
    merge_people,
    open_case,
    read_document,
    reassign_cases,
    record_contact,
    record_engagement,
    reopen_case,
    request_transition,
    set_goal_status,
    update_case,
)
from casework.core.access import get_visible_or_404, principal_of
from casework.core.conflicts import StaleVersionError, conflict_rows
from casework.core.http import htmx_of, user_of
from casework.core.roles import CASEWORK, Capability
from casework.core.views import AccessMixin
from casework.people.forms import ConsentForm, WithdrawForm
from casework.people.identity import IdentityData
from casework.people.models import Consent, Person
from casework.people.services import (
    likely_duplicates,
    read_identity,
    register_person,
    search_digests,
)

WORK = CASEWORK


def errors_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


SEARCHES = "case_searches"  # session key: search token → blind-index digests (never names)


class CaseListView(AccessMixin, ListView):
    """Every case of the organisation, filtered by code, stage, project, case manager…, and
    searchable by name, date of birth or file number (posted, kept only as keyed hashes)."""

    capabilities = WORK
    model = Case
    template_name = "cases/case_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet:
        self.form = CaseFilterForm(self.request.GET or None, organisation_id=self.principal.org_id)
        current = EngagementPeriod.objects.filter(case=OuterRef("pk"), ended_on__isnull=True)
        cases = (
            super()
            .get_queryset()
            .select_related("person", "project", "case_manager")
            .annotate(engagement=Subquery(current.values("status")[:1]))
        )
        return cases_for_query(cases, self.request.GET, self.request, self.form)

    def post(self, request: HttpRequest) -> HttpResponse:
        """An identity search: keep its hashes under a random token, show the list."""
        search = IdentitySearchForm(request.POST)
        query = QueryDict(request.POST.get("query", ""), mutable=True)
        if not search.is_valid():
            messages.error(
                request,
                " ".join(str(error) for error in search.non_field_errors())
                or _("Check the search."),
            )
        else:
            data = search.cleaned_data
            digests = search_digests(
                self.principal.org_id,
                name=data["name"],
                date_of_birth=data["date_of_birth"],
                file_number=data["file_number"],
            )
            token = secrets.token_urlsafe(8)
            saved = dict(list(request.session.get(SEARCHES, {}).items())[-9:])
            saved[token] = digests
            request.session[SEARCHES] = saved
            query["search"] = token
        query.pop("page", None)
        return HttpResponseRedirect(f"{reverse('cases:case-list')}?{query.urlencode()}")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        without_search = query.copy()
        without_search.pop("search", None)
        context.update(
            form=self.form,
            query=query,
            without_search=without_search,
            identity_search=IdentitySearchForm(auto_id="identity_%s"),
            searching=bool(self.request.GET.get("search")),
            reassign_form=ReassignForm(organisation_id=self.principal.org_id),
            can_supervise=self.principal.can(Capability.CASES_SUPERVISE),
        )
        return context


def cases_for_query(
    cases: CaseQuerySet, params: Any, request: HttpRequest, form: Any = None
) -> CaseQuerySet:
    """The list's cases for these query parameters (also used by bulk reassignment)."""
    form = form or CaseFilterForm(params or None, organisation_id=principal_of(request.user).org_id)
    if not form.is_bound:
        return cases.open().order_by("-referral_date", "code")
    if not form.is_valid():
        return cases.none()
    token = params.get("search", "")
    digests = request.session.get(SEARCHES, {}).get(token) if token else None
    if token and digests is None:
        return cases.none()  # an expired search finds nothing rather than everything
    return filter_cases(cases, form.cleaned_data, request.user, digests)


class RegisterView(AccessMixin, View):
    """Register a person and open their case; warns about likely duplicates first."""

    capabilities = WORK
    template_name = "cases/register.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = RegisterForm(
            organisation_id=self.principal.org_id,
            initial={"case_manager": request.user.pk, "referral_date": timezone.localdate()},
        )
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RegisterForm(request.POST, organisation_id=self.principal.org_id)
        context: dict[str, Any] = {"form": form}
        if form.is_valid():
            data = form.cleaned_data
            identity = form.identity()
            organisation = Organisation.objects.get(pk=self.principal.org_id)
            duplicates = likely_duplicates(organisation, identity, data["birth_year"])
            if duplicates and not data["not_a_duplicate"]:
                prefetch_related_objects([d.person for d in duplicates], "cases")
                context["duplicates"] = duplicates
            else:
                try:
                    case = self.register(organisation, identity, form)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("Case %(code)s opened.") % {"code": case.code})
                    if htmx_of(request):  # a redirect would be followed inside htmx; leave the page
                        return HttpResponseClientRedirect(case.get_absolute_url())
                    return HttpResponseRedirect(case.get_absolute_url())
        return render(request, self.template_name, context, status=200)

    @transaction.atomic
    def register(self, organisation: Organisation, identity: IdentityData, form: Any) -> Case:
        data = form.cleaned_data
        person = register_person(
            organisation, identity, birth_year=data["birth_year"], **form.profile()
        )
        return open_case(
            data["project"],
            person,
            referral_date=data["referral_date"],
            referral_source=data["referral_source"],
            detention_status=data["detention_status"],
            immigration_status=data["immigration_status"],
            case_manager=data["case_manager"],
            vulnerabilities=data["vulnerabilities"],
            by=user_of(self.request),
        )


class CaseDetailView(AccessMixin, AuditedReadMixin, DetailView):
    """The case page: summary, person, timeline, plan, tasks, procedure and consent."""

    capabilities = WORK
    model = Case
    template_name = "cases/case_detail.html"
    slug_field = slug_url_kwarg = "code"

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .select_related("person", "person__household", "project", "case_manager")
            .prefetch_related(
                "vulnerabilities",
                "goals",
                Prefetch("tasks", queryset=Task.objects.select_related("assignee")),
                "engagement_periods",
                Prefetch(
                    "approvals",
                    queryset=Approval.objects.filter(status=ApprovalStatus.PENDING).select_related(
                        "requested_by"
                    ),
                    to_attr="pending_approvals",
                ),
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case = self.object
        context["timeline"] = timeline_context(case, self.request.GET.get("kind", ""))
        if self.timeline_only():
            return context  # the timeline partial: no identity is opened for it
        today = timezone.localdate()
        context.update(
            identity=read_identity(case.person, self.request.user),
            sections=[
                render_to_string(template, data, request=self.request)
                for template, data in sections_for(case, self.request.user)
            ],
            # Several forms share field names: each gets its own element ids.
            transition_form=TransitionForm(
                initial={"on": today, "version": case.version, "to": next_stage(case)},
                auto_id="stage_%s",
            ),
            engagement_form=EngagementForm(initial={"on": today}, auto_id="engagement_%s"),
            contact_form=ContactForm(initial={"on": today}, auto_id="contact_%s"),
            goal_form=GoalForm(auto_id="goal_%s"),
            task_form=TaskForm(
                organisation_id=case.organisation_id,
                initial={"assignee": case.case_manager_id},
                auto_id="task_%s",
            ),
            current_engagement=next(
                (p for p in case.engagement_periods.all() if p.ended_on is None), None
            ),
            can_supervise=self.principal.can(Capability.CASES_SUPERVISE),
            can_exercise_rights=self.principal.can(Capability.SUBJECT_RIGHTS),
            documents=documents_of(case),
            household=household_of(case.person, self.request.user),
            document_form=DocumentForm(auto_id="document_%s"),
        )
        return context

    def timeline_only(self) -> bool:
        return bool(htmx_of(self.request)) and htmx_of(self.request).target == "timeline"

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if self.timeline_only():
            return render(self.request, "cases/partials/timeline.html", context)
        return super().render_to_response(context, **kwargs)


def documents_of(case: Case) -> QuerySet:
    """The case's own documents and those about the person (shown on each of their cases)."""
    return Document.objects.filter(
        Q(case=case) | Q(person_id=case.person_id, case__isnull=True)
    ).select_related("uploaded_by")


def household_of(person: Person, user: Any) -> list[tuple[Person, IdentityData]]:
    """The other members of the person's household, with their (audited) identities."""
    if person.household_id is None:
        return []
    members = (
        Person.objects.visible_to(user)
        .filter(household_id=person.household_id)
        .exclude(pk=person.pk)
        .select_related("identity")
    )
    return [(member, read_identity(member, user)) for member in members]


def next_stage(case: Case) -> str:
    forward = [s for s in Stage if s in TRANSITIONS.get(case.stage, set()) and s != Stage.CLOSED]
    return forward[0] if forward else Stage.CLOSED


def timeline_context(case: Case, kind: str) -> dict[str, Any]:
    events = case.events.select_related("recorded_by")
    if kind in EventKind.values:
        events = events.filter(kind=kind)
    shown = list(events[:200])
    # A decision's comment is sealed with its approval, never copied into the event.
    decided = {e.source_id for e in shown if e.source_type == "cases.approval" and e.source_id}
    if decided:
        comments = {
            a.pk: a.comment
            for a in case.approvals.filter(pk__in=decided).only("pk", "organisation", "comment")
        }
        for event in shown:
            if event.source_type == "cases.approval":
                event.comment = comments.get(event.source_id, "")
    return {"events": shown, "kind": kind, "kinds": EventKind.choices, "case": case}


class CaseActionView(AccessMixin, View):
    """Base of the case page's small forms: find the case, run one service, show the result."""

    capabilities: ClassVar[tuple[str, ...]] = WORK
    http_method_names = ["post"]
    form_class: Any = None

    def case(self) -> Case:
        return get_visible_or_404(Case.objects, self.request.user, code=self.kwargs["code"])

    def form(self, case: Case) -> Any:
        return self.form_class(self.request.POST)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        case = self.case()
        form = self.form(case)
        if form.is_valid():
            try:
                message = self.perform(case, form.cleaned_data)
            except StaleVersionError as error:
                messages.error(
                    request,
                    " ".join(errors_of(error))
                    + " "
                    + _("The page now shows the current case; check it and try again."),
                )
            except ValidationError as error:
                messages.error(request, " ".join(errors_of(error)))
            else:
                messages.success(request, message)
        else:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(
                    request, f"{label}: {' '.join(errors)}" if label else " ".join(errors)
                )
        return HttpResponseRedirect(case.get_absolute_url())

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        raise NotImplementedError


class TransitionView(CaseActionView):
    form_class = TransitionForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        result = request_transition(
            case,
            data["to"],
            on=data["on"],
            by=user_of(self.request),
            intake_date=data["intake_date"],
            exit_reason=data["exit_reason"],
            resolution=data["resolution"],
            expected_version=data["version"],
        )
        if isinstance(result, Approval):
            return _("Sent to a supervisor for approval.")
        return _("The case is now at %(stage)s.") % {"stage": result.get_stage_display()}


class ReopenView(CaseActionView):
    form_class = DateForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        case = reopen_case(case, on=data["on"], by=user_of(self.request))
        return _("Case reopened at %(stage)s.") % {"stage": case.get_stage_display()}


class EngagementView(CaseActionView):
    form_class = EngagementForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        record_engagement(case, data["status"], on=data["on"], by=user_of(self.request))
        return _("Engagement recorded.")


class ContactView(CaseActionView):
    form_class = ContactForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        record_contact(case, by=user_of(self.request), **data)
        return _("Contact recorded.")


class GoalView(CaseActionView):
    form_class = GoalForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        add_goal(case, by=user_of(self.request), **data)
        return _("Goal added to the plan.")


class GoalStatusView(CaseActionView):
    form_class = GoalStatusForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        goal = get_visible_or_404(
            Goal.objects, self.request.user, case=case, uid=self.kwargs["uid"]
        )
        set_goal_status(goal, data["status"], by=user_of(self.request))
        return _("Goal updated.")


class TaskView(CaseActionView):
    def form(self, case: Case) -> Any:
        return TaskForm(self.request.POST, organisation_id=case.organisation_id)

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        add_task(
            case,
            title=data["title"],
            due_on=data["due_on"],
            assignee=data["assignee"],
            by=user_of(self.request),
        )
        return _("Task added.")


class TaskDoneView(CaseActionView):
    form_class = EmptyForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        task = get_visible_or_404(
            Task.objects, self.request.user, case=case, uid=self.kwargs["uid"]
        )
        complete_task(task, by=user_of(self.request))
        return _("Task done.")


class ApprovalView(CaseActionView):
    """A supervisor approves or rejects a pending plan or closure."""

    capabilities = (Capability.CASES_SUPERVISE,)
    form_class = DecisionForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        approval = get_visible_or_404(
            Approval.objects, self.request.user, case=case, uid=self.kwargs["uid"]
        )
        decided = decide_approval(
            approval,
            approve=data["decision"] == "approve",
            comment=data["comment"],
            by=user_of(self.request),
        )
        return _("%(kind)s %(status)s.") % {
            "kind": decided.get_kind_display(),
            "status": decided.get_status_display().lower(),
        }


class CaseUpdateView(AccessMixin, View):
    """Edit the case's details. A stale form shows both versions and overwrites nothing."""

    capabilities = WORK
    template_name = "cases/case_form.html"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        case = get_visible_or_404(Case.objects, request.user, code=code)
        form = CaseForm(initial=CaseForm.initial_for(case), organisation_id=case.organisation_id)
        return render(request, self.template_name, {"form": form, "case": case})

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        case = get_visible_or_404(Case.objects, request.user, code=code)
        form = CaseForm(request.POST, organisation_id=case.organisation_id)
        context: dict[str, Any] = {"form": form, "case": case}
        if form.is_valid():
            data = form.cleaned_data
            if data["version"] != case.version:
                context["conflict"] = conflict_rows(form, CaseForm.initial_for(case))
                form = CaseForm(
                    {
                        **request.POST.dict(),
                        "version": case.version,
                        "vulnerabilities": request.POST.getlist("vulnerabilities"),
                    },
                    organisation_id=case.organisation_id,
                )
                context["form"] = form
                return render(request, self.template_name, context, status=409)
            try:
                update_case(
                    case,
                    expected_version=data["version"],
                    vulnerabilities=data["vulnerabilities"],
                    **{field: data[field] for field in EDITABLE},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Case details saved."))
                return HttpResponseRedirect(case.get_absolute_url())
        return render(request, self.template_name, context)


class ReassignView(AccessMixin, View):
    """A supervisor gives the chosen cases, or every case matching the filters, to someone."""

    capabilities = (Capability.CASES_SUPERVISE,)
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReassignForm(request.POST, organisation_id=self.principal.org_id)
        back = reverse("cases:case-list") + "?" + request.POST.get("query", "")
        if not form.is_valid():
            messages.error(request, _("Choose the new case manager."))
            return HttpResponseRedirect(back)
        cases = Case.objects.visible_to(request.user)
        if request.POST.get("scope") == "all":
            cases = cases_for_query(cases, QueryDict(request.POST.get("query", "")), request)
        else:
            cases = cases.filter(code__in=request.POST.getlist("case"))
        try:
            moved = reassign_cases(cases, form.cleaned_data["case_manager"], by=user_of(request))
        except ValidationError as error:
            messages.error(request, " ".join(errors_of(error)))
        else:
            messages.success(request, _("%(n)d cases reassigned.") % {"n": moved})
        return HttpResponseRedirect(back)


class DocumentUploadView(CaseActionView):
    """Attach a file; a request larger than the limit arrives without it and is refused."""

    def form(self, case: Case) -> Any:
        return DocumentForm(self.request.POST, self.request.FILES)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        limit = (settings.CASEWORK_MAX_UPLOAD_MB + 1) * 1024 * 1024
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            case = self.case()
            messages.error(
                request,
                _("The file is larger than %(mb)d MB.") % {"mb": settings.CASEWORK_MAX_UPLOAD_MB},
            )
            return HttpResponseRedirect(case.get_absolute_url())
        return super().post(request, **kwargs)

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        attach_document(
            case,
            data["file"],
            kind=data["kind"],
            about_person=data["about_person"],
            by=user_of(self.request),
        )
        return _("Document attached.")


class DocumentDownloadView(AccessMixin, View):
    """A document's decrypted content, for its organisation only; each download is audited."""

    capabilities = WORK

    def get(self, request: HttpRequest, code: str, uid: uuid.UUID) -> HttpResponse:
        case = get_visible_or_404(Case.objects, request.user, code=code)
        document = get_visible_or_404(documents_of(case), request.user, uid=uid)
        filename, content_type, data = read_document(document, request.user)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)  # type: ignore[assignment]  # a str when as_attachment is True
        response["Cache-Control"] = "no-store"
        return response


class MergeView(AccessMixin, View):
    """A supervisor merges two records of one person, after seeing both side by side."""

    capabilities = (Capability.CASES_SUPERVISE,)
    template_name = "cases/merge.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": MergeForm(request.GET or None)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = MergeForm(request.POST)
        context: dict[str, Any] = {"form": form}
        if form.is_valid():
            people = Person.objects.visible_to(request.user)
            keep = people.filter(code=form.cleaned_data["keep"].upper()).first()
            other = people.filter(code=form.cleaned_data["other"].upper()).first()
            if keep is None or other is None:
                form.add_error(None, _("No person with that code in your organisation."))
            elif not form.cleaned_data["confirm"]:
                context["preview"] = [
                    (p, read_identity(p, request.user), p.cases.all()) for p in (keep, other)
                ]
            else:
                try:
                    merge_people(keep, other, by=user_of(request))
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _("%(other)s merged into %(keep)s.")
                        % {"other": other.code, "keep": keep.code},
                    )
                    first = keep.cases.first()
                    target = first.get_absolute_url() if first else reverse("cases:case-list")
                    return HttpResponseRedirect(target)
        return render(request, self.template_name, context)


class ConsentView(AccessMixin, View):
    """Record the consents the person gave (and withdraw them), on the person and the case."""

    capabilities = WORK
    template_name = "cases/consent_form.html"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        case = get_visible_or_404(Case.objects, request.user, code=code)
        return self.page(case, ConsentForm(initial={"given_on": timezone.localdate()}))

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        case = get_visible_or_404(Case.objects, request.user, code=code)
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                give_consent(case, by=user_of(request), **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Consent recorded."))
                return HttpResponseRedirect(case.get_absolute_url())
        return self.page(case, form)

    def page(self, case: Case, form: ConsentForm) -> HttpResponse:
        record_read(case, self.request.user)
        context = {
            "case": case,
            "form": form,
            "consents": case.person.consents.all(),
            "withdraw_form": WithdrawForm(initial={"on": timezone.localdate()}),
        }
        return render(self.request, self.template_name, context)


class WithdrawConsentView(CaseActionView):
    form_class = WithdrawForm

    def perform(self, case: Case, data: dict[str, Any]) -> str:
        consent = get_visible_or_404(
            Consent.objects, self.request.user, person=case.person, pk=self.kwargs["pk"]
        )
        end_consent(case, consent, on=data["on"], by=user_of(self.request))
        return _("Consent withdrawn.")
