"""What every solver receives (arrays only) and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher._errors import InvalidInputError, Problem
from matcher.profiles import MAX_SCORE  # keeps the solvers' integer costs far from int64 limits

__all__ = ["MAX_SCORE", "AssignmentProblem", "SolverResult"]


@dataclass
class AssignmentProblem:
    """A capacitated assignment on the sparse graph of allowed pairs.

    ``rows[k]``, ``cols[k]``, ``scores[k]`` describe edge k between mentee ``rows[k]`` and mentor
    ``cols[k]``; a pair with no edge is not allowed.  ``mentee_capacity[i]`` is how many mentors
    mentee i wants; ``mentor_capacity[j]`` how many mentees mentor j takes at once.  Optional
    ``mentee_rank``/``mentor_rank`` (1 = most preferred, 0 = unranked) serve ranking methods.
    """

    n_mentees: int
    n_mentors: int
    rows: npt.NDArray[np.int32]
    cols: npt.NDArray[np.int32]
    scores: npt.NDArray[np.float64]
    mentee_capacity: npt.NDArray[np.int64]
    mentor_capacity: npt.NDArray[np.int64]
    mentee_rank: npt.NDArray[np.int64] | None = None
    mentor_rank: npt.NDArray[np.int64] | None = None
    #: check that no pair is listed twice (callers that built the edges from scores skip it)
    check_pairs: bool = field(default=True, repr=False)

    def __post_init__(self) -> None:
        problems = []
        k = len(self.rows)
        if len(self.cols) != k or len(self.scores) != k:
            problems.append(
                Problem(
                    "rows, cols and scores must have the same length",
                    value=f"{k}, {len(self.cols)}, {len(self.scores)}",
                )
            )
        if self.mentee_capacity.shape != (self.n_mentees,):
            problems.append(
                Problem(
                    "mentee_capacity must have shape (n_mentees,)",
                    value=str(self.mentee_capacity.shape),
                )
            )
        if self.mentor_capacity.shape != (self.n_mentors,):
            problems.append(
                Problem(
                    "mentor_capacity must have shape (n_mentors,)",
                    value=str(self.mentor_capacity.shape),
                )
            )
        if k and (
            self.rows.min() < 0
            or self.rows.max() >= self.n_mentees
            or self.cols.min() < 0
            or self.cols.max() >= self.n_mentors
        ):
            problems.append(Problem("edge endpoints out of range"))
        if k and not np.all(np.isfinite(self.scores)):
            problems.append(Problem("scores must be finite numbers"))
        elif k and np.abs(self.scores).max() > MAX_SCORE:
            problems.append(
                Problem(
                    "scores too large",
                    value=f"{np.abs(self.scores).max():g}",
                    expected=f"scores between -{MAX_SCORE:g} and {MAX_SCORE:g} (rescale them)",
                )
            )
        if k and self.check_pairs:
            keys = self.rows.astype(np.int64) * max(self.n_mentors, 1) + self.cols
            if np.unique(keys).size != k:
                problems.append(
                    Problem(
                        "a pair is listed twice", expected="each (mentee, mentor) pair at most once"
                    )
                )
        if (self.mentee_capacity < 0).any() or (self.mentor_capacity < 0).any():
            problems.append(Problem("capacities must be >= 0"))
        if problems:
            raise InvalidInputError(problems)

    @property
    def n_edges(self) -> int:
        """Number of allowed pairs."""
        return int(self.rows.shape[0])

    def subset(self, keep: npt.NDArray[np.bool_] | npt.NDArray[np.intp]) -> AssignmentProblem:
        """The same problem on the edges ``keep`` selects (a mask or indices); ranks are not
        carried over."""
        return AssignmentProblem(
            self.n_mentees,
            self.n_mentors,
            self.rows[keep],
            self.cols[keep],
            self.scores[keep],
            self.mentee_capacity,
            self.mentor_capacity,
            check_pairs=False,
        )


@dataclass
class SolverResult:
    """Chosen edges (indices into the problem's edge arrays), objective, bound and status.

    ``objective`` is the total score of the chosen edges; ``bound`` an upper bound on the best
    total reachable at the same coverage (equal to ``objective`` when ``status == 'optimal'``).
    """

    chosen: npt.NDArray[np.int64]
    objective: float
    bound: float
    status: str
    method: str
    stats: dict[str, Any] = field(default_factory=dict)
