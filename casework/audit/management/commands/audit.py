"""`casework audit verify | anchor`: check the audit chains; sign their heads elsewhere."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.audit.models import AuditEntry
from casework.audit.services import (
    AnchorFileError,
    anchors_path,
    read_anchors,
    verify_chain,
    write_anchors,
)


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' checks that no entry was changed or deleted; 'anchor' "
        "appends the signed head of every chain to the anchor file (run it on a schedule)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help="Check every chain and the anchors; exit code 1 if any does not hold."
        )
        anchor = sub.add_parser("anchor", help="Append every chain's signed head to the anchors.")
        for command in (verify, anchor):
            command.add_argument(
                "--anchors",
                type=Path,
                default=None,
                help="the anchor file (default: CASEWORK_AUDIT_ANCHORS)",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "anchor":
            self.anchor(options["anchors"])
        else:
            self.verify(options["anchors"])

    def anchor(self, path: Path | None) -> None:
        try:
            heads = write_anchors(path)
        except (AnchorFileError, OSError) as exc:
            raise CommandError(str(exc)) from None
        target = path or anchors_path()
        self.stdout.write(self.style.SUCCESS(f"Anchored {len(heads)} chains in {target}."))

    def verify(self, path: Path | None) -> None:
        total = AuditEntry.objects.count()
        show_progress = sys.stderr.isatty() and total > 10_000

        def progress(done: int) -> None:
            if show_progress and done % 10_000 == 0:
                sys.stderr.write(f"\r  {done:,} / {total:,} entries checked")

        try:
            anchors = read_anchors(path)
        except AnchorFileError as exc:
            raise CommandError(f"{exc} The anchors cannot be trusted.", returncode=1) from None
        report = verify_chain(anchors=anchors, progress=progress)
        if show_progress:
            sys.stderr.write("\n")
        for chain in report.chains:
            line = f"  {chain.chain}: {chain.describe()}"
            self.stdout.write(self.style.SUCCESS(line) if chain.ok else self.style.ERROR(line))
        if not anchors:
            self.stdout.write(
                self.style.WARNING(
                    "No anchors: deleting the newest entries would not be noticed. "
                    "Schedule `casework audit anchor`."
                )
            )
        if not report.ok:
            broken = [chain.chain for chain in report.chains if not chain.ok]
            raise CommandError(
                f"Audit log does not hold in {len(broken)} chain(s): {', '.join(broken)}.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chains intact: {report.checked:,} entries in "
                f"{len(report.chains)} chains verified."
            )
        )
