"""Job workers: a huey consumer whose task supervises each run in a child process.

The child process runs the public API and records progress and the result in the store; the
worker process beside it sends heartbeats, and kills the child on a cancel request or when the
job's time limit passes, so a long solve never holds a worker that was told to stop.  A child
dies with its worker (``PR_SET_PDEATHSIG`` on Linux), and a job whose worker died is marked
``interrupted`` by :meth:`Store.reap` once its heartbeats stop.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import matcher
from matcher.service._run import execute, problem_dicts, result_json, write_inputs
from matcher.service._settings import Settings
from matcher.service._store import Store

__all__ = ["TASK_NAME", "make_queue", "run_worker"]

log = logging.getLogger(__name__)

TASK_NAME = "matcher.run_job"

#: Set in a worker process by :func:`run_worker`.
_STATE: dict[str, Any] = {}


def make_queue(settings: Settings) -> tuple[Any, Any]:
    """The huey instance for the settings' queue and its one task, ``run_job(job_id)``."""
    from huey import RedisHuey, SqliteHuey

    url = settings.queue_url()
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey("matcher", url=url, results=False)
    else:
        path = url.removeprefix("sqlite:///")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("matcher", filename=path, results=False)
    task = huey.task(name=TASK_NAME)(_run_job)
    return huey, task


def _run_job(job_id: str) -> None:
    """The huey task: run one job under supervision (in a worker process)."""
    store: Store = _STATE["store"]
    settings: Settings = _STATE["settings"]
    supervise(store, settings, job_id)


def _process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:"


def _worker_name() -> str:
    return f"{_process_name()}{threading.get_ident()}"


def supervise(store: Store, settings: Settings, job_id: str) -> None:
    """Claim ``job_id``, run it in a child process, and watch it to the end."""
    if not store.claim(job_id, _worker_name()):
        return  # cancelled, deleted, or already taken by another worker
    job = store.get(job_id)
    if job is None:
        return
    log.info("job %s (%s) started", job_id, job.kind)
    started = time.monotonic()
    limit = settings.job_time_limit_s
    running: set[str] = _STATE.setdefault("running", set())
    running.add(job_id)
    ctx = multiprocessing.get_context("forkserver")
    child = ctx.Process(
        target=child_main,
        args=(settings.db_url(), job_id, str(settings.data_dir / "tmp"), os.getpid()),
        name=f"matcher-job-{job_id}",
        daemon=True,
    )
    child.start()
    children: dict[str, Any] = _STATE.setdefault("children", {})
    children[job_id] = child
    beat = 0.0
    try:
        while True:
            child.join(settings.poll_s)
            if not child.is_alive():
                break
            now = time.monotonic()
            if now - beat >= settings.heartbeat_s:
                store.heartbeat(job_id)
                beat = now
            if store.cancel_requested(job_id):
                # recorded first (the run can no longer record a result), then stopped at once
                store.finish(job_id, "cancelled", error={"message": "cancelled while running"})
                _kill(child)
                log.info("job %s cancelled after %.2f s", job_id, time.monotonic() - started)
                return
            # groups and the certified sparse path of optimal get the limit as their own time
            # budget and stop in time with their best (a round under way ends first)
            grace = 10.0 if job.options.get("method") in ("groups", "optimal", None) else 0.0
            if limit is not None and now - started > limit + grace:
                _kill(child)
                store.finish(
                    job_id,
                    "failed",
                    error={
                        "title": "time limit exceeded",
                        "message": f"the job ran longer than the time limit of {limit:g} s "
                        "(MATCHER_JOB_TIME_LIMIT_S) and was stopped; method "
                        f"{job.options.get('method') or job.kind!r} cannot return a partial "
                        "result (method 'groups' and the certified sparse path of 'optimal' "
                        "return their best found within the limit)",
                    },
                )
                log.info("job %s stopped at the time limit", job_id)
                return
    finally:
        running.discard(job_id)
        children.pop(job_id, None)
        if child.is_alive():
            _kill(child)
    if child.exitcode != 0:
        store.finish(
            job_id,
            "failed",
            error={
                "title": "internal error",
                "message": f"the run stopped unexpectedly (exit code {child.exitcode})",
            },
        )
        log.warning("job %s: run stopped with exit code %s", job_id, child.exitcode)
    else:
        log.info("job %s finished in %.2f s", job_id, time.monotonic() - started)


def _kill(child: Any) -> None:
    child.kill()
    child.join(5)


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Linux: this process gets ``sig`` when the process that started it dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, sig)  # PR_SET_PDEATHSIG


class _Progress:
    """The progress callback: records phase and fraction, at most a few times a second."""

    def __init__(self, store: Store, job_id: str) -> None:
        self.store = store
        self.job_id = job_id
        self.last = (None, -1.0, 0.0)

    def __call__(self, stage: str, fraction: float) -> None:
        now = time.monotonic()
        phase, _, when = self.last
        if stage == phase and now - when < 0.25:
            return
        self.last = (stage, fraction, now)  # type: ignore[assignment]
        self.store.progress(self.job_id, stage, float(fraction))


def _watch_worker(worker_pid: int) -> None:
    """End this run at once when the worker that started it is gone: the run's parent is the
    forkserver, which may outlive a killed worker, and a job whose worker died must be
    reported ``interrupted`` (by its missing heartbeat), never finish unwatched."""
    while True:
        try:
            os.kill(worker_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass
        time.sleep(0.2)


def child_main(db_url: str, job_id: str, tmp_root: str, worker_pid: int | None = None) -> None:
    """Run one job (in a child process of the worker) and record its end in the store."""
    die_with_parent()
    if worker_pid is not None:
        threading.Thread(target=_watch_worker, args=(worker_pid,), daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when to stop us
    store = Store(db_url)
    job = store.get(job_id)
    if job is None or job.status != "running":
        return
    Path(tmp_root).mkdir(parents=True, exist_ok=True)
    options = dict(job.options)
    with tempfile.TemporaryDirectory(dir=tmp_root, prefix=f"{job_id}.") as tmp:
        paths = write_inputs(Path(tmp), store.job_inputs(job_id))
        try:
            result, files = execute(job.kind, paths, options, _Progress(store, job_id), extras=True)
        except matcher.InvalidInputError as exc:
            store.finish(
                job_id,
                "failed",
                error={
                    "status": 422,
                    "title": "invalid input",
                    "message": f"{len(exc.problems)} problem(s) found in the input",
                    "problems": problem_dicts(exc.problems),
                },
            )
            log.info("job %s failed: %d input problems", job_id, len(exc.problems))
            return
        except matcher.InfeasibleError as exc:
            store.finish(
                job_id,
                "failed",
                error={
                    "status": 409,
                    "title": "infeasible constraints",
                    "message": "the hard constraints cannot all hold",
                    "problems": [{"message": r} for r in exc.reasons],
                },
            )
            return
        except Exception as exc:
            # the type only: a message or traceback may quote a profile value
            log.error("job %s: internal error (%s)", job_id, type(exc).__name__)
            store.finish(
                job_id,
                "failed",
                error={
                    "status": 500,
                    "title": "internal error",
                    "message": f"internal error ({type(exc).__name__}); please report it "
                    "with the job id",
                },
            )
            return
    import json

    data = result_json(result)
    outputs = dict(files)
    outputs["result.json"] = json.dumps(data, ensure_ascii=False).encode("utf-8")
    # the job record (status, listings, events) keeps figures only: equity names subgroups by
    # profile values, so it stays in the result and summary.json that only the caller reads
    figures = {k: v for k, v in data["summary"].items() if k != "equity"}
    store.finish(job_id, "succeeded", summary=figures, outputs=outputs)


def _heartbeats(store: Store, settings: Settings, running: set[str]) -> None:
    """Heartbeats of this process's running jobs, on their own thread: a supervisor busy
    starting a child process still counts as alive."""
    while True:
        time.sleep(settings.heartbeat_s)
        for job_id in list(running):
            try:
                store.heartbeat(job_id)
            except Exception as exc:  # the database may be restarting: try again
                log.warning("heartbeat failed: %s", type(exc).__name__)


def run_worker(settings: Settings, *, workers: int = 1) -> None:
    """Consume jobs until stopped (``matcher worker``); runs in the main thread."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.db_url())
    _STATE.update(store=store, settings=settings)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["matcher", "matcher.service._worker"])
    from multiprocessing import forkserver

    forkserver.ensure_running()  # the first job does not wait for the preload
    running: set[str] = _STATE.setdefault("running", set())
    threading.Thread(
        target=_heartbeats, args=(store, settings, running), name="matcher-heartbeat", daemon=True
    ).start()
    huey, task = make_queue(settings)
    reaped = store.reap(settings.heartbeat_timeout_s)
    if reaped:
        log.info("marked %d jobs interrupted (no heartbeat)", len(reaped))
    for job_id in store.queued_ids():  # also those queued on a queue that lost them (Redis)
        task(job_id)
    log.info("worker started: %d concurrent jobs, queue %s", workers, settings.public()["queue"])
    # an idle SQLite queue is polled at least every half second (Redis blocks on its list)
    consumer = huey.create_consumer(
        workers=workers, worker_type="thread", periodic=False, initial_delay=0.05, max_delay=0.5
    )
    try:
        consumer.run()
    finally:
        stopped = store.interrupt_worker(
            _process_name(),
            "the worker was stopped while running this job (service shutdown); "
            "retry the job to run it again",
        )
        if stopped:
            log.info("worker stopping: %d running jobs marked interrupted", len(stopped))
        for child in list(_STATE.get("children", {}).values()):
            _kill(child)
