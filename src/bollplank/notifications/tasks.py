"""Background work of notifications, run by the task worker (``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from bollplank.notifications import alerts
from bollplank.notifications.outbox import deliver, deliver_due, ensure_sweep


@task()
def deliver_mail(*, mail_id: int) -> str:
    """Send one outbox row (claimed first, so a second worker cannot send it again)."""
    return deliver(mail_id)


@task()
def deliver_due_mail() -> dict[str, int]:
    """Sweep: stale claims back to the queue, then everything due; then the next sweep is
    enqueued (even when this one failed), so that with only ``db_worker`` running no mail
    waits for cron."""
    try:
        return deliver_due()
    finally:
        ensure_sweep()


@task()
def sweep_engagement_alerts() -> dict[str, int]:
    """Tell supervisors and client contacts of engagements that crossed the practice's share of
    the order or have had nothing booked for its weeks; then enqueue the next sweep."""
    try:
        return alerts.engagement_alerts_due()
    finally:
        alerts.ensure_alert_chain()
