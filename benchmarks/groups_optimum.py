"""The true optimum of ``genetic-counselling-supervision``, found offline (issue 16, item 3).

    python benchmarks/groups_optimum.py            # ~10 min of one core; prints as it goes

The engine's objective is lexicographic: most members grouped, then the total score. This
script solves that exact model two independent ways, on the groups the engine lists
(``solvers._groups._columns``: every feasible group of 4-7):

1. **Enumeration + HiGHS MILP.** The set-partitioning LP of "every placeable member but e"
   is solved for each e (and for all of them): the e whose LP is feasible are the only ones
   who can be left out of a grouping of that many. For each such e, the member with the
   fewest groups is branched on (each of its groups fixed in turn), and the rest is an exact
   set-partitioning MILP (``scipy.optimize.milp``, HiGHS, no time limit) solved to optimality.
2. **Reduced-cost fixing.** The engine's cut LP (subset-row cuts, ``_cut_bound``) gives a
   proven bound L and reduced costs r; a grouping worth more than a known total T uses only
   groups with -r <= L - T. The set-packing MILP over those groups (at least as many members
   placed), solved to optimality, is then the optimum.

Private helpers are imported on purpose: this is a measurement, not a use of the library.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

import matcher
import matcher.engine._groups as engine_groups
from matcher.solvers._groups import GroupProblem, GroupSearch, _columns, _cut_bound, _packing

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "genetic-counselling-supervision"


class _CaughtError(Exception):
    pass


def scenario_problem() -> GroupProblem:
    """The GroupProblem the engine builds for the scenario (caught on its way to the solver)."""
    seen: list[GroupProblem] = []

    def catch(problem: GroupProblem, **_: Any) -> Any:
        seen.append(problem)
        raise _CaughtError

    real = engine_groups.solve_groups
    engine_groups.solve_groups = catch  # type: ignore[assignment]
    try:
        matcher.match(
            SCENARIO / "mentors.csv",
            SCENARIO / "mentees.csv",
            config=SCENARIO / "program.toml",
            seed=0,
        )
    except _CaughtError:
        pass
    finally:
        engine_groups.solve_groups = real
    return seen[0]


def main() -> None:
    problem = scenario_problem()
    cols = _columns(problem, 200_000)
    assert cols is not None
    n, m = problem.n, len(cols.members)
    value = np.asarray(cols.value)
    inside = np.zeros((n, m), bool)
    for c, members in enumerate(cols.members):
        inside[list(members), c] = True
    placeable = np.flatnonzero(inside.any(axis=1))
    print(f"{m} feasible groups; {placeable.size} of {n} members are in at least one")

    def partition(rows: list[int], keep: np.ndarray, integral: bool) -> Any:
        a = sparse.csr_matrix(inside[np.ix_(rows, np.flatnonzero(keep))].astype(float))
        if not integral:
            return linprog(-value[keep], A_eq=a, b_eq=np.ones(len(rows)), bounds=(0, 1))
        return milp(
            -value[keep],
            constraints=LinearConstraint(a, 1, 1),
            integrality=np.ones(int(keep.sum())),
            bounds=Bounds(0, 1),
        )

    every = partition(placeable.tolist(), np.ones(m, bool), integral=False)
    print(f"all {placeable.size} placed: LP status {every.status} ({every.message[:40]})")
    left_out = []
    for e in placeable.tolist():
        lp = partition([p for p in placeable if p != e], ~inside[e], integral=False)
        if lp.status == 0:
            left_out.append(e)
            print(f"  member {e} left out: partition LP {-lp.fun:.4f}")
    best = (-np.inf, [])
    for e in left_out:
        rows = [p for p in placeable if p != e]
        pivot = min(rows, key=lambda p: int((inside[p] & ~inside[e]).sum()))
        for c in np.flatnonzero(inside[pivot] & ~inside[e]).tolist():
            rest = [p for p in rows if not inside[p, c]]
            keep = ~inside[e] & ~inside[inside[:, c]].any(axis=0)
            start = time.process_time()
            if rest:
                res = partition(rest, keep, integral=True)
                if res.x is None:
                    print(f"  left out {e}, group {cols.members[c]} fixed: {res.message[:40]}")
                    continue
                total = value[c] - res.fun
                chosen = [c, *np.flatnonzero(keep)[res.x > 0.5].tolist()]
            else:
                total, chosen = value[c], [c]
            print(
                f"  left out {e}, group {cols.members[c]} fixed: optimum {total:.6f} "
                f"(HiGHS status {res.status if rest else 0}, "
                f"{time.process_time() - start:.1f} cpu s)"
            )
            if total > best[0]:
                best = (total, [cols.members[j] for j in chosen])
    placed = placeable.size - 1 if left_out else placeable.size
    print(f"1. optimum at {placed} placed: {best[0]:.6f} with {best[1]}")

    pack = _packing(problem, cols)
    start_cols = np.array(sorted(pack.index[(-1, g)] for g in best[1]), np.int64)
    cut = _cut_bound(pack, placed, start_cols, GroupSearch())
    assert cut is not None
    from matcher.solvers._groups import _lagrangian, _packing_lp

    room = np.ones(n)
    lp = _packing_lp(pack, np.arange(m), cut.cuts, room, placed)
    bound, reduced = _lagrangian(pack, lp, cut.cuts, placed)
    known = best[0] - 1e-6
    keep = np.flatnonzero(-reduced <= bound - known + 1e-9)
    print(f"2. cut LP bound {cut.bound:.6f} (over all groups with every cut: {bound:.6f}); ")
    print(f"   groups that a grouping worth more than {known:.6f} may use: {keep.size} of {m}")
    a = sparse.vstack(
        [
            sparse.csr_matrix(inside[:, keep].astype(float)),
            sparse.csr_matrix(pack.sizes[keep][None, :]),
        ]
    )
    start = time.process_time()
    res = milp(
        -value[keep],
        constraints=LinearConstraint(a, np.r_[np.zeros(n), placed], np.r_[np.ones(n), np.inf]),
        integrality=np.ones(keep.size),
        bounds=Bounds(0, 1),
    )
    print(
        f"   set-packing MILP over them: {-res.fun:.6f} (HiGHS status {res.status}, "
        f"{time.process_time() - start:.1f} cpu s)"
    )


if __name__ == "__main__":
    main()
