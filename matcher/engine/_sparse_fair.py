"""The fair method at scale: exact and certified on every allowed pair, without listing them.

Three steps, each proven over all allowed pairs, not only the candidates:

1. **Coverage.**  The certified sparse optimum (:func:`certified_optimal`) fills the most
   places, then gives the most mentees a mentor: that pair of numbers is the target.
2. **The floor.**  A binary search over the candidates' score levels (1e-6 units) finds the
   highest level ``t`` at which the candidates scoring at least ``t`` still reach the target:
   a lower bound on the true floor.  Then the next level, ``t + 1`` unit, is shown out of
   reach over all pairs: a maximum flow on the candidates at that level falls short, and its
   minimum cut (every mentee and mentor a node) stays a cut of the full graph unless an
   allowed pair scoring at least ``t + 1`` runs from a source-side mentee to a sink-side
   mentor.  Pricing (:func:`matcher.engine._pricing.price`, mentor potential 0 on the sink
   side and far below on the source side, a per-mentee bar of ``t``) finds such pairs with
   the compiled kernel; they join the candidates and the search runs again from ``t``, until
   the cut holds.  Then no matching at the target uses only pairs above ``t``: ``t`` is the
   floor.
3. **The total.**  The certified sparse optimum again, with ``t`` as an extra minimum score
   (exact in units), started from the candidates at or above it: the total at the floor is
   certified optimal too, so ``bound`` equals ``objective``.  When the first optimum's lowest
   score already is ``t``, it is the answer as it stands (no matching at the target scores
   more, and it keeps the floor), and this step is skipped.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import numpy.typing as npt

from matcher._errors import SolverError
from matcher.engine._options import SparseOptions
from matcher.engine._pricing import price
from matcher.engine._sparse import certified_optimal, unpinned_problem
from matcher.scoring import Candidates, Progress, ScoringModel
from matcher.solvers import AssignmentProblem, Potentials, SolverResult, coverage_cut, score_units

__all__ = ["certified_fair"]

log = logging.getLogger(__name__)

#: A mentor potential below every bar: the source-side mentors, which no crossing pair reaches.
_OUT = -(np.int64(1) << np.int64(61))


def certified_fair(
    model: ScoringModel,
    pin_r: npt.NDArray[np.int64],
    pin_c: npt.NDArray[np.int64],
    mentee_cap: npt.NDArray[np.int64],
    mentor_cap: npt.NDArray[np.int64],
    *,
    seed: int,
    progress: Progress | None,
    options: SparseOptions | None = None,
    all_pairs: bool = False,
) -> tuple[Candidates, SolverResult]:
    """The fair optimum on all allowed pairs (most places, then most mentees, then the best
    lowest score, then the best total at that floor), each step certified on every pair.

    ``stats``: ``floor`` and ``coverage`` as the dense solver reports them, and how they were
    proven (``floor_certificate``, ``floor_cut_rounds``, ``pairs_added_by_floor_cut``,
    ``flow_tests``), with the certified optimum's statistics for coverage
    (``coverage_stage``) and for the total at the floor (the rest).

    ``all_pairs``: return candidates that later pricing may take as covering every allowed
    pair (those of the first step, with every pair the later steps added), not only the pairs
    at or above the floor of the third step (the ``[equity]`` rule starts from them)."""
    o = options or SparseOptions()
    started = time.perf_counter()
    cand, first = certified_optimal(
        model,
        pin_r,
        pin_c,
        mentee_cap,
        mentor_cap,
        seed=seed,
        progress=progress,
        options=o,
        keep_dense=True,
    )
    covered = time.perf_counter()
    target = (int(first.stats["flow"]), int(first.stats["mentees_matched"]))
    stage = _stage_stats(first)
    log.info("fair: coverage %d certified in %.2f s", target[0], covered - started)
    if first.status != "optimal" or target[0] == 0:
        # nothing to match, or a time limit: coverage is not proven, the last optimum stands
        # (feasible; its bound holds for any matching, the fair one included)
        cand.dense = None
        low = _lowest(first.chosen, cand)
        first.method = "fair"
        first.stats = {
            "floor": None if low is None else round(low / 1e6, 6),
            "coverage": target[0],
            "floor_certificate": "none: time limit" if target[0] else "nothing to match",
            "flow_tests": 0,
            "coverage_stage": stage,
        }
        return cand, first
    width = max(model.shape[1], 1)
    pinned_keys = np.sort(pin_r * width + pin_c)
    several = bool((mentee_cap > 1).any())
    low = _lowest(first.chosen, cand)
    assert low is not None  # the target is at least one place
    floor, tests, cut_rounds, added = low, 0, 0, 0
    from_candidates = low
    per_row = o.pricing_per_row
    while True:
        cut_rounds += 1
        keys, _, problem = unpinned_problem(cand, pinned_keys, width, mentee_cap, mentor_cap)
        units = score_units(problem.scores)
        floor, searched = _highest_level(problem, units, floor, target, several)
        tests += searched
        if cut_rounds == 1:
            from_candidates = floor
        level = floor + 1
        e_side, m_side = _short_cut(problem, units >= level, target, several)
        tests += 1 + int(several)
        # pairs at or above the level from a source-side mentee to a sink-side mentor: the
        # only ones that could carry more flow than the cut lets through
        bar = Potentials(
            np.full(model.shape[0], level - 1, np.int64),
            np.where(m_side, _OUT, 0).astype(np.int64),
            0,
            0,
        )
        r, c, sc, _, _ = price(
            model, cand, bar, keys, pinned_keys, per_row, 0, e_side & (mentee_cap > 0), options=o
        )
        log.info(
            "floor %d units on %d candidate pairs after %d flow tests: %d crossing pairs",
            floor,
            problem.n_edges,
            tests,
            r.size,
        )
        if r.size == 0:
            break
        cand.extend(r, c, sc)
        added += int(r.size)
    floored = time.perf_counter()
    if floor == low:
        # the certified optimum's lowest score is the floor: it is feasible at the floor and
        # no matching at the target scores more, so it is the fair optimum as it stands
        cand.dense = None
        final_cand, result = cand, first
        total_step = "the certified optimum (its lowest score is the floor)"
    else:
        start = _at_least(cand, floor)
        cand.dense = None
        final_cand, result = certified_optimal(
            model,
            pin_r,
            pin_c,
            mentee_cap,
            mentor_cap,
            seed=seed,
            progress=progress,
            options=o,
            min_units=floor,
            start=start,
        )
        total_step = "certified optimum at or above the floor"
    if all_pairs and final_cand is not cand:
        final_cand, result.chosen = _merged(cand, final_cand, result.chosen, width)
    got = (int(result.stats["flow"]), int(result.stats["mentees_matched"]))
    if result.status == "optimal" and got != target:
        raise SolverError(f"fair: coverage {got} at the certified floor, expected {target}")
    log.info(
        "fair: floor %d units certified after %d cut round(s), %d pairs added, in %.2f s;"
        " total at the floor certified in %.2f s",
        floor,
        cut_rounds,
        added,
        floored - covered,
        time.perf_counter() - floored,
    )
    result.method = "fair"
    result.stats = {
        "floor": round(floor / 1e6, 6),
        "coverage": target[0],
        "mentees_covered": target[1],
        "floor_certificate": "min cut on every allowed pair",
        "floor_on_first_candidates": round(from_candidates / 1e6, 6),
        "floor_cut_rounds": cut_rounds,
        "pairs_added_by_floor_cut": added,
        "flow_tests": tests,
        "total_at_floor": total_step,
        "coverage_stage": stage,
        **result.stats,
    }
    return final_cand, result


def _stage_stats(result: SolverResult) -> dict[str, object]:
    """What the coverage step did (for summary.json: counts only, so that it stays the same
    from run to run)."""
    keys = ("certificate", "certificate_rounds", "pairs_added_by_certificate", "candidate_top")
    return {k: result.stats[k] for k in keys if k in result.stats}


def _lowest(chosen: npt.NDArray[np.int64], cand: Candidates) -> int | None:
    """The lowest score (1e-6 units) of the chosen pairs (indices into ``cand``), if any."""
    return int(score_units(cand.scores[chosen]).min()) if chosen.size else None


def _reaches(
    problem: AssignmentProblem,
    keep: npt.NDArray[np.bool_],
    target: tuple[int, int],
    several: bool,
) -> bool:
    """Whether the edges in ``keep`` can fill the target's places and serve its mentees."""
    places, _, _ = coverage_cut(problem, keep)
    if places < target[0]:
        return False
    return not several or coverage_cut(problem, keep, one_each=True)[0] >= target[1]


def _highest_level(
    problem: AssignmentProblem,
    units: npt.NDArray[np.int64],
    low: int,
    target: tuple[int, int],
    several: bool,
) -> tuple[int, int]:
    """The highest score level (units) of the candidates, at least ``low`` (which reaches the
    target), whose pairs at or above it still reach the target; and the flow tests made."""
    values = np.unique(units[units >= low])
    lo, hi, tests = 0, values.size - 1, 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        tests += 1
        if _reaches(problem, units >= values[mid], target, several):
            lo = mid
        else:
            hi = mid - 1
    return int(values[lo]), tests


def _short_cut(
    problem: AssignmentProblem,
    keep: npt.NDArray[np.bool_],
    target: tuple[int, int],
    several: bool,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """A minimum cut (source-side mentees, mentors) of a flow falling short of the target on
    the edges in ``keep``: too few places, or else too few mentees."""
    places, e_side, m_side = coverage_cut(problem, keep)
    if places < target[0]:
        return e_side, m_side
    if several:
        mentees, e_side, m_side = coverage_cut(problem, keep, one_each=True)
        if mentees < target[1]:
            return e_side, m_side
    raise SolverError("fair: the candidates above the floor found still reach the target")


def _at_least(cand: Candidates, floor: int) -> Candidates:
    """The candidates scoring at least ``floor`` units (their statistics and cutoffs shared)."""
    high = score_units(cand.scores) >= floor
    return Candidates(
        cand.rows[high],
        cand.cols[high],
        cand.scores[high],
        cand.feasible_per_mentee,
        cand.feasible_per_mentor,
        cand.best_per_mentee,
        cand.best_per_mentor,
        cand.allowed_per_mentee,
        cand.allowed_per_mentor,
        cand.cutoff,
        cand.dense,
        cand.partial,
    )


def _merged(
    cand: Candidates, later: Candidates, chosen: npt.NDArray[np.int64], width: int
) -> tuple[Candidates, npt.NDArray[np.int64]]:
    """``cand`` extended by the pairs of ``later`` it lacks, and ``chosen`` (indices into
    ``later``) as indices into it.  ``later``'s cutoffs are ``cand``'s (shared, only raised)."""
    keys = cand.rows.astype(np.int64) * width + cand.cols
    later_keys = later.rows.astype(np.int64) * width + later.cols
    new = ~np.isin(later_keys, keys)
    cand.extend(later.rows[new], later.cols[new], later.scores[new])
    every = np.concatenate([keys, later_keys[new]])
    order = np.argsort(every, kind="stable")
    at = order[np.searchsorted(every, later_keys[chosen], sorter=order)]
    return cand, np.sort(at).astype(np.int64)
