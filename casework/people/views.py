"""Person screens. A person is reached through their code, by their organisation only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from casework.core.access import get_visible_or_404
from casework.core.conflicts import StaleVersionError, conflict_rows
from casework.core.roles import CASEWORK, Capability
from casework.core.views import AccessMixin
from casework.people.forms import ErasureForm, HouseholdMemberForm, PersonEditForm
from casework.people.models import Person
from casework.people.services import (
    ErasedError,
    add_household_member,
    erase_person,
    read_identity,
    subject_access,
    update_person,
)


def safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url("core:home")


class PersonEditView(AccessMixin, View):
    """Correct a person's identity and profile. A stale form shows both versions."""

    capabilities = CASEWORK
    template_name = "people/person_form.html"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        person = get_visible_or_404(Person.objects, request.user, code=code)
        if person.erased_at:
            messages.error(request, _("This person's identity was erased; it cannot be edited."))
            return HttpResponseRedirect(safe_next(request))
        initial = PersonEditForm.initial_for(person, read_identity(person, request.user))
        form = PersonEditForm(initial={**initial, "version": person.version})
        return render(request, self.template_name, self.context(person, form))

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        person = get_visible_or_404(Person.objects, request.user, code=code)
        form = PersonEditForm(request.POST)
        context = self.context(person, form)
        if form.is_valid():
            try:
                update_person(
                    person,
                    form.identity(),
                    expected_version=form.cleaned_data["version"],
                    birth_year=form.cleaned_data["birth_year"],
                    **form.profile(),
                )
            except StaleVersionError:
                current = PersonEditForm.initial_for(person, read_identity(person, request.user))
                context["conflict"] = conflict_rows(form, current)
                context["form"] = PersonEditForm({**request.POST.dict(), "version": person.version})
                return render(request, self.template_name, context, status=409)
            except ValidationError as error:
                form.add_error(None, error)
            except ErasedError as error:
                messages.error(request, str(error))
                return HttpResponseRedirect(safe_next(request))
            else:
                messages.success(request, _("The person's details are saved."))
                return HttpResponseRedirect(safe_next(request))
        return render(request, self.template_name, context)

    def context(self, person: Person, form: Any) -> dict[str, Any]:
        return {
            "person": person,
            "form": form,
            "next": safe_next(self.request),
            "title": _("Edit %(code)s") % {"code": person.code},
        }


class HouseholdMemberView(AccessMixin, View):
    """Register a family member in the person's household."""

    capabilities = CASEWORK
    template_name = "people/person_form.html"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        person = get_visible_or_404(Person.objects, request.user, code=code)
        return render(request, self.template_name, self.context(person, HouseholdMemberForm()))

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        person = get_visible_or_404(Person.objects, request.user, code=code)
        form = HouseholdMemberForm(request.POST)
        if form.is_valid():
            try:
                add_household_member(
                    person,
                    form.identity(),
                    relationship=form.cleaned_data["relationship"],
                    birth_year=form.cleaned_data["birth_year"],
                    **form.profile(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Household member added."))
                return HttpResponseRedirect(safe_next(request))
        return render(request, self.template_name, self.context(person, form))

    def context(self, person: Person, form: Any) -> dict[str, Any]:
        return {
            "person": person,
            "form": form,
            "next": safe_next(self.request),
            "title": _("Add a household member of %(code)s") % {"code": person.code},
        }


RIGHTS = (Capability.PERSONAL_DATA_VIEW, Capability.SUBJECT_RIGHTS)


class RightsView(AccessMixin, View):
    """A person's data rights, for their organisation's admin: see everything held on them
    (subject access) and erase it."""

    capabilities = RIGHTS

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        person = get_visible_or_404(Person.objects, request.user, code=code)
        from casework.core.subjects import sections

        held = [(s.title, len(s.collect(person)), s.erase is not None) for s in sections()]
        return render(
            request,
            "people/rights.html",
            {"person": person, "held": held, "next": safe_next(request)},
        )


class SubjectAccessView(AccessMixin, View):
    """Everything held on a person, as JSON or as a PDF to hand over (audited)."""

    capabilities = RIGHTS

    def get(self, request: HttpRequest, code: str, fmt: str) -> HttpResponse:
        if fmt not in ("json", "pdf"):
            raise Http404
        person = get_visible_or_404(Person.objects, request.user, code=code)
        report = subject_access(person, request.user)
        name = f"subject-access-{person.code}"
        if fmt == "json":
            body = json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            response = HttpResponse(body.encode(), content_type="application/json")
        else:
            response = HttpResponse(pdf_of(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        response["Cache-Control"] = "no-store"
        return response


def pdf_of(report: dict[str, Any]) -> bytes:
    """The report as a readable PDF (WeasyPrint), with its own print stylesheet."""
    from weasyprint import CSS, HTML

    shown = {
        **report,
        "sections": [
            {**section, "records": [_readable(r) for r in section["records"]]}
            for section in report["sections"]
        ],
    }
    html = render_to_string("people/subject_access.html", {"report": shown})
    css = CSS(filename=str(Path(__file__).parent / "templates/people/subject_access.css"))
    return HTML(string=html).write_pdf(stylesheets=[css])


def _readable(record: dict[str, Any]) -> list[tuple[str, str]]:
    """A record's fields as (label, text) for the PDF."""

    def text(value: Any) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "—"
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if isinstance(value, list):
            return ", ".join(text(v) for v in value)
        if isinstance(value, dict):
            return "; ".join(f"{k}: {text(v)}" for k, v in value.items())
        return str(value)

    return [(key.replace("_", " "), text(value)) for key, value in record.items()]


class ErasureView(AccessMixin, View):
    """Erase a person, after the admin types their code to confirm."""

    capabilities = RIGHTS

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        person = get_visible_or_404(Person.objects, request.user, code=code)
        return render(request, "people/erase.html", {"person": person, "form": ErasureForm()})

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        person = get_visible_or_404(Person.objects, request.user, code=code)
        form = ErasureForm(request.POST, code=person.code)
        if not form.is_valid():
            return render(request, "people/erase.html", {"person": person, "form": form})
        try:
            erase_person(person, request.user)
        except ErasedError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "%(code)s is erased: identity, documents and free text are gone; the "
                    "coded record stays for the statistics."
                )
                % {"code": person.code},
            )
        return HttpResponseRedirect(reverse("people:rights", args=[person.code]))
