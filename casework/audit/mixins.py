"""View and viewset mixins that write the audit log."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from casework.audit.services import record_read


class AuditedReadMixin:
    """For detail views of personal or staff data: each read is an audit entry."""

    def get_object(self, queryset: QuerySet | None = None) -> Any:
        obj = super().get_object(queryset)  # type: ignore[misc]
        record_read(obj, self.request.user)  # type: ignore[attr-defined]
        return obj


class AuditedObjectMixin:
    """API endpoints about one row of personal data: each such read is an audit entry."""

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]
        record_read(obj, self.request.user)  # type: ignore[attr-defined]
        return obj
