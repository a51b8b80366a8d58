"""The suite builds its databases from the models (``--nomigrations``); this test replays every
migration on a fresh database of the kind the suite runs on, as ``make run`` and a deployment
do, and checks what the data migrations ship."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from bollplank.evaluations.shipped import SHIPPED as questionnaire_rows
from bollplank.facilitation.shipped import SHIPPED as model_rows
from tests.core.test_deploy import production_env

ROOT = Path(__file__).resolve().parents[2]
CHECK = (
    "from bollplank.evaluations.models import Questionnaire;"
    "from bollplank.facilitation.models import ConversationModel;"
    "print(Questionnaire.shipped.count(), ConversationModel.shipped.count())"
)


def _fresh_database(tmp_path: Path) -> tuple[str, str | None]:
    """A database URL nobody uses yet, and the PostgreSQL database to drop afterwards."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}", None
    db = connection.settings_dict
    name = f"bollplank_migrate_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}", name


OLD_EVENTS = """
import datetime as dt, importlib, json
from django.db import connection
m = importlib.import_module("bollplank.core.migrations.0009_audit_mac_seal_chain")
class E: pass
prev = m.OLD_GENESIS
with connection.cursor() as c:
    for i in range(3):
        e = E()
        e.practice_id = e.actor_id = None
        e.action, e.object_type, e.object_id, e.data = f"test.{i}", "", "", {"i": i}
        e.created_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i)
        h = m._old_hash(e, prev)
        c.execute(
            "INSERT INTO core_auditevent (action, object_type, object_id, data, created_at,"
            " prev_hash, hash) VALUES (%s, '', '', %s, %s, %s, %s)",
            [e.action, json.dumps(e.data), connection.ops.adapt_datetimefield_value(e.created_at),
             prev, h],
        )
        prev = h
"""
MARKER = (
    "from bollplank.core.models import AuditEvent;"
    "e = AuditEvent.objects.get(action='core.audit.rekeyed');"
    "print(e.data['old_chain_whole'], e.data['count'], e.seq)"
)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_migration_replays_on_a_fresh_database(tmp_path: Path) -> None:
    """Every migration applies; the shipped rows are there; and on the way the audit log's
    events of the old SHA-256 chain get a MAC, a place and a chain value, a marker records that
    the old chain was whole, and the resealed log verifies."""
    url, dropped = _fresh_database(tmp_path)
    env = {**production_env(tmp_path), "DATABASE_URL": url}
    steps = [
        # The audit log as it was before the MAC (and only what it needs: the apps whose tables
        # are not there yet leave their post-migrate hooks alone).
        ["migrate", "core", "0008", "--no-input", "-v0"],
        ["shell", "-v0", "-c", OLD_EVENTS],
        ["migrate", "--no-input", "-v0"],
        ["verify_audit_chain", "--seal"],
        ["shell", "-v0", "-c", MARKER],
        ["shell", "-v0", "-c", CHECK],
    ]
    outputs = []
    try:
        for args in steps:
            done = subprocess.run(  # noqa: S603
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stdout + done.stderr
            outputs.append(done.stdout)
        assert outputs[-2].split() == ["True", "3", "4"]
        questionnaires, models = (int(n) for n in outputs[-1].split()[-2:])
        assert (questionnaires, models) == (len(questionnaire_rows), len(model_rows))
    finally:
        if dropped:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{dropped}"')
