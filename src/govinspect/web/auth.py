"""Dashboard accounts: roles, region/site scope, password hashes, login throttling and the user store.

Roles:

- ``admin``     manages users; sees and may do everything;
- ``inspector`` a province or city office (检查人员): sees every site whose region lies under its
  ``region_scope`` (``广东省`` or ``广东省/湛江市``), re-checks them, accepts or rejects rectifications;
- ``operator``  the operator of one or more sites (网站运维): sees only its ``site_codes``, re-checks them
  and marks their findings fixed;
- ``viewer``    read-only, region scope like an inspector.

A site outside a user's scope does not exist for that user (the pages answer 404, not 403). Passwords
are stored as ``scrypt$n$r$p$salt$hash`` with a random salt per user (standard library ``hashlib.scrypt``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from govinspect.errors import GovinspectError
from govinspect.findings.store import Store
from govinspect.findings.tables import SiteRow
from govinspect.web.tables import UserRow

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # scrypt reads the whole password; a bound keeps a login cheap
MAX_SITES_PER_USER = 1000
_USERNAME = re.compile(r"^[\w.@-]{1,64}$")


class WebError(GovinspectError):
    """A dashboard account or action cannot be created or applied as asked."""


class Role(StrEnum):
    ADMIN = "admin"
    INSPECTOR = "inspector"
    OPERATOR = "operator"
    VIEWER = "viewer"


ROLE_NAMES = {
    Role.ADMIN: "管理员",
    Role.INSPECTOR: "检查人员",
    Role.OPERATOR: "网站运维",
    Role.VIEWER: "只读用户",
}


# --- passwords -------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` of ``password`` with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=HASH_BYTES
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        sane = 2 <= int(n) <= 2**20 and 1 <= int(r) <= 32 and 1 <= int(p) <= 16
        if len(expected) != HASH_BYTES or not sane:
            return False  # a cut or altered hash never matches (a shorter key would match its prefix)
        actual = hashlib.scrypt(
            password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
            dklen=len(expected), maxmem=64 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    """A hash to check unknown user names against, so they take as long as wrong passwords."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


# --- users -----------------------------------------------------------------------------------------


def region_covers(scope: str, region: str) -> bool:
    """True when ``region`` (广东省/湛江市/雷州市) lies under ``scope`` (广东省/湛江市), by whole parts."""
    want = [p for p in scope.split("/") if p]
    have = [p for p in region.split("/") if p]
    return bool(want) and have[: len(want)] == want


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in account and what it may see and do."""

    id: int
    username: str
    role: Role
    region_scope: str = ""
    site_codes: tuple[str, ...] = ()
    active: bool = True
    password_tag: str = ""  # changes when the password changes: ends the sessions signed in before

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]

    @property
    def scope_text(self) -> str:
        if self.role is Role.ADMIN:
            return "全部网站"
        if self.role is Role.OPERATOR:
            return "网站 " + "、".join(self.site_codes)
        return self.region_scope

    def sees(self, site: Any) -> bool:
        """Whether ``site`` (anything with ``site_code`` and ``region``) is in this user's scope."""
        if self.role is Role.ADMIN:
            return True
        if self.role is Role.OPERATOR:
            return site.site_code in self.site_codes
        return region_covers(self.region_scope, site.region)

    @property
    def can_write(self) -> bool:
        return self.role is not Role.VIEWER

    def can_recheck(self, site: Any) -> bool:
        return self.role in (Role.ADMIN, Role.INSPECTOR, Role.OPERATOR) and self.sees(site)

    def can_mark_fixed(self, site: Any) -> bool:
        """The site's operator reports a finding fixed (整改完成); inspectors review, not fix."""
        return self.role in (Role.ADMIN, Role.OPERATOR) and self.sees(site)

    def can_review(self, site: Any) -> bool:
        return self.role in (Role.ADMIN, Role.INSPECTOR) and self.sees(site)


def _password_tag(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("ascii")).hexdigest()[:16]


def _user(r: Any) -> User:
    return User(
        id=int(r.id),
        username=r.username,
        role=Role(r.role),
        region_scope=r.region_scope,
        site_codes=tuple(r.site_codes or ()),
        active=bool(r.active),
        password_tag=_password_tag(r.password_hash),
    )


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise WebError(f"the password is shorter than {MIN_PASSWORD} characters: choose a longer one")
    if len(password) > MAX_PASSWORD:
        raise WebError(f"the password is longer than {MAX_PASSWORD} characters: choose a shorter one")


class UserStore:
    """Dashboard accounts in the database of an opened :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    def add(
        self,
        username: str,
        password: str,
        role: Role | str,
        *,
        region: str = "",
        site_codes: list[str] | tuple[str, ...] = (),
    ) -> User:
        """Create an account; the scope must fit the role (a region, or the operator's site codes)."""
        username = username.strip()
        if not _USERNAME.match(username):
            raise WebError(
                f"user name {username!r} is not allowed: use 1–64 letters, digits, '_', '.', '@' or '-'"
            )
        try:
            role = Role(role)
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise WebError(f"role {role!r} is unknown: use one of {known}") from None
        check_password_rules(password)
        region = "/".join(p.strip() for p in region.split("/") if p.strip())
        codes = list(dict.fromkeys(c.strip() for c in site_codes if c.strip()))
        if role in (Role.INSPECTOR, Role.VIEWER) and not region:
            raise WebError(f"a {role} needs a region scope: pass --region 广东省 or --region 广东省/湛江市")
        if role is Role.OPERATOR and not codes:
            raise WebError("an operator needs its sites: pass --site 网站标识码 (repeat for several)")
        if role is not Role.OPERATOR and codes:
            raise WebError(f"only operators have --site; a {role} sees its region: drop --site")
        if role in (Role.ADMIN, Role.OPERATOR) and region:
            raise WebError(f"a {role} has no region scope: drop --region")
        if len(codes) > MAX_SITES_PER_USER:
            raise WebError(f"more than {MAX_SITES_PER_USER} sites for one operator: use an inspector account")
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            if codes:
                known = set(conn.scalars(select(SiteRow.site_code).where(SiteRow.site_code.in_(codes))))
                missing = [c for c in codes if c not in known]
                if missing:
                    raise WebError(
                        f"sites {', '.join(missing[:5])} are not in the registry: "
                        "import the registry (govinspect registry import) first"
                    )
            try:
                conn.execute(
                    insert(UserRow),
                    [
                        {
                            "username": username,
                            "password_hash": hash_password(password),
                            "role": str(role),
                            "region_scope": region,
                            "site_codes": codes,
                            "active": True,
                            "created_at": now,
                            "updated_at": now,
                        }
                    ],
                )
            except IntegrityError:
                raise WebError(f"user {username!r} already exists: choose another name") from None
        user = self.by_name(username)
        assert user is not None
        return user

    def get(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(UserRow.__table__).where(UserRow.id == user_id)).first()
        return _user(row) if row is not None else None

    def by_name(self, username: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(UserRow.__table__).where(UserRow.username == username)).first()
        return _user(row) if row is not None else None

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(UserRow.__table__).order_by(UserRow.username))]

    def authenticate(self, username: str, password: str) -> User | None:
        """The active user with this name and password, else None (same work for unknown names)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(UserRow.__table__).where(UserRow.username == username)).first()
        if len(password) > MAX_PASSWORD:
            return None
        if row is None:
            verify_password(password, _dummy_hash())
            return None
        if not verify_password(password, row.password_hash) or not row.active:
            return None
        return _user(row)

    def set_active(self, user_id: int, active: bool) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(
                update(UserRow)
                .where(UserRow.id == user_id)
                .values(active=active, updated_at=datetime.now(UTC))
            )
        if done.rowcount != 1:
            raise WebError(f"no user with id {user_id}: list the users again")

    def set_password(self, username: str, password: str) -> None:
        check_password_rules(password)
        with self.engine.begin() as conn:
            done = conn.execute(
                update(UserRow)
                .where(UserRow.username == username)
                .values(password_hash=hash_password(password), updated_at=datetime.now(UTC))
            )
        if done.rowcount != 1:
            raise WebError(f"no user {username!r}: create it with `govinspect users add`")


class LoginThrottle:
    """At most ``limit`` failed logins per user name in ``window`` seconds; bounded memory."""

    def __init__(self, limit: int = 5, window: float = 900.0, max_names: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_names = max_names
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str, now: float) -> deque[float]:
        times = self._failures.get(name)
        if times is None:
            return deque()
        while times and now - times[0] > self.window:
            times.popleft()
        if not times:
            del self._failures[name]
        return times

    def blocked(self, name: str) -> bool:
        with self._lock:
            return len(self._recent(name, time.monotonic())) >= self.limit

    def failed(self, name: str) -> None:
        now = time.monotonic()
        with self._lock:
            if name not in self._failures and len(self._failures) >= self.max_names:
                self._failures.pop(next(iter(self._failures)))
            times = self._failures.setdefault(name, deque(maxlen=self.limit))
            times.append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


__all__ = [
    "ROLE_NAMES",
    "LoginThrottle",
    "Role",
    "User",
    "UserStore",
    "WebError",
    "hash_password",
    "region_covers",
    "verify_password",
]
