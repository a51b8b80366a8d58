"""A test mail backend: Django's file backend, slowed down, so that a test can kill the worker
while a send is under way. Before each message it drops a marker in ``<EMAIL_FILE_PATH>-started``
(a send began), waits ``BOLLPLANK_TEST_MAIL_DELAY`` seconds (the mail server's round trip),
then writes the message like the file backend always does (the send completed).

With ``BOLLPLANK_TEST_MAIL_HOLD=N`` the N-th send never completes (a mail server that stops
answering): the worker is certain to be in the middle of that send when the test kills it,
however slow the machine, instead of a kill timed to land inside a short sleep."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        started = Path(f"{settings.EMAIL_FILE_PATH}-started")
        started.mkdir(parents=True, exist_ok=True)
        hold = int(os.environ.get("BOLLPLANK_TEST_MAIL_HOLD", "0"))
        for message in email_messages:
            (started / f"{time.time_ns()}-{os.getpid()}").write_text(",".join(message.to))
            if hold and len(list(started.iterdir())) >= hold:
                while True:  # until the test kills the worker
                    time.sleep(1)
            time.sleep(float(os.environ.get("BOLLPLANK_TEST_MAIL_DELAY", "0.5")))
        return super().send_messages(email_messages)
