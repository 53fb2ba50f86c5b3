"""Solvers by name: the library, the CLI (``--method``) and the service share this registry."""

from __future__ import annotations

from collections.abc import Callable

from matcher._errors import InvalidInputError, Problem
from matcher.solvers._fair import solve_fair
from matcher.solvers._flow import solve_optimal
from matcher.solvers._problem import AssignmentProblem, SolverResult
from matcher.solvers._stable import solve_stable

__all__ = ["METHODS", "SOLVERS", "Solver", "check_method", "get_solver", "run"]

Solver = Callable[..., SolverResult]

#: name -> function(problem: AssignmentProblem, *, seed: int) -> SolverResult
SOLVERS: dict[str, Solver] = {
    "optimal": solve_optimal,
    "fair": solve_fair,
    "stable": solve_stable,
}


#: Every matching method, with when to use it.  ``groups`` and ``suggest`` are not assignment
#: solvers on pairs; the library dispatches them itself.
METHODS: dict[str, str] = {
    "optimal": "most mentees matched, then the highest total score",
    "fair": "most mentees matched, then the best lowest score, then the highest total",
    "stable": "mentee-optimal stable matching for stated or score-derived rankings",
    "groups": "small groups sharing a session window, language and format",
    "suggest": "top-N mentors per mentee, load-aware, for programmes where mentees choose",
}


def check_method(name: str) -> str:
    """``name`` if it is a known method; an unknown name is an error, never a fallback."""
    if name not in METHODS:
        raise InvalidInputError(
            [
                Problem(
                    "unknown method",
                    column="method",
                    value=name,
                    expected="one of " + ", ".join(METHODS),
                )
            ]
        )
    return name


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
