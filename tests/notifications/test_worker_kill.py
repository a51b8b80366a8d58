"""The task worker killed for real (issue 9): a batch of mails waits in the outbox, the real
``manage.py db_worker`` runs against a file database (a copy of the test database, SQLite or
PostgreSQL, as in tests/privacy/test_crash.py) with a slow file mail backend, and is killed with
SIGKILL while a send is under way. Started again, with no cron and no ``send_due_mail``, it sends
what was left, the killed send after the lease: every mail is in the mail files exactly once."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from bollplank.core.mail import queue_mail
from bollplank.notifications.enums import MailKind
from tests import timecontrol
from tests.privacy.test_crash import (
    ROOT,
    _env,
    _postgres_copy_of_test_database,
    _sqlite_file_from_test_database,
)

MAILS = 10
KILL_DURING_SEND = 4  # killed while the 4th mail is being sent
SEND_SECONDS = 0.3
LEASE_SECONDS = 3


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "manage.py", "db_worker", "-v0", "--no-reload"]
    cmd += ["--no-startup-delay", "--interval", "0.1"]
    env = timecontrol.subprocess_env(env)  # the worker's clock goes on from the test's
    return subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603


def _sent_to(mail_dir: Path) -> list[str]:
    """Every recipient in the file backend's output, once per message written."""
    if not mail_dir.exists():
        return []
    text = "".join(p.read_text() for p in mail_dir.iterdir())
    return re.findall(r"^To: (\S+)$", text, re.M)


def _rows(database_url: str, db_file: Path | None) -> list[tuple[str, str, int]]:
    sql = 'SELECT "to", status, attempts FROM notifications_outgoingmail ORDER BY "to"'
    if db_file is not None:
        db = sqlite3.connect(db_file)
        rows = db.execute(sql).fetchall()
        db.close()
    else:
        import psycopg

        with psycopg.connect(database_url) as pg:
            rows = pg.execute(sql).fetchall()
    return [(str(a), str(b), int(c)) for a, b, c in rows]


def _wait(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sigkilled_worker_sends_every_mail_exactly_once_after_restart(
    tmp_path: Path, settings: Any
) -> None:
    # Queued as the app does, into the real task queue (tasks enqueued when the transaction
    # commits), then the database is copied to where the worker can open it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic():
        for n in range(MAILS):
            queue_mail(
                to=f"person{n}@example.se",
                template="notifications/email/summary",
                context={"name": "Pia", "title": "Grupp", "when": "", "link": "/x/"},
                kind=MailKind.OTHER,
            )
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        db_file: Path | None = tmp_path / "worker.sqlite3"
        assert db_file is not None
        _sqlite_file_from_test_database(db_file)
        database_url = f"sqlite:///{db_file}"
    else:
        db_file = None
        database_url = _postgres_copy_of_test_database(
            f"{connection.settings_dict['NAME']}_mailkill"
        )
    mail_dir = tmp_path / "mail"
    started_dir = tmp_path / "mail-started"
    env = _env(tmp_path, database_url)
    env.update(
        BOLLPLANK_EMAIL_BACKEND="tests.notifications.slow_mail.SlowFileBackend",
        BOLLPLANK_EMAIL_FILE_PATH=str(mail_dir),
        BOLLPLANK_TEST_MAIL_DELAY=str(SEND_SECONDS),
        BOLLPLANK_MAIL_LEASE_SECONDS=str(LEASE_SECONDS),
        BOLLPLANK_MAIL_SWEEP_SECONDS="1",
    )
    began = time.monotonic()
    try:
        assert [r[1] for r in _rows(database_url, db_file)] == ["queued"] * MAILS

        # The mail server stops answering during the 4th send: the kill lands inside it.
        worker = _worker({**env, "BOLLPLANK_TEST_MAIL_HOLD": str(KILL_DURING_SEND)})
        started = lambda: len(list(started_dir.iterdir())) if started_dir.exists() else 0  # noqa: E731
        _wait(lambda: started() >= KILL_DURING_SEND, 60, "the worker to start sending")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

        rows = _rows(database_url, db_file)
        statuses = sorted(r[1] for r in rows)
        sent_before = _sent_to(mail_dir)
        # Killed mid-send: three sent (and in the files), one claimed and not sent, six waiting.
        assert statuses.count("sending") == 1, statuses
        assert statuses.count("sent") == KILL_DURING_SEND - 1 == len(sent_before)
        assert statuses.count("queued") == MAILS - KILL_DURING_SEND
        killed = next(r[0] for r in rows if r[1] == "sending")
        assert killed not in sent_before

        # Started again, only the worker: the waiting mails go out, the killed one after the
        # lease (released by the worker's own sweep), and nothing twice.
        worker = _worker(env)
        try:
            _wait(
                lambda: all(r[1] == "sent" for r in _rows(database_url, db_file)),
                LEASE_SECONDS + MAILS * SEND_SECONDS + 60,
                "every mail to be sent",
            )
            time.sleep(2 * SEND_SECONDS)  # room for a duplicate send to show, if there were one
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        sent = _sent_to(mail_dir)
        assert sorted(sent) == sorted(f"person{n}@example.se" for n in range(MAILS))
        attempts = {to: n for to, _status, n in _rows(database_url, db_file)}
        assert attempts[killed] == 2 and sum(attempts.values()) == MAILS + 1
        print(
            f"worker kill test ({connection.vendor}): {MAILS} mails, killed while sending "
            f"{killed}, all sent exactly once after restart, {time.monotonic() - began:.1f} s"
        )
    finally:
        if db_file is None:
            db = connection.settings_dict
            subprocess.run(  # noqa: S603
                [
                    "dropdb",
                    "-h",
                    str(db["HOST"]),
                    "-U",
                    str(db["USER"]),
                    "--if-exists",  # noqa: S607
                    database_url.rsplit("/")[-1],
                ],
                check=False,
            )
