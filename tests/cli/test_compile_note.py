"""The first large run on a machine waits while numba compiles the scoring kernel: the command
says so before that wait (once, as a line of its own, on a terminal or not), and says nothing
when the kernel is already compiled, for a small run, or with ``--quiet``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import matcher
from matcher.cli._main import main
from matcher.engine import _pipeline

NOTE = "Compiling the scoring kernel: first large run on this machine only, about"


@pytest.fixture(scope="module")
def large_groups(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A peer-led programme above ``max_exact_members``: grouped at scale, with the kernel."""
    folder = tmp_path_factory.mktemp("groups") / "prog"
    assert main(["scenario", "synthetic", "--groups", "--mentees", "60", "-o", str(folder)]) == 0
    toml = folder / "program.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(
        text.replace("[groups]\n", "[groups]\nmax_exact_members = 20\n", 1), encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize(
    ("cached", "quiet", "said"),
    [(False, False, True), (None, False, True), (True, False, False), (False, True, False)],
)
def test_the_note_comes_before_a_first_large_run(
    large_groups: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cached: bool | None,
    quiet: bool,
    said: bool,
) -> None:
    # what numba's cache holds is the machine's: stand in for a first run (False), a cache
    # that cannot be read (None) and a later run (True)
    monkeypatch.setattr(_pipeline, "kernel_cached", lambda: cached)
    args = ["match", str(large_groups), "-o", str(tmp_path / "out")]
    assert main([*args, "--quiet"] if quiet else args) == 0
    err = capsys.readouterr().err
    assert (NOTE in err) is said, err
    if said:
        assert err.count(NOTE) == 1
        assert err.splitlines()[0].startswith(NOTE)  # before anything else the run says


def test_no_note_for_a_small_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_pipeline, "kernel_cached", lambda: False)
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "amn-pain-addiction"
    assert main(["match", str(scenario), "-o", str(tmp_path / "out")]) == 0
    assert NOTE not in capsys.readouterr().err


class _StageError(Exception):
    """Raised by the progress callback: the run is stopped at its first stage."""


def test_the_library_reports_the_compiling_stage_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pipeline, "kernel_cached", lambda: False)
    mentees = [matcher.Participant(id=f"e{k}", role="mentee") for k in range(1500)]
    mentors = [matcher.Participant(id=f"m{k}", role="mentor") for k in range(1400)]

    def progress(stage: str, fraction: float) -> None:
        raise _StageError(stage)

    # 2.1 M pairs: the certified sparse path, with the kernel; its first stage is the note
    with pytest.raises(_StageError, match=r"^compiling$"):
        matcher.match(mentors, mentees, progress=progress, seed=0)
    # under 2 M pairs the kernel is not used: no such stage
    with pytest.raises(_StageError, match=r"^scoring$"):
        matcher.match(mentors[:1000], mentees[:1000], progress=progress, seed=0)


def test_kernel_cached_reads_numbas_cache(tmp_path: Path) -> None:
    from matcher.scoring import kernel_cached

    def in_child(cache: Path) -> str:
        code = "from matcher.scoring import kernel_cached\nprint(kernel_cached())"
        env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        return run.stdout.strip()

    assert in_child(tmp_path / "empty") == "False"  # nothing compiled on this "machine"
    # in a process that has used the kernel, it is compiled
    from matcher.scoring import ScoringModel

    model = ScoringModel(
        [matcher.Participant(id="e", role="mentee")],
        [matcher.Participant(id=f"m{k}", role="mentor") for k in range(3)],
        matcher.ProgramConfig(),
    )
    assert model.kernel is not None
    model.candidates(0.0, top=1)
    assert kernel_cached() is True
