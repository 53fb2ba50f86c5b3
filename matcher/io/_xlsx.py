"""Excel workbooks in and out: profiles read from ``.xlsx`` with python-calamine, results
written as ``pairs.xlsx`` with XlsxWriter.

A sheet read becomes the same :class:`~matcher.io.Table` a CSV file does, its rows numbered
as Excel numbers them, so every message points at the cell a coordinator sees.  A workbook
written holds values only: no formula, no link, and text a spreadsheet could take for a
formula is neutralised as in the CSV files.
"""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matcher._errors import InvalidInputError, Problem
from matcher.io._write import neutralise

__all__ = ["EXCEL_SUFFIXES", "PROFILE_SUFFIXES", "profile_file", "read_sheet", "xlsx_bytes"]

#: Workbook formats read directly.
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

#: When the workbook says it was made: fixed, so that the same results give the same bytes.
_CREATED = _dt.datetime(2026, 1, 1)
_MAX_WIDTH = 60


def _cell_text(value: Any) -> str:
    """A cell's value as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    return str(value)


def read_sheet(
    path: str | Path, *, name: str | None = None, sheet: str | None = None, max_cell: int
) -> tuple[str, list[str], list[list[str]], list[int]]:
    """One sheet of a workbook (the first unless ``sheet`` names one) as ``(name, header,
    rows, Excel row numbers)``; :func:`matcher.io.read_xlsx` makes it a Table.

    The name in messages carries the sheet, ``mentors.xlsx [sheet Mentors]``, and row
    numbers are Excel's: the header is on the first row that holds anything.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    path = Path(path)
    label = name or path.name
    try:
        book = CalamineWorkbook.from_path(str(path))
    except FileNotFoundError:
        raise InvalidInputError([Problem("file not found", file=str(path))]) from None
    except (CalamineError, OSError, ValueError) as exc:
        raise InvalidInputError(
            [
                Problem(
                    f"cannot be read as a workbook ({type(exc).__name__}: {exc})",
                    file=label,
                    expected="an .xlsx workbook saved by Excel, LibreOffice or a form tool",
                )
            ]
        ) from None
    names = list(book.sheet_names)
    if sheet is not None and sheet not in names:
        raise InvalidInputError(
            [
                Problem(
                    "no such sheet",
                    file=label,
                    value=sheet,
                    expected="one of "
                    + ", ".join(repr(n) for n in names)
                    + " ([input] sheet in program.toml)",
                )
            ]
        )
    if not names:
        raise InvalidInputError([Problem("the workbook has no sheet", file=label)])
    chosen = sheet if sheet is not None else names[0]
    where = f"{label} [sheet {chosen}]"
    cells = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    records = [[_cell_text(v) for v in row] for row in cells]
    start = next((k for k, r in enumerate(records) if any(c.strip() for c in r)), None)
    if start is None:
        raise InvalidInputError(
            [
                Problem(
                    "the sheet is empty or has no header row",
                    file=where,
                    row=1,
                    expected="a header row naming the columns (at least 'id')",
                )
            ]
        )
    header = [c.strip() for c in records[start]]
    problems = [
        Problem(
            f"a cell of {len(cell):,} characters",
            file=where,
            row=k + 1,
            column=header[i] if i < len(header) and header[i] else f"column {i + 1}",
            expected=f"at most {max_cell:,} characters per cell",
        )
        for k, record in enumerate(records)
        for i, cell in enumerate(record)
        if len(cell) > max_cell
    ]
    if problems:
        raise InvalidInputError(problems)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for k in range(start + 1, len(records)):
        if any(c.strip() for c in records[k]):
            rows.append(records[k])
            numbers.append(k + 1)
    return where, header, rows, numbers


def _width(values: Sequence[Any]) -> float:
    longest = max((len(_cell_text(v)) for v in values), default=0)
    return float(min(max(longest + 2, 8), _MAX_WIDTH))


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """A workbook of ``(sheet name, header, rows)``: each sheet with its header frozen, a
    filter on every column and widths that fit the text (up to 60 characters).

    Numbers stay numbers; text is written as text (never a formula or a link), neutralised
    as in the CSV outputs.  The bytes depend on the content only.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    book.set_properties({"created": _CREATED, "author": "matcher", "title": "matcher results"})
    bold = book.add_format({"bold": True, "bg_color": "#F3F3F3", "bottom": 1})
    for title, header, rows in sheets:
        sheet = book.add_worksheet(title)
        for c, name in enumerate(header):
            sheet.write_string(0, c, neutralise(str(name)), bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    if value == value and abs(value) != float("inf"):
                        sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, neutralise(str(value)))
        sheet.freeze_panes(1, 0)
        if header:
            sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
        for c, name in enumerate(header):
            sheet.set_column(c, c, _width([name, *(row[c] for row in rows if c < len(row))]))
    book.close()
    return buffer.getvalue()


#: A programme folder's profile files, in the order looked for.
PROFILE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".ods")


def profile_file(folder: str | Path, role: str) -> Path:
    """``mentors.csv`` or ``mentors.xlsx`` (…) in ``folder``: the one that exists, or
    ``<role>s.csv`` when none does (for the message that names it).

    Raises
    ------
    InvalidInputError
        Two of them exist: which one is meant cannot be guessed.
    """
    folder = Path(folder)
    found = [folder / f"{role}s{suffix}" for suffix in PROFILE_SUFFIXES]
    found = [p for p in found if p.is_file()]
    if len(found) > 1:
        raise InvalidInputError(
            [
                Problem(
                    f"more than one {role}s file: " + ", ".join(p.name for p in found),
                    file=str(folder),
                    expected=f"one {role}s file (remove or rename the others)",
                )
            ]
        )
    return found[0] if found else folder / f"{role}s.csv"
