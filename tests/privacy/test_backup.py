"""Backup and restore (issue 10): a full round trip compares every table's row count and
checksum, and the restored instance passes a sample of the permission matrix."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.core.audit_verify import verify_chain
from bollplank.records.models import PrivateNote
from tests.test_permissions import MATRIX, ROLES, _login

PASSPHRASE = "en lång lösenfras för säkerhetskopian"


def table_checksums() -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 over every row of every table, in primary-key order."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608  (table names)
            rows = cursor.fetchall()
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            result[table] = (len(rows), digest)
    return result


@pytest.fixture
def var_dir(settings, tmp_path, monkeypatch):
    folder = tmp_path / "var"
    folder.mkdir()
    (folder / "secret_key").write_text("the instance's secret key")
    (folder / "note_keys").write_text("the instance's note key")
    (folder / "audit_key").write_text("the instance's audit key")
    settings.VAR_DIR = folder
    monkeypatch.setenv("BOLLPLANK_BACKUP_PASSPHRASE", PASSPHRASE)
    return folder


@pytest.mark.django_db(transaction=True)
def test_backup_round_trip_restores_every_table_and_key(client, world, var_dir, tmp_path):
    with scopes_disabled():
        note = PrivateNote(
            practice=world.practice,
            author=world.supervisor,
            engagement=world.engagement,
            meeting=world.meeting,
        )
        note.body = "Krypterad anteckning"
        note.save()
    before = table_checksums()
    target = tmp_path / "backup.bpbackup"
    call_command("backup", "--out", str(target))
    raw = target.read_bytes()
    assert raw.startswith(b"BPBACKUP1")
    assert b"Krypterad" not in raw and b"secret key" not in raw  # sealed

    # Damage after the backup: rows gone, rows changed, keys lost.
    with scopes_disabled():
        PrivateNote.objects.all().delete()
        world.practice.name = "Ändrat efter kopian"
        world.practice.save()
    (var_dir / "note_keys").unlink()
    (var_dir / "audit_key").unlink()
    assert table_checksums() != before

    call_command("restore", str(target), "--yes")

    after = table_checksums()
    print(f"backup round trip: {len(after)} tables compared")
    assert after == before
    assert (var_dir / "note_keys").read_text() == "the instance's note key"
    assert (var_dir / "audit_key").read_text() == "the instance's audit key"
    with scopes_disabled():
        assert PrivateNote.objects.get().body == "Krypterad anteckning"
    assert verify_chain().ok

    # The restored instance keeps its permissions: a sample of the matrix (every 7th row).
    checked = 0
    for name, method, args, expected in MATRIX[::7]:
        if method != "get":
            continue
        with scopes_disabled():
            try:
                url = reverse(name, args=args(world))
            except (ValidationError, IntegrityError):
                continue  # a row whose objects cannot be made twice in one database
        for role in ROLES:
            client.logout()
            _login(client, world, role)
            assert client.get(url).status_code == expected[role], f"{role} {url}"
            checked += 1
    print(f"permission matrix cases on the restored instance: {checked}")
    assert checked > 50


def test_restore_refuses_a_wrong_passphrase_and_needs_yes(db, var_dir, tmp_path, monkeypatch):
    target = tmp_path / "b.bpbackup"
    call_command("backup", "--out", str(target))
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(target))
    monkeypatch.setenv("BOLLPLANK_BACKUP_PASSPHRASE", "fel lösenfras, men lång")
    with pytest.raises(CommandError, match="Wrong passphrase"):
        call_command("restore", str(target), "--yes")
    monkeypatch.setenv("BOLLPLANK_BACKUP_PASSPHRASE", "kort")
    with pytest.raises(CommandError, match="12 characters"):
        call_command("backup", "--out", str(target))
