"""Fuzzing the ``matcher`` command with mutated exports, and the invariants every run keeps.

A case is a programme folder (mentors.csv, mentees.csv, program.toml) after byte, CSV, TOML
or structure mutations (:func:`tests.strategies.fuzz_cases`), run through the real command
line in-process.  Whatever the input, a run must:

- exit 0, 2 or 3 (never 1, an internal error, nor a crash);
- on 0: account for every input record in pairs.csv / suggestions.csv or unmatched.csv,
  with the records counted by pandas, not by matcher's reader; keep every capacity and every
  exclusion (read from the input independently); write no cell a spreadsheet would run as a
  formula; write summary.json as strict JSON;
- on failure: leave no output folder behind.

The test suite runs a bounded number of cases (``tests/test_fuzz.py``).  Maintainers run it
longer with::

    python -m tests.fuzz --minutes 30

which prints the number of cases, their exit codes and every failure found (shrunk).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import csv
import io
import json
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from matcher.cli._main import main
from matcher.io import decode, read_table
from matcher.profiles import vocab
from tests.strategies import FuzzCase

REPO = Path(__file__).resolve().parents[1]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def base_program(mentees: int = 40) -> dict[str, bytes]:
    """The Atlantic network with its first ``mentees`` mentees: small enough to run in a
    fraction of a second, with every column a real export has."""
    folder = REPO / "scenarios" / "amn-pain-addiction"
    lines = (folder / "mentees.csv").read_bytes().splitlines(keepends=True)
    return {
        "mentors.csv": (folder / "mentors.csv").read_bytes(),
        "mentees.csv": b"".join(lines[: mentees + 1]),
        "program.toml": (folder / "program.toml").read_bytes(),
    }


@dataclass
class Tally:
    """What a fuzzing run saw."""

    cases: int = 0
    exits: collections.Counter[int] = field(default_factory=collections.Counter)
    failures: list[str] = field(default_factory=list)


TALLY = Tally()


class InvariantError(AssertionError):
    """A run broke one of the invariants in this module's docstring."""


def run_case(case: FuzzCase) -> tuple[int, str]:
    """Run ``matcher match`` on ``case``; check every invariant; return (exit code, stderr)."""
    with tempfile.TemporaryDirectory(prefix="matcher-fuzz-") as tmp:
        folder, out = Path(tmp) / "program", Path(tmp) / "out"
        folder.mkdir()
        for name, data in case.files.items():
            if data is None:
                (folder / name).mkdir()
            else:
                (folder / name).write_bytes(data)
        argv = ["match", str(folder), "-o", str(out), "--quiet", *case.options]
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse refusing an option
                code = exc.code if isinstance(exc.code, int) else 2
        TALLY.cases += 1
        TALLY.exits[code] += 1
        where = f"mutations {case.mutations}, options {case.options}"
        if code not in (0, 2, 3):
            raise InvariantError(f"exit {code} ({where}): {stderr.getvalue()[-2000:]}")
        if code != 0:
            if out.exists():
                raise InvariantError(f"exit {code} left {sorted(out.iterdir())} ({where})")
            return code, stderr.getvalue()
        check_outputs(folder, out, case.options, where)
        return code, stderr.getvalue()


def _records(path: Path) -> pd.DataFrame:
    """The records of an input CSV as pandas reads them (strings, empty rows dropped)."""
    text, _ = decode(path.read_bytes())
    delimiter = read_table(path).delimiter  # the separator only, not the records
    width = len(next(csv.reader([text.splitlines()[0]], delimiter=delimiter)))
    with warnings.catch_warnings():  # a row one cell longer: pandas warns, the cell is ""
        warnings.simplefilter("ignore", pd.errors.ParserWarning)
        frame = _read_csv(text, delimiter, width)
    frame = frame.fillna("")  # cells a short row leaves out
    filled = frame.apply(lambda column: column.str.strip() != "").any(axis=1)
    return frame[filled]


def _read_csv(text: str, delimiter: str, width: int) -> pd.DataFrame:
    return pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        dtype=str,
        keep_default_na=False,
        engine="python",
        index_col=False,  # a row one cell longer must not turn the first column into an index
        on_bad_lines=lambda bad: bad[:width],
        skip_blank_lines=True,
    )


def _column(frame: pd.DataFrame, *names: str) -> pd.Series | None:
    for column in frame.columns:
        if str(column).strip().casefold() in names:
            return frame[column]
    return None


def _output(path: Path, delimiter: str) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    for row in rows:
        for cell in row:
            if cell.startswith(_FORMULA_START) and not _is_number(cell):
                raise InvariantError(f"{path.name}: a formula cell {cell[:40]!r}")
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _strict_json(path: Path) -> None:
    def refuse(name: str) -> None:
        raise InvariantError(f"{path.name}: not JSON ({name})")

    json.loads(path.read_text("utf-8"), parse_constant=refuse)


def _id(text: str) -> str:
    return vocab.normalize_id(text)


def check_outputs(folder: Path, out: Path, options: tuple[str, ...], where: str) -> None:
    """The invariants of a successful run (module docstring)."""
    delimiter = ";" if ";" in options else ","
    _strict_json(out / "summary.json")
    unmatched = _output(out / "unmatched.csv", delimiter)
    suggest = (out / "suggestions.csv").exists()
    pairs = _output(out / ("suggestions.csv" if suggest else "pairs.csv"), delimiter)
    mentees, mentors = _records(folder / "mentees.csv"), _records(folder / "mentors.csv")
    for role, frame, key in (("mentee", mentees, "mentee_id"), ("mentor", mentors, "mentor_id")):
        if suggest and role == "mentor":
            continue  # suggestions list mentees' options; a mentor may be in none
        seen = {p[key] for p in pairs} | {u["id"] for u in unmatched if u["role"] == role}
        if len(seen) != len(frame):
            raise InvariantError(
                f"{len(frame)} {role} records in the input, {len(seen)} in the outputs ({where})"
            )
    if suggest:
        return
    ids = _column(mentors, "id")
    caps = _column(mentors, "capacity", "capacité", "capacite")
    capacity = {
        _id(pid): int(float(c.replace(",", "."))) if c.strip() else 1
        for pid, c in zip(
            ids if ids is not None else [], caps if caps is not None else [], strict=False
        )
    }
    load = collections.Counter(p["mentor_id"] for p in pairs)
    for mentor, count in load.items():
        if count > capacity.get(mentor, 1):
            raise InvariantError(f"mentor {mentor!r}: {count} mentees > capacity ({where})")
    excluded = set()
    for frame, side in ((mentees, 0), (mentors, 1)):
        ids, exclude = _column(frame, "id"), _column(frame, "exclude", "exclusions", "exclure")
        if ids is None or exclude is None:
            continue
        for pid, cell in zip(ids, exclude, strict=True):
            for other in vocab.split_multi(cell):
                pair = (_id(pid), _id(other))
                excluded.add(pair if side == 0 else pair[::-1])
    for p in pairs:
        if (p["mentee_id"], p["mentor_id"]) in excluded:
            raise InvariantError(f"excluded pair {p['mentee_id']}-{p['mentor_id']} ({where})")


def fuzz(minutes: float, *, seed: int | None = None) -> Tally:
    """Run cases for ``minutes``; every failure is shrunk by hypothesis and recorded."""
    from hypothesis import HealthCheck, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed

    from tests.strategies import fuzz_cases

    base = base_program()
    deadline = time.monotonic() + minutes * 60
    round_ = 0
    while time.monotonic() < deadline:
        round_ += 1

        @settings(
            max_examples=100,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
        )
        @given(case=fuzz_cases(base))
        def check(case: FuzzCase) -> None:
            run_case(case)

        if seed is not None:
            check = hypothesis_seed(seed + round_)(check)
        try:
            check()
        except Exception as exc:  # an invariant broken, or the harness itself failing
            found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
            for failure in found:
                TALLY.failures.append(f"{type(failure).__name__}: {failure}"[:3000])
                print(f"FAILURE: {TALLY.failures[-1]}", file=sys.stderr, flush=True)
    return TALLY


@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    import logging

    logger = logging.getLogger("matcher")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    started = time.monotonic()
    with _quiet_logs():
        tally = fuzz(args.minutes, seed=args.seed)
    elapsed = time.monotonic() - started
    exits = ", ".join(f"exit {k}: {v}" for k, v in sorted(tally.exits.items()))
    print(
        f"{tally.cases} cases in {elapsed / 60:.1f} min ({exits}); "
        f"{len(tally.failures)} invariant failures"
    )
    for failure in tally.failures:
        print(f"  - {failure}")
    shutil.rmtree(Path(tempfile.gettempdir()) / "matcher-fuzz", ignore_errors=True)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(_main())
