"""Writing to the audit log and checking its chain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from casework.audit import context
from casework.audit.models import GENESIS_HASH, Action, AuditEntry
from casework.core.access import principal_of

# Any constant: PostgreSQL serialises appends to the chain with this advisory lock.
_CHAIN_LOCK = 0x6361_7365  # "case"


def object_label(obj: Any) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def record(
    action: str,
    *,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    changed_fields: Iterable[str] = (),
    organisation_id: Any = ...,
    user: Any = ...,
) -> AuditEntry:
    """Append one entry, in the caller's transaction: it lands with the change or not at all.

    `organisation_id` defaults to the object's organisation, else the organisation the user
    acts in; pass None for a network-level entry. `user` defaults to the request's user.
    """
    ctx = context.current()
    if user is ...:
        user = ctx.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if obj is not None:
        object_type, object_id = object_label(obj)
    if organisation_id is ...:
        organisation_id = getattr(obj, "organisation_id", None) if obj is not None else None
        if organisation_id is None and user is not None:
            organisation_id = principal_of(user).organisation_id
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        prev = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry = AuditEntry(
            at=timezone.now(),
            actor_id=user.pk if user is not None else None,
            actor=user.get_username() if user is not None else "",
            organisation_id=organisation_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            changed_fields=sorted(changed_fields),
            request_id=ctx.request_id,
            ip=ctx.ip,
            prev_hash=prev or GENESIS_HASH,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
    return entry


def record_read(obj: Any, user: Any) -> AuditEntry:
    """A read of an audited detail page or endpoint."""
    return record(Action.READ, obj=obj, user=user)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""
    head: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(*, chunk_size: int = 2000, progress: Any = None) -> ChainReport:
    """Walk the whole chain in order; report the first entry that does not hold."""
    expected_prev = GENESIS_HASH
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk_size):
        if entry.prev_hash != expected_prev:
            return ChainReport(
                checked,
                entry.pk,
                "it does not point to the entry before it "
                "(an entry before it was deleted or changed)",
                expected_prev,
            )
        if entry.compute_hash() != entry.hash:
            return ChainReport(
                checked,
                entry.pk,
                "its contents do not match its hash (it was changed)",
                expected_prev,
            )
        expected_prev = entry.hash
        checked += 1
        if progress is not None:
            progress(checked)
    return ChainReport(checked, head=expected_prev)
