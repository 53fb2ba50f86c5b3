"""The optimal method at scale: solve on each mentee's best pairs, then prove the result optimal
on every allowed pair by reduced costs, adding back the pairs that fail the check (column
generation).  Used by the optimal method above ``SPARSE_PAIRS`` mentee x mentor pairs.

The first round solves from scratch (OR-tools) and finds potentials (Bellman–Ford); later rounds
repair that flow and its potentials around the pairs added (``matcher.solvers.reoptimize``)
while the repair stays local, and solve again otherwise.  Pricing
(:mod:`matcher.engine._pricing`) uses the compiled scoring kernel where it applies, the dense
score cache on mid-sized programmes, and numpy blocks otherwise.  The tuning is one
:class:`SparseOptions` passed in.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import numpy.typing as npt

from matcher.engine._options import SparseOptions
from matcher.engine._pricing import price, pricing_limits, to_price
from matcher.scoring import Candidates, Progress, ScoringModel
from matcher.solvers import (
    AssignmentProblem,
    Potentials,
    SolverResult,
    bonus_of,
    flow_potentials,
    holds,
    most_served_known,
    pair_costs,
    reoptimize,
    score_units,
    solve_optimal,
)

__all__ = ["certified_optimal", "unpinned_problem"]

log = logging.getLogger(__name__)


def certified_optimal(
    model: ScoringModel,
    pin_r: npt.NDArray[np.int64],
    pin_c: npt.NDArray[np.int64],
    mentee_cap: npt.NDArray[np.int64],
    mentor_cap: npt.NDArray[np.int64],
    *,
    seed: int,
    progress: Progress | None,
    options: SparseOptions | None = None,
    min_units: int | None = None,
    start: Candidates | None = None,
    keep_dense: bool = False,
) -> tuple[Candidates, SolverResult]:
    """Optimal on all allowed pairs, solved on each mentee's best ones and certified by
    reduced costs; pairs that fail the check (priced by score plus the mentor's potential)
    are added back and the matching re-optimised (column generation).

    The first round solves from scratch (OR-tools) and finds potentials (Bellman–Ford); later
    rounds repair that flow and its potentials around the pairs added
    (``matcher.solvers.reoptimize``) while the repair stays local, and solve again otherwise.
    Each round prices only the mentees whose left-out pairs may have started to improve since
    they were last priced (``to_price`` in :mod:`matcher.engine._pricing`).  ``options``: the
    tuning (default :class:`SparseOptions`).

    ``min_units``: pairs must also score at least that many 1e-6 units (the fair method's
    floor); ``start``: the candidate pairs to begin with (all allowed, at or above that
    floor, with ``cutoff`` bounding every allowed pair left out), instead of scoring each
    mentee's best; ``keep_dense``: keep the dense score cache on the returned candidates for
    a later call."""
    o = options or SparseOptions()
    n_e, n_m = model.shape
    deadline = None if o.time_limit_s is None else time.perf_counter() + o.time_limit_s
    timed_out = False
    base = o.sparse_top if n_e * n_m <= o.dense_cache_cells else o.large_sparse_top
    top = base + 2 * int(mentee_cap.max(initial=1))
    cand = start if start is not None else _first_candidates(model, mentor_cap, top, progress, o)
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
        keys, keep, problem = unpinned_problem(cand, pinned_keys, width, mentee_cap, mentor_cap)
        if progress is not None:
            progress("solving", min(rounds / 5, 0.99))
        started = time.perf_counter()
        warm = None
        limit = max(o.warm_freed_min, int(o.warm_freed_share * n_e))
        if potentials is not None and o.warm_start and to_free <= limit:
            warm = _reoptimize(
                problem, keys[keep], chosen_keys, potentials, limit, o.warm_settled_per_pair
            )
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
                return _solve_all(
                    model, pinned_keys, width, mentee_cap, mentor_cap, seed, progress, min_units
                )
            iterations = potentials.iterations
        chosen_keys = np.sort(keys[keep][result.chosen])
        served = (int(result.stats["flow"]), int(result.stats["mentees_matched"]))
        if most_served_known(problem, *served):
            most = served
        started = time.perf_counter()
        again, apart = to_price(potentials, priced_round, priced_d, margins, mentor_at, o)
        if not (cand.partial and model.kernel is not None):  # no pricing against a few
            for group in apart:
                again[group.rows] = True
            apart = []
        per_row, slack = pricing_limits(len(cand), top, rounds, o)
        r, c, sc, checked, margin = price(
            model,
            cand,
            potentials,
            keys,
            pinned_keys,
            per_row,
            slack,
            again,
            apart,
            options=o,
            min_units=min_units,
        )
        for group in apart:
            again[group.rows] = True  # priced this round
        improving = score_units(sc) > potentials.threshold(r.astype(np.intp), c.astype(np.intp))
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
        if deadline is not None and time.perf_counter() > deadline:
            timed_out = True  # this round's optimum stands, feasible but not certified
            break
        # the mentees a repair would free: those with an added pair that improves
        to_free = int(np.unique(r[improving]).size)
        if warm is None and cand.partial and len(cand) > o.active_pairs:
            # after a new solve, pairs far from useful wait outside the next solves
            far = o.active_slack if rounds == 1 else o.later_active_slack
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
    if not keep_dense:
        cand.dense = None
    if timed_out:
        best = _best_scores_bound(cand, pinned_keys, width, mentee_cap)
        result.bound = max(best, result.objective)
        result.status = "time_limit"
        result.stats["certificate"] = "none: time limit, best found"
        log.info(
            "time limit of %g s after %d round(s): best found, gap %.6f",
            o.time_limit_s,
            rounds,
            result.bound - result.objective,
        )
        return cand, result
    log.info("certified optimal after %d round(s), %d pairs added", rounds, added)
    return cand, result


def _first_candidates(
    model: ScoringModel,
    mentor_cap: npt.NDArray[np.int64],
    top: int,
    progress: Progress | None,
    o: SparseOptions,
) -> Candidates:
    """Each mentee's ``top`` best allowed pairs, and the best pairs of mentors few list."""
    cfg = model.config
    n_e, n_m = model.shape
    started = time.perf_counter()
    cand = model.candidates(
        cfg.min_score,
        progress=progress,
        top=top,
        keep_dense=model.kernel is None and n_e * n_m <= o.dense_cache_cells,
    )
    scored = time.perf_counter()
    # mentors that few mentees list get their own best pairs, so the first solve can fill
    # as many places as the full problem can (otherwise rounds go to filling places)
    listed = np.bincount(cand.cols, minlength=n_m)
    need = np.where(mentor_cap > 0, np.maximum(o.pairs_per_place * mentor_cap - listed, 0), 0)
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
    return cand


def _best_scores_bound(
    cand: Candidates,
    pinned_keys: npt.NDArray[np.int64],
    width: int,
    mentee_cap: npt.NDArray[np.int64],
) -> float:
    """A proven upper bound on the total score of any matching of the unpinned places: the
    sum of each mentee's ``mentee_cap`` best allowed scores, where every allowed pair left out
    of the candidates scores at most the mentee's ``cutoff`` (so ``mentee_cap`` copies of it
    stand in for them)."""
    keys = cand.rows.astype(np.int64) * width + cand.cols
    free = ~np.isin(keys, pinned_keys)
    out = np.flatnonzero(np.isfinite(cand.cutoff) & (mentee_cap > 0))
    rows = np.concatenate(
        [cand.rows[free].astype(np.int64), np.repeat(out.astype(np.int64), mentee_cap[out])]
    )
    scores = np.concatenate([cand.scores[free], np.repeat(cand.cutoff[out], mentee_cap[out])])
    order = np.lexsort((-scores, rows))
    rows, scores = rows[order], scores[order]
    first = np.searchsorted(rows, rows, side="left")
    rank = np.arange(rows.size) - first
    return float(scores[rank < mentee_cap[rows]].sum())


def _reoptimize(
    problem: AssignmentProblem,
    keys: npt.NDArray[np.int64],
    chosen_keys: npt.NDArray[np.int64],
    potentials: Potentials,
    max_freed: int,
    settled_per_pair: int,
) -> tuple[SolverResult, Potentials] | None:
    """The optimum on ``problem`` repaired from the previous one (``chosen_keys``, the pair
    keys it took, and its ``potentials``), checked; None if the repair or its check fails."""
    n_e, n_m = problem.n_mentees, problem.n_mentors
    bonus = bonus_of(potentials.big_m, n_e)
    used = np.isin(keys, chosen_keys)
    costs = pair_costs(problem.scores, potentials.big_m)
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
        max_settled=settled_per_pair * problem.n_edges,
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
    return result, Potentials.from_nodes(warm.d, n_e, n_m, potentials.big_m)


def unpinned_problem(
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
    min_units: int | None = None,
) -> tuple[Candidates, SolverResult]:
    """The optimum on every allowed pair (when the certificate cannot settle)."""
    log.warning("certificate did not settle; solving on every allowed pair")
    full = model.candidates(model.config.min_score, progress=progress)
    if min_units is not None:
        high = score_units(full.scores) >= min_units
        full.rows, full.cols, full.scores = full.rows[high], full.cols[high], full.scores[high]
    _, keep, problem = unpinned_problem(full, pinned_keys, width, mentee_cap, mentor_cap)
    result = solve_optimal(problem, seed=seed)
    result.chosen = np.flatnonzero(keep)[result.chosen]
    result.stats["certificate"] = "fallback: all allowed pairs"
    return full, result


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
    units = score_units(cand.scores[on])
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
