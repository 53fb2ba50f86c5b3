"""The hospital staff mentoring scenario's two intakes, as its README tells a coordinator to
run them: the first from scratch, the second with ``current.csv`` (the incremental path)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "hospital-staff-mentoring"


@pytest.fixture(scope="module")
def intakes(cli: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("hospital")
    program = root / "hospital"
    shutil.copytree(SCENARIO, program, ignore=shutil.ignore_patterns("out*", "__pycache__"))
    first, second = cli.run_many(
        [
            (["match", "intake-1", "--config", "program.toml", "-o", "out-spring"], program),
            (["match", ".", "-o", "out-autumn", "--report", "--xlsx"], program),
        ]
    )
    return SimpleNamespace(program=program, first=first, second=second)


def test_current_csv_holds_the_first_intakes_pairs(cli: SimpleNamespace, intakes) -> None:
    assert intakes.first.returncode == 0, intakes.first.stderr
    _, spring = cli.read_csv(intakes.program / "out-spring" / "pairs.csv")
    _, current = cli.read_csv(intakes.program / "current.csv")
    assert {(r["mentee_id"], r["mentor_id"]) for r in spring} == {
        (r["mentee_id"], r["mentor_id"]) for r in current
    }
    statuses = Counter(r["status"] for r in current)
    assert set(statuses) == {"active", "ended", "do_not_match_again"}


def test_the_second_intake_shows_every_kind_of_change(cli: SimpleNamespace, intakes) -> None:
    run = intakes.second
    assert run.returncode == 0, run.stderr
    assert "Keeping the current matches" in run.stdout
    out = intakes.program / "out-autumn"
    assert {"changes.csv", "report.html", "pairs.xlsx"} <= {p.name for p in out.iterdir()}
    _, changes = cli.read_csv(out / "changes.csv")
    kinds = Counter(r["change"] for r in changes)
    assert set(kinds) == {"kept", "new", "ended", "dropped"}, kinds
    _, current = cli.read_csv(intakes.program / "current.csv")
    # every spring pair is accounted for once: kept, ended or dropped
    old = Counter((r["mentee_id"], r["mentor_id"]) for r in changes if r["change"] != "new")
    assert old == Counter((r["mentee_id"], r["mentor_id"]) for r in current)
    _, pairs = cli.read_csv(out / "pairs.csv")
    now = {(r["mentee_id"], r["mentor_id"]) for r in pairs}
    for r in changes:
        key = (r["mentee_id"], r["mentor_id"])
        assert (key in now) == (r["change"] in ("kept", "new")), r
    never = [r for r in current if r["status"] == "do_not_match_again"]
    assert never and all((r["mentee_id"], r["mentor_id"]) not in now for r in never)
    reasons = {r["reason"] for r in changes if r["change"] == "dropped"}
    assert "the mentor left the programme" in reasons
    assert any(reason.startswith("the mentor's capacity is now") for reason in reasons)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "intake" in html  # the equity subgroup of program.toml [report]


def test_the_generator_gives_the_shipped_files(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(SCENARIO / "generate.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    for name in ("mentors.csv", "mentees.csv", "current.csv", "intake-1/mentors.csv",
                 "intake-1/mentees.csv"):  # fmt: skip
        assert (tmp_path / name).read_bytes() == (SCENARIO / name).read_bytes(), name
