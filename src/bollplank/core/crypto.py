"""Encryption of what is stored secret but must be read back: confidential texts (private
notes, journal entries) and the secrets a practice enters (its video server's JWT secret), with
MultiFernet. It lives on the ground floor so that every app stores such values one way.

Keys come from BOLLPLANK_NOTE_KEYS (comma-separated, newest first) or the file named by
BOLLPLANK_NOTE_KEYS_FILE (one key per line, newest first). Without either, a key file is made
once in var/ for a one-machine install. The first key encrypts; every key decrypts, so that a
rotation (new key first, `manage.py rotate_note_key`, then drop the old one) never stops reads.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class NoteKeyError(ImproperlyConfigured):
    """The note keys are missing or do not open what they must."""


def key_file() -> Path:
    configured = os.environ.get("BOLLPLANK_NOTE_KEYS_FILE")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "note_keys"


def _raw_keys() -> list[str]:
    configured = os.environ.get("BOLLPLANK_NOTE_KEYS")
    if configured:
        return [k.strip() for k in configured.split(",") if k.strip()]
    path = key_file()
    if not path.exists():
        if os.environ.get("BOLLPLANK_NOTE_KEYS_FILE"):
            raise NoteKeyError(f"BOLLPLANK_NOTE_KEYS_FILE={path} does not exist.")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode() + "\n", encoding="utf-8")
        path.chmod(0o600)
    return [k.strip() for k in path.read_text(encoding="utf-8").splitlines() if k.strip()]


@lru_cache(maxsize=1)
def fernet() -> MultiFernet:
    """The keys in force, parsed once per process. A malformed key fails loudly."""
    keys = _raw_keys()
    if not keys:
        raise NoteKeyError("No note encryption key is configured (BOLLPLANK_NOTE_KEYS).")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise NoteKeyError(
            "A note encryption key is malformed: each must be 32 url-safe base64-encoded bytes "
            "(make one with `manage.py rotate_note_key --new-key`)."
        ) from exc


def reset() -> None:
    """Forget the parsed keys (after a rotation, and in tests)."""
    fernet.cache_clear()


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise NoteKeyError(
            "A confidential text cannot be decrypted with the configured keys: the key is "
            "wrong or missing. Restore the key that was used (see docs/deploy.md)."
        ) from exc


def rotate(token: str) -> str:
    """The same text encrypted with the newest key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")
