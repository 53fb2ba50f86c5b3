"""The ``matcher`` command-line interface: arguments, progress line, exit codes, report.
It may import only the public API (``matcher``, ``matcher.io``, profiles, result types)."""

import sys

from matcher.cli._main import main as _main

__all__ = ["main"]


def main() -> None:
    """Console-script entry point."""
    sys.exit(_main())
