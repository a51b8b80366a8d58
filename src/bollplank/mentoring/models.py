"""Mentoring programmes: sign-ups, the coordinator's locks and bans, matching runs, and the
published pairs with their agreement, check-ins and end.

Who coordinates: the practice's staff (admins and supervisors) — a programme is practice-owned
and may name the client organisation it is run for. Mentors and mentees need no account: they
sign up through the programme's open link and reach their own page through a personal link
(only its hash is stored).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.clients.models import Client
from bollplank.core.models import Practice
from bollplank.meetings.enums import MeetingStatus
from bollplank.mentoring.enums import AVAILABILITY, PairStatus, ResponseKind, Side

WEIGHT = [MinValueValidator(0), MaxValueValidator(10)]


class Programme(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        Client,
        verbose_name=_("run for (client)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    signup_closes_on = models.DateField(_("sign-up closes"))
    signup_token = models.CharField(max_length=64, unique=True)
    max_mentees = models.PositiveSmallIntegerField(
        _("most mentees per mentor"), default=2, validators=[MinValueValidator(1)]
    )
    checkin_every_weeks = models.PositiveSmallIntegerField(
        _("check-in every (weeks)"), default=4, validators=[MinValueValidator(1)]
    )
    meeting_minutes = models.PositiveSmallIntegerField(
        _("meeting length (minutes)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
        help_text=_("How long a pair's booked meeting is."),
    )
    # Hard rules.
    rule_different_unit = models.BooleanField(_("never within the same unit"), default=True)
    rule_not_manager = models.BooleanField(
        _("never one's own manager or direct report"), default=True
    )
    rule_shared_language = models.BooleanField(_("must share a language"), default=True)
    rule_min_years_more = models.PositiveSmallIntegerField(
        _("mentor more experienced by at least (years)"), null=True, blank=True
    )
    # Soft score weights 0..10.
    weight_expertise = models.PositiveSmallIntegerField(
        _("expertise meets needs"), default=5, validators=WEIGHT
    )
    weight_goals = models.PositiveSmallIntegerField(_("shared goals"), default=3, validators=WEIGHT)
    weight_location = models.PositiveSmallIntegerField(
        _("same location"), default=1, validators=WEIGHT
    )
    weight_availability = models.PositiveSmallIntegerField(
        _("availability overlap"), default=2, validators=WEIGHT
    )
    weight_preferences = models.PositiveSmallIntegerField(
        _("stated preferences"), default=3, validators=WEIGHT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("mentoring programme")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="mentoring_programme_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The programme cannot end before it starts.")})


class SignUp(models.Model):
    """One person's sign-up as mentor or mentee. The e-mail is unique within a programme."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="signups")
    side = models.CharField(_("I sign up as"), max_length=8, choices=Side.choices)
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    unit = models.CharField(_("unit"), max_length=120, blank=True)
    role_title = models.CharField(_("role"), max_length=120, blank=True)
    manager_email = models.EmailField(_("your manager's e-mail"), blank=True)
    years = models.PositiveSmallIntegerField(
        _("years of experience"), default=0, validators=[MaxValueValidator(70)]
    )
    topics = models.CharField(_("areas"), max_length=500, blank=True)
    goals = models.CharField(_("goals"), max_length=500, blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    availability = models.JSONField(_("availability"), default=list, blank=True)
    free_text = models.TextField(_("anything else"), max_length=2000, blank=True)
    prefer = models.CharField(_("people I would like"), max_length=500, blank=True)
    avoid = models.CharField(_("people I would rather not"), max_length=500, blank=True)
    capacity = models.PositiveSmallIntegerField(_("how many mentees"), default=1)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("sign-up")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "email"], name="mentoring_signup_email_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return str(self.pk)

    def availability_labels(self) -> list[str]:
        names = dict(AVAILABILITY)
        return [str(names[a]) for a in self.availability if a in names]


class PairRule(models.Model):
    """The coordinator's lock (always make this pair) or ban (never make it)."""

    LOCK, FORBID = "lock", "forbid"
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="pair_rules")
    mentee = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=[(LOCK, _("locked")), (FORBID, _("forbidden"))])

    objects = ScopedManager(practice="practice")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "mentee", "mentor"], name="mentoring_pairrule_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.mentee_id}–{self.mentor_id}"


class MatchRun(models.Model):
    """One run of the matching engine: its figures and its proposal (ids and scores only)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    total = models.IntegerField(default=0)
    method = models.CharField(max_length=16)
    seconds = models.FloatField(default=0)
    # {"pairs": [[mentee_id, mentor_id, score, {part: points}, locked]],
    #  "unmatched": [[mentee_id, reason, eligible]]}
    result = models.JSONField(default=dict)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"run {self.pk}"


class Pair(models.Model):
    """A published pair: the agreement (goals signed off by both), and its end."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="pairs")
    mentee = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="pairs_as_mentee")
    mentor = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="pairs_as_mentor")
    score = models.IntegerField(default=0)
    parts = models.JSONField(default=dict)
    agreement_goals = models.TextField(_("goals of our mentoring"), max_length=4000, blank=True)
    mentee_signed_at = models.DateTimeField(null=True, blank=True)
    mentor_signed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=PairStatus.choices, default=PairStatus.ACTIVE)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(_("why the mentoring ends early"), max_length=2000, blank=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "mentee"], name="mentoring_pair_mentee"),
        ]

    def __str__(self) -> str:
        return f"pair {self.mentee_id}–{self.mentor_id}"

    @property
    def signed(self) -> bool:
        return bool(self.mentee_signed_at and self.mentor_signed_at)


class Response(models.Model):
    """A check-in or the end evaluation, by one side of a pair. Only the pair reads the words;
    the coordinator sees counts."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="responses")
    side = models.CharField(max_length=8, choices=Side.choices)
    kind = models.CharField(max_length=8, choices=ResponseKind.choices)
    number = models.PositiveSmallIntegerField(default=1)
    progress = models.PositiveSmallIntegerField(
        _("how is it going (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "side", "kind", "number"], name="mentoring_response_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"


# --- a pair's meetings: the mentor's bookable hours and the booked meetings ----------------------
# Mentors have no account, so booking's rules (tied to a supervisor user) do not fit; these
# small tables feed the same free-time sweep (booking/freetime.py).


class MentorHours(models.Model):
    """The mentor is open for booking every week on a weekday, local time."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="mentor_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), validators=[MaxValueValidator(6)])
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="mentoring_hours_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start}-{self.end}"


class MentorException(models.Model):
    """Days (or times on them) the mentor is away; or, open, a holiday they still meet on."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="mentor_exceptions")
    is_open = models.BooleanField(_("open"), default=False)
    first_day = models.DateField(_("from date"))
    last_day = models.DateField(_("to date"))
    start = models.TimeField(_("from time"), null=True, blank=True)
    end = models.TimeField(_("to time"), null=True, blank=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["first_day", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="mentoring_exception_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{'open' if self.is_open else 'closed'} {self.first_day}–{self.last_day}"


class PairMeeting(models.Model):
    """A pair's booked meeting. Its calendar identity works like a supervision meeting's: the
    UID never changes and SEQUENCE rises on every move or cancellation (meetings/ics.py)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="meetings")
    # Denormalised from the pair: a mentor with several mentees is busy in all their meetings,
    # and the free-time query is one indexed scan per person.
    mentor = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place or video link"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["mentor", "starts_at"]),
            models.Index(fields=["mentee", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="mentoring_meeting_ends_after",
            )
        ]

    def __str__(self) -> str:
        return f"pair meeting {self.pk}"

    @property
    def calendar_title(self) -> str:
        """What a calendar shows: the programme's name, never the pair's (meetings/ics.py).
        The caller loads ``pair__programme``."""
        return self.pair.programme.name
