"""`casework worker`: run queued jobs (casework.core.jobs) until stopped."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run the jobs that pages queue (release builds, and later imports and exports) until "
        "stopped; with --batch, run what is queued and exit (for cron). `make run` starts one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run every queued job, then exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between looks at an empty queue (default 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        arguments = ["--queue-name", "*", "--interval", str(options["interval"]), "--no-reload"]
        if options["batch"]:
            arguments += ["--batch", "--no-startup-delay"]
        call_command("db_worker", *arguments, verbosity=options["verbosity"])
