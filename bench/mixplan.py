"""The realistic mix: many people of both bench practices, each with a session of their own,
asking for many different pages in a weighted, seeded random order, with a small share of
writes (a supervisor setting a meeting's focus through the real form, with CSRF) in both
practices. Called by bench/prepare.py inside Django; bench/load.py plays the list back.

The shares are a guess at a firm's day, written down so that they can be argued with:
supervisors make most requests, participants and client contacts fewer, visitors read the public
pages, calendar clients fetch feeds, scripts use the API, and about one request in fifty writes.
Each role's pick is uniform over its people: no one person's pages are favoured (which would
flatter a cache).
"""

from __future__ import annotations

import datetime as dt
import random
import urllib.parse
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django_scopes import scopes_disabled

from bollplank.accounts.models import Membership
from bollplank.clients.models import ClientContact
from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.engagements.models import Engagement, Participant
from bollplank.meetings.models import Meeting
from bollplank.meetings.selectors import meetings_visible_to
from bollplank.meetings.services import feed_create

# Share of the requests per kind of visit.
SHARES = {
    "supervisor": 55,
    "participant": 22,
    "contact": 5,
    "visitor": 10,
    "feed": 3,
    "api": 3,
    "write": 2,
}
MAX_SUPERVISORS = 40
MAX_PARTICIPANTS = 60
MAX_CONTACTS = 20
MAX_FEEDS = 10
SEED = 25


def plan(
    *,
    practices: list[Practice],
    cookies: Callable[[Any], str],
    csrf_cookie: str,
    public_paths: list[str],
    api_headers: dict[str, str],
    feeds: dict[int, str],
    length: int,
) -> list[dict[str, Any]]:
    """``length`` requests: {"method", "path", "cookie", "headers", "body"}."""
    today = clock.now()
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    weeks = [monday + dt.timedelta(weeks=k) for k in range(-1, 2)]
    people: dict[str, list[dict[str, Any]]] = {kind: [] for kind in SHARES}
    with scopes_disabled():
        for practice in practices:
            p = f"/p/{practice.slug}"
            supervisors = [
                m.user
                for m in Membership.objects.filter(practice=practice, role=Role.SUPERVISOR)
                .select_related("user")
                .order_by("user_id")[:MAX_SUPERVISORS]
            ]
            for user in supervisors:
                near = list(
                    Meeting.objects.filter(supervisor=user, starts_at__gte=today - dt.timedelta(7))
                    .order_by("starts_at")
                    .values_list("pk", flat=True)[:10]
                )
                engagements = list(
                    Engagement.objects.filter(supervisor=user)
                    .order_by("-pk")
                    .values_list("pk", flat=True)[:5]
                )
                cookie = cookies(user)
                pages = (
                    [(f"{p}/", 30)]
                    + [(f"{p}/calendar/week/?date={d}", 5) for d in weeks]
                    + [(f"{p}/meetings/{pk}/", 25 / max(1, len(near))) for pk in near]
                    + [
                        (f"{p}/engagements/{pk}/", 15 / max(1, len(engagements)))
                        for pk in engagements
                    ]
                    + [(f"{p}/meetings/?page=1", 10)]
                )
                people["supervisor"].append({"cookie": cookie, "pages": pages})
                if near:
                    people["write"].append(
                        {"cookie": cookie, "post": f"{p}/meetings/{near[0]}/focus/"}
                    )
                if len(people["feed"]) < MAX_FEEDS:
                    # A new feed ends the person's old one: the headline's is reused.
                    if user.pk not in feeds:
                        _feed, token = feed_create(user=user, practice=practice)
                        feeds[user.pk] = f"/feed/{token}.ics"
                    people["feed"].append({"cookie": "", "pages": [(feeds[user.pk], 1)]})
            participants = (
                Participant.objects.filter(practice=practice, user__isnull=False)
                .annotate(n=Count("memberships"))
                .filter(n__gt=0)
                .select_related("user")
                .order_by("pk")[:MAX_PARTICIPANTS]
            )
            for participant in participants:
                # What the meeting page lets them see (not a group they left, say).
                visible = meetings_visible_to(
                    participant.user, practice, frozenset({Role.PARTICIPANT})
                )
                near = list(
                    visible.filter(starts_at__gte=today)
                    .order_by("starts_at")
                    .values_list("pk", flat=True)[:3]
                )
                pages = [(f"{p}/me/", 50), (f"{p}/calendar/week/?date={weeks[1]}", 20)]
                pages += [(f"{p}/meetings/{pk}/", 30 / max(1, len(near))) for pk in near]
                people["participant"].append({"cookie": cookies(participant.user), "pages": pages})
            for contact in (
                ClientContact.objects.filter(practice=practice, user__isnull=False)
                .select_related("user")
                .order_by("pk")[:MAX_CONTACTS]
            ):
                people["contact"].append(
                    {"cookie": cookies(contact.user), "pages": [(f"{p}/client/", 1)]}
                )
    people["visitor"] = [{"cookie": csrf_cookie, "pages": [(path, 1) for path in public_paths]}]
    people["api"] = [
        {
            "cookie": "",
            "headers": api_headers,
            "pages": [("/api/v1/engagements/", 1), ("/api/v1/meetings/?page=1", 1)],
        }
    ]
    kinds = [k for k in SHARES if people[k]]
    rng = random.Random(SEED)
    requests = []
    for n in range(length):
        kind = rng.choices(kinds, weights=[SHARES[k] for k in kinds])[0]
        person = rng.choice(people[kind])
        if kind == "write":
            # The supervisor's own CSRF secret: their cookie carries it.
            secret = person["cookie"].rsplit(f"{settings.CSRF_COOKIE_NAME}=", 1)[1]
            body = {"focus": ("process", "case", "mixed")[n % 3], "csrfmiddlewaretoken": secret}
            requests.append(
                {
                    "method": "POST",
                    "path": person["post"],
                    "cookie": person["cookie"],
                    "headers": {"Content-Type": "application/x-www-form-urlencoded"},
                    "body": urllib.parse.urlencode(body),
                }
            )
            continue
        paths, weights = zip(*person["pages"], strict=True)
        requests.append(
            {
                "method": "GET",
                "path": rng.choices(paths, weights=weights)[0],
                "cookie": person["cookie"],
                "headers": person.get("headers", {}),
                "body": "",
            }
        )
    return requests


def people_count(requests: list[dict[str, Any]]) -> int:
    return len({r["cookie"] or r["headers"].get("Authorization", r["path"]) for r in requests})
