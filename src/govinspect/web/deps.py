"""Request dependencies shared by the routers: the signed-in user, CSRF, scope look-ups, rendering.

Pages need a session (signed cookie); the JSON API also takes HTTP Basic credentials, so scripts need no
login form. Every look-up of a run or site goes through the user's scope: what the user may not see
answers 404 exactly like what does not exist.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from starlette.responses import Response

from govinspect.errors import StoreError
from govinspect.findings.model import RunResult
from govinspect.findings.store import Store
from govinspect.registry.models import Site
from govinspect.web.auth import Role, User, UserStore
from govinspect.web.data import RunCache, scoped_result

CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """Raised by page dependencies when nobody is signed in: the app redirects to the login page."""


def store_of(request: Request) -> Store:
    return request.app.state.store


def cache_of(request: Request) -> RunCache:
    return request.app.state.run_cache


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use); every POST form carries it back."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def session_user(request: Request) -> User | None:
    """The user of the session cookie, if it is still active and its password unchanged since login."""
    if hasattr(request.state, "user"):
        return request.state.user
    user = None
    uid = request.session.get("uid")
    if isinstance(uid, int):
        found = UserStore(store_of(request)).get(uid)
        if found is not None and found.active and found.password_tag == request.session.get("pw"):
            user = found
        else:
            request.session.pop("uid", None)
            request.session.pop("pw", None)
    request.state.user = user
    return user


def page_user(request: Request) -> User:
    user = session_user(request)
    if user is None:
        raise LoginRequired()
    return user


def api_user(request: Request) -> User:
    """Session cookie or ``Authorization: Basic``; 401 otherwise."""
    user = session_user(request)
    if user is not None:
        return user
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            name, _, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            name, password = "", ""
        throttle = request.app.state.login_throttle
        if name and not throttle.blocked(name):
            found = UserStore(store_of(request)).authenticate(name, password)
            if found is not None:
                throttle.succeeded(name)
                return found
            throttle.failed(name)
    raise HTTPException(
        401, "authentication required", headers={"WWW-Authenticate": 'Basic realm="govinspect"'}
    )


async def check_csrf(request: Request) -> None:
    """Refuse a POST whose form does not carry the session's CSRF token (403)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    token = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(token, str) or not hmac.compare_digest(sent, token):
        raise HTTPException(403, "表单已失效（缺少或错误的校验码），请刷新页面后重试")


PageUser = Annotated[User, Depends(page_user)]
ApiUser = Annotated[User, Depends(api_user)]


def visible_site(request: Request, user: User, site_code: str) -> Site:
    """The registry's site if the user sees it, else 404."""
    found = store_of(request).sites([site_code])
    if not found or not user.sees(found[0]):
        raise HTTPException(404, "没有这个网站")
    return found[0]


def visible_run(request: Request, user: User, run_id: str) -> RunResult:
    """The run cut to the user's sites; 404 when it does not exist or holds none of them."""
    try:
        result = cache_of(request).load(store_of(request), run_id)
    except StoreError:
        raise HTTPException(404, "没有这个检查批次") from None
    part = scoped_result(result, user)
    if not part.sites and user.role is not Role.ADMIN and not _has_pending(request, user, run_id):
        raise HTTPException(404, "没有这个检查批次")
    return part


def _has_pending(request: Request, user: User, run_id: str) -> bool:
    """A running run whose visible sites are all still pending is shown (empty) rather than hidden."""
    from sqlalchemy import select

    from govinspect.findings.tables import SiteRow, SiteRunRow

    with store_of(request).engine.connect() as conn:
        rows = conn.execute(
            select(SiteRow.site_code, SiteRow.region)
            .join(SiteRunRow, SiteRunRow.site_code == SiteRow.site_code)
            .where(SiteRunRow.run_id == run_id)
        )
        return any(user.sees(r) for r in rows)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """A page from ``web/templates`` with the user, CSRF token and navigation filled in."""
    base = {
        "request": request,
        "user": session_user(request),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
    }
    templates = request.app.state.templates
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


__all__ = [
    "CSRF_FIELD",
    "ApiUser",
    "PageUser",
    "LoginRequired",
    "api_user",
    "cache_of",
    "check_csrf",
    "csrf_token",
    "page_user",
    "render",
    "session_user",
    "store_of",
    "visible_run",
    "visible_site",
]
