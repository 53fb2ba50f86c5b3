"""Assignment solvers over arrays; chosen by name from :data:`SOLVERS`."""

from matcher.solvers._flow import SCALE, solve_optimal
from matcher.solvers._problem import AssignmentProblem, SolverResult
from matcher.solvers._registry import SOLVERS, Solver, get_solver, run

__all__ = [
    "SCALE",
    "SOLVERS",
    "AssignmentProblem",
    "Solver",
    "SolverResult",
    "get_solver",
    "run",
    "solve_optimal",
]
