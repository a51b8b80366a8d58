"""Server-rendered SVG line charts: no script, presentation attributes only (CSP), and the
page puts the same figures in a table beside the chart for screen readers."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bollplank.evaluations.selectors import Trend

WIDTH, HEIGHT, PAD = 560, 220, 36
COLOURS = ["#1f5f8b", "#b5581b", "#2e7d32", "#6a3d9a", "#8d6e00", "#c2185b"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "4 4"]


@dataclass
class Line:
    label: str
    colour: str
    dash: str
    points: str
    dots: list[tuple[float, float, str]]


@dataclass
class Chart:
    width: int
    height: int
    lines: list[Line]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    title: str


def trend_chart(trend: Trend, top: int = 10) -> Chart | None:
    """One line per question over the rounds in order; None when there is nothing to draw."""
    rounds = [r for r in trend.rounds if r.means]
    if not rounds or not trend.questions:
        return None
    step = (WIDTH - 2 * PAD) / max(1, len(rounds) - 1)

    def x(i: int) -> float:
        return PAD + (i * step if len(rounds) > 1 else (WIDTH - 2 * PAD) / 2)

    def y(v: float) -> float:
        return HEIGHT - PAD - (v / top) * (HEIGHT - 2 * PAD)

    lines = []
    for i, q in enumerate(trend.questions):
        pts = [
            (x(j), y(r.means[q.pk][0]), number_format(r.means[q.pk][0], 1))
            for j, r in enumerate(rounds)
            if q.pk in r.means
        ]
        lines.append(
            Line(
                label=q.text,
                colour=COLOURS[i % len(COLOURS)],
                dash=DASHES[i % len(DASHES)],
                points=" ".join(f"{px:.1f},{py:.1f}" for px, py, _v in pts),
                dots=pts,
            )
        )
    x_labels = []
    for j, r in enumerate(rounds):
        when = r.round.meeting.starts_at if r.round.meeting else r.round.send_on
        x_labels.append((x(j), f"{when:%d/%m}"))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        lines=lines,
        x_labels=x_labels,
        y_ticks=[(y(v), str(v)) for v in range(0, top + 1, 2)],
        title=_("After-meeting check over time"),
    )
