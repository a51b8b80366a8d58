"""The large-programme solver of the matching engine: maximum flow at minimum cost on a pruned
graph, proven optimal for the whole graph by a dual certificate. Pure NumPy + OR-Tools.

Graph: source → mentee (capacity 1) → mentor (allowed pairs, cost s_max − score) → sink (the
mentor's free places). Maximum flow = most mentees matched; minimum cost among those = highest
total score.

Why pruned: OR-Tools holds about 80 bytes an arc while it solves, and a national programme has
tens of millions of allowed pairs (10,000 × 4,000: 1.8 GB). So only each mentee's `keep` best
pairs go into the solver (matching.KEEP = 100: on the bench's 10,000 × 4,000 programme, about
2,100 allowed pairs a mentee, that already holds an optimum, and no pair is added). That
optimum is then checked against every allowed pair with node potentials (shortest distances
in the residual graph, Bellman–Ford): a left-out pair whose reduced cost is negative could
improve the result, so such pairs are added and the pruned problem solved again, until none
is. Without such pairs the potentials prove the pruned optimum optimal for the whole graph
(linear programming duality for min-cost flow): the same objective as solving the whole graph.

The certificate is for the single-cost form of the objective: an unmatched mentee costs D,
more than any score difference the rest of the assignment can make up (module doc of
matching.py), which has the same optima as "most pairs, then best score".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np

Blocks = Callable[[], Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]]


def solve(
    blocks: Blocks, n: int, cap: np.ndarray, s_max: int, d_cost: int, keep: int
) -> tuple[list[tuple[int, int]], int, float]:
    """Optimal (mentee, mentor) pairs for `n` mentees and mentors with `cap` free places, the
    number of arcs of the whole graph and the seconds the first pass took. Each mentee starts
    with its `keep` best pairs. `blocks()` yields the allowed pairs block by block
    as (mentee, mentor, score) int32 arrays, mentees ascending; it is called once per pass."""
    started = time.perf_counter()
    m = len(cap)
    ee, rr, cc, total = _best(blocks, m, s_max, keep)
    first_pass = time.perf_counter() - started
    order = np.argsort(ee.astype(np.int64) * m + rr, kind="stable")  # arcs in pair order
    ee, rr, cc = ee[order], rr[order], cc[order]
    while True:
        used = _min_cost_flow(ee, rr, cc, n, cap)
        pot = _potentials(ee, rr, cc, used, n, cap, d_cost)
        keys = ee.astype(np.int64) * m + rr
        add = [_improving(b, keys, pot, n, m, s_max) for b in blocks()]
        ae = np.concatenate([a[0] for a in add]) if add else np.zeros(0, dtype=np.int32)
        if not len(ae):
            pairs = [(int(i), int(r)) for i, r in zip(ee[used], rr[used], strict=True)]
            return pairs, total + n + m, first_pass
        ar = np.concatenate([a[1] for a in add])
        ac = np.concatenate([a[2] for a in add])
        order = np.argsort(np.concatenate([keys, ae.astype(np.int64) * m + ar]), kind="stable")
        ee = np.concatenate([ee, ae])[order]
        rr = np.concatenate([rr, ar])[order]
        cc = np.concatenate([cc, ac])[order]


def _best(
    blocks: Blocks, m: int, s_max: int, keep: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Each mentee's `keep` cheapest pairs (ties: lower mentor index), and the count of all."""
    ee, rr, cc = [], [], []
    total = 0
    for le, lr, ls in blocks():
        total += len(le)
        cost = s_max - ls.astype(np.int64)
        order = np.lexsort((cost, le))  # stable: equal costs keep the mentor order
        le, lr, cost = le[order], lr[order], cost[order]
        starts = np.flatnonzero(np.r_[True, le[1:] != le[:-1]])
        rank = np.arange(len(le)) - np.repeat(starts, np.diff(np.r_[starts, len(le)]))
        top = rank < keep
        ee.append(le[top])
        rr.append(lr[top])
        cc.append(cost[top])
    if not ee:
        return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64), 0
    return np.concatenate(ee), np.concatenate(rr), np.concatenate(cc), total


def _min_cost_flow(
    ee: np.ndarray, rr: np.ndarray, cc: np.ndarray, n: int, cap: np.ndarray
) -> np.ndarray:
    """Which of the given pairs carry flow in OR-Tools' maximum flow at minimum cost."""
    from ortools.graph.python import min_cost_flow

    m, k = len(cap), len(ee)
    flow = min_cost_flow.SimpleMinCostFlow()
    src, snk = n + m, n + m + 1
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([np.full(n, src), ee, n + np.arange(m)]).astype(np.int32),
        np.concatenate([np.arange(n), n + rr, np.full(m, snk)]).astype(np.int32),
        np.concatenate([np.ones(n + k, dtype=np.int64), cap]).astype(np.int64),
        np.concatenate([np.zeros(n, dtype=np.int64), cc, np.zeros(m, dtype=np.int64)]),
    )
    flow.set_node_supply(src, n)
    flow.set_node_supply(snk, -n)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:  # pragma: no cover - integer inputs in range always solve
        raise RuntimeError(f"min-cost flow: {status}")
    return np.asarray(flow.flows(np.arange(n, n + k, dtype=np.int64))) > 0


def _potentials(
    ee: np.ndarray,
    rr: np.ndarray,
    cc: np.ndarray,
    used: np.ndarray,
    n: int,
    cap: np.ndarray,
    d_cost: int,
) -> np.ndarray:
    """Shortest distances from a virtual root to every node of the residual graph of an optimal
    flow (Bellman–Ford, vectorised per kind of arc). Nodes: mentees 0..n-1, mentors n..n+m-1,
    source n+m, sink n+m+1; the source → sink arc of cost D stands for "unmatched". An optimal
    flow leaves no negative cycle, so this ends within as many rounds as there are nodes."""
    m = len(cap)
    src, snk = n + m, n + m + 1
    free_e, free_r, free_c = ee[~used], n + rr[~used].astype(np.int64), cc[~used]
    by_r = np.argsort(free_r, kind="stable")
    free_e, free_r, free_c = free_e[by_r], free_r[by_r], free_c[by_r]
    starts = np.flatnonzero(np.r_[True, free_r[1:] != free_r[:-1]])[: len(free_r)]
    heads = free_r[starts]
    pair_e, pair_r, pair_c = ee[used], n + rr[used].astype(np.int64), cc[used]
    matched = np.zeros(n, dtype=bool)
    matched[pair_e] = True
    load = np.bincount(rr[used], minlength=m)
    unmatched, matched_e = np.flatnonzero(~matched), np.flatnonzero(matched)
    open_r, busy_r = n + np.flatnonzero(load < cap), n + np.flatnonzero(load > 0)
    dist = np.zeros(n + m + 2, dtype=np.int64)
    for _ in range(n + m + 3):
        before = dist.copy()
        if len(free_e):  # mentee → mentor, pair not made: cost c
            dist[heads] = np.minimum(
                dist[heads], np.minimum.reduceat(dist[free_e] + free_c, starts)
            )
        dist[pair_e] = np.minimum(dist[pair_e], dist[pair_r] - pair_c)  # back along a made pair
        dist[unmatched] = np.minimum(dist[unmatched], dist[src])
        if len(matched_e):  # a matched mentee's unit can go back to the source
            dist[src] = min(dist[src], dist[matched_e].min())
        if len(open_r):
            dist[snk] = min(dist[snk], dist[open_r].min())
        dist[busy_r] = np.minimum(dist[busy_r], dist[snk])
        if len(matched_e):  # "unmatched" arc: flow n − matched, room for more
            dist[snk] = min(dist[snk], dist[src] + d_cost)
        if len(unmatched):
            dist[src] = min(dist[src], dist[snk] - d_cost)
        if np.array_equal(dist, before):
            return dist
    raise RuntimeError("min-cost flow: residual graph has a negative cycle")  # pragma: no cover


def _improving(
    block: tuple[np.ndarray, np.ndarray, np.ndarray],
    keys: np.ndarray,
    pot: np.ndarray,
    n: int,
    m: int,
    s_max: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The block's pairs left out of the graph whose reduced cost is negative."""
    le, lr, ls = block
    cost = s_max - ls.astype(np.int64)
    bad = cost + pot[le] - pot[n + lr.astype(np.int64)] < 0
    if bad.any() and len(keys):
        k = le[bad].astype(np.int64) * m + lr[bad]
        pos = np.minimum(np.searchsorted(keys, k), len(keys) - 1)
        bad[np.flatnonzero(bad)[keys[pos] == k]] = False
    return le[bad], lr[bad], cost[bad]
