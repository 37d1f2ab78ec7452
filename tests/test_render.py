"""fetch/render.py against Debian's Chromium and a loopback aiohttp server (apt: chromium, fonts-noto-cjk)."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from aiohttp import web

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext, SiteView
from govinspect.checks.dark_links import DarkLinks
from govinspect.content.hidden import pages_needing_render
from govinspect.fetch.render import RenderError, host_resolver_rules, render_pages
from govinspect.registry.models import Site, SiteKind
from govinspect.settings import Settings

pytestmark = pytest.mark.browser

HOST = "www.render-test.gov.cn"

HOME_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>某县人民政府</title>
<link rel="stylesheet" href="/css/site.css"></head><body>
<div class="nav"><a href="/zwgk/">政务公开</a></div>
<div class="gg-2021"><a href="http://r1.example.com/">乐鱼体育</a></div>
<div style="height:1px;overflow:hidden"><a href="http://r2.example.com/">老虎机</a></div>
<p style="background:#ffffff"><a style="color:#fefefe" href="http://r3.example.com/">时时彩</a></p>
<p><a href="http://www.icbc.com.cn/">中国工商银行</a></p>
<script>document.write('<a href="http://written.example.com/">写入链接</a>');</script>
<script src="http://evil.example.net/tj.js"></script>
<img src="http://tracker.example.org/p.gif">
</body></html>"""

LOOP_HTML = """<html><body><a href="http://loop.example.com/">x</a>
<div style="display:none"><a href="http://loop-hidden.example.com/">澳门新葡京</a></div>
<script>while (true) {}</script></body></html>"""

TIMER_LOOP_HTML = """<html><body><a href="/a.html">内部</a>
<script>setTimeout(function () { document.body.insertAdjacentHTML('beforeend',
'<div style="position:absolute;left:-5000px"><a href="http://late.example.com/">百家乐</a></div>'); while (true) {} }, 50);</script>
</body></html>"""


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Debian chromium is required for browser tests: apt-get install -y chromium fonts-noto-cjk")
    return path


@pytest.fixture
async def server() -> AsyncIterator[int]:
    app = web.Application()

    async def serve(text: str, ctype: str = "text/html") -> web.Response:
        return web.Response(text=text, content_type=ctype, charset="utf-8")

    async def home(request: web.Request) -> web.Response:
        return await serve(HOME_HTML)

    def fixed(text: str, ctype: str = "text/html"):  # noqa: ANN202 - aiohttp handler factory
        async def handler(request: web.Request) -> web.Response:
            return await serve(text, ctype)

        return handler

    app.router.add_get("/", home)
    app.router.add_get("/css/site.css", fixed(".gg-2021{position:absolute;left:-3000px}", "text/css"))
    app.router.add_get("/loop", fixed(LOOP_HTML))
    app.router.add_get("/timer", fixed(TIMER_LOOP_HTML))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield port
    await runner.cleanup()


def settings_for(port: int, *, allow_private: bool = True) -> Settings:
    return Settings(fetch={"allow_private": allow_private, "resolve": [f"{HOST}:{port}:127.0.0.1"]})


async def test_link_visibility_facts(server: int, chromium: str, tmp_path: Path) -> None:
    url = f"http://{HOST}:{server}/"
    results = await render_pages([url], settings_for(server), executable_path=chromium, page_timeout=10,
                                 screenshot_dir=tmp_path)
    result = results[url]
    assert result["error"] is None and result["status"] == 200
    links = {link["href"]: link for link in result["links"]}
    assert links[f"http://{HOST}:{server}/zwgk/"]["visible"] is True
    assert links["http://r1.example.com/"]["visible"] is False
    assert links["http://r1.example.com/"]["reasons"] == ["off screen"]
    assert links["http://r1.example.com/"]["box"]["x"] < -2000
    assert links["http://r2.example.com/"]["reasons"][0].startswith("clipped by")
    assert links["http://r3.example.com/"]["reasons"][0].startswith("text colour")
    assert links["http://www.icbc.com.cn/"]["visible"] is True
    assert links["http://written.example.com/"]["visible"] is True  # script-written, on screen
    # nothing left loopback for other hosts: the external script and image were refused
    assert "http://evil.example.net/tj.js" in result["blocked"]
    assert "http://tracker.example.org/p.gif" in result["blocked"]
    shot = Path(result["screenshot"])
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_rendered_results_feed_dark_link_check(server: int, chromium: str) -> None:
    url = f"http://{HOST}:{server}/"
    html = HOME_HTML
    page = PageView(url, html, warc_record_id="<urn:uuid:r>")
    site = Site(site_code="4408820001", name="测试县", homepage=url, region="广东省", host_org="县政府", kind=SiteKind.PORTAL)
    view = SiteView(site=site, homepage=page, pages=[page])
    todo = pages_needing_render(view)
    assert todo == [url]
    view.extras["rendered"] = await render_pages(todo, settings_for(server), executable_path=chromium, page_timeout=10)
    now = datetime.now(timezone.utc)
    findings = list(DarkLinks().run(view, CheckContext(as_of=now, site=site, observed_at=now, site_view=view)))
    rendered = {f.target for f in findings if f.detail["technique"] == "rendered"}
    static = {f.target for f in findings if f.detail["source"] == "static"}
    assert rendered == {"http://r1.example.com/", "http://r3.example.com/"}
    assert static == {"http://r2.example.com/"}  # height:1px + overflow:hidden is settled without a browser


async def test_runaway_script_is_bounded(server: int, chromium: str) -> None:
    loop_url = f"http://{HOST}:{server}/loop"
    timer_url = f"http://{HOST}:{server}/timer"
    started = time.monotonic()
    results = await render_pages([loop_url, timer_url], settings_for(server), executable_path=chromium,
                                 page_timeout=3)
    assert time.monotonic() - started < 40
    loop = results[loop_url]
    assert loop["error"].startswith("navigation_timeout") and loop["partial"] is True
    hidden = {link["href"]: link["visible"] for link in loop["links"]}
    assert hidden == {"http://loop.example.com/": True, "http://loop-hidden.example.com/": False}
    timer = results[timer_url]
    late = {link["href"]: link for link in timer["links"]}
    assert late["http://late.example.com/"]["reasons"] == ["off screen"]


async def test_private_addresses_refused_without_allow_private(server: int, chromium: str) -> None:
    url = f"http://{HOST}:{server}/"
    results = await render_pages([url, "ftp://x/", f"http://127.0.0.1:{server}/"], settings_for(server, allow_private=False),
                                 executable_path=chromium)
    assert results[url]["error"].startswith("private_address") and "--allow-private" in results[url]["error"]
    assert results["ftp://x/"]["error"].startswith("bad_url")
    assert results[f"http://127.0.0.1:{server}/"]["error"].startswith("private_address")


async def test_max_pages_and_missing_browser(server: int, chromium: str) -> None:
    urls = [f"http://{HOST}:{server}/?p={i}" for i in range(5)]
    results = await render_pages(urls, settings_for(server), executable_path=chromium, max_pages=2, page_timeout=10)
    assert list(results) == urls[:2]
    with pytest.raises(RenderError, match="apt-get install -y chromium"):
        await render_pages(urls[:1], settings_for(server), executable_path="/nonexistent/chromium")
    assert await render_pages([], settings_for(server)) == {}


def test_host_resolver_rules_pin_every_host() -> None:
    rules = host_resolver_rules({("www.a.gov.cn", 8080): "127.0.0.1", ("www.b.gov.cn", 443): "::1"})
    assert rules == "MAP www.a.gov.cn:8080 127.0.0.1, MAP www.b.gov.cn:443 [::1], MAP * ~NOTFOUND"


def test_bad_resolve_setting_names_the_fix() -> None:
    with pytest.raises(RenderError, match="HOST:PORT:ADDR"):
        asyncio.run(render_pages(["http://a.gov.cn/"], Settings(fetch={"resolve": ["a.gov.cn:80"]})))
