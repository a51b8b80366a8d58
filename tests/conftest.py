"""Shared fixtures: a practice with one person in every role, and a second practice to leak to."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core import mail  # noqa: F401  (locmem outbox for tests)
from django.core.cache import caches
from django.db import transaction
from django.db.backends.postgresql.base import DatabaseOperations as PostgresOperations
from django.db.backends.sqlite3.base import DatabaseOperations as SQLiteOperations
from django.db.models import Model
from django_scopes import scopes_disabled

from bollplank.accounts.models import User
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from tests import dns, timecontrol
from tests import factories as f

# Tests encrypt with a key of their own, never the developer's var/note_keys.
os.environ.setdefault("BOLLPLANK_NOTE_KEYS", Fernet.generate_key().decode())
# And sign the audit log with a key of their own (subprocesses inherit it).
TEST_AUDIT_KEY = "ab" * 32
os.environ.setdefault("BOLLPLANK_AUDIT_KEY", TEST_AUDIT_KEY)


def pytest_configure(config: Any) -> None:
    # Before pytest-xdist starts its workers, so that they (and their subprocesses) share it.
    timecontrol.fix_instant()
    dns.install()


def pytest_report_header(config: Any) -> str:
    return (
        f"test instant: {timecontrol.instant().isoformat()} "
        f"(set {timecontrol.ENV} to run at it again)"
    )


def _django_group(item: pytest.Item) -> int:
    """pytest-django's order: tests in a rolled-back transaction, then tests that commit, then
    tests without a database (as its own pytest_collection_modifyitems decides)."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    committing = bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )
    if committing or "transactional_db" in fixtures or "live_server" in fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Within each of pytest-django's groups, the tests that start programs or drive a browser
    (a few seconds to a minute and a half each) go first. The two workers then end on short
    tests: with the long ones last, one worker could sit idle for a minute while the other
    finished one."""

    groups = [_django_group(item) for item in items]
    if groups != sorted(groups):
        # pytest-django sorted the tests before this hook: _django_group copies its rule, and a
        # new pytest-django with another rule would otherwise have its order quietly undone.
        raise pytest.UsageError(
            "tests/conftest.py: _django_group no longer matches pytest-django's order"
        )

    def long_first(item: pytest.Item) -> tuple[int, int]:
        heavy = item.get_closest_marker("slow") or item.get_closest_marker("browser")
        return _django_group(item), 0 if heavy else 1

    items.sort(key=long_first)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The test databases are made from the models (``--nomigrations`` in pyproject.toml: much
    faster than replaying every migration, and ``makemigrations --check`` keeps models and
    migrations equal); the rows the data migrations ship are installed here instead."""
    from bollplank.evaluations.apps import install_shipped as questionnaires
    from bollplank.facilitation.apps import install_shipped as conversation_models

    with django_db_blocker.unblock():
        questionnaires()
        conversation_models()


# The content types and permissions stay when a test that committed (browser tests,
# concurrency tests) has its tables emptied: the flush's post-migrate step would only write the
# same rows back, one insert each, a second per test.
KEPT_BY_FLUSH = {"django_content_type", "auth_permission"}


def _quicker_flush(original: Any) -> Any:
    def sql_flush(
        self: Any, style: Any, tables: list[str], *, reset_sequences: bool = False, **kw: Any
    ) -> list[str]:
        tables = [table for table in tables if table not in KEPT_BY_FLUSH]
        if self.connection.vendor != "postgresql" or reset_sequences or not tables:
            return original(self, style, tables, reset_sequences=reset_sequences, **kw)  # type: ignore[no-any-return]
        # PostgreSQL truncates by giving each of some 150 tables and their indexes new files,
        # seconds on a small machine; deleting the few rows a test left takes milliseconds.
        # Foreign keys are deferred (Django makes them so), so the order is free.
        return [
            f"DELETE FROM {style.SQL_FIELD(self.quote_name(table))};"  # noqa: S608  (table names)
            for table in tables
        ]

    return sql_flush


for _operations in (PostgresOperations, SQLiteOperations):
    _operations.sql_flush = _quicker_flush(_operations.sql_flush)  # type: ignore[method-assign]


@pytest.fixture(scope="session", autouse=True)
def _session_clock() -> Iterator[None]:
    """Session- and module-wide set-up (databases, shared worlds) happens at the run's instant."""
    with time_machine.travel(timecontrol.instant(), tick=True):
        yield


@pytest.fixture(autouse=True)
def traveller(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller]:
    """Every test starts at the run's instant and the clock ticks on. A test that needs another
    moment moves it (``traveller.move_to(...)``, ``traveller.shift(...)``); a module whose
    story is told on fixed dates (a daylight-saving night, a given Good Friday) says so with
    ``pytest.mark.instant("2027-02-28T13:00:00+01:00")`` and its fixtures are built then."""
    marker = request.node.get_closest_marker("instant")
    start = timecontrol.parse(marker.args[0]) if marker else timecontrol.instant()
    with time_machine.travel(start, tick=True) as moved:
        yield moved


@pytest.fixture(autouse=True)
def _audit_checkpoints(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test writes the audit log's checkpoints to a folder of its own, under the test key."""
    settings.AUDIT_KEY = bytes.fromhex(TEST_AUDIT_KEY)
    settings.AUDIT_CHECKPOINT_DIR = tmp_path_factory.mktemp("audit")


@pytest.fixture(autouse=True)
def _fresh_caches(traveller: time_machine.Traveller) -> None:
    """Every test starts with empty caches: each starts at the same instant, so what an earlier
    test left (rate-limit counts and the like) would look recent, or even ahead, to the next."""
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "sv"


@dataclass
class World:
    """One practice with an admin, two supervisors, a client contact and participants in a
    group engagement; and another practice with its own supervisor and engagement."""

    practice: Practice
    admin: User
    supervisor: User
    other_supervisor: User
    contact_user: User
    participant_user: User
    outsider_participant_user: User
    client: Any
    engagement: Any
    other_engagement: Any
    meeting: Any
    other_practice: Practice
    foreign_supervisor: User
    foreign_engagement: Any
    foreign_meeting: Any


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture(scope="module")
def _module_world(
    django_db_setup: Any, django_db_blocker: Any
) -> Iterator[tuple[World, dict[str, dict[str, Any]]]]:
    """One world for every test of a module, rolled back after the module: for the permission
    matrices, whose thousands of cases each only read it (or write inside their own
    transaction, which the ``db`` fixture rolls back after each test). With it, each object's
    fields as read from the database once."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built, _fields_as_read(built)
        transaction.set_rollback(True)


def _fields_as_read(world: World) -> dict[str, dict[str, Any]]:
    saved = {}
    with scopes_disabled():
        for name, value in vars(world).items():
            if isinstance(value, Model):
                value.refresh_from_db()
                saved[name] = {
                    field.attname: getattr(value, field.attname)
                    for field in value._meta.concrete_fields
                }
    return saved


@pytest.fixture
def shared_world(_module_world: tuple[World, dict[str, dict[str, Any]]], db: Any) -> World:
    """The module's world, its objects as the database holds them (a test before may have
    changed one in memory; its database changes were rolled back): each object's fields are
    put back as they were read after the world was built and its cached relations dropped,
    which is what reading each afresh gives, without a query per object and test."""
    world, saved = _module_world
    for name, fields in saved.items():
        value = getattr(world, name)
        for attname, field_value in copy.deepcopy(fields).items():
            setattr(value, attname, field_value)
        value._state.fields_cache = {}
        value.__dict__.pop("_prefetched_objects_cache", None)
    return world


def build_world() -> World:
    practice = f.PracticeFactory(name="Ekbacken handledning", slug="ekbacken")
    admin = f.member(practice, Role.ADMIN, name="Åsa Admin", email="admin@ekbacken.se")
    supervisor = f.member(practice, Role.SUPERVISOR, name="Siv Handledare", email="siv@ekbacken.se")
    other_supervisor = f.member(
        practice, Role.SUPERVISOR, name="Olle Annan", email="olle@ekbacken.se"
    )
    client = f.ClientFactory(practice=practice, name="Solbacka skola")
    contact_user = f.member(
        practice, Role.CLIENT_CONTACT, name="Rektor Rut", email="rut@solbacka.se"
    )
    f.ClientContactFactory(practice=practice, client=client, user=contact_user, name="Rektor Rut")
    engagement = f.EngagementFactory(
        practice=practice, client=client, supervisor=supervisor, title="Lärarlaget åk 4–6"
    )
    participant_user = f.member(
        practice, Role.PARTICIPANT, name="Pia Deltagare", email="pia@solbacka.se"
    )
    pia = f.ParticipantFactory(
        practice=practice, user=participant_user, name="Pia Deltagare", email="pia@solbacka.se"
    )
    f.GroupMembershipFactory(engagement=engagement, participant=pia)
    f.GroupMembershipFactory(engagement=engagement)
    other_engagement = f.EngagementFactory(
        practice=practice, client=client, supervisor=other_supervisor, title="Elevhälsoteamet"
    )
    outsider = f.member(practice, Role.PARTICIPANT, name="Otto Utanför", email="otto@solbacka.se")
    otto = f.ParticipantFactory(
        practice=practice, user=outsider, name="Otto Utanför", email="otto@solbacka.se"
    )
    f.GroupMembershipFactory(engagement=other_engagement, participant=otto)
    f.GroupMembershipFactory(engagement=other_engagement)
    meeting = f.MeetingFactory(engagement=engagement)

    other_practice = f.PracticeFactory(name="Annan byrå", slug="annan")
    foreign_supervisor = f.member(other_practice, Role.SUPERVISOR, name="Fia Främling")
    foreign_engagement = f.EngagementFactory(practice=other_practice, supervisor=foreign_supervisor)
    foreign_meeting = f.MeetingFactory(engagement=foreign_engagement)
    return World(
        practice,
        admin,
        supervisor,
        other_supervisor,
        contact_user,
        participant_user,
        outsider,
        client,
        engagement,
        other_engagement,
        meeting,
        other_practice,
        foreign_supervisor,
        foreign_engagement,
        foreign_meeting,
    )
