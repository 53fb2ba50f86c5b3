"""The ``matcher`` command-line interface."""

import sys

from matcher.cli._main import main as _main

__all__ = ["main"]


def main() -> None:
    """Console-script entry point."""
    sys.exit(_main())
