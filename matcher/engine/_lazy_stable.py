"""The stable method at scale: mentee-proposing deferred acceptance that draws each mentee's
next-best mentors lazily (a batch at a time, from the compiled kernel or from scored rows)
instead of materialising every participant's preference list over all pairs.

Preferences are those of :func:`matcher.solvers.solve_stable`: stated rank first (unranked after
every ranked partner), then score in 1e-6 units, then a tie-break.  The dense solver breaks
ties by a seeded permutation of the whole edge list, which cannot be drawn lazily; here a tie
is broken by a seeded hash of the pair (:func:`pair_tiebreak`), the same for both sides.  With
no tie in anyone's order both give the same (unique) mentee-optimal stable matching.

A drawn pair is proposed only once it is *settled*: stated, or scoring strictly above every
pair not yet drawn for its mentee (the lowest score of the last full batch).  So each mentee
proposes in exactly its full order, and the result is the textbook mentee-optimal stable
matching over all pairs.  Where no mentor states a rank, a refill skips the pairs a full
mentor would turn down for sure (below the pair it likes least among those it holds, which only
gets better): proposing them would change nothing.  Stability is then checked on the drawn
pairs, which is a proof for all pairs: of an undrawn pair, either the mentee is full with
partners it prefers (a mentee with a free place has drawn every pair it accepts but those
skipped), or the pair was skipped, and its mentor is full with mentees it prefers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher._errors import SolverError
from matcher.engine._build import from_model
from matcher.matching import Matching
from matcher.scoring import Candidates, Progress, ScoringModel, known_pairs, score_floor
from matcher.solvers import SCALE, AssignmentProblem, SolverResult

__all__ = [
    "Draw",
    "LazyStable",
    "array_draw",
    "assign_stable_lazily",
    "certified_stable",
    "lazy_deferred_acceptance",
    "pair_tiebreak",
]

log = logging.getLogger(__name__)

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
_I32 = np.iinfo(np.int32)
#: ``draw(rows, known, per_row, accept) -> (rows, cols, units)``: per mentee of ``rows``, up
#: to ``per_row`` of its best allowed pairs not in ``known`` (a CSR matrix), scores in 1e-6
#: units; with ``accept`` (per mentor), only pairs whose units reach the mentor's.
Draw = Callable[[I64, sparse.csr_matrix, int, I64 | None], tuple[I64, I64, I64]]

#: Most (row, place) cells one draw asks the kernel for (its result arrays: ~12 bytes each).
_DRAW_CELLS = 4_000_000
#: A rank key after every stated rank (unranked).
_UNRANKED = np.int64(1) << 40


def pair_tiebreak(
    seed: int, rows: npt.NDArray[np.integer], cols: npt.NDArray[np.integer], width: int
) -> I64:
    """A seeded pseudo-random key per pair (splitmix64 of the pair's index): ties in both
    sides' orders are broken by it, smaller first."""
    z = rows.astype(np.uint64) * np.uint64(max(width, 1)) + cols.astype(np.uint64)
    with np.errstate(over="ignore"):
        z = z + np.uint64((seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) % (1 << 64))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(1)).astype(np.int64)


def _salt(seed: int) -> np.uint64:
    """The seed's offset of :func:`pair_tiebreak` (and of the compiled ``tie``)."""
    return np.uint64((seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) % (1 << 64))


@dataclass
class LazyStable:
    """What :func:`lazy_deferred_acceptance` found: every pair drawn (``rows``, ``cols``,
    ``units``; ``acceptable`` False where the mentor does not accept the mentee; ``e_rank``,
    ``m_rank`` each side's stated rank of it, 0 where unranked, or empty where nobody stated
    one), the chosen pairs (indices into them) and the counts."""

    rows: I32
    cols: I32
    units: npt.NDArray[np.integer]
    acceptable: npt.NDArray[np.bool_]
    e_rank: I64
    m_rank: I64
    chosen: I64
    proposals: int
    rounds: int
    refills: int
    bound_units: int


def _rank_of(keys: I64, sorted_keys: I64, ranks: I64) -> I64:
    """The rank of each pair key in a sorted table (0 where absent)."""
    if sorted_keys.size == 0:
        return np.zeros(keys.size, np.int64)
    at = np.clip(np.searchsorted(sorted_keys, keys), 0, sorted_keys.size - 1)
    return np.where(sorted_keys[at] == keys, ranks[at], 0).astype(np.int64)


class _Drawn:
    """Every pair drawn, append-only, in arrays that grow by doubling: int32 mentee and
    mentor, the score units (int32 while they fit), whether the mentor accepts the mentee,
    and each side's stated rank only where some rank is stated on that side (the tie-break
    is computed from the pair when needed)."""

    def __init__(self, ranked_e: bool, ranked_m: bool) -> None:
        self.size = 0
        self.r = np.zeros(1024, np.int32)
        self.c = np.zeros(1024, np.int32)
        self.u: npt.NDArray[np.integer] = np.zeros(1024, np.int32)
        self.ok = np.zeros(1024, bool)
        self.er = np.zeros(1024 if ranked_e else 0, np.int64)
        self.mr = np.zeros(1024 if ranked_m else 0, np.int64)

    def add(self, r: I64, c: I64, u: I64, er: I64, mr: I64, ok: npt.NDArray[np.bool_]) -> I64:
        """Append pairs; their indices."""
        end = self.size + r.size
        if u.size and self.u.dtype == np.int32 and (u.min() < _I32.min or u.max() > _I32.max):
            self.u = self.u.astype(np.int64)
        if end > self.r.size:
            grow = max(end, 2 * self.r.size)
            for name in ("r", "c", "u", "ok", "er", "mr"):
                arr = getattr(self, name)
                if arr.size:
                    bigger = np.zeros(grow, arr.dtype)
                    bigger[: self.size] = arr[: self.size]
                    setattr(self, name, bigger)
        at = slice(self.size, end)
        self.r[at], self.c[at], self.u[at], self.ok[at] = r, c, u, ok
        if self.er.size:
            self.er[at] = er
        if self.mr.size:
            self.mr[at] = mr
        self.size = end
        return np.arange(at.start, end, dtype=np.int64)

    def e_rank(self, idx: I64) -> I64:
        """The mentee's stated rank of pairs ``idx`` (0 where unranked)."""
        return self.er[idx] if self.er.size else np.zeros(idx.size, np.int64)

    def trimmed(self) -> _Drawn:
        """The arrays cut to the pairs drawn (in place)."""
        for name in ("r", "c", "u", "ok", "er", "mr"):
            arr = getattr(self, name)
            if arr.size:
                setattr(self, name, arr[: self.size].copy())
        return self


def lazy_deferred_acceptance(
    n_e: int,
    n_m: int,
    draw: Draw,
    mentee_cap: I64,
    mentor_cap: I64,
    *,
    stated: tuple[I64, I64, I64, I64],
    mentee_rank_table: tuple[I64, I64],
    mentor_rank_table: tuple[I64, I64],
    never: tuple[I64, I64],
    stated_only: npt.NDArray[np.bool_],
    ranked_only_mentor: npt.NDArray[np.bool_],
    seed: int,
    batch: int,
    bars: bool = True,
    pool_room: int | None = None,
) -> LazyStable:
    """Mentee-proposing deferred acceptance in rounds (as ``solve_stable``), lists drawn lazily.

    ``stated``: each mentee's stated acceptable pairs (rows, cols, units, rank); the tables:
    sorted pair keys (``row * n_m + col``) and ranks of each side's stated pairs; ``never``:
    pairs never to draw (rows, cols: pinned pairs, and every stated pair of a mentee, drawn
    through ``stated``); ``stated_only``: mentees that accept only the pairs they stated;
    ``ranked_only_mentor``: mentors that accept only the mentees they ranked.

    ``bars``: where no mentor states a rank, a refill skips the pairs a full mentor would
    turn down for sure: scoring below the pair it likes least among those it holds (that
    pair only gets better as deferred acceptance goes on, so proposing would be rejected).
    The matching is the same; far fewer pairs are drawn and proposed.  ``pool_room``: the
    first room for the pending lists (tests make it small, so that it is compacted)."""
    from matcher.engine import _da_jit

    width = max(n_m, 1)
    salt = _salt(seed)
    batch = max(batch, 2 * int(mentee_cap.max(initial=1)), 1)
    a = _Drawn(stated[0].size > 0, mentor_rank_table[0].size > 0)

    def add(r: I64, c: I64, u: I64, er: I64) -> I64:
        keys = r * width + c
        mr = _rank_of(keys, *mentor_rank_table)
        ok = ~(ranked_only_mentor[c] & (mr == 0))
        idx = a.add(r, c, u, er, mr, ok)
        kept: I64 = idx[ok]
        return kept

    # each mentee's pending pairs (indices), best first: pool[start + ptr : start + length];
    # a rebuilt list goes to the pool's end, and the pool is compacted before it grows
    pool = np.zeros(max(1024, 4 * batch * n_e) if pool_room is None else pool_room, np.int32)
    pool_size = 0
    start_at = np.zeros(n_e, np.int64)
    length = np.zeros(n_e, np.int64)
    settled = np.zeros(n_e, np.int64)  # how many of them are settled (may be proposed)
    ptr = np.zeros(n_e, np.int64)
    exhausted = stated_only.copy()
    cutoff = np.full(n_e, -1, np.int64)
    refills = 0

    def pending(rows: I64) -> I64:
        """The pending pairs of ``rows``, row after row, in order."""
        left = length[rows] - ptr[rows]
        total = int(left.sum())
        if total == 0:
            return np.zeros(0, np.int64)
        begin = np.repeat(start_at[rows] + ptr[rows] - (np.cumsum(left) - left), left)
        return pool[begin + np.arange(total)].astype(np.int64)

    def rebuild(rows: I64, new: I64) -> None:
        """Rows ``rows``: their pending pairs plus ``new``, sorted, with what is settled."""
        nonlocal pool, pool_size
        idx = np.concatenate([pending(rows), new])
        r = a.r[idx].astype(np.int64)
        c = a.c[idx].astype(np.int64)
        u = a.u[idx].astype(np.int64)
        er = a.e_rank(idx)
        erk = np.where(er > 0, er, _UNRANKED)
        order = np.lexsort((pair_tiebreak(seed, r, c, width), -u, erk, r))
        idx, r, erk, u = idx[order], r[order], erk[order], u[order]
        pos = np.arange(idx.size) - np.searchsorted(r, r, side="left")
        counts = np.bincount(r, minlength=n_e)[rows]
        if pool_size + idx.size > pool.size:
            everyone = np.arange(n_e, dtype=np.int64)
            live = length - ptr
            packed = pending(everyone)  # (rows being rebuilt are re-added below anyway)
            start_at[:] = np.cumsum(live) - live
            length[:] = live
            settled[:] = np.maximum(settled - ptr, 0)
            ptr[:] = 0
            pool_size = packed.size
            if pool_size + idx.size > pool.size // 2:
                pool = np.zeros(max(2 * (pool_size + idx.size), pool.size), np.int32)
            pool[:pool_size] = packed
        end = pool_size + idx.size
        pool[pool_size:end] = idx
        start_at[rows] = pool_size + np.searchsorted(r, rows)
        pool_size = end
        length[rows] = counts
        ptr[rows] = 0
        ok = (erk < _UNRANKED) | exhausted[r] | (u > cutoff[r])
        # settled: the leading run of settled pairs (the order puts them first)
        first_bad = np.where(ok, np.iinfo(np.int64).max, pos)
        lead = np.full(n_e, np.iinfo(np.int64).max, np.int64)
        np.minimum.at(lead, r, first_bad)
        settled[rows] = np.minimum(lead[rows], counts)

    never_r, never_c = never
    cap = np.maximum(mentor_cap, 0).astype(np.int64)
    held, n_held, least = _da_jit.empty_held(n_m, cap)
    use_bars = bars and mentor_rank_table[0].size == 0

    def mentor_bars() -> I64 | None:
        """Per mentor, the units a pair must reach to stand a chance (full mentors only)."""
        full = np.flatnonzero((n_held >= cap) & (cap > 0))
        if not use_bars or full.size == 0:
            return None
        accept = np.full(n_m, np.iinfo(np.int64).min, np.int64)
        accept[full] = a.u[held[full, least[full]]]
        return accept

    drawn_times = np.zeros(n_e, np.int64)

    def refill(rows: I64) -> None:
        """Draw the next pairs of mentees ``rows``: a mentee's batch doubles with each refill
        (up to 32 times the first), so one that goes deep down its list needs few."""
        nonlocal refills
        refills += 1
        level = np.minimum(drawn_times[rows], 5)
        drawn_times[rows] += 1
        parts = []
        accept = mentor_bars()
        for lv in np.unique(level).tolist():
            group = rows[level == lv]
            per_row = batch << lv
            chosen_rows = np.zeros(n_e, bool)
            chosen_rows[group] = True
            mine = np.flatnonzero(chosen_rows[a.r[: a.size]])
            pin = chosen_rows[never_r]
            known = known_pairs(
                np.concatenate([never_r[pin], a.r[mine]]),
                np.concatenate([never_c[pin], a.c[mine]]),
                (n_e, width),
            )
            # in slices of rows, so that the kernel's per-row room stays small
            step = max(1, _DRAW_CELLS // per_row)
            got_parts = [
                draw(group[k : k + step], known, per_row, accept)
                for k in range(0, group.size, step)
            ]
            r = np.concatenate([g[0] for g in got_parts]).astype(np.int64)
            c = np.concatenate([g[1] for g in got_parts]).astype(np.int64)
            u = np.concatenate([g[2] for g in got_parts]).astype(np.int64)
            got = np.bincount(r, minlength=n_e)[group]
            low = np.full(n_e, np.iinfo(np.int64).max, np.int64)
            np.minimum.at(low, r, u)
            full = got >= per_row
            exhausted[group[~full]] = True
            cutoff[group] = np.where(full, low[group], -1)
            parts.append((r, c, u))
        r = np.concatenate([p[0] for p in parts])
        c = np.concatenate([p[1] for p in parts])
        u = np.concatenate([p[2] for p in parts])
        new = add(r, c, u, np.zeros(r.size, np.int64))
        rebuild(rows, new)

    s_r, s_c, s_u, s_er = stated
    first = add(s_r, s_c, s_u, s_er)
    start = np.flatnonzero(mentee_cap > 0)
    rebuild(start, first)
    lazy = start[~exhausted[start]]
    if lazy.size:
        refill(lazy)
    # an upper bound: each mentee's best scores within capacity over its first draw (its best
    # unstated pairs) and its stated pairs, whatever the mentors accept
    bound_units = _best_within(
        a.r[: a.size].astype(np.int64), a.u[: a.size].astype(np.int64), mentee_cap, n_e
    )
    # the mentees propose one at a time (compiled loop) until each is full or has no settled
    # pair left; those waiting for more of their list are then refilled together, and so on
    # (the mentee-optimal stable matching does not depend on the order of proposals)
    count = np.zeros(n_e, np.int64)
    on_stack = np.zeros(n_e, bool)
    stack = np.zeros(max(n_e, 1), np.int64)
    want = mentee_cap.astype(np.int64)
    proposals = rounds = 0
    while True:
        ready = np.flatnonzero((count < want) & (ptr < settled))
        if ready.size:
            rounds += 1
            stack[: ready.size] = ready[::-1]
            on_stack[ready] = True
            proposals += int(
                _da_jit.propose(
                    stack,
                    ready.size,
                    on_stack,
                    pool,
                    start_at,
                    ptr,
                    settled,
                    count,
                    want,
                    a.r,
                    a.c,
                    a.u,
                    a.mr,
                    width,
                    salt,
                    cap,
                    held,
                    n_held,
                    least,
                )
            )
        waiting = np.flatnonzero((count < want) & (ptr >= settled) & ~exhausted)
        if waiting.size == 0:
            break
        refill(waiting)
    held = held[np.arange(held.shape[1])[None, :] < n_held[:, None]]
    a.trimmed()
    return LazyStable(
        a.r,
        a.c,
        a.u,
        a.ok,
        a.er,
        a.mr,
        np.sort(held),
        proposals,
        rounds,
        refills,
        bound_units,
    )


def _best_within(rows: I64, units: I64, cap: I64, n: int) -> int:
    """Each owner's best positive units up to its capacity, summed."""
    pos = units > 0
    r, u = rows[pos], units[pos]
    order = np.lexsort((-u, r))
    r, u = r[order], u[order]
    rank = np.arange(r.size) - np.searchsorted(r, r, side="left")
    return int(u[rank < cap[r]].sum())


def check_stable(found: LazyStable, mentee_cap: I64, mentor_cap: I64, n_m: int, seed: int) -> int:
    """Blocking pairs among the acceptable drawn pairs (a proof over all pairs, see above),
    counted in one compiled pass over them."""
    from matcher.engine import _da_jit

    return int(
        _da_jit.blocking(
            found.rows,
            found.cols,
            found.units,
            found.e_rank,
            found.m_rank,
            found.acceptable,
            found.chosen,
            mentee_cap.astype(np.int64),
            mentor_cap.astype(np.int64),
            max(n_m, 1),
            _salt(seed),
        )
    )


def array_draw(
    rows_all: npt.NDArray[np.integer], cols_all: npt.NDArray[np.integer], units_all: I64, n_m: int
) -> Draw:
    """A :data:`Draw` over a given edge list (tests and small problems)."""
    width = max(n_m, 1)
    keys_all = rows_all.astype(np.int64) * width + cols_all

    def draw(
        rows: I64, known: sparse.csr_matrix, per_row: int, accept: I64 | None
    ) -> tuple[I64, I64, I64]:
        coo = known.tocoo()
        kk = np.sort(coo.row.astype(np.int64) * width + coo.col)
        take = np.isin(rows_all, rows) & ~np.isin(keys_all, kk)
        if accept is not None:
            take &= units_all >= accept[cols_all]
        r = rows_all[take].astype(np.int64)
        c = cols_all[take].astype(np.int64)
        u = units_all[take]
        order = np.lexsort((c, -u, r))  # any order among ties: the caller settles them
        r, c, u = r[order], c[order], u[order]
        pos = np.arange(r.size) - np.searchsorted(r, r, side="left")
        sel = pos < per_row
        return r[sel], c[sel], u[sel]

    return draw


def _model_draw(model: ScoringModel, floor: np.float32) -> Draw:
    """A :data:`Draw` by the compiled kernel, or by scoring the mentees' rows in blocks."""
    n_m = len(model.mentors)
    kernel = model.kernel if min(model.shape) > 0 else None

    if kernel is not None:
        everyone = np.ones(n_m, bool)

        def by_kernel(
            rows: I64, known: sparse.csr_matrix, per_row: int, accept: I64 | None
        ) -> tuple[I64, I64, I64]:
            r, c, u = kernel.best_of_mentors(
                rows, everyone, known, per_row, float(floor), accept=accept
            )
            return r.astype(np.int64), c.astype(np.int64), u.astype(np.int64)

        return by_kernel

    def by_blocks(
        rows: I64, known: sparse.csr_matrix, per_row: int, accept: I64 | None
    ) -> tuple[I64, I64, I64]:
        out_r, out_c, out_u = [], [], []
        step = model.block_rows()
        for start in range(0, rows.size, step):
            chunk = rows[start : start + step].astype(np.intp)
            block = model.block(chunk)
            units = np.rint(block.total.astype(np.float64) * SCALE).astype(np.int64)
            allowed = block.feasible & (block.total >= floor)
            allowed &= known[chunk].toarray() == 0
            if accept is not None:
                allowed &= units >= accept[None, :]
            units = np.where(allowed, units, -1)
            k = min(per_row, n_m)
            if k == 0:
                continue
            best = np.argpartition(-units, k - 1, axis=1)[:, :k]
            vals = np.take_along_axis(units, best, axis=1)
            rr, kk = np.nonzero(vals >= 0)
            out_r.append(chunk[rr].astype(np.int64))
            out_c.append(best[rr, kk].astype(np.int64))
            out_u.append(vals[rr, kk])
        if not out_r:
            e = np.zeros(0, np.int64)
            return e, e, e
        return np.concatenate(out_r), np.concatenate(out_c), np.concatenate(out_u)

    return by_blocks


def _stated_pairs(model: ScoringModel, side: str) -> tuple[I64, I64, I64]:
    """(rows, cols, ranks) of one side's stated preferences (positions among the ids known)."""
    n_m = len(model.mentors)
    e_pos = {p.id: k for k, p in enumerate(model.mentees)}
    m_pos = {p.id: k for k, p in enumerate(model.mentors)}
    rows: list[int] = []
    cols: list[int] = []
    ranks: list[int] = []
    owners, others = (model.mentees, m_pos) if side == "mentee" else (model.mentors, e_pos)
    for k, p in enumerate(owners):
        listed = [others[x] for x in p.preferences if x in others]
        for rank, other in enumerate(listed, start=1):
            i, j = (k, other) if side == "mentee" else (other, k)
            rows.append(i)
            cols.append(j)
            ranks.append(rank)
    r = np.asarray(rows, np.int64)
    c = np.asarray(cols, np.int64)
    keys = r * max(n_m, 1) + c
    order = np.argsort(keys, kind="stable")
    return r[order], c[order], np.asarray(ranks, np.int64)[order]


def certified_stable(
    model: ScoringModel,
    pin_r: I64,
    pin_c: I64,
    mentee_cap: I64,
    mentor_cap: I64,
    *,
    seed: int,
    progress: Progress | None,
    batch: int = 16,
) -> tuple[Candidates, SolverResult]:
    """The stable method on every allowed pair with lists drawn lazily; the candidate graph
    returned holds the pairs drawn, the result's chosen pairs index it."""
    cfg = model.config
    n_e, n_m = model.shape
    width = max(n_m, 1)
    started = time.perf_counter()
    floor = score_floor(cfg.min_score)
    unacceptable = cfg.stable.unranked == "unacceptable"
    er, ec, erank = _stated_pairs(model, "mentee")
    mr, mc, mrank = _stated_pairs(model, "mentor")
    pinned = np.sort(pin_r * width + pin_c)
    # the mentees' stated pairs that are allowed (hard rules, min_score) and not pinned
    if er.size:
        total, feasible = _pair_totals(model, er, ec)
        ok = feasible & (total >= floor) & ~np.isin(er * width + ec, pinned)
        units = np.rint(total.astype(np.float64) * SCALE).astype(np.int64)
    else:
        ok = np.zeros(0, bool)
        units = np.zeros(0, np.int64)
    stated = (er[ok], ec[ok], units[ok], erank[ok])
    never = (np.concatenate([pin_r, er]), np.concatenate([pin_c, ec]))
    stated_only = model.enc.mentee_ranks.astype(bool) if unacceptable else np.zeros(n_e, bool)
    ranked_only = model.enc.mentor_ranks.astype(bool) if unacceptable else np.zeros(n_m, bool)
    if progress is not None:
        progress("solving", 0.0)
    e_table = (er * width + ec, erank)
    m_table = (mr * width + mc, mrank)
    found = lazy_deferred_acceptance(
        n_e,
        n_m,
        _model_draw(model, floor),
        mentee_cap,
        mentor_cap,
        stated=stated,
        mentee_rank_table=e_table,
        mentor_rank_table=m_table,
        never=never,
        stated_only=stated_only,
        ranked_only_mentor=ranked_only,
        seed=seed,
        batch=batch,
    )
    solved = time.perf_counter()
    blocking = check_stable(found, mentee_cap, mentor_cap, n_m, seed)
    if blocking:
        raise SolverError(f"deferred acceptance left {blocking} blocking pairs")
    ok_idx = np.flatnonzero(found.acceptable)
    where = np.full(found.rows.size, -1, np.int64)
    where[ok_idx] = np.arange(ok_idx.size)
    chosen = where[found.chosen]
    every = ok_idx.size == found.rows.size  # (no copy of the drawn pairs)
    rows = found.rows if every else found.rows[ok_idx]
    cols = found.cols if every else found.cols[ok_idx]
    scores = (found.units if every else found.units[ok_idx]) / SCALE
    cand = Candidates(
        rows,
        cols,
        scores,
        np.zeros(n_e, np.int64),
        np.zeros(n_m, np.int64),
        np.full(n_e, -1.0),
        np.full(n_m, -1.0),
        np.bincount(rows, minlength=n_e).astype(np.int64),
        np.zeros(n_m, np.int64),
        np.full(n_e, -np.inf),
        partial=True,
    )
    objective = float(scores[chosen].sum())
    log.info(
        "stable, lists drawn lazily: %d pairs drawn in %d refills, %d proposals in %d rounds,"
        " %.2f s; no blocking pair (checked in %.2f s)",
        found.rows.size,
        found.refills,
        found.proposals,
        found.rounds,
        solved - started,
        time.perf_counter() - solved,
    )
    result = SolverResult(
        chosen,
        objective,
        max(found.bound_units / SCALE, objective),
        "stable",
        "stable",
        {
            "proposals": found.proposals,
            "rounds": found.rounds,
            "blocking_pairs": 0,
            "bound_kind": "each mentee's best scores within capacity",
            "lists": "drawn lazily",
            "pairs_drawn": int(found.rows.size),
            "refills": found.refills,
            "tie_break": "seeded hash of the pair",
        },
    )
    return cand, result


def _pair_totals(
    model: ScoringModel, rows: I64, cols: I64, chunk: int = 256
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    """The float32 totals and hard feasibility of given pairs (as the blocks compute them)."""
    k = rows.size
    total = np.zeros(k, np.float32)
    feasible = np.zeros(k, bool)
    order = np.argsort(cols, kind="stable")
    for start in range(0, k, chunk):
        at = order[start : start + chunk]
        ur, ir = np.unique(rows[at], return_inverse=True)
        uc, ic = np.unique(cols[at], return_inverse=True)
        block = model.block(ur.astype(np.intp), uc.astype(np.intp))
        total[at] = block.total[ir, ic]
        feasible[at] = block.feasible[ir, ic]
    return total, feasible


def stable_on_edges(
    problem: AssignmentProblem,
    *,
    seed: int = 0,
    batch: int = 16,
    bars: bool = True,
    pool_room: int | None = None,
) -> LazyStable:
    """Lazy deferred acceptance on an explicit edge list with optional ranks (0 = unranked):
    the same preferences as ``solve_stable`` but for the tie-break (tests, small problems)."""
    n_e, n_m = problem.n_mentees, problem.n_mentors
    width = max(n_m, 1)
    r = problem.rows.astype(np.int64)
    c = problem.cols.astype(np.int64)
    u = np.rint(problem.scores * SCALE).astype(np.int64)
    zeros = np.zeros(r.size, np.int64)
    e_rank = zeros if problem.mentee_rank is None else np.asarray(problem.mentee_rank, np.int64)
    m_rank = zeros if problem.mentor_rank is None else np.asarray(problem.mentor_rank, np.int64)
    keys = r * width + c
    s = e_rank > 0
    e_order = np.argsort(keys[s], kind="stable")
    m_order = np.argsort(keys[m_rank > 0], kind="stable")
    found = lazy_deferred_acceptance(
        n_e,
        n_m,
        array_draw(r[~s], c[~s], u[~s], n_m),
        problem.mentee_capacity,
        problem.mentor_capacity,
        stated=(r[s], c[s], u[s], e_rank[s]),
        mentee_rank_table=(keys[s][e_order], e_rank[s][e_order]),
        mentor_rank_table=(keys[m_rank > 0][m_order], m_rank[m_rank > 0][m_order]),
        never=(r[s], c[s]),
        stated_only=np.zeros(n_e, bool),
        ranked_only_mentor=np.zeros(n_m, bool),
        seed=seed,
        batch=batch,
        bars=bars,
        pool_room=pool_room,
    )
    blocking = check_stable(found, problem.mentee_capacity, problem.mentor_capacity, n_m, seed)
    if blocking:
        raise SolverError(f"deferred acceptance left {blocking} blocking pairs")
    return found


def assign_stable_lazily(
    model: ScoringModel,
    pin: list[tuple[int, int]],
    *,
    seed: int,
    progress: Progress | None,
    batch: int = 16,
) -> Matching:
    """The stable method's matching with lists drawn lazily (pinned pairs kept, their places
    taken off the capacities), assembled as the dense pipeline assembles it."""
    mentee_cap = model.enc.mentees.capacity.copy()
    mentor_cap = model.enc.mentors.capacity.copy()
    pin_r = np.array([i for i, _ in pin], np.int64)
    pin_c = np.array([j for _, j in pin], np.int64)
    np.subtract.at(mentee_cap, pin_r, 1)
    np.subtract.at(mentor_cap, pin_c, 1)
    cand, result = certified_stable(
        model, pin_r, pin_c, mentee_cap, mentor_cap, seed=seed, progress=progress, batch=batch
    )
    if progress is not None:
        progress("explaining", 0.0)
    return from_model(
        model, cand, result, pinned=pin, residual_mentor_capacity=mentor_cap, seed=seed
    )
