"""`casework services demo`: the demo's directory of services and referrals."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.referrals.demo import create_demo_referrals, create_demo_services


class Command(BaseCommand):
    help = "The service directory."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "demo",
            help="Add the demo pilots' services to the directory, and refer some demo cases.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        added = create_demo_services()
        referred = create_demo_referrals()
        self.stdout.write(
            f"{added:,} demo services added to the directory; {referred:,} demo referrals."
        )
