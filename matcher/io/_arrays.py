"""Ids to arrays: edge lists and score matrices become the row/column/score arrays (and
capacities in the same order) that the solvers see; pair lists become index pairs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher._errors import InvalidInputError, Problem
from matcher.io._edges import EdgeList, edges_from_table, read_pairs
from matcher.io._table import Table
from matcher.profiles import MAX_CAPACITY, MAX_SCORE

__all__ = [
    "Capacities",
    "EdgeArrays",
    "PairList",
    "capacity_vector",
    "check_scores",
    "encode_edges",
    "encode_matrix",
    "loose_tuple_edges",
    "pair_indices",
    "pairs_of",
    "tuple_edges",
]

PairList = Sequence[tuple[str, str]]
Capacities = Mapping[str, int] | Sequence[int] | npt.NDArray[np.integer[Any]]


@dataclass
class EdgeArrays:
    """An assignment problem by index: mentee ``e_names[rows[k]]`` with mentor
    ``m_names[cols[k]]`` scores ``values[k]``; capacities and ranks in the same orders."""

    e_names: list[str]
    m_names: list[str]
    rows: npt.NDArray[np.int32]
    cols: npt.NDArray[np.int32]
    values: npt.NDArray[np.float64]
    mentee_cap: npt.NDArray[np.int64]
    mentor_cap: npt.NDArray[np.int64]
    mentee_ranks: npt.NDArray[np.int64]
    mentor_ranks: npt.NDArray[np.int64]


def encode_edges(
    edges: EdgeList,
    capacities: Capacities | None,
    mentee_capacities: Capacities | None = None,
) -> EdgeArrays:
    """Number mentees and mentors in order of first appearance (mentors named only in a
    capacities mapping, and not mentees, follow); capacities default to 1.  In a mapping, an
    id that is a mentee sets how many mentors it wants (unless ``mentee_capacities``)."""
    caps_map = dict(capacities) if isinstance(capacities, Mapping) else {}
    e_names = list(dict.fromkeys(edges.mentee_ids))
    e_set = set(e_names)
    m_names = list(dict.fromkeys(edges.mentor_ids))
    m_names += [pid for pid in caps_map if pid not in e_set and pid not in set(m_names)]
    e_pos = {pid: k for k, pid in enumerate(e_names)}
    m_pos = {pid: k for k, pid in enumerate(m_names)}
    rows = np.array([e_pos[x] for x in edges.mentee_ids], dtype=np.int32)
    cols = np.array([m_pos[x] for x in edges.mentor_ids], dtype=np.int32)
    values = np.array(edges.scores, dtype=np.float64)
    mentor_cap = np.array([caps_map.get(pid, 1) for pid in m_names], dtype=np.int64)
    e_rank = np.array(edges.mentee_ranks, dtype=np.int64)
    m_rank = np.array(edges.mentor_ranks, dtype=np.int64)
    e_caps = mentee_capacities if mentee_capacities is not None else caps_map
    mentee_cap = capacity_vector(e_caps, e_names, "mentee")
    if not isinstance(capacities, Mapping) and capacities is not None:
        mentor_cap = capacity_vector(capacities, m_names, "mentor")
    return EdgeArrays(e_names, m_names, rows, cols, values, mentee_cap, mentor_cap, e_rank, m_rank)


def encode_matrix(
    matrix: npt.NDArray[np.float64],
    capacities: Capacities | None,
    mentee_capacities: Capacities | None,
    mentee_ids: Sequence[str] | None,
    mentor_ids: Sequence[str] | None,
) -> EdgeArrays:
    """The finite entries of a ``(n_mentees, n_mentors)`` matrix as edges (NaN or -inf: a
    pair not allowed); rows and columns named ``"0"``, ``"1"``, … unless ids are given."""
    if matrix.ndim != 2:
        raise InvalidInputError(
            [
                Problem(
                    "scores must be a 2-D array (n_mentees, n_mentors)",
                    value=f"shape {matrix.shape}",
                )
            ]
        )
    n_e, n_m = matrix.shape
    e_names = list(mentee_ids) if mentee_ids is not None else [str(k) for k in range(n_e)]
    m_names = list(mentor_ids) if mentor_ids is not None else [str(k) for k in range(n_m)]
    if len(e_names) != n_e or len(m_names) != n_m:
        raise InvalidInputError(
            [
                Problem(
                    "mentee_ids/mentor_ids must match the score matrix's shape "
                    "(n_mentees, n_mentors)",
                    value=f"{len(e_names)}, {len(m_names)}",
                    expected=f"{n_e}, {n_m}",
                )
            ]
        )
    if np.isposinf(matrix).any():
        raise InvalidInputError([Problem("scores must not be +inf")])
    rows_i, cols_i = np.nonzero(np.isfinite(matrix))
    rows, cols = rows_i.astype(np.int32), cols_i.astype(np.int32)
    values = matrix[rows_i, cols_i]
    mentor_cap = capacity_vector(capacities, m_names, "mentor", strict_keys=True)
    mentee_cap = capacity_vector(mentee_capacities, e_names, "mentee", strict_keys=True)
    no_ranks = np.zeros(len(rows), np.int64)
    return EdgeArrays(
        e_names, m_names, rows, cols, values, mentee_cap, mentor_cap, no_ranks, no_ranks
    )


def capacity_vector(
    capacities: Capacities | None,
    ids: Sequence[str],
    who: str,
    *,
    strict_keys: bool = False,
) -> npt.NDArray[np.int64]:
    """Capacities in ``ids`` order (default 1); ``who`` is "mentor" or "mentee"."""
    what = "capacities" if who == "mentor" else "mentee_capacities"
    if capacities is None:
        return np.ones(len(ids), np.int64)
    if isinstance(capacities, Mapping):
        if strict_keys:
            unknown = sorted(set(capacities) - set(ids))
            if unknown:
                raise InvalidInputError(
                    [
                        Problem(
                            f"{what} names {who}s that are not in the scores",
                            value=", ".join(map(str, unknown[:5])),
                            expected=f"{who} ids given in {who}_ids",
                        )
                    ]
                )
        values = [capacities.get(pid, 1) for pid in ids]
    else:
        values = capacities  # type: ignore[assignment]
    try:
        given = np.asarray(values, dtype=np.float64)
        if given.size and not (np.isfinite(given).all() and (given == np.round(given)).all()):
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError(
            [Problem(f"invalid {what}", expected=f"whole numbers from 0 to {MAX_CAPACITY:,}")]
        ) from None
    if not isinstance(capacities, Mapping) and given.shape != (len(ids),):
        raise InvalidInputError(
            [
                Problem(
                    f"{what} must have one entry per {who}",
                    value=f"shape {given.shape}",
                    expected=f"shape ({len(ids)},)",
                )
            ]
        )
    out = np.clip(given, -1, MAX_CAPACITY + 1).astype(np.int64)  # out of range: named below
    if given.size and ((given < 0).any() or (given > MAX_CAPACITY).any()):
        bad = given.min() if (given < 0).any() else given.max()
        raise InvalidInputError(
            [
                Problem(
                    f"invalid {what}",
                    value=f"{bad:g}",
                    expected=f"whole numbers from 0 to {MAX_CAPACITY:,}",
                )
            ]
        )
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        return repr(float(value))  # read back as exactly the same float
    return str(value)


def tuple_edges(tuples: Sequence[tuple[Any, ...]]) -> EdgeList:
    """``(mentee_id, mentor_id, score[, mentee_rank, mentor_rank])`` tuples, read as an
    EDGES.csv is (every problem at once, numbered from 1)."""
    rows = [[_cell(v) for v in t] for t in tuples]
    width = max((len(r) for r in rows), default=3)
    header = ["mentee_id", "mentor_id", "score", "mentee_rank", "mentor_rank"][: max(width, 3)]
    return edges_from_table(Table("<edge list>", header, rows, list(range(1, len(rows) + 1))))


def check_scores(
    values: npt.NDArray[np.float64],
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
    e_names: Sequence[str],
    m_names: Sequence[str],
    *,
    matrix: bool,
) -> None:
    """Scores within +-MAX_SCORE, each one out of range named by its place (up to 20)."""
    bad = np.flatnonzero(~(np.abs(values) <= MAX_SCORE))
    if not bad.size:
        return
    problems = [
        Problem(
            "score out of range",
            row=None if matrix else int(k) + 1,
            column=None if matrix else "score",
            value=(f"scores[{rows[k]}, {cols[k]}] = " if matrix else "")
            + f"{values[k]:g} (mentee {e_names[rows[k]]!r}, mentor {m_names[cols[k]]!r})",
            expected=f"a number from -{MAX_SCORE:g} to {MAX_SCORE:g} (rescale the scores)",
        )
        for k in bad[:20]
    ]
    if bad.size > 20:
        problems.append(Problem(f"and {bad.size - 20} more scores out of range"))
    raise InvalidInputError(problems)


def pairs_of(source: PairList | str | Path) -> tuple[PairList, list[int] | None, str | None]:
    if isinstance(source, str | Path):
        name, rows = read_pairs(source)
        return [(r.mentee_id, r.mentor_id) for r in rows], [r.row for r in rows], name
    return source, None, None


def pair_indices(
    source: PairList | str | Path, what: str, e_pos: Mapping[str, int], m_pos: Mapping[str, int]
) -> list[tuple[int, int]]:
    pairs, numbers, name = pairs_of(source)
    problems = []
    out = []
    for k, (mentee_id, mentor_id) in enumerate(pairs):
        bad = [f"mentee {mentee_id!r}"] if mentee_id not in e_pos else []
        bad += [f"mentor {mentor_id!r}"] if mentor_id not in m_pos else []
        if bad:
            problems.append(
                Problem(
                    f"{what} pair names an unknown " + " and ".join(bad),
                    file=name or f"<{what} list>",
                    row=numbers[k] if numbers else k,
                    column="mentee_id" if mentee_id not in e_pos else "mentor_id",
                    value=f"{mentee_id},{mentor_id}",
                    expected="ids present in the mentee and mentor files",
                )
            )
            continue
        out.append((e_pos[mentee_id], m_pos[mentor_id]))
    if problems:
        raise InvalidInputError(problems)
    return out


def loose_tuple_edges(tuples: Sequence[tuple[Any, ...]]) -> EdgeList:
    """``(mentee_id, mentor_id, score[, mentee_rank, mentor_rank])`` tuples taken as given,
    a rank of 0 or none meaning unranked (as :func:`matcher.blocking_pairs` documents)."""
    rows_in = [tuple(t) for t in tuples]
    return EdgeList(
        [str(t[0]) for t in rows_in],
        [str(t[1]) for t in rows_in],
        [float(t[2]) for t in rows_in],
        [int(t[3]) if len(t) > 3 else 0 for t in rows_in],
        [int(t[4]) if len(t) > 4 else 0 for t in rows_in],
    )
