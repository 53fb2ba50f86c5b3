"""What a coordinator reads after a fresh-eyes trial of the command line and the report: a
header read as a canonical column, the gap of every method (groups too), fair's floor, every
``[equity]`` problem at once, and the cause of infeasible floors first."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"


def _copy(name: str, cwd: Path, time_limit_s: float | None = None) -> Path:
    folder = shutil.copytree(SCENARIOS / name, cwd / name)
    if time_limit_s is not None:
        toml = folder / "program.toml"
        text = re.sub(r"time_limit_s = \d+", f"time_limit_s = {time_limit_s}", toml.read_text())
        toml.write_text(text)
    return folder


@pytest.fixture(scope="module")
def runs(cli: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory) -> dict:
    def province(cwd: Path) -> list[str | Path]:
        program = cli.small_program()
        program.mentee_header.append("Province")
        for row in program.mentees:
            row.append("somewhere")
        program.write(cwd / "prog")
        return ["match", cwd / "prog", "-o", cwd / "out"]

    def peer_groups(cwd: Path) -> list[str | Path]:
        folder = _copy("genetic-counselling-supervision", cwd, time_limit_s=2)
        return ["match", folder, "-o", cwd / "out", "--report"]

    def led_groups(cwd: Path) -> list[str | Path]:
        folder = _copy("physician-peer-support", cwd, time_limit_s=2)
        return ["match", folder, "-o", cwd / "out", "--report"]

    def fair(cwd: Path) -> list[str | Path]:
        folder = SCENARIOS / "atlantic-equity"
        return ["match", folder, "-o", cwd / "out", "--method", "fair", "--report"]

    def equity_slips(command: str):
        def setup(cwd: Path) -> list[str | Path]:
            program = cli.small_program()
            program.toml += (
                '[equity]\ncolumn = "region"\nmin_share = { NB = 1.2, Atlantis = 0.9 }\n'
            )
            program.write(cwd / "prog")
            return [command, cwd / "prog", *(["-o", cwd / "out"] if command == "match" else [])]

        return setup

    cases = {"province": province, "peer": peer_groups, "led": led_groups, "fair": fair}
    cases.update({f"equity_{c}": equity_slips(c) for c in ("match", "validate")})
    return cli.run_batch(tmp_path_factory, cases)


def _summary(cwd: Path) -> dict:
    return json.loads((cwd / "out" / "summary.json").read_text(encoding="utf-8"))


def _page(cwd: Path) -> str:
    return (cwd / "out" / "report.html").read_text(encoding="utf-8")


def test_a_province_header_beside_region_says_how_to_keep_both(runs: dict) -> None:
    cwd, run = runs["province"]
    assert run.returncode == 2
    assert (
        "mentees.csv, row 1, column 'Province': 'Province' is read as the canonical column "
        "'region' (as are the headers 'region', 'région', 'province'), and so is 'region'"
    ) in run.stderr
    assert "rename 'Province' in the file (e.g. 'home_province')" in run.stderr
    assert '"Province" = "Province" under [columns]' in run.stderr
    assert not (cwd / "out").exists()


@pytest.mark.parametrize("case", ["peer", "led"])
def test_groups_show_the_gap_to_the_bound_in_the_line_and_the_report(runs: dict, case: str) -> None:
    cwd, run = runs[case]
    assert run.returncode == 0, run.stderr
    s = _summary(cwd)
    gap, bound = s["gap"], s["bound"]
    assert gap == pytest.approx(bound - s["objective"], abs=1e-5)
    line = run.stdout.splitlines()[0]
    assert f"bound {bound:.4f}, gap {gap:.4f} ({gap / bound:.2%})" in line
    assert (
        f"<td>Proven bound (gap)</td><td>{bound:.4f} (gap {gap:.4f}, {gap / bound:.2%} of the "
        "bound)</td>"
    ) in _page(cwd)


def test_peer_led_groups_have_no_leaders_row(runs: dict) -> None:
    assert _summary(runs["peer"][0])["leader"] == "none"
    assert "Group leaders without a group" not in _page(runs["peer"][0])
    assert "<td>Group leaders without a group</td>" in _page(runs["led"][0])


def test_fairs_floor_is_in_the_line_and_the_report(runs: dict) -> None:
    cwd, run = runs["fair"]
    assert run.returncode == 0, run.stderr
    s = _summary(cwd)
    floor = s["floor"]
    assert floor == pytest.approx(min(float(r) for r in _scores(cwd)), abs=1e-6)
    line = run.stdout.splitlines()[0]
    assert f"(fair, optimal; lowest score {floor:.6g}, total score" in line
    assert f"bound {s['bound']:.4f}, gap {s['gap']:.4f}" in line
    page = _page(cwd)
    assert f"<td>Lowest score of a matched mentee (fair&#x27;s floor)</td><td>{floor:.6g}" in page
    # with [equity], the rule's text names fair's own objective after the rule
    assert "then fair's objective (the lowest score of a matched mentee" in page
    assert "then the usual objective" not in page


def _scores(cwd: Path) -> list[str]:
    lines = (cwd / "out" / "pairs.csv").read_text(encoding="utf-8").splitlines()
    return [line.split(",")[2] for line in lines[1:]]


@pytest.mark.parametrize("command", ["match", "validate"])
def test_every_equity_problem_is_reported_at_once(runs: dict, command: str) -> None:
    cwd, run = runs[f"equity_{command}"]
    assert run.returncode == 2
    assert "matcher: error: 2 problems found:" in run.stderr
    assert (
        "program.toml, key 'equity.min_share.NB': out of range: got '1.2', expected a number <= 1"
    ) in run.stderr
    assert (
        "program.toml, key 'equity.min_share.Atlantis': unknown subgroup: got 'Atlantis', "
        "expected a value of column 'region' among the mentees"
    ) in run.stderr
    assert not (cwd / "out").exists()


def _readme_commands(name: str) -> list[str]:
    """The shell commands of a scenario's README (code blocks and inline code), comments off."""
    text = (SCENARIOS / name / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    inline = re.findall(r"`((?:matcher|python) [^`]+)`", text.replace("\n", " "))
    commands = [c.split("  #")[0].strip() for c in [*lines, *inline]]
    return [c for c in commands if c.startswith(("matcher ", "python "))]


@pytest.mark.parametrize("name", sorted(p.parent.name for p in SCENARIOS.glob("*/README.md")))
def test_scenario_readmes_run_in_the_copied_folder(name: str) -> None:
    commands = _readme_commands(name)
    assert commands, name
    copies = {
        m.group(1): m.group(2)
        for c in commands
        for m in [re.search(r"matcher scenario (\S+) -o (\S+)", c)]
        if m
    }
    assert list(copies) == [name]  # every README says how to get its folder
    [folder] = copies.values()
    for command in commands:
        assert "scenarios/" not in command, command
        for part in command.split("&&"):
            run = re.match(r"\s*matcher (?:match|validate|suggest) (\S+)", part)
            script = re.match(r"\s*python (\S+)/\w+\.py", part)
            for found in (run, script):
                if found:  # the copy, or (after `cd` into it) a folder of the copy
                    where = found.group(1)
                    assert where == folder or (SCENARIOS / name / where).is_dir(), command


def test_a_scenario_readmes_commands_work_as_written(cli: SimpleNamespace, tmp_path: Path) -> None:
    commands = [c for c in _readme_commands("form-exports") if c.startswith("matcher ")]
    assert [c.split()[1] for c in commands] == ["scenario", "validate", "match"]
    for command in commands:
        run = cli.run(*command.split()[1:], cwd=tmp_path)
        assert run.returncode == 0, (command, run.stderr)
    assert (tmp_path / "forms" / "out" / "pairs.xlsx").is_file()
