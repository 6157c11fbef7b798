"""The referrals pages: the network's service directory (searched, printed for a visit, kept
by the organisations and coordinators), and referrals of a case to a service."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from casework.accounts.models import Organisation
from casework.audit.services import record_read
from casework.cases.choices import Stage
from casework.cases.models import Case
from casework.core.access import Principal, get_visible_or_404
from casework.core.forms import add_service_errors
from casework.core.http import user_of
from casework.core.roles import CASEWORK, Capability
from casework.core.views import AccessMixin
from casework.people.choices import ConsentPurpose
from casework.people.models import Consent
from casework.people.services import read_identity
from casework.referrals.choices import CLOSED
from casework.referrals.forms import (
    ReferralForm,
    ReferralStatusForm,
    ServiceFilter,
    ServiceForm,
)
from casework.referrals.models import Referral, Service
from casework.referrals.services import (
    SERVICE_FIELDS,
    may_change_service,
    not_verified_since,
    refer_case,
    save_service,
    update_referral,
    verify_service,
)

PAGE_SIZE = 50
PRINT_LIMIT = 300  # a printed list longer than this is narrowed first


def _query(request: HttpRequest) -> Any:
    """The filters asked for, without the page: for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query


# The service directory ---------------------------------------------------------------------


class DirectoryMixin(AccessMixin):
    def services(self) -> QuerySet:
        return Service.objects.visible_to(self.request.user)

    def editable(self, uid: uuid.UUID) -> Service:
        """The entry (else 404) if the caller may change it (else 403)."""
        service = get_visible_or_404(Service.objects.all(), self.request.user, uid=uid)
        if not may_change_service(user_of(self.request), service):
            raise PermissionDenied
        return service

    def form_page(
        self, form: ServiceForm, title: str, back: str, status: int = 200
    ) -> HttpResponse:
        context = {"form": form, "title": title, "back": back}
        return render(self.request, "referrals/service_form.html", context, status=status)


class ServiceListView(DirectoryMixin, View):
    """The directory: searched by provider or city, filtered by service, place, language,
    who it serves and cost (the services still offered unless asked), 50 to a page."""

    capabilities = (Capability.SERVICES_VIEW,)

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = ServiceFilter(request.GET)
        rows = filters.filtered(self.services())
        page = Paginator(rows.order_by("provider", "pk"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context = {
            "filters": filters,
            "page_obj": page,
            "query": _query(request),
            "stale_before": not_verified_since(),
            "can_add": self.principal.can(Capability.SERVICES_MANAGE),
        }
        return render(request, "referrals/services.html", context)


class ServicePrintView(DirectoryMixin, View):
    """The directory's filtered list on a plain page to print and take on a visit: by
    country and city, without the menu."""

    capabilities = (Capability.SERVICES_VIEW,)

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = ServiceFilter(request.GET)
        rows = filters.filtered(self.services()).order_by(
            "country", "city", "service_type", "provider", "pk"
        )
        total = rows.count()
        context = {
            "chosen": filters.chosen(),
            "services": rows[:PRINT_LIMIT],
            "total": total,
            "limit": PRINT_LIMIT,
            "today": timezone.localdate(),
            "stale_before": not_verified_since(),
            "query": _query(request),
        }
        return render(request, "referrals/services_print.html", context)


class ServiceDetailView(DirectoryMixin, View):
    capabilities = (Capability.SERVICES_VIEW,)

    def get(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        service = get_visible_or_404(
            Service.objects.select_related("organisation"), request.user, uid=uid
        )
        context = {
            "service": service,
            "stale_before": not_verified_since(),
            "can_edit": may_change_service(user_of(request), service),
        }
        return render(request, "referrals/service.html", context)


class ServiceCreateView(DirectoryMixin, View):
    capabilities = (Capability.SERVICES_MANAGE,)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ServiceForm(initial={"verified_on": timezone.localdate()})
        return self.form_page(form, _("Add a service"), reverse("referrals:services"))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ServiceForm(request.POST)
        if form.is_valid():
            try:
                service = save_service(user_of(request), **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Added to the directory."))
                return HttpResponseRedirect(reverse("referrals:service", args=[service.uid]))
        return self.form_page(form, _("Add a service"), reverse("referrals:services"), status=400)


class ServiceUpdateView(DirectoryMixin, View):
    """Change an entry, or withdraw it (no longer offered) or bring it back."""

    capabilities = (Capability.SERVICES_MANAGE,)

    def get(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        service = self.editable(uid)
        initial = {name: getattr(service, name) for name in SERVICE_FIELDS}
        initial |= {"country": str(service.country), "languages": ", ".join(service.languages)}
        return self.page(service, ServiceForm(initial=initial, new=False))

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        service = self.editable(uid)
        form = ServiceForm(request.POST, new=False)
        if form.is_valid():
            try:
                save_service(user_of(request), service, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("referrals:service", args=[uid]))
        return self.page(service, form, status=400)

    def page(self, service: Service, form: ServiceForm, status: int = 200) -> HttpResponse:
        title = _("Change %(service)s") % {"service": service.provider}
        return self.form_page(form, title, reverse("referrals:service", args=[service.uid]), status)


class ServiceVerifyView(DirectoryMixin, View):
    """Someone checked the entry's details with the provider today."""

    capabilities = (Capability.SERVICES_MANAGE,)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        service = self.editable(uid)
        try:
            verify_service(user_of(request), service)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Marked as verified today."))
        return HttpResponseRedirect(reverse("referrals:service", args=[uid]))


# Referrals of a case -----------------------------------------------------------------------

FOLLOW_UPS_SHOWN = 20  # on the home page; the panel says how many there are in all
LETTER_CSS = Path(__file__).parent / "static/referrals/letter.css"


def directory_for(case: Case, user: Any) -> QuerySet[Service]:
    """The services still offered in the country of the case's organisation (one query, with
    the country as a subquery)."""
    country = Organisation.objects.filter(pk=case.organisation_id).values("country")[:1]
    return (
        Service.objects.visible_to(user)
        .filter(active=True, country=Subquery(country))
        .order_by("provider", "city", "pk")
    )


def agreed_providers(case: Case, user: Any) -> list[str]:
    """The providers the person agreed, in a consent in force today, to have their details
    shared with: shown on the form only, the rule is `consent_for` in `refer_case`."""
    today = timezone.localdate()
    consents = (
        Consent.objects.visible_to(user)
        .filter(
            person_id=case.person_id,
            purpose=ConsentPurpose.SHARE_WITH_SERVICE,
            given_on__lte=today,
        )
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
    )
    return list(consents.values_list("service", flat=True))


def referral_form(case: Case, user: Any, data: Any = None) -> ReferralForm:
    return ReferralForm(
        data,
        services=directory_for(case, user),
        agreed=agreed_providers(case, user),
        initial={"sent_on": timezone.localdate()},
        auto_id="referral_%s",
    )


def case_section(case: Case, user: Any) -> dict[str, Any]:
    """The case page's section: the case's referrals and the form to refer (three queries)."""
    return {
        "referrals": Referral.objects.visible_to(user).filter(case=case),
        "today": timezone.localdate(),
        "referral_form": referral_form(case, user),
    }


def follow_ups(request: HttpRequest, principal: Principal) -> dict[str, Any] | None:
    """The home page's referrals past their follow-up date and not over, of the open cases
    the user follows (a supervisor: every case of the organisation)."""
    if not principal.is_organisation:
        return None
    due = (
        Referral.objects.visible_to(request.user)
        .filter(follow_up_on__lt=timezone.localdate())
        .exclude(status__in=CLOSED)
        .exclude(case__stage=Stage.CLOSED)
    )
    if not principal.can(Capability.CASES_SUPERVISE):
        due = due.filter(case__case_manager=request.user)
    return {
        "referrals": due.select_related("case").order_by("follow_up_on", "pk")[:FOLLOW_UPS_SHOWN],
        "count": due.count(),
    }


class CaseReferralMixin(AccessMixin):
    """A case's referral pages: the case's organisation's staff who work on cases; another
    organisation's case or referral is a 404."""

    capabilities = CASEWORK
    kwargs: dict[str, Any]

    def case(self, *related: str) -> Case:
        cases = Case.objects.select_related(*related) if related else Case.objects.all()
        return get_visible_or_404(cases, self.request.user, code=self.kwargs["code"])

    def referral(self, case: Case) -> Referral:
        referrals = Referral.objects.select_related("service", "consent", "created_by")
        referral = get_visible_or_404(
            referrals, self.request.user, case=case, uid=self.kwargs["uid"]
        )
        referral.case = case
        return referral


class ReferralCreateView(CaseReferralMixin, View):
    """Refer the case to a service (the case page's form posts here)."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        case = self.case()
        return self.page(case, referral_form(case, request.user))

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        case = self.case("person")
        form = referral_form(case, request.user, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = refer_case(case, by=user_of(request), **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Referral recorded."))
                return HttpResponseRedirect(referral_url(referral))
        return self.page(case, form, status=400)

    def page(self, case: Case, form: ReferralForm, status: int = 200) -> HttpResponse:
        context = {"case": case, "form": form}
        return render(self.request, "referrals/referral_form.html", context, status=status)


def referral_url(referral: Referral, name: str = "referral-detail") -> str:
    return reverse(f"case-referrals:{name}", args=[referral.case.code, referral.uid])


class ReferralDetailView(CaseReferralMixin, View):
    """A referral with its steps (an audited read), and the form to record a change."""

    def get(self, request: HttpRequest, code: str, uid: uuid.UUID) -> HttpResponse:
        case = self.case()
        referral = self.referral(case)
        form = ReferralStatusForm(initial={"on": timezone.localdate(), "status": referral.status})
        return self.page(referral, form)

    def post(self, request: HttpRequest, code: str, uid: uuid.UUID) -> HttpResponse:
        case = self.case()
        referral = self.referral(case)
        form = ReferralStatusForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                update_referral(
                    referral,
                    by=user_of(request),
                    status=data["status"],
                    on=data["on"],
                    note=data["note"],
                    outcome=data["outcome"] or None,  # empty: the outcome stays as it is
                    follow_up_on=data["follow_up_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Change recorded."))
                return HttpResponseRedirect(referral_url(referral))
        return self.page(referral, form, status=400)

    def page(self, referral: Referral, form: ReferralStatusForm, status: int = 200) -> HttpResponse:
        record_read(referral, self.request.user)
        context = {
            "case": referral.case,
            "referral": referral,
            "steps": referral.steps.select_related("taken_by"),
            "form": form,
            "over": referral.status in CLOSED,
            "today": timezone.localdate(),
            "shared_now": referral.consent is not None and referral.consent.in_force(),
        }
        return render(self.request, "referrals/referral_detail.html", context, status=status)


class LetterView(CaseReferralMixin, View):
    """The referral letter to print. It names the person, with their contact details, only
    while the consent the referral shares them under is in force (the identity read is
    audited); otherwise it gives their case code only and says so."""

    def context(self) -> dict[str, Any]:
        case = self.case("organisation", "person")
        referral = self.referral(case)
        record_read(referral, self.request.user)
        today = timezone.localdate()
        shared = referral.consent is not None and referral.consent.in_force(today)
        identity = read_identity(case.person, self.request.user) if shared else None
        if identity is not None and not identity.full_name:
            identity = None  # erased: nothing to share
        return {
            "case": case,
            "referral": referral,
            "organisation": case.organisation,
            "identity": identity,
            "today": today,
        }

    def get(self, request: HttpRequest, code: str, uid: uuid.UUID) -> HttpResponse:
        response = render(request, "referrals/letter.html", self.context())
        response["Cache-Control"] = "no-store"
        return response


class LetterPdfView(LetterView):
    """The same letter as a PDF (WeasyPrint, with the letter's print stylesheet)."""

    def get(self, request: HttpRequest, code: str, uid: uuid.UUID) -> HttpResponse:
        from weasyprint import CSS, HTML

        context = self.context()
        html = render_to_string("referrals/letter.html", {**context, "pdf": True}, request=request)
        pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(LETTER_CSS))])
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"referral-{context['case'].code}-{context['referral'].sent_on.isoformat()}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
