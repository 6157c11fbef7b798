"""Signal receivers: the only signals in Casework, and they only write the audit log."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.access import principal_of
from casework.core.models import AuditedModel


@receiver(post_save, dispatch_uid="casework_audit_save")
def audit_save(sender: type, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    if raw or not isinstance(instance, AuditedModel) or not instance.audited:
        return
    changed = instance.audit_changed_fields()
    if created or changed:
        record(Action.CREATE if created else Action.UPDATE, obj=instance, changed_fields=changed)
    instance.audit_mark_saved()


@receiver(post_delete, dispatch_uid="casework_audit_delete")
def audit_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, AuditedModel) and instance.audited:
        record(Action.DELETE, obj=instance)


@receiver(user_logged_in, dispatch_uid="casework_audit_login")
def audit_login(sender: type, request: Any, user: Any, **kwargs: Any) -> None:
    record(Action.LOGIN, obj=user, user=user, organisation_id=_active_org(user))


@receiver(user_logged_out, dispatch_uid="casework_audit_logout")
def audit_logout(sender: type, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(Action.LOGOUT, obj=user, user=user, organisation_id=_active_org(user))


@receiver(user_login_failed, dispatch_uid="casework_audit_login_failed")
def audit_login_failed(sender: type, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # The typed username is not stored (it may be a mistyped password); an existing
    # account that was tried is named by its id.
    target = _account(credentials.get("username", ""))
    record(
        Action.LOGIN_FAILED,
        obj=target,
        user=None,
        organisation_id=_active_org(target) if target is not None else None,
    )


@receiver(user_locked_out, dispatch_uid="casework_audit_locked_out")
def audit_locked_out(sender: Any, request: Any = None, username: Any = None, **kwargs: Any) -> None:
    """django-axes locked an account or an address: recorded once, when it happens (refused
    attempts during the lock-out, which axes counts on, are failed logins)."""
    if getattr(request, "axes_failures_since_start", None) != settings.AXES_FAILURE_LIMIT:
        return
    target = _account(username or "")
    record(
        Action.LOCKED_OUT,
        obj=target,
        user=None,
        organisation_id=_active_org(target) if target is not None else None,
    )


def _account(username: str) -> Any:
    return get_user_model().objects.filter(username=username).first() if username else None


def _active_org(user: Any) -> int | None:
    """The organisation the user works in; for someone whose memberships were all ended, the
    one they were last in, so its admin sees attempts on a deactivated account."""
    organisation_id = principal_of(user).organisation_id
    if organisation_id is None:
        organisation_id = (
            user.memberships.filter(organisation__isnull=False)
            .order_by("-is_active", "-updated_at", "-pk")
            .values_list("organisation_id", flat=True)
            .first()
        )
    return organisation_id
