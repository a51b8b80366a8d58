"""Self-booking: when a supervisor can meet, what keeps them busy elsewhere, booking links."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.core.models import Practice
from bollplank.engagements.models import Engagement
from bollplank.meetings.models import Meeting


class Place(models.TextChoices):
    PREMISES = "premises", _("premises")
    VIDEO = "video", _("video")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BookingSettings(models.Model):
    """A supervisor's booking rules in one practice."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    notice_hours = models.PositiveSmallIntegerField(
        _("minimum notice (hours)"),
        default=24,
        validators=[MaxValueValidator(24 * 30)],
        help_text=_("Nobody can book a time sooner than this."),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("can be booked up to (days ahead)"),
        default=56,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer between meetings (minutes)"),
        default=15,
        validators=[MaxValueValidator(240)],
        help_text=_("Kept free between two meetings at the same place."),
    )
    travel_minutes = models.PositiveSmallIntegerField(
        _("travel time between places (minutes)"),
        default=45,
        validators=[MaxValueValidator(480)],
        help_text=_(
            "Kept free between meetings at different places (premises, video, a client's)."
        ),
    )
    # A first talk after an inquiry has no engagement yet, so its length and place are the
    # supervisor's own, and it counts against no quota.
    first_talk_minutes = models.PositiveSmallIntegerField(
        _("length of a first talk (minutes)"),
        default=30,
        choices=[(30, "30"), (45, "45"), (60, "60")],
    )
    first_talk_place = models.CharField(
        _("place of a first talk"), max_length=20, choices=Place.choices, default=Place.VIDEO
    )

    objects = ScopedManager(practice="practice")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "supervisor"], name="booking_settings_one_per_supervisor"
            )
        ]

    def __str__(self) -> str:
        return f"booking settings of {self.supervisor_id}"


class WeeklyHours(models.Model):
    """Open for booking every week on a weekday, local time, at a place."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))
    place = models.CharField(_("place"), max_length=20, choices=Place.choices)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["weekday", "start"]
        indexes = [models.Index(fields=["practice", "supervisor"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="weekly_hours_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start}-{self.end} {self.place}"


class AvailabilityException(models.Model):
    """Closed days (leave, a course, …) or extra open times; opening a holiday goes here too."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    is_open = models.BooleanField(_("open"), default=False)
    first_day = models.DateField(_("from date"))
    last_day = models.DateField(_("to date"))
    start = models.TimeField(_("from time"), null=True, blank=True)
    end = models.TimeField(_("to time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=20, choices=Place.choices, blank=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["first_day", "start"]
        indexes = [models.Index(fields=["practice", "supervisor", "last_day"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="availability_exception_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{'open' if self.is_open else 'closed'} {self.first_day}–{self.last_day}"


class OutsideCalendar(models.Model):
    """A calendar kept elsewhere whose events block booking. Only busy intervals are stored:
    never titles, places or who takes part."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("subscription address (ICS)"), max_length=1000, blank=True)
    busy_count = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # The last failure as a code (shown translated) and the technical reason (not translated).
    last_error = models.CharField(max_length=40, blank=True)
    last_error_detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BusyInterval(models.Model):
    """When a supervisor is busy according to an outside calendar. Nothing else."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    calendar = models.ForeignKey(OutsideCalendar, on_delete=models.CASCADE, related_name="busy")
    # Denormalised so that the free-time query is one indexed range scan per supervisor.
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    objects = ScopedManager(practice="practice")

    class Meta:
        indexes = [models.Index(fields=["supervisor", "starts_at"])]

    def __str__(self) -> str:
        return f"busy {self.starts_at}–{self.ends_at}"


class FirstTalkStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    CANCELLED = "cancelled", _("cancelled")


class FirstTalk(models.Model):
    """A first talk a visitor booked through a link sent from an inquiry. There is no
    engagement (nor client) yet, so it is not a Meeting: it keeps only what a calendar and
    the free-time sweep need, plus the visitor's name and address for the invitation."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    inquiry = models.ForeignKey(
        "directory.Inquiry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(max_length=8, default="sv")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=20, choices=Place.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=FirstTalkStatus.choices,
        default=FirstTalkStatus.PLANNED,
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    late_cancellation = models.BooleanField(default=False)
    # The calendar identity, as a meeting's: fixed UID, SEQUENCE rises on every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")
    # What meetings.ics reads of a meeting: a first talk has no location text (a video
    # room's link is sent separately) and no page of its own to link to.
    location = ""
    is_first_talk = True

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["supervisor", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="first_talk_ends_after",
            )
        ]

    def __str__(self) -> str:
        return f"first talk {self.pk}"

    @property
    def title(self) -> str:
        return str(_("First talk"))

    @property
    def calendar_title(self) -> str:
        """What calendars show (meetings/ics.py): never the visitor's name."""
        return self.title

    @property
    def engagement(self) -> SimpleNamespace:
        # meetings.ics and notifications' invitation text read meeting.engagement.title (and
        # venue_address): a first talk answers with its own title and no address.
        return SimpleNamespace(title=self.title, venue_address="")

    @property
    def is_cancelled(self) -> bool:
        return self.status == FirstTalkStatus.CANCELLED


class BookingLink(models.Model):
    """A one-time link that lets someone without a login book one meeting: in an engagement,
    or a first talk after an inquiry (no engagement). Only the token's hash is stored."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    engagement = models.ForeignKey(
        Engagement,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="booking_links",
    )
    # A first talk: with whom, for which inquiry, and whom to send the invitation to.
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    inquiry = models.ForeignKey(
        "directory.Inquiry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_talk = models.ForeignKey(
        FirstTalk, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(_("for whom"), max_length=200)
    # A first talk's visitor: kept on the link so that the inquiry may be deleted meanwhile.
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, default="sv")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(engagement__isnull=False) | models.Q(supervisor__isnull=False),
                name="booking_link_engagement_or_first_talk",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_first_talk(self) -> bool:
        return self.engagement_id is None
