"""Shared state and dependencies: settings, the store, the queue and the caller's tenant."""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

import matcher
from matcher.io import csv_bytes, json_cell
from matcher.service._errors import ApiError, BodyTooLargeError
from matcher.service._models import JobInfo, JobListItem, Progress, RunRequest
from matcher.service._run import FILE_ROLES, JSON_NAMES
from matcher.service._session import COOKIE, CSRF_HEADER, Session, read_session, same
from matcher.service._settings import Settings, check_token
from matcher.service._store import JobView, Store

__all__ = ["AppDep", "AppState", "Tenant", "job_info", "job_item", "read_run", "state", "tenant"]

_bearer = HTTPBearer(auto_error=False, description="MATCHER_TOKEN or a MATCHER_TOKENS_FILE token")


@dataclass
class AppState:
    settings: Settings
    store: Store
    task: Any  # the huey task: task(job_id) enqueues
    huey: Any
    tokens: dict[str, str]
    pools: dict[tuple[str, str], tuple[int, matcher.MentorPool]] = field(default_factory=dict)
    pool_lock: threading.Lock = field(default_factory=threading.Lock)
    #: (tenant, pid) -> when a suggestion last recorded the programme's use (time.monotonic)
    used: dict[tuple[str, str], float] = field(default_factory=dict)
    #: signs the web page's sessions when the service has no token (a key of this process)
    web_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def session_keys(self) -> dict[bytes, str]:
        """The keys that sign web sessions: each bearer token (-> its tenant), else our own."""
        if not self.tokens:
            return {self.web_key: "default"}
        return {token.encode(): owner for token, owner in self.tokens.items()}

    def session(self, request: Request) -> Session | None:
        """The web page's session carried by the request's cookie, if valid."""
        return read_session(self.session_keys(), request.cookies.get(COOKIE))


def state(request: Request) -> AppState:
    got: AppState = request.app.state.matcher
    return got


_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def tenant(
    request: Request,
    app: Annotated[AppState, Depends(state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The caller's tenant from its bearer token ('default' when the service has no token).

    The web page's session cookie stands for the token; a request that changes something
    with the cookie alone must also carry the session's CSRF token in ``X-CSRF-Token``.
    """
    if not app.tokens:
        return "default"
    if (credentials is None or not credentials.credentials) and COOKIE in request.cookies:
        session = app.session(request)
        if session is None:
            raise ApiError(401, "the session has expired: sign in again")
        if request.method not in _SAFE_METHODS and not same(
            session.csrf, request.headers.get(CSRF_HEADER)
        ):
            raise ApiError(403, "the CSRF token is missing or wrong: reload the page")
        return session.tenant
    if credentials is None or not credentials.credentials:
        raise ApiError(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    found = check_token(app.tokens, credentials.credentials.strip())
    if found is None:
        raise ApiError(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    return found


AppDep = Annotated[AppState, Depends(state)]
Tenant = Annotated[str, Depends(tenant)]


def _iso(t: float | None) -> str | None:
    if t is None:
        return None
    return _dt.datetime.fromtimestamp(t, _dt.UTC).isoformat(timespec="milliseconds")


def job_info(job: JobView, files: list[str] | None = None) -> JobInfo:
    return JobInfo(
        id=job.id,
        kind=job.kind,
        status=job.status,
        progress=Progress(phase=job.phase, fraction=round(job.fraction, 4)),
        created=_iso(job.created) or "",
        started=_iso(job.started),
        finished=_iso(job.finished),
        error=job.error,
        summary=job.summary,
        retry_of=job.retry_of,
        files=[f for f in files or [] if f != "result.json"],
    )


def job_item(job: JobView) -> JobListItem:
    return JobListItem(
        id=job.id,
        kind=job.kind,
        status=job.status,
        created=_iso(job.created) or "",
        started=_iso(job.started),
        finished=_iso(job.finished),
    )


OPTION_FIELDS = ("kind", "method", "seed", "min_score", "top", "excel", "delimiter")
#: Form fields that are not run options: the web page's CSRF token.
FORM_ONLY_FIELDS = ("csrf",)


def _safe_name(filename: str | None, role: str) -> str:
    name = Path((filename or "").replace("\\", "/")).name.strip()
    if not name or name in (".", "..") or len(name) > 200:
        return JSON_NAMES[role]
    return name


def _rows_csv(header: list[str], rows: list[list[str]]) -> bytes:
    return csv_bytes(header, rows, safe=False)


def profiles_csv(people: list[dict[str, Any]]) -> bytes:
    """JSON profiles as a CSV export (canonical columns), read then by the same io code."""
    header: list[str] = []
    for person in people:
        for key in person:
            if key not in header:
                header.append(str(key))
    return _rows_csv(header, [[json_cell(p.get(k)) for k in header] for p in people])


def _inputs_from_json(body: RunRequest) -> dict[str, bytes]:
    inputs: dict[str, bytes] = {}
    if body.mentors is not None:
        inputs["mentors/mentors.csv"] = profiles_csv(body.mentors)
    if body.mentees is not None:
        inputs["mentees/mentees.csv"] = profiles_csv(body.mentees)
    if body.config is not None:
        inputs["config/program.json"] = json.dumps(body.config).encode()
    for role in ("pinned", "forbidden"):
        pairs = getattr(body, role)
        if pairs is not None:
            inputs[f"{role}/{role}.csv"] = _rows_csv(["mentee_id", "mentor_id"], pairs)
    if body.current is not None:
        header = ["mentee_id", "mentor_id", "status"]
        rows = [[*r, "active"][:3] if len(r) == 2 else r[:3] for r in body.current]
        inputs["current/current.csv"] = _rows_csv(header, rows)
    if body.edges is not None:
        cols = ["mentee_id", "mentor_id", "score", "mentee_rank", "mentor_rank"]
        rows_e: list[list[str]] = []
        ranked = False
        for edge in body.edges:
            if isinstance(edge, dict):
                values = [json_cell(edge.get(c)) for c in cols]
            else:
                values = [json_cell(v) for v in edge] + [""] * (5 - len(edge))
            ranked = ranked or any(values[3:5])
            rows_e.append(values[:5])
        width = 5 if ranked else 3
        inputs["edges/edges.csv"] = _rows_csv(cols[:width], [r[:width] for r in rows_e])
    if body.capacities is not None:
        inputs["capacities/capacities.csv"] = _rows_csv(
            ["id", "capacity"], [[k, str(v)] for k, v in body.capacities.items()]
        )
    return inputs


async def read_run(request: Request) -> tuple[RunRequest, dict[str, bytes]]:
    """A run's options and input files from a JSON body or a multipart upload."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=16, max_fields=64)
        except BodyTooLargeError:
            raise
        except Exception as exc:  # malformed multipart
            raise ApiError(
                400, f"could not read the multipart body ({type(exc).__name__})"
            ) from None
        inputs: dict[str, bytes] = {}
        fields: dict[str, Any] = {}
        unknown: list[str] = []
        for key, value in form.multi_items():
            if isinstance(value, str):
                if key in OPTION_FIELDS:
                    fields[key] = value
                elif key in FILE_ROLES:
                    raise ApiError(
                        422,
                        f"'{key}' must be a file upload",
                        problems=[{"column": key, "message": "expected a file upload"}],
                    )
                elif key not in FORM_ONLY_FIELDS:  # a typo must not run other settings
                    unknown.append(key)
                continue
            if key not in FILE_ROLES:
                raise ApiError(
                    422,
                    f"unknown file field '{key}'",
                    problems=[
                        {
                            "column": key,
                            "message": "unknown file field",
                            "expected": "one of " + ", ".join(FILE_ROLES),
                        }
                    ],
                )
            name = _safe_name(value.filename, key)
            inputs[f"{key}/{name}"] = await value.read()
        if unknown:
            expected = "one of " + ", ".join(OPTION_FIELDS + FILE_ROLES)
            raise ApiError(
                422,
                "unknown form field"
                + ("s " if len(unknown) > 1 else " ")
                + ", ".join(f"'{k}'" for k in unknown),
                problems=[
                    {
                        "column": k,
                        "message": "unknown form field"
                        + (f" (did you mean '{near[0]}'?)" if near else ""),
                        "expected": expected,
                    }
                    for k in unknown
                    for near in [difflib.get_close_matches(k, OPTION_FIELDS + FILE_ROLES, 1)]
                ],
            )
        if fields.get("excel") is not None:
            fields["excel"] = str(fields["excel"]).lower() in ("1", "true", "yes", "on")
        for key in ("seed", "top", "min_score"):
            if fields.get(key) == "":
                fields.pop(key)
        from pydantic import ValidationError

        try:
            options = RunRequest.model_validate(fields)
        except ValidationError as exc:
            from fastapi.exceptions import RequestValidationError

            raise RequestValidationError(exc.errors()) from None
        return options, inputs
    if ctype and not ctype.startswith("application/json"):
        raise ApiError(415, "send application/json or multipart/form-data")
    try:
        data = await request.json()
    except ValueError:
        raise ApiError(
            400,
            "the body is not valid JSON",
            problems=[{"message": "not valid JSON", "expected": "a JSON object"}],
        ) from None
    from pydantic import ValidationError

    try:
        body = RunRequest.model_validate(data)
    except ValidationError as exc:
        from fastapi.exceptions import RequestValidationError

        raise RequestValidationError(exc.errors()) from None
    return body, _inputs_from_json(body)


def options_of(body: RunRequest) -> dict[str, Any]:
    """The run options kept with a job (no profile content)."""
    return {
        k: getattr(body, k)
        for k in ("method", "seed", "min_score", "top", "excel", "delimiter")
        if getattr(body, k) is not None
    }


RUN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": RunRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        **{role: {"type": "string", "format": "binary"} for role in FILE_ROLES},
                        **{name: {"type": "string"} for name in OPTION_FIELDS},
                    },
                }
            },
        },
    }
}
