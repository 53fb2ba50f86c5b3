"""The tuning of the certified sparse path, in one object passed in (never module globals)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SparseOptions"]


@dataclass(frozen=True)
class SparseOptions:
    """How the optimal method solves at scale: on each mentee's best pairs, then certified.

    The defaults are the measured ones; tests pass other values to force many rounds, pairs
    set aside, pricing apart, etc.  None of them changes the optimum, only the work to reach it.
    """

    #: Candidate pairs kept per mentee on the sparse path, before certification adds any.
    sparse_top: int = 28
    #: The same above ``dense_cache_cells`` mentee x mentor pairs, where each solve is costly
    #: and a shorter list per mentee (completed by the certificate) solves faster overall: a
    #: cheap first solve whose potentials pick the next round's pairs (4 instead of 8 saved a
    #: new solve at 100,000 x 20,000; benchmarks/README.md, "warm-started rounds").
    large_sparse_top: int = 4
    #: Candidate pairs each mentor gets at least, per place (its own best mentees when the
    #: mentees' lists name it less often).
    pairs_per_place: int = 3
    #: Up to this many pairs, every allowed score is kept in memory (float32) for pricing.
    dense_cache_cells: int = 100_000_000
    #: After the first solve, candidate pairs whose reduced cost exceeds this (1e-6 score
    #: units) are set aside when there are more than ``active_pairs``: later solves are
    #: smaller, and the certificate prices them again like any pair left out.
    active_slack: int = 150_000
    active_pairs: int = 1_000_000
    #: The same after a later new solve, whose potentials are closer to the final ones (at
    #: national scale the third solve then has a quarter fewer pairs and takes a third less).
    later_active_slack: int = 50_000
    #: Pairs a certificate round adds back per mentee at most (the most improving first).
    pricing_per_row: int = 32
    #: The same above ``active_pairs`` candidate pairs (no slack there).
    large_pricing_per_row: int = 4
    #: Pricing also adds pairs whose reduced cost is within this many 1e-6 score units of
    #: improving: the next potentials rarely differ by more, so one more round usually
    #: certifies.
    pricing_slack: int = 50_000
    #: Later rounds repair the previous optimum instead of solving again while at most
    #: ``warm_freed_share`` of the mentees (at least ``warm_freed_min``) have an added pair
    #: that improves on their place.  When every place is full, each repair reaches far (a
    #: chain of moves through many full mentors), and a new solve is faster beyond that.
    warm_start: bool = True
    warm_freed_share: float = 0.01
    warm_freed_min: int = 200
    #: A repair that settles more than this many nodes per pair gives way to a new solve.
    warm_settled_per_pair: int = 8
    #: Shares of the mentors (by falling potential) tried as the ones priced apart, and what a
    #: pricing pass against that share costs per mentee, relative to one against every mentor
    #: (measured at national scale: attractive mentors are scored in full for most mentees).
    hot_shares: tuple[float, ...] = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)
    hot_cost: tuple[float, ...] = (1.0, 0.3, 0.38, 0.53, 0.62, 0.7)
    #: Seconds after which a round that is not yet certified stops the loop: the last
    #: round's optimum (feasible on all pairs) is returned with status ``time_limit`` and a
    #: proven bound (each mentee's best allowed scores), not certified optimal.  None: no limit.
    time_limit_s: float | None = None
