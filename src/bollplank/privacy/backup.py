"""Encrypted backups: the database and the key files in var/, in one file sealed with a
passphrase (scrypt → Fernet, from `cryptography`).

SQLite is copied with its online backup API (a consistent copy while the site runs);
PostgreSQL with ``pg_dump --format=custom`` and restored with ``pg_restore --clean``.
File layout: ``BPBACKUP1`` + 16 bytes of salt + a Fernet token holding a tar archive with
``database.sqlite3`` or ``database.pgdump``, ``keys/<name>`` and ``manifest.json``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connection

from bollplank.core import clock

MAGIC = b"BPBACKUP1"
# The key files a restored instance needs: without them notes cannot be read, every login
# session and signed link breaks, and the audit log can no longer be verified. Keys given in
# the environment are not in var/: keep those.
KEY_FILES = ("secret_key", "note_keys", "audit_key")


class BackupError(Exception):
    pass


def _fernet(passphrase: str, salt: bytes) -> Fernet:
    if len(passphrase) < 12:
        raise BackupError("The passphrase needs at least 12 characters.")
    kdf = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1)
    return Fernet(base64.urlsafe_b64encode(kdf.derive(passphrase.encode())))


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args() -> list[str]:
    db = connection.settings_dict
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def _dump_database(folder: Path) -> Path:
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        dest = sqlite3.connect(target)
        try:
            if _sqlite_in_memory():
                # The tests' in-memory database: copied as SQL through Django's connection.
                connection.ensure_connection()
                dest.executescript("\n".join(connection.connection.iterdump()))
            else:
                # A fresh connection for the online backup: consistent while others write.
                source = sqlite3.connect(str(connection.settings_dict["NAME"]))
                try:
                    source.backup(dest)
                finally:
                    source.close()
        finally:
            dest.close()
        return target
    if connection.vendor == "postgresql":
        target = folder / "database.pgdump"
        subprocess.run(  # noqa: S603  (a fixed argument list from the settings, no shell)
            [  # noqa: S607  (pg_dump from PATH, as the operator installed it)
                "pg_dump",
                *_pg_args(),
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                str(connection.settings_dict["NAME"]),
            ],
            check=True,
            env=_pg_env(),
            capture_output=True,
        )
        return target
    raise BackupError(f"No backup for the {connection.vendor} database.")


def _sqlite_in_memory() -> bool:
    name = str(connection.settings_dict["NAME"])
    return name == ":memory:" or "mode=memory" in name


def _sqlite_restore(dump: Path) -> None:
    src = sqlite3.connect(dump)
    try:
        if _sqlite_in_memory():
            connection.ensure_connection()
            live = connection.connection
            live.execute("PRAGMA foreign_keys = OFF")
            tables = [
                row[0]
                for row in live.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for table in tables:
                live.execute(f'DROP TABLE IF EXISTS "{table}"')
            live.executescript("\n".join(src.iterdump()))
            live.execute("PRAGMA foreign_keys = ON")
        else:
            connection.close()
            dest = sqlite3.connect(str(connection.settings_dict["NAME"]))
            try:
                src.backup(dest)
            finally:
                dest.close()
    finally:
        src.close()


def backup_create(*, target: Path, passphrase: str) -> dict[str, Any]:
    """Write an encrypted backup to ``target``; returns the manifest."""
    var_dir = Path(settings.VAR_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        dump = _dump_database(Path(tmp))
        keys = [var_dir / name for name in KEY_FILES if (var_dir / name).is_file()]
        manifest = {
            "created_at": clock.now().isoformat(),
            "database": connection.vendor,
            "database_sha256": hashlib.sha256(dump.read_bytes()).hexdigest(),
            "keys": [k.name for k in keys],
        }
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            tar.add(dump, arcname=dump.name)
            for key in keys:
                tar.add(key, arcname=f"keys/{key.name}")
            raw = json.dumps(manifest).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    salt = os.urandom(16)
    token = _fernet(passphrase, salt).encrypt(buffer.getvalue())
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_target = target.with_name(target.name + ".part")
    tmp_target.write_bytes(MAGIC + salt + token)
    tmp_target.chmod(0o600)
    tmp_target.replace(target)  # a backup is either whole or absent
    return manifest


def backup_restore(*, source: Path, passphrase: str, restore_keys: bool = True) -> dict[str, Any]:
    """Replace the database (and the key files in var/) with the backup's."""
    raw = source.read_bytes()
    if not raw.startswith(MAGIC):
        raise BackupError(f"{source} is not a Bollplank backup.")
    salt, token = raw[len(MAGIC) : len(MAGIC) + 16], raw[len(MAGIC) + 16 :]
    try:
        archive = _fernet(passphrase, salt).decrypt(token)
    except InvalidToken as exc:
        raise BackupError("Wrong passphrase, or the backup is damaged.") from exc
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        folder = Path(tmp)
        tar.extractall(folder, filter="data")
        manifest = json.loads((folder / "manifest.json").read_text())
        if manifest["database"] != connection.vendor:
            raise BackupError(
                f"The backup is of a {manifest['database']} database, this is {connection.vendor}."
            )
        dump = folder / ("database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump")
        if hashlib.sha256(dump.read_bytes()).hexdigest() != manifest["database_sha256"]:
            raise BackupError("The database in the backup does not match its checksum.")
        if connection.vendor == "sqlite":
            _sqlite_restore(dump)
        else:
            connection.close()
            subprocess.run(  # noqa: S603  (a fixed argument list from the settings, no shell)
                [  # noqa: S607  (pg_restore from PATH, as the operator installed it)
                    "pg_restore",
                    *_pg_args(),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    str(connection.settings_dict["NAME"]),
                    str(dump),
                ],
                check=True,
                env=_pg_env(),
                capture_output=True,
            )
        if restore_keys:
            var_dir = Path(settings.VAR_DIR)
            var_dir.mkdir(parents=True, exist_ok=True)
            for name in manifest["keys"]:
                target = var_dir / name
                target.write_bytes((folder / "keys" / name).read_bytes())
                target.chmod(0o600)
    return manifest
