"""Excel in and out: profiles read from .xlsx as they would be from CSV, pairs.xlsx written."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import matcher
from matcher.io import load_participants, profile_file, read_table, xlsx_bytes

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "amn-pain-addiction"


def write_xlsx(
    path: Path, header: list[str], rows: list[list[object]], sheet: str = "Sheet1"
) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = book.add_worksheet(sheet)
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif value:
                ws.write_string(r, c, str(value))
    book.close()
    return path


def csv_to_xlsx(source: Path, target: Path) -> Path:
    """An Excel user's copy of a CSV file: whole numbers typed as numbers."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    typed = [[int(c) if c.isdigit() and h != "id" else c for h, c in zip(header, row, strict=False)]
             for row in rows]  # fmt: skip
    return write_xlsx(target, header, typed)


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matcher", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=120, check=False,
    )  # fmt: skip


def test_a_folder_of_workbooks_matches_as_its_csv_files(tmp_path: Path) -> None:
    folder = tmp_path / "program"
    folder.mkdir()
    shutil.copy2(SCENARIO / "program.toml", folder)
    for role in ("mentors", "mentees"):
        csv_to_xlsx(SCENARIO / f"{role}.csv", folder / f"{role}.xlsx")
    got = run("match", folder, "-o", "x", "--quiet", cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    want = run("match", SCENARIO, "-o", "c", "--quiet", cwd=tmp_path)
    assert want.returncode == 0, want.stderr
    for name in ("pairs.csv", "unmatched.csv"):
        assert (tmp_path / "x" / name).read_bytes() == (tmp_path / "c" / name).read_bytes(), name


def test_located_errors_name_the_sheet_row_and_column(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "mentors.xlsx",
        ["id", "languages", "capacity"],
        [["m1", "en", 2], ["m2", "klingon", 1], ["m3", "fr", -1]],
        sheet="Mentors",
    )
    with pytest.raises(matcher.InvalidInputError) as caught:
        load_participants(path, "mentor")
    text = str(caught.value)
    assert "mentors.xlsx [sheet Mentors], row 3, column 'languages'" in text
    assert "mentors.xlsx [sheet Mentors], row 4, column 'capacity'" in text
    assert len(caught.value.problems) == 2


def test_the_sheet_can_be_chosen(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "mentees.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Notes").write_string(0, 0, "read me")
    ws = book.add_worksheet("People")
    ws.write_row(2, 1, ["id", "languages"])  # a header that does not start at A1
    ws.write_row(3, 1, ["e1", "en"])
    book.close()
    cfg = matcher.ProgramConfig(input={"sheet": "People"})
    got = load_participants(path, "mentee", cfg)
    assert [p.id for p in got.participants] == ["e1"]
    assert got.rows == {"e1": 4}
    with pytest.raises(matcher.InvalidInputError, match=r"no such sheet.*'Notes', 'People'"):
        load_participants(path, "mentee", matcher.ProgramConfig(input={"sheet": "Mentees"}))


def test_not_a_workbook_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "mentors.xlsx"
    path.write_text("id,languages\nm1,en\n")
    with pytest.raises(
        matcher.InvalidInputError, match=r"mentors\.xlsx: cannot be read as a workbook"
    ):
        read_table(path)


def test_two_files_for_one_side_are_refused(tmp_path: Path) -> None:
    (tmp_path / "mentors.csv").write_text("id\nm1\n")
    write_xlsx(tmp_path / "mentors.xlsx", ["id"], [["m1"]])
    with pytest.raises(matcher.InvalidInputError, match="more than one mentors file"):
        profile_file(tmp_path, "mentor")
    assert profile_file(tmp_path, "mentee").name == "mentees.csv"


def test_pairs_xlsx_has_its_sheets_frozen_filtered_and_no_formula(tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    got = run("match", SCENARIO, "-o", "out", "--xlsx", "--quiet", cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    path = tmp_path / "out" / "pairs.xlsx"
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names[:3] == ["pairs", "unmatched", "summary"]
    pairs = book.get_sheet_by_name("pairs").to_python()
    with (tmp_path / "out" / "pairs.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert pairs[0] == rows[0]
    assert len(pairs) == len(rows)
    assert isinstance(pairs[1][2], float)
    assert abs(pairs[1][2] - float(rows[1][2])) < 1e-4
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 'state="frozen"' in sheet and "<autoFilter" in sheet and "<cols>" in sheet


def test_workbook_text_is_neutralised_and_bytes_are_stable() -> None:
    sheets = [("pairs", ["id", "note"], [["=1+2", "@SUM(A1)"], ["-0.5", 3.5]])]
    data = xlsx_bytes(sheets)
    assert data == xlsx_bytes(sheets)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        strings = archive.read("xl/sharedStrings.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert "&apos;=1+2" in strings or "'=1+2" in strings
