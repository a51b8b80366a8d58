"""Set up one bench run inside Django: log the bench people in, pick the pages, count queries.

Run by bench/run.py with DATABASE_URL pointing at a generated bench database. Prints one JSON
object: for each scenario the paths to cycle through, the cookies a browser sends (session
and CSRF secret when logged in, the CSRF secret alone for a visitor, none for a calendar
client or the API) and the SQL queries one rendering of the page makes (measured in-process
with the test client, on a warm second request).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bollplank.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.middleware.csrf import get_token  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from bollplank.accounts.models import Membership  # noqa: E402
from bollplank.api.services import token_create  # noqa: E402
from bollplank.clients.models import Client as ClientOrg  # noqa: E402
from bollplank.core import clock  # noqa: E402
from bollplank.core.models import Practice  # noqa: E402
from bollplank.core.roles import Role  # noqa: E402
from bollplank.demo.bench import BENCH_SLUG, REST_SLUG  # noqa: E402
from bollplank.engagements.models import Engagement, Participant  # noqa: E402
from bollplank.meetings.models import Meeting  # noqa: E402
from bollplank.meetings.services import feed_create  # noqa: E402

HOST = "127.0.0.1"
# The pages anyone may see: the visitors of the realistic mix ask for these.
_PUBLIC = ("login_page", "practice_public", "course_public")
RENDERS = int(os.environ.get("BENCH_RENDERS", "21"))


def _spread(items: list[Any], n: int) -> list[Any]:
    """Up to ``n`` items spread evenly over ``items`` (old and new, not just the first)."""
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def _with_notes(practice: Any, supervisor: Any, meeting_ids: list[int]) -> list[int]:
    """Meetings with a private note each: the notes page decrypts and audits every read, the
    confidential path the bench must cover. Written afresh on every run, with this checkout's
    key: checkouts on one machine share the PostgreSQL bench database but not var/'s keys, and
    a note written under another key stops the server at start (records.crypto.verify_keys)."""
    from bollplank.records.models import JournalEntry, PrivateNote
    from bollplank.records.services import note_create

    PrivateNote.objects.filter(practice=practice).delete()
    JournalEntry.objects.filter(practice=practice).delete()
    for meeting in Meeting.objects.filter(pk__in=meeting_ids).select_related("engagement"):
        note_create(
            actor=supervisor,
            engagement=meeting.engagement,
            meeting=meeting,
            body="Gruppen arbetade med hur de ger varandra återkoppling.",
        )
    return meeting_ids


def _public_page_and_course(practice: Any, supervisor: Any) -> int:
    """The practice's public page published, and a course ahead on it (made once)."""
    from bollplank.courses.models import Course
    from bollplank.courses.services import DayInput, course_save
    from bollplank.directory.services import page_update

    page_update(actor=supervisor, practice=practice, published=True)
    found = Course.objects.filter(practice=practice, title="Kollegial handledning, grund").first()
    if found is not None:
        return found.pk
    first = clock.today() + dt.timedelta(days=60)
    course = course_save(
        actor=supervisor,
        practice=practice,
        days=[
            DayInput(day=first + dt.timedelta(days=k), start=dt.time(9), end=dt.time(16))
            for k in range(2)
        ],
        title="Kollegial handledning, grund",
        description="Två dagar om att leda samtal i grupp.",
        place="Ekbackevägen 7, Enköping",
        leader=supervisor,
        capacity=20,
        price_ore=450000,
        last_registration_day=first - dt.timedelta(days=7),
        published=True,
    )
    return course.pk


def _csrf_cookie() -> str:
    """The CSRF cookie a browser has after its first page of the site (without it every page
    with a form makes a new secret, and no browser works that way)."""
    request = RequestFactory().get("/")
    get_token(request)
    return f"{settings.CSRF_COOKIE_NAME}={request.META['CSRF_COOKIE']}"


def _browser_cookies(user: Any) -> str:
    """The cookies a logged-in browser sends: its session and its CSRF secret."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; {_csrf_cookie()}"


def browser_client(cookie: str, headers: dict[str, str] | None = None) -> Client:
    """A test client that sends what the load driver sends: ``cookie`` as a browser's Cookie
    header ("name=value; name=value") and ``headers``."""
    client = Client(HTTP_HOST=HOST, headers=headers or {})
    for pair in filter(None, cookie.split("; ")):
        key, value = pair.split("=", 1)
        client.cookies[key] = value
    return client


def _render_ms(client: Client, paths: list[str]) -> float:
    """The shortest of 21 renders of the pages, in this process,
    alone: what the data does to a page. The machine's other work only ever adds to a render,
    and moves a median, like a loaded p95 of a few milliseconds, by half between two runs
    (the growth check)."""
    times = []
    for i in range(RENDERS):
        start = time.perf_counter()
        client.get(paths[i % len(paths)])
        times.append((time.perf_counter() - start) * 1000)
    return round(min(times), 2)


def main() -> None:
    with scopes_disabled():
        practice = Practice.objects.get(slug=BENCH_SLUG)
        p = f"/p/{practice.slug}"
        staff = Membership.objects.filter(practice=practice).select_related("user")
        supervisor = staff.filter(role=Role.SUPERVISOR).order_by("user_id").first().user
        # The client with the most engagements, and the participant in the most groups:
        # the heaviest pages of their kind.
        client = (
            ClientOrg.objects.filter(practice=practice)
            .annotate(n=Count("engagements"))
            .order_by("-n", "pk")
            .first()
        )
        contact_user = client.contacts.first().user
        # The whole schedules of the client's running engagements (the start page shows the
        # next few meetings of each).
        schedules = list(
            Engagement.objects.filter(client=client, status="active")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        participant = (
            Participant.objects.filter(practice=practice)
            .annotate(n=Count("memberships"))
            .order_by("-n", "pk")
            .first()
        )
        engagements = list(
            Engagement.objects.filter(supervisor=supervisor)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        meetings = list(
            Meeting.objects.filter(supervisor=supervisor)
            .order_by("starts_at")
            .values_list("pk", flat=True)
        )
        past = Meeting.objects.filter(supervisor=supervisor, starts_at__lt=clock.now()).count()
        _feed, token = feed_create(user=supervisor, practice=practice)
        noted = _with_notes(practice, supervisor, _spread(meetings, 20))
        _api_token, api_secret = token_create(user=supervisor, practice=practice, name="bench")
        course_pk = _public_page_and_course(practice, supervisor)

    monday = clock.today() - dt.timedelta(days=clock.today().weekday())
    weeks = [monday + dt.timedelta(weeks=k) for k in range(-8, 9)]
    pages = max(1, (past + 49) // 50)
    cookies = {
        "supervisor": _browser_cookies(supervisor),
        "contact": _browser_cookies(contact_user),
        "participant": _browser_cookies(participant.user),
        # Someone not logged in, on their second page of the site.
        "visitor": _csrf_cookie(),
    }
    # (scenario, who, paths)
    plan: list[tuple[str, str | None, list[str]]] = [
        ("noop", None, ["/bench/noop/"]),
        ("login_page", "visitor", ["/accounts/login/"]),
        ("supervisor_start", "supervisor", [f"{p}/"]),
        ("calendar_week", "supervisor", [f"{p}/calendar/week/?date={d}" for d in weeks]),
        (
            "engagement_detail",
            "supervisor",
            [f"{p}/engagements/{pk}/" for pk in _spread(engagements, 25)],
        ),
        ("meeting_detail", "supervisor", [f"{p}/meetings/{pk}/" for pk in _spread(meetings, 50)]),
        (
            "meeting_list",
            "supervisor",
            [f"{p}/meetings/?when=past&page={n}" for n in _spread(list(range(1, pages + 1)), 20)]
            + [f"{p}/meetings/?page=1"],
        ),
        (
            "meeting_notes",
            "supervisor",
            [f"{p}/meetings/{pk}/notes/" for pk in noted],
        ),
        ("client_page", "contact", [f"{p}/client/"]),
        (
            "client_schedule",
            "contact",
            [f"{p}/client/engagements/{pk}/schedule/" for pk in _spread(schedules, 10)],
        ),
        ("participant_start", "participant", [f"{p}/me/"]),
        ("ics_feed", None, [f"/feed/{token}.ics"]),
        ("api_meetings", "api", ["/api/v1/meetings/?page=1", "/api/v1/meetings/?page=2"]),
        ("api_engagements", "api", ["/api/v1/engagements/"]),
        ("practice_public", "visitor", [f"/om/{practice.slug}/"]),
        ("course_public", "visitor", [f"/kurser/{practice.slug}/{course_pk}/"]),
    ]
    api_headers = {"Authorization": f"Bearer {api_secret}"}
    scenarios = []
    for name, who, paths in plan:
        cookie = cookies[who] if who and who != "api" else ""
        headers = api_headers if who == "api" else {}
        client = browser_client(cookie, headers)
        # Every path must answer 200 before the server is loaded with it.
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {response.status_code}, not 200")
        with CaptureQueriesContext(connection) as queries:
            client.get(paths[0])
        scenarios.append(
            {
                "scenario": name,
                "cookie": cookie,
                "headers": headers,
                "paths": paths,
                "queries": len(queries),
                "render_ms": _render_ms(client, paths),
            }
        )
    feeds = {supervisor.pk: f"/feed/{token}.ics"}
    json.dump({"scenarios": scenarios, "mix": _mix(cookies, api_headers, plan, feeds)}, sys.stdout)


def _mix(
    cookies: dict[str, str], api_headers: dict[str, str], plan: list[Any], feeds: dict[int, str]
) -> dict[str, Any]:
    """The realistic mix (bench/mixplan.py), every page of it checked to answer 200 first."""
    import mixplan

    length = int(
        os.environ.get("BENCH_MIX_REQUESTS", 3 * int(os.environ.get("BENCH_REQUESTS", 500)))
    )
    warmup = max(16, length // 10)
    with scopes_disabled():
        practices = list(Practice.objects.filter(slug__in=[BENCH_SLUG, REST_SLUG]).order_by("pk"))
    public = [path for name, _who, paths in plan for path in paths if name in _PUBLIC]
    requests = mixplan.plan(
        practices=practices,
        cookies=_browser_cookies,
        csrf_cookie=cookies["visitor"],
        public_paths=public,
        api_headers=api_headers,
        feeds=feeds,
        length=length + warmup,
    )
    checked = set()
    for r in requests:
        key = (r["cookie"], r["path"], tuple(r["headers"].items()))
        if r["method"] != "GET" or key in checked:
            continue
        checked.add(key)
        client = browser_client(r["cookie"], r["headers"])
        response = client.get(r["path"])
        if response.status_code != 200:
            raise SystemExit(f"mix: {r['path']} answered {response.status_code}, not 200")
    return {
        "requests": requests,
        "length": length,
        "warmup": warmup,
        "people": mixplan.people_count(requests),
        "pages": len({r["path"] for r in requests}),
    }


if __name__ == "__main__":
    main()
