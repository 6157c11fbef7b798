"""Evidence pages: the organisation and network dashboards, the indicators' definitions,
the cases behind a figure (for their organisation's staff), and downloads."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from casework.cases.models import Case
from casework.core import jobs, releases
from casework.core.access import get_visible_or_404
from casework.core.exports import table_download
from casework.core.forms import add_service_errors
from casework.core.http import user_of
from casework.core.models import Job, Release
from casework.core.periods import PeriodError, check_outside, parse_period, presets
from casework.core.publication import REASONS
from casework.core.roles import CASEWORK, Capability
from casework.core.views import AccessMixin
from casework.indicators.compute import members
from casework.indicators.dashboard import (
    Dashboard,
    NotReleased,
    ScopeError,
    build,
    scope_for,
    table,
)
from casework.indicators.forms import PlanIndicatorForm, ReflectionForm, TargetForm
from casework.indicators.models import PlanIndicator, Reflection, Target
from casework.indicators.registry import DISAGGREGATION_LABELS, DISAGGREGATIONS, REGISTRY
from casework.indicators.services import (
    by_outcome,
    keeps_the_plan,
    plan_records,
    progress,
    record_reflection,
    risks_unreviewed_since,
    save_plan_indicator,
    served_by_year,
    set_target,
)


class EvidenceMixin(AccessMixin):
    capabilities: ClassVar[tuple[str, ...]] = (Capability.INDICATORS_AGGREGATED,)
    newest: Release | None = None  # the latest release, read once per request

    def query(self) -> tuple[str, str, str | None, list[str]]:
        """Scope, period and breakdown from the query string, with sensible defaults: one's
        own organisation this year; the network broken down by country."""
        params = self.request.GET
        self.newest = releases.latest()
        default_scope = "organisation" if self.principal.is_organisation else "network"
        scope = params.get("scope") or default_scope
        period = params.get("period") or (
            str(timezone.localdate().year)
            if scope == "organisation"
            else _latest_released_year(self.newest)
        )
        by = params.get("by", "country" if scope == "network" else "") or None
        errors = []
        if by is not None and by not in DISAGGREGATIONS:
            errors.append(f"Break down by one of: {', '.join(DISAGGREGATIONS)}.")
            by = None
        return scope, period, by, errors

    def dashboard(self) -> tuple[Dashboard | None, dict[str, Any]]:
        scope_code, period, by, errors = self.query()
        context: dict[str, Any] = {
            "period": period,
            "by": by or "",
            "scope_code": scope_code,
            "presets": (  # outside one's organisation: the released calendar years
                presets(timezone.localdate())
                if scope_code == "organisation"
                else released_years(self.newest)
            ),
            "breakdowns": list(DISAGGREGATION_LABELS.items()),
            "own_organisation": self.principal.is_organisation,
            "scopes": released_scopes(self.newest, period),
            "errors": errors,
        }
        try:
            start, end = parse_period(period)
            scope = scope_for(self.principal, scope_code)
            if not scope.inside:
                check_outside(period)
        except (PeriodError, ScopeError) as error:
            context["errors"].append(str(error))
            return None, context
        try:
            return build(scope, start, end, by, period), context
        except NotReleased as error:
            context["errors"].append(str(error))
            return None, context


def released_years(newest: Release | None) -> list[str]:
    """The calendar years the latest release publishes, newest first."""
    return sorted((p["period"] for p in newest.periods), reverse=True) if newest else []


def released_scopes(newest: Release | None, period: str) -> list[dict[str, str]]:
    """The scopes the latest release has tables for in `period` (else in its newest year):
    the network, each country, each organisation as seen from outside."""
    if newest is None:
        return []
    return newest.scopes(period) or newest.scopes(_latest_released_year(newest))


def _latest_released_year(newest: Release | None) -> str:
    years = released_years(newest)
    return years[0] if years else str(timezone.localdate().year - 1)


class DashboardView(EvidenceMixin, View):
    """Organisation staff: their organisation, exact, or the network. Network roles
    (observers included): the network, each country side by side, disclosure-controlled."""

    def get(self, request: HttpRequest) -> HttpResponse:
        dashboard, context = self.dashboard()
        targets = []
        if dashboard is not None:
            scoped = Target.objects.visible_to(request.user).filter(
                organisation=dashboard.scope.organisation
            )
            # Targets belong to the network or to one's own organisation.
            shown = dashboard.scope.inside or dashboard.scope.code == "network"
            newest = self.newest  # read once by `query()`: one release for every target
            targets = (
                [progress(t, request.user, release=newest, milestones=False) for t in scoped]
                if shown
                else []
            )
            served = next((p for p in targets if p.target.indicator == "beneficiaries"), None)
            context["served_chart"] = served and served_by_year(
                served, request.user, release=newest
            )
            # Each network-building indicator with its network target, if it has one.
            against = {p.target.indicator: p for p in targets if p.target.organisation_id is None}
            context["building"] = [
                (indicator, cells, against.get(indicator.code))
                for indicator, cells in dashboard.building
            ]
        context.update(
            targets=targets,
            dashboard=dashboard,
            can_see_cases=bool(dashboard and dashboard.scope.inside)
            and self.principal.can_all(CASEWORK),
            query=request.GET.urlencode(),
        )
        return render(
            request, "indicators/dashboard.html", context, status=400 if dashboard is None else 200
        )


class ExportView(EvidenceMixin, View):
    """The dashboard's table as CSV or XLSX, exactly as the page shows it."""

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404
        dashboard, context = self.dashboard()
        if dashboard is None:
            return HttpResponse(" ".join(context["errors"]), status=400, content_type="text/plain")
        header, lines = table(dashboard)
        note = (
            f"Casework evidence, {dashboard.scope.code}, {dashboard.start} to {dashboard.end}. "
            + (
                "Exact figures of one's own organisation."
                if dashboard.release is None
                else f"{dashboard.release.title} (data cut-off {dashboard.release.cutoff:%Y-%m-%d})"
                f"; withheld cells are empty (threshold {dashboard.release.threshold})."
            )
        )
        scope_name = dashboard.scope.code.replace(":", "-")
        name = f"casework-evidence-{scope_name}-{context['period']}"
        return table_download(name, fmt, note, header, lines, "indicators")


class DefinitionsView(AccessMixin, View):
    """Every indicator's definition: what it counts, over what, by which rule."""

    capabilities = (Capability.INDICATORS_AGGREGATED,)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "indicators/definitions.html",
            {"indicators": REGISTRY.values(), "threshold": settings.DISCLOSURE_THRESHOLD},
        )


class CasesBehindView(EvidenceMixin, View):
    """The cases counted in a figure of one's own organisation (never another's)."""

    capabilities = (*CASEWORK, Capability.INDICATORS_AGGREGATED)

    def get(self, request: HttpRequest) -> HttpResponse:
        params = request.GET
        code = params.get("indicator", "")
        if code not in REGISTRY or REGISTRY[code].kind == "survival":
            raise Http404
        try:
            start, end = parse_period(params.get("period", ""))
        except PeriodError:
            raise Http404 from None
        by = params.get("by") or None
        if by is not None and by not in REGISTRY[code].disaggregations:
            raise Http404
        if not self.principal.is_organisation:
            raise PermissionDenied
        cases = Case.objects.visible_to(request.user)
        part = "denominator" if params.get("part") == "denominator" else "numerator"
        behind = members(
            code, cases, start, end, part=part, by=by, group=params.get("group") or None
        )
        return render(
            request,
            "indicators/cases_behind.html",
            {
                "indicator": REGISTRY[code],
                "part": part,
                "group": params.get("group", ""),
                "period": params.get("period"),
                "cases": behind.select_related("project").order_by("code")[:500],
                "count": behind.count(),
            },
        )


class TargetListView(AccessMixin, View):
    """Targets of the network and of one's organisation, with progress to date; those who
    set targets (coordinators, organisation admins) add or change them here."""

    capabilities = (Capability.INDICATORS_AGGREGATED,)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(TargetForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.principal.can(Capability.TARGETS_MANAGE):
            raise PermissionDenied
        form = TargetForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                set_target(user_of(request), data.pop("indicator"), **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Target saved."))
                return HttpResponseRedirect(reverse("indicators:targets"))
        return self.page(form, status=400)

    def page(self, form: TargetForm, status: int = 200) -> HttpResponse:
        targets = Target.objects.visible_to(self.request.user).select_related("organisation")
        newest = releases.latest()
        return render(
            self.request,
            "indicators/targets.html",
            {
                "progress": [progress(t, self.request.user, release=newest) for t in targets],
                "form": form if self.principal.can(Capability.TARGETS_MANAGE) else None,
            },
            status=status,
        )


class ReleaseListView(AccessMixin, View):
    """Every release, newest first, with what changed since the one before; coordinators
    build the next one here (or with `casework release build`, e.g. from cron)."""

    capabilities = (Capability.INDICATORS_AGGREGATED,)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "indicators/releases.html",
            {
                "releases": Release.objects.all(),
                "can_build": self.principal.can(Capability.RELEASES_BUILD),
                "releasable": releases.releasable(),
                "building": Job.objects.filter(
                    kind="release.build", status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
                ).first(),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        """Queue the build for the worker and follow it on the job's page: a build takes
        from seconds to minutes, too long for a request."""
        if not self.principal.can(Capability.RELEASES_BUILD):
            raise PermissionDenied
        if not releases.has_news():
            messages.info(
                request,
                _(
                    "Nothing new to publish: every ended year is released and the year to "
                    "date is unchanged."
                ),
            )
            return HttpResponseRedirect(reverse("indicators:releases"))
        job = jobs.start("release.build", request.user)
        return HttpResponseRedirect(reverse("core:job", args=[job.pk]))


class ReleaseDetailView(AccessMixin, View):
    """One release: its periods, how each was protected and the audit's result."""

    capabilities = (Capability.INDICATORS_AGGREGATED,)

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        release = Release.objects.filter(number=number).first()
        if release is None:
            raise Http404
        periods = [
            {**period, "audit": release.audit.get(period["period"], {})}
            for period in release.periods
        ]
        return render(
            request,
            "indicators/release.html",
            {"release": release, "periods": periods, "reasons": REASONS},
        )


# The MEL plan and its reflections ----------------------------------------------------------


class MelPlanView(AccessMixin, View):
    """The network's MEL plan: each outcome with its indicators, their baseline, midline,
    endline, target, value now and progress; the network's figures from releases."""

    capabilities = (Capability.INDICATORS_AGGREGATED,)

    def get(self, request: HttpRequest) -> HttpResponse:
        newest = releases.latest()
        context = {
            "outcomes": by_outcome(plan_records(request.user, release=newest)),
            "release": newest,
            "can_edit": keeps_the_plan(user_of(request)),
            "sees_reflections": self.principal.can(Capability.NETWORK_BUILDING),
        }
        return render(request, "indicators/mel.html", context)


class PlanIndicatorFormView(AccessMixin, View):
    """Change an indicator of the plan (coordinators): its wording, what computes it, or
    what the evaluations found where nothing does."""

    capabilities = (Capability.TARGETS_MANAGE,)

    def row(self, uid: uuid.UUID) -> PlanIndicator:
        if not keeps_the_plan(user_of(self.request)):
            raise PermissionDenied
        return get_visible_or_404(
            PlanIndicator.objects.select_related("outcome"), self.request.user, uid=uid
        )

    def get(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        row = self.row(uid)
        return self.page(row, PlanIndicatorForm(instance=row))

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        row = self.row(uid)
        form = PlanIndicatorForm(request.POST)
        if form.is_valid():
            try:
                save_plan_indicator(user_of(request), row, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("indicators:mel"))
        return self.page(row, form, status=400)

    def page(self, row: PlanIndicator, form: PlanIndicatorForm, status: int = 200) -> HttpResponse:
        context = {"row": row, "form": form}
        return render(self.request, "indicators/plan_indicator.html", context, status=status)


class ReflectionListView(AccessMixin, View):
    """The six-month reflections and the midline and endline evaluations, newest first;
    coordinators record the next one here."""

    capabilities = (Capability.NETWORK_BUILDING,)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(ReflectionForm(initial={"held_on": timezone.localdate()}))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not keeps_the_plan(user_of(request)):
            raise PermissionDenied
        form = ReflectionForm(request.POST)
        if form.is_valid():
            try:
                reflection = record_reflection(user_of(request), **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Reflection recorded with the figures of the day."))
                return HttpResponseRedirect(reflection.get_absolute_url())
        return self.page(form, status=400)

    def page(self, form: ReflectionForm, status: int = 200) -> HttpResponse:
        user = user_of(self.request)
        reflections = list(Reflection.objects.visible_to(user).select_related("release"))
        can_record = keeps_the_plan(user)
        context = {
            "reflections": reflections,
            "form": form if can_record else None,
            "unreviewed": risks_unreviewed_since(user, reflections[0].held_on)
            if can_record and reflections
            else None,
        }
        return render(self.request, "indicators/reflections.html", context, status=status)


class ReflectionDetailView(AccessMixin, View):
    """A reflection with the plan's figures and the risk register as they stood that day."""

    capabilities = (Capability.NETWORK_BUILDING,)

    def get(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        reflection = get_visible_or_404(
            Reflection.objects.select_related("release", "written_by"), request.user, uid=uid
        )
        context = {"reflection": reflection, "outcomes": by_outcome(reflection.figures)}
        return render(request, "indicators/reflection.html", context)
