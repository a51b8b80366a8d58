"""The keys of the confidential texts: checking them at start, and rotating them."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.utils import DatabaseError
from django_scopes import scopes_disabled

from bollplank.accounts.identity import secrets_rotate
from bollplank.meetings.models import VideoServer
from bollplank.records import crypto
from bollplank.records.models import JournalEntry, PrivateNote

BATCH = 500


def verify_keys() -> None:
    """Refuse to start with keys that cannot read what is stored, instead of serving garbage.

    Called from the WSGI entry point: a wrong key stops the server at start with a message."""
    crypto.fernet()
    try:
        with scopes_disabled():
            for model in (PrivateNote, JournalEntry):
                sample = model.objects.order_by("-pk").values_list("body_encrypted", flat=True)
                token = sample.first()
                if token:
                    crypto.decrypt(token)
    except DatabaseError:
        return  # not migrated yet: nothing stored to check


def prepend_key(key: str) -> Path:
    """Put ``key`` first in the key file (only when keys come from a file)."""
    if os.environ.get("BOLLPLANK_NOTE_KEYS"):
        raise ImproperlyConfigured(
            "The keys come from BOLLPLANK_NOTE_KEYS: put the new key first there, restart, "
            "then run rotate_note_key without --new-key."
        )
    path = crypto.key_file()
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(key + "\n" + existing, encoding="utf-8")
    path.chmod(0o600)
    crypto.reset()
    return path


def rotate_all() -> int:
    """Re-encrypt in small transactions so that the site keeps working meanwhile: the notes,
    the journals, the video servers' secrets and the log-ins' client secrets."""
    crypto.reset()
    count = 0
    with scopes_disabled():
        for model in (PrivateNote, JournalEntry):
            pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH):
                with transaction.atomic():
                    rows = model.objects.select_for_update().filter(
                        pk__in=pks[start : start + BATCH]
                    )
                    for row in rows:
                        row.body_encrypted = crypto.rotate(row.body_encrypted)
                        # update_fields: updated_at is the writer's time, not the rotation's
                        model.objects.filter(pk=row.pk).update(body_encrypted=row.body_encrypted)
                        count += 1
        # The practices' video server secrets are stored with the same keys.
        with transaction.atomic():
            for server in VideoServer.objects.select_for_update():
                VideoServer.objects.filter(pk=server.pk).update(
                    secret_encrypted=crypto.rotate(server.secret_encrypted)
                )
                count += 1
        # And the client secrets of the organisations' log-ins.
        count += secrets_rotate()
    return count
