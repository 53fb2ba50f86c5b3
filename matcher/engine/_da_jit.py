"""The proposal loop of lazy deferred acceptance (see ``_lazy_stable``), compiled by numba;
imported only when that path runs.  Compiled code is cached on disk (``cache=True``)."""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

__all__ = ["propose"]


@numba.njit(cache=True, nogil=True)
def _worse(a: int, b: int, mrk: Any, units: Any, tie: Any) -> bool:
    """Whether the mentor ranks drawn pair ``a`` after drawn pair ``b`` (same mentor)."""
    if mrk[a] != mrk[b]:
        return bool(mrk[a] > mrk[b])
    if units[a] != units[b]:
        return bool(units[a] < units[b])
    return bool(tie[a] > tie[b])


@numba.njit(cache=True, nogil=True)
def propose(
    stack: Any,
    n_stack: int,
    on_stack: Any,
    buf: Any,
    ptr: Any,
    settled: Any,
    count: Any,
    want: Any,
    row_of: Any,
    col_of: Any,
    units: Any,
    mrk: Any,
    tie: Any,
    cap: Any,
    held: Any,
    n_held: Any,
) -> int:
    """Mentees on ``stack`` propose one at a time to their next settled pair until every one
    is full or has no settled pair left; a mentee displaced goes back on the stack.  Returns
    the number of proposals made to mentors with places (as the dense solver counts them)."""
    proposals = 0
    while n_stack > 0:
        i = stack[n_stack - 1]
        if count[i] >= want[i] or ptr[i] >= settled[i]:
            n_stack -= 1
            on_stack[i] = False
            continue
        d = buf[i, ptr[i]]
        ptr[i] += 1
        j = col_of[d]
        if cap[j] <= 0:
            continue
        proposals += 1
        if n_held[j] < cap[j]:
            held[j, n_held[j]] = d
            n_held[j] += 1
            count[i] += 1
            continue
        worst = 0
        for k in range(1, n_held[j]):
            if _worse(held[j, k], held[j, worst], mrk, units, tie):
                worst = k
        w = held[j, worst]
        if _worse(d, w, mrk, units, tie):
            continue  # rejected: i proposes again
        held[j, worst] = d
        count[i] += 1
        out = row_of[w]
        count[out] -= 1
        if not on_stack[out]:
            on_stack[out] = True
            stack[n_stack] = out
            n_stack += 1
    return proposals


def empty_held(n_m: int, cap: Any) -> tuple[Any, Any]:
    """Per mentor, room for its places (drawn-pair indices) and how many are held."""
    return (
        np.zeros((n_m, max(int(cap.max(initial=0)), 1)), np.int64),
        np.zeros(n_m, np.int64),
    )
