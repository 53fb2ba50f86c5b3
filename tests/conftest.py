"""Shared test set-up: make ``tests/strategies.py`` and ``tests/reference.py`` importable.

The test folders have no ``__init__.py``; pytest puts this folder on ``sys.path`` when it loads
this file, and the explicit insert below keeps that true under any import mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
