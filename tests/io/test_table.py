"""Reading delimited exports: encodings, delimiters, blank lines, quoting and Excel row numbers."""

from __future__ import annotations

import pytest

import matcher
from matcher import io as mio

HEADER = ["id", "région", "langues"]
ROWS = [["m1", "Québec", "français|anglais"], ["m2", "Île-du-Prince-Édouard", "anglais"]]


# --- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "encoding"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp1252", "cp1252"),
        ("utf-16", "utf-16"),  # Python's utf-16 codec writes a BOM, like Excel "Unicode text"
        ("utf-16-be", None),  # written with an explicit big-endian BOM below
    ],
)
def test_encoding_is_detected_and_accents_survive(write_rows, write_text, codec, encoding):
    if codec == "utf-16-be":
        text = "\r\n".join([",".join(HEADER), *(",".join(r) for r in ROWS)]) + "\r\n"
        path = write_text("be.csv", "\ufeff" + text, encoding="utf-16-be")
        encoding = "utf-16"
    else:
        path = write_rows(f"{codec}.csv", HEADER, ROWS, encoding=codec)

    table = mio.read_table(path)

    assert table.encoding == encoding
    assert table.header == HEADER  # no BOM glued to the first header
    assert table.rows == ROWS
    assert table.row_numbers == [2, 3]


def test_cp1252_is_not_mistaken_for_utf8(write_text):
    # "Québec" in cp1252 is b"Qu\xe9bec": invalid UTF-8, so the cp1252 fallback must be used,
    # and the Windows-only characters (’ « » œ) must decode too.
    path = write_text(
        "cp.csv",
        "id;région;note\r\nm1;Québec;« cœur d’or »\r\n",
        encoding="cp1252",
    )
    table = mio.read_table(path)
    assert table.encoding == "cp1252"
    assert table.rows == [["m1", "Québec", "« cœur d’or »"]]


def test_utf8_bom_header_maps_to_id(write_rows):
    # A BOM left on the first header would turn "id" into "\ufeffid" and lose the id column.
    path = write_rows("mentors.csv", ["id", "languages"], [["m1", "fr"]], encoding="utf-8-sig")
    people = mio.load_participants(path, "mentor")
    assert [p.id for p in people.participants] == ["m1"]


def test_decode_returns_text_and_encoding():
    assert mio.decode("Québec".encode()) == ("Québec", "utf-8")
    assert mio.decode(b"\xef\xbb\xbfQu\xc3\xa9bec") == ("Québec", "utf-8-sig")
    assert mio.decode("Québec".encode("cp1252")) == ("Québec", "cp1252")
    assert mio.decode("Québec".encode("utf-16")) == ("Québec", "utf-16")


# --- delimiters ----------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_detected(write_rows, delimiter):
    path = write_rows("t.csv", HEADER, ROWS, delimiter=delimiter)
    table = mio.read_table(path)
    assert table.delimiter == delimiter
    assert table.header == HEADER
    assert table.rows == ROWS


def test_semicolon_file_with_commas_in_cells(write_rows):
    # French Excel: ';' separates, ',' is the decimal mark and appears inside cells.
    rows = [["m1", "45,95", "Moncton, N.-B."], ["m2", "46,1", "Dieppe"]]
    path = write_rows("t.csv", ["id", "lat", "ville"], rows, delimiter=";")
    table = mio.read_table(path)
    assert table.delimiter == ";"
    assert table.rows == rows


def test_delimiter_detection_ignores_quoted_header_text(write_rows):
    header = ["id", "Langues (français, anglais, autre)", "Disponibilités (jour, heure)"]
    rows = [["m1", "fr", "lun 12h-13h"]]
    path = write_rows("forms.csv", header, rows, delimiter=";")
    table = mio.read_table(path)
    assert table.delimiter == ";"
    assert table.header == header


def test_single_column_file_defaults_to_comma(write_text):
    table = mio.read_table(write_text("ids.csv", "id\nm1\nm2\n"))
    assert table.delimiter == ","
    assert table.rows == [["m1"], ["m2"]]


# --- rows ----------------------------------------------------------------------------------


def test_blank_trailing_lines_are_skipped(write_rows):
    path = write_rows("t.csv", HEADER, ROWS, trailer="\r\n\r\n,,\r\n , \r\n")
    table = mio.read_table(path)
    assert table.rows == ROWS
    assert table.row_numbers == [2, 3]


def test_row_numbers_are_excel_rows_across_blank_and_multiline_records(write_text):
    text = (
        "id,note,languages\r\n"  # row 1
        'a,"first line\r\nsecond line",fr\r\n'  # row 2 (one Excel row, two text lines)
        "\r\n"  # row 3, blank
        "b,,en\r\n"  # row 4
        'c,"x, ""quoted""",zz9\r\n'  # row 5
    )
    table = mio.read_table(write_text("m.csv", text))
    assert [r[0] for r in table.rows] == ["a", "b", "c"]
    assert table.row_numbers == [2, 4, 5]
    assert table.rows[0][1] == "first line\r\nsecond line"
    assert table.rows[2][1] == 'x, "quoted"'

    with pytest.raises(matcher.InvalidInputError) as info:
        mio.participants_from_table(table, "mentor")
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "m.csv",
        5,
        "languages",
        "zz9",
    )


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_quoted_cells_keep_the_delimiter(write_rows, delimiter):
    rows = [["m1", f"a{delimiter}b", f"mon 18:00-20:00{delimiter}x"]]
    path = write_rows("q.csv", ["id", "note", "other"], rows, delimiter=delimiter)
    table = mio.read_table(path)
    assert table.delimiter == delimiter
    assert table.rows == rows


def test_header_cells_are_stripped(write_text):
    table = mio.read_table(write_text("t.csv", " id , languages \nm1,fr\n"))
    assert table.header == ["id", "languages"]


# --- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\r\n\r\n", " , , \n"])
def test_empty_file_is_a_located_problem(write_text, text):
    path = write_text("mentors.csv", text)
    with pytest.raises(matcher.InvalidInputError) as info:
        mio.read_table(path)
    [problem] = info.value.problems
    assert problem.file == "mentors.csv"
    assert problem.row == 1
    assert "empty" in problem.message


def test_missing_file_and_folder_are_input_errors(tmp_path):
    with pytest.raises(matcher.InvalidInputError, match="file not found"):
        mio.read_table(tmp_path / "nope.csv")
    with pytest.raises(matcher.InvalidInputError, match="folder"):
        mio.read_table(tmp_path)


def test_invalid_input_error_is_a_value_error():
    assert issubclass(matcher.InvalidInputError, ValueError)
    assert issubclass(matcher.InvalidInputError, matcher.MatcherError)


def test_table_from_rows_numbers_as_excel():
    table = mio.table_from_rows("df", ["id"], [["a"], ["b"], ["c"]])
    assert table.row_numbers == [2, 3, 4]


def test_blank_trailing_rows_of_a_semicolon_export_are_skipped(write_rows):
    path = write_rows("t.csv", HEADER, ROWS, delimiter=";", trailer=";;\r\n;;\r\n")
    table = mio.read_table(path)
    assert table.rows == ROWS
    assert table.row_numbers == [2, 3]
