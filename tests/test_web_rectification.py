"""整改跟踪 over the live dashboard: operator marks fixed, inspector accepts or rejects, history kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from govinspect.findings.store import Store
from govinspect.web.auth import Role, User, UserStore
from govinspect.web.rectify import (
    RectificationError,
    RectificationForbidden,
    RectificationStore,
    RectStatus,
    allowed_actions,
)
from tests.test_web_support import (
    LEIZHOU,
    RUN_ID,
    XIASHAN,
    Dashboard,
    csrf_of,
    dashboard_fixture,  # noqa: F401 - the dashboard fixture
    seed,
)

SITE = f"/runs/{RUN_ID}/sites/{LEIZHOU.site_code}"


def finding_ids(client: httpx.Client, code: str = LEIZHOU.site_code) -> list[int]:
    return [f["id"] for f in client.get(f"/api/runs/{RUN_ID}/sites/{code}").json()["findings"]]


def act(client: httpx.Client, fid: int, step: str, note: str = "", expected: str | None = None,
        code: str = LEIZHOU.site_code) -> httpx.Response:
    page = f"/runs/{RUN_ID}/sites/{code}"
    shown = client.get(page)
    token = csrf_of(shown.text if shown.status_code == 200 else client.get("/runs").text)
    data: dict[str, Any] = {"csrf_token": token, "step": step, "note": note}
    if expected is not None:
        data["expected"] = expected
    return client.post(f"{page}/findings/{fid}/rectification", data=data)


def finding_ids_in(store: Store, code: str) -> list[int]:
    from sqlalchemy import select

    from govinspect.findings.tables import FindingRow

    with store.engine.connect() as conn:
        query = select(FindingRow.id).where(FindingRow.site_code == code).order_by(FindingRow.id)
        return list(conn.scalars(query))


def history(client: httpx.Client, fid: int, code: str = LEIZHOU.site_code) -> dict[str, Any]:
    return client.get(f"/api/runs/{RUN_ID}/sites/{code}/findings/{fid}/rectification").json()


def test_operator_marks_fixed_and_inspector_accepts_with_history(dashboard: Dashboard) -> None:
    op, zj = dashboard.clients["op"], dashboard.clients["zj"]
    fid = finding_ids(op)[0]
    assert history(op, fid) == {"finding_id": fid, "status": "open", "history": []}

    assert act(op, fid, "fixed", "").status_code == 409  # a note is required
    r = act(op, fid, "fixed", "已删除失效附件链接", expected="open")
    assert r.status_code == 303 and r.headers["location"] == f"{SITE}#f-{fid}"
    assert act(op, fid, "accepted", "自己审核").status_code == 403  # operators do not review
    assert act(zj, fid, "fixed", "替运维标记").status_code == 409  # already fixed; inspectors do not fix

    page = zj.get(SITE).text
    assert all(text in page for text in ("已整改待审核", "已删除失效附件链接", "审核通过", "退回重改"))
    assert act(zj, fid, "accepted", "", expected="fixed").status_code == 303

    h = history(zj, fid)
    assert h["status"] == "accepted"
    assert [(s["status"], s["updated_by"], s["note"]) for s in h["history"]] == [
        ("fixed", "op", "已删除失效附件链接"),
        ("accepted", "zj", ""),
    ]
    assert all(s["check"] == "link.dead" and s["run_id"] == RUN_ID for s in h["history"])
    assert act(op, fid, "fixed", "再次整改").status_code == 409  # accepted is final
    api = op.get(f"/api/runs/{RUN_ID}/sites/{LEIZHOU.site_code}").json()
    assert next(f for f in api["findings"] if f["id"] == fid)["rectification"] == "accepted"
    op_page = op.get(SITE).text
    assert "整改通过" in op_page


def test_rejected_fix_goes_back_to_the_operator(dashboard: Dashboard) -> None:
    op, zj = dashboard.clients["op"], dashboard.clients["zj"]
    fid = finding_ids(op)[1]
    assert act(op, fid, "fixed", "改了").status_code == 303
    assert act(zj, fid, "rejected", "").status_code == 409  # a reason is required
    assert act(zj, fid, "rejected", "链接仍然打不开").status_code == 303
    assert act(op, fid, "fixed", "已替换为正确地址").status_code == 303
    h = history(op, fid)
    assert h["status"] == "fixed"
    assert [s["status"] for s in h["history"]] == ["fixed", "rejected", "fixed"]
    listed = op.get("/api/rectifications", params={"status": "fixed"}).json()["rectifications"]
    assert [s["finding_id"] for s in listed] == [fid]
    html = zj.get("/rectifications", params={"status": "fixed"}).text
    assert "已替换为正确地址" in html and f"#f-{fid}" in html


def test_a_stale_form_cannot_overwrite_a_newer_step(dashboard: Dashboard) -> None:
    op, zj = dashboard.clients["op"], dashboard.clients["admin"]
    fid = finding_ids(zj, XIASHAN.site_code)[0]
    assert act(zj, fid, "fixed", "管理员代为标记", expected="open", code=XIASHAN.site_code).status_code == 303
    stale = act(zj, fid, "fixed", "重复提交", expected="open", code=XIASHAN.site_code)
    assert stale.status_code == 409 and "已被他人更新" in stale.text
    assert len(history(zj, fid, XIASHAN.site_code)["history"]) == 1
    # the operator of another site: the site does not exist for it
    assert act(op, fid, "accepted", "", code=XIASHAN.site_code).status_code == 404
    hidden = op.get(f"/api/runs/{RUN_ID}/sites/{XIASHAN.site_code}/findings/{fid}/rectification")
    assert hidden.status_code == 404
    assert all(s["site_code"] == LEIZHOU.site_code
               for s in op.get("/api/rectifications").json()["rectifications"])


def test_a_finding_of_another_site_cannot_be_acted_on_through_ones_own_site(dashboard: Dashboard) -> None:
    op, admin = dashboard.clients["op"], dashboard.clients["admin"]
    other = finding_ids(admin, XIASHAN.site_code)[0]
    r = act(op, other, "fixed", "偷改别人的问题")
    assert r.status_code == 404
    assert act(op, 999_999, "fixed", "不存在").status_code == 404


def test_transitions_and_permissions_table() -> None:
    inspector = User(1, "zj", Role.INSPECTOR, region_scope="广东省/湛江市")
    operator = User(2, "op", Role.OPERATOR, site_codes=(LEIZHOU.site_code,))
    viewer = User(3, "v", Role.VIEWER, region_scope="广东省")
    cases = [
        (operator, RectStatus.OPEN, (RectStatus.FIXED,)),
        (operator, RectStatus.REJECTED, (RectStatus.FIXED,)),
        (operator, RectStatus.FIXED, ()),
        (operator, RectStatus.ACCEPTED, ()),
        (inspector, RectStatus.OPEN, ()),
        (inspector, RectStatus.FIXED, (RectStatus.ACCEPTED, RectStatus.REJECTED)),
        (inspector, RectStatus.ACCEPTED, ()),
        (viewer, RectStatus.FIXED, ()),
        (viewer, RectStatus.OPEN, ()),
    ]
    for user, status, expected in cases:
        assert allowed_actions(user, LEIZHOU, status) == expected, (user.role, status)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or a new schema in the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'r.db'}"
    import secrets

    from sqlalchemy import create_engine, text

    base: str = request.getfixturevalue("pg_database")
    schema = f"w_{secrets.token_hex(6)}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


def test_store_refuses_unknown_steps_long_notes_and_other_roles(db_url: str) -> None:
    url = db_url
    seed(url)
    with Store.open(url) as store:
        users = UserStore(store)
        op, zj = users.by_name("op"), users.by_name("zj")
        assert op is not None and zj is not None
        rect = RectificationStore(store)
        fid = finding_ids_in(store, LEIZHOU.site_code)[0]
        with pytest.raises(RectificationError, match="unknown step"):
            rect.apply(op, LEIZHOU, RUN_ID, fid, "done", "x")
        with pytest.raises(RectificationError, match="2000"):
            rect.apply(op, LEIZHOU, RUN_ID, fid, "fixed", "长" * 2001)
        with pytest.raises(RectificationForbidden):
            rect.apply(zj, LEIZHOU, RUN_ID, fid, "fixed", "inspectors do not fix")
        with pytest.raises(RectificationError, match="当前状态为「待整改」"):
            rect.apply(zj, LEIZHOU, RUN_ID, fid, "accepted", "")
        step = rect.apply(op, LEIZHOU, RUN_ID, fid, "fixed", "  已整改  ")
        assert (step.status, step.note, step.updated_by) == (RectStatus.FIXED, "已整改", "op")
        assert step.updated_at.utcoffset() == timedelta(hours=8)
        assert [s.id for s in rect.latest()] == [step.id]
        assert rect.history(RUN_ID)[fid] == [step]
        assert users.by_name("op").site_codes == (LEIZHOU.site_code,)  # JSON(B) round trip
