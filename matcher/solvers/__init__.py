"""Assignment solvers over arrays; chosen by name from :data:`SOLVERS`."""

from matcher.solvers._fair import max_coverage, solve_fair
from matcher.solvers._flow import SCALE, solve_optimal
from matcher.solvers._problem import AssignmentProblem, SolverResult
from matcher.solvers._registry import METHODS, SOLVERS, Solver, check_method, get_solver, run
from matcher.solvers._stable import (
    blocking_pairs,
    max_weight_bound,
    preference_positions,
    solve_stable,
)

__all__ = [
    "METHODS",
    "SCALE",
    "SOLVERS",
    "AssignmentProblem",
    "Solver",
    "SolverResult",
    "blocking_pairs",
    "check_method",
    "get_solver",
    "max_coverage",
    "max_weight_bound",
    "preference_positions",
    "run",
    "solve_fair",
    "solve_optimal",
    "solve_stable",
]
