"""How fast `casework generate` fills a database."""

from __future__ import annotations

import datetime as dt
import resource
import time

from casework.accounts.demo import create_demo_network
from casework.accounts.models import Organisation
from casework.synthetic.generator import generate


def run(cases: int, seed: int = 1) -> None:
    create_demo_network("benchmark-password")
    started = time.perf_counter()
    counts = generate(cases, seed, dt.date(2026, 6, 30), list(Organisation.objects.all()))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"generate: {counts.cases:,} cases, {counts.events:,} events in {seconds:.1f} s "
        f"({counts.cases / seconds:,.0f} cases/s), peak memory {peak:,.0f} MiB"
    )
