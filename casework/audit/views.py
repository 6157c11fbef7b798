"""The audit log, searchable and exportable by those whose role allows it."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from casework.audit.forms import AuditFilterForm
from casework.audit.models import Action, AuditEntry
from casework.audit.services import record
from casework.core.exports import csv_row
from casework.core.roles import Capability
from casework.core.views import AccessMixin

EXPORT_COLUMNS = [
    "id",
    "at",
    "actor",
    "actor_id",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "changed_fields",
    "request_id",
    "ip",
    "hash",
    "subject",
    "chain",
    "seq",
    "token_name",
]


class FilteredEntriesMixin(AccessMixin):
    capabilities = (Capability.AUDIT_VIEW,)
    model: type[AuditEntry] | None = AuditEntry

    def filtered(self) -> tuple[AuditFilterForm, QuerySet]:
        form = AuditFilterForm(self.request.GET or None)
        queryset = AuditEntry.objects.visible_to(self.request.user).order_by("-id")
        return form, (form.apply(queryset) if form.is_bound else queryset)


class AuditEntryListView(FilteredEntriesMixin, ListView):
    template_name = "audit/entry_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet:
        self.form, queryset = self.filtered()
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["query"] = self.request.GET.copy()
        context["query"].pop("page", None)
        return context


class Echo:
    def write(self, value: str) -> str:
        return value


class AuditExportView(FilteredEntriesMixin, View):
    """The filtered log as CSV, streamed, so a year of entries does not fill memory."""

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        _form, queryset = self.filtered()
        record(Action.EXPORT, object_type="audit.auditentry")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            self.rows(queryset.order_by("id")), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response

    @staticmethod
    def rows(queryset: QuerySet) -> Iterator[str]:
        writer = csv.writer(Echo())
        yield writer.writerow(csv_row(EXPORT_COLUMNS))
        for entry in queryset.iterator(chunk_size=2000):
            yield writer.writerow(
                csv_row(
                    [
                        entry.pk,
                        entry.at.isoformat(),
                        entry.actor,
                        entry.actor_id or "",
                        entry.organisation_id or "",
                        entry.action,
                        entry.object_type,
                        entry.object_id,
                        " ".join(entry.changed_fields),
                        entry.request_id,
                        entry.ip,
                        entry.hash,
                        entry.subject,
                        entry.chain,
                        entry.seq,
                        entry.token_name,
                    ]
                )
            )
