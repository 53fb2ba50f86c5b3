"""numba loops of the scoring kernel (see ``_kernel``); imported only when the kernel is used.

Every float operation mirrors the numpy criteria in ``_criteria`` and the weighted mean in
``ScoringModel.block``, in the same order and precision (float32), so that scores agree to
the last bit.  Compiled functions are cached on disk (``cache=True``).
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

NEG = np.float32(-np.inf)
#: The highest score of a pair: a weighted mean of scores in [0, 1] (float32 rounding is
#: monotone, so the sum of weight x score never exceeds the sum of weights).
FULL = np.float32(1.0)
#: Bound margin: float32 rounding of the weighted mean never exceeds this.
MARGIN = 1e-5


def _ctpop(typingctx: Any, x: Any) -> Any:
    sig = types.uint64(types.uint64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.ctpop(args[0])

    return sig, codegen


#: The number of set bits of a uint64 (LLVM's ctpop: one instruction on x86-64 and arm64).
_popcount: Any = intrinsic(_ctpop)


@numba.njit(cache=True, inline="always")
def _below(num: Any, den: Any, rest: float, thr: float) -> bool:
    """Whether the weighted mean stays below ``thr`` even if criteria of total weight ``rest``
    still come at full score: ``(num + rest) / (den + rest) < thr``, without a division."""
    top = den + rest
    if top <= 0.0:
        return bool(thr > 0.0)
    return bool(num + rest < thr * top)


@numba.njit(cache=True, inline="always")
def _bar(mode: int, floor: Any, full: bool, need: int, worst_excess: Any, worst: Any) -> float:
    """The score a pair must reach to matter, less MARGIN; +inf when no score can.

    Mode 0 (ranking): the floor, or once the list is ``full`` its ``worst`` score.  Mode 1
    (pricing): score units above ``need``, and above it by more than ``worst_excess`` once the
    list is full.  Mode 2 (statistics): no bar."""
    if mode == 1:
        if full:
            need += worst_excess
        if need >= 1_000_000:
            return np.inf
        return max(need / 1e6, np.float64(floor)) - MARGIN
    if mode == 0:
        return np.float64(worst if full else floor) - MARGIN
    return -np.inf


@numba.njit(cache=True, inline="always")
def _hard_ok(t_hard: Any, t_ok: Any, base: Any, m_cls: Any, j: int) -> bool:
    """Whether the table of every hard rule allows mentor ``j`` for the row (``base``)."""
    for h in t_hard:  # noqa: SIM110 - a plain loop compiles to a plain loop
        if not t_ok[base[h] + m_cls[j, h]]:
            return False
    return True


@numba.njit(cache=True, inline="always")
def _holds(indices: Any, lo: int, hi: int, j: int) -> bool:
    """Whether the sorted ``indices[lo:hi]`` (one CSR row) holds ``j`` (binary search)."""
    end = hi
    while lo < hi:
        mid = (lo + hi) // 2
        if indices[mid] < j:
            lo = mid + 1
        else:
            hi = mid
    return bool(lo < end and indices[lo] == j)


@numba.njit(cache=True, inline="always")
def _km(ex: Any, ey: Any, ez: Any, mx: Any, my: Any, mz: Any, earth_km: Any) -> Any:
    """Chord distance in km (float32), as ``_criteria._distance_km`` computes it."""
    dx, dy, dz = ex - mx, ey - my, ez - mz
    d2 = np.float32(0.0) + dx * dx
    d2 = d2 + dy * dy
    d2 = d2 + dz * dz
    return earth_km * np.float32(math.sqrt(d2))


#: Most distinct first-table values a ranking scan orders its classes by (more: best first).
LEVELS = 64


@numba.njit(cache=True, inline="always")
def _class_order(live: Any, t_nd: Any, row: int, rest0: float) -> Any:
    """The classes ``live`` in the order a ranking scan visits them: by falling upper bound
    of the weighted mean given the first table's value, so the bar rises as fast as it can
    (a counting sort: a row holds few distinct values).  Past LEVELS distinct values: the
    classes with the row's best value first, then the others, each in class order."""
    n = live.size
    level = np.empty(n, np.int64)
    value = np.empty(LEVELS, np.float64)
    n_values = 0
    by_bound = True
    best = NEG
    for ci in range(n):
        at = 2 * (row + live[ci])
        best = max(best, t_nd[at])
        if by_bound:
            top = np.float64(t_nd[at + 1]) + rest0
            b = (np.float64(t_nd[at]) + rest0) / top if top > 0.0 else 0.0
            k = 0
            while k < n_values and value[k] != b:
                k += 1
            if k == n_values:
                if n_values == LEVELS:
                    by_bound = False
                    continue
                value[k] = b
                n_values += 1
            level[ci] = k
    if not by_bound:
        n_values = 2
        value[0], value[1] = 1.0, 0.0
        for ci in range(n):
            level[ci] = 0 if t_nd[2 * (row + live[ci])] == best else 1
    # rank the values, highest first, then place each class after the higher levels'
    start = np.zeros(n_values + 1, np.int64)
    for ci in range(n):
        start[level[ci] + 1] += 1
    rank = np.argsort(-value[:n_values], kind="mergesort")
    offset = np.empty(n_values, np.int64)
    at = 0
    for r in range(n_values):
        offset[rank[r]] = at
        at += start[rank[r] + 1]
    order = np.empty(n, np.int64)
    for ci in range(n):
        order[offset[level[ci]]] = live[ci]
        offset[level[ci]] += 1
    return order


@numba.njit(cache=True, inline="always")
def _row_order(i: int, p: Any, last: Any, visit: Any) -> tuple[Any, Any]:
    """Row ``i``'s ranking order of the classes, and its key (first-table class, weight to
    come): ``visit`` again when the key is ``last``, the previous row's."""
    e_cls, t_nd, t_off, t_width, rest = p.e_cls, p.t_nd, p.t_off, p.t_width, p.rest
    if p.before == 0:
        return visit, last
    key = (e_cls[i, 0], rest[i, 0])
    if key == last:
        return visit, last
    return _class_order(p.first_live, t_nd, t_off[0] + key[0] * t_width[0], key[1]), key


@numba.njit(cache=True)
def _scan_row(
    i: int,
    mode: int,
    floor: Any,
    limit: int,
    slack: int,
    mentor_potential: Any,
    class_top: Any,
    known_ptr: Any,
    known_idx: Any,
    key_f: Any,
    key_i: Any,
    cols: Any,
    units: Any,
    p: Any,
    visit: Any,
    by_top: bool,
    accept: Any,
) -> tuple[int, int, bool]:
    """Mentee ``i`` against every mentor, keeping a min-heap of the best pairs:

    - mode 0, ranking: allowed pairs by score (``key_f``), returns (kept, hard-feasible
      mentors among those scored in full, whether an allowed pair may have been left out);
    - mode 1, pricing: allowed pairs not in ``known`` whose score in 1e-6 units (``units``)
      exceeds ``limit - slack - mentor_potential[j]``, by that excess (``key_i``), and
      reaches ``accept[j]`` where ``accept`` is given (by position, empty otherwise: the
      units below which a mentor turns the mentee down); returns (kept, 0, False);
    - mode 2, statistics: every pair scored, nothing pruned; returns (allowed pairs,
      hard-feasible pairs, False) with the best feasible score in ``key_f[0]``.

    Mentors are read by *position* in the arranged arrays of ``p`` (``m_id`` gives each
    position's mentor; ``mentor_potential`` is by position too).  The classes go in the order
    ``visit``; ``by_top`` says they come by falling top potential (pricing), so that a class
    no score can reach ends the row.

    The pair code is written out in this one loop: a call per pair would cost a reference
    count per array argument.
    """
    e_cls = p.e_cls
    m_cls = p.m_cls
    t_nd = p.t_nd
    t_ok = p.t_ok
    t_hard = p.t_hard
    t_off = p.t_off
    t_width = p.t_width
    before = p.before
    rest = p.rest
    ex_ptr = p.ex_ptr
    ex_idx = p.ex_idx
    e_bits = p.e_bits
    m_bits = p.m_bits
    e_has_av = p.e_has_av
    m_has_av = p.m_has_av
    w_av = p.w_av
    session = p.session
    bin_minutes = p.bin_minutes
    needed = p.needed
    av_hard = p.av_hard
    av_required = p.av_required
    e_reg = p.e_reg
    m_reg = p.m_reg
    e_xyz = p.e_xyz
    m_xyz = p.m_xyz
    e_has_xyz = p.e_has_xyz
    m_has_xyz = p.m_has_xyz
    e_utc = p.e_utc
    m_utc = p.m_utc
    e_fmt = p.e_fmt
    m_fmt = p.m_fmt
    w_reg = p.w_reg
    scale_km = p.scale_km
    earth_km = p.earth_km
    reg_hard = p.reg_hard
    in_person_max = p.in_person_max
    in_person_bit = p.in_person_bit
    first_live = p.first_live
    first_ptr = p.first_ptr
    m_id = p.m_id
    top = cols.size
    n_t = e_cls.shape[1]
    base = np.empty(n_t, np.int64)
    for t in range(n_t):
        base[t] = t_off[t] + e_cls[i, t] * t_width[t]
    # the words of the mentee's availability with a bin set (the others add nothing)
    words = np.empty(e_bits.shape[1], np.int64)
    n_words = 0
    for w in range(e_bits.shape[1]):
        if e_bits[i, w] != 0:
            words[n_words] = w
            n_words += 1
    ex_lo, ex_hi = ex_ptr[i], ex_ptr[i + 1]
    kn_lo, kn_hi = (known_ptr[i], known_ptr[i + 1]) if mode == 1 else (0, 0)
    top_score = NEG
    size = 0
    feasible = 0
    more = False
    n_m = m_cls.shape[0]
    # Mentors go class by class of the first table (the mentor arrays are arranged so that
    # positions first_ptr[c]:first_ptr[c + 1] hold class c, and m_id gives each position's
    # mentor): a class whose first-table value already bounds it below the bar is skipped
    # whole, and the classes that bound highest go first, which raises the bar early.
    # The classes visited are all but when pricing only some mentors.
    n_live = first_live.size if before > 0 else 1
    # ``visit``: the order of the classes.  Ranking's for this row (see _class_order);
    # pricing takes them by falling class_top (``by_top``), so its bars only rise (once no
    # score reaches one, none reaches the rest), or as ranking does; statistics in any order
    for ci in range(n_live):
        if before > 0:
            c = visit[ci]
            at0 = 2 * (base[0] + c)
            need = limit - slack - class_top[c] if mode == 1 else 0
            thr = _bar(mode, floor, size >= top, need, key_i[0], key_f[0])
            if thr == np.inf:
                if by_top:
                    break  # (pricing) nor any class after it
                continue
            if _below(t_nd[at0], t_nd[at0 + 1], rest[i, 0], thr):
                more = more or size >= top
                continue
            lo, hi = first_ptr[c], first_ptr[c + 1]
        else:
            lo, hi = 0, n_m
        for k in range(lo, hi):
            j = k  # a position; m_id[j] is the mentor
            # the score to beat
            need = limit - slack - mentor_potential[j] if mode == 1 else 0
            thr = _bar(mode, floor, size >= top, need, key_i[0], key_f[0])
            if thr == np.inf:
                break  # (pricing) no score reaches this member's bar, nor the next ones'

            # the weighted mean, in the order of ScoringModel.active, pruned by its upper
            # bound as early as possible
            num = np.float32(0.0)
            den = np.float32(0.0)
            pruned = -1
            ok = True
            for t in range(before):
                at = 2 * (base[t] + m_cls[j, t])
                num += t_nd[at]
                den += t_nd[at + 1]
                if _below(num, den, rest[i, t], thr):
                    pruned = t
                    break
                if t == 0 and not _hard_ok(t_hard, t_ok, base, m_cls, j):
                    # past the first table, the tables of hard rules: a pair they rule
                    # out is not scored further
                    ok = False
                    break
            if not ok:
                continue
            if pruned >= 0:
                more = more or size >= top  # it may or may not have been allowed
                if pruned == 0 and mode != 2:
                    # the first table is the class's own value, and the bar only rises
                    # along the class (members come by falling potential when pricing):
                    # every mentor left in the class is pruned too
                    break
                continue
            # feasibility: the tables of hard rules (when no table came before), exclusions,
            # then the inline rules
            if before == 0 and not _hard_ok(t_hard, t_ok, base, m_cls, j):
                continue
            if ex_hi > ex_lo and _holds(ex_idx, ex_lo, ex_hi, m_id[j]):
                continue
            av_applies = e_has_av[i] and m_has_av[j]
            count = -1
            if av_applies and (av_hard or av_required):
                count = 0
                for x in range(n_words):
                    w = words[x]
                    count += _popcount(e_bits[i, w] & m_bits[j, w])
                if np.float32(count) * bin_minutes < needed:
                    continue
            same = e_reg[i] == m_reg[j] and e_reg[i] >= 0
            both_reg = e_reg[i] >= 0 and m_reg[j] >= 0
            has_km = e_has_xyz[i] and m_has_xyz[j]
            known = both_reg or has_km
            if reg_hard and known and not same:
                continue
            if (
                (e_fmt[i] & m_fmt[j]) == in_person_bit
                and both_reg
                and not same
                and not (
                    in_person_max >= 0.0
                    and has_km
                    and _km(
                        e_xyz[i, 0],
                        e_xyz[i, 1],
                        e_xyz[i, 2],
                        m_xyz[j, 0],
                        m_xyz[j, 1],
                        m_xyz[j, 2],
                        earth_km,
                    )
                    <= np.float32(in_person_max)
                )
            ):
                continue
            feasible += 1
            if av_applies:
                if count < 0:
                    count = 0
                    for x in range(n_words):
                        w = words[x]
                        count += _popcount(e_bits[i, w] & m_bits[j, w])
                score = np.float32(count) * bin_minutes / session
                if score > np.float32(1.0):
                    score = np.float32(1.0)
                num += w_av * score
                den += w_av
            if _below(num, den, rest[i, before], thr):
                more = more or size >= top
                continue
            if known:
                if same:
                    reg = np.float32(1.0)
                elif has_km:
                    km = _km(
                        e_xyz[i, 0],
                        e_xyz[i, 1],
                        e_xyz[i, 2],
                        m_xyz[j, 0],
                        m_xyz[j, 1],
                        m_xyz[j, 2],
                        earth_km,
                    )
                    by_km = np.float32(1.0) - km / scale_km
                    reg = min(max(by_km, np.float32(0.0)), np.float32(1.0))
                else:
                    gap = abs(e_utc[i] - m_utc[j])
                    if math.isnan(gap):
                        gap = 180.0
                    reg = np.float32(0.5 * min(max(1.0 - gap / 180.0, 0.0), 1.0))
                num += w_reg * reg
                den += w_reg
            for t in range(before, n_t):
                at = 2 * (base[t] + m_cls[j, t])
                num += t_nd[at]
                den += t_nd[at + 1]
            total = num / den if den > np.float32(0.0) else np.float32(0.0)
            if mode == 2:
                top_score = max(top_score, total)
                if total >= floor:
                    size += 1
                continue
            if total < floor:
                continue
            if mode == 1:
                u = np.int64(np.rint(np.float64(total) * 1e6))
                if accept.size and u < accept[j]:
                    continue
                gain = u - (limit - slack - mentor_potential[j])
                if gain <= 0 or (size >= top and gain <= key_i[0]):
                    continue
                if kn_hi > kn_lo and _holds(known_idx, kn_lo, kn_hi, m_id[j]):
                    continue
                if size < top:
                    _push(key_i, cols, units, size, gain, m_id[j], u)
                    size += 1
                else:
                    _replace_min(key_i, cols, units, size, gain, m_id[j], u)
            else:
                if size < top:
                    _push(key_f, cols, units, size, total, m_id[j], 0)
                    size += 1
                else:
                    more = True
                    if total > key_f[0]:
                        _replace_min(key_f, cols, units, size, total, m_id[j], 0)
                if size >= top and key_f[0] >= FULL:
                    # every pair kept has the highest score there is, so no other can
                    # enter (whether the mentors not kept are allowed is not known: say
                    # they may be, if there are any)
                    return size, feasible, more or size < n_m
    if mode == 2:
        key_f[0] = top_score
    return size, feasible, more


@numba.njit(cache=True, inline="always")
def _push(key: Any, col: Any, unit: Any, size: Any, k: Any, c: Any, u: Any) -> None:
    """Add (k, c, u) to the min-heap on ``key`` of ``size`` items (room is left)."""
    at = size
    key[at], col[at], unit[at] = k, c, u
    while at > 0:
        up = (at - 1) // 2
        if key[at] < key[up]:
            key[at], key[up] = key[up], key[at]
            col[at], col[up] = col[up], col[at]
            unit[at], unit[up] = unit[up], unit[at]
            at = up
        else:
            return


@numba.njit(cache=True, inline="always")
def _replace_min(key: Any, col: Any, unit: Any, size: Any, k: Any, c: Any, u: Any) -> None:
    """Replace the smallest item of the min-heap by (k, c, u)."""
    key[0], col[0], unit[0] = k, c, u
    at = 0
    while True:
        a = 2 * at + 1
        if a >= size:
            return
        b = a + 1
        child = b if b < size and key[b] < key[a] else a
        if key[child] < key[at]:
            key[child], key[at] = key[at], key[child]
            col[child], col[at] = col[at], col[child]
            unit[child], unit[at] = unit[at], unit[child]
            at = child
        else:
            return


@numba.njit(cache=True, nogil=True)
def top_candidates(
    rows: Any,
    top: int,
    floor: Any,
    cols: Any,
    vals: Any,
    count: Any,
    feasible: Any,
    more: Any,
    p: Any,
) -> None:
    """Each row's ``top`` best allowed pairs as a min-heap (cols, vals, count).

    Rows with the same first-table class and the same weight still to come visit the classes
    in the same order: it is worked out once for a run of such rows."""
    none = np.zeros(1, np.int64)
    visit = p.first_live
    last = (np.int32(-1), np.nan)
    for r in range(rows.size):
        i = rows[r]
        visit, last = _row_order(i, p, last, visit)
        units = np.zeros(top, np.int64)
        count[r], feasible[r], more[r] = _scan_row(
            i,
            0,
            floor,
            0,
            0,
            none,
            none,
            none,
            none,
            vals[r],
            none,
            cols[r],
            units,
            p,
            visit,
            False,
            none,
        )


@numba.njit(cache=True, nogil=True)
def price(
    rows: Any,
    limit: Any,
    slack: int,
    mentor_potential: Any,
    class_top: Any,
    known_ptr: Any,
    known_idx: Any,
    per_row: int,
    floor: Any,
    cols: Any,
    units: Any,
    count: Any,
    p: Any,
    by_top: bool,
    accept: Any,
) -> None:
    """Per row, the ``per_row`` allowed pairs not known whose score units exceed
    ``limit[i] - slack - mentor_potential[j]`` the most (and reach ``accept[j]`` where
    given).  Classes go in the order of ``p``,
    by falling class_top (``by_top``), or else in ranking's order, row by row."""
    nothing = np.zeros(1, np.float32)
    visit = p.first_live
    last = (np.int32(-1), np.nan)
    for r in range(rows.size):
        i = rows[r]
        if not by_top:
            visit, last = _row_order(i, p, last, visit)
        excess = np.zeros(per_row, np.int64)
        count[r], _, _ = _scan_row(
            i,
            1,
            floor,
            limit[i],
            slack,
            mentor_potential,
            class_top,
            known_ptr,
            known_idx,
            nothing,
            excess,
            cols[r],
            units[r],
            p,
            visit,
            by_top,
            accept,
        )


@numba.njit(cache=True, nogil=True)
def row_stats(rows: Any, floor: Any, allowed: Any, feasible: Any, best: Any, p: Any) -> None:
    """Per row, exactly: allowed pairs, hard-feasible pairs and the best feasible score."""
    none = np.zeros(1, np.int64)
    cols = np.zeros(1, np.int32)
    for r in range(rows.size):
        key = np.full(1, NEG, np.float32)
        allowed[r], feasible[r], _ = _scan_row(
            rows[r],
            2,
            floor,
            0,
            0,
            none,
            none,
            none,
            none,
            key,
            none,
            cols,
            none,
            p,
            p.first_live,
            False,
            none,
        )
        best[r] = key[0]
