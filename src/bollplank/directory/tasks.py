"""Background work of the directory: deleting inquiries past their practice's retention time."""

from __future__ import annotations

from django_tasks import task

from bollplank.directory.services import inquiries_prune


@task()
def prune_inquiries() -> int:
    """Delete inquiries not won that are older than each practice's retention time. Run daily
    (a scheduler or cron enqueues it, or ``manage.py prune_inquiries``)."""
    return inquiries_prune()
