"""Deployment (issue 10): production settings pass `check --deploy` with no warning, every page
carries a strict Content-Security-Policy, and no page or template holds inline script or style."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.marks import sqlite_run_only
from tests.matrix import ROLES
from tests.test_permissions import MATRIX, _login

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "src" / "bollplank" / "templates"
# Documents rendered to PDF by WeasyPrint, never served as web pages: they may hold <style>.
PDF_TEMPLATES = {
    "agreements/document.html",
    "billing/_document_style.html",  # the invoice's and the reminder's shared styles
    "billing/invoice_document.html",
    "courses/certificate.html",
    "evaluations/certificate_document.html",
    "evaluations/report_document.html",
}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "BOLLPLANK_"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # The browser tests' conftest sets this for Playwright's event loop; in the same pytest
    # session it would leak into the "production" subprocess and fail check --deploy.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        BOLLPLANK_SECRET_KEY="k" * 20 + "-production-key-of-sufficient-length-0123456789",
        BOLLPLANK_ALLOWED_HOSTS="handledning.example.se",
        BOLLPLANK_SITE_URL="https://handledning.example.se",
        BOLLPLANK_VAR_DIR=str(tmp_path),
    )
    return env


@pytest.mark.slow
@sqlite_run_only
def test_check_deploy_has_no_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    print(output)
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def production_settings(tmp_path: Path, *names: str, **env: str) -> list[str]:
    """The values of ``names`` in the settings a production process gets with ``env``.

    Reading a setting imports the settings module and nothing else: loading every app
    (``django.setup()``) would only make each of these processes take seconds instead."""
    values = ", ".join(f"s.{name}" for name in names)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from django.conf import settings as s; print({values})",
        ],
        cwd=ROOT,
        env={
            **production_env(tmp_path),
            "DJANGO_SETTINGS_MODULE": "bollplank.settings",
            "PYTHONPATH": str(ROOT / "src"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.split()


@pytest.mark.slow
@sqlite_run_only
def test_production_settings_are_secure(tmp_path):
    found = production_settings(
        tmp_path,
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "DEBUG",
    )
    assert found == ["True", "True", "True", "True", "31536000", "True", "False"]


@pytest.mark.slow
@sqlite_run_only
def test_database_connections_are_kept_between_requests_on_sqlite(tmp_path):
    """Opening an SQLite connection reads the whole schema again, which costs a light page
    more than the rest of it (bench)."""

    def conn_max_age(**env: str) -> list[str]:
        return production_settings(tmp_path, "DATABASES['default']['CONN_MAX_AGE']", **env)

    sqlite = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert conn_max_age(DATABASE_URL=sqlite) == ["600"]
    assert conn_max_age(DATABASE_URL=sqlite, BOLLPLANK_DB_CONN_MAX_AGE="0") == ["0"]
    # PostgreSQL connections hold a server process each: kept only when deploy.md says so.
    postgres = "postgres://postgres@127.0.0.1:5432/bollplank"
    assert conn_max_age(DATABASE_URL=postgres) == ["0"]
    assert conn_max_age(DATABASE_URL=postgres, BOLLPLANK_DB_CONN_MAX_AGE="60") == ["60"]


class InlineFinder(HTMLParser):
    """Inline script, inline style, event-handler attributes and javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value or "" for name, value in attrs}
        if tag == "script" and "src" not in names and names.get("type") not in DATA_SCRIPT_TYPES:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in names.items():
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            elif name.startswith("on"):
                self.found.append(f"<{tag} {name}=>")
            elif name in {"href", "src", "action"} and value.strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:>")


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_finder_sees_inline_code():
    html = (
        '<p style="color:red">x</p><script>alert(1)</script><a onclick="x()">y</a>'
        '<script src="/static/a.js"></script><script type="application/json">{}</script>'
        "<style>p{}</style>"
    )
    assert inline_code(html) == [
        '<p style="color:red">',
        "<script> without src",
        "<a onclick=>",
        "<style>",
    ]


def test_templates_hold_no_inline_script_or_style():
    offenders = {}
    pattern = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>|<style\b|\sstyle=\"|"
        r"\son[a-z]+=\"|javascript:",
        re.IGNORECASE,
    )
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PDF_TEMPLATES or name.endswith("_document.html"):
            continue  # rendered to PDF by WeasyPrint (the convention: <thing>_document.html)
        if "/email/" in name:
            continue  # mail, never served as a page: mail clients read only inline styles
        hits = pattern.findall(path.read_text(encoding="utf-8"))
        if hits:
            offenders[name] = len(hits)
    assert offenders == {}


def test_pages_carry_the_policy_and_no_inline_code(client, world):
    """Every page of the permission matrix a role may open, fetched as that role."""
    crawled, skipped, offenders = 0, 0, {}
    # A page that fails is the permission matrix's business, not this crawl's.
    client.raise_request_exception = False
    for name, method, args, expected in MATRIX:
        if method != "get":
            continue
        role = next((r for r in ROLES if expected[r] == 200), None)
        if role is None:
            continue
        try:
            with scopes_disabled(), transaction.atomic():
                url = reverse(name, args=args(world))
        except (ValidationError, IntegrityError):
            skipped += 1  # the row's objects cannot be made twice in one database
            continue
        client.logout()
        _login(client, world, role)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        crawled += 1
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        assert "camera=()" in response["Permissions-Policy"], url
        found = inline_code(response.content.decode())
        if found:
            offenders[url] = found
    print(f"pages crawled for inline code: {crawled} ({skipped} rows skipped)")
    assert crawled > 50
    assert offenders == {}


def test_policy_forbids_framing_and_foreign_sources():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert all("unsafe" not in source for values in directives.values() for source in values)
