"""Person screens. A person is reached through their code, by their organisation only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from casework.core.access import get_visible_or_404
from casework.core.conflicts import StaleVersionError, conflict_rows
from casework.core.roles import CASEWORK
from casework.core.views import AccessMixin
from casework.people.forms import HouseholdMemberForm, PersonEditForm
from casework.people.models import Person
from casework.people.services import (
    add_household_member,
    read_identity,
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
