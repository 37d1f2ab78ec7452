"""Dashboard accounts: password hashes, user rules, login/logout, session cookie flags, CSRF, throttling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from govinspect.findings.store import Store
from govinspect.web.auth import (
    LoginThrottle,
    Role,
    User,
    UserStore,
    WebError,
    hash_password,
    region_covers,
    verify_password,
)
from govinspect.web.tables import UserRow
from tests.test_web_support import (
    LEIZHOU,
    PASSWORD,
    RUN_ID,
    SITES,
    USERS,
    XIASHAN,
    Dashboard,
    LiveServer,
    csrf_of,
    dashboard_fixture,  # noqa: F401 - the dashboard fixture
    make_settings,
    seed,
)

# --- passwords --------------------------------------------------------------------------------------


def test_password_hash_is_salted_scrypt_and_verifies() -> None:
    a, b = hash_password("s3cret-pass"), hash_password("s3cret-pass")
    assert a != b  # a new salt each time
    assert a.startswith("scrypt$16384$8$1$") and "s3cret-pass" not in a
    assert verify_password("s3cret-pass", a) and verify_password("s3cret-pass", b)
    assert not verify_password("s3cret-pasS", a)
    assert not verify_password("s3cret-pass", a.replace("scrypt", "md5"))
    for broken in ("", "scrypt$x", "scrypt$16384$8$1$!!$!!", a[:-4]):
        assert not verify_password("s3cret-pass", broken)


def test_stored_passwords_are_hashes_not_plain_text(dashboard: Dashboard) -> None:
    with Store.open(dashboard.db_url) as store, store.engine.connect() as conn:
        rows = conn.execute(
            select(UserRow.username, UserRow.password_hash).where(UserRow.username.in_(list(USERS)))
        ).all()
    assert len(rows) == 4
    assert all(PASSWORD not in h and h.startswith("scrypt$") for _, h in rows)
    assert len({h for _, h in rows}) == 4  # same password, different salts


@pytest.mark.parametrize(
    ("scope", "region", "covered"),
    [
        ("广东省", "广东省/湛江市/雷州市", True),
        ("广东省/湛江市", "广东省/湛江市", True),
        ("广东省/湛江市", "广东省/湛江市/雷州市", True),
        ("广东省/湛江市", "广东省/广州市", False),
        ("广东省/湛江", "广东省/湛江市", False),  # near miss: a text prefix is not a region prefix
        ("广东省/湛江市/雷州市", "广东省/湛江市", False),  # a city office is above a county scope
        ("", "广东省", False),
    ],
)
def test_region_scope_matches_whole_parts(scope: str, region: str, covered: bool) -> None:
    assert region_covers(scope, region) is covered


def test_role_permissions() -> None:
    inspector = User(1, "zj", Role.INSPECTOR, region_scope="广东省/湛江市")
    operator = User(2, "op", Role.OPERATOR, site_codes=(LEIZHOU.site_code,))
    viewer = User(3, "v", Role.VIEWER, region_scope="广东省")
    assert inspector.can_recheck(XIASHAN) and inspector.can_review(XIASHAN)
    assert not inspector.can_mark_fixed(XIASHAN)
    assert operator.can_mark_fixed(LEIZHOU) and operator.can_recheck(LEIZHOU)
    assert not operator.can_review(LEIZHOU)
    assert not operator.sees(XIASHAN) and not operator.can_recheck(XIASHAN)
    assert viewer.sees(XIASHAN) and not viewer.can_write and not viewer.can_recheck(XIASHAN)


# --- user store ---------------------------------------------------------------------------------------


@pytest.fixture
def users(tmp_path: Path):
    with Store.open(f"sqlite:///{tmp_path / 'u.db'}") as store:
        store.import_sites(SITES)
        yield UserStore(store)


@pytest.mark.parametrize(
    ("name", "role", "kwargs", "fragment"),
    [
        ("a b", "viewer", {"region": "广东省"}, "not allowed"),
        ("x", "boss", {}, "role 'boss' is unknown"),
        ("x", "inspector", {}, "needs a region scope"),
        ("x", "viewer", {}, "needs a region scope"),
        ("x", "operator", {}, "needs its sites"),
        ("x", "operator", {"site_codes": ["0000000000"]}, "not in the registry"),
        ("x", "inspector", {"region": "广东省", "site_codes": [LEIZHOU.site_code]}, "drop --site"),
        ("x", "admin", {"region": "广东省"}, "drop --region"),
    ],
)
def test_user_rules_name_the_fix(users: UserStore, name: str, role: str, kwargs: dict, fragment: str) -> None:
    with pytest.raises(WebError, match=fragment):
        users.add(name, PASSWORD, role, **kwargs)


def test_user_add_duplicate_short_password_and_password_change(users: UserStore) -> None:
    user = users.add("zj", PASSWORD, "inspector", region=" 广东省 / 湛江市 ")
    assert user.region_scope == "广东省/湛江市" and user.role is Role.INSPECTOR
    with pytest.raises(WebError, match="already exists"):
        users.add("zj", PASSWORD, "viewer", region="广东省")
    with pytest.raises(WebError, match="shorter than 8"):
        users.add("short", "1234567", "viewer", region="广东省")
    assert users.authenticate("zj", PASSWORD) is not None
    assert users.authenticate("zj", "wrong-password") is None
    assert users.authenticate("nobody", PASSWORD) is None
    users.set_password("zj", "another long one")
    assert users.authenticate("zj", PASSWORD) is None
    again = users.authenticate("zj", "another long one")
    assert again is not None and again.password_tag != user.password_tag
    users.set_active(user.id, False)
    assert users.authenticate("zj", "another long one") is None


def test_login_throttle_is_bounded_and_resets() -> None:
    throttle = LoginThrottle(limit=3, window=60, max_names=2)
    for _ in range(3):
        assert not throttle.blocked("a")
        throttle.failed("a")
    assert throttle.blocked("a")
    throttle.succeeded("a")
    assert not throttle.blocked("a")
    for name in ("b", "c", "d"):
        throttle.failed(name)
    assert len(throttle._failures) <= 2


# --- login, logout, cookies, CSRF ----------------------------------------------------------------------


def test_login_failure_shows_one_message_for_bad_password_and_unknown_user(dashboard: Dashboard) -> None:
    for name, password in (("zj", "not the password"), ("ghost", PASSWORD)):
        with dashboard.server.client() as c:
            token = csrf_of(c.get("/login").text)
            r = c.post("/login", data={"username": name, "password": password, "csrf_token": token})
            assert r.status_code == 401
            assert "用户名或密码错误" in r.text
            assert c.get("/runs").status_code == 303  # still not signed in


def test_login_sets_a_signed_httponly_samesite_cookie_and_logout_ends_it(dashboard: Dashboard) -> None:
    with dashboard.server.client() as c:
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": "zj", "password": PASSWORD, "csrf_token": token,
                                   "next": f"/runs/{RUN_ID}"})
        assert r.status_code == 303 and r.headers["location"] == f"/runs/{RUN_ID}"
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert c.get("/runs").status_code == 200
        page_token = csrf_of(c.get("/runs").text)
        assert page_token != token  # a new session (and token) on login
        assert c.post("/logout", data={"csrf_token": page_token}).status_code == 303
        assert c.get("/runs").status_code == 303


def test_tampered_cookie_is_not_a_session(dashboard: Dashboard) -> None:
    client = dashboard.server.login("zj")
    value = client.cookies["govinspect_session"]
    payload, _, rest = value.partition(".")
    forged = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB") + "." + rest
    with dashboard.server.client() as other:
        other.cookies.set("govinspect_session", forged, domain="127.0.0.1")
        assert other.get("/runs").status_code == 303
    client.close()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil", "runs"])
def test_login_never_redirects_off_site(dashboard: Dashboard, target: str) -> None:
    with dashboard.server.client() as c:
        token = csrf_of(c.get("/login").text)
        form = {"username": "zj", "password": PASSWORD, "csrf_token": token, "next": target}
        r = c.post("/login", data=form)
        assert r.status_code == 303 and r.headers["location"] == "/runs"


def test_posts_without_or_with_a_wrong_csrf_token_are_refused(dashboard: Dashboard) -> None:
    op = dashboard.clients["op"]
    fid = op.get(f"/api/runs/{RUN_ID}/sites/{LEIZHOU.site_code}").json()["findings"][0]["id"]
    target = f"/runs/{RUN_ID}/sites/{LEIZHOU.site_code}/findings/{fid}/rectification"
    for token in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
        data = {"step": "fixed", "note": "done", **token}
        r = op.post(target, data=data)
        assert r.status_code == 403 and "校验码" in r.text
    assert op.post(f"/sites/{LEIZHOU.site_code}/recheck", data={}).status_code == 403
    assert op.post("/logout", data={}).status_code == 403
    with dashboard.server.client() as anon:
        anon.get("/login")
        r = anon.post("/login", data={"username": "zj", "password": PASSWORD})
        assert r.status_code == 403
    history = op.get(f"/api/runs/{RUN_ID}/sites/{LEIZHOU.site_code}/findings/{fid}/rectification").json()
    assert history["history"] == []  # nothing was recorded


def test_login_is_throttled_after_repeated_failures(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    seed(settings.database_url)
    with LiveServer(settings) as server, server.client() as c:
        for _ in range(5):
            token = csrf_of(c.get("/login").text)
            assert c.post("/login", data={"username": "zj", "password": "bad password",
                                          "csrf_token": token}).status_code == 401
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": "zj", "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 429 and "次数过多" in r.text
        assert server.login("op").get("/runs").status_code == 200  # other names are not affected


def test_deactivated_user_loses_its_session(dashboard: Dashboard) -> None:
    admin = dashboard.clients["admin"]
    with Store.open(dashboard.db_url) as store:
        target = UserStore(store).add("temp", PASSWORD, "viewer", region="广东省")
    temp = dashboard.server.login("temp")
    assert temp.get("/runs").status_code == 200
    token = csrf_of(admin.get("/admin/users").text)
    r = admin.post(f"/admin/users/{target.id}/active", data={"csrf_token": token, "active": "0"})
    assert r.status_code == 303
    assert temp.get("/runs").status_code == 303
    temp.close()


def test_admin_creates_users_through_the_form(dashboard: Dashboard) -> None:
    admin = dashboard.clients["admin"]
    token = csrf_of(admin.get("/admin/users").text)
    bad = admin.post("/admin/users", data={"csrf_token": token, "username": "op2", "password": PASSWORD,
                                           "role": "operator", "sites": "0000000000"})
    assert bad.status_code == 400 and "not in the registry" in bad.text
    ok = admin.post("/admin/users", data={"csrf_token": token, "username": "op2", "password": PASSWORD,
                                          "role": "operator",
                                          "sites": f"{LEIZHOU.site_code}，{XIASHAN.site_code}"})
    assert ok.status_code == 303
    op2 = dashboard.server.login("op2")
    assert op2.get(f"/runs/{RUN_ID}/sites/{XIASHAN.site_code}").status_code == 200
    op2.close()


# --- CLI ----------------------------------------------------------------------------------------------


def test_cli_users_add_reads_the_password_from_stdin_only(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    with Store.open(db) as store:
        store.import_sites(SITES)
    cmd = [sys.executable, "-m", "govinspect.cli", "users", "add", "zj", "--role", "inspector",
           "--region", "广东省/湛江市", "--password-stdin", "--db", db]
    done = subprocess.run(cmd, input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "user zj created" in done.stdout and PASSWORD not in done.stdout
    again = subprocess.run(cmd, input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "already exists" in again.stderr
    short = subprocess.run([*cmd[:5], "zz", *cmd[6:]], input="short\n", capture_output=True, text=True,
                           timeout=60)
    assert short.returncode == 2 and "shorter than 8" in short.stderr
    with Store.open(db) as store:
        assert UserStore(store).authenticate("zj", PASSWORD) is not None
    listed = subprocess.run([sys.executable, "-m", "govinspect.cli", "users", "list", "--db", db],
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and "zj" in listed.stdout and "scrypt" not in listed.stdout
