"""Pricing for the certified sparse path: which left-out pairs could improve the matching
(negative reduced cost), which mentees need pricing again in a round, and against which
mentors.  The loop that uses it is :mod:`matcher.engine._sparse`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.engine._options import SparseOptions
from matcher.scoring import Candidates, ScoringModel, best_per_group, known_pairs, score_floor
from matcher.solvers import SCALE, Potentials, score_units

__all__ = [
    "NO_PAIR_LEFT_OUT",
    "Apart",
    "cut_margins",
    "hot_mentors",
    "price",
    "pricing_limits",
    "to_price",
    "units_floor",
]

log = logging.getLogger(__name__)


#: The margin of a mentee none of whose allowed pairs is left out.
NO_PAIR_LEFT_OUT = 1 << 62


@dataclass
class Apart:
    """Mentees whose left-out pairs can have started to improve only with the ``hot`` mentors:
    priced against those only; every other left-out pair of theirs still has a reduced cost
    of at least ``margin`` (one per mentee)."""

    rows: npt.NDArray[np.int64]
    hot: npt.NDArray[np.bool_]
    margin: npt.NDArray[np.int64]


def to_price(
    potentials: Potentials,
    priced_round: npt.NDArray[np.int64],
    priced_d: npt.NDArray[np.int64],
    margins: npt.NDArray[np.int64],
    mentor_at: list[npt.NDArray[np.int64]],
    options: SparseOptions,
) -> tuple[npt.NDArray[np.bool_], list[Apart]]:
    """The mentees to price this round against every mentor, and groups to price against a
    few mentors only.  A pair left out when its mentee was priced had a reduced cost of at
    least the mentee's margin; it has since fallen by at most the rise of its mentor's
    potential minus the rise of the mentee's.  Mentees never priced, and those whose reduced
    costs may have fallen by more than their margin, are priced again; when that can only be
    through the few mentors whose potential rose the most, against those only."""
    again = priced_round < 0
    apart: list[Apart] = []
    for k, before in enumerate(mentor_at):
        at = np.flatnonzero(priced_round == k)
        if not at.size:
            continue
        rise = potentials.mentor - before
        own = potentials.mentee[at] - priced_d[at]
        # the most a left-out pair's gain can be now, beyond its mentor's rise
        reach = -(margins[at] + own)
        moved = reach + int(rise.max(initial=0)) > 0
        at, reach = at[moved], reach[moved]
        hot, cold_rise = hot_mentors(rise, reach, options)
        few = reach + cold_rise <= 0
        again[at[~few]] = True
        if few.any() and hot.any():
            apart.append(Apart(at[few], hot, -(reach[few] + cold_rise)))
        else:
            again[at[few]] = True
    return again, apart


def pricing_limits(n_pairs: int, top: int, rounds: int, options: SparseOptions) -> tuple[int, int]:
    """Pairs added back per mentee at most, and the slack, for a candidate graph this large.

    Up to ``active_pairs``, generous (``pricing_per_row``, ``pricing_slack``): one more round then
    usually certifies.  Above, pairs with nearly equal reduced costs abound, and adding them
    all would double the graph: the first round adds only a few clearly improving pairs per
    mentee; later rounds, which add few pairs, take the slack too, to end the tail sooner."""
    o = options
    if n_pairs <= o.active_pairs:
        return min(top, o.pricing_per_row), o.pricing_slack
    return min(top, o.large_pricing_per_row), (0 if rounds == 1 else o.pricing_slack)


def price(
    model: ScoringModel,
    cand: Candidates,
    potentials: Potentials,
    keys: npt.NDArray[np.int64],
    pinned_keys: npt.NDArray[np.int64],
    per_row: int,
    slack: int = 0,
    only: npt.NDArray[np.bool_] | None = None,
    groups: Sequence[Apart] = (),
    *,
    options: SparseOptions,
    min_units: int | None = None,
) -> tuple[
    npt.NDArray[np.int32],
    npt.NDArray[np.int32],
    npt.NDArray[np.float64],
    int,
    npt.NDArray[np.int64],
]:
    """Left-out pairs with a negative reduced cost: at most ``per_row`` per mentee, the most
    negative first, among the mentees in ``only`` (default all) and, against their few
    mentors only, those of ``groups`` (compiled kernel only).  Returns their rows, cols,
    scores, how many mentees were rescored, and per mentee priced its *margin*: every pair
    of it still left out has a reduced cost of at least that much (1e-6 units).

    ``min_units``: only pairs scoring at least that many 1e-6 units are allowed (a minimum
    score above the programme's, exact in units: the fair method's floor)."""
    n_e, n_m = model.shape
    width = max(n_m, 1)
    d_m = potentials.mentor
    limit_e = potentials.mentee - potentials.big_m
    known = np.sort(np.concatenate([keys, pinned_keys]))
    rows_in = np.ones(n_e, bool) if only is None else only
    margin = np.full(n_e, NO_PAIR_LEFT_OUT, np.int64)
    out_r, out_c, out_s = [], [], []
    if cand.dense is not None:
        rows_to_check = np.flatnonzero(rows_in)
        checked = 0
    else:
        # only mentees whose left-out pairs could beat their threshold need scoring again
        truncated = np.flatnonzero(np.isfinite(cand.cutoff) & rows_in).astype(np.int64)
        # a left-out pair scores at most the cutoff: its gain is at most this (1e-6 units),
        # plus the potential of its mentor
        reach = score_units(cand.cutoff[truncated]) - limit_e[truncated]
        bar = -reach - (int(d_m.max()) if n_m else 0)
        margin[truncated] = bar
        rows_to_check = truncated[bar < 0]
        checked = int(rows_to_check.size)
    if cand.partial and model.kernel is not None:
        # every left-out pair of a mentee whose list was cut, priced by the compiled kernel;
        # a mentee whose cutoff keeps it clear of all but the mentors of highest potential is
        # priced against those only
        known_csr = known_pairs(known // width, known % width, (n_e, n_m))
        floor = float(score_floor(model.config.min_score))
        if min_units is not None:
            floor = max(floor, float(units_floor(min_units)))
        reach = score_units(cand.cutoff[rows_to_check])
        reach -= limit_e[rows_to_check]
        hot, cold_top = hot_mentors(d_m, reach, options)
        apart = reach + cold_top <= 0
        margin[rows_to_check] = slack
        # every mentor for most, the few for some: (rows, mentors or None for all)
        passes: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_] | None]] = [
            (rows_to_check[~apart], None)
        ]
        if apart.any():
            margin[rows_to_check[apart]] = np.minimum(-(reach[apart] + cold_top), slack)
            passes.append((rows_to_check[apart], hot))
        for group in groups:
            margin[group.rows] = np.minimum(group.margin, slack)
            passes.append((group.rows, group.hot))
            checked += int(group.rows.size)
        found = [
            model.kernel.price(rows, limit_e, d_m, known_csr, per_row, floor, slack, mentors=few)
            for rows, few in passes
        ]
        found_r, found_c, found_units = (np.concatenate(f) for f in zip(*found, strict=True))
        cut_margins(margin, found_r, found_c, found_units, limit_e, d_m, per_row)
        log.debug(
            "priced %d mentees against every mentor, %d against the %d of highest potential",
            int((~apart).sum()),
            int(apart.sum()),
            int(hot.sum()),
        )
        return found_r, found_c, found_units / SCALE, checked, margin
    margin[rows_to_check] = 0
    step = model.block_rows()
    for start in range(0, rows_to_check.size, step):
        chunk = rows_to_check[start : start + step]
        if cand.dense is not None:
            units = cand.dense[chunk]
            if min_units is not None:
                units = np.where(units >= min_units, units, -1)
        else:
            r, c, sc = model.allowed_in_rows(chunk, model.config.min_score)
            units = np.full((chunk.size, n_m), -1, np.int32)
            units[np.searchsorted(chunk, r), c] = np.rint(sc * SCALE).astype(np.int32)
            if min_units is not None:
                units[units < min_units] = -1
        gain = units + d_m[None, :] - limit_e[chunk][:, None]  # > 0: improves (int64)
        gain[units < 0] = -1
        rr, cc = np.nonzero(gain > 0)
        if rr.size == 0:
            continue
        pair_keys = chunk[rr].astype(np.int64) * width + cc
        if known.size:
            at = np.clip(np.searchsorted(known, pair_keys), 0, known.size - 1)
            fresh = known[at] != pair_keys
        else:
            fresh = np.ones(rr.size, bool)
        rr, cc = rr[fresh], cc[fresh]
        # per mentee, the most negative reduced costs
        take = best_per_group(rr, gain[rr, cc], cc, per_row)
        rr, cc = rr[take], cc[take]
        out_r.append(chunk[rr].astype(np.int32))
        out_c.append(cc.astype(np.int32))
        out_s.append(units[rr, cc] / SCALE)
    if not out_r:
        return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0), checked, margin
    found_r, found_c = np.concatenate(out_r), np.concatenate(out_c)
    found_s = np.concatenate(out_s)
    found_units = score_units(found_s)
    cut_margins(margin, found_r, found_c, found_units, limit_e, d_m, per_row)
    return found_r, found_c, found_s, checked, margin


def hot_mentors(
    d_m: npt.NDArray[np.int64], reach: npt.NDArray[np.int64], options: SparseOptions
) -> tuple[npt.NDArray[np.bool_], int]:
    """The mentors of highest potential to price apart (mask), and the highest potential of
    the others.  A mentee whose ``reach`` plus that potential is not positive has no left-out
    pair with the others that could improve: it is priced against the few only.  The share
    is the one of ``options.hot_shares`` with the least estimated work."""
    n_m = d_m.size
    hot = np.zeros(n_m, bool)
    if n_m == 0 or reach.size == 0:
        return hot, 0
    by_potential = np.argsort(-d_m, kind="stable")
    best, best_q = float(reach.size), 0
    for share, cost in zip(options.hot_shares[1:], options.hot_cost[1:], strict=True):
        q = int(share * n_m)
        if q == 0 or q >= n_m:
            continue
        apart = int((reach + d_m[by_potential[q]] <= 0).sum())
        work = reach.size - apart + cost * apart
        if work < best:
            best, best_q = work, q
    hot[by_potential[:best_q]] = True
    return hot, int(d_m[by_potential[best_q]])


def cut_margins(
    margin: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
    units: npt.NDArray[np.int64],
    limit_e: npt.NDArray[np.int64],
    d_m: npt.NDArray[np.int64],
    per_row: int,
) -> None:
    """A mentee whose list was cut at ``per_row`` pairs may have left-out pairs as good as the
    last one listed: its margin is at most minus that pair's gain."""
    if rows.size == 0:
        return
    gain = units + d_m[cols] - limit_e[rows]
    full = np.bincount(rows, minlength=margin.size) >= per_row
    worst = np.full(margin.size, NO_PAIR_LEFT_OUT, np.int64)
    np.minimum.at(worst, rows, gain)
    margin[full] = np.minimum(margin[full], -worst[full])


def units_floor(min_units: int) -> np.float32:
    """The lowest float32 score whose 1e-6 units (as the kernel rounds them) reach
    ``min_units``: a float32 total ``x`` passes ``x >= units_floor(u)`` exactly when
    ``rint(float64(x) * 1e6) >= u``, so a floor found in units is applied without tolerance."""

    def reaches(x: np.float32) -> bool:
        return bool(np.rint(np.float64(x) * 1e6) >= min_units)

    x = np.float32((min_units - 0.5) / 1e6)
    while not reaches(x):
        x = np.nextafter(x, np.float32(np.inf))
    below = np.nextafter(x, np.float32(-np.inf))
    while reaches(below):
        x, below = below, np.nextafter(below, np.float32(-np.inf))
    return x
