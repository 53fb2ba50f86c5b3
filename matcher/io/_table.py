"""Reading delimited text exports as they come out of REDCap, Microsoft Forms and Excel.

Encoding: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"), else cp1252
(Excel on Windows).  Delimiter: ``,`` ``;`` or tab, detected from the header line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher._errors import InvalidInputError, Problem
from matcher.io._xlsx import EXCEL_SUFFIXES, read_sheet

__all__ = [
    "MAX_CELL_CHARS",
    "Table",
    "decode",
    "json_cell",
    "parse_text",
    "read_table",
    "read_xlsx",
    "table_from_rows",
]

_DELIMITERS = (",", ";", "\t")


@dataclass
class Table:
    """A header and its rows of strings; ``row_numbers[k]`` is row k's number as Excel shows it."""

    name: str
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","


def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes, returning ``(text, encoding)``; ``UnicodeDecodeError`` when a
    byte-order mark announces an encoding the bytes then break."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number of fields (most fields
    wins); a delimiter that only appears inside header text (``Langues (fr, en)``) loses."""
    sample = text.split("\n", 20)[:20]
    best, best_key = ",", (False, 0, 0)
    for delimiter in _DELIMITERS:
        try:
            rows = [r for r in csv.reader(sample, delimiter=delimiter) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        consistent = width > 1 and all(len(r) == width for r in rows[1:-1] or rows)
        key = (consistent, width if consistent else 0, len(rows[0]))
        if key > best_key:
            best, best_key = delimiter, key
    if not best_key[0]:  # nothing splits consistently: the most frequent one in the header
        first = sample[0] if sample else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(_DELIMITERS, key=lambda d: counts[d])
        return best if counts[best] else ","
    return best


#: Longest cell accepted, in characters: a free-text note is far shorter; a longer cell is a
#: quote left open or a file that is not an export.
MAX_CELL_CHARS = 100_000

# the csv module's own limit (131,072 characters by default) would stop at a long cell without
# saying which; it is raised once so that the located check below is the one that speaks
if csv.field_size_limit() < 16 * MAX_CELL_CHARS:
    csv.field_size_limit(16 * MAX_CELL_CHARS)


def _records(text: str, name: str, delimiter: str) -> tuple[list[list[str]], list[Problem]]:
    """Every record of ``text``, and a problem for each quote left open or closed mid-cell.

    The reader is strict: a quote that never closes would otherwise swallow every following
    row into one cell without a word.  A record is numbered as Excel numbers rows (the header
    is row 1); the physical lines it spans tell how many rows a stray quote swallowed.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = list(reader)  # the common case, at the csv module's speed
    except csv.Error:
        return _records_located(text, name, delimiter)
    problems: list[Problem] = []
    lines = _line_count(text)
    if lines != len(records):  # some cell holds a line break
        width = len(records[0]) if records else 0
        inside = 0
        for k, record in enumerate(records):
            if any("\n" in cell or "\r" in cell for cell in record):
                inside += sum(_line_count(cell) - 1 for cell in record if cell)
                problems.extend(_swallowed(record, name, k + 1, delimiter, width, records[0]))
        if len(records) + inside != lines:  # a check on the reader itself: never silent
            problems.append(
                Problem(
                    f"the file has {lines} lines but reads as {len(records)} rows holding "
                    f"{inside} line breaks in their cells",
                    file=name,
                    expected="every line of the file read as a row or inside a quoted cell",
                )
            )
    return records, problems


def _line_count(text: str) -> int:
    """Lines as the CSV reader splits them (LF, CRLF or CR), a last unterminated one too."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (1 if text and text[-1] not in "\r\n" else 0)


def _records_located(text: str, name: str, delimiter: str) -> tuple[list[list[str]], list[Problem]]:
    """:func:`_records` record by record, to say where each quote problem starts."""
    lines = list(io.StringIO(text, newline=""))  # as the reader counts them
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    problems: list[Problem] = []
    last_line = 0
    while True:
        row = len(records) + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            records.append([])  # keeps the numbering of the rows that follow
            first = lines[last_line] if last_line < len(lines) else ""
            header = records[0] if records else []
            spanned = reader.line_num - last_line
            problems.append(_quote_problem(name, row, first, spanned, str(exc), delimiter, header))
            last_line = reader.line_num
            continue
        spanned = reader.line_num - last_line
        last_line = reader.line_num
        records.append(record)
        if spanned > 1:
            problems.extend(_swallowed(record, name, row, delimiter, len(records[0]), records[0]))
    return records, problems


def _quote_problem(
    name: str,
    row: int,
    first_line: str,
    spanned: int,
    error: str,
    delimiter: str,
    header: list[str],
) -> Problem:
    if "field larger than field limit" in error:
        return Problem(
            f"a cell longer than {16 * MAX_CELL_CHARS:,} characters",
            file=name,
            row=row,
            expected=f"cells of at most {MAX_CELL_CHARS:,} characters (a quote left open?)",
        )
    # the cell the quote opened in: the last one the row's first line starts
    cells = next(csv.reader([first_line.rstrip("\r\n")], delimiter=delimiter), [""])
    column = _column_name(header, max(len(cells) - 1, 0))
    if "unexpected end of data" in error:
        swallowed = spanned - 1
        return Problem(
            "a quote opened in this cell is never closed: it swallows "
            + (
                f"the {swallowed} line{'s' if swallowed > 1 else ''} after it, to the end of "
                "the file, into one cell"
                if swallowed
                else "the end of the row"
            ),
            file=name,
            row=row,
            column=column,
            expected='a closing quote (") at the end of the cell, or no quote at its start',
        )
    if spanned > 1:
        return Problem(
            f"a quote opened in this cell closes {spanned - 1} line{'s' if spanned > 2 else ''} "
            "later, in the middle of a cell: the lines between are swallowed into one cell",
            file=name,
            row=row,
            column=column,
            expected='a closing quote (") at the end of the cell where it opened',
        )
    return Problem(
        "a quote closes in the middle of a cell",
        file=name,
        row=row,
        column=column,
        expected='a cell wholly in quotes ("like this, with commas") or without quotes; '
        'a quote inside a quoted cell is written twice ("")',
    )


def _looks_like_row(line: str, delimiter: str, width: int) -> bool:
    """A line inside a cell with a row's cells, the first one id-like (no spaces): the
    mark of rows swallowed by an open quote, not of a note typed over several lines."""
    if width < 2 or line.count(delimiter) < max(1, (width - 1) // 2):
        return False  # (half a row's cells: an export may leave a row's empty tail out)
    first = line.split(delimiter, 1)[0].strip().strip('"')
    return bool(first) and len(first) <= 64 and not any(ch.isspace() for ch in first)


def _swallowed(
    record: list[str], name: str, row: int, delimiter: str, width: int, header: list[str]
) -> list[Problem]:
    """A quoted cell spread over several lines is allowed (a note typed with line breaks),
    unless its later lines look like rows of their own: then a quote was left open."""
    problems = []
    for index, cell in enumerate(record):
        if "\n" not in cell and "\r" not in cell:
            continue
        lines = cell.splitlines()[1:]
        rows_inside = sum(1 for line in lines if _looks_like_row(line, delimiter, width))
        if rows_inside:
            problems.append(
                Problem(
                    f"a quoted cell runs over {len(lines) + 1} lines, {rows_inside} of which "
                    f"look{'s' if rows_inside == 1 else ''} like rows of their own: a quote "
                    f"opened on this row is closed {len(lines)} "
                    f"line{'s' if len(lines) > 1 else ''} later",
                    file=name,
                    row=row,
                    column=_column_name(header, index),
                    expected='a closing quote (") at the end of the cell',
                )
            )
    return problems


_LONE_CR = re.compile(r"\r(?!\n)")


def _stray_returns(text: str, name: str) -> list[Problem]:
    """A carriage return alone, outside quotes, in a file whose lines end with a line feed:
    the reader would end the row there and read the rest as a row of its own."""
    problems = []
    row, quoted, start = 1, False, 0
    for match in re.finditer(r'["\n]|\r(?!\n)', text):
        char = match.group()
        if char == '"':
            quoted = not quoted  # a doubled quote toggles twice
        elif char == "\n":
            if not quoted:
                row += 1
                start = match.end()
        elif not quoted:
            problems.append(
                Problem(
                    "a carriage return (CR) alone in the middle of the row splits it in two",
                    file=name,
                    row=row,
                    value=text[start : match.start()][-40:] + "\\r",
                    expected="rows that end with a line feed only (save the file again from "
                    "the spreadsheet, or remove the stray character)",
                )
            )
    return problems


def _column_name(header: list[str], index: int) -> str:
    name = header[index].strip() if index < len(header) else ""
    return name or f"column {index + 1}"


def parse_text(text: str, name: str, encoding: str = "utf-8") -> Table:
    """Parse delimited ``text`` (already decoded) into a :class:`Table`.

    Every problem of the text itself is reported at once: a quote left open (with the row it
    opened on and how many lines it swallowed), a quote closed mid-cell, a cell over
    :data:`MAX_CELL_CHARS` characters.
    """
    delimiter = _detect_delimiter(text)
    records, problems = _records(text, name, delimiter)
    if "\r" in text and "\n" in text and _LONE_CR.search(text):
        problems.extend(_stray_returns(text, name))
    if not records or not any(cell.strip() for cell in records[0]):
        raise InvalidInputError(
            [
                Problem(
                    "the file is empty or has no header row",
                    file=name,
                    row=1,
                    expected="a header row naming the columns (at least 'id')",
                ),
                *problems,
            ]
        )
    header = [cell.strip() for cell in records[0]]
    if len(text) > MAX_CELL_CHARS:  # else no cell can be that long
        for k, record in enumerate(records):
            if max(map(len, record), default=0) <= MAX_CELL_CHARS:
                continue
            for index, cell in enumerate(record):
                if len(cell) > MAX_CELL_CHARS:
                    problems.append(
                        Problem(
                            f"a cell of {len(cell):,} characters",
                            file=name,
                            row=k + 1,
                            column=_column_name(header, index),
                            expected=f"at most {MAX_CELL_CHARS:,} characters per cell",
                        )
                    )
    if problems:
        raise InvalidInputError(problems)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for k, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines Excel leaves at the end
        rows.append(record)
        numbers.append(k)
    return Table(name, header, rows, numbers, encoding, delimiter)


def read_table(path: str | Path, *, name: str | None = None, sheet: str | None = None) -> Table:
    """Read a delimited file, detecting its encoding and delimiter, or a workbook's sheet
    (``.xlsx``: the first sheet unless ``sheet`` names one)."""
    path = Path(path)
    label = name or path.name
    if path.suffix.lower() in EXCEL_SUFFIXES and not path.is_dir():
        return read_xlsx(path, name=label, sheet=sheet)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError([Problem("file not found", file=str(path))]) from None
    except IsADirectoryError:
        raise InvalidInputError(
            [Problem("is a folder", file=str(path), expected="a CSV file")]
        ) from None
    except OSError as exc:
        raise InvalidInputError(
            [Problem(f"cannot be read ({exc.strerror})", file=str(path))]
        ) from None
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as exc:  # a byte-order mark, then bytes that break its promise
        raise InvalidInputError(
            [
                Problem(
                    f"not valid {exc.encoding.upper()} text although the file starts with its "
                    f"byte-order mark (byte {exc.object[exc.start : exc.start + 1]!r})",
                    file=label,
                    row=bytes(exc.object[: exc.start]).count(b"\n") + 1,
                    expected="the file saved again as UTF-8 (CSV UTF-8 in Excel)",
                )
            ]
        ) from None
    return parse_text(text, label, encoding)


def read_xlsx(path: str | Path, *, name: str | None = None, sheet: str | None = None) -> Table:
    """Read one sheet of a workbook (the first unless ``sheet`` names one) into a Table, its
    name carrying the sheet (``mentors.xlsx [sheet Mentors]``) and its rows numbered as in
    Excel."""
    where, header, rows, numbers = read_sheet(path, name=name, sheet=sheet, max_cell=MAX_CELL_CHARS)
    return Table(where, header, rows, numbers, "xlsx", "")


def json_cell(value: Any) -> str:
    """A profile value given in JSON as the text of its CSV cell: lists joined by ``|``,
    booleans as yes/no, nothing as an empty cell (the service and MentorPool read JSON so)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "|".join(json_cell(v) for v in value)
    return str(value)


def table_from_rows(name: str, header: list[str], rows: list[list[str]]) -> Table:
    """A :class:`Table` from in-memory rows, numbered as if row 1 were the header."""
    return Table(name, header, rows, list(range(2, len(rows) + 2)))
