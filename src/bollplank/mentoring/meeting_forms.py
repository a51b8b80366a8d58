"""Validation only, for a pair's meetings: booking's own forms without the place (a pair has
one kind of place, agreed when booking)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.booking.forms import ExceptionForm, HoursForm, SlotForm


class MentorHoursForm(HoursForm):
    place = None  # type: ignore[assignment]


class MentorExceptionForm(ExceptionForm):
    place = None  # type: ignore[assignment]


class PairSlotForm(SlotForm):
    location = forms.CharField(
        label=_("Place or video link"),
        max_length=300,
        required=False,
        help_text=_("Where you meet; the mentor can tell you if you leave it empty."),
    )
