"""Solvers by name: the library, the CLI (``--method``) and the service share this registry."""

from __future__ import annotations

from collections.abc import Callable

from matcher._errors import InvalidInputError, Problem
from matcher.solvers._fair import solve_fair
from matcher.solvers._flow import solve_optimal
from matcher.solvers._problem import AssignmentProblem, SolverResult
from matcher.solvers._stable import solve_stable

__all__ = ["SOLVERS", "Solver", "get_solver"]

Solver = Callable[..., SolverResult]

#: name -> function(problem: AssignmentProblem, *, seed: int) -> SolverResult
SOLVERS: dict[str, Solver] = {
    "optimal": solve_optimal,
    "fair": solve_fair,
    "stable": solve_stable,
}


def get_solver(name: str) -> Solver:
    """The solver registered as ``name``; an unknown name is an error, never a fallback."""
    try:
        return SOLVERS[name]
    except KeyError:
        raise InvalidInputError(
            [
                Problem(
                    "unknown method",
                    column="method",
                    value=name,
                    expected="one of " + ", ".join(sorted(SOLVERS)),
                )
            ]
        ) from None


def run(problem: AssignmentProblem, method: str = "optimal", *, seed: int = 0) -> SolverResult:
    """Solve ``problem`` with the method registered as ``method``."""
    return get_solver(method)(problem, seed=seed)
