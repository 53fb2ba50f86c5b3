"""``matcher serve`` and ``matcher worker`` (called lazily by the CLI)."""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from matcher.service._settings import Settings
from matcher.service._worker import die_with_parent

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


def _worker_dies_with_serve() -> None:
    # uvicorn re-raises SIGTERM after its shutdown, so serve may end without a `finally`:
    # the worker then gets SIGTERM from the kernel and stops cleanly (imported before the fork)
    die_with_parent(signal.SIGTERM)


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
    stopping = threading.Event()
    current: list[subprocess.Popen[bytes]] = []

    def start_worker() -> None:
        child = subprocess.Popen(
            [sys.executable, "-m", "matcher", "worker", "--workers", str(workers)],
            env={**os.environ, "MATCHER_DATA_DIR": str(settings.data_dir)},
            preexec_fn=_worker_dies_with_serve,
        )
        current[:] = [child]
        log.info("worker process %d started", child.pid)

    def keep_worker() -> None:
        # a worker that dies (killed, out of memory) is replaced; its job becomes interrupted
        while not stopping.wait(1.0):
            code = current[0].poll()
            if code is not None and not stopping.is_set():
                log.warning("worker process exited with code %s; starting a new one", code)
                start_worker()

    start_worker()
    watcher = threading.Thread(target=keep_worker, name="matcher-worker-watch", daemon=True)
    watcher.start()
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    finally:
        stopping.set()
        watcher.join(5)
        child = current[0]
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
