"""Login, logout and account management (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from govinspect.web.auth import ROLE_NAMES, Role, User, UserStore, WebError
from govinspect.web.deps import PageUser, check_csrf, csrf_token, render, session_user, store_of

router = APIRouter()

LOGIN_FAILED = "用户名或密码错误"
LOGIN_BLOCKED = "登录失败次数过多，请15分钟后再试"


def _safe_next(target: str | None) -> str:
    """Only a path on this server (no scheme, no //host, no backslash tricks) is followed after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/runs"
    if any(ord(ch) < 0x20 for ch in target):
        return "/runs"
    return target


@router.get("/login")
async def login_page(request: Request, next: str = "/runs") -> Response:  # noqa: A002 - the query name
    if session_user(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "error": "", "username": ""})


def _login_again(request: Request, target: str, error: str, name: str, status: int) -> Response:
    return render(request, "login.html", {"next": _safe_next(target), "error": error, "username": name},
                  status_code=status)


@router.post("/login", dependencies=[Depends(check_csrf)])
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/runs",  # noqa: A002
) -> Response:
    throttle = request.app.state.login_throttle
    name = username.strip()
    if throttle.blocked(name):
        return _login_again(request, next, LOGIN_BLOCKED, name, 429)
    user = UserStore(store_of(request)).authenticate(name, password) if name else None
    if user is None:
        throttle.failed(name)
        return _login_again(request, next, LOGIN_FAILED, name, 401)
    throttle.succeeded(name)
    request.session.clear()  # a new session on login (no fixation); new CSRF token below
    request.session["uid"] = user.id
    request.session["pw"] = user.password_tag
    csrf_token(request)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _admin(user: PageUser) -> User:
    if user.role is not Role.ADMIN:
        raise HTTPException(403, "只有管理员可以管理用户")
    return user


AdminUser = Annotated[User, Depends(_admin)]


@router.get("/admin/users")
async def users_page(request: Request, user: AdminUser, error: str = "") -> Response:
    return render(request, "users.html", {
        "users": UserStore(store_of(request)).list(), "role_names": ROLE_NAMES, "roles": list(Role),
        "error": error, "form": {},
    })


@router.post("/admin/users", dependencies=[Depends(check_csrf)])
async def add_user(
    request: Request,
    user: AdminUser,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
    region: Annotated[str, Form(max_length=255)] = "",
    sites: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    store = UserStore(store_of(request))
    codes = [c for c in sites.replace("，", ",").replace("\n", ",").split(",") if c.strip()]
    try:
        store.add(username, password, role, region=region, site_codes=codes)
    except WebError as exc:
        return render(request, "users.html", {
            "users": store.list(), "role_names": ROLE_NAMES, "roles": list(Role), "error": str(exc),
            "form": {"username": username, "role": role, "region": region, "sites": sites},
        }, status_code=400)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/active", dependencies=[Depends(check_csrf)])
async def set_active(
    request: Request,
    user_id: int,
    user: AdminUser,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    if user_id == user.id:
        raise HTTPException(400, "不能停用自己的账号")
    UserStore(store_of(request)).set_active(user_id, active == "1")
    return RedirectResponse("/admin/users", status_code=303)
