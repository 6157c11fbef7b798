"""Encrypted, consistent backups of the database together with the keyring, and their restore.

A backup file is a tar archive (the database dump, the keyring, a manifest with their SHA-256)
encrypted in chunks with AES-256-GCM under a key derived from a passphrase with scrypt:

    MAGIC  header-length(4)  header(JSON: kdf parameters, salt, nonce prefix, key check)
    then chunks: final-flag(1)  length(4)  ciphertext

Each chunk's nonce is the header's prefix and the chunk's number; its associated data is the
header, the number and the final flag, so chunks cannot be reordered, dropped, spliced from
another backup, or cut off after any chunk but the last. The dump is taken with SQLite's
online backup API or with `pg_dump -Fc`: a consistent snapshot while the application runs.

A restore decrypts and checks the whole file into a private temporary directory before it
touches the database, and refuses a database that already has tables: a wrong passphrase, a
damaged file or a non-empty target change nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connection
from django.utils import timezone

from casework.core.crypto import keyring

MAGIC = b"CASEWORK-BACKUP-1\n"
CHUNK = 1024 * 1024
# scrypt: 64 MiB of memory and a fraction of a second per attempt
SCRYPT = {"n": 2**16, "r": 8, "p": 1}
MIN_PASSPHRASE = 12
MEMBERS = {"manifest.json", "keys.json", "database.sqlite3", "database.pgdump"}


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why and what to do."""


# --- Encryption --------------------------------------------------------------------------------


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def _key_check(key: bytes) -> str:
    return hmac.new(key, b"casework backup key check", hashlib.sha256).hexdigest()


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts what it is given, chunk by chunk, into `out`."""

    def __init__(self, out: IO[bytes], passphrase: str) -> None:
        super().__init__()
        salt, self.prefix = os.urandom(16), os.urandom(8)
        self.key = _derive(passphrase, salt, **SCRYPT)
        header = {
            "kdf": "scrypt",
            **SCRYPT,
            "salt": base64.b64encode(salt).decode(),
            "nonce_prefix": base64.b64encode(self.prefix).decode(),
            "key_check": _key_check(self.key),
        }
        self.header = json.dumps(header, sort_keys=True).encode()
        self.out, self.aead, self.number, self.buffer = out, AESGCM(self.key), 0, bytearray()
        out.write(MAGIC + struct.pack(">I", len(self.header)) + self.header)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._emit(bytes(self.buffer[:CHUNK]), final=False)
            del self.buffer[:CHUNK]
        return len(data)

    def finish(self) -> None:
        self._emit(bytes(self.buffer), final=True)
        self.buffer.clear()

    def _emit(self, plaintext: bytes, *, final: bool) -> None:
        nonce = self.prefix + struct.pack(">I", self.number)
        sealed = self.aead.encrypt(nonce, plaintext, _associated(self.header, self.number, final))
        self.out.write(bytes([final]) + struct.pack(">I", len(sealed)) + sealed)
        self.number += 1


def _associated(header: bytes, number: int, final: bool) -> bytes:
    return MAGIC + header + struct.pack(">IB", number, final)


def decrypt_stream(source: IO[bytes], passphrase: str) -> Iterator[bytes]:
    """The plaintext of a backup, chunk by chunk; raises BackupError at the first doubt."""
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("This is not a Casework backup file.")
    try:
        (length,) = struct.unpack(">I", source.read(4))
        header_bytes = source.read(length)
        header = json.loads(header_bytes)
        salt = base64.b64decode(header["salt"])
        prefix = base64.b64decode(header["nonce_prefix"])
        if header["kdf"] != "scrypt" or len(prefix) != 8:
            raise ValueError("unknown key derivation")
        key = _derive(passphrase, salt, int(header["n"]), int(header["r"]), int(header["p"]))
    except (struct.error, ValueError, KeyError, TypeError):
        raise BackupError("The backup file is damaged: its header cannot be read.") from None
    if not hmac.compare_digest(_key_check(key), str(header.get("key_check", ""))):
        raise BackupError("Wrong passphrase: it does not open this backup. Nothing was changed.")
    aead, number = AESGCM(key), 0
    while True:
        frame = source.read(5)
        if len(frame) < 5:
            raise BackupError("The backup file is incomplete (it was cut short).")
        final, size = frame[0], struct.unpack(">I", frame[1:])[0]
        sealed = source.read(size)
        nonce = prefix + struct.pack(">I", number)
        try:
            plaintext = aead.decrypt(nonce, sealed, _associated(header_bytes, number, bool(final)))
        except InvalidTag:
            raise BackupError(f"The backup file is damaged (chunk {number}).") from None
        yield plaintext
        number += 1
        if final:
            break
    if source.read(1):
        raise BackupError("The backup file is damaged: there is data after its end.")


class _ChunkReader(io.RawIOBase):
    """A readable stream over decrypt_stream, for tarfile."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self.chunks, self.pending = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self.pending))
        target[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


# --- The database --------------------------------------------------------------------------


def _vendor() -> str:
    return connection.vendor


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
    ):
        if value:
            env[name] = str(value)
    return env


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (the PostgreSQL client tools).") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


def _dump_database(directory: Path) -> Path:
    if _vendor() == "sqlite":
        target = directory / "database.sqlite3"
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # online: a consistent snapshot while others write
        finally:
            copy.close()
            source.close()
        return target
    target = directory / "database.pgdump"
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target)])
    return target


def is_empty() -> bool:
    """True when the database that the settings name has no tables at all."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _restore_database(dump: Path) -> None:
    if dump.name == "database.sqlite3":
        name = Path(connection.settings_dict["NAME"])
        connection.close()
        tmp = name.with_name(f".{name.name}.restoring")
        shutil.copyfile(dump, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        for leftover in (Path(f"{name}-wal"), Path(f"{name}-shm")):  # of the empty database
            leftover.unlink(missing_ok=True)
        os.replace(tmp, name)  # whole or not at all
        return
    database = str(connection.settings_dict["NAME"])
    _run(
        [
            "pg_restore",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--dbname",
            database,
            str(dump),
        ]
    )


# --- Backup and restore ----------------------------------------------------------------------


@contextmanager
def _private_directory() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="casework-backup-"))  # mode 0700
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"The passphrase must be at least {MIN_PASSPHRASE} characters long.")


def backup(target: Path, passphrase: str) -> dict[str, Any]:
    """Write an encrypted backup of the database and the keyring to `target`, atomically."""
    check_passphrase(passphrase)
    if target.exists():
        raise BackupError(f"{target} already exists; choose another file name.")
    keys = keyring().path  # checked readable (and, in development, created)
    assert keys is not None
    partial = target.with_name(f".{target.name}.partial")
    with _private_directory() as work:
        dump = _dump_database(work)
        shutil.copyfile(keys, work / "keys.json")
        manifest = {
            "format": 1,
            "vendor": _vendor(),
            "created": timezone.now().isoformat(timespec="seconds"),
            "files": {p.name: _sha256(p) for p in (dump, work / "keys.json")},
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                writer = EncryptingWriter(out, passphrase)
                with tarfile.open(fileobj=writer, mode="w|") as archive:
                    for name in ("manifest.json", "keys.json", dump.name):
                        archive.add(work / name, arcname=name)
                writer.finish()
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _unpack(source: Path, passphrase: str, work: Path) -> dict[str, Any]:
    """Decrypt and check the whole backup into `work`; return its manifest."""
    with open(source, "rb") as handle:
        reader = io.BufferedReader(_ChunkReader(decrypt_stream(handle, passphrase)))
        try:
            with tarfile.open(fileobj=reader, mode="r|") as archive:
                for member in archive:
                    if member.name not in MEMBERS or not member.isfile():
                        raise BackupError(f"The backup holds an unexpected member {member.name}.")
                    archive.extract(member, work, filter="data")
        except tarfile.TarError:
            raise BackupError("The backup file is damaged: its archive cannot be read.") from None
    try:
        manifest = json.loads((work / "manifest.json").read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError):
        raise BackupError("The backup has no readable manifest.") from None
    for name, digest in files.items():
        if name not in MEMBERS or not (work / name).exists() or _sha256(work / name) != digest:
            raise BackupError(f"The backup's {name} does not match its manifest.")
    if "keys.json" not in files:
        raise BackupError("The backup holds no keyring.")
    return dict(manifest)


def restore(source: Path, passphrase: str) -> dict[str, Any]:
    """Restore a backup into the empty database the settings name, and its keyring."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    if not is_empty():
        raise BackupError(
            "The database is not empty; restore into a new, empty database "
            "(create it, do not migrate it). Nothing was changed."
        )
    keys = Path(settings.CASEWORK_KEYS_FILE)
    with _private_directory() as work:
        manifest = _unpack(source, passphrase, work)
        if manifest.get("vendor") != _vendor():
            raise BackupError(
                f"This is a backup of a {manifest.get('vendor')} database; the settings name "
                f"a {_vendor()} one. Nothing was changed."
            )
        restored_keys = (work / "keys.json").read_bytes()
        if keys.exists() and keys.read_bytes() != restored_keys:
            raise BackupError(
                f"A different keyring already exists at {keys}. Move it away first (it may be "
                "the only copy of its keys). Nothing was changed."
            )
        dump = work / ("database.sqlite3" if _vendor() == "sqlite" else "database.pgdump")
        if dump.name not in manifest["files"]:
            raise BackupError("The backup holds no database dump.")
        wrote_keys = not keys.exists()
        if wrote_keys:
            _write_private(keys, restored_keys)
        try:
            _restore_database(dump)
        except BaseException:
            if wrote_keys:
                keys.unlink(missing_ok=True)
            raise
    return manifest


def _write_private(path: Path, content: bytes) -> None:
    """Write a file readable by its owner only, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.restoring")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
