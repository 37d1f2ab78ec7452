"""Shared pieces of the dashboard tests: a real uvicorn server on 127.0.0.1:0, a seeded SQLite file and
signed-in clients. (No tests here; the test_web_* files import these.)
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from govinspect.findings.model import CheckRun, Evidence, Finding, Outcome, RunInfo, Severity, SiteResult
from govinspect.findings.store import Store
from govinspect.registry.models import Site, SiteKind
from govinspect.scoring.model import PointLoss, SiteScore
from govinspect.settings import Settings, load_settings
from govinspect.web.auth import UserStore

CST = timezone(timedelta(hours=8))
RUN_ID = "2021q2"
PASSWORD = "correct horse battery"
XSS = "<script>alert(1)</script>"
JS_URL = "javascript:alert(2)"

LEIZHOU = Site(site_code="4408820001", name="雷州市人民政府", homepage="http://www.leizhou.gov.cn/",
               region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)
XIASHAN = Site(site_code="4408020002", name="湛江市霞山区人民政府", homepage="http://www.zjxs.gov.cn/",
               region="广东省/湛江市/霞山区", host_org="霞山区人民政府办公室", kind=SiteKind.PORTAL)
GUANGZHOU = Site(site_code="4401000003", name="广州市人民政府", homepage="https://www.gz.gov.cn/",
                 region="广东省/广州市", host_org="广州市人民政府办公厅", kind=SiteKind.PORTAL)
SITES = [LEIZHOU, XIASHAN, GUANGZHOU]

USERS = {
    "admin": ("admin", {}),
    "zj": ("inspector", {"region": "广东省/湛江市"}),
    "op": ("operator", {"site_codes": [LEIZHOU.site_code]}),
    "viewer": ("viewer", {"region": "广东省"}),
}


def _score(site: Site, *, qualified: bool, vetoes: list[str], score: float | None,
           losses: list[PointLoss]) -> SiteScore:
    deductions = sum(loss.points for loss in losses if loss.indicator not in vetoes)
    return SiteScore(site_code=site.site_code, qualified=qualified, vetoes=vetoes, deductions=deductions,
                     bonus=0.0, score=score, losses=losses, profile_id="national-2019", profile_version="1.0")


def sample_results() -> list[SiteResult]:
    """雷州 (two deductions, one hostile excerpt and a javascript: URL), 霞山 (vetoed), 广州 (clean)."""
    observed = datetime(2021, 6, 15, 10, 0, tzinfo=CST)
    leizhou = [
        Finding(check="link.dead", site_code=LEIZHOU.site_code, url="http://www.leizhou.gov.cn/zwgk/",
                target="http://www.leizhou.gov.cn/files/missing.pdf", severity=Severity.DEDUCT,
                indicator="deduct.dead_links", detail={"status": 404},
                evidence=Evidence(excerpt=XSS, locator="css:ul.list > li:nth-child(2)",
                                  warc_record="<urn:uuid:11111111-0000-0000-0000-000000000001>",
                                  reason="链接返回 404"),
                observed_at=observed),
        Finding(check="link.dead", site_code=LEIZHOU.site_code, url=JS_URL, target=None,
                severity=Severity.DEDUCT, indicator="deduct.dead_links", detail={"status": 404},
                evidence=Evidence(excerpt="<a href=\"javascript:alert(2)\">点击</a>", locator="css:a.x",
                                  warc_record="<urn:uuid:11111111-0000-0000-0000-000000000002>",
                                  reason="链接返回 404"),
                observed_at=observed),
    ]
    xiashan = [
        Finding(check="column.stale", site_code=XIASHAN.site_code, url="http://www.zjxs.gov.cn/tzgg/",
                severity=Severity.VETO, indicator="veto.columns_not_updated",
                detail={"column": "通知公告", "days": 400},
                evidence=Evidence(excerpt="2020-05-01 最新通知", locator="css:ul.news",
                                  warc_record="<urn:uuid:22222222-0000-0000-0000-000000000001>",
                                  reason="通知公告栏目超过6个月未更新"),
                observed_at=observed),
    ]
    return [
        SiteResult(site=LEIZHOU, findings=leizhou,
                   check_runs=[CheckRun("link.dead", LEIZHOU.site_code, Outcome.COMPLETED, 2)],
                   score=_score(LEIZHOU, qualified=True, vetoes=[], score=98.0,
                                losses=[PointLoss("deduct.dead_links", "首页链接不可用", 2.0, 2,
                                                  "2 个链接不可用，每个扣1分")]),
                   pages_fetched=30, homepage_ok=True, warc_path="evidence/4408820001.warc.gz"),
        SiteResult(site=XIASHAN, findings=xiashan,
                   check_runs=[CheckRun("column.stale", XIASHAN.site_code, Outcome.COMPLETED, 1)],
                   score=_score(XIASHAN, qualified=False, vetoes=["veto.columns_not_updated"], score=None,
                                losses=[PointLoss("veto.columns_not_updated", "栏目不更新", 0.0, 1,
                                                  "通知公告栏目超过6个月未更新")]),
                   pages_fetched=25, homepage_ok=True, warc_path="evidence/4408020002.warc.gz"),
        SiteResult(site=GUANGZHOU, findings=[],
                   check_runs=[CheckRun("link.dead", GUANGZHOU.site_code, Outcome.COMPLETED, 0)],
                   score=_score(GUANGZHOU, qualified=True, vetoes=[], score=100.0, losses=[]),
                   pages_fetched=40, homepage_ok=True, warc_path="evidence/4401000003.warc.gz"),
    ]


def seed(url: str) -> None:
    """Registry, one finished run, users of every role and a few 找错 messages (one overdue)."""
    from govinspect.tickets.model import Ticket, TicketKind, TicketStatus

    with Store.open(url) as store:
        store.import_sites(SITES)
        run = RunInfo(run_id=RUN_ID, as_of=datetime(2021, 6, 15, 23, 59, 59, tzinfo=CST),
                      started_at=datetime(2021, 6, 16, 9, 0, tzinfo=CST), profile_id="national-2019",
                      profile_version="1.0")
        store.create_run(run, [s.site_code for s in SITES], {"profile": "national-2019"})
        for result in sample_results():
            store.save_site_result(RUN_ID, result)
        store.finish_run(RUN_ID)
        users = UserStore(store)
        for name, (role, scope) in USERS.items():
            users.add(name, PASSWORD, role, **scope)
        from govinspect.tickets.store import TicketStore

        now = datetime.now(CST)
        tickets = TicketStore(store)
        tickets.add(Ticket(id="ZC-OVERDUE", kind=TicketKind.JIUCUO, site_code=LEIZHOU.site_code,
                           received_at=now - timedelta(days=20), title="首页链接打不开 13912345678",
                           content="联系我 13912345678", status=TicketStatus.FORWARDED,
                           forwarded_at=now - timedelta(days=20), deadline_at=now - timedelta(days=18)),
                    actor="test")
        tickets.add(Ticket(id="ZC-DONE", kind=TicketKind.JIUCUO, site_code=LEIZHOU.site_code,
                           received_at=now - timedelta(days=10), title="错别字", content="有错别字",
                           status=TicketStatus.REPLIED, forwarded_at=now - timedelta(days=10),
                           deadline_at=now - timedelta(days=9), replied_at=now - timedelta(days=9, hours=2),
                           reply="已改正"),
                    actor="test")
        tickets.add(Ticket(id="ZC-GZ", kind=TicketKind.JIUCUO, site_code=GUANGZHOU.site_code,
                           received_at=now - timedelta(days=5), title="广州的留言", content="内容"),
                    actor="test")


class LiveServer:
    """``create_app(settings)`` served by uvicorn on 127.0.0.1:0 in a background thread."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from govinspect.web import create_app

        self.app = create_app(settings)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning",
                                                    lifespan="on", access_log=False))
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)
        self.port = 0

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the dashboard did not start")
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, follow_redirects=False, timeout=30, trust_env=False)

    def login(self, name: str, password: str = PASSWORD) -> httpx.Client:
        client = self.client()
        r = client.post("/login", data={"username": name, "password": password,
                                        "csrf_token": csrf_of(client.get("/login").text), "next": "/runs"})
        assert r.status_code == 303, r.text
        return client


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


@dataclass
class Dashboard:
    server: LiveServer
    db_url: str
    settings: Settings
    clients: dict[str, httpx.Client]


def make_settings(tmp: Path, web: dict[str, Any] | None = None, **overrides: Any) -> Settings:
    db_url = f"sqlite:///{tmp / 'govinspect.db'}"
    return load_settings(database_url=db_url, web={"data_dir": str(tmp / "data"), **(web or {})}, **overrides)


@pytest.fixture(scope="module", name="dashboard")
def dashboard_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """One seeded database and one live server per test module; a signed-in client per user."""
    tmp = tmp_path_factory.mktemp("web")
    settings = make_settings(tmp)
    seed(settings.database_url)
    with LiveServer(settings) as server:
        clients = {name: server.login(name) for name in USERS}
        try:
            yield Dashboard(server, settings.database_url, settings, clients)
        finally:
            for c in clients.values():
                c.close()
