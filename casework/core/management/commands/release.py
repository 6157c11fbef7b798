"""`casework release`: build the network's next release, or list the releases."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from casework.core import releases
from casework.core.models import Release


class Command(BaseCommand):
    help = (
        "build: publish every ended calendar year not yet published, protected and audited "
        "(periods already published are carried over unchanged). list: the releases."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="build and store the next release")
        build.add_argument(
            "--period",
            action="append",
            dest="periods",
            metavar="YEAR",
            help="publish only this calendar year (repeatable); default: every ended year",
        )
        build.add_argument(
            "--if-new", action="store_true", help="exit quietly when nothing is new to publish"
        )
        sub.add_parser("list", help="list the releases, newest first")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "list":
            for release in Release.objects.all():
                covered = ", ".join(p["period"] for p in release.periods)
                self.stdout.write(f"{release.number}  {release.built_at:%Y-%m-%d %H:%M}  {covered}")
            return
        periods: list[str] | None = options.get("periods")
        for period in periods or []:
            if not (period.isdigit() and len(period) == 4):
                raise CommandError(f"{period!r} is not a calendar year such as 2025.")
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()
        ) as progress:
            task = progress.add_task("Building the release", total=None)

            def step(label: str, done: int, total: int) -> None:
                progress.update(task, description=label, completed=done, total=total)

            try:
                release = releases.build(
                    built_by="casework release build", periods=periods, progress=step
                )
            except releases.NothingToRelease as error:
                if options["if_new"]:
                    return
                raise CommandError(str(error)) from None
        audit = [release.audit[p] for p in release.changes["new_periods"]]
        to_date = release.changes.get("to_date")
        if not audit:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{release.title}: no new period; the year to date's figures that count "
                    f"no person, to {to_date['end'] if to_date else '-'}."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{release.title}: {len(release.changes['new_periods'])} new period(s) "
                f"({', '.join(release.changes['new_periods'])}), "
                f"{sum(a['withheld'] for a in audit)} cells withheld, "
                f"{sum(a['counts_audited'] for a in audit)} checks of a withheld count against "
                f"an organisation's staff, {sum(a['programmes'] for a in audit)} linear "
                "programmes: every range at "
                f"least {release.threshold} wide."
            )
        )
