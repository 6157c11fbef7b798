"""`casework generate --cases N --seed S`: a synthetic network of cases."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from casework.accounts.models import Organisation
from casework.synthetic.generator import generate


class Command(BaseCommand):
    help = (
        "Create synthetic cases (households, timelines, contacts, procedure events, engagement "
        "changes, closures) whose outcomes follow the 2020 evaluation's shares."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="How many cases.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument(
            "--end",
            type=dt.date.fromisoformat,
            default=None,
            help="The last date of the story (YYYY-MM-DD; default today).",
        )
        parser.add_argument(
            "--organisation",
            action="append",
            default=[],
            help="Slug of an organisation to fill (repeat; default all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases"] < 1:
            raise CommandError("--cases must be at least 1.")
        organisations = Organisation.objects.order_by("slug")
        if options["organisation"]:
            organisations = organisations.filter(slug__in=options["organisation"])
            missing = set(options["organisation"]) - {o.slug for o in organisations}
            if missing:
                raise CommandError(f"No organisation {', '.join(sorted(missing))}.")
        end = options["end"] or timezone.localdate()
        started = time.perf_counter()
        columns = [
            *Progress.get_default_columns()[:1],
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        ]
        with Progress(*columns, disable=not self.stdout.isatty()) as progress:
            task = progress.add_task("Generating cases", total=options["cases"])
            try:
                counts = generate(
                    options["cases"],
                    options["seed"],
                    end,
                    list(organisations),
                    progress=lambda n: progress.advance(task, n),
                )
            except ValueError as error:
                raise CommandError(str(error)) from None
        seconds = time.perf_counter() - started
        shares = ", ".join(
            f"{k} {v / counts.cases:.1%}" for k, v in sorted(counts.outcomes.items())
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts.cases:,} cases, {counts.people:,} people, "
                f"{counts.events:,} timeline events in {seconds:.1f} s "
                f"({counts.cases / seconds:,.0f} cases/s)."
            )
        )
        self.stdout.write(f"Outcomes: {shares}.")
