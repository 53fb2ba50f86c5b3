"""Every shipped scenario runs end to end through the real CLI.

Folders are discovered when the tests are collected: any folder under ``scenarios/`` with a
``program.toml`` is a scenario, so a new one is checked without touching this file.  Each is
copied (so concurrent edits cannot change it mid-test), run with ``matcher match`` (or
``matcher suggest`` when its method is ``suggest``), and checked: exit 0, the expected files,
and every mentee and mentor id accounted for in the outputs.  ``matcher validate`` must pass too.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from matcher.io import load_config, load_participants, profile_file

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p.parent for p in (REPO / "scenarios").glob("*/program.toml"))
NAMES = [p.name for p in SCENARIOS]


def method_of(folder: Path) -> str:
    config = tomllib.loads((folder / "program.toml").read_text(encoding="utf-8-sig"))
    return str(config.get("program", {}).get("method", "optimal"))


def test_scenarios_are_found() -> None:
    assert len(SCENARIOS) >= 5
    for folder in SCENARIOS:
        assert profile_file(folder, "mentor").is_file(), folder
        assert profile_file(folder, "mentee").is_file(), folder


@pytest.fixture(scope="module")
def runs(cli: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every scenario copied and run once, all at the same time (group scenarios take a while)."""
    root = tmp_path_factory.mktemp("scenarios")
    calls = []
    for source in SCENARIOS:
        program = root / source.name / "program"
        shutil.copytree(source, program, ignore=shutil.ignore_patterns("out", "*.py", "*.md"))
        command = "suggest" if method_of(program) == "suggest" else "match"
        calls.append(([command, program, "-o", program.parent / "out", "--quiet"], root))
        calls.append((["validate", program], root))
    results = cli.run_many(calls)
    out: dict[str, object] = {}
    for k, source in enumerate(SCENARIOS):
        out[source.name] = SimpleNamespace(
            program=root / source.name / "program",
            out=root / source.name / "out",
            match=results[2 * k],
            validate=results[2 * k + 1],
        )
    return out


@pytest.mark.parametrize("name", NAMES)
def test_scenario_runs_and_writes_the_expected_files(name: str, runs: dict) -> None:
    run = runs[name]
    assert run.match.returncode == 0, run.match.stderr
    method = method_of(run.program)
    expected = {"unmatched.csv", "summary.json"}
    expected.add("suggestions.csv" if method == "suggest" else "pairs.csv")
    if (run.program / "current.csv").exists():
        expected.add("changes.csv")
    assert expected <= {p.name for p in run.out.iterdir()}
    summary = json.loads((run.out / "summary.json").read_text(encoding="utf-8"))
    assert summary["method"] == method
    for key in ("matched", "unmatched", "objective", "bound", "seed", "elapsed_s", "version"):
        assert key in summary, key
    want = {profile_file(run.program, role).name for role in ("mentor", "mentee")}
    assert set(summary["inputs"]) >= want


@pytest.mark.parametrize("name", NAMES)
def test_scenario_accounts_for_every_participant(
    name: str, runs: dict, cli: SimpleNamespace
) -> None:
    run = runs[name]
    assert run.match.returncode == 0, run.match.stderr
    config = load_config(run.program / "program.toml")
    mentors = load_participants(profile_file(run.program, "mentor"), "mentor", config).participants
    mentees = load_participants(profile_file(run.program, "mentee"), "mentee", config).participants
    method = method_of(run.program)
    _, rows = cli.read_csv(run.out / ("suggestions.csv" if method == "suggest" else "pairs.csv"))
    _, unmatched = cli.read_csv(run.out / "unmatched.csv")
    listed = Counter((u["role"], u["id"]) for u in unmatched)
    assert all(n == 1 for n in listed.values()), "someone is listed twice in unmatched.csv"
    assert all(u["reason"] for u in unmatched)
    per_mentee = Counter(r["mentee_id"] for r in rows)
    per_mentor = Counter(r["mentor_id"] for r in rows if r["mentor_id"])
    ids = {("mentee", p.id) for p in mentees} | {("mentor", p.id) for p in mentors}
    assert set(listed) <= ids, "unmatched.csv names someone who is not in the inputs"
    assert set(per_mentee) <= {p.id for p in mentees}
    assert set(per_mentor) <= {p.id for p in mentors}
    top = config.suggest.top
    for p in mentees:
        assert (p.id in per_mentee) != (("mentee", p.id) in listed), p.id
        most = top if method == "suggest" else p.capacity
        assert per_mentee[p.id] <= most, p.id
    for p in mentors:
        assert (p.id in per_mentor) != (("mentor", p.id) in listed), p.id
        most = p.capacity * top if method == "suggest" else p.capacity
        assert per_mentor[p.id] <= most, p.id
    summary = json.loads((run.out / "summary.json").read_text(encoding="utf-8"))
    assert summary["matched"] == len(per_mentee)
    assert summary["unmatched"] == len(unmatched)
    if method == "groups" and summary["groups"]:
        header, _ = cli.read_csv(run.out / "pairs.csv")
        assert header[:4] == ["mentee_id", "mentor_id", "score", "group_id"]
        sizes = Counter(r["group_id"] for r in rows if r["group_id"])
        assert sorted(sizes.values()) == sorted(summary["group_sizes"])
        groups = tomllib.loads((run.program / "program.toml").read_text("utf-8-sig"))["groups"]
        low, high = groups.get("min_size", 4), groups.get("max_size", 8)
        assert all(low <= n <= high for n in sizes.values()), sizes


@pytest.mark.parametrize("name", NAMES)
def test_scenario_validates(name: str, runs: dict) -> None:
    run = runs[name]
    assert run.validate.returncode == 0, run.validate.stdout + run.validate.stderr
    # a shipped programme knows its own vocabulary: no value flagged as a possible typo
    assert "unknown" not in run.validate.stdout + run.validate.stderr
