"""Reading delimited text exports as they come out of REDCap, Microsoft Forms and Excel.

Encoding: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"), else cp1252
(Excel on Windows).  Delimiter: ``,`` ``;`` or tab, detected from the header line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from matcher._errors import InvalidInputError, Problem

__all__ = ["Table", "decode", "read_table", "table_from_rows"]

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
    """Decode file bytes, returning ``(text, encoding)``."""
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


def parse_text(text: str, name: str, encoding: str = "utf-8") -> Table:
    """Parse delimited ``text`` (already decoded) into a :class:`Table`."""
    delimiter = _detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise InvalidInputError(
            [Problem(f"cannot be read as {delimiter!r}-separated text ({exc})", file=name)]
        ) from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise InvalidInputError(
            [
                Problem(
                    "the file is empty or has no header row",
                    file=name,
                    row=1,
                    expected="a header row naming the columns (at least 'id')",
                )
            ]
        )
    header = [cell.strip() for cell in records[0]]
    rows: list[list[str]] = []
    numbers: list[int] = []
    for k, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines Excel leaves at the end
        rows.append(record)
        numbers.append(k)
    return Table(name, header, rows, numbers, encoding, delimiter)


def read_table(path: str | Path, *, name: str | None = None) -> Table:
    """Read a delimited file, detecting its encoding and delimiter."""
    path = Path(path)
    label = name or path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError([Problem("file not found", file=str(path))]) from None
    except IsADirectoryError:
        raise InvalidInputError(
            [Problem("is a folder, expected a CSV file", file=str(path))]
        ) from None
    except OSError as exc:
        raise InvalidInputError(
            [Problem(f"cannot be read ({exc.strerror})", file=str(path))]
        ) from None
    text, encoding = decode(data)
    return parse_text(text, label, encoding)


def table_from_rows(name: str, header: list[str], rows: list[list[str]]) -> Table:
    """A :class:`Table` from in-memory rows, numbered as if row 1 were the header."""
    return Table(name, header, rows, list(range(2, len(rows) + 2)))
