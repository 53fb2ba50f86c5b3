"""Writing outputs: all files go to a temporary folder first, then into place, so a failure
never leaves partial output behind."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "check_output_dir",
    "csv_bytes",
    "json_bytes",
    "neutralise",
    "sha256_file",
    "write_outputs",
]


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection").
_FORMULA_START = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise(cell: str) -> str:
    """``cell`` made safe to open in a spreadsheet: one that Excel or LibreOffice would run as
    a formula (a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading
    apostrophe, so it shows as the text it is.  Numbers such as ``-0.25`` are left alone.

    >>> neutralise("=1+2"), neutralise("-0.25"), neutralise("-1+A1"), neutralise("@SUM(A1)")
    ("'=1+2", '-0.25', "'-1+A1", "'@SUM(A1)")
    """
    if cell and cell[0] in _FORMULA_START and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _safe_row(row: Sequence[Any]) -> list[Any]:
    return [neutralise(c) if type(c) is str and c[:1] in _FORMULA_START else c for c in row]


def csv_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    bom: bool = False,
    delimiter: str = ",",
    safe: bool = True,
) -> bytes:
    """CSV as bytes: UTF-8 (with a BOM for Excel when asked), ``\\r\\n`` line ends (RFC 4180).

    With ``safe`` (the default, for every file handed to a person) cells and headers that a
    spreadsheet would run as formulas are neutralised (:func:`neutralise`).
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if safe:
        writer.writerow(_safe_row(header))
        writer.writerows(map(_safe_row, rows))
    else:
        writer.writerow(header)
        writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def _strict(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, infinity) as ``None``: JSON has none."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(v) for v in value]
    return value


def json_bytes(data: Mapping[str, Any]) -> bytes:
    """Stable, indented, strict JSON (sorted keys; ``null`` for a number that is not finite)
    ending in a newline."""
    text = json.dumps(_strict(data), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


#: Every file a run may write; a new run into the same folder removes the ones it does not
#: write again, so that no stale output (an old pairs.csv beside a new suggestions.csv)
#: survives to be sent out by mistake.
OUTPUT_NAMES = (
    "pairs.csv",
    "unmatched.csv",
    "summary.json",
    "suggestions.csv",
    "changes.csv",
    "report.html",
    "pairs.xlsx",
)


def check_output_dir(out_dir: str | Path) -> Path:
    """``out_dir`` as a path, or an :class:`InvalidInputError` (exit 2) when it cannot be a
    folder: it is a file, or a file stands where one of its parent folders should be
    (``-o notes.txt/out``).  Checked before a run starts and again before writing."""
    from matcher._errors import InvalidInputError, Problem

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InvalidInputError(
            [
                Problem(
                    "the output path exists and is not a folder",
                    file=str(out),
                    expected="a folder for the outputs",
                )
            ]
        )
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InvalidInputError(
                    [
                        Problem(
                            f"the output folder cannot be created: {parent} is a file, "
                            "not a folder",
                            file=str(out),
                            expected="a folder path whose parents are folders",
                        )
                    ]
                )
            break
    return out


def write_outputs(out_dir: str | Path, files: Mapping[str, bytes]) -> Path:
    """Write ``files`` (name -> bytes) into ``out_dir`` all together or not at all.

    The new set is written to a temporary folder beside ``out_dir`` and swapped in with
    renames; files in an existing ``out_dir`` that are not outputs of matcher are kept.
    """
    out = check_output_dir(out_dir)
    parent = out.parent if str(out.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    old: Path | None = None
    try:
        for name, data in files.items():
            if "/" in name:  # a file in a subfolder of the outputs (a scenario's intake-1/)
                (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_bytes(data)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            old.rmdir()
            os.replace(out, old)
        try:
            os.replace(tmp, out)
        except OSError:
            if old is not None:
                os.replace(old, out)  # put the previous outputs back
                old = None
            raise
        if old is not None:  # keep the user's own files that lived in the folder
            tops = {name.split("/")[0] for name in files}
            for item in old.iterdir():
                if item.name not in tops and item.name not in OUTPUT_NAMES:
                    os.replace(item, out / item.name)
        return out
    finally:
        for leftover in (tmp, old):
            if leftover is not None and leftover.exists():
                with contextlib.suppress(OSError):
                    shutil.rmtree(leftover)
