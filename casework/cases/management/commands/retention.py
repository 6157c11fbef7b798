"""`casework retention run [--apply]`: erase what organisations no longer keep.

A dry run by default: it reports, per organisation, how many people are past its retention
period and would be erased. With --apply it erases them (identity, documents and free text;
the coded record stays), one person per transaction, each audited. Schedule it daily (see
docs/admin-guide.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from rich.progress import Progress

from casework.cases.retention import due
from casework.people.services import ErasedError, erase_past_retention


class Command(BaseCommand):
    help = "Erase identity and free text past each organisation's retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Report (dry run) or, with --apply, erase.")
        run.add_argument("--apply", action="store_true", help="Erase; without it, only report.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        found = due(today)
        if not found:
            self.stdout.write("No organisation has a retention period; nothing to do.")
            return
        total = 0
        for item in found:
            total += len(item.people)
            self.stdout.write(
                f"{item.organisation.name}: {len(item.people):,} people whose last case closed "
                f"before {item.closed_before} ({item.months} months)"
            )
        if not options["apply"]:
            self.stdout.write(f"Dry run: {total:,} people would be erased. Add --apply to erase.")
            return
        erased = 0
        with Progress(disable=not self.stdout.isatty()) as progress:
            task = progress.add_task("erasing", total=total)
            for item in found:
                for person in item.people:
                    try:
                        erase_past_retention(person)
                    except ErasedError:
                        pass  # erased meanwhile, by hand
                    else:
                        erased += 1
                    progress.update(task, advance=1)
        self.stdout.write(self.style.SUCCESS(f"{erased:,} people erased."))
