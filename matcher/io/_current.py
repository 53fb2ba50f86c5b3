"""Reading current matches (``current.csv`` or a list) for incremental re-matching."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matcher._errors import InvalidInputError, Problem
from matcher.io._edges import read_pairs
from matcher.profiles import vocab

__all__ = ["CurrentLike", "read_current"]

_STATUS = {
    "": "active",
    "active": "active",
    "current": "active",
    "ongoing": "active",
    "actif": "active",
    "en cours": "active",
    "ended": "ended",
    "completed": "ended",
    "closed": "ended",
    "finished": "ended",
    "termine": "ended",
    "terminee": "ended",
    "fini": "ended",
    "do not match again": "do_not_match_again",
    "dnma": "do_not_match_again",
    "never again": "do_not_match_again",
    "ne pas rejumeler": "do_not_match_again",
    "ne plus jumeler": "do_not_match_again",
}


CurrentLike = str | Path | Sequence[tuple[str, str] | tuple[str, str, str]]


def read_current(source: CurrentLike) -> list[tuple[str, str, str]]:
    """``(mentee_id, mentor_id, status)`` from current.csv or a list; every problem at once."""
    if not isinstance(source, str | Path):
        out = []
        for item in source:
            status = _STATUS.get(vocab.fold(item[2]) if len(item) > 2 else "")
            if status is None:
                raise InvalidInputError(
                    [
                        Problem(
                            "invalid status",
                            value=str(item[2]),  # type: ignore[misc]
                            expected="active, ended or do_not_match_again",
                        )
                    ]
                )
            out.append((str(item[0]), str(item[1]), status))
        return out
    name, rows = read_pairs(source, optional=("status",))
    problems: list[Problem] = []
    pairs: list[tuple[str, str, str]] = []
    for row in rows:
        status = _STATUS.get(vocab.fold(row.extra["status"]).replace("_", " "))
        if status is None:
            problems.append(
                Problem(
                    "invalid status",
                    file=name,
                    row=row.row,
                    column="status",
                    value=row.extra["status"],
                    expected="active, ended or do_not_match_again",
                )
            )
            continue
        pairs.append((row.mentee_id, row.mentor_id, status))
    if problems:
        raise InvalidInputError(problems)
    return pairs
