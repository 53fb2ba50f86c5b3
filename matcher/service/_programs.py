"""Stored programmes for real-time routing: a thin layer over :class:`matcher.MentorPool`."""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

import matcher
from matcher.service._deps import AppDep, AppState, Tenant, profiles_csv
from matcher.service._errors import ApiError
from matcher.service._models import (
    PairIn,
    ProblemDetails,
    ProgramIn,
    ProgramInfo,
    ProgramMentor,
    SuggestIn,
    Suggestion,
    SuggestOut,
)
from matcher.service._run import write_inputs

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/programs", tags=["programs"])

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ProblemDetails, "content": {"application/problem+json": {}}}
    for code in (401, 404, 409, 413, 422)
}

PROGRAM_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ProgramIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "mentors": {"type": "string", "format": "binary"},
                        "config": {"type": "string", "format": "binary"},
                        "current": {"type": "string", "format": "binary"},
                    },
                    "required": ["mentors"],
                }
            },
        },
    }
}


def _build(
    app: AppState, inputs: dict[str, bytes], pairs: list[tuple[str, str]]
) -> tuple[matcher.MentorPool, list[tuple[str, str]]]:
    with tempfile.TemporaryDirectory(dir=app.settings.data_dir / "tmp", prefix="program.") as t:
        paths = write_inputs(Path(t), inputs)
        if "mentors" not in paths:
            raise ApiError(
                422,
                "no mentors given",
                problems=[
                    {"column": "mentors", "message": "missing", "expected": "a file or JSON list"}
                ],
            )
        config: Any = None
        if "config" in paths:
            cfg_path = paths["config"]
            if cfg_path.suffix == ".json":
                config = json.loads(cfg_path.read_text("utf-8"))
            else:
                config = cfg_path
        if "current" in paths:
            _kind, rows = matcher.io.read_pairs(paths["current"], optional=("status",))
            pairs = pairs + [(r.mentee_id, r.mentor_id) for r in rows]
        return matcher.MentorPool(paths["mentors"], config=config, current=pairs), pairs


def _pool(app: AppState, who: str, pid: str) -> matcher.MentorPool:
    version = app.store.program_version(who, pid)
    if version is None:
        raise ApiError(404, f"no programme {pid!r}")
    key = (who, pid)
    with app.pool_lock:
        cached = app.pools.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
    inputs = app.store.program_inputs(who, pid)
    pool, _ = _build(app, inputs, app.store.program_pairs(who, pid))
    with app.pool_lock:
        app.pools[key] = (version, pool)
    return pool


#: A suggestion records the programme's use (for retention) at most this often, in seconds.
USE_EVERY_S = 3600.0


def _used(app: AppState, who: str, pid: str) -> None:
    """Retention counts from a programme's last use; one write an hour is precise enough."""
    now = time.monotonic()
    if now - app.used.get((who, pid), -USE_EVERY_S) >= USE_EVERY_S:
        app.used[(who, pid)] = now
        app.store.touch_program(who, pid)


def _info(pid: str, version: int, pool: matcher.MentorPool) -> ProgramInfo:
    loads = pool.loads()
    per = [ProgramMentor(id=m.id, capacity=m.capacity, load=loads[m.id]) for m in pool.mentors]
    return ProgramInfo(
        id=pid,
        mentors=len(per),
        capacity=sum(p.capacity for p in per),
        load=sum(p.load for p in per),
        pairs=len(pool.pairs),
        version=version,
        per_mentor=per,
    )


@router.put("/{pid}", response_model=ProgramInfo, openapi_extra=PROGRAM_BODY, responses=ERRORS)
async def put_program(pid: str, request: Request, app: AppDep, who: Tenant) -> ProgramInfo:
    """Store (or replace) a programme: mentors, config and current pairs."""
    if not pid or len(pid) > 200:
        raise ApiError(422, "invalid programme id")
    ctype = request.headers.get("content-type", "")
    inputs: dict[str, bytes] = {}
    pairs: list[tuple[str, str]] = []
    if ctype.startswith("multipart/form-data"):
        form = await request.form(max_files=4, max_fields=8)
        for key, value in form.multi_items():
            if isinstance(value, str) or key not in ("mentors", "config", "current"):
                continue
            name = Path((value.filename or key).replace("\\", "/")).name or key
            inputs[f"{key}/{name}"] = await value.read()
    else:
        try:
            body = ProgramIn.model_validate(await request.json())
        except ValueError as exc:
            if isinstance(exc, ValidationError):
                from fastapi.exceptions import RequestValidationError

                raise RequestValidationError(exc.errors()) from None
            raise ApiError(400, "the body is not valid JSON") from None
        inputs["mentors/mentors.csv"] = profiles_csv(body.mentors)
        if body.config is not None:
            inputs["config/program.json"] = json.dumps(body.config).encode()
        for pair in body.pairs:
            if len(pair) != 2:
                raise ApiError(422, "a pair is [mentee_id, mentor_id]")
            pairs.append((pair[0], pair[1]))
    (app.settings.data_dir / "tmp").mkdir(parents=True, exist_ok=True)
    pool, pairs = await run_in_threadpool(_build, app, inputs, pairs)
    for key in [k for k in inputs if k.startswith("current/")]:
        del inputs[key]  # stored as pairs instead, which change as pairs are recorded
    version = await run_in_threadpool(app.store.put_program, who, pid, inputs, pairs)
    with app.pool_lock:
        app.pools[(who, pid)] = (version, pool)
    log.info("programme stored: %d mentors, %d pairs", len(pool.mentors), len(pairs))
    return _info(pid, version, pool)


@router.get("/{pid}", response_model=ProgramInfo, responses=ERRORS)
def get_program(pid: str, app: AppDep, who: Tenant) -> ProgramInfo:
    """Counts, capacities and loads (ids only)."""
    pool = _pool(app, who, pid)
    return _info(pid, app.store.program_version(who, pid) or 0, pool)


@router.post("/{pid}/suggest", response_model=SuggestOut, responses=ERRORS)
def suggest(pid: str, body: SuggestIn, app: AppDep, who: Tenant) -> SuggestOut:
    """The ``top`` best mentors with a place left for one newcomer, with scores and reasons."""
    started = time.perf_counter()
    pool = _pool(app, who, pid)
    found = pool.suggest(body.mentee, top=body.top)
    _used(app, who, pid)
    loads = {p.mentor_id: pool.load(p.mentor_id) for p in found}
    return SuggestOut(
        mentee_id=str(body.mentee.get("id", "")),
        suggestions=[
            Suggestion(
                rank=p.rank or k,
                mentor_id=p.mentor_id,
                score=round(p.score, 6),
                reasons=p.reasons,
                criteria={c: (None if v is None else round(v, 6)) for c, v in p.criteria.items()},
                load=loads[p.mentor_id],
                capacity=pool.capacity(p.mentor_id),
            )
            for k, p in enumerate(found, start=1)
        ],
        elapsed_ms=round(1000 * (time.perf_counter() - started), 3),
    )


@router.post("/{pid}/pairs", status_code=201, response_model=ProgramInfo, responses=ERRORS)
def add_pair(pid: str, body: PairIn, app: AppDep, who: Tenant) -> ProgramInfo:
    """Record an accepted pair: the mentor's load rises (409 at capacity)."""
    pool = _pool(app, who, pid)
    with app.pool_lock:
        pool.assign(body.mentee_id, body.mentor_id)
        app.store.add_program_pair(who, pid, body.mentee_id, body.mentor_id)
    return _info(pid, app.store.program_version(who, pid) or 0, pool)


@router.delete("/{pid}/pairs/{mentee_id}/{mentor_id}", status_code=204, responses=ERRORS)
def remove_pair(
    pid: str,
    mentee_id: str,
    mentor_id: str,
    app: AppDep,
    who: Tenant,
) -> Response:
    """End a pair: the mentor's load falls."""
    pool = _pool(app, who, pid)
    with app.pool_lock:
        if (mentee_id, mentor_id) not in set(pool.pairs):
            raise ApiError(404, "no such pair in this programme")
        pool.release(mentee_id, mentor_id)
        app.store.remove_program_pair(who, pid, mentee_id, mentor_id)
    return Response(status_code=204)


@router.delete("/{pid}", status_code=204, responses=ERRORS)
def delete_program(pid: str, app: AppDep, who: Tenant) -> Response:
    """Delete the programme and everything stored about it."""
    if not app.store.delete_program(who, pid):
        raise ApiError(404, f"no programme {pid!r}")
    with app.pool_lock:
        app.pools.pop((who, pid), None)
        app.used.pop((who, pid), None)
    return Response(status_code=204)
