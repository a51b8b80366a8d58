"""A supervisor's commitments besides meetings: the first talks visitors book after an inquiry
(booking app). They block the supervisor's time as a meeting does, and show in the calendars,
the dashboard and the calendar feed. The app that keeps them registers how to read them when
Django starts (booking/apps.py), so that meetings imports no app above it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bollplank.core.models import Practice


@dataclass(frozen=True)
class CommitmentKind:
    # The first one of the supervisor's (in any practice) closer than ``pad`` to the time, or
    # None: keyword arguments supervisor, starts_at, ends_at, pad.
    clash: Callable[..., Any]
    # Those in [start, end) that the person may see in a calendar: (user, practice, roles,
    # start, end).
    between: Callable[..., Iterable[Any]]
    # The person's own for their calendar feed: (user, practice, roles).
    for_feed: Callable[..., list[Any]]


_KINDS: list[CommitmentKind] = []


def commitment_kind_register(kind: CommitmentKind) -> None:
    if kind not in _KINDS:
        _KINDS.append(kind)


def commitment_clash(
    *, supervisor: Any, starts_at: dt.datetime, ends_at: dt.datetime, pad: dt.timedelta
) -> Any:
    """The first other commitment of the supervisor closer than ``pad`` to the time, or None."""
    for kind in _KINDS:
        found = kind.clash(supervisor=supervisor, starts_at=starts_at, ends_at=ends_at, pad=pad)
        if found is not None:
            return found
    return None


def with_commitments(
    meetings: Iterable[Any],
    user: Any,
    practice: Practice,
    roles: frozenset[str],
    start: dt.datetime,
    end: dt.datetime,
) -> list[Any]:
    """Meetings and the other commitments in [start, end) by start time, for calendars and the
    dashboard (one more query each; a first talk renders with meetings/_meeting_line.html, its
    title "First talk", never a name)."""
    others = [c for kind in _KINDS for c in kind.between(user, practice, roles, start, end)]
    return sorted([*meetings, *others], key=lambda m: m.starts_at)


def commitments_for_feed(user: Any, practice: Practice, roles: frozenset[str]) -> list[Any]:
    """The person's own other commitments for their calendar feed."""
    return [c for kind in _KINDS for c in kind.for_feed(user, practice, roles)]
