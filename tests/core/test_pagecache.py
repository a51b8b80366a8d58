"""The whole-page cache (core/pagecache.py): pages are kept, and never outlive a write."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.core import pagecache
from bollplank.core.models import AuditEvent, Practice
from bollplank.meetings.models import Meeting
from bollplank.records.services import note_create
from tests import timecontrol

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()


def _client(user: Any, practice_slug: str = "ekbacken") -> Client:
    c = Client()
    c.force_login(user)
    # A browser brings the CSRF cookie back after its first page; so does this client.
    c.get(reverse("dashboard", args=[practice_slug]))
    return c


def _queries(c: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_a_page_is_kept_and_served_again_without_the_view(world: Any) -> None:
    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    cold, first = _queries(c, url)
    warm, second = _queries(c, url)
    assert second == first
    # Only the session is read; the person, meeting, engagement and group are not.
    assert warm < cold
    assert warm == 1


def test_any_write_throws_kept_pages_away(world: Any) -> None:
    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    assert "Nya rummet 12" not in c.get(url).content.decode()
    # A bulk update (no model signal), as a task or a command might make it.
    with scopes_disabled():
        Meeting.objects.filter(pk=world.meeting.pk).update(location="Nya rummet 12")
    assert "Nya rummet 12" in c.get(url).content.decode()
    # Raw SQL too.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE meetings_meeting SET location = %s WHERE id = %s",
            ["Gamla salen 3", world.meeting.pk],
        )
    page = c.get(url).content.decode()
    assert "Gamla salen 3" in page
    assert "Nya rummet 12" not in page


@pytest.mark.django_db(transaction=True)
def test_a_commit_replaces_the_generation_again() -> None:
    """A page rendered while a transaction was open (from the data before it) must not be
    found after the commit: the generation changes at the write and again at the commit."""
    with transaction.atomic():
        Practice.objects.create(name="Byrå", slug="byra")
        during = pagecache.generation()
        Practice.objects.filter(slug="byra").update(name="Byrån")
        assert pagecache.generation() != during
        during = pagecache.generation()
    assert pagecache.generation() != during


def test_writes_to_the_session_table_do_not_count(world: Any) -> None:
    c = _client(world.supervisor)
    before = pagecache.generation()
    session = c.session
    session["something"] = 1
    session.save()
    assert pagecache.generation() == before


def test_a_get_that_writes_is_never_kept(world: Any) -> None:
    """Reading private notes writes an audit event each time: no read may go unaudited."""
    note_create(
        actor=world.supervisor, engagement=world.engagement, meeting=world.meeting, body="x"
    )
    c = _client(world.supervisor)
    url = reverse("meeting_notes", args=["ekbacken", world.meeting.pk])
    with scopes_disabled():
        before = AuditEvent.objects.count()
        c.get(url)
        c.get(url)
        c.get(url)
        assert AuditEvent.objects.count() >= before + 3


def test_an_audited_read_keeps_the_other_pages(world: Any) -> None:
    """Opening private notes writes the audit log, which changes no page that can be kept:
    every worker's other kept pages survive it."""
    note_create(
        actor=world.supervisor, engagement=world.engagement, meeting=world.meeting, body="x"
    )
    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    cold, first = _queries(c, url)
    generation = pagecache.generation()
    with scopes_disabled():
        before = AuditEvent.objects.count()
    c.get(reverse("meeting_notes", args=["ekbacken", world.meeting.pk]))
    with scopes_disabled():
        assert AuditEvent.objects.count() == before + 1
    assert pagecache.generation() == generation
    warm, second = _queries(c, url)
    assert (warm, second) == (1, first)
    # Any other write in the same request would still count.
    with scopes_disabled():
        Meeting.objects.filter(pk=world.meeting.pk).update(location="Nya rummet 12")
    assert pagecache.generation() != generation


def test_a_page_that_reads_the_audit_log_is_never_kept(world: Any) -> None:
    note_create(
        actor=world.supervisor, engagement=world.engagement, meeting=world.meeting, body="x"
    )
    admin = _client(world.admin)
    log = reverse("audit_log", args=["ekbacken"])
    participant = _client(world.participant_user)
    access = reverse("access_log", args=["ekbacken"])
    assert "records.note.read" not in admin.get(log).content.decode()
    before = participant.get(access).content.decode()
    caches["pages"].clear()
    admin.get(log)
    participant.get(access)
    assert len(caches["pages"]._cache) == 0  # type: ignore[attr-defined]
    # The supervisor reads the notes: both pages show it at once.
    _client(world.supervisor).get(reverse("meeting_notes", args=["ekbacken", world.meeting.pk]))
    assert admin.get(log).content.decode().count("records.note.read") == 1
    assert participant.get(access).content.decode() != before


def test_a_write_elsewhere_that_only_mentions_the_audit_log_counts(world: Any) -> None:
    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    c.get(url)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE meetings_meeting SET location = %s WHERE id = %s AND id NOT IN "
            "(SELECT id FROM core_auditevent WHERE id < 0)",
            ["Gamla salen 3", world.meeting.pk],
        )
    assert "Gamla salen 3" in c.get(url).content.decode()


def test_people_never_share_a_kept_page(world: Any) -> None:
    url = reverse("dashboard", args=["ekbacken"])
    siv = _client(world.supervisor)
    olle = _client(world.other_supervisor)
    assert "Siv Handledare" in siv.get(url).content.decode()
    page = olle.get(url).content.decode()
    assert "Olle Annan" in page
    assert "Siv Handledare" not in page
    # A second session of the same person is kept apart too (its own CSRF secret).
    assert "Siv Handledare" in _client(world.supervisor).get(url).content.decode()


def test_a_message_after_a_post_is_shown_although_the_page_was_kept(world: Any) -> None:
    c = _client(world.admin)
    url = reverse("practice_settings", args=["ekbacken"])
    c.get(url)
    c.get(url)
    response = c.post(
        url,
        {
            "name": "Ekbacken handledning AB",
            "late_cancellation_hours": 48,
            "travel_buffer_minutes": 0,
            "session_idle_minutes": 30,
            "session_max_hours": 12,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Inställningarna är sparade" in page or "sparade" in page
    assert "Ekbacken handledning AB" in page


def test_a_page_with_a_new_csrf_cookie_is_not_kept_for_the_next_visitor(db: Any) -> None:
    url = reverse("account_login")
    first = Client(enforce_csrf_checks=True)
    first.get(url)
    second = Client(enforce_csrf_checks=True)
    response = second.get(url)
    # The second visitor gets a secret of their own, and the page's token fits it.
    assert "csrftoken" in response.cookies
    token = response.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    answer = second.post(url, {"csrfmiddlewaretoken": token, "login": "x@y.se", "password": "z"})
    assert answer.status_code != 403


def test_language_and_htmx_select_their_own_page(db: Any) -> None:
    url = reverse("account_login")
    c = Client()
    c.get(url)
    swedish = c.get(url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    english = c.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="sv"' in swedish
    assert 'lang="en"' in english
    assert 'lang="sv"' in c.get(url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    factory = RequestFactory()
    plain = factory.get("/p/x/meetings/")
    htmx = factory.get("/p/x/meetings/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="rows")
    token = pagecache.generation()
    assert pagecache.page_key(plain, token) != pagecache.page_key(htmx, token)
    assert pagecache.page_key(plain, token) != pagecache.page_key(plain, "another")
    api = factory.get("/api/v1/meetings/", HTTP_AUTHORIZATION="Bearer a")
    other = factory.get("/api/v1/meetings/", HTTP_AUTHORIZATION="Bearer b")
    assert pagecache.page_key(api, token) != pagecache.page_key(other, token)


def test_the_time_bound(world: Any, traveller: Any, settings: Any) -> None:
    # Twenty seconds here, so that the whole test stays inside the minute after which the
    # session writes down its last activity (which would change the count of queries).
    settings.PAGE_CACHE_SECONDS = 20
    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    traveller.move_to(timecontrol.instant(), tick=False)
    cold, _ = _queries(c, url)
    warm, _ = _queries(c, url)
    traveller.shift(21)
    later, _ = _queries(c, url)
    assert warm < cold
    assert later == cold
    # Counted from its own rendering, not to the end of a clock minute (when every worker
    # would render every page afresh at once).
    traveller.shift(19)
    assert _queries(c, url)[0] == warm
    traveller.shift(2)
    assert _queries(c, url)[0] == cold


def test_no_store_and_off_switch(world: Any, settings: Any) -> None:
    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    settings.PAGE_CACHE_SECONDS = 0
    first, _ = _queries(c, url)
    second, _ = _queries(c, url)
    assert first == second
    assert len(caches["pages"]._cache) == 0  # type: ignore[attr-defined]


def test_a_calendar_feed_is_kept_in_memory_but_clients_are_told_to_store_nothing(
    world: Any,
) -> None:
    from bollplank.meetings.services import feed_create, feed_revoke_all

    with scopes_disabled():
        _feed, token = feed_create(user=world.supervisor, practice=world.practice)
    url = reverse("feed", args=[token])
    c = Client()
    c.get(url)  # the first fetch notes the feed's last use: a write, so it is not kept
    cold, first = _queries(c, url)
    with CaptureQueriesContext(connection) as ctx:
        kept = c.get(url)
    assert cold > 0
    assert len(ctx.captured_queries) == 0
    assert kept.content.decode() == first
    assert kept["Cache-Control"] == "private, no-store"
    assert kept["Content-Type"] == "text/calendar; charset=utf-8"
    # A move shows at once, and a stopped link stops at once.
    with scopes_disabled():
        Meeting.objects.filter(pk=world.meeting.pk).update(location="Nya rummet 12")
    assert "Nya rummet 12" in c.get(url).content.decode()
    with scopes_disabled():
        feed_revoke_all(user=world.supervisor, practice=world.practice)
    assert c.get(url).status_code == 410


def test_the_login_page_is_kept_for_a_returning_visitor_only(db: Any) -> None:
    visitor = Client()
    url = reverse("account_login")
    visitor.get(url)  # brings the CSRF cookie back from now on
    cold, first = _queries(visitor, url)
    with CaptureQueriesContext(connection) as ctx:
        kept = visitor.get(url)
    assert kept.content.decode() == first
    assert len(ctx.captured_queries) == cold == 0
    assert len(caches["pages"]._cache) == 1  # type: ignore[attr-defined]
    # Browsers are still told to keep nothing.
    assert "no-store" in kept["Cache-Control"]
    # Another visitor gets a page of their own, with a token for their own CSRF secret.
    other = Client()
    page = other.get(url)
    assert page.status_code == 200
    assert (
        page.cookies[settings.CSRF_COOKIE_NAME].value
        != visitor.cookies[settings.CSRF_COOKIE_NAME].value
    )
    assert other.get(url).content != kept.content
    # The login itself still works from a kept page.
    assert kept.context is None  # served without the view
    with scopes_disabled():
        from bollplank.accounts.models import User

        User.objects.create_user(email="ny@ekbacken.example", password="ett-långt-lösenord-1")
    response = visitor.post(
        url, {"login": "ny@ekbacken.example", "password": "ett-långt-lösenord-1"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("sql", "audit_write", "mentions_audit"),
    [
        ('INSERT INTO "core_auditevent" ("action") VALUES (%s) RETURNING "id"', True, True),
        ("insert into core_auditsubject (event_id, user_id) select * from unnest(%s)", True, True),
        ('DELETE FROM "core_auditsubject" WHERE "event_id" <= %s', True, True),
        ('SELECT "id", "hash" FROM "CORE_AUDITEVENT" ORDER BY "id" DESC', False, True),
        (
            'UPDATE "accounts_user" SET "name" = %s WHERE "id" IN (SELECT "actor_id" FROM '
            '"core_auditevent")',
            False,
            True,
        ),
        # Another table: its writes count; a page touching it is not kept (erring on the safe side).
        ('INSERT INTO "core_auditevent_archive" ("id") VALUES (1)', False, True),
        ('UPDATE "meetings_meeting" SET "location" = %s', False, False),
    ],
)
def test_what_counts_as_the_audit_log(sql: str, audit_write: bool, mentions_audit: bool) -> None:
    """Writes *to* the audit log do not replace the generation (every other write does); any
    statement that touches it keeps the page from being kept."""
    assert bool(pagecache._AUDIT_WRITE.match(sql)) is audit_write
    assert bool(pagecache._AUDIT_TABLE.search(sql)) is mentions_audit


def test_a_script_asking_for_json_gets_a_page_of_its_own() -> None:
    factory = RequestFactory()
    browser = factory.get("/accounts/login/")
    script = factory.get("/accounts/login/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    json = factory.get("/accounts/login/", CONTENT_TYPE="application/json")
    keys = {pagecache.page_key(r, "token") for r in (browser, script, json)}
    assert len(keys) == 3


@pytest.mark.parametrize(
    ("sql", "counts"),
    [
        ('INSERT INTO "meetings_meeting" ("id") VALUES (1)', True),
        ("  update meetings_meeting set location = ''", True),
        ('DELETE FROM "x"', True),
        ('SELECT * FROM "meetings_meeting"', False),
        ('UPDATE "django_session" SET "session_data" = \'\'', False),
        ("INSERT INTO \"bollplank_cache\" (cache_key) VALUES ('k')", False),
        ("SAVEPOINT s1", False),
        ("RELEASE SAVEPOINT s1", False),
        ("SELECT pg_advisory_xact_lock(1)", False),
        ("/* a hint */ SELECT 1", False),
        ("-- a comment\nDELETE FROM x", True),
        ("WITH moved AS (UPDATE x SET a = 1 RETURNING id) SELECT * FROM moved", True),
        ("WITH recent AS (SELECT 1) SELECT * FROM recent", False),
        ("MERGE INTO x USING y ON true WHEN MATCHED THEN DELETE", True),
        ("PRAGMA foreign_keys = ON", True),  # not known to only read: counts
        (b"DELETE FROM x", True),  # not text (a psycopg Composed, bytes): counts
    ],
)
def test_what_counts_as_a_write(sql: Any, counts: bool) -> None:
    assert pagecache._is_write(sql) is counts


def test_a_write_succeeds_when_the_shared_cache_has_no_table_yet(world: Any, settings: Any) -> None:
    """BOLLPLANK_CACHE=database before `createcachetable`: the first `migrate` writes, and on
    PostgreSQL a failed cache query inside its transaction would undo the write."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "bollplank_cache_missing",
        },
    }
    from django.core.cache.backends.db import DatabaseCache

    assert isinstance(caches["default"], DatabaseCache)
    with transaction.atomic(), scopes_disabled():
        Meeting.objects.filter(pk=world.meeting.pk).update(location="Salen")
        assert Meeting.objects.get(pk=world.meeting.pk).location == "Salen"
    with scopes_disabled():
        assert Meeting.objects.get(pk=world.meeting.pk).location == "Salen"


@pytest.mark.django_db(transaction=True)
def test_a_transaction_of_many_writes_replaces_the_shared_token_once(monkeypatch: Any) -> None:
    shared = caches["default"]
    sets: list[str] = []
    original = shared.set
    monkeypatch.setattr(
        shared, "set", lambda key, *a, **k: (sets.append(key), original(key, *a, **k))[1]
    )
    with transaction.atomic():
        for n in range(30):
            Practice.objects.create(name=f"Byrå {n}", slug=f"byra-{n}")
    assert sets.count(pagecache.GENERATION_KEY) == 1
    # Outside a transaction each write is committed at once, and replaces it at once.
    Practice.objects.filter(slug="byra-1").update(name="Byrå ett")
    assert sets.count(pagecache.GENERATION_KEY) == 2


def test_a_person_shut_out_after_a_page_was_kept_is_not_served_it(world: Any) -> None:
    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    assert c.get(url).status_code == 200
    assert c.get(url).status_code == 200
    type(world.supervisor).objects.filter(pk=world.supervisor.pk).update(is_active=False)
    response = c.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_page_showing_decrypted_text_is_never_kept(world: Any) -> None:
    """The journal is encrypted at rest and its reading is not audited: it must still not be
    kept in memory as a rendered page (nothing confidential stored anywhere new)."""
    from bollplank.records.services import journal_write

    with scopes_disabled():
        journal_write(actor=world.participant_user, practice=world.practice, body="Min tanke")
    c = _client(world.participant_user)
    caches["pages"].clear()
    url = reverse("journal", args=["ekbacken"])
    assert "Min tanke" in c.get(url).content.decode()
    assert "Min tanke" in c.get(url).content.decode()
    assert len(caches["pages"]._cache) == 0  # type: ignore[attr-defined]


def test_account_pages_are_never_kept(world: Any) -> None:
    """Two-factor set-up, recovery codes and the list of active sessions are answered afresh
    (the end of a session is not a counted write)."""
    c = _client(world.supervisor)
    caches["pages"].clear()
    for _ in range(2):
        assert c.get(reverse("account_email")).status_code == 200
    assert len(caches["pages"]._cache) == 0  # type: ignore[attr-defined]


def test_a_failed_invalidation_leaves_nothing_to_be_found(world: Any, monkeypatch: Any) -> None:
    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    c.get(url)
    before = pagecache.generation()
    shared = caches["default"]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(shared, "set", broken)
    pagecache.invalidate()
    monkeypatch.undo()
    assert pagecache.generation() != before


def _kept_and_served(c: Client, url: str) -> bool:
    """Whether the page is served from the cache: only the session is read."""
    return _queries(c, url)[0] == 1


def _set_focus(c: Client, practice_slug: str, meeting_pk: int, focus: str) -> None:
    response = c.post(
        reverse("meeting_focus", args=[practice_slug, meeting_pk]),
        {"focus": focus, "csrfmiddlewaretoken": c.cookies[settings.CSRF_COOKIE_NAME].value},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Meeting.objects.get(pk=meeting_pk).focus == focus


def test_a_write_in_another_practice_keeps_the_page(world: Any) -> None:
    foreign = _client(world.foreign_supervisor, "annan")
    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    c.get(url)
    assert _kept_and_served(c, url)
    # Through that practice's own view: a write the tenancy guard keeps inside "annan".
    _set_focus(foreign, "annan", world.foreign_meeting.pk, "case")
    assert _kept_and_served(c, url)
    # The other practice's own page was dropped.
    assert pagecache.generation("annan") != pagecache.generation("ekbacken")


def test_a_write_in_this_practice_drops_the_page(world: Any) -> None:
    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    c.get(url)
    assert _kept_and_served(c, url)
    _set_focus(c, "ekbacken", world.meeting.pk, "case")
    c.get(url)  # the message the post left
    assert not _kept_and_served(c, url)


def test_a_practice_write_drops_the_pages_whose_address_names_no_practice(world: Any) -> None:
    before = pagecache.generation()
    ekbacken = pagecache.generation("ekbacken")
    with pagecache.writes_for("annan"), scopes_disabled():
        Meeting.objects.filter(pk=world.foreign_meeting.pk).update(location="Salen")
    assert pagecache.generation() != before  # a calendar feed, the login page
    assert pagecache.generation("ekbacken") == ekbacken


def test_a_write_outside_any_practice_view_drops_every_page(world: Any) -> None:
    """A task, a command or a public form: what it changed cannot be told, so all goes."""
    ekbacken = pagecache.generation("ekbacken")
    with scopes_disabled():
        Meeting.objects.filter(pk=world.foreign_meeting.pk).update(location="Salen")
    assert pagecache.generation("ekbacken") != ekbacken


def test_a_write_to_a_table_of_no_practice_in_a_practice_view_drops_every_page(
    world: Any,
) -> None:
    """The person's name is on the pages of every practice they belong to."""
    ekbacken = pagecache.generation("ekbacken")
    with pagecache.writes_for("annan"):
        type(world.foreign_supervisor).objects.filter(pk=world.foreign_supervisor.pk).update(
            name="Fia Ny"
        )
    assert pagecache.generation("ekbacken") != ekbacken


def test_the_task_workers_own_writes_keep_the_page(world: Any) -> None:
    """The worker writes a task row at least every minute (the mail sweep)."""
    from django_tasks_db.models import DBTaskResult

    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    c.get(url)
    assert DBTaskResult._meta.db_table == "django_tasks_database_dbtaskresult"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE django_tasks_database_dbtaskresult SET priority = 0")
        cursor.execute('DELETE FROM "django_tasks_database_dbtaskresult" WHERE 1 = 0')
    assert _kept_and_served(c, url)


def test_a_view_that_did_not_opt_in_is_never_kept(world: Any) -> None:
    c = _client(world.admin)
    caches["pages"].clear()
    url = reverse("practice_settings", args=["ekbacken"])
    cold, _ = _queries(c, url)
    assert _queries(c, url)[0] == cold
    assert len(caches["pages"]._cache) == 0  # type: ignore[attr-defined]


def test_the_hit_header_only_when_asked(world: Any, settings: Any) -> None:
    c = _client(world.supervisor)
    url = reverse("meeting_detail", args=["ekbacken", world.meeting.pk])
    assert "X-Page-Cache" not in c.get(url)
    settings.PAGE_CACHE_HEADER = True
    assert c.get(url)["X-Page-Cache"] == "miss"  # a setting changed: all dropped
    assert c.get(url)["X-Page-Cache"] == "hit"
