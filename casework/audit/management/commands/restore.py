"""`casework restore FILE`: restore a backup into the empty database the settings name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.audit.management.commands.backup import add_passphrase_arguments, read_passphrase
from casework.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `casework backup` into an empty database (and its keyring "
        "into CASEWORK_KEYS_FILE). The file is checked whole before the database is touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        add_passphrase_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        passphrase = read_passphrase(options, confirm=False)
        try:
            manifest = restore(options["file"], passphrase)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created']} ({manifest['vendor']})."
            )
        )
        self.stdout.write(
            "Run `casework migrate`, then `casework audit verify`: entries made after the "
            "backup show as truncated against newer anchors."
        )
