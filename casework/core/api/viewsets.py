"""The base viewset: every API list and detail is scoped by the access layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.db.models import QuerySet
from rest_framework import viewsets

from casework.core.querysets import AccessQuerySet

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _ViewSetBase = GenericAPIView[Any]  # what the mixin is combined with
else:
    _ViewSetBase = object


# A row named by its random `uid` in a route: anything else (an old integer id) is a 404.
UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


class AccessViewSetMixin(_ViewSetBase):
    """`get_queryset()` is the model's rows visible to the caller: another organisation's
    row is a 404, the same as a row that does not exist."""

    capabilities: ClassVar[Any] = ()

    def get_queryset(self) -> QuerySet:
        scoped = cast(AccessQuerySet, self.queryset.all())  # type: ignore[union-attr]  # every viewset sets one
        return scoped.visible_to(self.request.user)


class AccessReadOnlyViewSet(AccessViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
