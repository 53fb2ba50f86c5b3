"""Exceptions raised by matcher.

The tree::

    MatcherError                      base of everything matcher raises on purpose
    ├── InvalidInputError(ValueError) bad files, columns, values or arguments (CLI exit 2);
    │                                 carries every Problem found, not only the first
    ├── InfeasibleError               the stated hard constraints cannot all hold (CLI exit 3),
    │                                 e.g. a pinned pair beyond a mentor's capacity
    └── SolverError(RuntimeError)     a solver ended with a status other than optimal/feasible
                                      (CLI exit 1: a bug or a resource limit, not the user's input)

Messages name the file, row (as Excel shows it: the header is row 1), column, the value received
and what was expected.  They may quote a value the user gave, so they are for the user's terminal;
library code never logs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["InfeasibleError", "InvalidInputError", "MatcherError", "Problem", "SolverError"]

_MAX_VALUE_CHARS = 60


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in the input: where it is, what was there and what was expected."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            label = "key" if self.file and self.file.endswith(".toml") else "column"
            where.append(f"{label} '{self.column}'")
        text = self.message
        if self.value is not None:
            value = self.value
            if len(value) > _MAX_VALUE_CHARS:
                value = value[: _MAX_VALUE_CHARS - 1] + "…"
            text += f": got {value!r}"
        if self.expected:
            text += f", expected {self.expected}"
        return f"{', '.join(where)}: {text}" if where else text


class MatcherError(Exception):
    """Base class of the errors matcher raises on purpose."""


class InvalidInputError(MatcherError, ValueError):
    """The input is malformed; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem | str], *, partial: object = None) -> None:
        #: what could be read despite the problems (lets later checks report theirs too)
        self.partial = partial
        self.problems: list[Problem] = [
            p if isinstance(p, Problem) else Problem(message=p) for p in problems
        ]
        if not self.problems:
            self.problems = [Problem(message="invalid input")]
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        head = "1 problem found" if n == 1 else f"{n} problems found"
        return head + ":\n" + "\n".join(f"  - {p}" for p in self.problems)


class InfeasibleError(MatcherError):
    """The hard constraints cannot all hold; ``reasons`` names each conflict."""

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("infeasible constraints:\n" + "\n".join(f"  - {r}" for r in self.reasons))


class SolverError(MatcherError, RuntimeError):
    """A solver ended without a usable solution (status named in the message)."""
