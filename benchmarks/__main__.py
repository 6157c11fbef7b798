"""Run every benchmark against a fresh database in a temporary directory and print figures.

Usage: `make bench` (or `.venv/bin/python -m benchmarks [--audit-entries N] [--only-audit]`).
With DATABASE_URL set, it runs against that (empty) database instead, e.g. PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--audit-entries", type=int, default=20_000)
    parser.add_argument("--cases", type=int, default=10_000, help="for casework generate")
    parser.add_argument(
        "--large",
        type=int,
        default=100_000,
        help="cases for the second dashboard timing (0 to skip; generating them takes minutes)",
    )
    parser.add_argument(
        "--only-audit", action="store_true", help="the audit benchmarks alone (no generate)"
    )
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="casework-bench-")
    os.environ.setdefault("CASEWORK_VAR_DIR", tmp)
    os.environ.setdefault("CASEWORK_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    from benchmarks import audit, audit_concurrency, dashboard, generate

    audit.run(args.audit_entries)
    audit_concurrency.run()
    if args.only_audit:
        return
    generate.run(args.cases)
    dashboard.run(f"{args.cases:,} generated")
    if args.large > args.cases:
        generate.run(args.large - args.cases, seed=2)
        dashboard.run(f"{args.large:,} generated")
    sys.stdout.flush()


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"total: {time.perf_counter() - started:.1f} s")
