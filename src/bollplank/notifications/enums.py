from django.db import models
from django.utils.translation import gettext_lazy as _


class MailKind(models.TextChoices):
    ACCOUNT = "account", _("account and invitation")
    MEETING = "meeting", _("meeting planned, moved or cancelled")
    REMINDER = "reminder", _("meeting reminder")
    QUESTIONS = "questions", _("reminder to send in questions")
    SUMMARY = "summary", _("summary published")
    QUESTIONNAIRE = "questionnaire", _("questionnaire to answer")
    COURSE = "course", _("course registration")
    INVOICE = "invoice", _("invoice")
    CHECKIN = "checkin", _("mentoring check-in reminder")
    # A supervisor's copy when someone else plans, moves or cancels a meeting they lead.
    LED_MEETING = "led_meeting", _("meetings I lead, changed by someone else")
    OTHER = "other", _("other")


# The kinds a person may turn off. The rest carry what a person must know (a moved meeting,
# an invoice, an invitation to their account) and always go out.
OPTIONAL_KINDS = frozenset(
    {
        MailKind.REMINDER,
        MailKind.QUESTIONS,
        MailKind.SUMMARY,
        MailKind.QUESTIONNAIRE,
        MailKind.CHECKIN,
        MailKind.LED_MEETING,
    }
)


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("not sent (no longer relevant or turned off)")
