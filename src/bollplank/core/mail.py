"""Render an e-mail in the recipient's language and hand it to the task worker."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from bollplank.core.tasks import send_email


def queue_mail(*, to: str, template: str, context: dict[str, Any], language: str = "sv") -> None:
    """Render ``<template>.txt``/``.html``/``_subject.txt`` and send after the transaction commits,
    so that a rolled-back change sends nothing. Never put confidential text in ``context``."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    transaction.on_commit(
        lambda: send_email.enqueue(to=[to], subject=subject, text=text, html=html)
    )
