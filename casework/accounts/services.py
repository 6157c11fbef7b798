"""Writes on accounts: each one a named, transactional function."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from casework.accounts.models import Membership, User
from casework.audit.models import Action
from casework.audit.services import record
from casework.core.access import forget_principal


@transaction.atomic
def switch_membership(user: User, membership: Membership) -> None:
    """Make `membership` the one `user` works in, on the web and through the API alike."""
    if membership.user_id != user.pk or not membership.is_active:
        raise PermissionDenied
    user.active_membership = membership
    user.save(update_fields=["active_membership"])
    record(
        Action.SWITCHED,
        obj=membership,
        user=user,
        organisation_id=membership.organisation_id,
    )


@transaction.atomic
def add_membership(user: User, role: str, organisation: Any = None) -> Membership:
    """Give `user` a role in `organisation` (None: at network level)."""
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.full_clean()
    membership.save()
    if user.active_membership_id is None:
        user.active_membership = membership
        user.save(update_fields=["active_membership"])
    forget_principal(user)
    return membership
