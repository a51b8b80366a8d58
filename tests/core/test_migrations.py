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


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_migration_replays_on_a_fresh_database(tmp_path: Path) -> None:
    url, dropped = _fresh_database(tmp_path)
    env = {**production_env(tmp_path), "DATABASE_URL": url}
    try:
        for args in (["migrate", "--no-input", "-v0"], ["shell", "-v0", "-c", CHECK]):
            done = subprocess.run(  # noqa: S603
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stdout + done.stderr
        questionnaires, models = (int(n) for n in done.stdout.split()[-2:])
        assert (questionnaires, models) == (len(questionnaire_rows), len(model_rows))
    finally:
        if dropped:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{dropped}"')
