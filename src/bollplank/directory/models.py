"""The practice's public page, supervisors' public profiles, and inquiries from visitors."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.clients.enums import Sector
from bollplank.core.models import Practice
from bollplank.directory.enums import InquiryFocus, InquiryStatus, Language, Place, Rhythm
from bollplank.engagements.enums import Form


class PracticePage(models.Model):
    """What the practice says about itself in public, and whether it says anything at all."""

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="directory_page"
    )
    published = models.BooleanField(
        _("publish the practice's page"),
        default=False,
        help_text=_("Visitors can read about the practice and send inquiries without logging in."),
    )
    intro = models.TextField(
        _("about the practice"),
        max_length=5000,
        blank=True,
        help_text=_("A few sentences in plain language: who you are and whom you work with."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    contact_email = models.EmailField(_("public e-mail address"), blank=True)
    offers_coaching = models.BooleanField(_("we also offer coaching"), default=False)
    offers_mentoring = models.BooleanField(_("we also offer mentoring programmes"), default=False)
    retention_days = models.PositiveSmallIntegerField(
        _("keep inquiries not won for (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
        help_text=_(
            "An inquiry that has not become an engagement is deleted this many days after it "
            "last changed."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        verbose_name = _("practice page")

    def __str__(self) -> str:
        return f"page of {self.practice_id}"


class SupervisorProfile(models.Model):
    """A supervisor's public profile, written by the supervisor. Empty fields are not shown."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_profiles"
    )
    published = models.BooleanField(_("show my profile on the practice's page"), default=False)
    profession = models.CharField(
        _("profession"), max_length=200, blank=True, help_text=_("For example: psychologist.")
    )
    training = models.TextField(
        _("supervisor training"),
        max_length=2000,
        blank=True,
        help_text=_("For example: supervisor education, three terms, and where."),
    )
    sectors = models.JSONField(_("sectors I have worked in"), default=list, blank=True)
    approach = models.TextField(_("methods and approach"), max_length=5000, blank=True)
    forms = models.JSONField(_("forms I offer"), default=list, blank=True)
    focuses = models.JSONField(_("focus I work with"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    premises_address = models.CharField(_("address of my premises"), max_length=300, blank=True)
    premises_city = models.CharField(_("city of my premises"), max_length=100, blank=True)
    accessible_entrance = models.BooleanField(
        _("accessible entrance"), null=True, blank=True, help_text=_("Leave unanswered if unsure.")
    )
    offers_video = models.BooleanField(_("I also meet by video"), default=False)
    travels = models.BooleanField(_("I travel to the client"), default=False)
    travel_km = models.PositiveSmallIntegerField(
        _("how far I travel (km)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(2000)],
    )
    weekly_hours = models.PositiveSmallIntegerField(
        _("hours a week for supervision"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(60)],
        help_text=_("Not shown to visitors: used to see whether you have room for a new inquiry."),
    )
    photo = models.BinaryField(null=True, blank=True, editable=False)
    photo_type = models.CharField(max_length=20, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        verbose_name = _("supervisor profile")
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="profile_one_per_practice")
        ]

    def __str__(self) -> str:
        return f"profile of {self.user_id}"

    @property
    def has_photo(self) -> bool:
        return bool(self.photo_type)

    def sector_labels(self) -> list[str]:
        return [str(Sector(s).label) for s in self.sectors if s in Sector.values]

    def form_labels(self) -> list[str]:
        return [str(Form(s).label) for s in self.forms if s in Form.values]

    def focus_labels(self) -> list[str]:
        return [
            str(InquiryFocus(s).label)
            for s in self.focuses
            if s in {InquiryFocus.PROCESS, InquiryFocus.CASE}
        ]

    def language_labels(self) -> list[str]:
        return [str(Language(s).label) for s in self.languages if s in Language.values]


class Inquiry(models.Model):
    """A visitor's description of a need (förfrågan), and where the practice is with it."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=InquiryStatus.choices, default=InquiryStatus.NEW
    )
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    form = models.CharField(_("individual or group"), max_length=20, choices=Form.choices)
    group_size = models.PositiveSmallIntegerField(
        _("number in the group"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
    )
    focus = models.CharField(_("focus"), max_length=20, choices=InquiryFocus.choices)
    place = models.CharField(_("where"), max_length=20, choices=Place.choices)
    city = models.CharField(_("town or city"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.SWEDISH
    )
    wished_start = models.DateField(_("wished start"), null=True, blank=True)
    rhythm = models.CharField(_("how often"), max_length=20, choices=Rhythm.choices)
    message = models.TextField(_("tell us about the need"), max_length=5000, blank=True)
    name = models.CharField(_("your name"), max_length=200)
    email = models.EmailField(_("your e-mail address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    consented_at = models.DateTimeField()
    # A keyed hash of the sender's address, for the rate limit; never the address itself.
    source = models.CharField(max_length=64, db_index=False)
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inquiry")
        indexes = [
            models.Index(fields=["practice", "status", "created_at"]),
            models.Index(fields=["source", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.organization or self.name


class InquiryReply(models.Model):
    """An e-mail the practice sent in answer, kept with the inquiry (and deleted with it)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"), max_length=10000)
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["sent_at"]

    def __str__(self) -> str:
        return f"reply {self.pk} to {self.inquiry_id}"
