"""The HTTP service (``matcher serve``): jobs on huey, a store on SQLAlchemy, the public API only.

Install with ``pip install 'matcher[service]'``.  Routes, statuses and settings are described in
DESIGN.md ("Service contract") and the README's "Service" section.
"""

from matcher.service._app import create_app
from matcher.service._settings import Settings
from matcher.service._store import Store
from matcher.service._worker import run_worker

__all__ = ["Settings", "Store", "create_app", "run_worker"]
