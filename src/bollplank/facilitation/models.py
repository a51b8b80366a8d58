"""In the room: conversation models (samtalsmodeller) and their steps, one run of a model per
meeting, and the client's mission split into versioned parts that a meeting's themes are tied to.

Shipped models have no practice (``practice`` is NULL) and are read-only; a practice copies one
to change it. Every other row belongs to a practice and is reached through its scoped manager.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.clients.models import Client
from bollplank.core.models import Practice
from bollplank.engagements.models import Engagement, Participant
from bollplank.facilitation.enums import MAX_STEP_SECONDS, RunStatus, Speaker
from bollplank.meetings.models import Meeting


class ShippedManager(models.Manager["ConversationModel"]):
    """The models that ship with Bollplank: shared by every practice, owned by none."""

    def get_queryset(self) -> models.QuerySet[ConversationModel]:
        return super().get_queryset().filter(practice__isnull=True)


class ConversationModel(models.Model):
    """A structured conversation: an ordered list of steps with a time each."""

    practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Shipped models carry a stable key so that a later migration can find them.
    key = models.SlugField(max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    # The language the model's own texts are written in (shipped models come in both).
    language = models.CharField(
        _("language"), max_length=8, choices=[("sv", "Svenska"), ("en", "English")], default="sv"
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")
    shipped = ShippedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("conversation model")
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(practice__isnull=True),
                name="conversation_model_shipped_key",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shipped(self) -> bool:
        return self.practice_id is None

    @property
    def total_seconds(self) -> int:
        return sum(s.seconds for s in self.steps.all())

    @property
    def needs_case_owner(self) -> bool:
        """A step where the case owner speaks: the run cannot start without one."""
        return any(s.speaker == Speaker.CASE_OWNER for s in self.steps.all())


class Step(models.Model):
    """One step of a model. Reached through its model only, so it needs no practice of its own."""

    model = models.ForeignKey(ConversationModel, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("step"), max_length=120)
    guiding_text = models.TextField(_("guiding text"), max_length=2000, blank=True)
    seconds = models.PositiveIntegerField(_("time (seconds)"))
    speaker = models.CharField(_("who speaks"), max_length=20, choices=Speaker.choices)

    class Meta:
        ordering = ["model", "position"]
        constraints = [
            models.UniqueConstraint(fields=["model", "position"], name="step_unique_position"),
            models.CheckConstraint(
                condition=models.Q(seconds__gt=0, seconds__lte=MAX_STEP_SECONDS),
                name="step_time_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    def as_plan(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "guiding_text": self.guiding_text,
            "seconds": self.seconds,
            "speaker": self.speaker,
        }


class Run(models.Model):
    """A model run in one meeting. The server keeps the state; screens follow it.

    ``plan`` copies the steps at start (editing the model later changes no run) and gains the
    seconds actually used per step. ``version`` rises with every change so that a screen acting
    on an old state is told instead of overwriting a newer one. No one's words are stored here.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="run")
    conversation_model = models.ForeignKey(
        ConversationModel, null=True, on_delete=models.SET_NULL, related_name="runs"
    )
    model_name = models.CharField(max_length=120)
    case_owner = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Empty: the supervisor leads. Otherwise a member of the group leads.
    leader = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.JSONField(default=list)
    # The speakers of a round, in order, as participant ids.
    speakers = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    step_index = models.PositiveSmallIntegerField(default=0)
    step_started_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.FloatField(default=0)
    extended_seconds = models.PositiveIntegerField(default=0)
    turn = models.PositiveSmallIntegerField(default=0)
    # [[step index, participant id], …] — who passed, never what anyone said.
    passes = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    takeaway_saved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        constraints = [
            # One run per meeting: a second screen starting the same meeting loses, and is told.
            models.UniqueConstraint(fields=["meeting"], name="run_one_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"run of meeting {self.meeting_id}"


class MissionPart(models.Model):
    """One part of a client's mission (verksamhetsuppdrag), in one version.

    Revising a part adds a row with the same ``lineage`` and the next ``version`` and closes the
    old one; themes keep pointing at the version that was current when they were tied, so the
    history reads as it was. Counts add up over the lineage.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="mission_parts")
    lineage = models.PositiveIntegerField()
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("part of the mission"), max_length=200)
    text = models.TextField(_("text"), max_length=4000, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a newer version replaces this one or the part is retired.
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["position", "lineage", "version"]
        verbose_name = _("part of the mission")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "lineage", "version"], name="mission_part_unique_version"
            ),
            models.UniqueConstraint(
                fields=["client", "lineage"],
                condition=models.Q(closed_at__isnull=True),
                name="mission_part_one_current",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_current(self) -> bool:
        return self.closed_at is None


class MeetingTheme(models.Model):
    """A meeting's reflection touched a part of the client's mission."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="themes")
    part = models.ForeignKey(MissionPart, on_delete=models.PROTECT, related_name="themes")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "part"], name="meeting_theme_unique"),
        ]

    def __str__(self) -> str:
        return f"theme {self.part_id} of meeting {self.meeting_id}"


class MissionShare(models.Model):
    """The supervisor shares the mission count view of an engagement with the client contacts.
    Counts only: never themes' words, never who said what."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="mission_share"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    def __str__(self) -> str:
        return f"mission counts of engagement {self.engagement_id} shared"
