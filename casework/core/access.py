"""The access layer: who is asking, in which organisation, and what they may do.

Every read of a scoped model goes through `Model.objects.visible_to(user)`
(`core.querysets.AccessQuerySet`), and every permission question through `principal_of(user)`.
A user works in one membership at a time (their *active* membership, switched in the header);
an organisation membership sees that organisation's rows only, a network membership sees no
row that identifies a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from casework.core.roles import ROLES, Role

_CACHE_ATTR = "_casework_principal"


@dataclass(frozen=True)
class Principal:
    """The caller as the access layer sees them: one user acting in one membership."""

    user_id: int | None = None
    membership_id: int | None = None
    organisation_id: int | None = None
    role: Role | None = None
    memberships: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def org_id(self) -> int:
        """The organisation this principal acts in, for code only organisation roles reach
        (their capabilities or an `is_organisation` check guard it); none is a 403."""
        if self.organisation_id is None:
            raise PermissionDenied("Not acting in an organisation.")
        return self.organisation_id

    @property
    def is_network(self) -> bool:
        return self.role is not None and self.role.is_network

    @property
    def is_organisation(self) -> bool:
        return self.role is not None and not self.role.is_network

    def can(self, capability: str) -> bool:
        return self.role is not None and capability in self.role.capabilities

    def can_all(self, capabilities: tuple[str, ...] | list[str]) -> bool:
        return all(self.can(capability) for capability in capabilities)

    def owns(self, obj: Any) -> bool:
        """True when `obj` belongs to the organisation this principal acts in."""
        org_id = getattr(obj, "organisation_id", None)
        return self.is_organisation and org_id is not None and org_id == self.organisation_id


NOBODY = Principal()


def principal_of(user: Any) -> Principal:
    """The principal for `user`, computed once per user object (so once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = user.__dict__.get(_CACHE_ATTR)
    if cached is not None:
        return cached
    memberships = tuple(
        user.memberships.filter(is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "role", "pk")
    )
    active = next((m for m in memberships if m.pk == user.active_membership_id), None)
    if active is None and memberships:
        active = memberships[0]
    if active is None:
        principal = Principal(user_id=user.pk, memberships=memberships)
    else:
        principal = Principal(
            user_id=user.pk,
            membership_id=active.pk,
            organisation_id=active.organisation_id,
            role=ROLES[active.role],
            memberships=memberships,
        )
    user.__dict__[_CACHE_ATTR] = principal
    return principal


def forget_principal(user: Any) -> None:
    """Drop the cached principal, after the user's memberships or active membership change."""
    user.__dict__.pop(_CACHE_ATTR, None)


def get_visible_or_404(queryset: Any, user: Any, **lookup: Any) -> Any:
    """One object the user may see; "not found" and "not yours" are the same 404."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
