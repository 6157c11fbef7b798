"""Writing to the audit log, checking its chains, and anchoring their heads outside the database."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from casework.audit import context
from casework.audit.models import GENESIS_HASH, Action, AuditEntry, chain_of
from casework.core.access import principal_of
from casework.core.crypto import keyring

# PostgreSQL serialises appends to one chain with the advisory lock (_CHAIN_LOCK, chain number):
# writers in different organisations do not wait for each other. A transaction that writes to
# two chains holds both locks; two such transactions taking them in opposite orders deadlock,
# and PostgreSQL then aborts one of them (rare: a request acts in one organisation).
_CHAIN_LOCK = 0x6361_7365  # "case"


def object_label(obj: Any) -> tuple[str, str]:
    """(type, reference): people, households and cases by their code, other rows by id."""
    reference = obj.audit_reference() if hasattr(obj, "audit_reference") else str(obj.pk)
    return obj._meta.label_lower, reference


def _lock_chain(organisation_id: int | None) -> None:
    if connection.vendor == "postgresql":
        number = 0 if organisation_id is None else 1 + int(organisation_id) % (2**31 - 2)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK, number])
    # SQLite: every write transaction is IMMEDIATE (settings), so appends are serial already.


def record(
    action: str,
    *,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    subject: str = "",
    changed_fields: Iterable[str] = (),
    organisation_id: Any = ...,
    user: Any = ...,
) -> AuditEntry:
    """Append one entry, in the caller's transaction: it lands with the change or not at all.

    `organisation_id` defaults to the object's organisation, else the organisation the user
    acts in; pass None for an installation-level entry. `user` defaults to the request's user.
    """
    ctx = context.current()
    if user is ...:
        user = ctx.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if obj is not None:
        object_type, object_id = object_label(obj)
        if not subject and hasattr(obj, "audit_subject"):
            subject = obj.audit_subject()
    if organisation_id is ...:
        organisation_id = getattr(obj, "organisation_id", None) if obj is not None else None
        if organisation_id is None and user is not None:
            organisation_id = principal_of(user).organisation_id
    key = keyring().audit_key
    chain = chain_of(organisation_id)
    with transaction.atomic():
        _lock_chain(organisation_id)
        head = AuditEntry.objects.filter(chain=chain).order_by("-seq").values_list("seq", "hash")
        last = head.first()
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
            subject=subject,
            token_name=ctx.token_name,
            chain=chain,
            seq=last[0] + 1 if last else 1,
            prev_hash=last[1] if last else GENESIS_HASH,
        )
        entry.hash = entry.compute_hash(key)
        entry.save(force_insert=True)
    return entry


def record_read(obj: Any, user: Any) -> AuditEntry:
    """A read of an audited detail page or endpoint."""
    return record(Action.READ, obj=obj, user=user)


# --- Anchors: signed chain heads kept outside the database ---------------------------------


@dataclass(frozen=True)
class Anchor:
    """The head of one chain at one moment, signed with a key derived from the audit key."""

    chain: str
    seq: int
    hash: str
    at: str

    def message(self) -> bytes:
        fields = ("casework-audit-anchor", self.chain, str(self.seq), self.hash, self.at)
        return "\x1f".join(fields).encode()

    def signature(self, key: bytes) -> str:
        return hmac.new(_anchor_key(key), self.message(), hashlib.sha256).hexdigest()


def _anchor_key(key: bytes) -> bytes:
    return hmac.new(key, b"casework audit anchors", hashlib.sha256).digest()


class AnchorFileError(Exception):
    """The anchor file cannot be read, or a line in it was not signed with this audit key."""


def anchors_path() -> Path | None:
    """The anchor file (`CASEWORK_AUDIT_ANCHORS`); None in production until it is set."""
    value = settings.CASEWORK_AUDIT_ANCHORS
    return Path(value) if value else None


def chain_heads() -> list[Anchor]:
    """The newest entry of every chain, as anchors to sign."""
    now = timezone.now().isoformat(timespec="seconds")
    heads = []
    for row in AuditEntry.objects.values("chain").annotate(top=Max("seq")).order_by("chain"):
        digest = AuditEntry.objects.values_list("hash", flat=True).get(
            chain=row["chain"], seq=row["top"]
        )
        heads.append(Anchor(row["chain"], row["top"], digest, now))
    return heads


def write_anchors(path: Path | None = None) -> list[Anchor]:
    """Append every chain's signed head to the anchor file (one JSON line each), and sync it."""
    target = path or anchors_path()
    if target is None:
        raise AnchorFileError("CASEWORK_AUDIT_ANCHORS is not set: there is nowhere to anchor.")
    key = keyring().audit_key
    with transaction.atomic():  # one consistent view of every chain's head
        heads = chain_heads()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as handle:
        for anchor in heads:
            line = {**anchor.__dict__, "sig": anchor.signature(key)}
            handle.write(json.dumps(line, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return heads


def read_anchors(path: Path | None = None) -> dict[str, Anchor]:
    """The newest signed anchor of each chain. A line with a bad signature is an error."""
    target = path or anchors_path()
    key = keyring().audit_key
    newest: dict[str, Anchor] = {}
    if target is None or not target.exists():
        return newest
    try:
        lines = target.read_text().splitlines()
    except OSError as exc:
        raise AnchorFileError(f"The anchor file {target} cannot be read: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchor = Anchor(
                str(data["chain"]), int(data["seq"]), str(data["hash"]), str(data["at"])
            )
            signature = str(data["sig"])
        except (ValueError, KeyError, TypeError):
            raise AnchorFileError(f"Line {number} of {target} is not an anchor.") from None
        if not hmac.compare_digest(signature, anchor.signature(key)):
            raise AnchorFileError(
                f"Line {number} of {target} is not signed with this installation's audit key."
            )
        if anchor.chain not in newest or anchor.seq >= newest[anchor.chain].seq:
            newest[anchor.chain] = anchor
    return newest


# --- Verification ----------------------------------------------------------------------------


@dataclass
class ChainReport:
    """What `verify_chain` found in one chain."""

    chain: str
    checked: int = 0
    broken_at: int | None = None  # the seq of the first entry that does not hold
    broken_id: int | None = None
    reason: str = ""
    head: str = GENESIS_HASH
    head_seq: int = 0
    truncated: bool = False
    anchor: Anchor | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.truncated

    def describe(self) -> str:
        if self.broken_at is not None:
            return f"broken at seq {self.broken_at} (entry #{self.broken_id}): {self.reason}"
        if self.truncated:
            assert self.anchor is not None
            return (
                f"truncated: the anchor of {self.anchor.at} names seq {self.anchor.seq}, "
                f"but {self.reason}"
            )
        if self.anchor is not None:
            return f"OK, {self.checked:,} entries (anchored up to seq {self.anchor.seq})"
        return f"OK, {self.checked:,} entries"


@dataclass
class AuditReport:
    chains: list[ChainReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(chain.ok for chain in self.chains)

    @property
    def checked(self) -> int:
        return sum(chain.checked for chain in self.chains)

    def chain(self, name: str) -> ChainReport:
        return next(report for report in self.chains if report.chain == name)


def verify_chain(
    *,
    anchors: dict[str, Anchor] | None = None,
    chunk_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> AuditReport:
    """Walk every chain in order; report per chain the first entry that does not hold, and
    whether the chain still reaches its newest anchor (`anchors`, default: none)."""
    key = keyring().audit_key
    anchors = anchors or {}
    reports: dict[str, ChainReport] = {}
    done = 0
    for entry in AuditEntry.objects.order_by("chain", "seq").iterator(chunk_size=chunk_size):
        report = reports.get(entry.chain)
        if report is None:
            report = reports[entry.chain] = ChainReport(entry.chain)
        done += 1
        if progress is not None:
            progress(done)
        if report.broken_at is not None:
            continue
        expected_seq = report.head_seq + 1
        if entry.seq != expected_seq or entry.prev_hash != report.head:
            report.broken_at, report.broken_id = expected_seq, entry.pk
            report.reason = (
                "the entry before it is missing or was changed"
                if entry.seq == expected_seq
                else f"entries {expected_seq}..{entry.seq - 1} are missing"
            )
            continue
        if not hmac.compare_digest(entry.compute_hash(key), entry.hash):
            report.broken_at, report.broken_id = entry.seq, entry.pk
            report.reason = "its contents do not match its keyed hash (it was changed)"
            continue
        report.head, report.head_seq = entry.hash, entry.seq
        report.checked += 1
    for name, anchor in anchors.items():
        report = reports.get(name)
        if report is None:
            report = reports[name] = ChainReport(name)
        report.anchor = anchor
        if report.broken_at is not None:
            continue
        if report.head_seq < anchor.seq:
            report.truncated = True
            report.reason = f"the chain now ends at seq {report.head_seq}"
        elif not _holds(name, anchor):
            report.truncated = True
            report.reason = "the entry there is no longer the one anchored"
    return AuditReport(sorted(reports.values(), key=lambda r: r.chain))


def _holds(chain: str, anchor: Anchor) -> bool:
    found = AuditEntry.objects.filter(chain=chain, seq=anchor.seq).values_list("hash", flat=True)
    return hmac.compare_digest(found.first() or "", anchor.hash)
