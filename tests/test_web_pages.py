"""Dashboard pages and JSON API over a real socket: scope per role, escaping, filters, tickets, headers."""

from __future__ import annotations

import httpx
import pytest

from tests.test_web_support import (
    GUANGZHOU,
    JS_URL,
    LEIZHOU,
    RUN_ID,
    USERS,
    XIASHAN,
    XSS,
    Dashboard,
    csrf_of,
    dashboard_fixture,  # noqa: F401 - the dashboard fixture
)

SITE_PAGE = "/runs/{run}/sites/{code}"


def site_page(code: str) -> str:
    return SITE_PAGE.format(run=RUN_ID, code=code)


# --- sign-in required ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/runs", f"/runs/{RUN_ID}", site_page(LEIZHOU.site_code), "/sites",
                                  "/tickets", "/rectifications", f"/runs/{RUN_ID}/findings"])
def test_pages_redirect_anonymous_users_to_login(dashboard: Dashboard, path: str) -> None:
    with dashboard.server.client() as anon:
        r = anon.get(path)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/api/runs", f"/api/runs/{RUN_ID}", "/api/sites", "/api/tickets"])
def test_api_answers_401_without_credentials(dashboard: Dashboard, path: str) -> None:
    with dashboard.server.client() as anon:
        r = anon.get(path)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Basic")
    assert r.json() == {"error": "authentication required"}


def test_api_accepts_basic_credentials_and_refuses_wrong_ones(dashboard: Dashboard) -> None:
    with dashboard.server.client() as anon:
        ok = anon.get("/api/runs", auth=("zj", "correct horse battery"))
        bad = anon.get("/api/runs", auth=("zj", "wrong password!"))
    assert ok.status_code == 200 and ok.json()["runs"][0]["run_id"] == RUN_ID
    assert bad.status_code == 401


# --- scope -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("admin", {LEIZHOU, XIASHAN, GUANGZHOU}),
        ("zj", {LEIZHOU, XIASHAN}),
        ("op", {LEIZHOU}),
        ("viewer", {LEIZHOU, XIASHAN, GUANGZHOU}),
    ],
)
def test_each_role_sees_exactly_its_scope(dashboard: Dashboard, user: str, visible: set) -> None:
    client = dashboard.clients[user]
    for site in (LEIZHOU, XIASHAN, GUANGZHOU):
        expected = 200 if site in visible else 404
        assert client.get(site_page(site.site_code)).status_code == expected, (user, site.site_code)
        assert client.get(f"/sites/{site.site_code}").status_code == expected
        assert client.get(f"/api/runs/{RUN_ID}/sites/{site.site_code}").status_code == expected
        assert client.get(f"/api/sites/{site.site_code}").status_code == expected
    overview = client.get(f"/api/runs/{RUN_ID}").json()
    assert {s["site_code"] for s in overview["sites"]} == {s.site_code for s in visible}
    listed = client.get("/api/sites").json()
    assert {s["site_code"] for s in listed["sites"]} == {s.site_code for s in visible}
    page = client.get("/sites").text
    for site in (LEIZHOU, XIASHAN, GUANGZHOU):
        assert (site.name in page) == (site in visible)


def test_operator_gets_404_for_another_site_even_when_it_does_not_exist(dashboard: Dashboard) -> None:
    op = dashboard.clients["op"]
    other = op.get(site_page(XIASHAN.site_code))
    missing = op.get(site_page("9999999999"))
    assert other.status_code == missing.status_code == 404
    assert XIASHAN.name not in other.text
    assert op.get(f"/api/runs/{RUN_ID}/findings").json()["total"] == 2  # its own two findings only


def test_runs_list_counts_only_the_users_sites(dashboard: Dashboard) -> None:
    zj = dashboard.clients["zj"].get("/api/runs").json()["runs"][0]
    admin = dashboard.clients["admin"].get("/api/runs").json()["runs"][0]
    assert (zj["sites"], zj["scored"], zj["qualified"], zj["pass_rate"]) == (2, 2, 1, 0.5)
    assert (admin["sites"], admin["scored"], admin["qualified"]) == (3, 3, 2)
    assert admin["pass_rate"] == pytest.approx(0.6667)
    html = dashboard.clients["zj"].get("/runs").text
    assert RUN_ID in html and "50%" in html and "监测时间点" in html


def test_run_overview_shows_region_rates_and_vetoed_sites_with_reasons(dashboard: Dashboard) -> None:
    html = dashboard.clients["admin"].get(f"/runs/{RUN_ID}").text
    assert "各地区情况" in html and "湛江市" in html and "广州市" in html
    assert "单项否决网站" in html and XIASHAN.name in html and "通知公告栏目超过6个月未更新" in html
    data = dashboard.clients["admin"].get(f"/api/runs/{RUN_ID}").json()
    regions = {r["name"]: r for r in data["regions"]}
    assert regions["湛江市"]["pass_rate"] == 0.5 and regions["湛江市"]["vetoed"] == 1
    assert regions["广州市"]["pass_rate"] == 1.0
    assert data["vetoed_sites"] == [XIASHAN.site_code]
    assert data["totals"]["sites"] == 3


# --- escaping ---------------------------------------------------------------------------------------


def test_hostile_excerpt_and_javascript_url_are_rendered_inert(dashboard: Dashboard) -> None:
    html = dashboard.clients["op"].get(site_page(LEIZHOU.site_code)).text
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert f'<span class="url">{JS_URL}</span>' in html
    # http(s) evidence URLs become links; WARC record ids and locators are shown
    assert '<a class="url" href="http://www.leizhou.gov.cn/zwgk/"' in html
    assert "&lt;urn:uuid:11111111-0000-0000-0000-000000000001&gt;" in html
    assert "css:ul.list &gt; li:nth-child(2)" in html
    assert "得分说明" in html and "首页链接不可用" in html
    findings = dashboard.clients["op"].get(f"/runs/{RUN_ID}/findings").text
    assert XSS not in findings and 'href="javascript:' not in findings


def test_pages_send_a_strict_content_security_policy(dashboard: Dashboard) -> None:
    r = dashboard.clients["op"].get(site_page(LEIZHOU.site_code))
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp  # no scripts at all
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in r.text
    css = dashboard.clients["op"].get("/static/app.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]


# --- filters and JSON -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, 3),
        ({"check": "link.dead"}, 2),
        ({"check": "column.stale"}, 1),
        ({"severity": "veto"}, 1),
        ({"severity": "deduct"}, 2),
        ({"severity": "info"}, 0),
        ({"region": "湛江市"}, 3),
        ({"region": "广东省/湛江市/霞山区"}, 1),
        ({"region": "广州市"}, 0),
        ({"region": "广东省/湛江"}, 0),  # a region matches by whole parts, not by text prefix
        ({"check": "link.dead", "region": "广东省/湛江市/霞山区"}, 0),
    ],
)
def test_findings_filter(dashboard: Dashboard, query: dict, expected: int) -> None:
    data = dashboard.clients["admin"].get(f"/api/runs/{RUN_ID}/findings", params=query).json()
    assert data["total"] == expected == len(data["findings"])
    html = dashboard.clients["admin"].get(f"/runs/{RUN_ID}/findings", params=query).text
    assert f"共 {expected} 条" in html


def test_json_api_shapes(dashboard: Dashboard) -> None:
    admin = dashboard.clients["admin"]
    run = admin.get("/api/runs").json()["runs"][0]
    assert set(run) == {"run_id", "as_of", "started_at", "finished_at", "status", "profile_id",
                        "profile_version", "sites", "done", "scored", "qualified", "pass_rate"}
    assert run["as_of"] == "2021-06-15T23:59:59+08:00" and run["status"] == "finished"
    site = admin.get(f"/api/runs/{RUN_ID}/sites/{LEIZHOU.site_code}").json()
    assert site["site"]["site_code"] == LEIZHOU.site_code and site["site"]["status"] == "qualified"
    assert site["losses"] == [{"indicator": "deduct.dead_links", "name": "首页链接不可用", "points": 2.0,
                               "findings": 2, "reason": "2 个链接不可用，每个扣1分", "is_veto": False}]
    assert len(site["findings"]) == 2
    f = next(x for x in site["findings"] if x["evidence"]["excerpt"] == XSS)  # JSON keeps the text as it was
    assert set(f) >= {"id", "check", "site_code", "url", "target", "severity", "indicator", "detail",
                      "evidence", "observed_at", "rectification"}
    assert isinstance(f["id"], int) and f["rectification"] in ("open", "fixed", "accepted", "rejected")
    assert f["evidence"]["warc_record"] == "<urn:uuid:11111111-0000-0000-0000-000000000001>"
    hist = admin.get(f"/api/sites/{XIASHAN.site_code}").json()
    assert hist["runs"][0]["run_id"] == RUN_ID and hist["runs"][0]["qualified"] is False
    assert hist["runs"][0]["vetoes"] == ["veto.columns_not_updated"]
    missing = admin.get(f"/api/runs/nope/sites/{LEIZHOU.site_code}")
    assert missing.status_code == 404 and "error" in missing.json()


# --- tickets ----------------------------------------------------------------------------------------


def test_tickets_list_marks_overdue_and_is_scoped(dashboard: Dashboard) -> None:
    op = dashboard.clients["op"]
    data = op.get("/api/tickets").json()
    ids = {t["id"]: t for t in data["tickets"]}
    assert set(ids) == {"ZC-OVERDUE", "ZC-DONE"}  # the Guangzhou message is not the operator's
    assert ids["ZC-OVERDUE"]["overdue"] is True and ids["ZC-DONE"]["overdue"] is False
    assert "13912345678" not in str(data) and "139****5678" in ids["ZC-OVERDUE"]["title"]
    assert data["stats"]["total"]["received"] == 2
    assert data["stats"]["total"]["overdue_open"] == 1 and data["stats"]["total"]["on_time"] == 1
    only = op.get("/api/tickets", params={"overdue": "1"}).json()
    assert [t["id"] for t in only["tickets"]] == ["ZC-OVERDUE"]
    html = op.get("/tickets").text
    assert '<tr class="overdue"><td>ZC-OVERDUE</td>' in html and "按期办结率" in html
    assert "ZC-GZ" not in html and "13912345678" not in html
    assert "ZC-GZ" in dashboard.clients["admin"].get("/tickets").text


def test_tickets_bad_dates_name_the_format(dashboard: Dashboard) -> None:
    r = dashboard.clients["op"].get("/api/tickets", params={"from": "2021-13-01"})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.json()["error"]
    r = dashboard.clients["op"].get("/api/tickets", params={"from": "2021-06-02", "to": "2021-06-01"})
    assert r.status_code == 422


# --- viewers read only -------------------------------------------------------------------------------


def test_viewer_cannot_post(dashboard: Dashboard) -> None:
    viewer = dashboard.clients["viewer"]
    token = csrf_of(viewer.get(site_page(LEIZHOU.site_code)).text)
    r = viewer.post(f"/sites/{LEIZHOU.site_code}/recheck", data={"csrf_token": token})
    assert r.status_code == 403
    fid = viewer.get(f"/api/runs/{RUN_ID}/sites/{LEIZHOU.site_code}").json()["findings"][0]["id"]
    r = viewer.post(f"/runs/{RUN_ID}/sites/{LEIZHOU.site_code}/findings/{fid}/rectification",
                    data={"csrf_token": token, "step": "fixed", "note": "x"})
    assert r.status_code == 403
    page = viewer.get(site_page(LEIZHOU.site_code)).text
    assert "立即复查" not in page and "标记已整改" not in page


def test_users_admin_page_is_for_admins_only(dashboard: Dashboard) -> None:
    assert dashboard.clients["zj"].get("/admin/users").status_code == 403
    html = dashboard.clients["admin"].get("/admin/users").text
    assert all(name in html for name in USERS)
    assert "scrypt$" not in html


def test_unknown_run_is_404_page(dashboard: Dashboard) -> None:
    r = dashboard.clients["admin"].get("/runs/does-not-exist")
    assert r.status_code == 404 and "没有这个检查批次" in r.text


def test_real_socket_serves_concurrent_clients(dashboard: Dashboard) -> None:
    import concurrent.futures

    def fetch(name: str) -> int:
        with httpx.Client(base_url=dashboard.server.base, trust_env=False) as c:
            return c.get("/api/runs", auth=(name, "correct horse battery")).status_code

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert list(pool.map(fetch, list(USERS))) == [200] * len(USERS)
