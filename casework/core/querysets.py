"""Scoped reading: `Model.objects.visible_to(user)` is the one way to list rows for a user."""

from __future__ import annotations

from typing import Any, Self

from django.db import models

from casework.core.access import Principal, principal_of
from casework.core.roles import Capability


class AccessQuerySet(models.QuerySet):
    """A queryset that knows which of its rows a user may see.

    The rule lives in the model's `scope_for(queryset, principal)` classmethod
    (`OrgScopedModel` gives the default one), so a model states its rule once and every
    view, viewset, export and report inherits it.
    """

    def visible_to(self, user: Any) -> Self:
        principal = user if isinstance(user, Principal) else principal_of(user)
        if not principal.is_authenticated or principal.role is None:
            return self.none()
        return self.model.scope_for(self, principal)


def scope_by_organisation(
    queryset: AccessQuerySet, principal: Principal, *, field: str, identifies_person: bool
) -> AccessQuerySet:
    """The default rule: own organisation's rows; network roles see non-personal rows only."""
    if principal.is_organisation:
        return queryset.filter(**{field: principal.organisation_id})
    if identifies_person or not principal.can(Capability.NETWORK_VIEW):
        return queryset.none()
    return queryset
