"""Errors as ``application/problem+json``; never a stack trace in a response."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import matcher
from matcher.service._run import problem_dicts

__all__ = ["ApiError", "BodyTooLargeError", "install_handlers", "problem_response"]

log = logging.getLogger(__name__)

TITLES = {
    400: "bad request",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    409: "conflict",
    413: "too large",
    415: "unsupported media type",
    422: "invalid input",
    500: "internal error",
    503: "unavailable",
}


class BodyTooLargeError(Exception):
    """The request body passed MATCHER_MAX_BODY_MB while it was being read."""


class ApiError(Exception):
    """An error answered as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        problems: list[dict[str, Any]] | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.problems = problems or []
        self.title = title or TITLES.get(status, "error")
        self.headers = headers


def problem_response(
    status: int,
    detail: str,
    *,
    problems: list[dict[str, Any]] | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "error"),
        "status": status,
        "detail": detail,
        "problems": [
            {k: p.get(k) for k in ("file", "row", "column", "value", "expected")}
            | {"message": p.get("message") or ""}
            for p in problems or []
        ],
    }
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return problem_response(
            exc.status, exc.detail, problems=exc.problems, title=exc.title, headers=exc.headers
        )

    @app.exception_handler(matcher.InvalidInputError)
    async def _invalid(_: Request, exc: matcher.InvalidInputError) -> JSONResponse:
        return problem_response(
            422,
            f"{len(exc.problems)} problem(s) found in the input",
            problems=problem_dicts(exc.problems),
        )

    @app.exception_handler(matcher.InfeasibleError)
    async def _infeasible(_: Request, exc: matcher.InfeasibleError) -> JSONResponse:
        return problem_response(
            409,
            "the hard constraints cannot all hold",
            problems=[{"message": r} for r in exc.reasons],
            title="infeasible constraints",
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ()) if x != "body"]
            problems.append(
                {
                    "column": ".".join(loc) or None,
                    "message": str(err.get("msg", "invalid value")),
                    "expected": str(err.get("type", "")) or None,
                }
            )
        return problem_response(
            422, f"{len(problems)} problem(s) in the request", problems=problems
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.error(
            "internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__
        )
        return problem_response(500, "internal error; please report it with the time and route")
