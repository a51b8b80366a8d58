"""Questionnaires, the rounds in which they are sent, who was asked, and the answers.

Shipped questionnaires have no practice and are read-only; a practice copies one to change it.
An anonymous round stores its responses without the participant: the invitation only records
that the person answered (so that no one answers twice), never which response is theirs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.core.models import Practice
from bollplank.engagements.models import Engagement, Participant
from bollplank.evaluations.enums import Function, Instrument, Kind, Phase, Scale
from bollplank.meetings.models import Meeting


def _in_language(sv: str, en: str) -> str:
    if (get_language() or "sv").startswith("en"):
        return en or sv
    return sv or en


class ShippedManager(models.Manager["Questionnaire"]):
    def get_queryset(self) -> models.QuerySet[Questionnaire]:
        return super().get_queryset().filter(practice__isnull=True)


class Questionnaire(models.Model):
    """A set of questions in sections, worded in Swedish and English."""

    practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.SlugField(max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CUSTOM)
    name_sv = models.CharField(_("name (Swedish)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)
    intro_sv = models.TextField(_("introduction (Swedish)"), max_length=2000, blank=True)
    intro_en = models.TextField(_("introduction (English)"), max_length=2000, blank=True)
    # A licensed instrument: entered by the practice after recording its licence.
    instrument = models.CharField(
        _("instrument"), max_length=10, choices=Instrument.choices, blank=True
    )
    licence_holder = models.CharField(_("licence holder"), max_length=200, blank=True)
    licence_reference = models.CharField(_("licence reference"), max_length=200, blank=True)
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")
    shipped = ShippedManager()

    class Meta:
        ordering = ["kind", "name_sv"]
        verbose_name = _("questionnaire")
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(practice__isnull=True),
                name="questionnaire_shipped_key",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self.name_sv, self.name_en)

    @property
    def intro(self) -> str:
        return _in_language(self.intro_sv, self.intro_en)

    @property
    def is_shipped(self) -> bool:
        return self.practice_id is None


class Section(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField()
    title_sv = models.CharField(_("section (Swedish)"), max_length=160)
    title_en = models.CharField(_("section (English)"), max_length=160, blank=True)

    class Meta:
        ordering = ["questionnaire", "position"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self.title_sv, self.title_en)


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices)
    text_sv = models.CharField(_("question (Swedish)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    low_sv = models.CharField(_("low end (Swedish)"), max_length=80, blank=True)
    low_en = models.CharField(_("low end (English)"), max_length=80, blank=True)
    high_sv = models.CharField(_("high end (Swedish)"), max_length=80, blank=True)
    high_en = models.CharField(_("high end (English)"), max_length=80, blank=True)
    function = models.CharField(
        _("function of supervision"), max_length=12, choices=Function.choices, blank=True
    )
    required = models.BooleanField(_("an answer is required"), default=True)

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="question_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _in_language(self.text_sv, self.text_en)

    @property
    def low(self) -> str:
        return _in_language(self.low_sv, self.low_en)

    @property
    def high(self) -> str:
        return _in_language(self.high_sv, self.high_en)

    @property
    def is_numeric(self) -> bool:
        return self.scale != Scale.TEXT


class Round(models.Model):
    """One sending of a questionnaire to an engagement's group: after a meeting or at a date."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="rounds")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="rounds"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="rounds"
    )
    phase = models.CharField(_("when"), max_length=20, choices=Phase.choices)
    anonymous = models.BooleanField(_("anonymous answers"), default=True)
    send_on = models.DateTimeField(_("send"))
    closes_at = models.DateTimeField(_("answers until"))
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["send_on", "pk"]
        indexes = [models.Index(fields=["practice", "engagement", "send_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("send_on")), name="round_closes_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} {self.send_on:%Y-%m-%d}"


class Invitation(models.Model):
    """One person asked in one round. The link's token is stored hashed."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="invitations"
    )
    # The link's token is rebuilt from this nonce with the site's secret (services.py), and
    # looked up by its hash.
    nonce = models.CharField(max_length=32)
    token_hash = models.CharField(max_length=64, unique=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "participant"], name="invitation_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class Response(models.Model):
    """One person's answers in one round. ``participant`` is empty in an anonymous round, and
    the day only (no time) is kept, so that the invitation's time does not point to it."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_on = models.DateField()

    objects = ScopedManager(practice="practice")

    def __str__(self) -> str:
        return f"response {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(max_length=4000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_one_per_question"
            ),
            models.CheckConstraint(
                condition=models.Q(number__isnull=True) | models.Q(number__gte=0, number__lte=10),
                name="answer_number_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"answer {self.pk}"


class ReportShare(models.Model):
    """The supervisor shared an engagement's report with the client: the client sees what
    had closed by ``shared_at`` — exactly what the supervisor previewed — until shared again."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="report_share"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField()

    objects = ScopedManager(practice="practice")

    def __str__(self) -> str:
        return f"report of engagement {self.engagement_id}"


class Goal(models.Model):
    """A goal agreed for an engagement: the group's (no participant) or one participant's own,
    which only that participant and the supervisor see."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="goal_items")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="goals"
    )
    title = models.CharField(_("goal"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reached_on = models.DateField(_("reached"), null=True, blank=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["participant_id", "created_at"]

    def __str__(self) -> str:
        return self.title


class GoalProgress(models.Model):
    """A rating (0–10) and a comment on a goal, by the participant (or the supervisor)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(_("how far (0–10)"))
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["goal", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__lte=10), name="goal_progress_rating_in_range"
            )
        ]

    def __str__(self) -> str:
        return f"progress {self.pk}"


class GoalRevisit(models.Model):
    """A meeting chosen to revisit the engagement's goals."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="goal_revisit")

    objects = ScopedManager(practice="practice")

    def __str__(self) -> str:
        return f"revisit at meeting {self.meeting_id}"


class HoursSignoff(models.Model):
    """The supervisor confirms a participant's supervision hours (from attendance) up to a day,
    for a supervisee in training who needs proof. Each sign-off is kept; the newest counts."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    meetings = models.PositiveIntegerField()
    minutes = models.PositiveIntegerField()
    first_day = models.DateField(null=True, blank=True)
    through = models.DateField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"hours of {self.participant_id} in {self.engagement_id}"

    @property
    def hours(self) -> float:
        return self.minutes / 60
