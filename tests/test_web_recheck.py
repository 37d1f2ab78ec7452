"""立即复查 end to end: the dashboard re-inspects a loopback site as a new run through the real pipeline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from govinspect.findings.store import Store
from govinspect.registry.models import Site, SiteKind
from govinspect.web.auth import UserStore
from tests.mockserver import MockServer
from tests.test_web_support import PASSWORD, RUN_ID, LiveServer, csrf_of, make_settings, seed

HOME = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>雷州市测试局</title></head><body>
<div class="nav"><a href="/zwgk/">政务公开</a> <a href="/delay/2">慢速页面</a>
<a href="/status/404">失效链接</a></div>
<ul class="list"><li><a href="/zwgk/1.html">通知一</a><span>2021-06-10</span></li></ul>
<div class="footer">主办单位：雷州市测试局 网站标识码：4408820099 ICP备案号：粤ICP备00000000号</div>
</body></html>"""
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>政务公开</title></head><body>
<p>政务公开内容</p></body></html>"""


@pytest.fixture
def loopback_site() -> Iterator[tuple[MockServer, Site]]:
    server = MockServer()
    server.pages["/"] = (HOME, "text/html; charset=utf-8")
    server.pages["/zwgk/"] = (PAGE, "text/html; charset=utf-8")
    server.pages["/zwgk/1.html"] = (PAGE, "text/html; charset=utf-8")
    server.start()
    site = Site(site_code="4408820099", name="雷州市测试局网站", homepage=server.url("/"),
                region="广东省/湛江市/雷州市", host_org="雷州市测试局", kind=SiteKind.DEPARTMENT)
    try:
        yield server, site
    finally:
        server.stop()


def wait_for_job(client: httpx.Client, code: str, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = client.get(f"/api/sites/{code}").json()["rechecks"]
        if jobs and jobs[0]["status"] not in ("queued", "running"):
            return jobs[0]
        time.sleep(0.2)
    raise AssertionError("the re-check did not finish in time")


def test_recheck_now_runs_the_pipeline_as_a_new_run(
    tmp_path: Path, loopback_site: tuple[MockServer, Site]
) -> None:
    mock, site = loopback_site
    settings = make_settings(tmp_path, fetch={"allow_private": True, "retries": 0},
                             crawl={"page_budget": 10, "analysis_processes": 0},
                             web={"secret_key": "k" * 40})
    seed(settings.database_url)
    with Store.open(settings.database_url) as store:
        store.import_sites([site])
        UserStore(store).add("loop", PASSWORD, "operator", site_codes=[site.site_code])

    with LiveServer(settings) as server:
        loop, op, viewer = server.login("loop"), server.login("op"), server.login("viewer")
        page = loop.get(f"/sites/{site.site_code}")
        assert page.status_code == 200 and "立即复查" in page.text
        token = csrf_of(page.text)

        # another site's operator: the site does not exist for it; a viewer may not start one
        assert op.post(f"/sites/{site.site_code}/recheck",
                       data={"csrf_token": csrf_of(op.get("/runs").text)}).status_code == 404
        assert viewer.post(f"/sites/{site.site_code}/recheck",
                           data={"csrf_token": csrf_of(viewer.get("/runs").text)}).status_code == 403

        started = loop.post(f"/sites/{site.site_code}/recheck", data={"csrf_token": token})
        assert started.status_code == 303
        assert started.headers["location"].startswith(f"/sites/{site.site_code}?notice=recheck-")
        again = loop.post(f"/sites/{site.site_code}/recheck", data={"csrf_token": token})
        assert again.status_code == 409 and "已有复查在进行" in again.text  # one job per site at a time
        running = loop.get(f"/api/sites/{site.site_code}").json()["rechecks"][0]
        assert running["status"] in ("queued", "running")  # the slow link keeps it busy for 2 s
        assert running["finished_at"] is None
        status_page = loop.get(f"/sites/{site.site_code}").text
        assert "复查中" in status_page or "排队中" in status_page

        job = wait_for_job(loop, site.site_code)
        assert job["status"] == "finished", job
        assert job["requested_by"] == "loop" and job["error"] is None
        new_run = job["run_id"]
        assert new_run and new_run != RUN_ID

        assert mock.hits["/"] >= 1  # it fetched the loopback site, and nothing else
        runs = {r["run_id"]: r for r in loop.get("/api/runs").json()["runs"]}
        assert set(runs) == {new_run}  # the operator's site is only in the new run
        assert runs[new_run]["sites"] == 1 and runs[new_run]["status"] == "finished"
        result = loop.get(f"/api/runs/{new_run}/sites/{site.site_code}").json()
        assert result["homepage_ok"] is True and result["pages_fetched"] >= 2
        assert result["site"]["status"] in ("qualified", "unqualified")
        dead = [f for f in result["findings"] if f["check"] == "link.dead"]
        assert any(f["target"] == mock.url("/status/404") for f in dead)
        assert all(f["evidence"]["warc_record"] for f in dead)

        out = tmp_path / "data" / "runs" / new_run
        assert (out / "report.html").is_file() and (out / "findings.jsonl").is_file()
        assert (out / "evidence" / f"{site.site_code}.warc.gz").is_file()

        page = loop.get(f"/sites/{site.site_code}").text
        assert "已完成" in page and f"/runs/{new_run}/sites/{site.site_code}" in page
        # an inspector of the region sees the new run too; the stored run settings hide the session key
        assert new_run in {r["run_id"] for r in server.login("zj").get("/api/runs").json()["runs"]}
        with Store.open(settings.database_url) as store:
            assert store.run_settings(new_run)["web"]["secret_key"] == "**********"
        for c in (loop, op, viewer):
            c.close()


def test_stopping_the_dashboard_interrupts_a_running_recheck(
    tmp_path: Path, loopback_site: tuple[MockServer, Site]
) -> None:
    mock, site = loopback_site
    mock.pages["/"] = (HOME.replace("/delay/2", "/delay/12"), "text/html; charset=utf-8")
    settings = make_settings(tmp_path, fetch={"allow_private": True, "retries": 0},
                             crawl={"page_budget": 10, "analysis_processes": 0})
    seed(settings.database_url)
    with Store.open(settings.database_url) as store:
        store.import_sites([site])
    server = LiveServer(settings)
    with server:
        admin = server.login("admin")
        token = csrf_of(admin.get(f"/sites/{site.site_code}").text)
        assert admin.post(f"/sites/{site.site_code}/recheck", data={"csrf_token": token}).status_code == 303
        deadline = time.monotonic() + 30
        job: dict[str, Any] = {}
        while time.monotonic() < deadline:
            job = admin.get(f"/api/sites/{site.site_code}").json()["rechecks"][0]
            if job["run_id"] and mock.hits["/delay/12"]:
                break
            time.sleep(0.1)
        assert job["status"] == "running" and job["run_id"]
        admin.close()
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 11  # the run was cancelled, not waited for
    rechecks = server.app.state.rechecks
    assert rechecks.get(job["id"]).status == "cancelled"
    with Store.open(settings.database_url) as store:
        run = store.get_run(job["run_id"])
        assert run is not None and run.status == "interrupted"
