"""Sealed fields: free text about a person, encrypted at rest like their identity.

A contact note such as "afraid of her husband, lives at …" says as much as a name. Fields of
these classes keep their value in clear in Python (forms, serializers and templates use them
as ordinary text or JSON) and sealed in the database, under the keyring's active key
(casework/core/crypto.py), with associated data that binds the ciphertext to its table,
column and organisation: copied to another column or another organisation's row, it does
not open. A value is opened when first read, not when the row is loaded, so a list that
shows no note decrypts none.

Stored as text: `cw1:<key id>:<base64 of the sealed bytes>`; the empty value (no note, no
answers) is stored as "" and reveals only that. The key id in clear lets `casework keys
rotate` find the rows still sealed under an old key with a plain `startswith`.

What cannot be done with a sealed column: search, sort or group by it in SQL, or write clear
text with `QuerySet.update()` or `bulk_update()` (the value has no row to be bound to; it
raises). Write through the model (`save()`, `bulk_create()`), or update one row with the
value `field.seal(row, value)` gives.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from casework.core.crypto import keyring

PREFIX = "cw1:"
KEY_ID_LENGTH = 15  # "k" + YYYYMMDD + 6 hex digits (crypto.new_key_id)


def associated_data(model: str, field: str, organisation_id: Any) -> bytes:
    """What binds a sealed value to its table, column and organisation."""
    return f"{model}.{field}:{organisation_id}".encode()


class Sealed(str):
    """A value as stored: still sealed."""


class SealedWriteError(ValueError):
    pass


class _Opening(DeferredAttribute):
    """Opens the stored value on first read, with the row's organisation, and keeps it."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            field: SealedTextField = self.field  # type: ignore[assignment]
            value = field.open(instance, value)
            instance.__dict__[field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        # A data descriptor, so that reads come here even once the value is in __dict__.
        instance.__dict__[self.field.attname] = value


class SealedTextField(models.TextField):
    """Free text, sealed at rest. `multiline=False` shows it as a one-line input."""

    descriptor_class = _Opening

    def __init__(self, *args: Any, multiline: bool = True, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if not self.multiline:
            kwargs["multiline"] = False
        return name, path, args, kwargs

    # Python value <-> bytes to seal.
    def to_bytes(self, value: Any) -> bytes:
        return str(value).encode()

    def from_bytes(self, raw: bytes) -> Any:
        return raw.decode()

    def empty(self, value: Any) -> bool:
        return value in ("", None)

    def associated_data(self, instance: Any) -> bytes:
        return associated_data(self.model._meta.label_lower, self.name, instance.organisation_id)

    def seal(self, instance: Any, value: Any) -> Sealed:
        """The stored form of `value` in `instance`'s row."""
        if self.empty(value):
            return Sealed("")
        ring = keyring()
        blob = ring.seal(self.to_bytes(value), self.associated_data(instance))
        return Sealed(f"{PREFIX}{ring.active}:{base64.b64encode(blob).decode()}")

    def open(self, instance: Any, stored: Sealed) -> Any:
        if not stored:
            return self.get_default()
        if not stored.startswith(PREFIX):
            from casework.core.crypto import DecryptionError

            raise DecryptionError(f"{self.model._meta.label}.{self.name} holds an unsealed value")
        blob = base64.b64decode(stored.split(":", 2)[2])
        return self.from_bytes(keyring().open(blob, self.associated_data(instance)))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else Sealed(value)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if isinstance(value, Sealed):  # loaded and never read: unchanged
            return value
        return self.seal(model_instance, getattr(model_instance, self.attname))

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if value is not None and not isinstance(value, Sealed):
            raise SealedWriteError(
                f"{self.model._meta.label}.{self.name} is sealed: save the row, or update it "
                "with the value field.seal(row, value) gives."
            )
        return super().get_db_prep_save(str(value) if value is not None else None, connection)

    def get_prep_value(self, value: Any) -> Any:
        return value if value is None else str(value)

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: Any) -> str:
        return str(self.value_from_object(obj))

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        if not self.multiline:
            kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)


class SealedJSONField(SealedTextField):
    """JSON (a form's answers), sealed at rest."""

    # For django-stubs: the Python value is JSON, not text.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def to_bytes(self, value: Any) -> bytes:
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).encode()

    def from_bytes(self, raw: bytes) -> Any:
        return json.loads(raw)

    def empty(self, value: Any) -> bool:
        return value in (None, {}, [])

    def value_to_string(self, obj: Any) -> str:
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return forms.JSONField(**kwargs)


def sealed_fields() -> list[SealedTextField]:
    """Every sealed field of every installed model."""
    from django.apps import apps

    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, SealedTextField)
    ]


def sealing(model: str, field: str, *, json_value: bool = False) -> tuple[Any, Any]:
    """A migration's forward and backward steps that seal a column's existing values in
    place (after its AlterField to a sealed field) and open them again. `model` is the
    label ("cases.contact"); values are read and written with plain SQL, in batches."""

    def rows(schema_editor: Any, table: str, column: str, sealed: bool) -> Any:
        quote = schema_editor.quote_name
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, organisation_id, {quote(column)} FROM {quote(table)} "  # noqa: S608
                f"WHERE {quote(column)} <> ''"
            )
            for pk, organisation_id, value in cursor.fetchall():
                if value.startswith(PREFIX) == sealed:
                    yield pk, organisation_id, value

    def update(schema_editor: Any, table: str, column: str, values: list) -> None:
        quote = schema_editor.quote_name
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                values,
            )

    def forward(apps: Any, schema_editor: Any) -> None:
        target = apps.get_model(model)
        table, column = target._meta.db_table, target._meta.get_field(field).column
        out = []
        for pk, organisation_id, value in rows(schema_editor, table, column, sealed=False):
            if json_value and json.loads(value) in ({}, [], None):
                out.append(("", pk))
                continue
            ring = keyring()  # only where there is something to seal (a new database has none)
            blob = ring.seal(value.encode(), associated_data(model, field, organisation_id))
            out.append((f"{PREFIX}{ring.active}:{base64.b64encode(blob).decode()}", pk))
        update(schema_editor, table, column, out)

    def backward(apps: Any, schema_editor: Any) -> None:
        target = apps.get_model(model)
        table, column = target._meta.db_table, target._meta.get_field(field).column
        out = []
        for pk, organisation_id, value in rows(schema_editor, table, column, sealed=True):
            ring = keyring()
            blob = base64.b64decode(value.split(":", 2)[2])
            out.append(
                (ring.open(blob, associated_data(model, field, organisation_id)).decode(), pk)
            )
        update(schema_editor, table, column, out)
        if json_value:
            with schema_editor.connection.cursor() as cursor:
                quote = schema_editor.quote_name
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = '{{}}' "  # noqa: S608
                    f"WHERE {quote(column)} = ''"
                )

    return forward, backward
