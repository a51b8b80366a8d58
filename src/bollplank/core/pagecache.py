"""Whole-page cache for GET requests, kept correct by throwing everything away on any write.

A supervisor's start page, week calendar or meeting list is read far more often than anything
on it changes, and rendering one takes far longer than sending it again (docs/bench.md). So a
page that was rendered for exactly this request — same address, same cookies (so the same
session and CSRF secret), same session contents, same language, HTMX and API headers — is kept
for at most a minute and served again, under three rules that make a stale page impossible
rather than unlikely:

1. **Any write throws every kept page away.** Every statement not known to only read
   (INSERT, UPDATE, DELETE, schema changes, anything unrecognised) through Django's database
   connections, in any process (web workers, the task worker, management commands), replaces
   the *generation*: a random token in the shared cache
   (``caches["default"]``: a file cache on one machine, the database cache across several).
   A write inside a transaction also moves a counter of the process's own at once (only this
   process sees the write before the commit; tests run inside one transaction), and the
   shared token is replaced when it commits. Pages are kept under the generation that was
   current *before* the request read anything, so a page rendered from data older than the
   newest write is never found again. (Only session rows, the cache table itself and the
   audit log do not count: the session's contents are part of the key instead, and a page
   that reads the audit log at all is never kept.) If the token cannot be
   replaced, it is dropped, so that every process starts a new one.
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

import functools
import hashlib
import logging
import re
import secrets
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.signals import setting_changed
from django.db import router, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from bollplank.core import clock

logger = logging.getLogger(__name__)

GENERATION_KEY = "bollplank:pagecache:generation"
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
_IGNORED_TABLES = ('"django_session"', "`django_session`", "bollplank_cache")
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

_local = threading.local()
# Part of the generation that only this process sees: bumped by writes not yet committed.
_uncommitted = [0]
_uncommitted_lock = threading.Lock()


def seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0))


def generation() -> str:
    """The current generation (made on first use)."""
    shared = caches["default"]
    try:
        token = shared.get(GENERATION_KEY)
        if token is None:
            token = secrets.token_hex(8)
            shared.add(GENERATION_KEY, token, timeout=None)
            token = shared.get(GENERATION_KEY, token)
    except Exception:  # the shared cache is unreachable: a token nothing was ever kept under
        logger.warning("page cache: cannot read the generation", exc_info=True)
        return "none-" + secrets.token_hex(8)
    return f"{token}.{_uncommitted[0]}"


def invalidate() -> None:
    """Throw every kept page away, in every process: a new, never-seen generation.

    A new random token rather than a counter: two processes replacing it at once cannot
    lose a change the way two read-increment-write counters can.
    """
    shared = caches["default"]
    try:
        _on_shared(lambda: shared.set(GENERATION_KEY, secrets.token_hex(8), timeout=None))
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


def _on_shared(change: Callable[[], object]) -> None:
    shared = caches["default"]
    if isinstance(shared, DatabaseCache):
        # In a savepoint: on PostgreSQL a failed cache query (no cache table yet, during the
        # first `migrate`) would otherwise abort the transaction that wrote.
        with transaction.atomic(using=router.db_for_write(shared.cache_model_class)):
            change()
    else:
        change()


def _uncommitted_write() -> None:
    """A write inside a transaction: only this process can see it until the commit, so a
    counter of its own is enough until then (and costs no shared-cache write per row)."""
    with _uncommitted_lock:
        _uncommitted[0] += 1


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
            _written(context["connection"])


def _written(conn: Any) -> None:
    _local.wrote = True
    if not conn.in_atomic_block:
        invalidate()  # committed already
        return
    # Now for readers in this process, which see the transaction (tests run inside one), and
    # after the commit for everyone, since a page may have been rendered in between from what
    # was there before. Once per run of writes: a bulk load writes thousands of batches in one
    # transaction.
    _uncommitted_write()
    pending = conn.run_on_commit
    if not (pending and pending[-1][1] is invalidate):
        transaction.on_commit(invalidate, using=conn.alias)


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
    if not getattr(response, "_kept_in_memory", False):
        if request.path.startswith(_NEVER_KEPT):
            return False
        cache_control = response.get("Cache-Control", "")
        if "no-store" in cache_control or "no-cache" in cache_control:
            return False
    return len(response.content) <= MAX_BYTES


def kept_in_memory(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a view whose answer tells browsers and proxies to store nothing (a calendar feed, the
    login page) but which a worker may still keep in its own memory under the rules above: the
    kept copy is served with the same headers, so the browser is told the same.

    Only for pages whose every variant is in the key: what a person may see comes from the
    cookies, the session or a secret in the address, and everything else from the database."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response._kept_in_memory = True  # type: ignore[attr-defined]
        return response

    return wrapped


class GenerationMiddleware:
    """Reads the generation before anything else on the request reads the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and seconds() > 0:
            request._page_generation = generation()  # type: ignore[attr-defined]
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
                return HttpResponse(content, headers=headers)
        _local.wrote = False
        _local.decrypted = False
        # Each page lives a minute from the start of its rendering, not to the end of a clock
        # minute: otherwise every worker rendered every page afresh at once on the minute.
        until = clock.timestamp() + seconds()
        response = self.get_response(request)
        if not _local.wrote and _keepable(request, response):
            pages.set(key, (response.content, dict(response.headers), until), timeout=seconds())
        return response
