"""Re-optimising an optimal flow after candidate pairs are added (compiled, numba).

The certificate loop (``matcher.engine.certified_optimal``) solves on each mentee's best pairs,
prices the pairs left out and adds back those that could improve the matching.  Solving again
from scratch repeats almost all of the work: the new pairs change the optimum only around a
few mentees.  This module keeps the optimal flow and its node potentials (the certificate) and
repairs them locally, by successive shortest paths:

1. Every mentee with an added pair of negative reduced cost gives up its mentors.  Its
   potential is raised until no arc out of it has a negative reduced cost; the places it held
   become *deficits* at its former mentors, the mentors it now wants an *excess* at itself.
2. From each excess, Dijkstra on reduced costs (all non-negative) finds the cheapest path to a
   deficit; one unit is sent along it and the potentials of the nodes it settled are lowered,
   which keeps every reduced cost non-negative.

The network, and the order of its nodes in ``d``, is the one of :mod:`matcher.solvers._network`
(shared with :func:`matcher.solvers.solve_optimal` and :func:`matcher.solvers.flow_potentials`):
source -> mentee (a first place worth the mentee bonus, further places worth 0) -> mentor (pair
cost ``-(M + score)``) -> sink, and a return arc sink -> source. The source and the sink touch
every participant; Dijkstra does not scan them but walks three indexed heaps of their neighbours
in order of reduced cost, so a path through the source or the sink costs a few heap steps.

The caller checks the result in numpy (:func:`matcher.solvers.holds`): a flow that breaks a
capacity or a potential that leaves a negative reduced cost is never reported as optimal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numba as nb
import numpy as np
import numpy.typing as npt

from matcher.solvers._network import Nodes

__all__ = ["WarmResult", "reoptimize"]

log = logging.getLogger(__name__)

# arc kinds on a path (how a node was reached)
_PAIR_FWD = 0  # mentee -> mentor: the pair is taken
_PAIR_BWD = 1  # mentor -> mentee: the pair is given up
_FIRST_FWD = 2  # source -> mentee: the mentee's first place
_FIRST_BWD = 3
_MORE_FWD = 4  # source -> mentee: a further place
_MORE_BWD = 5
_SINK_FWD = 6  # mentor -> sink: one more place of the mentor used
_SINK_BWD = 7
_RETURN_FWD = 8  # sink -> source
_RETURN_BWD = 9

_INF = np.int64(1) << np.int64(62)


@dataclass
class WarmResult:
    """The optimal flow (``used[k]``: pair k taken) and its node potentials ``d`` (in the
    network's node order), with how much work the repair took."""

    used: npt.NDArray[np.bool_]
    d: npt.NDArray[np.int64]
    freed: int
    paths: int
    settled: int


# ---------------------------------------------------------------------- indexed heaps
# A min-heap of members (mentees or mentors) keyed by minus their potential, with each
# member's position, so that keys can change and members come and go between searches.


@nb.njit(cache=True)
def _h_up(hk, hv, hp, pos):  # type: ignore[no-untyped-def]
    key = hk[pos]
    member = hv[pos]
    while pos > 0:
        parent = (pos - 1) >> 1
        if hk[parent] <= key:
            break
        hk[pos] = hk[parent]
        hv[pos] = hv[parent]
        hp[hv[pos]] = pos
        pos = parent
    hk[pos] = key
    hv[pos] = member
    hp[member] = pos


@nb.njit(cache=True)
def _h_down(hk, hv, hp, size, pos):  # type: ignore[no-untyped-def]
    key = hk[pos]
    member = hv[pos]
    while True:
        child = 2 * pos + 1
        if child >= size:
            break
        if child + 1 < size and hk[child + 1] < hk[child]:
            child += 1
        if hk[child] >= key:
            break
        hk[pos] = hk[child]
        hv[pos] = hv[child]
        hp[hv[pos]] = pos
        pos = child
    hk[pos] = key
    hv[pos] = member
    hp[member] = pos


@nb.njit(cache=True)
def _h_insert(hk, hv, hp, hs, member, key):  # type: ignore[no-untyped-def]
    if hp[member] >= 0:
        return
    pos = hs[0]
    hs[0] += 1
    hk[pos] = key
    hv[pos] = member
    hp[member] = pos
    _h_up(hk, hv, hp, pos)


@nb.njit(cache=True)
def _h_remove(hk, hv, hp, hs, member):  # type: ignore[no-untyped-def]
    pos = hp[member]
    if pos < 0:
        return
    hp[member] = -1
    hs[0] -= 1
    last = hs[0]
    if pos == last:
        return
    moved = hv[last]
    hk[pos] = hk[last]
    hv[pos] = moved
    hp[moved] = pos
    _h_up(hk, hv, hp, pos)
    _h_down(hk, hv, hp, hs[0], hp[moved])


@nb.njit(cache=True)
def _h_update(hk, hv, hp, hs, member, key):  # type: ignore[no-untyped-def]
    pos = hp[member]
    if pos < 0:
        return
    old = hk[pos]
    hk[pos] = key
    if key < old:
        _h_up(hk, hv, hp, pos)
    else:
        _h_down(hk, hv, hp, hs[0], pos)


# ---------------------------------------------------------------------- the search heap


@nb.njit(cache=True)
def _push(qk, qv, qs, key, value):  # type: ignore[no-untyped-def]
    pos = qs[0]
    qs[0] += 1
    while pos > 0:
        parent = (pos - 1) >> 1
        if qk[parent] <= key:
            break
        qk[pos] = qk[parent]
        qv[pos] = qv[parent]
        pos = parent
    qk[pos] = key
    qv[pos] = value


@nb.njit(cache=True)
def _pop(qk, qv, qs):  # type: ignore[no-untyped-def]
    key = qk[0]
    value = qv[0]
    qs[0] -= 1
    size = qs[0]
    if size > 0:
        last_k = qk[size]
        last_v = qv[size]
        pos = 0
        while True:
            child = 2 * pos + 1
            if child >= size:
                break
            if child + 1 < size and qk[child + 1] < qk[child]:
                child += 1
            if qk[child] >= last_k:
                break
            qk[pos] = qk[child]
            qv[pos] = qv[child]
            pos = child
        qk[pos] = last_k
        qv[pos] = last_v
    return key, value


@nb.njit(cache=True, inline="always")
def _slot_set(slot, lo, hi, old, new):  # type: ignore[no-untyped-def]
    """The first of ``slot[lo:hi]`` that holds ``old`` now holds ``new`` (a pair arc taken by
    a mentee or a mentor: -1 for a free slot)."""
    for s in range(lo, hi):
        if slot[s] == old:
            slot[s] = new
            return


@nb.njit(cache=True, inline="always")
def _reach(  # type: ignore[no-untyped-def]
    w, nd, u, how, a, stamp, best_t, target, done, seen, dist, pred, kind, via, qk, qv, qs, excess
):
    """Relax the arc ``u -> w`` (kind ``how``, pair ``a`` or -1) to distance ``nd`` in the
    search ``stamp``; returns the nearest deficit found so far, (distance, node)."""
    if done[w] != stamp and (seen[w] != stamp or nd < dist[w]):
        seen[w] = stamp
        dist[w] = nd
        pred[w] = u
        kind[w] = how
        via[w] = a
        _push(qk, qv, qs, nd, w)
        if excess[w] < 0 and nd < best_t:
            return nd, w
    return best_t, target


# ---------------------------------------------------------------------- the repair


@nb.njit(cache=True, nogil=True)
def _repair(  # type: ignore[no-untyped-def]
    row_ptr, arc_row, arc_col, cost, used, e_cap, m_cap, bonus, d, src, snk, max_freed, max_settled
):
    """Re-optimise ``used`` (the flow on pair arcs) and ``d`` in place; see the module doc.
    Returns (mentees freed, paths sent, nodes settled, status): status 0 = done,
    1 = a deficit could not be reached, 2 = more than ``max_freed`` mentees to free or more
    than ``max_settled`` nodes settled (the caller then solves from scratch)."""
    n_e = e_cap.shape[0]
    n_m = m_cap.shape[0]
    n_nodes = d.shape[0]  # mentees, mentors, and the source and sink at ``src`` and ``snk``
    n_arcs = arc_col.shape[0]

    # ---- the flow: slots of each mentor and mentee hold the arcs taken
    m_start = np.zeros(n_m + 1, np.int64)
    for j in range(n_m):
        m_start[j + 1] = m_start[j] + m_cap[j]
    e_start = np.zeros(n_e + 1, np.int64)
    for i in range(n_e):
        e_start[i + 1] = e_start[i] + e_cap[i]
    m_slot = np.full(m_start[n_m], -1, np.int64)
    e_slot = np.full(e_start[n_e], -1, np.int64)
    m_load = np.zeros(n_m, np.int64)
    e_load = np.zeros(n_e, np.int64)
    for a in range(n_arcs):
        if used[a]:
            i = arc_row[a]
            j = arc_col[a]
            m_slot[m_start[j] + m_load[j]] = a
            m_load[j] += 1
            e_slot[e_start[i] + e_load[i]] = a
            e_load[i] += 1
    tflow = m_load.copy()  # flow mentor -> sink
    f1 = np.zeros(n_e, np.int64)  # flow on the first-place arc source -> mentee
    f2 = np.zeros(n_e, np.int64)  # flow on the further-places arc
    for i in range(n_e):
        if e_load[i] > 0:
            f1[i] = 1
            f2[i] = e_load[i] - 1
    excess = np.zeros(n_nodes, np.int64)

    # ---- 1. free every mentee with a pair of negative reduced cost
    freed = 0
    for i in range(n_e):
        for a in range(row_ptr[i], row_ptr[i + 1]):
            if not used[a] and d[n_e + arc_col[a]] - cost[a] > d[i]:
                freed += 1
                break
    if freed > max_freed:
        return freed, 0, 0, 2
    freed = 0
    todo = np.empty(n_e, np.int64)
    n_todo = 0
    for i in range(n_e):
        want = d[i]
        for a in range(row_ptr[i], row_ptr[i + 1]):
            if not used[a]:
                reach = d[n_e + arc_col[a]] - cost[a]
                if reach > want:
                    want = reach
        if want == d[i]:
            continue
        freed += 1
        for s in range(e_start[i], e_start[i + 1]):
            a = e_slot[s]
            if a < 0:
                continue
            e_slot[s] = -1
            used[a] = False
            j = arc_col[a]
            _slot_set(m_slot, m_start[j], m_start[j + 1], a, -1)
            excess[n_e + j] -= 1
            excess[i] += 1
        for a in range(row_ptr[i], row_ptr[i + 1]):
            reach = d[n_e + arc_col[a]] - cost[a]
            if reach > want:
                want = reach
        d[i] = want
        if e_cap[i] >= 1 and f1[i] == 0 and -bonus + d[src] - d[i] < 0:
            f1[i] = 1
            excess[i] += 1
            excess[src] -= 1
        if e_cap[i] >= 2 and f2[i] < e_cap[i] - 1 and d[src] - d[i] < 0:
            excess[i] += e_cap[i] - 1 - f2[i]
            excess[src] -= e_cap[i] - 1 - f2[i]
            f2[i] = e_cap[i] - 1
        if excess[i] > 0:
            todo[n_todo] = i
            n_todo += 1

    # ---- the hubs' neighbours, in order of reduced cost (key = -potential)
    ht_k = np.empty(n_m, np.int64)  # mentors with flow to the sink
    ht_v = np.empty(n_m, np.int64)
    ht_p = np.full(n_m, -1, np.int64)
    ht_s = np.zeros(1, np.int64)
    h1_k = np.empty(n_e, np.int64)  # mentees whose first place is open
    h1_v = np.empty(n_e, np.int64)
    h1_p = np.full(n_e, -1, np.int64)
    h1_s = np.zeros(1, np.int64)
    h2_k = np.empty(n_e, np.int64)  # mentees with a further place open
    h2_v = np.empty(n_e, np.int64)
    h2_p = np.full(n_e, -1, np.int64)
    h2_s = np.zeros(1, np.int64)
    for j in range(n_m):
        if tflow[j] > 0:
            _h_insert(ht_k, ht_v, ht_p, ht_s, j, -d[n_e + j])
    for i in range(n_e):
        if e_cap[i] >= 1 and f1[i] == 0:
            _h_insert(h1_k, h1_v, h1_p, h1_s, i, -d[i])
        if e_cap[i] >= 2 and f2[i] < e_cap[i] - 1:
            _h_insert(h2_k, h2_v, h2_p, h2_s, i, -d[i])
    ts = np.int64(0)  # flow on the return arc
    for j in range(n_m):
        ts += tflow[j]

    # ---- 2. successive shortest paths from each excess
    dist = np.zeros(n_nodes, np.int64)
    seen = np.zeros(n_nodes, np.int64)
    done = np.zeros(n_nodes, np.int64)
    pred = np.zeros(n_nodes, np.int64)
    kind = np.zeros(n_nodes, np.int64)
    via = np.zeros(n_nodes, np.int64)
    settled = np.empty(n_nodes, np.int64)
    cap_q = 2 * n_arcs + 8 * n_nodes + 16
    qk = np.empty(cap_q, np.int64)
    qv = np.empty(cap_q, np.int64)
    qs = np.zeros(1, np.int64)
    path_n = np.empty(n_nodes, np.int64)
    path_k = np.empty(n_nodes, np.int64)
    path_a = np.empty(n_nodes, np.int64)
    path_p = np.empty(n_nodes, np.int64)
    stamp = 0
    paths = 0
    total_settled = 0
    for t_i in range(n_todo):
        start = todo[t_i]
        while excess[start] > 0:
            stamp += 1
            qs[0] = 0
            dist[start] = 0
            seen[start] = stamp
            _push(qk, qv, qs, 0, start)
            n_set = 0
            target = -1
            best_t = _INF
            while qs[0] > 0:
                key, value = _pop(qk, qv, qs)
                if key >= best_t:  # the nearest deficit is found
                    break
                if value >= n_nodes:  # a cursor into a hub's heap: (position, heap)
                    code = value - n_nodes
                    h = code % 3
                    pos = code // 3
                    if h == 0:
                        hk = ht_k
                        hv = ht_v
                        size = ht_s[0]
                        node = n_e + hv[pos]
                        how = _SINK_BWD
                        hub = snk
                    elif h == 1:
                        hk = h1_k
                        hv = h1_v
                        size = h1_s[0]
                        node = hv[pos]
                        how = _FIRST_FWD
                        hub = src
                    else:
                        hk = h2_k
                        hv = h2_v
                        size = h2_s[0]
                        node = hv[pos]
                        how = _MORE_FWD
                        hub = src
                    for child in (2 * pos + 1, 2 * pos + 2):
                        if child < size:
                            _push(qk, qv, qs, key - hk[pos] + hk[child], n_nodes + child * 3 + h)
                    best_t, target = _reach(
                        node,
                        key,
                        hub,
                        how,
                        -1,
                        stamp,
                        best_t,
                        target,
                        done,
                        seen,
                        dist,
                        pred,
                        kind,
                        via,
                        qk,
                        qv,
                        qs,
                        excess,
                    )
                    continue
                u = value
                if done[u] == stamp or key > dist[u]:
                    continue
                done[u] = stamp
                settled[n_set] = u
                n_set += 1
                du = d[u]
                if u < n_e:  # a mentee
                    for a in range(row_ptr[u], row_ptr[u + 1]):
                        if used[a]:
                            continue
                        w = n_e + arc_col[a]
                        nd = key + cost[a] + du - d[w]
                        best_t, target = _reach(
                            w,
                            nd,
                            u,
                            _PAIR_FWD,
                            a,
                            stamp,
                            best_t,
                            target,
                            done,
                            seen,
                            dist,
                            pred,
                            kind,
                            via,
                            qk,
                            qv,
                            qs,
                            excess,
                        )
                    if f2[u] > 0 or f1[u] > 0:
                        if f2[u] > 0:
                            nd = key + du - d[src]
                            how = _MORE_BWD
                        else:
                            nd = key + bonus + du - d[src]
                            how = _FIRST_BWD
                        best_t, target = _reach(
                            src,
                            nd,
                            u,
                            how,
                            -1,
                            stamp,
                            best_t,
                            target,
                            done,
                            seen,
                            dist,
                            pred,
                            kind,
                            via,
                            qk,
                            qv,
                            qs,
                            excess,
                        )
                elif u < n_e + n_m:  # a mentor
                    j = u - n_e
                    for s in range(m_start[j], m_start[j + 1]):
                        a = m_slot[s]
                        if a < 0:
                            continue
                        w = arc_row[a]
                        nd = key - cost[a] + du - d[w]
                        best_t, target = _reach(
                            w,
                            nd,
                            u,
                            _PAIR_BWD,
                            a,
                            stamp,
                            best_t,
                            target,
                            done,
                            seen,
                            dist,
                            pred,
                            kind,
                            via,
                            qk,
                            qv,
                            qs,
                            excess,
                        )
                    if tflow[j] < m_cap[j]:
                        nd = key + du - d[snk]
                        best_t, target = _reach(
                            snk,
                            nd,
                            u,
                            _SINK_FWD,
                            -1,
                            stamp,
                            best_t,
                            target,
                            done,
                            seen,
                            dist,
                            pred,
                            kind,
                            via,
                            qk,
                            qv,
                            qs,
                            excess,
                        )
                elif u == snk:
                    nd = key + du - d[src]
                    best_t, target = _reach(
                        src,
                        nd,
                        u,
                        _RETURN_FWD,
                        -1,
                        stamp,
                        best_t,
                        target,
                        done,
                        seen,
                        dist,
                        pred,
                        kind,
                        via,
                        qk,
                        qv,
                        qs,
                        excess,
                    )
                    if ht_s[0] > 0:
                        _push(qk, qv, qs, key + du + ht_k[0], n_nodes + 0)
                else:  # the source
                    if ts > 0:
                        nd = key + du - d[snk]
                        best_t, target = _reach(
                            snk,
                            nd,
                            u,
                            _RETURN_BWD,
                            -1,
                            stamp,
                            best_t,
                            target,
                            done,
                            seen,
                            dist,
                            pred,
                            kind,
                            via,
                            qk,
                            qv,
                            qs,
                            excess,
                        )
                    if h1_s[0] > 0:
                        _push(qk, qv, qs, key - bonus + du + h1_k[0], n_nodes + 1)
                    if h2_s[0] > 0:
                        _push(qk, qv, qs, key + du + h2_k[0], n_nodes + 2)
            total_settled += n_set
            if target < 0:
                return freed, paths, total_settled, 1
            if total_settled > max_settled:
                return freed, paths, total_settled, 2
            big_d = best_t
            paths += 1
            # the path, target back to start
            n_path = 0
            w = target
            while w != start:
                path_n[n_path] = w
                path_k[n_path] = kind[w]
                path_a[n_path] = via[w]
                path_p[n_path] = pred[w]
                n_path += 1
                w = pred[w]
            # give up pairs first, so that the places they free can be taken
            for p in range(n_path):
                if path_k[p] == _PAIR_BWD:
                    a = path_a[p]
                    used[a] = False
                    i = arc_row[a]
                    j = arc_col[a]
                    _slot_set(e_slot, e_start[i], e_start[i + 1], a, -1)
                    _slot_set(m_slot, m_start[j], m_start[j + 1], a, -1)
            for p in range(n_path):
                k = path_k[p]
                w = path_n[p]
                if k == _PAIR_FWD:
                    a = path_a[p]
                    used[a] = True
                    i = arc_row[a]
                    j = arc_col[a]
                    _slot_set(e_slot, e_start[i], e_start[i + 1], -1, a)
                    _slot_set(m_slot, m_start[j], m_start[j + 1], -1, a)
                elif k == _FIRST_FWD:
                    f1[w] = 1
                    _h_remove(h1_k, h1_v, h1_p, h1_s, w)
                elif k == _FIRST_BWD:
                    v = path_p[p]
                    f1[v] = 0
                    _h_insert(h1_k, h1_v, h1_p, h1_s, v, -d[v])
                elif k == _MORE_FWD:
                    f2[w] += 1
                    if f2[w] >= e_cap[w] - 1:
                        _h_remove(h2_k, h2_v, h2_p, h2_s, w)
                elif k == _MORE_BWD:
                    v = path_p[p]
                    f2[v] -= 1
                    _h_insert(h2_k, h2_v, h2_p, h2_s, v, -d[v])
                elif k == _SINK_FWD:
                    j = path_p[p] - n_e
                    tflow[j] += 1
                    if tflow[j] == 1:
                        _h_insert(ht_k, ht_v, ht_p, ht_s, j, -d[n_e + j])
                elif k == _SINK_BWD:
                    j = w - n_e
                    tflow[j] -= 1
                    if tflow[j] == 0:
                        _h_remove(ht_k, ht_v, ht_p, ht_s, j)
                elif k == _RETURN_FWD:
                    ts += 1
                elif k == _RETURN_BWD:
                    ts -= 1
            excess[start] -= 1
            excess[target] += 1
            # lower the potentials of the nodes settled closer than the target
            for p in range(n_set):
                u = settled[p]
                if dist[u] >= big_d:
                    continue
                d[u] -= big_d - dist[u]
                if u < n_e:
                    _h_update(h1_k, h1_v, h1_p, h1_s, u, -d[u])
                    _h_update(h2_k, h2_v, h2_p, h2_s, u, -d[u])
                elif u < n_e + n_m:
                    _h_update(ht_k, ht_v, ht_p, ht_s, u - n_e, -d[u])
    return freed, paths, total_settled, 0


def reoptimize(
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
    costs: npt.NDArray[np.int64],
    used: npt.NDArray[np.bool_],
    mentee_cap: npt.NDArray[np.int64],
    mentor_cap: npt.NDArray[np.int64],
    bonus: int,
    d: npt.NDArray[np.int64],
    *,
    max_freed: int | None = None,
    max_settled: int | None = None,
) -> WarmResult | None:
    """The optimal flow on the pairs ``rows``/``cols`` (pair costs ``costs``), starting from
    ``used`` and potentials ``d`` that were optimal on a subset of them (pairs added since carry
    ``used = False``).  None if the repair could not finish, or would free more than
    ``max_freed`` mentees, or settled more than ``max_settled`` nodes (solve from scratch
    then: a repair that reaches far is slower than a new solve)."""
    n_e = mentee_cap.shape[0]
    nodes = Nodes(n_e, mentor_cap.shape[0])
    if d.shape[0] != nodes.count:
        raise ValueError(f"d must hold {nodes.count} node potentials, got {d.shape[0]}")
    order = np.argsort(rows, kind="stable")
    arc_row = rows[order].astype(np.int64)
    arc_col = cols[order].astype(np.int64)
    arc_cost = costs[order].astype(np.int64)
    flow = used[order].copy()
    row_ptr = np.zeros(n_e + 1, np.int64)
    np.cumsum(np.bincount(arc_row, minlength=n_e), out=row_ptr[1:])
    pot = d.astype(np.int64).copy()
    freed, paths, settled, status = _repair(
        row_ptr,
        arc_row,
        arc_col,
        arc_cost,
        flow,
        mentee_cap.astype(np.int64),
        mentor_cap.astype(np.int64),
        np.int64(bonus),
        pot,
        np.int64(nodes.source),
        np.int64(nodes.sink),
        np.int64(n_e if max_freed is None else max_freed),
        np.int64(_INF if max_settled is None else max_settled),
    )
    if status != 0:
        log.info(
            "repair stopped (status %d): %d mentees to free, %d paths, %d nodes settled",
            status,
            freed,
            paths,
            settled,
        )
        return None
    out = np.empty_like(flow)
    out[order] = flow
    return WarmResult(out, pot, int(freed), int(paths), int(settled))
