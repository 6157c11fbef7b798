"""`casework audit verify`: walk the audit chain and report the first broken link."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.audit.models import AuditEntry
from casework.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. 'verify' checks that no entry was changed or deleted."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Check the hash chain; exit code 1 at the first broken link.")

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEntry.objects.count()
        show_progress = sys.stderr.isatty() and total > 10_000

        def progress(done: int) -> None:
            if show_progress and done % 10_000 == 0:
                sys.stderr.write(f"\r  {done:,} / {total:,} entries checked")

        report = verify_chain(progress=progress)
        if show_progress:
            sys.stderr.write("\n")
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at entry #{report.broken_at}: {report.reason}. "
                f"{report.checked:,} entries before it are intact.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.checked:,} entries verified.")
        )
        self.stdout.write(f"Head hash: {report.head}  (record it elsewhere to detect truncation)")
