"""The compiled loops of lazy deferred acceptance (see ``_lazy_stable``): the proposals and the
blocking-pair check, by numba; imported only when that path runs.  Compiled code is cached on
disk (``cache=True``).

A drawn pair ``d`` is known by its mentee ``row_of[d]``, mentor ``col_of[d]`` and score
``units[d]``; the stated ranks are arrays over the drawn pairs too, or empty where nobody
stated one (every pair unranked).  The tie-break is computed on demand from the pair
(:func:`tie`), as :func:`matcher.engine._lazy_stable.pair_tiebreak` computes it.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

__all__ = ["blocking", "propose", "tie"]

#: A rank key after every stated rank (unranked), as ``_lazy_stable._UNRANKED``.
UNRANKED = np.int64(1) << 40


@numba.njit(cache=True, nogil=True, inline="always")
def tie(row: int, col: int, width: int, salt: Any) -> Any:
    """The seeded tie-break of pair (row, col): splitmix64 of its index, salted, halved."""
    z = np.uint64(row) * np.uint64(width) + np.uint64(col) + salt
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.int64(z >> np.uint64(1))


@numba.njit(cache=True, nogil=True, inline="always")
def _rank(ranks: Any, d: int) -> Any:
    """The rank key of drawn pair ``d`` (UNRANKED where not stated or nobody stated one)."""
    if ranks.size == 0 or ranks[d] <= 0:
        return UNRANKED
    return np.int64(ranks[d])


@numba.njit(cache=True, nogil=True)
def _worse(
    a: int, b: int, mrank: Any, units: Any, row_of: Any, col_of: Any, width: int, salt: Any
) -> bool:
    """Whether the mentor ranks drawn pair ``a`` after drawn pair ``b`` (same mentor)."""
    ra, rb = _rank(mrank, a), _rank(mrank, b)
    if ra != rb:
        return bool(ra > rb)
    if units[a] != units[b]:
        return bool(units[a] < units[b])
    ta = tie(row_of[a], col_of[a], width, salt)
    tb = tie(row_of[b], col_of[b], width, salt)
    return bool(ta > tb)


@numba.njit(cache=True, nogil=True)
def propose(
    stack: Any,
    n_stack: int,
    on_stack: Any,
    pool: Any,
    start: Any,
    ptr: Any,
    settled: Any,
    count: Any,
    want: Any,
    row_of: Any,
    col_of: Any,
    units: Any,
    mrank: Any,
    width: int,
    salt: Any,
    cap: Any,
    held: Any,
    n_held: Any,
    worst: Any,
) -> int:
    """Mentees on ``stack`` propose one at a time to their next settled pair until every one
    is full or has no settled pair left; a mentee displaced goes back on the stack.  Returns
    the number of proposals made to mentors with places (as the dense solver counts them).
    Mentee ``i``'s list: ``pool[start[i] + ptr[i]]`` onwards, ``settled[i]`` long.
    ``worst[j]``: the slot of mentor ``j``'s least preferred held pair, kept while it is full
    (-1 until then)."""
    proposals = 0
    while n_stack > 0:
        i = stack[n_stack - 1]
        if count[i] >= want[i] or ptr[i] >= settled[i]:
            n_stack -= 1
            on_stack[i] = False
            continue
        d = pool[start[i] + ptr[i]]
        ptr[i] += 1
        j = col_of[d]
        if cap[j] <= 0:
            continue
        proposals += 1
        if n_held[j] < cap[j]:
            held[j, n_held[j]] = d
            n_held[j] += 1
            count[i] += 1
            if n_held[j] == cap[j]:
                worst[j] = _least(j, held, n_held, mrank, units, row_of, col_of, width, salt)
            continue
        w = held[j, worst[j]]
        if _worse(d, w, mrank, units, row_of, col_of, width, salt):
            continue  # rejected: i proposes again
        held[j, worst[j]] = d
        worst[j] = _least(j, held, n_held, mrank, units, row_of, col_of, width, salt)
        count[i] += 1
        out = row_of[w]
        count[out] -= 1
        if not on_stack[out]:
            on_stack[out] = True
            stack[n_stack] = out
            n_stack += 1
    return proposals


@numba.njit(cache=True, nogil=True)
def _least(
    j: int,
    held: Any,
    n_held: Any,
    mrank: Any,
    units: Any,
    row_of: Any,
    col_of: Any,
    width: int,
    salt: Any,
) -> int:
    """The slot of the pair mentor ``j`` likes least among those it holds."""
    worst = 0
    for k in range(1, n_held[j]):
        if _worse(held[j, k], held[j, worst], mrank, units, row_of, col_of, width, salt):
            worst = k
    return worst


@numba.njit(cache=True, nogil=True)
def _before(r1: Any, u1: Any, t1: Any, r2: Any, u2: Any, t2: Any) -> bool:
    """Whether key (rank, units, tie) comes first in an order: rank up, score down, tie up."""
    if r1 != r2:
        return bool(r1 < r2)
    if u1 != u2:
        return bool(u1 > u2)
    return bool(t1 < t2)


@numba.njit(cache=True, nogil=True)
def blocking(
    row_of: Any,
    col_of: Any,
    units: Any,
    erank: Any,
    mrank: Any,
    acceptable: Any,
    chosen: Any,
    mentee_cap: Any,
    mentor_cap: Any,
    width: int,
    salt: Any,
) -> int:
    """How many acceptable drawn pairs block the ``chosen`` ones: the mentee has a free place
    or holds a partner it ranks after the pair, and the mentor likewise (as
    :func:`matcher.solvers.blocking_pairs` counts them), in one pass over the pairs."""
    n_e, n_m = mentee_cap.size, mentor_cap.size
    in_match = np.zeros(row_of.size, np.bool_)
    got_e = np.zeros(n_e, np.int64)
    got_m = np.zeros(n_m, np.int64)
    # each side's least preferred partner held: (rank, units, tie)
    we = np.zeros((n_e, 3), np.int64)
    wm = np.zeros((n_m, 3), np.int64)
    for k in range(chosen.size):
        d = chosen[k]
        in_match[d] = True
        i, j = row_of[d], col_of[d]
        t = tie(i, j, width, salt)
        re, rm, u = _rank(erank, d), _rank(mrank, d), units[d]
        if got_e[i] == 0 or _before(we[i, 0], we[i, 1], we[i, 2], re, u, t):
            we[i, 0], we[i, 1], we[i, 2] = re, u, t
        if got_m[j] == 0 or _before(wm[j, 0], wm[j, 1], wm[j, 2], rm, u, t):
            wm[j, 0], wm[j, 1], wm[j, 2] = rm, u, t
        got_e[i] += 1
        got_m[j] += 1
    found = 0
    for d in range(row_of.size):
        if in_match[d] or not acceptable[d]:
            continue
        i, j = row_of[d], col_of[d]
        if mentor_cap[j] <= 0:
            continue
        u = units[d]
        t = np.int64(-1)
        if got_e[i] >= mentee_cap[i]:
            t = tie(i, j, width, salt)
            if not _before(_rank(erank, d), u, t, we[i, 0], we[i, 1], we[i, 2]):
                continue
        if got_m[j] >= mentor_cap[j]:
            if t < 0:
                t = tie(i, j, width, salt)
            if not _before(_rank(mrank, d), u, t, wm[j, 0], wm[j, 1], wm[j, 2]):
                continue
        found += 1
    return found


def empty_held(n_m: int, cap: Any) -> tuple[Any, Any, Any]:
    """Per mentor, room for its places (drawn-pair indices), how many are held and the slot
    of the least preferred once full."""
    return (
        np.zeros((n_m, max(int(cap.max(initial=0)), 1)), np.int64),
        np.zeros(n_m, np.int64),
        np.full(n_m, -1, np.int64),
    )
