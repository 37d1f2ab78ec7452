"""The dashboard application: ``create_app(settings)`` builds a FastAPI app, one router per resource.

Nothing happens at import time. The findings store is opened (and migrated) when the app starts and
closed when it stops; re-check jobs are stopped with it. Pages are Jinja2 templates with autoescape and a
Content-Security-Policy that allows only this server's own stylesheet: no scripts, no outside assets.

Sessions are signed cookies (HttpOnly, SameSite=Lax, Secure when ``web.secure_cookies``); every POST
form carries a CSRF token kept in the session.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from govinspect.errors import ConfigError, GovinspectError
from govinspect.reports.context import fmt_number, fmt_percent, is_web_url
from govinspect.web.auth import LoginThrottle
from govinspect.web.data import RunCache
from govinspect.web.deps import LoginRequired, render

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).parent
SECRET_FILE = "web-secret.key"
SESSION_COOKIE = "govinspect_session"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _finalize(value: object) -> object:
    """Every printed value: C0 control characters (invalid in HTML) become U+FFFD; None prints empty."""
    if value is None:
        return ""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return _CONTROL.sub("\ufffd", value)
    return value


def _when(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.strftime(fmt) if value is not None else ""


def _clip(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def templates() -> Any:
    """The Jinja2 templates of the dashboard (autoescape on, strict about undefined names)."""
    from fastapi.templating import Jinja2Templates
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("govinspect.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(num=fmt_number, pct=fmt_percent, when=_when, clip=_clip, is_web_url=is_web_url,
                       urlq=lambda v: quote(str(v), safe=""), id_of=id)
    return Jinja2Templates(env=env)


def session_secret(settings: Any) -> str:
    """``web.secret_key``, or a random key kept in ``<data_dir>/web-secret.key`` (created once, mode 0600)."""
    configured = settings.web.secret_key.get_secret_value()
    if configured:
        if len(configured) < 32:
            raise ConfigError("web.secret_key is shorter than 32 characters: use a long random value")
        return configured
    path = Path(settings.web.data_dir) / SECRET_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_text(encoding="ascii").strip()
            if len(key) < 32:
                raise ConfigError(f"{path} holds no usable key: delete it to have a new one made") from None
            return key
        key = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
        return key
    except OSError as exc:
        raise ConfigError(
            f"cannot keep the session key in {path} ({exc}): make web.data_dir writable or set web.secret_key"
        ) from None


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(settings: Any) -> FastAPI:
    """The dashboard for ``settings`` (database, timezone, fetch settings for re-checks, ``web.*``)."""
    from govinspect.web.routers import findings, rectification, runs, sites, tickets, users

    secret = session_secret(settings)
    data_dir = Path(settings.web.data_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from govinspect.findings.store import Store
        from govinspect.web.recheck import RecheckManager

        store = Store.open(settings.database_url, timezone=settings.timezone)
        app.state.store = store
        app.state.rechecks = RecheckManager(settings, store, data_dir, workers=settings.web.max_rechecks)
        try:
            yield
        finally:
            app.state.rechecks.shutdown()
            store.close()

    app = FastAPI(title="govinspect", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.templates = templates()
    app.state.run_cache = RunCache()
    app.state.login_throttle = LoginThrottle()

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # Added after the header middleware, so it wraps it: the session exists before any handler runs.
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        max_age=int(settings.web.session_hours * 3600),
        same_site="lax",
        https_only=settings.web.secure_cookies,
    )

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html", {"status": exc.status_code, "message": exc.detail},
                      status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"请求参数有误：{where} {first.get('msg', '')}".strip()
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=422)
        return render(request, "error.html", {"status": 422, "message": message}, status_code=422)

    @app.exception_handler(GovinspectError)
    async def domain_error(request: Request, exc: GovinspectError) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=409)
        return render(request, "error.html", {"status": 409, "message": str(exc)}, status_code=409)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/runs", status_code=303)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> HTMLResponse:
        return HTMLResponse("ok")

    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    for module in (users, runs, sites, findings, rectification, tickets):
        app.include_router(module.router)
    return app


__all__ = ["create_app", "session_secret", "templates"]
