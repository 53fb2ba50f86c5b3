"""The HTTP service (``matcher serve``) and the coordinators' web page: jobs on huey, a store on
SQLAlchemy; may import only the public API (matcher, api, io, report, profiles, matching).
Install with ``pip install 'matcher[service]'``; contract in DESIGN.md, design in docs/service.md.
"""

from matcher.service._app import create_app
from matcher.service._settings import Settings
from matcher.service._store import Store
from matcher.service._worker import run_worker

__all__ = ["Settings", "Store", "create_app", "run_worker"]
