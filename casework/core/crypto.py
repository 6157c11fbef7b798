"""Encryption of personal data at rest, and keyed hashes ("blind indexes") to search it.

Keys live in a keyring file outside the database (`CASEWORK_KEYS_FILE`; in development
`var/keys.json`, created on first use):

    {"active": "k…", "encryption": {"k…": "<base64 32 bytes>", …}, "index": "<base64 32 bytes>",
     "audit": "<base64 32 bytes>"}

Values are sealed with AES-256-GCM under the active key, with associated data that binds each
ciphertext to its row (a sealed value copied to another row does not open). Every ciphertext
names its key, so after `casework keys rotate` adds a new active key, rows sealed with the old
one still open until they have been re-encrypted. The keyring is re-read when the file changes,
so a running server follows a rotation.

Blind indexes are HMAC-SHA256 under a separate index key, over a normalised value and the
organisation id: the same name in two organisations gives two unrelated digests, so an index
never links people across the firewall.

The audit key keys the audit log's hash chains and signs their anchors (casework.audit): kept
here, outside the database, so someone who can write to the database cannot rebuild a chain.
A keyring written before the audit key existed gains one with `casework keys init`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"CW1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A sealed value could not be opened: its key is missing, or it was tampered with."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    raw = base64.b64decode(text, validate=True)
    if len(raw) != 32:
        raise ImproperlyConfigured("Every key in the keyring must be 32 bytes (base64).")
    return raw


def new_key_id() -> str:
    return "k" + dt.datetime.now(dt.UTC).strftime("%Y%m%d") + secrets.token_hex(3)


@dataclass
class Keyring:
    active: str
    encryption: dict[str, bytes]
    index: bytes
    audit: bytes | None = None
    path: Path | None = field(default=None, compare=False)

    @classmethod
    def generate(cls, path: Path | None = None) -> Keyring:
        key_id = new_key_id()
        return cls(
            key_id,
            {key_id: AESGCM.generate_key(256)},
            secrets.token_bytes(32),
            secrets.token_bytes(32),
            path,
        )

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            data = json.loads(path.read_text())
            keyring = cls(
                data["active"],
                {kid: _unb64(key) for kid, key in data["encryption"].items()},
                _unb64(data["index"]),
                _unb64(data["audit"]) if "audit" in data else None,
                path,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ImproperlyConfigured(f"The keyring {path} cannot be read: {exc}") from None
        if keyring.active not in keyring.encryption:
            raise ImproperlyConfigured(f"The keyring {path} has no key named {keyring.active}.")
        return keyring

    def save(self, path: Path | None = None) -> None:
        """Write the keyring atomically, readable by its owner only."""
        target = path or self.path
        assert target is not None
        target.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "active": self.active,
            "encryption": {kid: _b64(key) for kid, key in self.encryption.items()},
            "index": _b64(self.index),
            **({"audit": _b64(self.audit)} if self.audit is not None else {}),
        }
        tmp = target.with_name(target.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        self.path = target

    def add_key(self) -> str:
        """A new active key; the old ones stay for reading until retired."""
        key_id = new_key_id()
        while key_id in self.encryption:
            key_id = new_key_id()
        self.encryption[key_id] = AESGCM.generate_key(256)
        self.active = key_id
        return key_id

    def add_audit_key(self) -> bool:
        """Give a keyring written before audit keys existed its audit key; False if it had one."""
        if self.audit is not None:
            return False
        self.audit = secrets.token_bytes(32)
        return True

    @property
    def audit_key(self) -> bytes:
        if self.audit is None:
            raise ImproperlyConfigured(
                f"The keyring {self.path} has no audit key; add one with `casework keys init`."
            )
        return self.audit

    def seal(self, plaintext: bytes, associated: bytes) -> bytes:
        key_id = self.active.encode()
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.encryption[self.active]).encrypt(nonce, plaintext, associated)
        return MAGIC + bytes([len(key_id)]) + key_id + nonce + sealed

    def open(self, blob: bytes, associated: bytes) -> bytes:
        key_id = key_id_of(blob)
        key = self.encryption.get(key_id)
        if key is None:
            raise DecryptionError(f"the key {key_id} is not in the keyring")
        start = len(MAGIC) + 1 + len(key_id)
        nonce, sealed = blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]
        try:
            return AESGCM(key).decrypt(nonce, sealed, associated)
        except InvalidTag:
            raise DecryptionError("the value was changed or belongs to another record") from None

    def blind_index(self, kind: str, value: str, scope: int) -> str:
        message = f"{kind}\x1f{scope}\x1f{value}".encode()
        return hmac.new(self.index, message, hashlib.sha256).hexdigest()


def key_id_of(blob: bytes) -> str:
    blob = bytes(blob)
    if not blob.startswith(MAGIC):
        raise DecryptionError("not a Casework sealed value")
    length = blob[len(MAGIC)]
    return blob[len(MAGIC) + 1 : len(MAGIC) + 1 + length].decode()


_lock = threading.Lock()
_cached: tuple[Path, float, Keyring] | None = None


def keys_path() -> Path:
    return Path(settings.CASEWORK_KEYS_FILE)


def keyring() -> Keyring:
    """The keyring in force, re-read when its file changes; created in development."""
    global _cached
    path = keys_path()
    with _lock:
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            if not settings.DEBUG:
                raise ImproperlyConfigured(
                    f"The keyring {path} does not exist. Create it with `casework keys init` "
                    "and keep a backup of it away from the database backups."
                ) from None
            Keyring.generate().save(path)
            mtime = path.stat().st_mtime_ns
        if _cached is None or _cached[0] != path or _cached[1] != mtime:
            ring = Keyring.load(path)
            if settings.DEBUG and ring.add_audit_key():  # a development keyring from before
                ring.save()
                mtime = path.stat().st_mtime_ns
            _cached = (path, mtime, ring)
        return _cached[2]


def normalise(value: str) -> str:
    """Case, accents, punctuation and spacing removed: 'José  María-Núñez' → 'jose maria nunez'."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    letters = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    return " ".join(letters.split())


def normalise_name(value: str) -> str:
    """A name's words in a fixed order, so 'Family Given' and 'Given Family' match."""
    return " ".join(sorted(normalise(value).split()))
