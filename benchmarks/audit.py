"""How fast the audit log appends and verifies."""

from __future__ import annotations

import time

from django.db import transaction

from casework.audit.models import Action, AuditEntry
from casework.audit.services import record, verify_chain


def run(entries: int) -> None:
    started = time.perf_counter()
    batch = 500
    for start in range(0, entries, batch):
        with transaction.atomic():
            for i in range(start, min(start + batch, entries)):
                record(
                    Action.UPDATE,
                    object_type="bench.row",
                    object_id=str(i),
                    changed_fields=["status"],
                    organisation_id=1,
                    user=None,
                )
    append = time.perf_counter() - started
    assert AuditEntry.objects.count() >= entries
    started = time.perf_counter()
    report = verify_chain()
    verify = time.perf_counter() - started
    assert report.ok
    print(
        f"audit append: {entries:,} entries in {append:.2f} s "
        f"({entries / append:,.0f} entries/s, {append / entries * 1e3:.2f} ms each)"
    )
    print(
        f"audit verify: {report.checked:,} entries in {verify:.2f} s "
        f"({report.checked / verify:,.0f} entries/s)"
    )
