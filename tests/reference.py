"""Independent reference answers for the assignment problem, to check the solvers against.

Every function returns ``(places, total)``: the most mentee places that can be filled and, among
assignments filling that many, the largest total score among those giving the most mentees at
least one mentor (DESIGN: "match as many mentees as possible; among those, maximise the total").
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment

Edge = tuple[int, int, float]


def allowed_edges(scores: np.ndarray, min_score: float | None = None) -> list[Edge]:
    """The finite cells (at or above ``min_score``) of a ``(n_mentees, n_mentors)`` matrix."""
    out = []
    for i, j in zip(*np.nonzero(np.isfinite(scores)), strict=True):
        value = float(scores[i, j])
        if min_score is None or value >= min_score:
            out.append((int(i), int(j), value))
    return out


def brute_force(
    edges: list[Edge], mentee_cap: np.ndarray, mentor_cap: np.ndarray
) -> tuple[int, float]:
    """Try every subset of edges that respects both capacities (tiny instances only)."""
    best = (0, 0, 0.0)
    e_left = [int(c) for c in mentee_cap]
    m_left = [int(c) for c in mentor_cap]
    e_got = [0] * len(e_left)

    def walk(k: int, places: int, total: float) -> None:
        nonlocal best
        covered = sum(1 for g in e_got if g > 0)
        if (places, covered, total) > (best[0], best[1], best[2] + 1e-9):
            best = (places, covered, total)
        if k == len(edges):
            return
        i, j, s = edges[k]
        if e_left[i] > 0 and m_left[j] > 0:
            e_left[i] -= 1
            m_left[j] -= 1
            e_got[i] += 1
            walk(k + 1, places + 1, total + s)
            e_left[i] += 1
            m_left[j] += 1
            e_got[i] -= 1
        walk(k + 1, places, total)

    walk(0, 0, 0.0)
    return best[0], best[2]


def lsa_optimum(
    scores: np.ndarray, mentor_cap: np.ndarray, min_score: float | None = None
) -> tuple[int, float]:
    """scipy's Hungarian method with each mentor column repeated ``capacity`` times.

    Valid when every mentee wants one mentor.  Allowed pairs weigh ``BIG + score`` and the
    others 0, so maximising the weight fills the most places first, then the best total.
    """
    n_e = scores.shape[0]
    columns = np.repeat(np.arange(scores.shape[1]), mentor_cap)
    if n_e == 0 or columns.size == 0:
        return 0, 0.0
    sub = scores[:, columns]
    allowed = np.isfinite(sub)
    if min_score is not None:
        allowed &= np.where(allowed, sub, -np.inf) >= min_score
    big = 10.0 * (1.0 + np.nansum(np.abs(scores)))
    weight = np.where(allowed, big + np.where(allowed, sub, 0.0), 0.0)
    r, c = linear_sum_assignment(weight, maximize=True)
    used = allowed[r, c]
    return int(used.sum()), float(sub[r[used], c[used]].sum())


def flow_optimum(
    edges: list[Edge], mentee_cap: np.ndarray, mentor_cap: np.ndarray, scale: int = 1_000_000
) -> tuple[int, float]:
    """networkx max-flow min-cost on source -> mentees -> mentors -> sink; a mentee's first
    place carries a bonus larger than any total score (the most mentees, then the total)."""
    g = nx.DiGraph()
    g.add_node("s")
    g.add_node("t")
    bonus = 2 * scale * (1 + int(sum(abs(s) for _, _, s in edges)))
    for i, cap in enumerate(mentee_cap):
        if cap >= 1:
            g.add_edge("s", ("e", i), capacity=1, weight=-bonus)
        if cap >= 2:
            g.add_edge("s", ("more", i), capacity=int(cap) - 1, weight=0)
            g.add_edge(("more", i), ("e", i), capacity=int(cap) - 1, weight=0)
    for j, cap in enumerate(mentor_cap):
        g.add_edge(("m", j), "t", capacity=int(cap), weight=0)
    for i, j, s in edges:
        g.add_edge(("e", i), ("m", j), capacity=1, weight=-round(s * scale))
    flow = nx.max_flow_min_cost(g, "s", "t")
    places = sum(flow["s"].values())
    total = sum(flow[("e", i)][("m", j)] * s for i, j, s in edges)
    return int(places), float(total)
