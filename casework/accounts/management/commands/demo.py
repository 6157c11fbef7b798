"""`casework demo`: create the demo network and print its logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from casework.accounts.demo import create_demo_network, demo_usernames
from casework.accounts.models import Organisation


class Command(BaseCommand):
    help = "Create the demo network (seven pilots, a user per role) and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has an organisation (used by make run).",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=300,
            help="Synthetic cases to add with a new demo network (default 300; 0 for none).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = settings.DEMO_PASSWORD
        if options["if_empty"] and Organisation.objects.exists():
            self.stdout.write("The database already has data; the demo network was not added.")
        else:
            created = create_demo_network(password)
            self.stdout.write(self.style.SUCCESS(f"Demo network ready ({created} users created)."))
            if created and options["cases"]:
                call_command("generate", cases=options["cases"], seed=2020, stdout=self.stdout)
                # Budgets and spending for the demo pilots (by name, like the forms below).
                call_command("finance", "demo", stdout=self.stdout)
                # The network's stakeholders, activities and expansion pipeline.
                call_command("network", "demo", stdout=self.stdout)
                # The directory of services in the pilots' cities.
                call_command("services", "demo", stdout=self.stdout)
                # The network's figures for the ended years, so observers see them at once.
                call_command("release", "build", "--if-new", stdout=self.stdout)
                # The MEL plan's targets and a six-month reflection on that release.
                call_command("mel", "demo", stdout=self.stdout)
        # The standard forms (by name: `accounts` does not import the apps above it).
        call_command("forms", "load-standard", stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (all with the password {password!r}):")
        for username, role in demo_usernames():
            self.stdout.write(f"  {username:<22} {role}")
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000/ and log in with one of them.")
