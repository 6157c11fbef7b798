"""Organisations (the tenants), their sites and projects, users and their memberships."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts.choices import TargetCohort
from casework.core.access import Principal, forget_principal, principal_of
from casework.core.models import AuditedModel, OrgScopedModel, TimeStampedModel
from casework.core.querysets import AccessQuerySet
from casework.core.roles import (
    NETWORK_ROLES,
    ORGANISATION_ROLES,
    ROLE_CHOICES,
    ROLES,
    Capability,
    Role,
)


class Organisation(TimeStampedModel, AuditedModel):
    """One pilot implementer: the tenant that owns its people's data."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=40, unique=True)
    country = CountryField(_("country"))
    languages = models.JSONField(
        _("working languages"),
        default=list,
        blank=True,
        help_text=_("Language codes, for example en, fr, nl."),
    )
    disengagement_alert_days = models.PositiveSmallIntegerField(
        _("days without contact before a case is flagged"),
        default=60,
        help_text=_("An engaged case with no attended contact for this long is 'at risk'."),
    )
    plan_needs_approval = models.BooleanField(
        _("case plans need a supervisor's approval"), default=False
    )
    closure_needs_approval = models.BooleanField(
        _("closures need a supervisor's approval"), default=False
    )
    require_two_factor = models.BooleanField(
        _("staff sign in with a second factor"),
        default=True,
        help_text=_(
            "Everyone who can see people's data confirms each sign-in with a code from an "
            "authenticator app."
        ),
    )
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("minutes without activity before signing out"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(60 * 12)],
        help_text=_("A session left idle this long ends; its user signs in again."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("months closed cases keep identity and free text"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12 * 30)],
        help_text=_(
            "After a person's last case has been closed this long, `casework retention run` "
            "erases their identity, documents and free text; the coded record stays. Empty: "
            "kept until erased by hand."
        ),
    )

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:organisation-detail", args=[self.slug])

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        if principal.is_organisation:
            return queryset.filter(pk=principal.organisation_id)
        if principal.can(Capability.NETWORK_VIEW):
            return queryset
        return queryset.none()

    @property
    def organisation_id(self) -> int:
        """An organisation belongs to itself (so the access layer treats it like its rows)."""
        return self.pk


class Site(OrgScopedModel, TimeStampedModel):
    """A place an organisation works from: an office in a city."""

    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=120)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="site_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"

    def get_absolute_url(self) -> str:
        return self.organisation.get_absolute_url()


class Project(OrgScopedModel, TimeStampedModel):
    """One organisation's ATD pilot: the frame that cases are enrolled in."""

    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    target_cohort = models.CharField(
        _("target cohort"), max_length=40, choices=TargetCohort.choices
    )
    referral_pathways = models.TextField(_("referral pathways"), blank=True)
    sites = models.ManyToManyField(Site, blank=True, related_name="projects")

    class Meta:
        ordering = ["organisation", "-start_date", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="project_name_unique"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.organisation.get_absolute_url()

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A project cannot end before it starts.")})


class User(AbstractUser, AuditedModel):
    """A person who uses Casework (staff of an organisation or of the network)."""

    active_membership = models.ForeignKey(
        "Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("working as"),
    )
    # Logins, password changes and switches have audit actions of their own.
    audit_exclude = frozenset({"last_login", "password", "active_membership"})

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        forget_principal(self)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        forget_principal(self)


class Membership(TimeStampedModel, AuditedModel):
    """A user's role in one organisation, or at network level (no organisation)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
        help_text=_("Empty for a network-level role."),
    )
    role = models.CharField(_("role"), max_length=40, choices=ROLE_CHOICES)
    is_active = models.BooleanField(_("active"), default=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(organisation__isnull=False),
                name="one_role_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(organisation__isnull=True),
                name="one_network_role",
            ),
            models.CheckConstraint(
                condition=(
                    Q(organisation__isnull=False, role__in=sorted(ORGANISATION_ROLES))
                    | Q(organisation__isnull=True, role__in=sorted(NETWORK_ROLES))
                ),
                name="role_matches_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role_obj.label} — {self.organisation or _('Network')}"

    @property
    def role_obj(self) -> Role:
        return ROLES[self.role]

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        """Staff lists: an organisation sees its own staff; the network sees network staff."""
        if principal.is_organisation and principal.can(Capability.MEMBERS_VIEW):
            return queryset.filter(organisation_id=principal.organisation_id)
        if principal.is_network and principal.can(Capability.NETWORK_VIEW):
            return queryset.filter(organisation__isnull=True)
        return queryset.none()

    def clean(self) -> None:
        role = ROLES.get(self.role)
        if role is None:
            return
        if role.is_network and self.organisation_id is not None:
            raise ValidationError({"organisation": _("A network role has no organisation.")})
        if not role.is_network and self.organisation_id is None:
            raise ValidationError({"organisation": _("This role needs an organisation.")})


def hash_token_secret(secret: str) -> str:
    """What is stored of an API token's secret: its SHA-256. The secret is 256 random bits,
    so a plain hash cannot be reversed by guessing, and the secret itself is never kept."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def owned_by(self, user: Any) -> ApiTokenQuerySet:
        return self.filter(user_id=user.pk)

    def live(self) -> ApiTokenQuerySet:
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A secret a user's script sends as `Authorization: Token <secret>`. A user may hold
    several, each named; each expires, can be revoked, and ends with the user's password or
    last membership. Only a hash of the secret is stored; the secret is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. laptop script"))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("starts with"), max_length=8, help_text=_("The secret's first characters, to tell it.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return not self.is_revoked and not self.is_expired


# Network roles see no row that identifies a person and have no organisation's setting.
DEFAULT_SESSION_IDLE_MINUTES = 30


def working_organisation(user: Any) -> Organisation | None:
    """The organisation of the membership `user` works in now (loaded with the principal)."""
    principal = principal_of(user)
    active = next((m for m in principal.memberships if m.pk == principal.membership_id), None)
    return active.organisation if active is not None else None


def session_idle_minutes(user: Any) -> int:
    organisation = working_organisation(user)
    return organisation.session_idle_minutes if organisation else DEFAULT_SESSION_IDLE_MINUTES


def second_factor_required(user: Any) -> bool:
    """Whether `user` must confirm this sign-in with a second factor: always once they have
    set one up, and otherwise when they can see personal data in an organisation that
    requires it."""
    principal = principal_of(user)
    organisation = working_organisation(user)
    if (
        organisation is not None
        and organisation.require_two_factor
        and principal.can(Capability.PERSONAL_DATA_VIEW)
    ):
        return True
    return has_second_factor(user)


def has_second_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
