"""The client's report: aggregates that never expose a person.

The unit of answers is one question in one closed round (one meeting's after-meeting check,
or one mid-point evaluation). A unit takes part in a report only when at least ``MIN_GROUP``
people answered that question in that round; every shown figure is a sum of such units. So:

- no shown cell rests on fewer than MIN_GROUP answers;
- two reports subtracted from each other (all engagements minus one, all phases minus one)
  differ by whole units, each of at least MIN_GROUP answers, or not at all — a small group is
  never the difference (complementary suppression by construction);
- only closed rounds count, so the same report read on two days cannot differ by one late
  answer.

This module is pure (no database) so that the property test can drive it directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bollplank.evaluations.enums import MIN_GROUP


@dataclass(frozen=True)
class Unit:
    """The answers to one question in one closed round."""

    engagement_id: int
    round_id: int
    phase: str
    question_id: int
    n: int
    total: int  # sum of the numbers answered


@dataclass
class Cell:
    question_id: int
    phase: str
    n: int = 0
    total: int = 0
    rounds: int = 0
    withheld_rounds: int = 0

    @property
    def shown(self) -> bool:
        return self.n >= MIN_GROUP

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.shown else None


@dataclass
class Report:
    cells: dict[tuple[str, int], Cell] = field(default_factory=dict)

    @property
    def withheld(self) -> int:
        """Rounds left out somewhere because too few answered (shown as a count only)."""
        return sum(c.withheld_rounds for c in self.cells.values())


def reportable(unit: Unit) -> bool:
    return unit.n >= MIN_GROUP


def build(
    units: Iterable[Unit],
    *,
    engagements: frozenset[int] | None = None,
    phases: frozenset[str] | None = None,
) -> Report:
    """The report over the chosen engagements and phases (None: all)."""
    report = Report()
    for u in units:
        if engagements is not None and u.engagement_id not in engagements:
            continue
        if phases is not None and u.phase not in phases:
            continue
        cell = report.cells.setdefault(
            (u.phase, u.question_id), Cell(question_id=u.question_id, phase=u.phase)
        )
        if reportable(u):
            cell.n += u.n
            cell.total += u.total
            cell.rounds += 1
        else:
            cell.withheld_rounds += 1
    return report
