"""Packaging hook: the shipped scenarios go inside the wheel as ``matcher/_scenarios``.

The scenarios live at the top of the repository (``scenarios/``) where people find them; a
regular (non-editable) install copies them into the package so that ``matcher scenario NAME``
works from any installation.  An editable install reads them where they are.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SKIP = {"out", "__pycache__"}


class BuildWithScenarios(build_py):
    """``build_py`` that also copies ``scenarios/`` into the built package."""

    def run(self) -> None:
        super().run()
        source = HERE / "scenarios"
        if self.editable_mode or not source.is_dir():
            return
        target = Path(self.build_lib) / "matcher" / "_scenarios"
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if not path.is_file() or any(
                part in SKIP or part.startswith(".") for part in relative.parts
            ):
                continue
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


setup(cmdclass={"build_py": BuildWithScenarios})
