"""``[equity]`` through the real CLI: the shipped scenario, infeasible floors (exit 3, nothing
written) and every configuration mistake (exit 2, naming the key, the value and what was
expected)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "atlantic-equity"


def _strict(text: str) -> dict:
    def refuse(name: str) -> None:
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


#: [equity] tables (and the method) for the small programme, with what stderr must say
BAD = {
    "both": (
        '[equity]\ncolumn = "region"\nmode = "equalise"\nmin_share = { NB = 0.9 }\n',
        "got both",
    ),
    "neither": ('[equity]\ncolumn = "region"\n', "got neither"),
    "no_column": ('[equity]\nmode = "equalise"\n', "needs column"),
    "zero_share": ('[equity]\ncolumn = "region"\nmin_share = { NB = 0.0 }\n', "> 0"),
    "big_share": ('[equity]\ncolumn = "region"\nmin_share = { NB = 1.5 }\n', "<= 1"),
    "mode_typo": ('[equity]\ncolumn = "region"\nmode = "equalize"\n', "did you mean 'equalise'"),
    "column": ('[equity]\ncolumn = "regoin"\nmode = "equalise"\n', "did you mean 'region'"),
    "subgroup": ('[equity]\ncolumn = "region"\nmin_share = { NX = 0.9 }\n', "unknown subgroup"),
    "several": ('[equity]\ncolumn = "languages"\nmode = "equalise"\n', "several values"),
    "method": (
        '[equity]\ncolumn = "region"\nmode = "equalise"\n',
        "method optimal or fair",
    ),
}


#: mistakes found only with the mentees in hand: ``validate`` must find them as ``match`` does
CHECKED_ON_PROFILES = ("column", "subgroup", "several")


@pytest.fixture(scope="module")
def runs(cli: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory) -> dict:
    def scenario(cwd: Path) -> list[str | Path]:
        return ["match", SCENARIO, "-o", cwd / "out", "--report", "--xlsx"]

    def fair(cwd: Path) -> list[str | Path]:
        return ["match", SCENARIO, "-o", cwd / "out", "--method", "fair", "--quiet"]

    def infeasible(cwd: Path) -> list[str | Path]:
        program = cli.small_program()
        program.toml += '[equity]\ncolumn = "region"\nmin_share = { ON = 1.0 }\n'
        program.write(cwd / "program")
        return ["match", cwd / "program", "-o", cwd / "out"]

    def bad(name: str):
        table = BAD[name][0]

        def setup(cwd: Path) -> list[str | Path]:
            program = cli.small_program()
            program.toml += table
            if name == "several":
                program.set("mentees", "E2", "languages", "en|fr")
            program.write(cwd / "program")
            extra = ["--method", "stable"] if name == "method" else []
            return ["match", cwd / "program", "-o", cwd / "out", *extra]

        return setup

    def validate(name: str):
        table = BAD[name][0]

        def setup(cwd: Path) -> list[str | Path]:
            program = cli.small_program()
            program.toml += table
            if name == "several":
                program.set("mentees", "E2", "languages", "en|fr")
            program.write(cwd / "program")
            return ["validate", cwd / "program"]

        return setup

    cases = {"scenario": scenario, "fair": fair, "infeasible": infeasible}
    cases.update({f"bad_{name}": bad(name) for name in BAD})
    cases.update({f"validate_{name}": validate(name) for name in CHECKED_ON_PROFILES})
    return cli.run_batch(tmp_path_factory, cases)


def test_scenario_equalise_raises_the_lowest_provincial_rate(runs: dict) -> None:
    cwd, run = runs["scenario"]
    assert "Equity rule on region (equalise): lowest subgroup coverage 64.2% without" in run.stdout
    assert run.returncode == 0, run.stderr
    summary = _strict((cwd / "out" / "summary.json").read_text(encoding="utf-8"))
    rule = summary["equity"]["rule"]
    assert rule["column"] == "region" and rule["mode"] == "equalise"
    assert rule["lowest_rate"]["with"] > rule["lowest_rate"]["without"]
    rows = {r["subgroup"]: r for r in rule["subgroups"]}
    # the rural province the plain matching serves least
    assert rows["NL"]["rate_without"] == rule["lowest_rate"]["without"]
    assert rows["NL"]["rate_with"] > rows["NL"]["rate_without"]
    for r in rows.values():
        assert r["matched_with"] >= r["floor"]
        assert r["rate_with"] == round(r["matched_with"] / r["mentees"], 4)
    # the price: never more score than without the rule, the same places here
    assert rule["objective"]["with"] <= rule["objective"]["without"] + 1e-9
    assert rule["matched"]["with"] == summary["matched"]
    assert summary["bound"] >= summary["objective"] - 1e-9
    assert summary["objective"] == pytest.approx(rule["objective"]["with"], abs=1e-6)
    page = (cwd / "out" / "report.html").read_text(encoding="utf-8")
    assert "Equity rule" in page and "without the rule" in page
    with zipfile.ZipFile(cwd / "out" / "pairs.xlsx") as book:
        assert 'name="equity_rule"' in book.read("xl/workbook.xml").decode("utf-8")


def test_fair_honours_the_rule_too(runs: dict) -> None:
    cwd, run = runs["fair"]
    assert run.returncode == 0, run.stderr
    summary = _strict((cwd / "out" / "summary.json").read_text(encoding="utf-8"))
    rule = summary["equity"]["rule"]
    assert summary["method"] == "fair"
    assert rule["lowest_rate"]["with"] >= rule["lowest_rate"]["without"]
    assert summary["bound"] >= summary["objective"] - 1e-9


def test_infeasible_floor_exits_3_naming_the_subgroup(runs: dict, cli: SimpleNamespace) -> None:
    cwd, run = runs["infeasible"]
    assert run.returncode == 3, run.stderr
    assert "'ON' needs at least 1 of its 1 mentees matched, but can reach at most 0" in run.stderr
    assert not (cwd / "out").exists()
    assert [p.name for p in cwd.iterdir() if p.name.startswith(".out.")] == []


@pytest.mark.parametrize("name", sorted(BAD))
def test_config_mistakes_exit_2_and_say_what(runs: dict, name: str) -> None:
    cwd, run = runs[f"bad_{name}"]
    assert run.returncode == 2, run.stderr
    assert BAD[name][1] in run.stderr, run.stderr
    assert "equity" in run.stderr
    assert not (cwd / "out").exists()


@pytest.mark.parametrize("name", CHECKED_ON_PROFILES)
def test_validate_finds_the_rule_mistakes_match_finds(runs: dict, name: str) -> None:
    _, run = runs[f"validate_{name}"]
    assert run.returncode == 2, run.stdout + run.stderr
    assert BAD[name][1] in run.stderr, run.stderr
