"""`casework backup [FILE]`: an encrypted, consistent backup of the database and the keyring.

In the audit app, like `casework keys`: a backup is an audit entry.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.backup import BackupError, backup

PASSPHRASE_ENV = "CASEWORK_BACKUP_PASSPHRASE"  # noqa: S105  (the variable's name, not a secret)


def add_passphrase_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        help=f"read the passphrase from this file's first line (else ${PASSPHRASE_ENV}, "
        "else it is asked for)",
    )


def read_passphrase(options: dict[str, Any], *, confirm: bool) -> str:
    """From --passphrase-file, else the environment, else a prompt: never the command line."""
    path: Path | None = options.get("passphrase_file")
    if path is not None:
        try:
            lines = path.read_text().splitlines()
        except OSError as exc:
            raise CommandError(f"The passphrase file cannot be read: {exc.strerror}.") from None
        return lines[0] if lines else ""
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    try:
        passphrase = getpass.getpass("Backup passphrase: ")
        if confirm and getpass.getpass("The same again: ") != passphrase:
            raise CommandError("The two passphrases differ; nothing was written.")
    except EOFError:
        raise CommandError(
            f"No passphrase: use --passphrase-file or ${PASSPHRASE_ENV}, or run in a terminal."
        ) from None
    return passphrase


class Command(BaseCommand):
    help = "Write an encrypted backup of the database and the keyring, under a passphrase."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            type=Path,
            help="where to write it (default: casework-YYYYmmdd-HHMMSS.backup here)",
        )
        add_passphrase_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["file"] or Path(
            timezone.now().strftime("casework-%Y%m%d-%H%M%S.backup")
        )
        passphrase = read_passphrase(options, confirm=True)
        try:
            manifest = backup(target, passphrase)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        record(
            Action.BACKED_UP,
            object_type="core.backup",
            object_id=manifest["created"],
            organisation_id=None,
            user=None,
        )
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}."))
        self.stdout.write("It holds the keyring: keep the passphrase apart from it, and both safe.")
