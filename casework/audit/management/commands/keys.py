"""`casework keys`: create, inspect and rotate the keys that encrypt personal data.

In the audit app, the lowest app that may write audit entries: a rotation is one.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Substr
from rich.progress import Progress

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.crypto import Keyring, keyring, keys_path
from casework.core.fields import KEY_ID_LENGTH, PREFIX, sealed_fields
from casework.core.models import SealedModel


def sealed_models() -> list[type[SealedModel]]:
    return [m for m in apps.get_models() if issubclass(m, SealedModel)]


def usage() -> dict[str, int]:
    """How many sealed rows (and sealed free-text values) each key seals."""
    counts: dict[str, int] = {}
    for model in sealed_models():
        for row in model._default_manager.values("key_id").annotate(n=Count("pk")):
            counts[row["key_id"]] = counts.get(row["key_id"], 0) + row["n"]
    for field in sealed_fields():
        key = Substr(field.name, len(PREFIX) + 1, KEY_ID_LENGTH)
        rows = field.model._default_manager.exclude(**{field.name: ""})
        for row in rows.annotate(key=key).values("key").annotate(n=Count("pk")):
            counts[row["key"]] = counts.get(row["key"], 0) + row["n"]
    return counts


def _reseal_fields(ring: Keyring, progress: Progress | None) -> int:
    """Re-seal every free-text value not sealed with the active key."""
    done = 0
    for field in sealed_fields():
        manager = field.model._default_manager
        stale = manager.exclude(**{field.name: ""}).exclude(
            **{f"{field.name}__startswith": f"{PREFIX}{ring.active}:"}
        )
        label = f"{field.model._meta.verbose_name_plural}: {field.verbose_name}"
        task = progress.add_task(label, total=stale.count()) if progress else None
        while True:
            with transaction.atomic():
                batch = list(stale.order_by("pk").only("pk", "organisation", field.name)[:500])
                if not batch:
                    break
                for row in batch:
                    value = field.seal(row, getattr(row, field.attname))
                    manager.filter(pk=row.pk).update(**{field.name: value})
            done += len(batch)
            if progress is not None and task is not None:
                progress.update(task, advance=len(batch))
    return done


def reencrypt(ring: Keyring, progress: Progress | None = None) -> int:
    """Re-seal every row not sealed with the active key. Safe to stop and run again."""
    done = 0
    for model in sealed_models():
        stale = model._default_manager.exclude(key_id=ring.active)
        task = (
            progress.add_task(str(model._meta.verbose_name_plural), total=stale.count())
            if progress
            else None
        )
        while True:
            with transaction.atomic():
                batch = list(stale.order_by("pk")[: model.rotation_batch])
                if not batch:
                    break
                for row in batch:
                    row.seal_bytes(row.open_bytes())
                model._default_manager.bulk_update(batch, ["sealed", "key_id"])
            done += len(batch)
            if progress is not None and task is not None:
                progress.update(task, advance=len(batch))
    done += _reseal_fields(ring, progress)
    if done:
        record(
            Action.REENCRYPTED,
            object_type="core.keyring",
            object_id=ring.active,
            organisation_id=None,
            user=None,
        )
    return done


class Command(BaseCommand):
    help = "Keys that encrypt personal data: init, status, rotate, retire."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "init",
            help="Create the keyring file (once, before the first person); "
            "add the audit key to an older one.",
        )
        sub.add_parser("status", help="Show the keys and how many records each one seals.")
        sub.add_parser("rotate", help="Add a new active key and re-encrypt every record with it.")
        retire = sub.add_parser("retire", help="Remove an old key that seals no record any more.")
        retire.add_argument("key_id")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(**options)

    def do_init(self, **options: Any) -> None:
        path = keys_path()
        if path.exists():
            ring = Keyring.load(path)
            if ring.add_audit_key():
                ring.save()
                self.stdout.write(self.style.SUCCESS(f"Added an audit key to {path}."))
                self.stdout.write("Back the keyring up again: the audit log now depends on it.")
                return
            raise CommandError(f"{path} already exists; nothing was changed.")
        Keyring.generate().save(path)
        self.stdout.write(self.style.SUCCESS(f"Created {path}."))
        self.stdout.write(
            "Back it up now, apart from the database: without it no identity can be read."
        )

    def do_status(self, **options: Any) -> None:
        ring = keyring()
        counts = usage()
        self.stdout.write(f"Keyring: {ring.path}")
        for key_id in sorted(ring.encryption):
            mark = "active" if key_id == ring.active else "old"
            self.stdout.write(f"  {key_id}  {mark:<6} {counts.pop(key_id, 0):>8,} records")
        for key_id, n in counts.items():
            self.stdout.write(
                self.style.ERROR(f"  {key_id}  MISSING {n:>8,} records cannot be read")
            )

    def do_rotate(self, **options: Any) -> None:
        ring = keyring()
        stale = sum(n for key_id, n in usage().items() if key_id != ring.active)
        if stale:
            self.stdout.write(f"Finishing an earlier rotation: {stale:,} records use older keys.")
        else:
            new = ring.add_key()
            ring.save()  # the old keys stay: records sealed with them still open meanwhile
            self.stdout.write(f"New active key {new}; re-encrypting ...")
        with Progress(disable=not self.stdout.isatty()) as progress:
            done = reencrypt(keyring(), progress)
        self.stdout.write(
            self.style.SUCCESS(f"{done:,} records re-encrypted with {keyring().active}.")
        )
        self.stdout.write(
            "Old keys stay readable until you remove them with `casework keys retire`."
        )

    def do_retire(self, key_id: str, **options: Any) -> None:
        ring = keyring()
        if key_id not in ring.encryption:
            raise CommandError(f"There is no key {key_id}.")
        if key_id == ring.active:
            raise CommandError(f"{key_id} is the active key; rotate first.")
        in_use = usage().get(key_id, 0)
        if in_use:
            raise CommandError(
                f"{key_id} still seals {in_use:,} records; run `casework keys rotate`."
            )
        del ring.encryption[key_id]
        ring.save()
        self.stdout.write(self.style.SUCCESS(f"Removed {key_id}."))
