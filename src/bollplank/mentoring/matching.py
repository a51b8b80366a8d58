"""Mentor–mentee matching: pure Python + NumPy/SciPy, no Django.

The problem: mentees on one side, mentors with a capacity (1..k mentees each) on the other.
Hard rules decide which pairs are *allowed*; soft scores (weighted, integer points) say how good
an allowed pair is. Locked pairs are fixed in advance, forbidden pairs are never made.

Objective (lexicographic, documented in docs/mentoring.md):

1. match as many mentees as possible, then
2. among those assignments, maximise the total score.

Matching as many as possible first is deliberate: a programme exists to give people a mentor,
and a pure score maximisation would leave a mentee out rather than give them a modest match.

Method, small programmes: each mentor is repeated once per free capacity slot; a mentee ×
slot matrix holds the pair's cost (1 + best possible score − score) where the pair is allowed
and a cost D elsewhere, larger than any score difference the rest of the assignment could make
up, so the solver prefers one more allowed pair to any gain in score; SciPy's
`linear_sum_assignment` solves it exactly and chosen D cells mean "unmatched". Large programmes
(more than DENSE_LIMIT cells): OR-Tools' maximum flow at minimum cost on the graph of allowed
pairs, with the mentors' capacities on their arcs to the sink (no repetition), pruned to each
mentee's best pairs and proven optimal for all of them (matching_flow.py). Both are exact,
so the result is provably optimal, and the tests check both against SciPy's MILP solver. Costs
are integers and inputs are sorted by key, so the same input always gives the same pairs.

Scores: each weight is an integer 0..10; each part is `round(100 * weight * fraction)` computed
in integer arithmetic (round half up), so an explanation adds up exactly to the pair's score.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

# Score parts, in the order they are shown.
PARTS = ("expertise", "goals", "location", "availability", "preferences")
# Hard rules, in the order used to explain why a mentee found no mentor.
RULES = ("language", "experience", "unit", "manager", "forbidden")
# Above this many cells (mentees × mentor slots) the min-cost flow solver is used.
DENSE_LIMIT = 4_000_000
# Pairs per mentee the flow solver starts from (see matching_flow).
KEEP = 100
# Mentee rows per block when building the graph (bounds memory at ~block × mentors cells).
BLOCK = 512


@dataclass(frozen=True)
class Participant:
    """One sign-up. For a mentor `topics` is expertise and `capacity` counts; for a mentee
    `topics` is needs. `person` identifies the human (e.g. e-mail) for the manager rule and
    `manager` is their manager's `person`. `prefer`/`avoid` hold keys from the other side."""

    key: str
    unit: str = ""
    person: str = ""
    manager: str = ""
    years: int = 0
    topics: frozenset[str] = frozenset()
    goals: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    location: str = ""
    availability: frozenset[str] = frozenset()
    prefer: frozenset[str] = frozenset()
    avoid: frozenset[str] = frozenset()
    capacity: int = 1


@dataclass(frozen=True)
class Rules:
    """Hard rules the coordinator switches on. Capacity is always enforced, and nobody is
    paired with themselves."""

    different_unit: bool = False
    not_manager: bool = False
    shared_language: bool = False
    min_years_more: int | None = None


@dataclass(frozen=True)
class Weights:
    """Integer weights 0..10 of the soft score parts."""

    expertise: int = 5
    goals: int = 3
    location: int = 1
    availability: int = 2
    preferences: int = 3

    def as_tuple(self) -> tuple[int, ...]:
        return tuple(getattr(self, p) for p in PARTS)


@dataclass(frozen=True)
class Pair:
    mentee: str
    mentor: str
    score: int
    parts: dict[str, int]
    locked: bool = False


@dataclass(frozen=True)
class Unmatched:
    """`reason` is one of RULES (the first rule that left no mentor), "self" (the only mentor is
    the mentee themselves), "no_mentors", or
    "capacity" (there were `eligible` allowed mentors, all of them full)."""

    mentee: str
    reason: str
    eligible: int = 0


@dataclass
class Result:
    pairs: list[Pair]
    unmatched: list[Unmatched]
    total: int
    method: str
    seconds: float
    edges: int = 0
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def matched(self) -> int:
        return len(self.pairs)


class MatchingError(ValueError):
    """Bad input: `problems` lists (code, detail) tuples, e.g. ("lock_rule", "a–b: language")."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{c}: {d}" for c, d in problems))


# --- single pair (used for locks, explanations and tests) -------------------------------------


def _norm(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in values if v and v.strip())


def violations(mentor: Participant, mentee: Participant, rules: Rules) -> list[str]:
    """The hard rules (codes from RULES, plus "self") that forbid this pair."""
    out = []
    if mentor.person and mentor.person.casefold() == mentee.person.casefold():
        out.append("self")
    if rules.shared_language and not (_norm(mentor.languages) & _norm(mentee.languages)):
        out.append("language")
    if rules.min_years_more is not None and mentor.years - mentee.years < rules.min_years_more:
        out.append("experience")
    if rules.different_unit and mentor.unit.strip() and _k(mentor.unit) == _k(mentee.unit):
        out.append("unit")
    if rules.not_manager and (
        (mentee.manager.strip() and _k(mentee.manager) == _k(mentor.person))
        or (mentor.manager.strip() and _k(mentor.manager) == _k(mentee.person))
    ):
        out.append("manager")
    return out


def _k(s: str) -> str:
    return s.strip().casefold()


def _frac_part(weight: int, hit: int, total: int) -> int:
    """round(100 * weight * hit / total), half up, in integers."""
    if total <= 0:
        return 0
    return (200 * weight * hit + total) // (2 * total)


def _pref(mentor: Participant, mentee: Participant) -> int:
    a = 1 if mentor.key in mentee.prefer else (-1 if mentor.key in mentee.avoid else 0)
    b = 1 if mentee.key in mentor.prefer else (-1 if mentee.key in mentor.avoid else 0)
    return a + b


def score_parts(mentor: Participant, mentee: Participant, weights: Weights) -> dict[str, int]:
    """The score of a pair, part by part (same arithmetic as the vectorised solver)."""
    needs, goals, avail = _norm(mentee.topics), _norm(mentee.goals), _norm(mentee.availability)
    loc = _k(mentee.location)
    return {
        "expertise": _frac_part(weights.expertise, len(needs & _norm(mentor.topics)), len(needs)),
        "goals": _frac_part(weights.goals, len(goals & _norm(mentor.goals)), len(goals)),
        "location": 100 * weights.location if loc and loc == _k(mentor.location) else 0,
        "availability": _frac_part(
            weights.availability, len(avail & _norm(mentor.availability)), len(avail)
        ),
        "preferences": 50 * weights.preferences * _pref(mentor, mentee),
    }


# --- vectorised encoding ------------------------------------------------------------------------


class _Masks:
    """Sets of strings as rows of uint64 bit masks (one bit per distinct term)."""

    def __init__(self, left: Sequence[frozenset[str]], right: Sequence[frozenset[str]]):
        vocab = sorted(set().union(*left, *right)) if (left or right) else []
        index = {t: i for i, t in enumerate(vocab)}
        words = max(1, (len(vocab) + 63) // 64)
        self.left = self._encode(left, index, words)
        self.right = self._encode(right, index, words)
        self.left_count = np.bitwise_count(self.left).sum(axis=1).astype(np.int64)

    @staticmethod
    def _encode(sets: Sequence[frozenset[str]], index: dict[str, int], words: int) -> np.ndarray:
        out = np.zeros((len(sets), words), dtype=np.uint64)
        for row, s in enumerate(sets):
            for t in s:
                i = index[t]
                out[row, i // 64] |= np.uint64(1 << (i % 64))
        return out

    def common(self, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
        """Size of the intersection for aligned index arrays."""
        return np.bitwise_count(self.left[li] & self.right[ri]).sum(axis=1).astype(np.int64)

    def any_common_outer(self, rows: slice) -> np.ndarray:
        """Block of mentees × all mentors: do they share any term?"""
        acc = np.zeros((rows.stop - rows.start, self.right.shape[0]), dtype=bool)
        for w in range(self.left.shape[1]):
            acc |= (self.left[rows, w, None] & self.right[None, :, w]) != 0
        return acc


def _ids(left: Sequence[str], right: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Strings to integer ids shared by both sides; empty string → -1."""
    index: dict[str, int] = {}
    for s in sorted(set(left) | set(right)):
        if s:
            index[s] = len(index)
    return (
        np.array([index.get(s, -1) for s in left], dtype=np.int64),
        np.array([index.get(s, -1) for s in right], dtype=np.int64),
    )


class _Problem:
    def __init__(
        self,
        mentors: Sequence[Participant],
        mentees: Sequence[Participant],
        rules: Rules,
        weights: Weights,
        forbidden: set[tuple[int, int]],
        prefs: dict[tuple[int, int], int],
    ):
        self.rules, self.weights = rules, weights
        self.n, self.m = len(mentees), len(mentors)
        e, r = mentees, mentors
        self.unit_e, self.unit_r = _ids([_k(p.unit) for p in e], [_k(p.unit) for p in r])
        allp = [_k(p.person) for p in e] + [_k(p.person) for p in r]
        allm = [_k(p.manager) for p in e] + [_k(p.manager) for p in r]
        pid, mid = _ids(allp, allm)
        self.pid_e, self.pid_r = pid[: self.n], pid[self.n :]
        self.mgr_e, self.mgr_r = mid[: self.n], mid[self.n :]
        self.years_e = np.array([p.years for p in e], dtype=np.int64)
        self.years_r = np.array([p.years for p in r], dtype=np.int64)
        self.loc_e, self.loc_r = _ids([_k(p.location) for p in e], [_k(p.location) for p in r])
        self.lang = _Masks([_norm(p.languages) for p in e], [_norm(p.languages) for p in r])
        self.topics = _Masks([_norm(p.topics) for p in e], [_norm(p.topics) for p in r])
        self.goals = _Masks([_norm(p.goals) for p in e], [_norm(p.goals) for p in r])
        self.avail = _Masks([_norm(p.availability) for p in e], [_norm(p.availability) for p in r])
        m = max(self.m, 1)
        self.forbidden = np.array(sorted(i * m + j for i, j in forbidden), dtype=np.int64)
        items = sorted((i * m + j, v) for (i, j), v in prefs.items())
        self.pref_keys = np.array([k for k, _ in items], dtype=np.int64)
        self.pref_vals = np.array([v for _, v in items], dtype=np.int64)

    def rule_masks(self, rows: slice) -> dict[str, np.ndarray]:
        """Per active rule, a block of mentees × mentors: True where the rule allows the pair."""
        out: dict[str, np.ndarray] = {}
        ru = self.rules
        if ru.shared_language:
            out["language"] = self.lang.any_common_outer(rows)
        if ru.min_years_more is not None:
            out["experience"] = (
                self.years_r[None, :] - self.years_e[rows, None] >= ru.min_years_more
            )
        if ru.different_unit:
            ue = self.unit_e[rows, None]
            out["unit"] = (ue != self.unit_r[None, :]) | (ue < 0)
        if ru.not_manager:
            me, pe = self.mgr_e[rows, None], self.pid_e[rows, None]
            out["manager"] = ~(
                ((me >= 0) & (me == self.pid_r[None, :]))
                | ((self.mgr_r[None, :] >= 0) & (self.mgr_r[None, :] == pe))
            )
        if len(self.forbidden):
            ok = np.ones((rows.stop - rows.start, self.m), dtype=bool)
            lo, hi = rows.start * self.m, rows.stop * self.m
            f = self.forbidden[(self.forbidden >= lo) & (self.forbidden < hi)] - lo
            ok.flat[f] = False
            out["forbidden"] = ok
        pe = self.pid_e[rows, None]
        out["self"] = ~((pe >= 0) & (pe == self.pid_r[None, :]))
        return out

    def allowed(self, rows: slice) -> np.ndarray:
        ok = np.ones((rows.stop - rows.start, self.m), dtype=bool)
        for mask in self.rule_masks(rows).values():
            ok &= mask
        return ok

    def parts(self, ei: np.ndarray, ri: np.ndarray) -> np.ndarray:
        """Score parts (columns in PARTS order) for aligned mentee/mentor index arrays."""
        w = self.weights
        out = np.zeros((len(ei), len(PARTS)), dtype=np.int64)

        def frac(weight: int, hit: np.ndarray, total: np.ndarray) -> np.ndarray:
            safe = np.maximum(total, 1)
            return np.where(total > 0, (200 * weight * hit + safe) // (2 * safe), 0)

        if w.expertise:
            out[:, 0] = frac(w.expertise, self.topics.common(ei, ri), self.topics.left_count[ei])
        if w.goals:
            out[:, 1] = frac(w.goals, self.goals.common(ei, ri), self.goals.left_count[ei])
        if w.location:
            le = self.loc_e[ei]
            out[:, 2] = np.where((le >= 0) & (le == self.loc_r[ri]), 100 * w.location, 0)
        if w.availability:
            out[:, 3] = frac(w.availability, self.avail.common(ei, ri), self.avail.left_count[ei])
        if w.preferences and len(self.pref_keys):
            keys = ei * max(self.m, 1) + ri
            pos = np.searchsorted(self.pref_keys, keys)
            pos = np.minimum(pos, len(self.pref_keys) - 1)
            hit = self.pref_keys[pos] == keys
            out[:, 4] = np.where(hit, 50 * w.preferences * self.pref_vals[pos], 0)
        return out


# --- the solver -------------------------------------------------------------------------------


def match(
    mentors: Sequence[Participant],
    mentees: Sequence[Participant],
    rules: Rules | None = None,
    weights: Weights | None = None,
    *,
    locked: Iterable[tuple[str, str]] = (),
    forbidden: Iterable[tuple[str, str]] = (),
    method: str = "auto",
    keep: int | None = None,
) -> Result:
    """Optimal assignment of `mentees` to `mentors` (pairs are (mentee key, mentor key)).

    Raises MatchingError for duplicate keys, capacities below 1, unknown keys in locks or
    forbidden pairs, and locks that contradict the rules, each other or a mentor's capacity.
    `keep` overrides the pairs per mentee the flow solver starts from (matching_flow.KEEP).
    """
    started = time.perf_counter()
    rules = rules or Rules()
    weights = weights or Weights()
    mentors = sorted(mentors, key=lambda p: p.key)
    mentees = sorted(mentees, key=lambda p: p.key)
    problems: list[tuple[str, str]] = []
    for side, people in (("mentor", mentors), ("mentee", mentees)):
        keys = [p.key for p in people]
        dupes = sorted({k for k in keys if keys.count(k) > 1}) if len(set(keys)) < len(keys) else []
        problems += [("duplicate", f"{side} {k}") for k in dupes]
    problems += [("capacity", m.key) for m in mentors if m.capacity < 1]
    for w in PARTS:
        if not 0 <= getattr(weights, w) <= 10:
            problems.append(("weight", w))
    if problems:
        raise MatchingError(problems)
    r_index = {p.key: i for i, p in enumerate(mentors)}
    e_index = {p.key: i for i, p in enumerate(mentees)}

    def resolve(pairs: Iterable[tuple[str, str]], code: str) -> list[tuple[int, int]]:
        out = []
        for e, r in pairs:
            if e not in e_index or r not in r_index:
                problems.append((code + "_unknown", f"{e}–{r}"))
            else:
                out.append((e_index[e], r_index[r]))
        return out

    forbid = set(resolve(forbidden, "forbidden"))
    locks = sorted(set(resolve(locked, "lock")))
    seen_e: dict[int, int] = {}
    used = [0] * len(mentors)
    for i, j in locks:
        e, r = mentees[i], mentors[j]
        if i in seen_e:
            problems.append(("lock_twice", e.key))
        seen_e[i] = j
        used[j] += 1
        bad = violations(r, e, rules) + (["forbidden"] if (i, j) in forbid else [])
        if bad:
            problems.append(("lock_rule", f"{e.key}–{r.key}: {', '.join(bad)}"))
    problems += [
        ("lock_capacity", mentors[j].key)
        for j in range(len(mentors))
        if used[j] > mentors[j].capacity
    ]
    if problems:
        raise MatchingError(problems)

    prefs = _preferences(mentors, mentees, r_index, e_index)
    prob = _Problem(mentors, mentees, rules, weights, forbid, prefs)

    free_rows = np.array([i for i in range(len(mentees)) if i not in seen_e], dtype=np.int64)
    free_cap = np.array([m.capacity - used[j] for j, m in enumerate(mentors)], dtype=np.int64)
    assign, method_used, edges, stats = _solve(prob, free_rows, free_cap, method, keep)
    for i, j in seen_e.items():
        assign[i] = j

    pairs: list[Pair] = []
    total = 0
    matched_e = np.array(sorted(assign), dtype=np.int64)
    matched_r = np.array([assign[i] for i in matched_e], dtype=np.int64)
    part_rows = prob.parts(matched_e, matched_r) if len(matched_e) else np.zeros((0, len(PARTS)))
    for row, (i, j) in enumerate(zip(matched_e.tolist(), matched_r.tolist(), strict=True)):
        parts = {p: int(part_rows[row, c]) for c, p in enumerate(PARTS)}
        score = sum(parts.values())
        total += score
        pairs.append(Pair(mentees[i].key, mentors[j].key, score, parts, locked=i in seen_e))
    unmatched_idx = [i for i in range(len(mentees)) if i not in assign]
    unmatched = [_why(prob, i, mentees[i].key) for i in unmatched_idx]
    return Result(
        pairs=pairs,
        unmatched=unmatched,
        total=total,
        method=method_used,
        seconds=time.perf_counter() - started,
        edges=edges,
        stats=stats,
    )


def _preferences(
    mentors: Sequence[Participant],
    mentees: Sequence[Participant],
    r_index: dict[str, int],
    e_index: dict[str, int],
) -> dict[tuple[int, int], int]:
    out: dict[tuple[int, int], int] = {}
    for i, e in enumerate(mentees):
        for key, v in [(k, 1) for k in e.prefer] + [(k, -1) for k in e.avoid if k not in e.prefer]:
            if key in r_index:
                j = r_index[key]
                out[(i, j)] = out.get((i, j), 0) + v
    for j, r in enumerate(mentors):
        for key, v in [(k, 1) for k in r.prefer] + [(k, -1) for k in r.avoid if k not in r.prefer]:
            if key in e_index:
                i = e_index[key]
                out[(i, j)] = out.get((i, j), 0) + v
    return {k: v for k, v in out.items() if v}


def _solve(
    prob: _Problem, rows: np.ndarray, cap: np.ndarray, method: str, keep: int | None
) -> tuple[dict[int, int], str, int, dict[str, float]]:
    """Assign the mentees in `rows` to mentors with `cap` free slots: max count, then score."""
    t0 = time.perf_counter()
    n = len(rows)
    slots = int(cap.sum())
    if n == 0 or slots == 0:
        return {}, "trivial", 0, {}
    w = prob.weights
    s_max = 100 * sum(w.as_tuple())
    s_min = -100 * w.preferences
    spread = s_max - s_min
    # Unmatched cost: more than any score the rest of the assignment can make up (see module doc).
    d_cost = float((n + 1) * (spread + 1) + 1)
    if method == "auto":
        method = "dense" if n * slots <= DENSE_LIMIT else "flow"
    if method == "flow":
        from bollplank.mentoring import matching_flow

        chosen, edges, t_build = matching_flow.solve(
            lambda: _blocks(prob, rows, cap), n, cap, s_max, int(d_cost), keep or KEEP
        )
        assign = {int(rows[i]): j for i, j in chosen}
    elif method == "dense":
        assign, edges, t_build = _dense(prob, rows, cap, s_max, d_cost)
    else:
        raise ValueError(method)
    stats = {"build_s": t_build, "solve_s": time.perf_counter() - t0 - t_build}
    return assign, method, edges, stats


def _blocks(
    prob: _Problem, rows: np.ndarray, cap: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Allowed pairs (local mentee index, mentor index, score) as int32, BLOCK mentees at a
    time: a national programme has tens of millions, so none are kept beyond their block."""
    open_mentor = (cap > 0)[None, :]
    for start in range(0, len(rows), BLOCK):
        block = rows[start : start + BLOCK]
        lo, hi = int(block[0]), int(block[-1]) + 1
        ok = prob.allowed(slice(lo, hi))[block - lo]
        ok &= open_mentor
        bi, rj = np.nonzero(ok)
        del ok
        scores = prob.parts(block[bi], rj).sum(axis=1).astype(np.int32)
        yield (bi + start).astype(np.int32), rj.astype(np.int32), scores


def _dense(
    prob: _Problem, rows: np.ndarray, cap: np.ndarray, s_max: int, d_cost: float
) -> tuple[dict[int, int], int, float]:
    """Mentees × slots, a disallowed cell costs d_cost. The solver fills min(mentees, slots)
    cells; any set of allowed pairs can be completed by disallowed cells, and each costs more
    than any score can make up, so the most allowed pairs are chosen first, then the best
    score. Chosen disallowed cells are dropped: those mentees are unmatched."""
    t0 = time.perf_counter()
    n, slots = len(rows), int(cap.sum())
    slot_mentor = np.repeat(np.arange(prob.m, dtype=np.int64), cap)
    slot_start = np.concatenate([[0], np.cumsum(cap)[:-1]]).astype(np.int64)
    cost = np.full((n, slots), d_cost)
    edges = 0
    for le, lr, ls in _blocks(prob, rows, cap):
        pair_cost = (1 + s_max - ls).astype(np.float64)
        for k in range(int(cap.max())):  # every slot of a mentor gets the pair's cost
            has = cap[lr] > k
            cost[le[has], slot_start[lr[has]] + k] = pair_cost[has]
        edges += len(le)
    t_build = time.perf_counter() - t0
    # Imported here, not at the top: SciPy takes seconds and tens of MB to load,
    # and every web worker imports this module through the URLs.
    from scipy.optimize import linear_sum_assignment

    row_ind, col_ind = linear_sum_assignment(cost)
    keep = cost[row_ind, col_ind] < d_cost
    assign = {
        int(rows[i]): int(slot_mentor[c])
        for i, c in zip(row_ind[keep].tolist(), col_ind[keep].tolist(), strict=True)
    }
    return assign, edges, t_build


def _why(prob: _Problem, i: int, key: str) -> Unmatched:
    """The first rule (in RULES order) that leaves this mentee without any mentor."""
    if prob.m == 0:
        return Unmatched(key, "no_mentors")
    masks = prob.rule_masks(slice(i, i + 1))
    ok = masks.pop("self")[0].copy()
    if not ok.any():
        return Unmatched(key, "self")
    for rule in RULES:
        if rule in masks:
            ok &= masks[rule][0]
            if not ok.any():
                return Unmatched(key, rule)
    return Unmatched(key, "capacity", int(ok.sum()))
