"""The one view mixin that applies the access layer, the home page, and a job's page."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views import View
from django.views.generic import TemplateView

from casework.core import jobs
from casework.core.access import Principal, principal_of
from casework.core.home import panels_for
from casework.core.models import Job


class AccessMixin(LoginRequiredMixin):
    """Log-in, capability and row scoping for every view.

    `capabilities` lists what the caller's role must allow (403 otherwise); `get_queryset()`
    returns only rows visible to the caller, so a detail view of another organisation's row
    is a 404, exactly like a row that does not exist.
    """

    capabilities: ClassVar[tuple[str, ...]] = ()
    model: Any = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.principal.can_all(self.capabilities):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def principal(self) -> Principal:
        return principal_of(self.request.user)

    def get_queryset(self) -> QuerySet:
        return self.model.objects.visible_to(self.request.user)


class HomeView(AccessMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["panels"] = panels_for(self.request, self.principal)
        return context


class OrgScopedCreateMixin(AccessMixin):
    """Create views of organisation rows: the new row belongs to the caller's organisation."""

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]
        kwargs["organisation_id"] = self.principal.organisation_id
        return kwargs


class JobView(AccessMixin, View):
    """How far a job has got (the page refreshes itself until it ends), and how it ended."""

    def get(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
        job = Job.objects.filter(pk=pk).first()
        kind = jobs.KINDS.get(job.kind) if job is not None else None
        if job is None or kind is None:
            raise Http404
        if not self.principal.can(kind.capability):
            raise PermissionDenied
        return render(request, "core/job.html", {"job": job, "kind": kind})
