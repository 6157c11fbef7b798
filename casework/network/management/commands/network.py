"""`casework network demo`: the demo's stakeholders, activities and expansion pipeline."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.network.demo import create_demo_network


class Command(BaseCommand):
    help = "Network building."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("demo", help="Add the demo network's stakeholders, activities and pipeline.")

    def handle(self, *args: Any, **options: Any) -> None:
        added = create_demo_network()
        self.stdout.write(f"{added:,} demo stakeholders, activities and places added.")
