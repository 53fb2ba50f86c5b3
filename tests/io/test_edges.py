"""Edge lists (EDGES.csv) and capacity files (CAPS.csv)."""

from __future__ import annotations

import pytest

import matcher
from matcher import io as mio


def _edges_problems(write_rows, header, rows, **kw):
    path = write_rows("edges.csv", header, rows, **kw)
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.read_edges(path)
    return info.value


def _caps_problems(write_rows, header, rows):
    path = write_rows("caps.csv", header, rows)
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.read_capacities(path)
    return info.value


# --- edges ---------------------------------------------------------------------------------


def test_read_edges_minimal(write_rows):
    path = write_rows(
        "edges.csv",
        ["mentee_id", "mentor_id", "score"],
        [["e1", "m1", "0.9"], ["e1", "m2", "0.25"], ["e2", "m1", "-1"]],
    )
    edges = mio.read_edges(path)
    assert edges.name == "edges.csv"
    assert edges.mentee_ids == ["e1", "e1", "e2"]
    assert edges.mentor_ids == ["m1", "m2", "m1"]
    assert edges.scores == [0.9, 0.25, -1.0]
    assert edges.mentee_ranks == [0, 0, 0]
    assert edges.mentor_ranks == [0, 0, 0]


def test_read_edges_with_ranks_columns_in_any_order_and_case(write_rows):
    path = write_rows(
        "edges.csv",
        ["Mentor_ID", "score", "mentor_rank", "MENTEE_ID", "mentee_rank", "note"],
        [["m1", "0.5", "2", "e1", "1", "x"], ["m2", "0.7", "", "e1", "2", "y"]],
    )
    edges = mio.read_edges(path)
    assert list(zip(edges.mentee_ids, edges.mentor_ids, edges.scores, strict=True)) == [
        ("e1", "m1", 0.5),
        ("e1", "m2", 0.7),
    ]
    assert edges.mentee_ranks == [1, 2]
    assert edges.mentor_ranks == [2, 0]


def test_read_edges_french_excel_export(write_rows):
    # ';'-separated, BOM, decimal comma
    path = write_rows(
        "edges.csv",
        ["mentee_id", "mentor_id", "score"],
        [["é1", "m1", "0,75"]],
        delimiter=";",
        encoding="utf-8-sig",
    )
    edges = mio.read_edges(path)
    assert (edges.mentee_ids, edges.scores) == (["é1"], [0.75])


def test_edges_missing_column(write_rows):
    exc = _edges_problems(write_rows, ["mentee_id", "mentor", "score"], [["e1", "m1", "1"]])
    [problem] = exc.problems
    assert (problem.file, problem.row) == ("edges.csv", 1)
    assert "mentor_id" in problem.message
    assert problem.value == "mentee_id,mentor,score"


def test_edges_several_missing_columns(write_rows):
    exc = _edges_problems(write_rows, ["a", "b"], [["1", "2"]])
    assert "mentee_id, mentor_id, score" in exc.problems[0].message


def test_edges_every_bad_row_is_reported(write_rows, find_problem):
    exc = _edges_problems(
        write_rows,
        ["mentee_id", "mentor_id", "score", "mentee_rank", "mentor_rank"],
        [
            ["e1", "m1", "0.5", "1", "1"],  # row 2: fine
            ["e1", "m2", "high", "", ""],  # row 3: non-numeric score
            ["e1", "m1", "0.4", "", ""],  # row 4: duplicate pair
            ["e2", "m1", "0.3", "0", ""],  # row 5: rank 0
            ["e2", "m2", "0.3", "", "first"],  # row 6: rank not a number
            ["e3", "m2", "nan", "", ""],  # row 7: NaN score
            ["", "m2", "0.1", "", ""],  # row 8: missing mentee_id
            ["e4", "m2", "inf", "1.5", ""],  # row 9: infinite score and fractional rank
        ],
    )
    find_problem(exc, file="edges.csv", row=3, column="score", value="high")
    dup = find_problem(exc, file="edges.csv", row=4, column="mentor_id", value="e1,m1")
    assert "row 2" in dup.message
    find_problem(exc, file="edges.csv", row=5, column="mentee_rank", value="0")
    find_problem(exc, file="edges.csv", row=6, column="mentor_rank", value="first")
    find_problem(exc, file="edges.csv", row=7, column="score", value="nan")
    find_problem(exc, file="edges.csv", row=8, column="mentee_id", value="")
    find_problem(exc, file="edges.csv", row=9, column="score", value="inf")
    find_problem(exc, file="edges.csv", row=9, column="mentee_rank", value="1.5")
    assert len(exc.problems) == 8


def test_edges_header_only_is_an_empty_list(write_rows):
    edges = mio.read_edges(write_rows("edges.csv", ["mentee_id", "mentor_id", "score"], []))
    assert edges.scores == []


def test_edges_from_table():
    table = mio.table_from_rows("mem", ["mentee_id", "mentor_id", "score"], [["a", "b", "1"]])
    edges = mio.edges_from_table(table)
    assert (edges.name, edges.mentee_ids, edges.mentor_ids) == ("mem", ["a"], ["b"])


# --- capacities ----------------------------------------------------------------------------


def test_read_capacities(write_rows):
    path = write_rows("caps.csv", ["id", "capacity"], [["m1", "3"], ["m2", "0"], ["e1", "2.0"]])
    assert mio.read_capacities(path) == {"m1": 3, "m2": 0, "e1": 2}


def test_capacities_columns_by_name(write_rows):
    path = write_rows("caps.csv", ["Capacity", "note", "ID"], [["4", "x", "m1"]], delimiter="\t")
    assert mio.read_capacities(path) == {"m1": 4}


def test_capacities_missing_column(write_rows):
    exc = _caps_problems(write_rows, ["id", "cap"], [["m1", "1"]])
    [problem] = exc.problems
    assert (problem.file, problem.row) == ("caps.csv", 1)
    assert "capacity" in problem.message


def test_capacities_every_bad_row_is_reported(write_rows, find_problem):
    exc = _caps_problems(
        write_rows,
        ["id", "capacity"],
        [
            ["m1", "2"],  # row 2: fine
            ["m2", "-1"],  # row 3: negative
            ["m3", "1.5"],  # row 4: fractional
            ["m1", "3"],  # row 5: duplicate id
            ["", "1"],  # row 6: missing id
            ["m4", "beaucoup"],  # row 7: not a number
        ],
    )
    negative = find_problem(exc, file="caps.csv", row=3, column="capacity", value="-1")
    assert "from 0 to" in negative.expected
    find_problem(exc, file="caps.csv", row=4, column="capacity", value="1.5")
    dup = find_problem(exc, file="caps.csv", row=5, column="id", value="m1")
    assert "row 2" in dup.message
    find_problem(exc, file="caps.csv", row=6, column="id", value="")
    find_problem(exc, file="caps.csv", row=7, column="capacity", value="beaucoup")
    assert len(exc.problems) == 5
