"""Abstract base models that every domain app builds on."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.access import Principal
from casework.core.crypto import keyring
from casework.core.fields import Sealed, SealedTextField
from casework.core.querysets import AccessQuerySet, scope_by_organisation


class TimeStampedModel(models.Model):
    """Adds when a row was created and last changed."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditedModel(models.Model):
    """Every create, update and delete of a subclass is written to the audit log.

    It remembers the values it was loaded with, so the audit entry can name the fields a
    save changed without an extra query (and never their values).
    """

    audit_exclude: ClassVar[frozenset[str]] = frozenset({"created_at", "updated_at"})
    # Rows derived from others (search indexes, caches) set this to False.
    audited: ClassVar[bool] = True
    # Foreign keys to rows with a pseudonymous `code`: an entry about this row names their codes.
    audit_subject_fields: ClassVar[tuple[str, ...]] = ("case", "person", "household")

    class Meta:
        abstract = True

    def audit_reference(self) -> str:
        """How the audit log names this row: its pseudonymous code if it has one, else its
        random `uid` if it has one (ids are sequential: they would tell the network's volumes),
        else its id."""
        code = getattr(self, "code", "")
        if isinstance(code, str) and code:
            return code
        uid = getattr(self, "uid", None)
        return str(uid) if isinstance(uid, uuid.UUID) else str(self.pk)

    def audit_subject(self) -> str:
        """The codes of the person, household or case this row is about (its own first)."""
        codes: list[str] = []
        own = getattr(self, "code", "")
        if isinstance(own, str) and own:
            codes.append(own)
        for name in self.audit_subject_fields:
            try:
                field = self._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            # A foreign key, or a one-to-one such as an identity's person.
            to_one = field.many_to_one or field.one_to_one
            if not to_one or not isinstance(field.related_model, type):
                continue
            target: Any = field.related_model
            if not any(f.name == "code" for f in target._meta.concrete_fields):
                continue
            if field.is_cached(self):  # type: ignore[union-attr]
                related = getattr(self, name)
                code = related.code if related is not None else None
            else:
                related_id = getattr(self, field.attname)  # type: ignore[union-attr]
                code = (
                    target._default_manager.filter(pk=related_id)
                    .values_list("code", flat=True)
                    .first()
                    if related_id is not None
                    else None
                )
            if code and code not in codes:
                codes.append(code)
        return " ".join(codes)[:100]

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> AuditedModel:
        instance = super().from_db(db, field_names, values)
        instance._audit_loaded = dict(zip(field_names, values, strict=True))
        return instance

    def audit_changed_fields(self) -> list[str]:
        """Names of the concrete fields that differ from what was loaded (all, when new)."""
        loaded = getattr(self, "_audit_loaded", None)
        names = []
        for f in self._meta.concrete_fields:
            if f.primary_key or f.name in self.audit_exclude:
                continue
            if loaded is None or f.attname not in loaded or self._audit_differs(f, loaded):
                names.append(f.name)
        return names

    def _audit_differs(self, field: Any, loaded: dict[str, Any]) -> bool:
        before = loaded[field.attname]
        if isinstance(before, Sealed):  # a sealed field, compared without opening it if unread
            now = self.__dict__.get(field.attname, before)
            return not isinstance(now, Sealed) and field.open(self, before) != now
        return bool(before != getattr(self, field.attname))

    def audit_mark_saved(self) -> None:
        self._audit_loaded = {
            f.attname: self.__dict__.get(f.attname)
            if isinstance(f, SealedTextField)
            else getattr(self, f.attname)
            for f in self._meta.concrete_fields
        }


class OrgScopedModel(AuditedModel):
    """A row that belongs to one organisation (the tenant).

    Rows that hold or point to personal data carry `organisation` directly, even where a join
    could derive it: the access rule stays one indexed filter. Set `identifies_person = True`
    on models whose rows are about a person: network roles then never see them.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="%(class)s_set",
        verbose_name=_("organisation"),
    )
    identifies_person: ClassVar[bool] = False

    objects = AccessQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        return scope_by_organisation(
            queryset, principal, field="organisation_id", identifies_person=cls.identifies_person
        )


class SealedModel(models.Model):
    """A row whose content is encrypted at rest (see casework/core/crypto.py).

    `casework keys rotate` re-encrypts every row of every subclass under the new key.
    """

    key_id = models.CharField(max_length=40, db_index=True, editable=False)
    sealed = models.BinaryField(editable=False)
    # Rows re-encrypted per transaction by `casework keys rotate` (lower for large values).
    rotation_batch: ClassVar[int] = 500

    class Meta:
        abstract = True

    def associated_data(self) -> bytes:
        """What binds the ciphertext to this row; it must not change after sealing."""
        raise NotImplementedError

    def seal_bytes(self, plaintext: bytes) -> None:
        ring = keyring()
        self.sealed = ring.seal(plaintext, self.associated_data())
        self.key_id = ring.active

    def open_bytes(self) -> bytes:
        return keyring().open(bytes(self.sealed), self.associated_data())


class ImmutableError(RuntimeError):
    """A release, once stored, is never changed: a revision is a new release."""


NETWORK = "network"  # the scope of the whole network's tables


class Release(AuditedModel):
    """A numbered, immutable set of figures for the network, built in one go, suppressed
    together and audited (casework.core.releases). Everything outside an organisation reads
    these, never live figures."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    scope = models.CharField(_("scope"), max_length=20, default="network")
    periods = models.JSONField(
        _("reference periods"),
        default=list,
        help_text=_("Each period with the release that first published it (periods freeze)."),
    )
    built_at = models.DateTimeField(_("built"))
    cutoff = models.DateTimeField(_("data cut-off"))
    threshold = models.PositiveSmallIntegerField(_("threshold k"))
    code_version = models.CharField(_("code version"), max_length=80)
    built_by = models.CharField(_("built by"), max_length=150, blank=True)
    audit = models.JSONField(_("audit result"), default=dict)
    changes = models.JSONField(_("changes since the previous release"), default=dict)

    class Meta:
        ordering = ["-built_at", "-pk"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("A stored release is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("A stored release is never deleted.")

    @property
    def title(self) -> str:
        return str(_("Network release %(number)s") % {"number": self.number})

    def covers(self, period: str) -> bool:
        return any(p["period"] == period for p in self.periods)

    def scopes(self, period: str) -> list[dict[str, Any]]:
        """The scopes `period` has tables for, each {"scope", "label", "breakdowns"}: the
        network first. (Releases from before country and organisation tables hold the
        network only; from before "breakdowns", every breakdown.)"""
        for entry in self.periods:
            if entry["period"] == period:
                return entry.get("scopes") or [{"scope": NETWORK, "label": ""}]
        return []

    def publishes(self, period: str, scope: str) -> bool:
        return any(s["scope"] == scope for s in self.scopes(period))

    def breakdowns(self, period: str, scope: str) -> list[str] | None:
        """What the scope's tables of `period` break down by (None: not recorded, every
        breakdown)."""
        for entry in self.scopes(period):
            if entry["scope"] == scope:
                return entry.get("breakdowns")
        return []


class ReleaseFigure(models.Model):
    """One cell of a release: an indicator's value for a period, a scope (the network, a
    country "country:BE", or an organisation as seen from outside "organisation:<slug>"), a
    breakdown and a group (empty breakdown and group: the scope's total). Withheld cells
    keep only why."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="figures")
    period = models.CharField(_("period"), max_length=20)
    scope = models.CharField(_("scope"), max_length=100, default=NETWORK)
    table = models.CharField(_("indicator"), max_length=60)
    breakdown = models.CharField(_("breakdown"), max_length=40, blank=True)
    group = models.CharField(_("group"), max_length=200, blank=True)
    numerator = models.IntegerField(null=True)
    denominator = models.IntegerField(null=True)
    value = models.FloatField(null=True)
    low = models.FloatField(null=True)
    high = models.FloatField(null=True)
    suppressed = models.BooleanField(default=False)
    reason = models.CharField(_("why withheld"), max_length=20, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["release", "period", "scope", "table", "breakdown"],
                name="release_figure_lookup",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.scope} {self.table} {self.breakdown}={self.group}"


class ReleaseCurve(models.Model):
    """A survival curve of a release, for the whole of one scope: points every 30 days at
    most, without numbers at risk or events (see docs/disclosure.md)."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="curves")
    period = models.CharField(_("period"), max_length=20)
    scope = models.CharField(_("scope"), max_length=100, default=NETWORK)
    table = models.CharField(_("indicator"), max_length=60)
    points = models.JSONField(default=list)
    median = models.IntegerField(null=True)
    median_low = models.IntegerField(null=True)
    median_high = models.IntegerField(null=True)
    suppressed = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "period", "scope", "table"], name="release_curve_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.scope} {self.table} curve"


class Job(AuditedModel):
    """Slow work done by the worker (`casework worker`) rather than in a request: what was
    asked, by whom, how far it has got and how it ended (casework.core.jobs). Addressed by
    a random id, so its address tells nothing of how many jobs there were."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # Progress changes often and says nothing about people: it is not audited.
    audit_exclude = frozenset({"created_at", "done", "total", "step"})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True)
    finished_at = models.DateTimeField(_("finished"), null=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    result = models.JSONField(_("result"), default=dict)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "status"], name="job_kind_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def seconds(self) -> int | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds())

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
