"""Engagement notices: the supervisor and the client's contacts are told by e-mail when the
meetings held and planned reach the practice's share of those ordered, and when an active
engagement has had nothing booked for the practice's number of weeks.

Each notice goes out once per crossing: a sent notice is kept (EngagementAlert) while its
condition holds and removed when it no longer does, so that a later crossing is told again.
The sweep runs in the task worker's periodic chain (``sweep_engagement_alerts``, hourly) or
from cron with ``manage.py send_engagement_alerts``; it takes ``now`` and passes it on."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.clients.models import ClientContact
from bollplank.core import clock
from bollplank.core.mail import queue_mail
from bollplank.core.models import Practice
from bollplank.core.periodic import ensure_pending
from bollplank.core.tasking import task_at
from bollplank.engagements.enums import Status
from bollplank.engagements.models import Engagement
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting
from bollplank.meetings.selectors import with_quota
from bollplank.notifications.models import EngagementAlert

SWEEP_ALERTS = "bollplank.notifications.tasks.sweep_engagement_alerts"
CHAIN_INTERVAL = dt.timedelta(hours=1)
Kind = EngagementAlert.Kind


def _engagements(practice: Practice, now: dt.datetime) -> list[Any]:
    """The practice's active engagements with their quota, their latest meeting held or
    planned, and whether one is planned ahead: one query."""
    live = Meeting.objects.filter(engagement=OuterRef("pk"), status=MeetingStatus.PLANNED)
    return list(
        with_quota(Engagement.objects.filter(practice=practice, status=Status.ACTIVE), now)
        .annotate(
            last_start=Max("meetings__starts_at", filter=Q(meetings__status=MeetingStatus.PLANNED)),
            planned_ahead=Exists(live.filter(starts_at__gt=now)),
        )
        .select_related("supervisor")
        .order_by("pk")
    )


def _conditions(engagement: Any, practice: Practice, now: dt.datetime) -> set[str]:
    """Which notices hold for the engagement at ``now``."""
    holding: set[str] = set()
    quota = engagement.quota
    if quota.ordered and quota.used * 100 >= practice.quota_alert_percent * quota.ordered:
        holding.add(Kind.QUOTA)
    quiet_since = now - dt.timedelta(weeks=practice.idle_alert_weeks)
    today = now.astimezone(ZoneInfo(practice.timezone)).date()
    if (
        not engagement.planned_ahead
        and engagement.start_date <= today <= engagement.end_date
        and (
            engagement.last_start <= quiet_since
            if engagement.last_start is not None
            else engagement.start_date <= quiet_since.date()
        )
    ):
        holding.add(Kind.IDLE)
    return holding


def _tell(engagement: Any, kind: str, practice: Practice, raised_at: dt.datetime) -> int:
    """The notice to the supervisor and each of the client's contacts: what happened and a
    link, nothing from the meetings themselves."""
    quota = engagement.quota
    context = {
        "kind": kind,
        "title": engagement.title,
        "used": quota.used,
        "ordered": quota.ordered,
        "percent": quota.used_percent,
        "weeks": practice.idle_alert_weeks,
        "practice_name": practice.name,
    }
    staff_link = settings.SITE_URL + reverse(
        "engagement_detail", args=[practice.slug, engagement.pk]
    )
    client_link = settings.SITE_URL + reverse("client_home", args=[practice.slug])
    people = [(engagement.supervisor.email, engagement.supervisor.language, staff_link)]
    for contact in ClientContact.objects.filter(client_id=engagement.client_id).select_related(
        "user", "client"
    ):
        language = contact.user.language if contact.user else contact.client.language
        people.append((contact.email, language, client_link))
    sent = 0
    for email, language, link in people:
        if not email:
            continue
        queue_mail(
            to=email,
            template="notifications/email/engagement_alert",
            context={**context, "link": link},
            language=language if language in {"sv", "en"} else "sv",
            practice=practice,
            dedupe_key=f"alert:{engagement.pk}:{kind}:{raised_at:%Y%m%d%H%M%S}:{email}"[:200],
        )
        sent += 1
    return sent


@transaction.atomic
def engagement_alerts_send(*, practice: Practice, now: dt.datetime) -> int:
    """Tell each crossing once in one practice; returns how many e-mails were queued."""
    sent = 0
    raised = {
        (a.engagement_id, a.kind): a for a in EngagementAlert.objects.filter(practice=practice)
    }
    for engagement in _engagements(practice, now):
        holding = _conditions(engagement, practice, now)
        for kind in Kind.values:
            alert = raised.pop((engagement.pk, kind), None)
            if kind in holding and alert is None:
                EngagementAlert.objects.create(
                    practice=practice, engagement=engagement, kind=kind, raised_at=now
                )
                sent += _tell(engagement, kind, practice, now)
            elif kind not in holding and alert is not None:
                alert.delete()
    # Notices of engagements no longer active are done with.
    EngagementAlert.objects.filter(pk__in=[a.pk for a in raised.values()]).delete()
    return sent


def engagement_alerts_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The sweep over every practice."""
    now = now or clock.now()
    with scopes_disabled():
        practices = list(Practice.objects.order_by("pk"))
    counts = {"practices": 0, "mails": 0}
    for practice in practices:
        with scope(practice=practice):
            counts["mails"] += engagement_alerts_send(practice=practice, now=now)
        counts["practices"] += 1
    return counts


def ensure_alert_chain(*, delay: dt.timedelta = CHAIN_INTERVAL) -> bool:
    """Make sure a run of ``sweep_engagement_alerts`` is waiting (database task backend)."""
    return ensure_pending(task_at(SWEEP_ALERTS), delay=delay)
