"""Issue 13, item 5's polish as a coordinator meets it on the command line: an output path
under a file, "did you mean" for a mistyped method, region or program.toml key, counts in
the right number."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest


def _out_under_a_file(cli: SimpleNamespace):
    def setup(cwd: Path) -> tuple[str, ...]:
        cli.small_program().write(cwd / "prog")
        (cwd / "notes.txt").write_text("mine")
        return ("match", "prog", "-o", "notes.txt/out")

    return setup


def _method_typo(cli: SimpleNamespace):
    def setup(cwd: Path) -> tuple[str, ...]:
        cli.small_program().write(cwd / "prog")
        return ("match", "prog", "-o", "out", "--method", "optimla")

    return setup


def _toml_typos(cli: SimpleNamespace):
    def setup(cwd: Path) -> tuple[str, ...]:
        program = cli.small_program()
        program.toml = (
            '[program]\nmethod = "stabel"\nmin_scor = 0.1\n'
            "[critera.specialty]\nweight = 2\n[groups]\nmax_sise = 6\n"
        )
        program.write(cwd / "prog")
        return ("match", "prog", "-o", "out")

    return setup


def _region_typo(cli: SimpleNamespace):
    def setup(cwd: Path) -> tuple[str, ...]:
        program = cli.small_program()
        column = program.mentee_header.index("region")
        program.mentees[0][column] = "Nouveau-Brunswik"
        program.write(cwd / "prog")
        return ("match", "prog", "-o", "out")

    return setup


def _validate(cli: SimpleNamespace):
    def setup(cwd: Path) -> tuple[str, ...]:
        cli.small_program().write(cwd / "prog")
        return ("validate", "prog")

    return setup


@pytest.fixture(scope="module")
def runs(cli: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return cli.run_batch(
        tmp_path_factory,
        {
            "out under a file": _out_under_a_file(cli),
            "method typo": _method_typo(cli),
            "toml typos": _toml_typos(cli),
            "region typo": _region_typo(cli),
            "validate": _validate(cli),
        },
    )


def test_an_output_path_under_a_file_is_bad_input(runs: dict) -> None:
    cwd, run = runs["out under a file"]
    assert run.returncode == 2, run.stderr
    assert "notes.txt is a file, not a folder" in run.stderr
    assert "internal error" not in run.stderr
    assert (cwd / "notes.txt").read_text() == "mine"


def test_a_mistyped_method_gets_the_valid_ones_and_a_suggestion(runs: dict) -> None:
    _, run = runs["method typo"]
    assert run.returncode == 2
    assert "optimal, fair, stable, groups" in run.stderr
    assert "did you mean 'optimal'?" in run.stderr


def test_mistyped_program_toml_keys_get_a_suggestion(runs: dict) -> None:
    _, run = runs["toml typos"]
    assert run.returncode == 2
    err = run.stderr
    assert "did you mean 'stable'?" in err
    assert "did you mean 'min_score'?" in err  # with the keys [program] takes
    assert "session_minutes" in err
    assert "did you mean [criteria]?" in err
    assert "did you mean 'max_size'?" in err


def test_a_mistyped_region_gets_a_suggestion(runs: dict) -> None:
    _, run = runs["region typo"]
    assert run.returncode == 2
    assert "unknown region" in run.stderr
    assert "did you mean 'NB'?" in run.stderr


def test_counts_are_in_the_right_number(runs: dict) -> None:
    _, run = runs["validate"]
    assert run.returncode == 0, run.stderr
    assert "3 mentors, 4 mentees OK" in run.stdout
