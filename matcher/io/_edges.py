"""Edge lists (``mentee_id,mentor_id,score[,mentee_rank,mentor_rank]``) and capacity files."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from matcher._errors import InvalidInputError, Problem
from matcher.io._table import Table, read_table

__all__ = ["EdgeList", "PairRow", "edges_from_table", "read_capacities", "read_edges", "read_pairs"]


@dataclass
class EdgeList:
    """Precomputed scores: one allowed pair per row; ranks are 0 where not given."""

    mentee_ids: list[str]
    mentor_ids: list[str]
    scores: list[float]
    mentee_ranks: list[int]
    mentor_ranks: list[int]
    name: str = "edges"


def _columns(table: Table, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, int]:
    index = {h.strip().casefold(): k for k, h in enumerate(table.header)}
    missing = [c for c in required if c not in index]
    if missing:
        raise InvalidInputError(
            [
                Problem(
                    f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                    file=table.name,
                    row=1,
                    value=",".join(table.header),
                    expected="a header with "
                    + ",".join(required)
                    + (f" (optionally {','.join(optional)})" if optional else ""),
                )
            ]
        )
    return {c: index[c] for c in (*required, *optional) if c in index}


def edges_from_table(table: Table) -> EdgeList:
    """Validate an edge table; every problem is reported at once."""
    cols = _columns(table, ("mentee_id", "mentor_id", "score"), ("mentee_rank", "mentor_rank"))
    problems: list[Problem] = []
    out = EdgeList([], [], [], [], [], table.name)
    seen: dict[tuple[str, str], int] = {}
    for record, number in zip(table.rows, table.row_numbers, strict=True):

        def cell(name: str, record: list[str] = record) -> str:
            k = cols.get(name)
            return record[k].strip() if k is not None and k < len(record) else ""

        mentee, mentor, raw = cell("mentee_id"), cell("mentor_id"), cell("score")
        ok = True
        for name, value in (("mentee_id", mentee), ("mentor_id", mentor)):
            if not value:
                problems.append(
                    Problem(
                        f"missing {name}",
                        file=table.name,
                        row=number,
                        column=name,
                        value="",
                        expected="a non-empty id",
                    )
                )
                ok = False
        try:
            score = float(raw.replace(",", "."))
            if not math.isfinite(score):
                raise ValueError
        except ValueError:
            problems.append(
                Problem(
                    "invalid score",
                    file=table.name,
                    row=number,
                    column="score",
                    value=raw,
                    expected="a finite number (e.g. 0.75)",
                )
            )
            ok = False
            score = 0.0
        ranks = []
        for name in ("mentee_rank", "mentor_rank"):
            text = cell(name)
            if not text:
                ranks.append(0)
                continue
            try:
                rank = int(text)
                if rank < 1:
                    raise ValueError
                ranks.append(rank)
            except ValueError:
                problems.append(
                    Problem(
                        f"invalid {name}",
                        file=table.name,
                        row=number,
                        column=name,
                        value=text,
                        expected="a whole number >= 1 (1 = most preferred) or empty",
                    )
                )
                ok = False
        if ok and (mentee, mentor) in seen:
            problems.append(
                Problem(
                    f"duplicate pair (first on row {seen[mentee, mentor]})",
                    file=table.name,
                    row=number,
                    column="mentor_id",
                    value=f"{mentee},{mentor}",
                    expected="each mentee_id,mentor_id pair at most once",
                )
            )
            ok = False
        if not ok:
            continue
        seen[mentee, mentor] = number
        out.mentee_ids.append(mentee)
        out.mentor_ids.append(mentor)
        out.scores.append(score)
        out.mentee_ranks.append(ranks[0])
        out.mentor_ranks.append(ranks[1])
    if problems:
        raise InvalidInputError(problems)
    return out


def read_edges(path: str | Path) -> EdgeList:
    """Read ``EDGES.csv``."""
    return edges_from_table(read_table(path))


def read_capacities(path: str | Path) -> dict[str, int]:
    """Read ``CAPS.csv`` (``id,capacity``): every problem at once."""
    table = read_table(path)
    cols = _columns(table, ("id", "capacity"), ())
    problems: list[Problem] = []
    caps: dict[str, int] = {}
    rows: dict[str, int] = {}
    for record, number in zip(table.rows, table.row_numbers, strict=True):
        pid = record[cols["id"]].strip() if cols["id"] < len(record) else ""
        raw = record[cols["capacity"]].strip() if cols["capacity"] < len(record) else ""
        if not pid:
            problems.append(
                Problem(
                    "missing id",
                    file=table.name,
                    row=number,
                    column="id",
                    value="",
                    expected="a non-empty id",
                )
            )
            continue
        if pid in rows:
            problems.append(
                Problem(
                    f"duplicate id (first on row {rows[pid]})",
                    file=table.name,
                    row=number,
                    column="id",
                    value=pid,
                    expected="each id at most once",
                )
            )
            continue
        try:
            value = float(raw)
            if not value.is_integer() or value < 0:
                raise ValueError
        except ValueError:
            problems.append(
                Problem(
                    "invalid capacity",
                    file=table.name,
                    row=number,
                    column="capacity",
                    value=raw,
                    expected="a whole number >= 0",
                )
            )
            continue
        rows[pid] = number
        caps[pid] = int(value)
    if problems:
        raise InvalidInputError(problems)
    return caps


@dataclass(frozen=True)
class PairRow:
    """One row of a pairs file (pinned, forbidden, current matches)."""

    row: int
    mentee_id: str
    mentor_id: str
    extra: dict[str, str]


def read_pairs(path: str | Path, *, optional: tuple[str, ...] = ()) -> tuple[str, list[PairRow]]:
    """A ``mentee_id,mentor_id[,...]`` file: its name and rows, every problem at once
    (missing column, empty id, a pair listed twice)."""
    table = read_table(path)
    cols = _columns(table, ("mentee_id", "mentor_id"), optional)
    problems: list[Problem] = []
    rows: list[PairRow] = []
    seen: dict[tuple[str, str], int] = {}
    for record, number in zip(table.rows, table.row_numbers, strict=True):

        def cell(name: str, record: list[str] = record) -> str:
            k = cols.get(name)
            return record[k].strip() if k is not None and k < len(record) else ""

        pair = (cell("mentee_id"), cell("mentor_id"))
        missing = [n for n, v in zip(("mentee_id", "mentor_id"), pair, strict=True) if not v]
        problems += [
            Problem(
                f"missing {n}",
                file=table.name,
                row=number,
                column=n,
                value="",
                expected="a non-empty id",
            )
            for n in missing
        ]
        if missing:
            continue
        if pair in seen:
            problems.append(
                Problem(
                    f"pair listed twice (first on row {seen[pair]})",
                    file=table.name,
                    row=number,
                    column="mentor_id",
                    value=",".join(pair),
                    expected="each pair at most once",
                )
            )
            continue
        seen[pair] = number
        rows.append(PairRow(number, pair[0], pair[1], {n: cell(n) for n in optional}))
    if problems:
        raise InvalidInputError(problems)
    return table.name, rows
