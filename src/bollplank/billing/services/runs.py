"""The invoice run: drafts for a period from what was delivered and no invoice holds yet (held
meetings, late cancellations, fixed monthly fees, and what other apps invoice: course
registrations, billing/sources.py). Nothing is issued: the drafts are reviewed first."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bollplank.billing.enums import VAT_RATE_BP, LineKind, PriceModel, VatCategory
from bollplank.billing.models import BillingSettings, Invoice, InvoiceLine
from bollplank.billing.services.drafts import draft_references, store_totals
from bollplank.billing.services.pricing import (
    LineDraft,
    fee_line,
    meeting_lines,
    month_end,
    months_between,
)
from bollplank.billing.services.settings import price_of
from bollplank.billing.sources import invoice_sources
from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.engagements.models import Engagement, GroupMembership
from bollplank.meetings.enums import AttendanceStatus
from bollplank.meetings.models import Meeting, billable_cancellation_q, held_q

MAX_RUN_DAYS = 366


def memberships_of(engagement_ids: set[int]) -> dict[int, list[Any]]:
    """(joined, left) of every group membership of these engagements, per engagement: what a
    per-participant price counts when attendance was not taken."""
    memberships: dict[int, list[Any]] = defaultdict(list)
    for eid, joined, left in GroupMembership.objects.filter(
        engagement__in=engagement_ids
    ).values_list("engagement_id", "joined_on", "left_on"):
        memberships[eid].append((joined, left))
    return memberships


def unbilled_fee_months(
    practice: Practice, today: dt.date, *, period_start: dt.date | None = None
) -> list[tuple[Engagement, list[dt.date]]]:
    """Engagements at a fixed monthly fee, with the months that no invoice line holds yet, in
    two queries however many engagements.

    By default the months begun by ``today`` within each engagement's dates (the billing
    overview). For an invoice run, ``period_start`` and ``today`` (the period's last day): the
    months whose first day lies in the period, of the engagements running in any of them."""
    if period_start is None:
        first, last = None, today.replace(day=1)
        running = Q(start_date__lte=today)
    else:
        months = months_between(period_start, today)
        if not months:
            return []
        first, last = months[0], months[-1]
        running = Q(start_date__lte=month_end(last), end_date__gte=first)
    engagements = list(
        Engagement.objects.filter(running, practice=practice, price__model=PriceModel.FIXED_MONTHLY)
        .select_related("client", "price", "supervisor")
        .order_by("pk")
    )
    lines = InvoiceLine.objects.filter(
        engagement__in=engagements, fee_month__isnull=False, released=False
    )
    if first is not None:
        lines = lines.filter(fee_month__in=months)
    taken: dict[int, set[dt.date]] = defaultdict(set)
    for eid, month in lines.values_list("engagement_id", "fee_month"):
        if month is not None:
            taken[eid].add(month)
    result = []
    for e in engagements:
        start = e.start_date.replace(day=1)
        if first is not None:
            start = max(start, first)
        end = min(last, e.end_date.replace(day=1))
        unbilled = [m for m in months_between(start, end) if m not in taken[e.pk]]
        if unbilled:
            result.append((e, unbilled))
    return result


def uninvoiced_meetings(practice: Practice, until: dt.datetime) -> Any:
    """Meetings delivered before ``until`` (held, or cancelled late by the client side) that no
    invoice line holds."""
    taken = InvoiceLine.objects.filter(
        meeting=OuterRef("pk"),
        released=False,
        kind__in=[LineKind.MEETING, LineKind.LATE_CANCELLATION],
    )
    return (
        Meeting.objects.filter(practice=practice, ends_at__lte=until)
        .filter(held_q(until) | billable_cancellation_q())
        .exclude(Exists(taken))
    )


def _lock_run(practice: Practice) -> BillingSettings:
    """Serialise invoice runs of one practice on its settings row (PostgreSQL row lock; SQLite's
    IMMEDIATE transactions serialise writers already)."""
    found = BillingSettings.objects.select_for_update().filter(practice=practice).first()
    if found is None:
        raise ValidationError(_("Fill in the billing settings before the first invoice run."))
    return found


@transaction.atomic
def invoice_run(
    *,
    actor: Any,
    practice: Practice,
    period_start: dt.date,
    period_end: dt.date,
    now: dt.datetime | None = None,
) -> list[Invoice]:
    """Draft one invoice per client (or per engagement invoiced on its own) from the meetings
    held and the late cancellations in the period that no invoice holds yet, and the fixed
    monthly fees of the months that begin in the period, and the course registrations of
    courses that begin in it (one invoice per organization). Nothing is issued: the drafts
    are reviewed first."""
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if (period_end - period_start).days > MAX_RUN_DAYS:
        raise ValidationError({"period_end": _("An invoice run covers at most one year.")})
    _lock_run(practice)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    now = now or clock.now()
    meetings = list(
        uninvoiced_meetings(practice, min(now, end))
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related(
            "engagement", "engagement__client", "engagement__price", "engagement__supervisor"
        )
        .annotate(
            present_count=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT))
        )
        .order_by("starts_at")
    )
    memberships = memberships_of({m.engagement_id for m in meetings})

    groups: dict[tuple[int, int | None], list[LineDraft]] = defaultdict(list)

    def key(engagement: Engagement) -> tuple[int, int | None]:
        separate = price_of(engagement).separate_invoice
        return (engagement.client_id, engagement.pk if separate else None)

    clients: dict[int, Client] = {}
    for meeting in meetings:
        engagement = meeting.engagement
        clients[engagement.client_id] = engagement.client
        with translation.override(engagement.client.language):
            groups[key(engagement)] += meeting_lines(meeting, price_of(engagement), memberships)

    for engagement, months in unbilled_fee_months(practice, period_end, period_start=period_start):
        clients[engagement.client_id] = engagement.client
        for month in months:
            groups[key(engagement)].append(fee_line(engagement, price_of(engagement), month))

    drafts: list[Invoice] = []
    for (client_id, engagement_id), lines in sorted(
        groups.items(), key=lambda kv: (clients[kv[0][0]].name, kv[0][1] or 0)
    ):
        if not lines:
            continue
        client = clients[client_id]
        buyer_reference, order_number = draft_references(client, {d.engagement for d in lines})
        invoice = Invoice.objects.create(
            practice=practice,
            client=client,
            engagement_id=engagement_id,
            period_start=period_start,
            period_end=period_end,
            buyer_reference=buyer_reference,
            order_number=order_number,
            language=client.language,
            created_by=actor,
        )
        lines.sort(key=lambda d: (d.delivered_on or period_end, d.engagement.title, d.kind))
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                practice=practice,
                invoice=invoice,
                position=i,
                kind=d.kind,
                engagement=d.engagement,
                meeting=d.meeting,
                fee_month=d.fee_month,
                description=d.description[:300],
                delivered_on=d.delivered_on,
                supervisor_name=d.engagement.supervisor.name,
                group_name=d.engagement.title,
                quantity=d.quantity,
                unit=d.unit,
                unit_price_ore=d.unit_price_ore,
                amount_ore=d.amount_ore,
                vat_category=d.vat_category,
                vat_rate_bp=VAT_RATE_BP[VatCategory(d.vat_category)],
            )
            for i, d in enumerate(lines, start=1)
        )
        store_totals(invoice)
        drafts.append(invoice)
    # What other apps invoice (course registrations: one invoice per organization).
    for source in invoice_sources():
        drafts += source.drafts(
            actor=actor, practice=practice, period_start=period_start, period_end=period_end
        )
    audit(
        actor,
        "billing.run.drafted",
        practice,
        {
            "period": [period_start.isoformat(), period_end.isoformat()],
            "invoices": [i.pk for i in drafts],
        },
    )
    return drafts
