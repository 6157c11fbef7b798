"""`casework finance demo`: plausible budgets and spending for the demo pilots."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.finance.demo import create_demo_budgets


class Command(BaseCommand):
    help = "Budgets and spending."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("demo", help="Add demo spending and budgets to projects that have none.")

    def handle(self, *args: Any, **options: Any) -> None:
        added = create_demo_budgets()
        self.stdout.write(f"{added:,} demo budget and spending lines added.")
