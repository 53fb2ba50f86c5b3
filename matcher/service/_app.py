"""The FastAPI application: health, synchronous runs, jobs and stored programmes."""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

import matcher
from matcher.service._deps import (
    RUN_BODY,
    AppDep,
    AppState,
    Tenant,
    job_info,
    job_item,
    options_of,
    read_run,
)
from matcher.service._errors import (
    ApiError,
    BodyTooLargeError,
    install_handlers,
    problem_response,
)
from matcher.service._models import JobCreated, JobInfo, JobListItem, ProblemDetails
from matcher.service._programs import router as programs_router
from matcher.service._run import check, execute, result_json, size_of, write_inputs
from matcher.service._settings import Settings
from matcher.service._store import Store
from matcher.service._web import router as web_router
from matcher.service._worker import make_queue

__all__ = ["create_app"]

log = logging.getLogger(__name__)

#: The files a job may offer, as the CLI writes them.
FILE_NAMES = (
    "pairs.csv",
    "unmatched.csv",
    "summary.json",
    "report.html",
    "pairs.xlsx",
    "suggestions.csv",
    "changes.csv",
)
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ProblemDetails, "content": {"application/problem+json": {}}}
    for code in (401, 404, 409, 413, 422)
}

sync = APIRouter(prefix="/v1", tags=["sync"])
jobs = APIRouter(prefix="/v1/jobs", tags=["jobs"])
health = APIRouter(tags=["health"])


@health.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health.get("/readyz", responses={503: {"model": ProblemDetails}})
def readyz(app: AppDep) -> Response:
    try:
        app.store.ping()
        app.huey.pending_count()
    except Exception as exc:
        log.warning("not ready: %s", type(exc).__name__)
        return problem_response(
            503, f"the database or the queue does not answer ({type(exc).__name__})"
        )
    return JSONResponse({"status": "ready"})


# -- synchronous runs ------------------------------------------------------------------------


async def _sync_run(kind: str, request: Request, app: AppState) -> dict[str, Any]:
    body, inputs = await read_run(request)
    options = options_of(body)
    tmp_root = app.settings.data_dir / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)

    def work() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(dir=tmp_root, prefix="sync.") as tmp:
            paths = write_inputs(Path(tmp), inputs)
            size = size_of(kind, paths)
            if size > app.settings.sync_max_pairs:
                raise ApiError(
                    413,
                    f"this problem has {size:,} {'edges' if kind == 'solve' else 'pairs'}, "
                    f"above the synchronous limit of {app.settings.sync_max_pairs:,}: submit it "
                    f"as a job with POST /v1/jobs (kind={kind})",
                )
            started = time.perf_counter()
            result, _ = execute(kind, paths, options)
            log.info(
                "sync %s: %d pairs in %.3f s",
                kind,
                len(result.pairs),
                time.perf_counter() - started,
            )
            return result_json(result)

    return await run_in_threadpool(work)


def _sync_route(kind: str) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def route(request: Request, app: AppDep, _tenant: Tenant) -> dict[str, Any]:
        return await _sync_run(kind, request, app)

    route.__name__ = f"sync_{kind}"
    route.__doc__ = (
        f"Run `{kind}` now and answer with the result JSON (pairs, unmatched, summary); "
        "413 above the synchronous limit (use jobs)."
    )
    return route


for _kind in ("match", "suggest", "solve"):
    sync.add_api_route(
        f"/{_kind}",
        _sync_route(_kind),
        methods=["POST"],
        openapi_extra=RUN_BODY,
        responses=ERRORS,
        summary=f"{_kind} (synchronous)",
    )


@sync.post("/validate", openapi_extra=RUN_BODY, responses=ERRORS, summary="validate inputs")
async def validate(request: Request, app: AppDep, _tenant: Tenant) -> dict[str, Any]:
    """Check a run's inputs without running it: 422 with every problem at once, else 200 with
    the counts, each person's region (ids and regions only) and the settings in force."""
    body, inputs = await read_run(request)
    options = options_of(body)
    tmp_root = app.settings.data_dir / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)

    def work() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(dir=tmp_root, prefix="check.") as tmp:
            found = check(write_inputs(Path(tmp), inputs), options)
        log.info("validate: %d mentors, %d mentees OK", found["mentors"], found["mentees"])
        return found

    return await run_in_threadpool(work)


# -- jobs ------------------------------------------------------------------------------------


def _check_inputs(app: AppState, inputs: Mapping[str, bytes], options: Mapping[str, Any]) -> None:
    """Raise the located problems of a run's inputs, as ``POST /v1/validate`` finds them."""
    tmp_root = app.settings.data_dir / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp_root, prefix="check.") as tmp:
        check(write_inputs(Path(tmp), inputs), options)


def _own(app: AppState, job_id: str, who: str) -> Any:
    job = app.store.get(job_id, who)
    if job is None:
        raise ApiError(404, f"no job {job_id!r}")
    return job


@jobs.post("", status_code=202, response_model=JobCreated, openapi_extra=RUN_BODY, responses=ERRORS)
async def submit_job(
    request: Request,
    response: Response,
    app: AppDep,
    who: Tenant,
) -> JobCreated:
    """Queue a run (``kind`` = match, suggest or solve) with JSON or multipart inputs."""
    body, inputs = await read_run(request)
    if body.kind is None:
        raise ApiError(
            422,
            "kind is required",
            problems=[
                {"column": "kind", "message": "missing", "expected": "match, suggest or solve"}
            ],
        )
    needed = ("edges",) if body.kind == "solve" else ("mentees",)
    missing = [r for r in needed if not any(k.startswith(f"{r}/") for k in inputs)]
    if missing:
        raise ApiError(
            422,
            "inputs missing",
            problems=[
                {"column": r, "message": f"no {r} given", "expected": "a file upload or JSON field"}
                for r in missing
            ],
        )
    options = options_of(body)
    if body.kind != "solve":
        # bad profiles or config are refused now (422, every problem at once), not queued to fail
        await run_in_threadpool(_check_inputs, app, inputs, options)
    if app.settings.job_time_limit_s is not None:
        options["time_limit_s"] = app.settings.job_time_limit_s
    job_id = await run_in_threadpool(app.store.submit, who, body.kind, options, inputs)
    await run_in_threadpool(app.task, job_id)
    log.info("job %s queued (%s, %d input files)", job_id, body.kind, len(inputs))
    response.headers["Location"] = f"/v1/jobs/{job_id}"
    return JobCreated(id=job_id, status="queued")


@jobs.get("", response_model=list[JobListItem], responses=ERRORS)
def list_jobs(app: AppDep, who: Tenant) -> list[JobListItem]:
    """The caller's jobs: ids, kinds, statuses and times."""
    return [job_item(j) for j in app.store.jobs(who)]


@jobs.get("/{job_id}", response_model=JobInfo, responses=ERRORS)
def get_job(job_id: str, app: AppDep, who: Tenant) -> JobInfo:
    job = _own(app, job_id, who)
    return job_info(job, app.store.job_file_names(job_id) if job.status == "succeeded" else [])


@jobs.get(
    "/{job_id}/events",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}},
    response_class=StreamingResponse,
)
async def job_events(job_id: str, app: AppDep, who: Tenant) -> StreamingResponse:
    """Server-sent events: the job object each time it changes, until the job ends."""
    await run_in_threadpool(_own, app, job_id, who)

    async def stream() -> AsyncIterator[bytes]:
        last = None
        quiet = 0.0
        while True:
            job = await run_in_threadpool(app.store.get, job_id, who)
            if job is None:
                yield b'event: end\ndata: {"status": "deleted"}\n\n'
                return
            names = (
                await run_in_threadpool(app.store.job_file_names, job_id)
                if job.status == "succeeded"
                else []
            )
            info = job_info(job, names).model_dump_json()  # as GET /v1/jobs/{id} says it
            if info != last:
                event = "end" if job.done else "progress"
                yield f"event: {event}\ndata: {info}\n\n".encode()
                last = info
                quiet = 0.0
            if job.done:
                return
            await asyncio.sleep(0.25)
            quiet += 0.25
            if quiet >= 15:
                yield b": keep-alive\n\n"
                quiet = 0.0

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


@jobs.get("/{job_id}/result", responses=ERRORS)
def job_result(job_id: str, app: AppDep, who: Tenant) -> Response:
    """The result JSON (409 until the job has succeeded)."""
    job = _own(app, job_id, who)
    if job.status != "succeeded":
        raise ApiError(409, f"the job is {job.status}; its result exists once it has succeeded")
    data = app.store.job_file(job_id, "result.json") or b"{}"
    return Response(data, media_type="application/json")


@jobs.get("/{job_id}/files/{name}", responses=ERRORS)
def job_file(job_id: str, name: str, app: AppDep, who: Tenant) -> Response:
    """One output file as the CLI writes it, byte for byte."""
    job = _own(app, job_id, who)
    if name not in FILE_NAMES:
        raise ApiError(404, f"no file {name!r}; files are " + ", ".join(FILE_NAMES))
    if job.status != "succeeded":
        raise ApiError(409, f"the job is {job.status}; files exist once it has succeeded")
    data = app.store.job_file(job_id, name)
    if data is None:
        raise ApiError(404, f"this job wrote no {name}")
    media = {
        ".csv": "text/csv; charset=utf-8",
        ".json": "application/json",
        ".html": "text/html; charset=utf-8",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[Path(name).suffix]
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@jobs.post("/{job_id}/cancel", response_model=JobInfo, responses=ERRORS)
async def cancel_job(job_id: str, app: AppDep, who: Tenant) -> JobInfo:
    """A queued or running job becomes ``cancelled`` (a running one within 2 s)."""
    job = await run_in_threadpool(_own, app, job_id, who)
    if job.done:
        raise ApiError(409, f"the job has already ended ({job.status})")
    await run_in_threadpool(app.store.request_cancel, job_id)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        job = await run_in_threadpool(_own, app, job_id, who)
        if job.done:
            break
        await asyncio.sleep(0.05)
    return job_info(job)


@jobs.post("/{job_id}/retry", status_code=202, response_model=JobCreated, responses=ERRORS)
async def retry_job(job_id: str, response: Response, app: AppDep, who: Tenant) -> JobCreated:
    """Run a failed, cancelled or interrupted job again, under a new id."""
    job = await run_in_threadpool(_own, app, job_id, who)
    if job.status not in ("failed", "cancelled", "interrupted"):
        raise ApiError(
            409,
            f"only a failed, cancelled or interrupted job can be retried; this one is {job.status}",
        )
    inputs = await run_in_threadpool(app.store.job_inputs, job_id)
    new_id = await run_in_threadpool(
        lambda: app.store.submit(who, job.kind, job.options, inputs, retry_of=job_id)
    )
    await run_in_threadpool(app.task, new_id)
    log.info("job %s queued as a retry of %s", new_id, job_id)
    response.headers["Location"] = f"/v1/jobs/{new_id}"
    return JobCreated(id=new_id, status="queued")


@jobs.delete("/{job_id}", status_code=204, responses=ERRORS)
async def delete_job(job_id: str, app: AppDep, who: Tenant) -> Response:
    """Cancel the job if needed and delete its inputs and results."""
    job = await run_in_threadpool(_own, app, job_id, who)
    if not job.done:
        await run_in_threadpool(app.store.request_cancel, job_id)
    await run_in_threadpool(app.store.delete, job_id)
    log.info("job %s deleted", job_id)
    return Response(status_code=204)


# -- the application -------------------------------------------------------------------------


class _BodyLimit:
    """413 for a request body above ``MATCHER_MAX_BODY_MB`` (declared or streamed)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_big = problem_response(
            413,
            f"the request body is above the limit of {self.limit / 1e6:g} MB (MATCHER_MAX_BODY_MB)",
        )
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await too_big(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLargeError
            return message

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except BodyTooLargeError:
            if not started:
                await too_big(scope, receive, send)


def _housekeeping(app: AppState, stop: threading.Event) -> None:
    """Mark jobs interrupted when their heartbeats stop; purge after the retention period."""
    last_purge = 0.0
    while not stop.wait(1.0):
        try:
            reaped = app.store.reap(app.settings.heartbeat_timeout_s)
            if reaped:
                log.warning(
                    "%d jobs interrupted (no heartbeat): %s", len(reaped), ", ".join(reaped)
                )
            if time.monotonic() - last_purge > 600:
                gone = app.store.purge(app.settings.retention_days * 86400)
                if gone:
                    log.info(
                        "retention: deleted %d jobs older than %g days",
                        gone,
                        app.settings.retention_days,
                    )
                unused = app.store.purge_programs(app.settings.retention_days * 86400)
                if unused:
                    with app.pool_lock:
                        for key in unused:
                            app.pools.pop(key, None)
                            app.used.pop(key, None)
                    log.info(
                        "retention: deleted %d programmes unused for %g days",
                        len(unused),
                        app.settings.retention_days,
                    )
                last_purge = time.monotonic()
        except Exception as exc:  # the database may be restarting: try again next second
            log.warning("housekeeping failed: %s", type(exc).__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service as an ASGI application (``uvicorn matcher.service:app`` or ``matcher serve``)."""
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.db_url())
    huey, task = make_queue(settings)
    app_state = AppState(settings, store, task, huey, settings.tokens())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.info(
            "matcher service %s: %s",
            matcher.__version__,
            json.dumps(settings.public(), sort_keys=True),
        )
        stop = threading.Event()
        thread = threading.Thread(
            target=_housekeeping, args=(app_state, stop), name="matcher-housekeeping", daemon=True
        )
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(5)
            store.dispose()

    app = FastAPI(
        title="matcher",
        version=matcher.__version__,
        description="Mentor–mentee matching as a service: synchronous runs, jobs on a task "
        "queue, and real-time suggestions from stored programmes. Errors are "
        "application/problem+json.",
        lifespan=lifespan,
    )
    app.state.matcher = app_state
    install_handlers(app)
    app.include_router(health)
    app.include_router(sync)
    app.include_router(jobs)
    app.include_router(programs_router)
    app.include_router(web_router)
    app.add_middleware(_BodyLimit, limit=int(settings.max_body_mb * 1_000_000))
    return app
