"""A regular (non-editable) install carries the shipped scenarios.

The package is built into a wheel from a copy of the source, installed into a fresh virtual
environment (its dependencies borrowed from the running one, so nothing is downloaded), and a
scenario is written and matched from a folder outside the source tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]  # tests/cli/ -> the repository
SOURCE_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md")


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh venv with the wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    source.mkdir()
    for name in SOURCE_FILES:
        shutil.copy2(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "out", "*.egg-info")
    for folder in ("matcher", "scenarios"):
        shutil.copytree(REPO / folder, source / folder, ignore=ignore)
    dist = root / "dist"
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
        "-w", dist, source, cwd=root,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("matcher-*.whl"))
    venv = root / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    assert made.returncode == 0, made.stderr
    # the dependencies come from the running environment (a path line, not its .pth files,
    # so the editable install of the source tree stays out of sight); a regular install of
    # matcher there is seen too, so pip must install the wheel regardless (--ignore-installed)
    fresh_site = Path(
        _run(
            venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
            cwd=root,
        ).stdout.strip()
    )  # fmt: skip
    (fresh_site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    got = _run(
        sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet",
        "--no-deps", "--no-index", "--ignore-installed", wheel, cwd=root,
    )  # fmt: skip
    assert got.returncode == 0, got.stderr
    return venv / "bin"


def test_the_wheel_holds_every_scenario(installed: Path, tmp_path: Path) -> None:
    where = _run(
        installed / "python", "-c", "import matcher; print(matcher.__file__)", cwd=tmp_path
    )
    assert str(installed.parent) in where.stdout, where.stdout + where.stderr
    listed = _run(installed / "matcher", "scenario", "--list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    names = {line.split()[0] for line in listed.stdout.splitlines() if line.strip()}
    shipped = {p.parent.name for p in (REPO / "scenarios").glob("*/program.toml")}
    assert shipped <= names
    wrote = _run(installed / "matcher", "scenario", "amn-pain-addiction", "-o", "x", cwd=tmp_path)
    assert wrote.returncode == 0, wrote.stderr
    assert (tmp_path / "x" / "mentors.csv").is_file()
    matched = _run(installed / "matcher", "match", "x", "-o", "out", "--quiet", cwd=tmp_path)
    assert matched.returncode == 0, matched.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["matched"] > 0


def test_the_wheel_holds_the_web_page(installed: Path, tmp_path: Path) -> None:
    """The coordinators' page needs its templates, script, style and catalogues at run time."""
    where = _run(
        installed / "python",
        "-c",
        "import matcher, pathlib; print(pathlib.Path(matcher.__file__).parent / 'service')",
        cwd=tmp_path,
    )
    service = Path(where.stdout.strip())
    for name in (
        "templates/base.html",
        "templates/index.html",
        "templates/login.html",
        "static/web.js",
        "static/web.css",
        "i18n/en.json",
        "i18n/fr.json",
    ):
        assert (service / name).is_file(), name


def test_the_wheel_runs_both_intakes_of_the_hospital_scenario(
    installed: Path, tmp_path: Path
) -> None:
    wrote = _run(
        installed / "matcher", "scenario", "hospital-staff-mentoring", "-o", "h", cwd=tmp_path
    )
    assert wrote.returncode == 0, wrote.stderr
    folder = tmp_path / "h"
    assert (folder / "intake-1" / "mentees.csv").is_file()  # the subfolder ships too
    first = _run(
        installed / "matcher", "match", "intake-1", "--config", "program.toml", "-o", "one",
        "--quiet", cwd=folder,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    second = _run(installed / "matcher", "match", ".", "-o", "two", "--quiet", cwd=folder)
    assert second.returncode == 0, second.stderr
    assert (folder / "two" / "changes.csv").is_file()
