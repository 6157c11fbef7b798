"""`casework forms load-standard | import FILE`: the network's standard forms and others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.accounts.models import Organisation
from casework.assessments.models import Form
from casework.assessments.services import import_form, load_standard
from casework.assessments.xlsform import FormRejected


class Command(BaseCommand):
    help = "Forms: load the standard library shipped with Casework, or import an XLSForm."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser(
            "load-standard",
            help="Import the standard forms (screening, needs, outcome ratings, client "
            "summary); forms already imported are left as they are.",
        )
        one = sub.add_parser("import", help="Import one XLSForm file as a network form.")
        one.add_argument("file", type=Path)
        one.add_argument(
            "--organisation", help="Slug of the organisation that owns it (default: network)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "load-standard":
            loaded = load_standard()
            for version in loaded:
                self.stdout.write(f"  {version.form.form_id} version {version.version}")
            standard = Form.objects.filter(organisation__isnull=True).count()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Standard forms ready: {standard} network forms "
                    f"({len(loaded)} new version(s) imported now)."
                )
            )
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
        try:
            version = import_form(path.read_bytes(), path.name, organisation=organisation)
        except FormRejected as rejected:
            raise CommandError(
                "The form was refused:\n" + "\n".join(f"  - {e}" for e in rejected.errors)
            ) from None
        self.stdout.write(
            self.style.SUCCESS(f"Imported {version.form.form_id} version {version.version}.")
        )
