"""Whole-page cache for GET requests of the views that opt in, kept correct by throwing pages
away on every write that may have changed them.

A view opts in with ``cached_page`` (or ``kept_in_memory``); no other page is ever kept. A
page that was rendered for exactly this request — same address, same cookies (so the same
session and CSRF secret), same session contents, same language, HTMX and API headers — is kept
for at most a minute and served again, under three rules that make a stale page impossible
rather than unlikely:

1. **A write throws away every kept page it may have changed.** Every statement not known to
   only read (INSERT, UPDATE, DELETE, schema changes, anything unrecognised) through Django's
   database connections, in any process (web workers, the task worker, management commands),
   replaces a *generation*: a random token in the shared cache (``caches["default"]``: a file
   cache on one machine, the database cache across several). There is one per practice and
   one for all: a write to a table of practice rows made inside a view of that practice
   (``writes_for``, entered by core.tenancy.practice_view, whose scope keeps it there) replaces
   the practice's own, which the pages whose address names that practice (``practice_slug``)
   are kept under, and the one of the pages whose address names none (a calendar feed, the
   login page); every other write (a task, a command, a public form, a person's name) replaces
   the one for all, which every page is kept under.
   A write inside a transaction also moves a counter of the process's own at once (only this
   process sees the write before the commit; tests run inside one transaction), and the
   shared token is replaced when it commits. Pages are kept under the generation that was
   current *before* the request read anything, so a page rendered from data older than the
   newest write is never found again. (Only session rows, the cache table itself, the task
   worker's own task rows and the audit log do not count: the session's contents are part of
   the key instead, and a page that reads the audit log at all is never kept.) If the token
   cannot be replaced, it is dropped, so that every process starts a new one.
2. **A page that writes is never kept.** A GET that writes — reading a private note writes
   its audit event, a calendar feed notes its last use — runs every time, so no audited read
   and no side effect is ever skipped. The same holds for a GET that changed the session,
   set a cookie, created a CSRF secret, or added or carried a one-time message, and for
   everything under ``/accounts/`` (two-factor, recovery codes, active sessions) but the
   login page.
3. **Nothing leaves the process, and nothing decrypted is kept.** Pages are kept in each
   worker's own memory (``caches["pages"]``, a bounded LocMemCache), never on disk or in a
   shared store; a page that decrypted anything (notes, journals: ``records.crypto``) is not
   kept at all, so text encrypted at rest is stored nowhere new.

The minute bound covers what changes with time alone (what counts as "coming up"). A page
that should never be kept (``Cache-Control: no-store``/``no-cache``, e.g. ``never_cache``) is
not, unless its view says a worker may keep it in memory all the same (``kept_in_memory``: the
calendar feed and the login page, which tell browsers and proxies to store nothing but are
fetched again and again). ``BOLLPLANK_PAGE_CACHE_SECONDS=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.signals import setting_changed
from django.db import router, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from bollplank.core import clock

logger = logging.getLogger(__name__)

GENERATION_KEY = "bollplank:pagecache:generation"
# One more token per practice, and one that every practice's writes replace: for pages whose
# address names no practice (a calendar feed, the login page), which any practice's data may show.
PRACTICE_KEY = "bollplank:pagecache:practice:"
ANY_PRACTICE = "*"
# Larger pages are rendered each time rather than crowding out the rest of a worker's
# bounded memory.
MAX_BYTES = 256 * 1024
# Headers that select a different page for the same address.
_KEY_HEADERS = (
    "HTTP_COOKIE",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ACCEPT",
    "HTTP_AUTHORIZATION",
    # allauth answers a script (X-Requested-With, a JSON Content-Type) with JSON instead.
    "HTTP_X_REQUESTED_WITH",
    "CONTENT_TYPE",
)
# Two-factor set-up and recovery codes, active sessions (whose ending is a session write,
# which does not count): always answered afresh. (The login page is marked kept_in_memory.)
_NEVER_KEPT = ("/accounts/",)
# Session entries that change without changing any page (accounts.sessions' activity times).
_VOLATILE_SESSION_KEYS = frozenset({"bp_seen", "bp_limits"})
# Writes that do not count: the session store (its contents are in the key) and the cache
# table (where, with BOLLPLANK_CACHE=database, the generation itself is written).
# The task worker's own table (django_tasks_db, whose app label is django_tasks_database) does
# not count either: the worker writes a task row at least every minute (the mail sweep); what a
# task changes elsewhere does count.
_IGNORED_TABLES = (
    '"django_session"',
    "`django_session`",
    "bollplank_cache",
    "django_tasks_database_dbtaskresult",
)
# The audit log: written on every audited read (a private note, an export), which would
# otherwise throw every worker's kept pages away each time a supervisor opens their notes.
# Its writes do not count; instead a page that reads it at all (the log, "who has read about
# me", an export) is never kept, so nothing kept can show it out of date.
_AUDIT_TABLE = re.compile(r"core_audit(event|subject)", re.I)
_AUDIT_WRITE = re.compile(
    r"\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?core_audit(event|subject)\b", re.I
)
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "TRUNCATE", "MERGE", "COPY")
# Statements that only read or steer a transaction; every other statement counts as a write.
_READ_VERBS = frozenset(
    {"SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "SHOW", "EXPLAIN"}
)
_WRITTEN_TABLE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?(\w+)", re.I)

_local = threading.local()
# Part of the generation that only this process sees: bumped by writes not yet committed, per
# practice (None: every page).
_uncommitted: dict[str | None, int] = {}
_uncommitted_lock = threading.Lock()


def seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0))


def _token(shared: Any, key: str, found: dict[str, Any]) -> str:
    token = found.get(key)
    if token is None:
        token = secrets.token_hex(8)
        shared.add(key, token, timeout=None)
        token = shared.get(key, token)
    return str(token)


def generation(practice_slug: str | None = None) -> str:
    """The current generation of the pages of one practice (whose address names it), or of
    pages whose address names none (made on first use)."""
    shared = caches["default"]
    own = PRACTICE_KEY + (practice_slug or ANY_PRACTICE)
    try:
        found = shared.get_many([GENERATION_KEY, own])
        tokens = (_token(shared, GENERATION_KEY, found), _token(shared, own, found))
    except Exception:  # the shared cache is unreachable: a token nothing was ever kept under
        logger.warning("page cache: cannot read the generation", exc_info=True)
        return "none-" + secrets.token_hex(8)
    mine = _uncommitted.get(None, 0), _uncommitted.get(practice_slug or ANY_PRACTICE, 0)
    return f"{tokens[0]}.{tokens[1]}.{mine[0]}.{mine[1]}"


def invalidate(practice_slug: str | None = None) -> None:
    """Throw kept pages away, in every process: a new, never-seen generation. For a practice,
    its own pages and those whose address names no practice; without one, every page.

    A new random token rather than a counter: two processes replacing it at once cannot
    lose a change the way two read-increment-write counters can.
    """
    shared = caches["default"]
    if practice_slug is None:
        keys = [GENERATION_KEY]
    else:
        keys = [PRACTICE_KEY + practice_slug, PRACTICE_KEY + ANY_PRACTICE]
    try:
        _on_shared(lambda: shared.set_many({k: secrets.token_hex(8) for k in keys}, timeout=None))
    except Exception:
        # A write must never fail because of the cache (e.g. `migrate` before
        # `createcachetable` with BOLLPLANK_CACHE=database).
        logger.warning("page cache: cannot replace the generation", exc_info=True)
        caches["pages"].clear()
        try:
            # Without a token every process makes a new one: nothing kept is found again.
            _on_shared(lambda: shared.delete(GENERATION_KEY))
        except Exception:
            logger.warning("page cache: cannot drop the generation either", exc_info=True)


def _invalidate_all() -> None:
    invalidate()


def _on_shared(change: Callable[[], object]) -> None:
    shared = caches["default"]
    if isinstance(shared, DatabaseCache):
        # In a savepoint: on PostgreSQL a failed cache query (no cache table yet, during the
        # first `migrate`) would otherwise abort the transaction that wrote.
        with transaction.atomic(using=router.db_for_write(shared.cache_model_class)):
            change()
    else:
        change()


@functools.cache
def _practice_tables() -> frozenset[str]:
    """The tables of rows that belong to a practice (a ``practice`` foreign key)."""
    from django.apps import apps

    return frozenset(
        model._meta.db_table.lower()
        for model in apps.get_models()
        if any(
            f.name == "practice"
            and f.many_to_one
            and getattr(getattr(f.related_model, "_meta", None), "label", "") == "core.Practice"
            for f in model._meta.concrete_fields
        )
    )


@contextlib.contextmanager
def writes_for(practice_slug: str) -> Iterator[None]:
    """Inside it (a view of one practice: core.tenancy.practice_view), a write to a table of
    practice rows throws away only that practice's pages; any other write, every page. The
    tenancy guard keeps such a view's writes inside its practice."""
    previous = getattr(_local, "practice", None)
    _local.practice = practice_slug
    try:
        yield
    finally:
        _local.practice = previous


def _scope_of(sql: Any) -> str | None:
    """The practice a write can only have changed, or None for every practice."""
    practice = getattr(_local, "practice", None)
    if practice is None or not isinstance(sql, str):
        return None
    found = _WRITTEN_TABLE.match(sql)
    if found and found.group(1).lower() in _practice_tables():
        return str(practice)
    return None


def _uncommitted_write(practice_slug: str | None) -> None:
    """A write inside a transaction: only this process can see it until the commit, so a
    counter of its own is enough until then (and costs no shared-cache write per row)."""
    scopes: list[str | None] = [None] if practice_slug is None else [practice_slug, ANY_PRACTICE]
    with _uncommitted_lock:
        for key in scopes:
            _uncommitted[key] = _uncommitted.get(key, 0) + 1


def _is_write(sql: Any) -> bool:
    """Whether a statement may change data. Anything not known to only read counts: a missed
    write would be a stale page, an extra one only a page rendered again."""
    if not isinstance(sql, str):
        return True  # e.g. a psycopg Composed: cannot tell, so it counts
    text = sql.lstrip()
    while text.startswith(("--", "/*")):  # leading comments
        end = text.find("\n") + 1 if text.startswith("--") else text.find("*/") + 2
        if end <= 1:
            return True
        text = text[end:].lstrip()
    head = text[:80]
    if any(table in head for table in _IGNORED_TABLES):
        return False
    verb = head.split(None, 1)[0].upper() if head else ""
    if verb == "WITH":
        upper = text.upper()
        return any(word in upper for word in _WRITE_VERBS)
    return verb not in _READ_VERBS


def _watch(execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any) -> Any:
    try:
        return execute(sql, params, many, context)
    finally:
        if isinstance(sql, str) and _AUDIT_TABLE.search(sql):
            _local.wrote = True  # a page that read or wrote the audit log is never kept
        # Also after a statement that failed: it may have changed some rows.
        if _is_write(sql) and not (isinstance(sql, str) and _AUDIT_WRITE.match(sql)):
            _written(context["connection"], _scope_of(sql))


_invalidators: dict[str | None, Callable[[], None]] = {None: _invalidate_all}


def _invalidator(practice_slug: str | None) -> Callable[[], None]:
    """One function per practice, so that a transaction registers each only once."""
    if practice_slug not in _invalidators:
        _invalidators[practice_slug] = functools.partial(invalidate, practice_slug)
    return _invalidators[practice_slug]


def _written(conn: Any, practice_slug: str | None = None) -> None:
    _local.wrote = True
    if not conn.in_atomic_block:
        invalidate(practice_slug)  # committed already
        return
    # Now for readers in this process, which see the transaction (tests run inside one), and
    # after the commit for everyone, since a page may have been rendered in between from what
    # was there before. Once per transaction and practice: a bulk load writes thousands of
    # batches in one transaction.
    _uncommitted_write(practice_slug)
    hook = _invalidator(practice_slug)
    if not any(pending[1] is hook for pending in conn.run_on_commit):
        transaction.on_commit(hook, using=conn.alias)


@receiver(connection_created, dispatch_uid="bollplank_pagecache_watch")
def _install(sender: Any, connection: Any, **kwargs: Any) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


@receiver(setting_changed, dispatch_uid="bollplank_pagecache_settings")
def _settings_changed(**kwargs: Any) -> None:
    # Tests change settings between two requests for the same page.
    invalidate()


def _session_digest(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    if session is None:
        return ""
    items = sorted((k, repr(v)) for k, v in session.items() if k not in _VOLATILE_SESSION_KEYS)
    return repr(items)


def page_key(request: HttpRequest, token: str) -> str:
    meta = request.META
    parts = [
        token,
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        *(meta.get(name, "") for name in _KEY_HEADERS),
        *(f"{k}={v}" for k, v in sorted(meta.items()) if k.startswith("HTTP_HX_")),
        _session_digest(request),
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _has_messages(request: HttpRequest) -> bool:
    if "messages" in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    return session is not None and "_messages" in session


def decrypted() -> None:
    """Called by records.crypto on every decryption: a page showing text that is encrypted at
    rest (notes, journals) is never kept, so that text is stored nowhere new."""
    _local.decrypted = True


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if getattr(_local, "decrypted", False):
        return False
    # A message added while rendering a GET is shown once.
    if getattr(getattr(request, "_messages", None), "added_new", False):
        return False
    # A CSRF secret made for this response (the request brought none, or a bad one): the page's
    # tokens fit only the cookie this response sets. (CSRF_COOKIE_NEEDS_UPDATE is no guide: it
    # is set whenever a form used the token.)
    secret = request.META.get("CSRF_COOKIE")
    if secret and secret != request.COOKIES.get(settings.CSRF_COOKIE_NAME):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    if not getattr(response, "_may_keep", False):
        return False
    if not getattr(response, "_kept_in_memory", False):
        if request.path.startswith(_NEVER_KEPT):
            return False
        cache_control = response.get("Cache-Control", "")
        if "no-store" in cache_control or "no-cache" in cache_control:
            return False
    return len(response.content) <= MAX_BYTES


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Lets a worker keep this view's pages under the rules above; no other page is kept.

    Only for pages whose every variant is in the key: what a person may see comes from the
    cookies, the session or a secret in the address, and everything else from the database."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response._may_keep = True  # type: ignore[attr-defined]
        return response

    return wrapped


def kept_in_memory(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``cached_page`` for a view whose answer tells browsers and proxies to store nothing (a
    calendar feed, the login page) but which a worker may still keep in its own memory: the
    kept copy is served with the same headers, so the browser is told the same."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response._may_keep = True  # type: ignore[attr-defined]
        response._kept_in_memory = True  # type: ignore[attr-defined]
        return response

    return wrapped


def _practice_in(request: HttpRequest) -> str | None:
    """The practice the address names (``practice_slug``), without reading the database."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    slug = match.kwargs.get("practice_slug")
    return slug if isinstance(slug, str) else None


class GenerationMiddleware:
    """Reads the generation before anything else on the request reads the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _local.practice = None
        if request.method == "GET" and seconds() > 0:
            request._page_generation = generation(_practice_in(request))  # type: ignore[attr-defined]
        return self.get_response(request)


class PageCacheMiddleware:
    """Serves a page kept for this very request, or renders it and keeps it (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = getattr(request, "_page_generation", None)
        if token is None or _has_messages(request):
            return self.get_response(request)
        pages = caches["pages"]
        key = page_key(request, token)
        kept = pages.get(key)
        if kept is not None:
            content, headers, until = kept
            if clock.timestamp() < until:
                return _told(HttpResponse(content, headers=headers), "hit")
        _local.wrote = False
        _local.decrypted = False
        # Each page lives a minute from the start of its rendering, not to the end of a clock
        # minute: otherwise every worker rendered every page afresh at once on the minute.
        until = clock.timestamp() + seconds()
        response = self.get_response(request)
        if not _local.wrote and _keepable(request, response):
            pages.set(key, (response.content, dict(response.headers), until), timeout=seconds())
        return _told(response, "miss")


def _told(response: HttpResponse, how: str) -> HttpResponse:
    """With BOLLPLANK_PAGE_CACHE_HEADER (the bench counts hits with it), whether the page came
    from the cache; never otherwise, so that nobody learns what others have visited."""
    if getattr(settings, "PAGE_CACHE_HEADER", False):
        response["X-Page-Cache"] = how
    return response
