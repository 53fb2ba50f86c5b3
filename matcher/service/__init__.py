"""The HTTP service (``matcher serve``, ``matcher worker``) and the coordinators' web page: jobs
on huey, a store on SQLAlchemy; may import only the public API (matcher, api, io, report,
profiles, matching); its commands reach the CLI as entry points. Extra ``matcher[service]``."""

from matcher.service._app import create_app
from matcher.service._cli import serve, worker
from matcher.service._settings import Settings
from matcher.service._store import Store
from matcher.service._worker import run_worker

__all__ = ["Settings", "Store", "create_app", "run_worker", "serve", "worker"]
