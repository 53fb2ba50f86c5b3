"""Edge lists (``mentee_id,mentor_id,score[,mentee_rank,mentor_rank]``) and capacity files."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from matcher._errors import InvalidInputError, Problem
from matcher.io._table import Table, read_table
from matcher.profiles import MAX_CAPACITY, MAX_SCORE, vocab

#: Largest rank: ranks are positions in a list, and stay exact as integers.
MAX_RANK = 10**9

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


def _id(text: str, table: Table, row: int, column: str, problems: list[Problem]) -> str | None:
    """The id in a cell, normalised as profiles' ids are; a problem when there is none."""
    try:
        return vocab.normalize_id(text)
    except ValueError as exc:
        problems.append(
            Problem(
                f"missing {column}" if not text.strip() else f"invalid {column}",
                file=table.name,
                row=row,
                column=column,
                value=text,
                expected="a non-empty id" if not text.strip() else str(exc),
            )
        )
        return None


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

        raw = cell("score")
        ids = [_id(cell(n), table, number, n, problems) for n in ("mentee_id", "mentor_id")]
        mentee, mentor = ids[0] or "", ids[1] or ""
        ok = None not in ids
        try:
            score = float(raw.replace(",", "."))
            if not (math.isfinite(score) and abs(score) <= MAX_SCORE):
                raise ValueError
        except ValueError:
            problems.append(
                Problem(
                    "invalid score",
                    file=table.name,
                    row=number,
                    column="score",
                    value=raw,
                    expected=f"a number from -{MAX_SCORE:g} to {MAX_SCORE:g} (e.g. 0.75)",
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
                rank = float(text.replace(",", "."))  # 2.0 as pandas writes a column with gaps
                if not (rank.is_integer() and 1 <= rank <= MAX_RANK):
                    raise ValueError
                ranks.append(int(rank))
            except (ValueError, OverflowError):
                problems.append(
                    Problem(
                        f"invalid {name}",
                        file=table.name,
                        row=number,
                        column=name,
                        value=text,
                        expected=f"a whole number from 1 to {MAX_RANK:,} "
                        "(smaller = more preferred) or empty",
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
        found = _id(
            record[cols["id"]].strip() if cols["id"] < len(record) else "",
            table,
            number,
            "id",
            problems,
        )
        raw = record[cols["capacity"]].strip() if cols["capacity"] < len(record) else ""
        if found is None:
            continue
        pid = found
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
            value = float(raw.replace(",", "."))
            if not (value.is_integer() and 0 <= value <= MAX_CAPACITY):
                raise ValueError
        except ValueError:
            problems.append(
                Problem(
                    "invalid capacity",
                    file=table.name,
                    row=number,
                    column="capacity",
                    value=raw,
                    expected=f"a whole number from 0 to {MAX_CAPACITY:,}",
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

        ids = [_id(cell(n), table, number, n, problems) for n in ("mentee_id", "mentor_id")]
        if ids[0] is None or ids[1] is None:
            continue
        pair = (ids[0], ids[1])
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
