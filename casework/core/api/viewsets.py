"""The base viewset: every API list and detail is scoped by the access layer."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from rest_framework import viewsets


class AccessViewSetMixin:
    """`get_queryset()` is the model's rows visible to the caller: another organisation's
    row is a 404, the same as a row that does not exist."""

    capabilities: ClassVar[Any] = ()
    queryset: QuerySet

    def get_queryset(self) -> QuerySet:
        return self.queryset.all().visible_to(self.request.user)  # type: ignore[attr-defined]


class AccessReadOnlyViewSet(AccessViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
