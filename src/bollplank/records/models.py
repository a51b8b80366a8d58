"""The confidential texts around a meeting: private notes, summaries, questions sent in,
journal entries, and the case rota. See DOMAIN.md, "Confidentiality"."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.core.models import Practice
from bollplank.engagements.models import Engagement, Participant
from bollplank.meetings.models import Meeting
from bollplank.records import crypto
from bollplank.records.enums import Visibility

MAX_TEXT = 100_000  # characters: a long note is a few thousand; this refuses a pasted book


class EncryptedBody(models.Model):
    """A text stored encrypted: ``body`` reads and writes the plain text in memory only."""

    body_encrypted = models.TextField()

    class Meta:
        abstract = True

    @property
    def body(self) -> str:
        return crypto.decrypt(self.body_encrypted) if self.body_encrypted else ""

    @body.setter
    def body(self, value: str) -> None:
        self.body_encrypted = crypto.encrypt(value)


class PrivateNote(EncryptedBody):
    """The supervisor's own note on a meeting, or a running note on the engagement
    (meeting empty). Readable by its author alone; every read is audited."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="private_notes"
    )
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["author", "engagement", "meeting"])]

    def __str__(self) -> str:
        return f"note {self.pk}"  # never the text


class Summary(models.Model):
    """What the supervisor shares with the participants after a meeting."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="summary")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("summary"), max_length=MAX_TEXT)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    def __str__(self) -> str:
        return f"summary of meeting {self.meeting_id}"


class Submission(models.Model):
    """A question or problem description a participant sends in before a meeting."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="submissions")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="submissions"
    )
    body = models.TextField(_("question or problem description"), max_length=MAX_TEXT)
    visibility = models.CharField(_("who may read it"), max_length=20, choices=Visibility.choices)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return f"submission {self.pk}"


class CaseTurn(models.Model):
    """Who brings a case to which meeting (the case rota)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="case_turn")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="case_turns"
    )

    objects = ScopedManager(practice="practice")

    def __str__(self) -> str:
        return f"case turn {self.meeting_id}"


class JournalEntry(EncryptedBody):
    """A participant's reflection journal: readable by its author alone."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["author", "practice", "created_at"])]

    def __str__(self) -> str:
        return f"journal entry {self.pk}"
