"""Meetings (träffar), who came, and the calendar feeds that carry them to calendar clients."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.engagements.enums import Focus
from bollplank.engagements.models import Engagement, Participant
from bollplank.meetings.enums import (
    BILLABLE_CAUSES,
    AttendanceStatus,
    CancelledBy,
    MeetingStatus,
)

MAX_REASON = 500


def new_video_room() -> str:
    """A video room's name: 128 random bits, not derived from any id, so that nobody finds a
    room by counting. Lower case hex, because Jitsi lower-cases room names."""
    return secrets.token_hex(16)


def held_q(now: dt.datetime, prefix: str = "") -> models.Q:
    """The one definition of a held meeting, for queries (Meeting.is_held for one meeting):
    not cancelled, and over. A meeting can only be over without being cancelled by time
    passing or by being recorded as held, so pages, the API and the invoice run agree."""
    return models.Q(**{f"{prefix}status": MeetingStatus.PLANNED, f"{prefix}ends_at__lte": now})


def billable_cancellation_q(prefix: str = "") -> models.Q:
    """Late cancellations the engagement's terms may charge: those the client side caused
    (Meeting.is_billable_cancellation for one meeting)."""
    return models.Q(
        **{
            f"{prefix}status": MeetingStatus.CANCELLED,
            f"{prefix}late_cancellation": True,
            f"{prefix}cancelled_by__in": sorted(BILLABLE_CAUSES),
        }
    )


class Meeting(models.Model):
    """One meeting of an engagement. Stored in UTC; shown in the practice's time zone."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="meetings")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="meetings")
    # Denormalised from the engagement so that the double-booking check is one indexed query.
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    focus = models.CharField(_("focus"), max_length=20, choices=Focus.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    late_cancellation = models.BooleanField(_("cancelled late"), default=False)
    # Blank on meetings that are not cancelled, and on those cancelled before the cause was
    # recorded (BILLABLE_CAUSES says how those count).
    cancelled_by = models.CharField(
        _("cancelled by"), max_length=20, choices=CancelledBy.choices, blank=True
    )
    cancel_reason = models.CharField(_("reason"), max_length=MAX_REASON, blank=True)
    # A held meeting's time is changed only by a correction (meetings/corrections.py).
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction_reason = models.CharField(
        _("reason for the correction"), max_length=MAX_REASON, blank=True
    )
    location = models.CharField(_("place"), max_length=300, blank=True)
    # The calendar identity: the UID never changes and SEQUENCE rises with every change,
    # so that calendar clients update the event instead of adding a second one.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The room on the practice's video server, used when the meeting is by video without a
    # link of its own (meetings/video.py). Every meeting has one, so that an engagement moved
    # to video later needs nothing done to its meetings.
    video_room = models.CharField(
        max_length=64, default=new_video_room, unique=True, editable=False
    )
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        indexes = [
            models.Index(fields=["practice", "supervisor", "starts_at"]),
            # Led by practice: every query in a practice's scope filters on it, and without
            # table statistics SQLite otherwise picks the practice_id index and walks all of
            # the practice's meetings (a large practice's client schedules were slow).
            models.Index(fields=["practice", "engagement", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after"
            )
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.engagement.title} {local:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_held(self) -> bool:
        """held_q for one meeting."""
        return self.status == MeetingStatus.PLANNED and self.ends_at <= clock.now()

    @property
    def is_history(self) -> bool:
        """Held or cancelled: what happened is settled (and may be invoiced), so the meeting
        is neither moved nor cancelled; a held one can be corrected explicitly."""
        return self.is_cancelled or self.is_held

    @property
    def is_billable_cancellation(self) -> bool:
        """billable_cancellation_q for one meeting."""
        return self.is_cancelled and self.late_cancellation and self.cancelled_by in BILLABLE_CAUSES

    @property
    def calendar_title(self) -> str:
        """What calendars show (meetings/ics.py): the engagement's title, never names."""
        return self.engagement.title

    @property
    def engagement_venue(self) -> str:
        """Where the engagement meets (a feed row carries it as a column)."""
        return self.engagement.venue

    @property
    def engagement_form(self) -> str:
        return self.engagement.form

    @property
    def effective_focus(self) -> str:
        return self.focus or self.engagement.focus


class Attendance(models.Model):
    """Whether one participant came to one meeting."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices)

    objects = ScopedManager(practice="practice")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "participant"], name="attendance_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}@{self.meeting_id}: {self.status}"


class CalendarFeed(models.Model):
    """A person's private subscription URL. The token is stored hashed and can be revoked."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"feed {self.pk} of user {self.user_id}"


class VideoServer(models.Model):
    """A practice's own Jitsi Meet server with token authentication. The JWT secret is stored
    encrypted (core.crypto) and is never shown back: it signs every join link."""

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="video_server")
    base_url = models.URLField(_("server address"), max_length=200)
    app_id = models.CharField(_("app id"), max_length=100)
    secret_encrypted = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    def __str__(self) -> str:
        return self.base_url
