"""Script-filled 栏目 lists judged through a rendered fetch: the whole pipeline against Debian's Chromium
and a loopback aiohttp server (apt: chromium, fonts-noto-cjk).

The column pages hold no items and no data a static reader could use: a script asks a same-host JSON
endpoint (fetch() for 通知公告, XMLHttpRequest for 政策文件) and writes the list. 工作动态 is a static list,
the control that checks ran whatever the browser did.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from govinspect.findings.model import Finding, RunResult
from govinspect.findings.store import Store
from govinspect.pipeline import run_inspection
from govinspect.registry.models import Site, SiteKind
from govinspect.settings import load_settings

pytestmark = pytest.mark.browser

TZ = ZoneInfo("Asia/Shanghai")
LATE = datetime(2022, 6, 15, 9, 0, tzinfo=TZ)  # 379 days after the newest 通知公告 item
EARLY = datetime(2021, 6, 15, 9, 0, tzinfo=TZ)  # 14 days after it

NAV = """<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/tzgg/">通知公告</a></li>
<li><a href="/zcwj/">政策文件</a></li><li><a href="/gzdt/">工作动态</a></li></ul></div>"""
FOOTER = """<div class="footer">主办单位：某县测试局 网站标识码：4408820098 ICP备案号：粤ICP备00000000号</div>"""


def _page(title: str, crumb: str, main: str, script: str = "") -> str:
    return (f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>
{NAV}<div class="position">当前位置：首页 &gt; {crumb}</div>
<div class="main">{main}</div>{FOOTER}<script>{script}</script></body></html>""")


HOME = _page("某县测试局", "首页", """<ul class="list">
<li><a href="/gzdt/t20210610_1.html">县测试局召开二〇二一年第二季度工作会议</a><span>2021-06-10</span></li>
<li><a href="/gzdt/t20210602_1.html">县测试局开展安全生产月宣传活动</a><span>2021-06-02</span></li>
</ul>""")

FETCH_LIST = """fetch('/api/tzgg.json').then(function (r) { return r.json(); }).then(function (rows) {
  var html = '';
  rows.forEach(function (row) {
    html += '<li><a href="' + row.u + '">' + row.t + '</a><span>' + row.d + '</span></li>';
  });
  document.getElementById('list').innerHTML = html;
});"""
XHR_LIST = """var xhr = new XMLHttpRequest();
xhr.open('GET', '/api/zcwj.json');
xhr.onload = function () {
  var rows = JSON.parse(xhr.responseText), html = '';
  for (var i = 0; i < rows.length; i++) {
    html += '<li><a href="' + rows[i].u + '">' + rows[i].t + '</a><span>' + rows[i].d + '</span></li>';
  }
  document.getElementById('list').innerHTML = html;
};
xhr.send();"""

TZGG = _page("通知公告", "通知公告", '<ul class="list" id="list"></ul>', FETCH_LIST)
ZCWJ = _page("政策文件", "政策文件", '<ul class="list" id="list"></ul>', XHR_LIST)
GZDT = _page("工作动态", "工作动态", """<ul class="list">
<li><a href="/gzdt/t20210610_1.html">县测试局召开二〇二一年第二季度工作会议</a><span>2021-06-10</span></li>
<li><a href="/gzdt/t20210602_1.html">县测试局开展安全生产月宣传活动</a><span>2021-06-02</span></li>
<li><a href="/gzdt/t20210520_1.html">县测试局组织业务培训</a><span>2021-05-20</span></li>
</ul>""")
TZGG_ROWS = [
    {"t": "关于开展二〇二一年度统计执法检查的通知", "u": "/tzgg/t20210601_1.html", "d": "2021-06-01"},
    {"t": "关于做好端午节期间值班工作的通知", "u": "/tzgg/t20210520_1.html", "d": "2021-05-20"},
    {"t": "关于调整办公时间的公告", "u": "/tzgg/t20210411_1.html", "d": "2021-04-11"},
]
ARTICLE = _page("文章", "正文", "<h1>文章</h1><p>正文内容。</p>")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Debian chromium is required for browser tests: apt-get install -y chromium fonts-noto-cjk")
    return path


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    app = web.Application()

    def html(text: str):  # noqa: ANN202 - aiohttp handler factory
        async def handler(request: web.Request) -> web.Response:
            return web.Response(text=text, content_type="text/html", charset="utf-8")

        return handler

    def data(rows: list[dict[str, str]]):  # noqa: ANN202 - aiohttp handler factory
        async def handler(request: web.Request) -> web.Response:
            return web.Response(text=json.dumps(rows, ensure_ascii=False), content_type="application/json",
                                charset="utf-8")

        return handler

    app.router.add_get("/", html(HOME))
    app.router.add_get("/tzgg/", html(TZGG))
    app.router.add_get("/zcwj/", html(ZCWJ))
    app.router.add_get("/gzdt/", html(GZDT))
    app.router.add_get("/api/tzgg.json", data(TZGG_ROWS))
    app.router.add_get("/api/zcwj.json", data([]))
    app.router.add_get(r"/{column:(gzdt|tzgg)}/{name:t\d+_\d+\.html}", html(ARTICLE))
    runner = web.AppRunner(app)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    port = runner.addresses[0][1]
    try:
        yield Site(site_code="4408820098", name="某县测试局网站", homepage=f"http://127.0.0.1:{port}/",
                   region="广东省/湛江市/雷州市", host_org="某县测试局", kind=SiteKind.DEPARTMENT)
    finally:
        await runner.cleanup()


async def _inspect(site: Site, tmp: Path, as_of: datetime, *, processes: int = 0) -> RunResult:
    tmp.mkdir(parents=True, exist_ok=True)
    settings = load_settings(database_url=f"sqlite:///{tmp / 'g.db'}",
                             fetch={"allow_private": True, "retries": 0},
                             crawl={"page_budget": 40, "analysis_processes": processes},
                             security={"enabled": False})
    with Store.open(settings.database_url) as store:
        return await run_inspection([site], settings, as_of=as_of, out_dir=tmp / "out", store=store)


def _column_findings(result: RunResult, path: str) -> dict[str, Finding]:
    (site_result,) = result.sites
    assert not site_result.error, site_result.error
    return {f.check: f for f in site_result.findings if f.check.startswith("column.") and f.url.endswith(path)}


async def test_fetched_list_is_read_from_the_rendered_page_and_judged(chromium: str, site: Site,
                                                                      tmp_path: Path) -> None:
    late = await _inspect(site, tmp_path / "late", LATE)
    stale = _column_findings(late, "/tzgg/")["column.stale"]
    assert stale.detail["newest"] == "2021-06-01" and stale.detail["category"] == "notice"
    assert stale.detail["age_days"] == 379
    assert stale.target is not None and stale.target.endswith("/tzgg/t20210601_1.html")
    assert stale.evidence.locator == "css:ul#list > li"  # a row the script wrote
    assert stale.evidence.warc_record  # the static column page's record
    assert "column.empty" not in _column_findings(late, "/tzgg/")

    early = await _inspect(site, tmp_path / "early", EARLY)
    assert _column_findings(early, "/tzgg/") == {}  # judged fresh: 14 days within 183
    assert "column.stale" not in _column_findings(early, "/gzdt/")  # news 5 days old
    assert "column.empty" in _column_findings(early, "/zcwj/")  # judged in that run too


async def test_script_list_rendering_to_nothing_is_an_empty_column(chromium: str, site: Site,
                                                                   tmp_path: Path) -> None:
    result = await _inspect(site, tmp_path, LATE)
    empty = _column_findings(result, "/zcwj/")
    assert set(empty) == {"column.empty"}
    assert "列表经浏览器渲染后读取" in empty["column.empty"].detail["empty_reason"]
    assert empty["column.empty"].detail["category"] == "policy"


async def test_worker_process_judges_as_the_run_process_does(chromium: str, site: Site, tmp_path: Path) -> None:
    here = await _inspect(site, tmp_path / "here", LATE, processes=0)
    pooled = await _inspect(site, tmp_path / "pool", LATE, processes=1)

    def columns(result: RunResult) -> list[tuple[str, str, str]]:
        (s,) = result.sites
        assert not s.error, s.error
        return sorted((f.check, f.url.split("/", 3)[-1], json.dumps(f.detail, sort_keys=True, ensure_ascii=False))
                      for f in s.findings if f.check.startswith("column."))

    assert columns(pooled) == columns(here)
    assert {c[:2] for c in columns(here)} >= {("column.stale", "tzgg/"), ("column.empty", "zcwj/"),
                                              ("column.stale", "gzdt/")}


@pytest.mark.parametrize("processes", [0, 1])
async def test_without_chromium_script_lists_stay_unjudged_and_the_run_goes_on(
        site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int) -> None:
    import govinspect.fetch.render as render

    monkeypatch.setattr(render, "DEFAULT_EXECUTABLE", str(tmp_path / "no-chromium"))
    result = await _inspect(site, tmp_path, LATE, processes=processes)
    assert _column_findings(result, "/tzgg/") == {}
    assert _column_findings(result, "/zcwj/") == {}
    assert "column.stale" in _column_findings(result, "/gzdt/")  # the static list is judged as ever
    (s,) = result.sites
    assert s.score is not None
