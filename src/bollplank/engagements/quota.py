"""The ordered meetings of an engagement against those held and planned, in meetings and in
hours. Never capped: planning past the order shows as over ("9 of 8"), and the share used
goes past 100 %."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.translation import gettext, ngettext


class QuotaTexts(NamedTuple):
    """What the quota's lines say in the active language ("8 träffar, 16 h"); ``used_of``
    ("9 av 8") and ``over`` are for an order planned past."""

    ordered: str
    held: str
    planned: str
    left: str
    used_of: str
    over: str


@dataclass(frozen=True)
class Quota:
    ordered: int
    held: int
    planned: int
    minutes: int  # per meeting, the engagement's length

    @property
    def used(self) -> int:
        return self.held + self.planned

    @property
    def left(self) -> int:
        """Meetings still to plan; 0 when the order is used up or passed."""
        return max(0, self.ordered - self.used)

    @property
    def over(self) -> int:
        """Meetings held or planned beyond the order."""
        return max(0, self.used - self.ordered)

    @property
    def used_percent(self) -> int:
        """The share of the order held or planned, uncapped (9 of 8 is 113 %)."""
        if not self.ordered:
            return 0
        return int((Decimal(100 * self.used) / self.ordered).quantize(Decimal(1), ROUND_HALF_UP))

    def _hours(self, meetings: int) -> Decimal:
        return (Decimal(meetings * self.minutes) / 60).quantize(Decimal("0.1"))

    @property
    def ordered_hours(self) -> Decimal:
        return self._hours(self.ordered)

    @property
    def held_hours(self) -> Decimal:
        return self._hours(self.held)

    @property
    def planned_hours(self) -> Decimal:
        return self._hours(self.planned)

    @property
    def left_hours(self) -> Decimal:
        return self._hours(self.left)

    @property
    def over_hours(self) -> Decimal:
        return self._hours(self.over)

    def after_adding(self, meetings: int) -> int:
        """How many would be held or planned with ``meetings`` more."""
        return self.used + meetings

    @property
    def texts(self) -> QuotaTexts:
        """The lines as text, made here once rather than by a template's ``blocktranslate
        count`` and ``floatformat`` per line and engagement (a client's page shows every
        running engagement's quota): the same words and numbers, hours with a decimal only
        when there is one ("7,5 h", "16 h")."""
        return QuotaTexts(
            ordered=_meetings(self.ordered, self.ordered_hours),
            held=_meetings(self.held, self.held_hours),
            planned=_meetings(self.planned, self.planned_hours),
            left=_meetings(self.left, self.left_hours),
            used_of=gettext("%(used)s of %(ordered)s")
            % {"used": localize(self.used), "ordered": localize(self.ordered)},
            over=ngettext(
                "%(n)s meeting (%(h)s h) over the order",
                "%(n)s meetings (%(h)s h) over the order",
                self.over,
            )
            % {"n": localize(self.over), "h": floatformat(self.over_hours, -1)},
        )


def _meetings(n: int, hours: Decimal) -> str:
    return ngettext("%(n)s meeting, %(h)s h", "%(n)s meetings, %(h)s h", n) % {
        "n": localize(n),
        "h": floatformat(hours, -1),
    }
