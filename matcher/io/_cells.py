"""The table every reader returns (delimited text or a workbook's sheet) and the cell limit."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["MAX_CELL_CHARS", "Table"]

#: Longest cell accepted, in characters: a free-text note is far shorter; a longer cell is a
#: quote left open or a file that is not an export.
MAX_CELL_CHARS = 100_000


@dataclass
class Table:
    """A header and its rows of strings; ``row_numbers[k]`` is row k's number as Excel shows it."""

    name: str
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","
