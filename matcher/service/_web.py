"""The coordinators' web page (``GET /``): server-rendered templates and a little plain JavaScript.

The page calls the same routes a platform would (``/v1/validate``, ``/v1/jobs``, its events,
result and files); the session cookie stands for the bearer token, and every request that
changes something carries the session's CSRF token (a hidden field in forms, the
``X-CSRF-Token`` header from the script).  Every string is in ``i18n/en.json`` and
``i18n/fr.json``; the page follows the browser's Accept-Language, or the language chosen.
"""

from __future__ import annotations

import json
import logging
import secrets
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

import matcher
from matcher.service._deps import AppDep, AppState
from matcher.service._errors import ApiError
from matcher.service._session import (
    COOKIE,
    LOGIN_COOKIE,
    MAX_AGE_S,
    Session,
    new_session,
    same,
)
from matcher.service._settings import check_token

__all__ = ["LANGUAGES", "catalogue", "router"]

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
LANGUAGES = ("en", "fr")
LANG_COOKIE = "matcher_lang"
STATIC = {"web.js": "text/javascript; charset=utf-8", "web.css": "text/css; charset=utf-8"}
#: the page loads only its own script and style; nothing from elsewhere, no framing by others
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
#: the report in its frame: inline style and SVG only, no script, sandboxed
REPORT_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)
FILES = ("pairs.csv", "unmatched.csv", "pairs.xlsx", "report.html", "summary.json", "changes.csv")

router = APIRouter(include_in_schema=False)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every string of the page in ``lang`` (``en`` or ``fr``)."""
    data: dict[str, str] = json.loads((HERE / "i18n" / f"{lang}.json").read_text("utf-8"))
    return data


@cache
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _language(request: Request) -> str:
    """The chosen language (``?lang=``, then its cookie), else the browser's first we have."""
    for chosen in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if chosen in LANGUAGES:
            return str(chosen)
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, index, tag.strip().lower()[:2]))
    for _, _, code in sorted(ranked):
        if code in LANGUAGES:
            return code
    return "en"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _render(
    request: Request, name: str, lang: str, status: int = 200, **context: Any
) -> HTMLResponse:
    text = catalogue(lang)
    html = (
        _templates()
        .get_template(name)
        .render(t=text, lang=lang, languages=LANGUAGES, names=_names(), **context)
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 86400,
            samesite="strict",
            httponly=True,
            secure=_secure(request),
        )
    return response


@cache
def _names() -> dict[str, str]:
    return {lang: catalogue(lang)["lang_name"] for lang in LANGUAGES}


def _login_page(request: Request, lang: str, *, error: str | None, status: int) -> HTMLResponse:
    # before a session exists the login form is protected by a double-submit value
    value = secrets.token_urlsafe(24)
    response = _render(request, "login.html", lang, status, csrf=value, error=error)
    response.set_cookie(
        LOGIN_COOKIE,
        value,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    return response


def _set_session(request: Request, response: Response, session: Session) -> None:
    response.set_cookie(
        COOKIE,
        session.cookie,
        max_age=MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )


def _settings_view() -> dict[str, Any]:
    cfg = matcher.ProgramConfig()
    return {
        "methods": [m for m in matcher.METHODS if m != "suggest"],
        "method": cfg.method,
        "min_score": cfg.min_score,
        "criteria": [(name, c.weight, c.hard) for name, c in cfg.criteria.items()],
    }


@router.get("/", response_class=HTMLResponse)
def page(request: Request, app: AppDep) -> Response:
    """The page: the sign-in form without a session, else upload, check, run, review, download."""
    lang = _language(request)
    session = app.session(request)
    if session is None and app.tokens:
        return _login_page(request, lang, error=None, status=200)
    fresh = session is None
    if session is None:  # a service without tokens: a session of its own, no sign-in
        session = new_session(app.web_key, "default")
    response = _render(
        request,
        "index.html",
        lang,
        csrf=session.csrf,
        signed_in=bool(app.tokens),
        settings=_settings_view(),
        files=FILES,
        catalogue_json=json.dumps(catalogue(lang), ensure_ascii=False),
    )
    if fresh:
        _set_session(request, response, session)
    return response


@router.post("/login")
def login(
    request: Request,
    app: AppDep,
    token: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Exchange the bearer token typed in the form for a session cookie."""
    lang = _language(request)
    if not same(request.cookies.get(LOGIN_COOKIE, ""), csrf):
        log.info("web sign-in refused: CSRF value missing or wrong")
        return _login_page(request, lang, error=catalogue(lang)["form_expired"], status=403)
    tenant = check_token(app.tokens, token.strip()) if app.tokens else "default"
    if tenant is None:
        log.info("web sign-in refused: invalid token")
        return _login_page(request, lang, error=catalogue(lang)["login_failed"], status=401)
    key = token.strip().encode() if app.tokens else app.web_key
    response = RedirectResponse("/", status_code=303)
    _set_session(request, response, new_session(key, tenant))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    log.info("web sign-in: tenant %s", tenant)
    return response


@router.post("/logout")
def logout(request: Request, app: AppDep, csrf: Annotated[str, Form()] = "") -> Response:
    """End the session (the form carries the session's CSRF token)."""
    session = app.session(request)
    if session is None or not same(session.csrf, csrf):
        raise ApiError(403, "the CSRF token is missing or wrong: reload the page")
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _tenant_of(request: Request, app: AppState) -> str:
    session = app.session(request)
    if session is None and app.tokens:
        raise ApiError(401, "sign in first")
    return session.tenant if session is not None else "default"


@router.get("/web/jobs/{job_id}/report.html")
async def report_inline(job_id: str, request: Request, app: AppDep) -> Response:
    """A job's report.html shown in the page's frame (sandboxed: no script, nothing fetched)."""
    who = _tenant_of(request, app)
    job = await run_in_threadpool(app.store.get, job_id, who)
    if job is None:
        raise ApiError(404, f"no job {job_id!r}")
    data = await run_in_threadpool(app.store.job_file, job_id, "report.html")
    if data is None:
        raise ApiError(404, "this job wrote no report.html")
    return Response(
        data,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": REPORT_CSP,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The page's own script and style, shipped in the package (no build step, no CDN)."""
    if name not in STATIC:
        raise ApiError(404, f"no static file {name!r}")
    return Response(
        (HERE / "static" / name).read_bytes(),
        media_type=STATIC[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
