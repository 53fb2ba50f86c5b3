"""Fixtures for the io tests: small delimited files written byte for byte into ``tmp_path``."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import matcher

# Without an __init__.py here, pyproject.toml's --doctest-modules would import this file a
# second time as a top-level module named "conftest", clashing with the other folders'
# conftest.py. Conftests are loaded as plugins anyway; only the doctest pass skips them.
collect_ignore = ["conftest.py"]

WriteRows = Callable[..., Path]


def _rows_text(header: Sequence[str], rows: Sequence[Sequence[str]], delimiter: str) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@pytest.fixture
def write_rows(tmp_path: Path) -> WriteRows:
    """``write_rows(name, header, rows, delimiter=",", encoding="utf-8", trailer="")`` -> path.

    ``encoding`` is a Python codec: ``utf-8-sig`` writes a BOM, ``utf-16`` a BOM and UTF-16LE.
    ``trailer`` is appended verbatim (e.g. the blank lines Excel leaves at the end).
    """

    def write(
        name: str,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        delimiter: str = ",",
        encoding: str = "utf-8",
        trailer: str = "",
    ) -> Path:
        path = tmp_path / name
        path.write_bytes((_rows_text(header, rows, delimiter) + trailer).encode(encoding))
        return path

    return write


@pytest.fixture
def write_text(tmp_path: Path) -> Callable[..., Path]:
    """``write_text(name, text, encoding="utf-8")`` -> path, written exactly as given."""

    def write(name: str, text: str, *, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


def problem_at(
    exc: matcher.InvalidInputError,
    *,
    file: str,
    row: int | None,
    column: str | None,
    value: str | None = None,
) -> matcher.Problem:
    """The one problem in ``exc`` at (file, row, column[, value]); fails the test otherwise."""
    found = [
        p
        for p in exc.problems
        if p.file == file
        and p.row == row
        and p.column == column
        and (value is None or p.value == value)
    ]
    assert len(found) == 1, (
        f"expected one problem at {file} row {row} column {column!r} value {value!r}; got:\n{exc}"
    )
    return found[0]


@pytest.fixture
def find_problem() -> Callable[..., matcher.Problem]:
    """The :func:`problem_at` helper, as a fixture so test modules need not import conftest."""
    return problem_at
