"""Fixtures for the CLI tests: run the real ``python -m matcher`` and write small programmes."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

# Without an __init__.py here, pyproject.toml's --doctest-modules would import this file a
# second time as a top-level module named "conftest", clashing with the other folders'
# conftest.py. Conftests are loaded as plugins anyway; only the doctest pass skips them.
collect_ignore = ["conftest.py"]

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "amn-pain-addiction"


def run_matcher(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m matcher ARGS`` in ``cwd``; stdout and stderr decoded as UTF-8."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "matcher", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def run_many(
    calls: Sequence[tuple[Sequence[str | Path], Path]],
) -> list[subprocess.CompletedProcess[str]]:
    """Run several ``(args, cwd)`` commands at once (each is mostly interpreter start-up)."""
    workers = max(2, min(len(calls), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: run_matcher(*call[0], cwd=call[1]), calls))


def run_batch(
    tmp_path_factory: pytest.TempPathFactory,
    cases: dict[str, Callable[[Path], Sequence[str | Path]]],
) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    """Prepare each case in its own folder (``setup(cwd)`` writes files, returns the arguments),
    run them all at once, and return ``name -> (cwd, run)``."""
    prepared = {}
    for name, setup in cases.items():
        cwd = tmp_path_factory.mktemp("cli")
        prepared[name] = (cwd, tuple(setup(cwd)))
    runs = run_many([(args, cwd) for cwd, args in prepared.values()])
    return {name: (cwd, run) for (name, (cwd, _)), run in zip(prepared.items(), runs, strict=True)}


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str]], delimiter: str = ",") -> str:
    """Delimited text with Excel's ``\\r\\n`` line ends."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def read_csv(path: Path, delimiter: str = ",") -> tuple[list[str], list[dict[str, str]]]:
    """An output CSV as (header, rows as dicts); a BOM, if any, is dropped."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, *rows = list(reader)
    return header, [dict(zip(header, r, strict=True)) for r in rows]


@dataclass
class Program:
    """A programme folder's content, edited by a test before :meth:`write`."""

    mentor_header: list[str]
    mentors: list[list[str]]
    mentee_header: list[str]
    mentees: list[list[str]]
    toml: str | None = None
    raw: dict[str, bytes] = field(default_factory=dict)  # file name -> exact bytes (overrides)

    def set(self, who: str, row_id: str, column: str, value: str) -> None:
        """Set one cell, found by the row's id and the column's header."""
        header, rows = (
            (self.mentor_header, self.mentors)
            if who == "mentors"
            else (self.mentee_header, self.mentees)
        )
        k = header.index(column)
        [row] = [r for r in rows if r[0] == row_id]
        row[k] = value

    def write(self, folder: Path, *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        files = {
            "mentors.csv": csv_text(self.mentor_header, self.mentors, delimiter).encode(encoding),
            "mentees.csv": csv_text(self.mentee_header, self.mentees, delimiter).encode(encoding),
        }
        if self.toml is not None:
            files["program.toml"] = self.toml.encode("utf-8")
        files.update(self.raw)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return folder


MENTOR_HEADER = [
    "id",
    "profession",
    "specialties",
    "region",
    "lat",
    "lon",
    "languages",
    "availability",
    "formats",
    "capacity",
    "organization",
    "exclude",
    "cohort",
]
MENTORS = [
    # row 2
    ["M1", "psychiatrist", "mental_health|substance_use", "NB", "46.09", "-64.78", "fr|en",
     "mon 18:00-20:00|wed 12:00-13:00", "virtual|in_person", "2", "Vitalité", "", "A"],
    # row 3
    ["M2", "pharmacist", "chronic_pain", "NS", "44.65", "-63.57", "en", "tue 12:00-13:00",
     "virtual", "1", "Nova Scotia Health", "", "B"],
    # row 4
    ["M3", "nurse", "oncology|mental_health", "QC", "", "", "fr", "wed 09:00-10:00",
     "in_person|phone", "1", "CIUSSS", "", "A"],
]  # fmt: skip
MENTEE_HEADER = [
    "id",
    "profession",
    "specialties",
    "region",
    "languages",
    "availability",
    "formats",
    "capacity",
    "exclude",
    "cohort",
]
MENTEES = [
    # row 2
    ["E1", "family_physician", "substance_use", "NB", "fr", "mon 18:00-19:00", "virtual", "1",
     "", "A"],
    # row 3
    ["E2", "nurse", "chronic_pain", "NS", "en", "tue 12:00-13:00", "virtual", "1", "M3", "B"],
    # row 4
    ["E3", "social_worker", "mental_health", "QC", "fr", "wed 09:00-10:00", "phone", "1", "",
     "A"],
    # row 5
    ["E4", "pharmacist", "oncology", "ON", "es", "thu 10:00-11:00", "virtual", "1", "", "B"],
]  # fmt: skip
#: What the small programme must give: E3 can only meet by phone (M3), E1 needs French and
#: virtual (M1), E2 English (M2 or M1); E4 speaks only Spanish.
EXPECTED_PAIRS = {("E1", "M1"), ("E2", "M2"), ("E3", "M3")}
SMALL_TOML = """\
[program]
name = "petit programme"
min_score = 0.0
[criteria.specialty]
weight = 3.0
"""


def small_program() -> Program:
    """A fresh copy of the small, valid programme."""
    return Program(
        list(MENTOR_HEADER),
        [list(r) for r in MENTORS],
        list(MENTEE_HEADER),
        [list(r) for r in MENTEES],
        SMALL_TOML,
    )


@pytest.fixture(scope="session")
def cli() -> SimpleNamespace:
    """Helpers for the CLI tests, so test modules need not import this conftest.

    ``cli.run(*args, cwd=folder)`` runs the real command, ``cli.run_many`` and
    ``cli.run_batch`` run several at once; ``cli.read_csv``, ``cli.csv_text``,
    ``cli.small_program()``, ``cli.expected_pairs`` and ``cli.scenario`` are as defined above.
    """
    return SimpleNamespace(
        run=run_matcher,
        run_many=run_many,
        run_batch=run_batch,
        read_csv=read_csv,
        csv_text=csv_text,
        small_program=small_program,
        expected_pairs=frozenset(EXPECTED_PAIRS),
        scenario=SCENARIO,
    )
