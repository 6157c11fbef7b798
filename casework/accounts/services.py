"""Writes on accounts: each one a named, transactional function."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as reset_access_attempts
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts.models import ApiToken, Membership, Organisation, User, hash_token_secret
from casework.audit import context as audit_context
from casework.audit.models import Action
from casework.audit.services import record
from casework.core.access import forget_principal, principal_of
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
    if not is_active and not user.memberships.filter(is_active=True).exists():
        revoke_api_tokens(user, organisation_id=membership.organisation_id)
    forget_principal(user)
    return membership


# -- Sign-in: other sessions, two-factor enrolment, verification and reset -----------------

RECOVERY_CODES = 10


def end_other_sessions(user: User, *, keep: str | None) -> int:
    """Delete every session of `user` but `keep` (after a password change, say). Django
    would refuse them at their next request anyway (their password hash no longer matches);
    this ends them now. Sessions live in the database (the default session engine)."""
    ended = 0
    sessions = Session.objects.filter(expire_date__gt=timezone.now())
    for session in sessions.exclude(session_key=keep or "").iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def change_password_everywhere(user: User, *, keep_session: str | None) -> int:
    """After `user` changed their password: end their other sessions and revoke their API
    tokens (whoever knew the old password may have made one). Returns the sessions ended."""
    ended = end_other_sessions(user, keep=keep_session)
    revoke_api_tokens(user, by=user)
    record(Action.PASSWORD_CHANGED, obj=user, user=user)
    return ended


@transaction.atomic
def start_totp_enrolment(user: User) -> TOTPDevice:
    """The authenticator-app device `user` is setting up (a new secret, until confirmed)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("Two-factor sign-in is already set up for this account."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=str(_("Authenticator app")), confirmed=False
        )
    return device


def confirm_totp_enrolment(user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app with a code it shows; returns the recovery codes (shown only once)."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("Start setting up two-factor sign-in again."))
    if not device.verify_token(_normalise(code)):
        record(Action.TWO_FACTOR_FAILED, obj=user, user=user)
        raise ValidationError(
            _("That code is not right. Check the time on your phone and type the newest code.")
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(
            user=user, name=str(_("Recovery codes")), confirmed=True
        )
        codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
        record(Action.TWO_FACTOR_ENROLLED, obj=user, user=user)
    return codes


class SecondFactorRefused(Exception):
    """A second factor that was not accepted; `locked` once there were too many."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.locked = locked


def verify_second_factor(user: User, code: str) -> Device:
    """The device that accepts `code`: a current app code, or a recovery code (used up).

    Every wrong code doubles the wait before the next try (django-otp's throttle, kept on the
    device, so it holds across sessions and the API); at `CASEWORK_LOCKOUT_FAILURES` wrong
    codes in a row the sign-in is locked out and audited as such.
    """
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if totp is None:
        raise SecondFactorRefused(_("Set up two-factor sign-in first."))
    limit = settings.CASEWORK_LOCKOUT_FAILURES
    allowed, _info = totp.verify_is_allowed()
    if not allowed:
        raise SecondFactorRefused(
            _("Too many wrong codes: wait a few minutes before trying again."),
            locked=totp.throttling_failure_count >= limit,
        )
    code = _normalise(code)
    if code.isdigit() and len(code) == totp.digits:
        if totp.verify_token(code):
            record(Action.TWO_FACTOR_VERIFIED, obj=user, user=user)
            return totp
    else:
        recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if recovery is not None and recovery.verify_token(code):
            totp.throttle_reset()
            record(Action.RECOVERY_CODE_USED, obj=user, user=user)
            return recovery
        totp.throttle_increment()
    record(Action.TWO_FACTOR_FAILED, obj=user, user=user)
    if totp.throttling_failure_count == limit:
        record(Action.LOCKED_OUT, obj=user, user=user)
    raise SecondFactorRefused(
        _("That code is not right."), locked=totp.throttling_failure_count >= limit
    )


@transaction.atomic
def reset_two_factor(membership: Membership) -> int:
    """Remove a member's authenticator app and recovery codes (a lost phone): they set up a
    new one at their next sign-in. Returns how many devices were removed."""
    user = membership.user
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        _total, per_model = model.objects.filter(user=user).delete()
        removed += per_model.get(model._meta.label, 0)
    record(
        Action.TWO_FACTOR_RESET,
        obj=user,
        organisation_id=membership.organisation_id,
    )
    return removed


def sign_in_paused(user: User) -> bool:
    """Whether failed logins have paused signing in to this account (django-axes counts
    them per typed username until the lock-out ends or an admin unlocks it)."""
    attempts = AccessAttempt.objects.filter(username=user.get_username())
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
    return failures >= settings.AXES_FAILURE_LIMIT


def unlock_sign_in(membership: Membership) -> int:
    """An admin lets a locked-out member sign in again at once: the failed attempts counted
    against their username are forgotten (a locked address is the system administrator's,
    `casework axes_reset_ip`). Audited; returns how many counters were removed."""
    removed = reset_access_attempts(username=membership.user.get_username())
    record(Action.UNLOCKED, obj=membership.user, organisation_id=membership.organisation_id)
    return removed


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


# -- API tokens ---------------------------------------------------------------------------

# A token's last use is written at most this often, so that a busy script does not write
# (and audit) at every request.
TOKEN_USE_RESOLUTION = dt.timedelta(minutes=1)


def issue_api_token(user: User, *, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new API token for `user`; returns it with its secret, which is not kept (only its
    hash is), so this is the only time anyone sees it. It expires after `days`, at most
    `CASEWORK_API_TOKEN_DAYS` (the default)."""
    if principal_of(user).membership_id is None:
        raise ValidationError(
            _("This account has no active membership: it cannot have API tokens.")
        )
    most = settings.CASEWORK_API_TOKEN_DAYS
    if days is None:
        days = most
    if not 1 <= days <= most:
        raise ValidationError({"days": [_("A token lasts from 1 to %(n)d days.") % {"n": most}]})
    now = timezone.now()
    name = name.strip() or _("API token %(date)s") % {
        "date": formats.date_format(timezone.localdate(now), "Y-m-d")
    }
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        key_hash=hash_token_secret(secret),
        prefix=secret[:8],
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    token.full_clean()
    with transaction.atomic():
        token.save(force_insert=True)
        record(Action.TOKEN_ISSUED, obj=token, user=user)
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: User | None) -> bool:
    """Revoke one token (by its owner, or an admin of their organisation); False when it was
    revoked already."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    token.refresh_from_db(fields=["revoked_at", "revoked_by"])
    if revoked:
        record(Action.TOKEN_REVOKED, obj=token, user=by)
    return bool(revoked)


@transaction.atomic
def revoke_api_tokens(user: User, *, by: User | None = None, organisation_id: Any = ...) -> int:
    """Revoke every token of `user` not revoked yet (a password change, the end of their last
    membership); each revocation is audited. Returns how many."""
    tokens = list(
        ApiToken.objects.owned_by(user).filter(revoked_at__isnull=True).select_for_update()
    )
    now = timezone.now()
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now, revoked_by=by)
    for token in tokens:
        record(Action.TOKEN_REVOKED, obj=token, organisation_id=organisation_id)
    return len(tokens)


def note_api_token_use(token: ApiToken) -> None:
    """A request authenticated with `token`: its later audit entries name the token, and its
    last use is written (and audited) at most once a minute."""
    audit_context.current().token_name = token.name
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_RESOLUTION:
        return
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        record(Action.TOKEN_USED, obj=token, user=token.user)
    token.last_used_at = now
