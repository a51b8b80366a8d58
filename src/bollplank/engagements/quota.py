"""The ordered meetings of an engagement against those held and planned, in meetings and in
hours. Never capped: planning past the order shows as over ("9 of 8"), and the share used
goes past 100 %."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


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
