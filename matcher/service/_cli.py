"""``matcher serve`` and ``matcher worker`` (called lazily by the CLI)."""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from matcher.service._settings import Settings

__all__ = ["serve", "worker"]

log = logging.getLogger("matcher.service")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _settings(data_dir: Path | None) -> Settings:
    if data_dir is not None:
        os.environ["MATCHER_DATA_DIR"] = str(data_dir)  # the worker process reads it too
    return Settings()


def _logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", force=True
    )


def serve(*, host: str, port: int, workers: int, data_dir: Path | None, insecure: bool) -> int:
    """The API, ``workers`` job workers and the embedded store, in one command."""
    import uvicorn

    from matcher.service._app import create_app

    settings = _settings(data_dir)
    if not _loopback(host) and not settings.tokens() and not insecure:
        sys.stderr.write(
            f"matcher: error: refusing to listen on {host} without a token: set MATCHER_TOKEN "
            "or MATCHER_TOKENS_FILE, or pass --insecure (profiles are health information)\n"
        )
        return 2
    _logging()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    child = subprocess.Popen(
        [sys.executable, "-m", "matcher", "worker", "--workers", str(workers)],
        env={**os.environ, "MATCHER_DATA_DIR": str(settings.data_dir)},
    )
    log.info("worker process %d started", child.pid)
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    return 0


def worker(*, workers: int, data_dir: Path | None) -> int:
    """Job workers alone (deployments with several machines share MATCHER_DB/MATCHER_QUEUE)."""
    from matcher.service._worker import run_worker

    settings = _settings(data_dir)
    _logging()
    run_worker(settings, workers=workers)
    return 0
