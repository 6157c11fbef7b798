"""`casework mel demo`: the demo network's targets for the MEL plan, what its evaluations
found, and a six-month reflection."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.indicators.demo import create_demo_plan


class Command(BaseCommand):
    help = "The network's MEL plan."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "demo", help="Set the demo network's targets and record a six-month reflection."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        targets, reflections = create_demo_plan()
        self.stdout.write(f"{targets} demo targets set and {reflections} reflection recorded.")
