"""The audit log: an append-only, hash-chained record of changes and of reads of personal data."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.core.access import Principal
from casework.core.querysets import AccessQuerySet
from casework.core.roles import Capability

GENESIS_HASH = "0" * 64
# Entries without an organisation (the network's, the installation's) form their own chain.
INSTALLATION_CHAIN = "installation"


def chain_of(organisation_id: int | None) -> str:
    """The chain an entry belongs to: one per organisation, one for the rest."""
    return INSTALLATION_CHAIN if organisation_id is None else f"org:{organisation_id}"


def digest(key: bytes, payload: dict[str, Any]) -> str:
    """HMAC-SHA256 of an entry's canonical form, under the audit key (outside the database)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


class Action(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_USED = "token_used", _("API token used")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    SWITCHED = "switched", _("Switched organisation")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    READ = "read", _("Read")
    EXPORT = "export", _("Exported")
    REENCRYPTED = "reencrypted", _("Re-encrypted under a new key")
    BACKED_UP = "backed_up", _("Backed up")
    MERGED = "merged", _("Merged into another record")
    SEARCH = "search", _("Searched by identity")
    LOCKED_OUT = "locked_out", _("Locked out after failed logins")
    TWO_FACTOR_ENROLLED = "2fa_enrolled", _("Two-factor sign-in set up")
    TWO_FACTOR_VERIFIED = "2fa_verified", _("Second factor confirmed")
    TWO_FACTOR_FAILED = "2fa_failed", _("Wrong second-factor code")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    TWO_FACTOR_RESET = "2fa_reset", _("Two-factor sign-in removed")
    UNLOCKED = "unlocked", _("Sign-in unlocked by an admin")
    ERASED = "erased", _("Erased (identity, documents and free text)")


class AuditEntry(models.Model):
    """One thing that happened. Entries are never changed or deleted by the application.

    Each organisation's entries form one chain (`chain`, numbered by `seq` from 1), the
    entries without an organisation another. `hash` is an HMAC, under the audit key in the
    keyring, of every other column and the previous entry's hash: an entry edited or deleted
    directly in the database breaks its chain, and without the key it cannot be rebuilt.
    Deleting the newest entries is found against the signed anchors (`casework audit anchor`).
    Entries name people, households and cases by their codes; values of personal fields are
    never stored, only field names. An entry written during a request made with an API token
    names the token (`token_name`).
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    actor = models.CharField(_("user"), max_length=150, blank=True)
    organisation_id = models.BigIntegerField(_("organisation id"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    subject = models.CharField(
        _("about"),
        max_length=100,
        blank=True,
        help_text=_("Codes of the case, person or household the entry is about."),
    )
    token_name = models.CharField(
        _("API token"),
        max_length=100,
        blank=True,
        help_text=_("The name of the API token the request was made with (never its secret)."),
    )
    chain = models.CharField(_("chain"), max_length=32)
    seq = models.PositiveBigIntegerField(_("number in its chain"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["organisation_id", "-at"], name="audit_org_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)  # type: ignore[unreachable]  # stubs type pk as int; it is None until saved

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Audit entries are append-only.")

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        """Organisation admins read their organisation's entries; the network its own."""
        if not principal.can(Capability.AUDIT_VIEW):
            return queryset.none()
        if principal.is_organisation:
            return queryset.filter(organisation_id=principal.organisation_id)
        return queryset.filter(organisation_id__isnull=True)

    def payload(self) -> dict[str, Any]:
        """The columns the hash covers, in a form that reads back the same from any database.
        `token_name` is covered where it is set (entries from before it existed keep their
        hash)."""
        payload = {
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor": self.actor,
            "organisation_id": self.organisation_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "changed_fields": list(self.changed_fields),
            "request_id": self.request_id,
            "ip": self.ip,
            "subject": self.subject,
            "chain": self.chain,
            "seq": self.seq,
            "prev_hash": self.prev_hash,
        }
        if self.token_name:
            payload["token_name"] = self.token_name
        return payload

    def compute_hash(self, key: bytes) -> str:
        return digest(key, self.payload())
