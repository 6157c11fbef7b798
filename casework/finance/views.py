"""The cost pages: unit costs against detention, the budget and spending lines, the
detention comparators and the scaling projection."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from casework.accounts.models import Project
from casework.core.access import get_visible_or_404
from casework.core.exports import table_download
from casework.core.forms import add_service_errors
from casework.core.http import user_of
from casework.core.periods import PeriodError, parse_period
from casework.core.roles import Capability
from casework.core.views import AccessMixin
from casework.finance import imports
from casework.finance.charts import cost_bars
from casework.finance.costs import METHOD, Projection, comparators, costs_of
from casework.finance.forms import AmountForm, DetentionCostForm, ImportForm, ProjectionForm
from casework.finance.models import Amount, DetentionCost
from casework.finance.services import (
    correct_amount,
    record_amount,
    set_detention_cost,
    withdraw_amount,
)

NETWORK_MONTHLY_COST = Decimal("140")  # the scaling plan's network average per case-month


def _period(request: HttpRequest) -> tuple[str, Any, Any, str]:
    """The period asked for (default: last year), its days, and an error to show."""
    text = request.GET.get("period", "").strip() or str(timezone.localdate().year - 1)
    try:
        start, end = parse_period(text)
    except PeriodError as error:
        text = str(timezone.localdate().year - 1)
        start, end = parse_period(text)
        return text, start, end, str(error)
    return text, start, end, ""


class CostsView(AccessMixin, View):
    """The organisation's cost per person per day and per case per month, project by
    project, against detention in its country."""

    capabilities = (Capability.FINANCE_VIEW,)

    def get(self, request: HttpRequest) -> HttpResponse:
        period, start, end, error = _period(request)
        rows = costs_of(request.user, start, end)
        chart = cost_bars(
            [
                (row.label, float(row.per_person_day), _per_day(row))
                for row in rows[:-1]
                if row.per_person_day and row.spending
            ]
        )
        context = {
            "period": period,
            "start": start,
            "end": end,
            "error": error,
            "projects": rows[:-1],
            "total": rows[-1],
            "chart": chart,
        }
        return render(request, "finance/costs.html", context, status=400 if error else 200)


class CostsExportView(AccessMixin, View):
    """The cost table as CSV or XLSX, as the page shows it for the period."""

    capabilities = (Capability.FINANCE_VIEW,)

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404
        period, start, end, error = _period(request)
        if error:
            return HttpResponse(error, status=400, content_type="text/plain")
        rows = [row.as_dict() for row in costs_of(request.user, start, end)]
        header = list(rows[-1])
        lines = [[_cell(row[name]) for name in header] for row in rows]
        lines[-1][0] = "all projects"
        note = f"Casework costs, {start} to {end}, in euros. {METHOD}"
        return table_download(f"casework-costs-{period}", fmt, note, header, lines, "costs")


LINE_FIELDS = (
    *("kind", "period", "category", "amount", "currency", "rate", "rate_on", "source"),
    *("sustainable", "note"),
)


class OwnProjectsMixin(AccessMixin):
    def projects(self) -> Any:
        """The projects of the caller's own organisation, the only ones a line is for."""
        return Project.objects.visible_to(self.request.user).filter(
            organisation_id=self.principal.org_id
        )


def _per_day(row: Any) -> float | None:
    return float(row.comparator.per_day) if row.comparator else None


def _cell(value: Any) -> Any:
    """Amounts as numbers a spreadsheet adds up (Decimal is not a cell type of every format)."""
    return float(value) if isinstance(value, Decimal) else value


class AmountListView(OwnProjectsMixin, View):
    """Every budget and spending line of the organisation; supervisors and admins add here."""

    capabilities = (Capability.FINANCE_VIEW,)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(AmountForm(projects=self.projects()))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.principal.can(Capability.FINANCE_MANAGE):
            raise PermissionDenied
        form = AmountForm(request.POST, projects=self.projects())
        if form.is_valid():
            try:
                record_amount(user_of(request), **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("finance:amounts"))
        return self.page(form, status=400)

    def page(self, form: AmountForm, status: int = 200) -> HttpResponse:
        lines = Amount.objects.visible_to(self.request.user).select_related("project")
        context = {
            "lines": lines,
            "form": form if self.principal.can(Capability.FINANCE_MANAGE) else None,
        }
        return render(self.request, "finance/amounts.html", context, status=status)


class AmountImportView(AccessMixin, View):
    """Budgets and spending from a CSV or XLSX file: a preview of every row, accepted or
    rejected with its reasons, then the accepted rows stored on confirmation."""

    capabilities = (Capability.FINANCE_MANAGE,)
    SALT = "casework.finance.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "finance/import.html", {"form": ImportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = user_of(request)
        organisation_id = self.principal.org_id
        if "rows" in request.POST:  # the confirmation of a preview
            try:
                payload = signing.loads(request.POST["rows"], salt=self.SALT, max_age=3600)
            except signing.BadSignature:
                messages.error(request, _("The preview has expired: upload the file again."))
                return HttpResponseRedirect(reverse("finance:amount-import"))
            if payload.get("user") != user.pk:
                raise PermissionDenied
            rows = [imports.Row(n, values) for n, values in payload["rows"]]
            checked = imports.check(user, organisation_id, rows, store=True)
            stored = sum(1 for row in checked if row.ok)
            messages.success(
                request,
                _("%(stored)d lines imported; %(skipped)d rows rejected and not stored.")
                % {"stored": stored, "skipped": len(checked) - stored},
            )
            return HttpResponseRedirect(reverse("finance:amounts"))
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "finance/import.html", {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        try:
            rows = imports.read(upload.name, upload.read())
        except imports.ImportRefused as error:
            form.add_error("file", str(error))
            return render(request, "finance/import.html", {"form": form}, status=400)
        checked = imports.check(user, organisation_id, rows, store=False)
        token = signing.dumps(
            {"user": user.pk, "rows": [(r.number, r.values) for r in checked]},
            salt=self.SALT,
            compress=True,
        )
        context = {
            "form": ImportForm(),
            "rows": checked,
            "accepted": sum(1 for row in checked if row.ok),
            "token": token,
        }
        return render(request, "finance/import.html", context)


class AmountWithdrawView(AccessMixin, View):
    """Take back a line entered by mistake (it stays listed, struck out)."""

    capabilities = (Capability.FINANCE_MANAGE,)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        line = get_visible_or_404(Amount.objects.all(), request.user, uid=uid)
        withdraw_amount(user_of(request), line)
        messages.success(request, _("The line was withdrawn: it no longer counts."))
        return HttpResponseRedirect(reverse("finance:amounts"))


class AmountCorrectView(OwnProjectsMixin, View):
    """Correct a line: the form starts from the line as entered; saving withdraws it and
    records the corrected one in its place (both or neither)."""

    capabilities = (Capability.FINANCE_MANAGE,)

    def line(self, uid: uuid.UUID) -> Amount:
        return get_visible_or_404(
            Amount.objects.select_related("project"), self.request.user, uid=uid
        )

    def form(self, data: Any = None, line: Amount | None = None) -> AmountForm:
        initial = {}
        if line is not None:
            initial = {name: getattr(line, name) for name in LINE_FIELDS}
            initial["project"] = line.project
        return AmountForm(data, projects=self.projects(), initial=initial)

    def get(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        line = self.line(uid)
        return self.page(line, self.form(line=line))

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        line = self.line(uid)
        form = self.form(request.POST)
        if form.is_valid():
            try:
                correct_amount(user_of(request), line, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Corrected: the old line is withdrawn."))
                return HttpResponseRedirect(reverse("finance:amounts"))
        return self.page(line, form, status=400)

    def page(self, line: Amount, form: AmountForm, status: int = 200) -> HttpResponse:
        context = {"line": line, "form": form}
        return render(self.request, "finance/amount_correct.html", context, status=status)


class DetentionCostListView(AccessMixin, View):
    """The published detention costs that savings are computed against; coordinators keep
    them. They are public figures, not the network's own."""

    capabilities = (Capability.INDICATORS_AGGREGATED,)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(DetentionCostForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.principal.can(Capability.FINANCE_COMPARATORS):
            raise PermissionDenied
        form = DetentionCostForm(request.POST)
        if form.is_valid():
            set_detention_cost(user_of(request), **form.cleaned_data)
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("finance:detention-costs"))
        return self.page(form, status=400)

    def page(self, form: DetentionCostForm, status: int = 200) -> HttpResponse:
        context = {
            "costs": DetentionCost.objects.all(),
            "form": form if self.principal.can(Capability.FINANCE_COMPARATORS) else None,
        }
        return render(self.request, "finance/detention_costs.html", context, status=status)


class ProjectionView(AccessMixin, View):
    """The scaling plan's arithmetic with editable assumptions. An organisation's staff start
    from their own last year's cost per case per month; the network from the plan's €140."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        principal = self.principal if request.user.is_authenticated else None
        if principal is not None and not (
            principal.can(Capability.FINANCE_VIEW) or principal.can(Capability.NETWORK_VIEW)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        defaults: dict[str, Any] = {"baseline_cases": 400, "growth": 15}
        basis = _("the scaling plan's network average")
        monthly = NETWORK_MONTHLY_COST
        country = ""
        if self.principal.can(Capability.FINANCE_VIEW):
            _p, start, end, _e = _period(request)
            total = costs_of(request.user, start, end)[-1]
            country = total.country
            if total.per_case_month:
                monthly = total.per_case_month
                basis = _("your organisation's cost per case per month in %(year)s") % {
                    "year": start.year
                }
        comparator = comparators().get(country)
        defaults["monthly_cost"] = monthly
        defaults["detention_per_day"] = comparator.per_day if comparator else None
        form = ProjectionForm(request.GET if "baseline_cases" in request.GET else None)
        projection = None
        values = form.cleaned_data if form.is_bound and form.is_valid() else defaults
        if not form.is_bound:
            form = ProjectionForm(initial=defaults)
        if not form.is_bound or form.is_valid():
            projection = Projection(
                int(values["baseline_cases"]),
                Decimal(values["growth"]) / 100,
                Decimal(values["monthly_cost"]),
                values.get("detention_per_day"),
            )
        context = {"form": form, "projection": projection, "basis": basis}
        return render(
            request, "finance/projection.html", context, status=400 if form.errors else 200
        )
