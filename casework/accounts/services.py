"""Writes on accounts: each one a named, transactional function."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casework.accounts.models import Membership, Organisation, User
from casework.audit.models import Action
from casework.audit.services import record
from casework.core.access import forget_principal
from casework.core.roles import ORGANISATION_ROLES, Capability, roles_with


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


@transaction.atomic
def create_staff_member(
    organisation: Organisation,
    *,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> Membership:
    """A new account for a member of an organisation's staff, with their role in it."""
    if role not in ORGANISATION_ROLES:
        raise ValidationError({"role": _("Choose a role inside the organisation.")})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return add_membership(user, role, organisation)


@transaction.atomic
def change_membership(membership: Membership, *, role: str, is_active: bool) -> Membership:
    """Change a staff member's role or (de)activate them; an organisation keeps an admin."""
    if role not in ORGANISATION_ROLES or membership.organisation_id is None:
        raise ValidationError({"role": _("Choose a role inside the organisation.")})
    admins = roles_with(Capability.MEMBERS_MANAGE)
    loses_admin = membership.role in admins and membership.is_active
    if loses_admin and (role not in admins or not is_active):
        others = (
            Membership.objects.select_for_update()
            .filter(organisation_id=membership.organisation_id, role__in=admins, is_active=True)
            .exclude(pk=membership.pk)
        )
        if not others.exists():
            raise ValidationError(
                _(
                    "An organisation keeps at least one active member who manages its staff; "
                    "add another first."
                )
            )
    membership.role = role
    membership.is_active = is_active
    membership.save()
    user = membership.user
    if not is_active and user.active_membership_id == membership.pk:
        user.active_membership = None
        user.save(update_fields=["active_membership"])
    return membership
