"""The optimal method at scale: solve on each mentee's best pairs, then prove the result optimal
on every allowed pair by reduced costs, adding back the pairs that fail the check (column
generation).  Used by :func:`matcher.match` above ``SPARSE_PAIRS`` mentee x mentor pairs.

The first round solves from scratch (OR-tools) and finds potentials (Bellman–Ford); later rounds
repair that flow and its potentials around the pairs added (``matcher.solvers._warm``) while the
repair stays local, and solve again otherwise.  Pricing uses the compiled scoring kernel where
it applies, the dense score cache on mid-sized programmes, and numpy blocks otherwise.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.scoring import Candidates, ScoringModel
from matcher.scoring._kernel import known_pairs
from matcher.scoring._model import Progress, best_per_group, score_floor
from matcher.solvers import SCALE, AssignmentProblem, SolverResult, solve_optimal
from matcher.solvers._certify import Potentials, flow_potentials, holds
from matcher.solvers._flow import most_served_known
from matcher.solvers._warm import reoptimize

__all__ = ["certified_optimal"]

log = logging.getLogger(__name__)

#: Candidate pairs kept per mentee on the sparse path, before certification adds any.
SPARSE_TOP = 28
#: Candidate pairs each mentor gets at least, per place (its own best mentees when the
#: mentees' lists name it less often).
PAIRS_PER_PLACE = 3
#: After the first solve, candidate pairs whose reduced cost exceeds this (1e-6 score units)
#: are set aside when there are more than ACTIVE_PAIRS: later solves are smaller, and the
#: certificate prices them again like any pair left out.
ACTIVE_SLACK = 150_000
ACTIVE_PAIRS = 1_000_000
#: The same after a later new solve, whose potentials are closer to the final ones (at
#: national scale the third solve then has a quarter fewer pairs and takes a third less time).
LATER_ACTIVE_SLACK = 50_000
#: Pairs a certificate round adds back per mentee at most (the most improving first).
PRICING_PER_ROW = 32
#: The same above ACTIVE_PAIRS candidate pairs (no slack there).
LARGE_PRICING_PER_ROW = 4
#: Pricing also adds pairs whose reduced cost is within this many 1e-6 score units of
#: improving: the next potentials rarely differ by more, so one more round usually certifies.
PRICING_SLACK = 50_000
#: The same above DENSE_CACHE_CELLS mentee x mentor pairs, where each solve is costly and a
#: shorter list per mentee (completed by the certificate) solves faster overall.
LARGE_SPARSE_TOP = 8
#: Up to this many pairs, every allowed score is kept in memory (float32) for pricing.
DENSE_CACHE_CELLS = 100_000_000


def certified_optimal(
    model: ScoringModel,
    pin_r: npt.NDArray[np.int64],
    pin_c: npt.NDArray[np.int64],
    mentee_cap: npt.NDArray[np.int64],
    mentor_cap: npt.NDArray[np.int64],
    *,
    seed: int,
    progress: Progress | None,
) -> tuple[Candidates, SolverResult]:
    """Optimal on all allowed pairs, solved on each mentee's best ones and certified by
    reduced costs; pairs that fail the check (priced by score plus the mentor's potential)
    are added back and the matching re-optimised (column generation).

    The first round solves from scratch (OR-tools) and finds potentials (Bellman–Ford); later
    rounds repair that flow and its potentials around the pairs added (``_warm``) while the
    repair stays local, and solve again otherwise.  Each round prices only the mentees whose
    left-out pairs may have started to improve since they were last priced (``_to_price``)."""
    cfg = model.config
    n_e, n_m = model.shape
    base = SPARSE_TOP if n_e * n_m <= DENSE_CACHE_CELLS else LARGE_SPARSE_TOP
    top = base + 2 * int(mentee_cap.max(initial=1))
    started = time.perf_counter()
    cand = model.candidates(
        cfg.min_score,
        progress=progress,
        top=top,
        keep_dense=model.kernel is None and n_e * n_m <= DENSE_CACHE_CELLS,
    )
    scored = time.perf_counter()
    # mentors that few mentees list get their own best pairs, so the first solve can fill
    # as many places as the full problem can (otherwise rounds go to filling places)
    listed = np.bincount(cand.cols, minlength=n_m)
    need = np.where(mentor_cap > 0, np.maximum(PAIRS_PER_PLACE * mentor_cap - listed, 0), 0)
    extra = model.best_for_mentors(cand, need, cfg.min_score)
    cand.extend(*extra)
    log.info(
        "candidates: each mentee's best %d pairs in %.2f s, %d pairs for %d mentors few list"
        " in %.2f s",
        top,
        scored - started,
        extra[0].size,
        int((need > 0).sum()),
        time.perf_counter() - scored,
    )
    width = max(n_m, 1)
    pinned_keys = np.sort(pin_r * width + pin_c)
    rounds = added = rescored = dropped = repaired = 0
    priced: list[int] = []  # mentees priced, per round
    potentials: Potentials | None = None
    # when each mentee was last priced: the round (-1: never), its potential, its margin; and
    # every round's mentor potentials.  A mentee need not be priced again while its reduced
    # costs cannot have fallen by more than its margin (see _to_price).
    priced_round = np.full(n_e, -1, np.int64)
    priced_d = np.zeros(n_e, np.int64)
    margins = np.zeros(n_e, np.int64)
    mentor_at: list[npt.NDArray[np.int64]] = []
    iterations = 0
    chosen_keys = np.zeros(0, np.int64)
    # (places, mentees) served at most, once a round's optimum shows them (later solves then
    # skip their maximum flows: more pairs cannot serve more than every place or mentee)
    most: tuple[int, int] | None = None
    to_free = 0
    while True:
        rounds += 1
        keys, keep, problem = _unpinned(cand, pinned_keys, width, mentee_cap, mentor_cap)
        if progress is not None:
            progress("solving", min(rounds / 5, 0.99))
        started = time.perf_counter()
        warm = None
        limit = max(WARM_FREED_MIN, int(WARM_FREED_SHARE * n_e))
        if potentials is not None and WARM_START and to_free <= limit:
            warm = _reoptimize(problem, keys[keep], chosen_keys, potentials, limit)
        if warm is not None:
            result, potentials = warm
            repaired += 1
            log.info(
                "round %d: %d pairs, repaired in %.2f s (%s mentees re-placed)",
                rounds,
                problem.n_edges,
                time.perf_counter() - started,
                result.stats["mentees_freed"],
            )
        else:
            result = solve_optimal(problem, seed=seed, most=most)
            solved = time.perf_counter()
            potentials = flow_potentials(problem, result.chosen)
            log.info(
                "round %d: %d pairs, solved in %.2f s, potentials in %.2f s",
                rounds,
                problem.n_edges,
                solved - started,
                time.perf_counter() - solved,
            )
            if potentials is None:  # could not certify: solve on every allowed pair instead
                return _solve_all(model, pinned_keys, width, mentee_cap, mentor_cap, seed, progress)
            iterations = potentials.iterations
        chosen_keys = np.sort(keys[keep][result.chosen])
        served = (int(result.stats["flow"]), int(result.stats["mentees_matched"]))
        if most_served_known(problem, *served):
            most = served
        started = time.perf_counter()
        again, apart = _to_price(potentials, priced_round, priced_d, margins, mentor_at)
        if not (cand.partial and model.kernel is not None):  # no pricing against a few
            for group in apart:
                again[group.rows] = True
            apart = []
        per_row, slack = _pricing(len(cand), top, rounds)
        r, c, sc, checked, margin = _price(
            model, cand, potentials, keys, pinned_keys, per_row, slack, again, apart
        )
        for group in apart:
            again[group.rows] = True  # priced this round
        improving = np.rint(sc * SCALE).astype(np.int64) > potentials.threshold(
            r.astype(np.intp), c.astype(np.intp)
        )
        mentor_at.append(potentials.mentor.copy())
        priced_round[again] = len(mentor_at) - 1
        priced_d[again] = potentials.mentee[again]
        margins[again] = margin[again]
        log.info(
            "round %d: %d mentees priced, %d pairs added in %.2f s",
            rounds,
            checked,
            r.size,
            time.perf_counter() - started,
        )
        rescored += checked
        priced.append(checked)
        if not improving.any():
            break
        # the mentees a repair would free: those with an added pair that improves
        to_free = int(np.unique(r[improving]).size)
        if warm is None and cand.partial and len(cand) > ACTIVE_PAIRS:
            # after a new solve, pairs far from useful wait outside the next solves
            far = ACTIVE_SLACK if rounds == 1 else LATER_ACTIVE_SLACK
            aside = _drop_far_pairs(cand, keep, result.chosen, potentials, far, again)
            dropped += aside.size
            margins[aside] = np.minimum(margins[aside], far)
        cand.extend(r, c, sc)
        added += int(r.size)
    result.chosen = np.flatnonzero(keep)[result.chosen]
    result.stats.update(
        {
            "certificate": "reduced costs",
            "certificate_rounds": rounds,
            "rounds_repaired": repaired,
            "candidate_top": top,
            "pairs_added_by_certificate": added,
            "pairs_set_aside": dropped,
            "mentees_rescored": rescored,
            "mentees_priced_per_round": priced,
            "bellman_ford_iterations": iterations,
        }
    )
    cand.dense = None
    log.info("certified optimal after %d round(s), %d pairs added", rounds, added)
    return cand, result


#: Later rounds of the certificate repair the previous optimum instead of solving again
#: while at most WARM_FREED_SHARE of the mentees (at least WARM_FREED_MIN) have an added pair
#: that improves on their place.  When every place is full, each repair reaches far (a chain
#: of moves through many full mentors), and a new solve is faster beyond that.
WARM_START = True
WARM_FREED_SHARE = 0.01
WARM_FREED_MIN = 200
#: A repair that settles more than this many nodes per pair gives way to a new solve.
WARM_SETTLED_PER_PAIR = 8


def _to_price(
    potentials: Potentials,
    priced_round: npt.NDArray[np.int64],
    priced_d: npt.NDArray[np.int64],
    margins: npt.NDArray[np.int64],
    mentor_at: list[npt.NDArray[np.int64]],
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
        hot, cold_rise = _hot_mentors(rise, reach)
        few = reach + cold_rise <= 0
        again[at[~few]] = True
        if few.any() and hot.any():
            apart.append(Apart(at[few], hot, -(reach[few] + cold_rise)))
        else:
            again[at[few]] = True
    return again, apart


@dataclass
class Apart:
    """Mentees whose left-out pairs can have started to improve only with the ``hot`` mentors:
    priced against those only; every other left-out pair of theirs still has a reduced cost
    of at least ``margin`` (one per mentee)."""

    rows: npt.NDArray[np.int64]
    hot: npt.NDArray[np.bool_]
    margin: npt.NDArray[np.int64]


def _reoptimize(
    problem: AssignmentProblem,
    keys: npt.NDArray[np.int64],
    chosen_keys: npt.NDArray[np.int64],
    potentials: Potentials,
    max_freed: int,
) -> tuple[SolverResult, Potentials] | None:
    """The optimum on ``problem`` repaired from the previous one (``chosen_keys``, the pair
    keys it took, and its ``potentials``), checked; None if the repair or its check fails."""
    n_e, n_m = problem.n_mentees, problem.n_mentors
    bonus = potentials.big_m // (n_e + 2)
    used = np.isin(keys, chosen_keys)
    costs = -(potentials.big_m + np.rint(problem.scores * SCALE).astype(np.int64))
    warm = reoptimize(
        problem.rows,
        problem.cols,
        costs,
        used,
        problem.mentee_capacity,
        problem.mentor_capacity,
        bonus,
        potentials.nodes(),
        max_freed=max_freed,
        max_settled=WARM_SETTLED_PER_PAIR * problem.n_edges,
    )
    if warm is None:
        return None
    chosen = np.flatnonzero(warm.used)
    if not holds(problem, chosen, warm.d, potentials.big_m, bonus):
        log.warning("the repaired flow failed its optimality check")
        return None
    objective = float(problem.scores[chosen].sum())
    result = SolverResult(
        chosen,
        objective,
        objective,
        "optimal",
        "optimal",
        {
            "arcs": problem.n_edges,
            "flow": int(chosen.size),
            "mentees_matched": int(np.unique(problem.rows[chosen]).size),
            "mentees_freed": warm.freed,
            "paths": warm.paths,
        },
    )
    d = warm.d
    return result, Potentials(
        d[:n_e].copy(), d[n_e : n_e + n_m].copy(), potentials.big_m, 0, int(d[-2]), int(d[-1])
    )


def _unpinned(
    cand: Candidates,
    pinned_keys: npt.NDArray[np.int64],
    width: int,
    mentee_cap: npt.NDArray[np.int64],
    mentor_cap: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], AssignmentProblem]:
    """The candidates' pair keys, which of them are not pinned, and the problem on those."""
    keys = cand.rows.astype(np.int64) * width + cand.cols
    keep = ~np.isin(keys, pinned_keys) if pinned_keys.size else np.ones(len(cand), bool)
    problem = AssignmentProblem(
        mentee_cap.size,
        mentor_cap.size,
        cand.rows[keep],
        cand.cols[keep],
        cand.scores[keep],
        mentee_cap,
        mentor_cap,
        check_pairs=False,
    )
    return keys, keep, problem


def _solve_all(
    model: ScoringModel,
    pinned_keys: npt.NDArray[np.int64],
    width: int,
    mentee_cap: npt.NDArray[np.int64],
    mentor_cap: npt.NDArray[np.int64],
    seed: int,
    progress: Progress | None,
) -> tuple[Candidates, SolverResult]:
    """The optimum on every allowed pair (when the certificate cannot settle)."""
    log.warning("certificate did not settle; solving on every allowed pair")
    full = model.candidates(model.config.min_score, progress=progress)
    _, keep, problem = _unpinned(full, pinned_keys, width, mentee_cap, mentor_cap)
    result = solve_optimal(problem, seed=seed)
    result.chosen = np.flatnonzero(keep)[result.chosen]
    result.stats["certificate"] = "fallback: all allowed pairs"
    return full, result


def _pricing(n_pairs: int, top: int, rounds: int) -> tuple[int, int]:
    """Pairs added back per mentee at most, and the slack, for a candidate graph this large.

    Up to ACTIVE_PAIRS, generous (PRICING_PER_ROW, PRICING_SLACK): one more round then
    usually certifies.  Above, pairs with nearly equal reduced costs abound, and adding them
    all would double the graph: the first round adds only a few clearly improving pairs per
    mentee; later rounds, which add few pairs, take the slack too, to end the tail sooner."""
    if n_pairs <= ACTIVE_PAIRS:
        return min(top, PRICING_PER_ROW), PRICING_SLACK
    return min(top, LARGE_PRICING_PER_ROW), (0 if rounds == 1 else PRICING_SLACK)


def _drop_far_pairs(
    cand: Candidates,
    keep: npt.NDArray[np.bool_],
    chosen: npt.NDArray[np.int64],
    potentials: Potentials,
    slack: int,
    priced: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int32]:
    """Set aside the candidate pairs far from useful: unused by the solution and with a reduced
    cost above ``slack``, of mentees ``priced`` this round (their margins are measured against
    these potentials).  The next solves are smaller; the certificate still prices every pair
    set aside (each mentee's ``cutoff`` rises to cover them, its margin falls to ``slack``),
    so none can be missed.  Returns the mentee of each pair set aside."""
    on = np.flatnonzero(keep)
    units = np.rint(cand.scores[on] * SCALE).astype(np.int64)
    margin = potentials.threshold(cand.rows[on].astype(np.intp), cand.cols[on].astype(np.intp))
    far = np.zeros(len(cand), bool)
    far[on] = (margin - units > slack) & priced[cand.rows[on]]
    far[on[chosen]] = False
    if not far.any():
        return np.zeros(0, np.int32)
    rows = cand.rows[far]
    np.maximum.at(cand.cutoff, rows, cand.scores[far])
    cand.rows, cand.cols, cand.scores = cand.rows[~far], cand.cols[~far], cand.scores[~far]
    log.info("set aside %d candidate pairs with reduced cost above %d", int(far.sum()), slack)
    return rows


def _all(only: npt.NDArray[np.bool_] | None, n: int) -> npt.NDArray[np.bool_]:
    return np.ones(n, bool) if only is None else only


def _price(
    model: ScoringModel,
    cand: Candidates,
    potentials: Potentials,
    keys: npt.NDArray[np.int64],
    pinned_keys: npt.NDArray[np.int64],
    per_row: int,
    slack: int = 0,
    only: npt.NDArray[np.bool_] | None = None,
    groups: Sequence[Apart] = (),
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
    of it still left out has a reduced cost of at least that much (1e-6 units)."""
    n_e, n_m = model.shape
    width = max(n_m, 1)
    d_m = potentials.mentor
    limit_e = potentials.mentee - potentials.big_m
    known = np.sort(np.concatenate([keys, pinned_keys]))
    rows_in = _all(only, n_e)
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
        reach = np.rint(cand.cutoff[truncated] * SCALE).astype(np.int64) - limit_e[truncated]
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
        reach = np.rint(cand.cutoff[rows_to_check] * SCALE).astype(np.int64)
        reach -= limit_e[rows_to_check]
        hot, cold_top = _hot_mentors(d_m, reach)
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
        _cut_margins(margin, found_r, found_c, found_units, limit_e, d_m, per_row)
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
        else:
            r, c, sc = model.allowed_in_rows(chunk, model.config.min_score)
            units = np.full((chunk.size, n_m), -1, np.int32)
            units[np.searchsorted(chunk, r), c] = np.rint(sc * SCALE).astype(np.int32)
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
    found_units = np.rint(found_s * SCALE).astype(np.int64)
    _cut_margins(margin, found_r, found_c, found_units, limit_e, d_m, per_row)
    return found_r, found_c, found_s, checked, margin


#: Shares of the mentors (by falling potential) tried as the ones priced apart, and what a
#: pricing pass against that share costs per mentee, relative to one against every mentor
#: (measured at national scale: attractive mentors are scored in full for most mentees).
HOT_SHARES = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)
HOT_COST = (1.0, 0.3, 0.38, 0.53, 0.62, 0.7)


def _hot_mentors(
    d_m: npt.NDArray[np.int64], reach: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.bool_], int]:
    """The mentors of highest potential to price apart (mask), and the highest potential of
    the others.  A mentee whose ``reach`` plus that potential is not positive has no left-out
    pair with the others that could improve: it is priced against the few only.  The share
    is the one of HOT_SHARES with the least estimated work."""
    n_m = d_m.size
    hot = np.zeros(n_m, bool)
    if n_m == 0 or reach.size == 0:
        return hot, 0
    by_potential = np.argsort(-d_m, kind="stable")
    best, best_q = float(reach.size), 0
    for share, cost in zip(HOT_SHARES[1:], HOT_COST[1:], strict=True):
        q = int(share * n_m)
        if q == 0 or q >= n_m:
            continue
        apart = int((reach + d_m[by_potential[q]] <= 0).sum())
        work = reach.size - apart + cost * apart
        if work < best:
            best, best_q = work, q
    hot[by_potential[:best_q]] = True
    return hot, int(d_m[by_potential[best_q]])


#: The margin of a mentee none of whose allowed pairs is left out.
NO_PAIR_LEFT_OUT = 1 << 62


def _cut_margins(
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
