"""Array-only solvers: the flow network, optimal, its certificate and warm repair, fair, stable,
groups.  They see only arrays: may import profiles (limits) and io, never scoring or below."""

from matcher.solvers._certify import flow_potentials, holds
from matcher.solvers._equity import (
    EquityRule,
    equity_cut,
    equity_floors,
    equity_infeasible,
    equity_potentials,
    equity_rates,
    solve_equity,
    solve_equity_floors,
)
from matcher.solvers._fair import coverage_cut, max_coverage, solve_fair
from matcher.solvers._flow import most_served_known, solve_optimal
from matcher.solvers._groups import (
    GroupProblem,
    GroupResult,
    GroupSearch,
    check_groups,
    solve_groups,
)
from matcher.solvers._network import (
    SCALE,
    Nodes,
    Potentials,
    big_m,
    bonus_of,
    mentee_weight,
    pair_costs,
    residual_arcs,
    score_units,
)
from matcher.solvers._problem import AssignmentProblem, SolverResult
from matcher.solvers._stable import (
    blocking_pairs,
    max_weight_bound,
    preference_positions,
    solve_stable,
)
from matcher.solvers._warm import WarmResult, reoptimize

__all__ = [
    "SCALE",
    "AssignmentProblem",
    "EquityRule",
    "GroupProblem",
    "GroupResult",
    "GroupSearch",
    "Nodes",
    "Potentials",
    "SolverResult",
    "WarmResult",
    "big_m",
    "blocking_pairs",
    "bonus_of",
    "check_groups",
    "coverage_cut",
    "equity_cut",
    "equity_floors",
    "equity_infeasible",
    "equity_potentials",
    "equity_rates",
    "flow_potentials",
    "holds",
    "max_coverage",
    "max_weight_bound",
    "mentee_weight",
    "most_served_known",
    "pair_costs",
    "preference_positions",
    "reoptimize",
    "residual_arcs",
    "score_units",
    "solve_equity",
    "solve_equity_floors",
    "solve_fair",
    "solve_groups",
    "solve_optimal",
    "solve_stable",
]
