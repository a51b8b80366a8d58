"""Crash safety (issue 10): the real server (gunicorn, 2 workers) takes journal writes from
several clients at once, is killed with SIGKILL in the middle, and is started again. Every write
a client saw acknowledged must be there, whole (it decrypts), the database must pass its
integrity check, and the audit chain must still verify."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from tests import timecontrol

ROOT = Path(__file__).resolve().parents[2]
# The tests' own note key (tests/conftest.py), so that the copied database's texts decrypt.
NOTE_KEY = os.environ.get("BOLLPLANK_NOTE_KEYS", Fernet.generate_key().decode()).split(",")[0]
CSRF = "a" * 32
WRITERS = 6
ACKNOWLEDGED_BEFORE_KILL = 40
MAX_SECONDS_BEFORE_KILL = 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOLLPLANK_")}
    env.update(
        BOLLPLANK_HTTPS="false",
        BOLLPLANK_ALLOWED_HOSTS="127.0.0.1",
        BOLLPLANK_SECRET_KEY=settings.SECRET_KEY,
        BOLLPLANK_NOTE_KEYS=NOTE_KEY,
        BOLLPLANK_VAR_DIR=str(var_dir),
        BOLLPLANK_LOG_LEVEL="ERROR",
        DATABASE_URL=database_url,
    )
    # The server and the worker run at the test's instant, as the test itself does.
    return timecontrol.subprocess_env(env)


def _start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--pythonpath",
        "src",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "error",
        "bollplank.wsgi:application",
    ]
    env = timecontrol.subprocess_env(env)
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/bench/noop/")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("gunicorn did not start")


def _session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key or ""


def _writer(port: int, cookie: str, start: int, acknowledged: list[str], stop: threading.Event):
    n = start
    while not stop.is_set():
        marker = f"skrivning-{n:06d} " + "å" * 200
        body = urllib.parse.urlencode({"body": marker, "meeting": ""})
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request(
                "POST",
                "/p/ekbacken/journal/",
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"sessionid={cookie}; csrftoken={CSRF}",
                    "X-CSRFToken": CSRF,
                },
            )
            response = c.getresponse()
            if response.status == 302:
                acknowledged.append(marker)
        except (OSError, http.client.HTTPException):
            pass  # the server died under this request: not acknowledged
        n += 1


def _sqlite_file_from_test_database(target: Path) -> None:
    """The test database (migrated, with the world) copied to a file the server can open."""
    dest = sqlite3.connect(target)
    dest.executescript("\n".join(connection.connection.iterdump()))
    dest.execute("PRAGMA journal_mode=WAL")
    dest.close()


def _postgres_copy_of_test_database(name: str) -> str:
    """The (committed) test database copied into database ``name`` for the server."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}"
    args = ["-h", str(db["HOST"]), "-p", str(db["PORT"] or 5432), "-U", str(db["USER"])]
    subprocess.run(["dropdb", *args, "--if-exists", name], check=True)  # noqa: S603, S607
    subprocess.run(["createdb", *args, name], check=True)  # noqa: S603, S607
    dump = subprocess.run(  # noqa: S603
        ["pg_dump", *args, "--format=custom", "--no-owner", str(db["NAME"])],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(  # noqa: S603
        ["pg_restore", *args, "--no-owner", "--dbname", name],  # noqa: S607
        input=dump,
        check=True,
    )
    return f"{url}/{name}"


def _stored_texts(database_url: str, db_file: Path | None) -> list[str]:
    fernet = Fernet(NOTE_KEY.encode())
    if db_file is not None:
        db = sqlite3.connect(db_file)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT body_encrypted FROM records_journalentry").fetchall()
        db.close()
    else:
        import psycopg

        with psycopg.connect(database_url) as db:
            rows = db.execute("SELECT body_encrypted FROM records_journalentry").fetchall()
    return [fernet.decrypt(row[0].encode()).decode() for row in rows]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_write_loses_no_acknowledged_write(world, tmp_path):
    cookie = _session_for(world.participant_user)
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        db_file: Path | None = tmp_path / "crash.sqlite3"
        assert db_file is not None
        _sqlite_file_from_test_database(db_file)
        database_url = f"sqlite:///{db_file}"
    else:
        db_file = None
        database_url = _postgres_copy_of_test_database(f"{connection.settings_dict['NAME']}_crash")
    env = _env(tmp_path, database_url)
    port = _free_port()
    server = _start(env, port)
    acknowledged: list[str] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=_writer, args=(port, cookie, i * 100_000, acknowledged, stop))
        for i in range(WRITERS)
    ]
    for t in threads:
        t.start()
    # Kill once enough writes are acknowledged (the writers keep going: others are in flight).
    deadline = time.monotonic() + MAX_SECONDS_BEFORE_KILL
    while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-request
    server.wait()
    stop.set()
    for t in threads:
        t.join()

    # Started again: it answers, and the journal page shows the entries.
    server = _start(env, port)
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/p/ekbacken/journal/", headers={"Cookie": f"sessionid={cookie}"})
        assert c.getresponse().status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()

    found = _stored_texts(database_url, db_file)
    print(
        f"crash test ({connection.vendor}): {len(acknowledged)} writes acknowledged, "
        f"{len(found)} found after SIGKILL"
    )
    assert len(acknowledged) > 10
    assert set(acknowledged) <= set(found)
    # Nothing half-written: every stored entry is a whole write (it decrypted, and is whole).
    assert all(text.startswith("skrivning-") and text.endswith("å" * 200) for text in found)
    chain = subprocess.run(
        [sys.executable, "manage.py", "verify_audit_chain", "--seal"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert chain.returncode == 0, chain.stdout + chain.stderr
    if db_file is None:
        db = connection.settings_dict
        subprocess.run(  # noqa: S603
            ["dropdb", "-h", str(db["HOST"]), "-U", str(db["USER"]), database_url.rsplit("/")[-1]],  # noqa: S607
            check=False,
        )
