"""The outbox: every e-mail the system sends, as a row written in the same transaction as the
change it tells about, then delivered by the task worker (claimed, sent, marked)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.notifications.enums import MailKind, MailStatus


class OutgoingMail(models.Model):
    """One e-mail to one address. Rendered when queued (in the recipient's language); carries
    no confidential text, only that something happened and a link to it."""

    practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.CASCADE, related_name="outgoing_mail"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MailKind.choices)
    to = models.EmailField(_("to"))
    language = models.CharField(max_length=8, default="sv")
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    # An iCalendar invitation (METHOD:REQUEST or CANCEL), attached as text/calendar.
    ics = models.TextField(blank=True)
    ics_method = models.CharField(max_length=10, blank=True)
    # One attached file (an invoice's PDF), kept with the mail so that a retry sends it too.
    attachment = models.BinaryField(blank=True, default=b"")
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    reply_to = models.EmailField(blank=True)
    # For reminders: the meeting and its SEQUENCE when queued. A meeting cancelled or moved
    # since then makes the reminder obsolete (a moved meeting queues fresh ones).
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    meeting_sequence = models.PositiveIntegerField(null=True, blank=True)
    # Keeps the same mail from being queued twice (e.g. a reminder per meeting, sequence and
    # person).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    send_after = models.DateTimeField(default=clock.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing e-mail")
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"


class NotificationSettings(models.Model):
    """A practice's timing of reminders."""

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="notification_settings"
    )
    reminder_hours = models.PositiveSmallIntegerField(
        _("meeting reminder, hours before"),
        default=24,
        help_text=_("0 sends no reminders."),
    )
    question_reminder_hours = models.PositiveSmallIntegerField(
        _("reminder to send in questions, hours before the deadline"),
        default=24,
        help_text=_("0 sends no such reminders."),
    )

    objects = ScopedManager(practice="practice")

    def __str__(self) -> str:
        return f"notification settings of {self.practice_id}"


class OptOut(models.Model):
    """A person (by address) who turned off one optional kind of e-mail, everywhere."""

    email = models.EmailField()
    kind = models.CharField(max_length=20, choices=MailKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "kind"], name="optout_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.email} − {self.kind}"


class EngagementAlert(models.Model):
    """An engagement notice that has been sent and still holds: the order's share used has
    reached the practice's threshold, or nothing has been booked for its number of weeks.
    The row is removed when the condition no longer holds, so each crossing is told once."""

    class Kind(models.TextChoices):
        QUOTA = "quota", _("share of the order used")
        IDLE = "idle", _("nothing booked")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    raised_at = models.DateTimeField()

    objects = ScopedManager(practice="practice")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engagement", "kind"], name="engagement_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} alert on engagement {self.engagement_id}"
