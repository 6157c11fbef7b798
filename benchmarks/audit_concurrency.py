"""Concurrent audit writers: threads appending in their own transactions, as requests do.

Each transaction writes one entry and then holds the transaction open for `work_ms` (the rest
of a request's writes): with one installation-wide chain lock every other writer waits for it;
with one lock per organisation only writers in the same organisation do.
"""

from __future__ import annotations

import threading
import time

from django.db import connection, connections, transaction

from casework.audit.models import Action
from casework.audit.services import record


def _writer(organisation_id: int, count: int, work_ms: float, errors: list[BaseException]) -> None:
    try:
        for i in range(count):
            with transaction.atomic():
                record(
                    Action.UPDATE,
                    object_type="bench.row",
                    object_id=str(i),
                    changed_fields=["status"],
                    organisation_id=organisation_id,
                    user=None,
                )
                time.sleep(work_ms / 1000)
    except BaseException as exc:  # reported by the caller
        errors.append(exc)
    finally:
        connections.close_all()


def run(per_thread: int = 100, work_ms: float = 2.0, threads: tuple[int, ...] = (1, 4, 8)) -> None:
    for same_organisation in (False, True):
        for n in threads:
            errors: list[BaseException] = []
            workers = [
                threading.Thread(
                    target=_writer,
                    args=(1 if same_organisation else 100 + t, per_thread, work_ms, errors),
                )
                for t in range(n)
            ]
            started = time.perf_counter()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            elapsed = time.perf_counter() - started
            if errors:
                raise errors[0]
            where = (
                "one organisation"
                if same_organisation
                else f"{n} organisations"
                if n > 1
                else "1 organisation"
            )
            print(
                f"audit concurrent ({connection.vendor}, {where}, {work_ms:g} ms work per "
                f"transaction): {n} writers, {n * per_thread:,} entries in {elapsed:.2f} s "
                f"({n * per_thread / elapsed:,.0f} entries/s)"
            )
