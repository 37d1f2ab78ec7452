"""security.xss_reflected: context judgement of the inert marker, then end to end over loopback search pages."""

from __future__ import annotations

import asyncio
import html as htmllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from govinspect.checks.base import CheckContext, NotApplicable, SiteView
from govinspect.checks.xss_reflected import XssReflected, breakout
from govinspect.fetch.client import Fetcher
from govinspect.fetch.crawl import crawl_site
from govinspect.fetch.links import LinkChecker
from govinspect.fetch.probes import MARKER, find_reflections, gather_security
from govinspect.findings.model import Finding
from govinspect.registry.models import Site, SiteKind
from govinspect.settings import Settings
from tests.mockserver import MockServer

NOW = datetime(2021, 6, 15, 2, 0, tzinfo=UTC)
T = "gvi5e6f7a8b"
M = MARKER

CASES = [
    # positives: the breakout characters came back unescaped in their context
    pytest.param(f"<p>搜索：{T}\"'<{M}></p>", "html", id="text-raw"),
    pytest.param(f"<p>{T}&quot;&#39;<{M}></p>", "html", id="text-quotes-escaped-but-not-angle"),
    pytest.param(f"<p>{T}<{M}></p>", "html", id="text-quotes-stripped-angle-raw"),
    pytest.param(f'<input name="q" value="{T}"\'<{M}>">', "attribute", id="attribute-dq-raw"),
    pytest.param(f"<input name='q' value='{T}\"'&lt;{M}&gt;'>", "attribute", id="attribute-sq-quote-raw"),
    pytest.param(f"<input name=q value={T}&quot;&#39;&lt;{M}>>", "attribute", id="attribute-unquoted-gt-raw"),
    pytest.param(f'<script>var kw = "{T}"\'<{M}>";</script>', "script", id="script-dq-raw"),
    pytest.param(f"<script>var kw = '{T}\\\"'<{M}>';</script>", "script", id="script-sq-only-dq-escaped"),
    pytest.param(f'<script>var kw = "{T}\\\\"\'<{M}>";</script>', "script", id="script-escaped-backslash-then-quote"),
    pytest.param(f"<script>search({T}\"'<{M}>);</script>", "script", id="script-code"),
    # negatives: escaped as they should be
    pytest.param(f"<p>{T}&quot;&#39;&lt;{M}&gt;</p>", None, id="text-escaped"),
    pytest.param(f"<p>{T}&#34;&#x27;&#60;{M}&#62;</p>", None, id="text-numeric-entities"),
    pytest.param(f'<input value="{T}&quot;\'<{M}>">', None, id="attribute-dq-own-quote-escaped"),
    pytest.param(f"<input value='{T}\"&#39;<{M}>'>", None, id="attribute-sq-own-quote-escaped"),
    pytest.param(f'<script>var kw = "{T}\\"\'<{M}>";</script>', None, id="script-dq-backslash-escaped"),
    pytest.param(f"<script>var kw = '{T}\"\\'<{M}>';</script>", None, id="script-sq-backslash-escaped"),
    pytest.param(f'<script>var kw = "{T}&quot;&#39;&lt;{M}&gt;";</script>', None, id="script-html-entities"),
    pytest.param(f"<script>var kw = '{T}\\x22\\x27\\x3c{M}\\x3e';</script>", None, id="script-hex-escaped"),
    # near misses
    pytest.param(f'<input value="{T}{M}">', None, id="near-miss-attribute-chars-stripped-own-quote-follows"),
    pytest.param(f"<p>{T}{M}</p>", None, id="near-miss-text-all-stripped"),
    pytest.param(f"<p>{T}\"'</p>", None, id="near-miss-marker-cut-off"),
    pytest.param(f"<!-- 搜索词 {T}\"'<{M}> -->", None, id="near-miss-html-comment"),
    pytest.param(f"<title>{T}\"'<{M}> - 搜索</title>", None, id="near-miss-title"),
    pytest.param(f"<textarea>{T}\"'<{M}></textarea>", None, id="near-miss-textarea"),
    pytest.param(f"<script>// {T}\"'<{M}>\n</script>", None, id="near-miss-script-comment"),
    pytest.param(f"<script>var t = `{T}\"'<{M}>`;</script>", None, id="near-miss-template-literal"),
    pytest.param(f"<style>/* {T}\"'<{M}> */</style>", None, id="near-miss-style"),
]


@pytest.mark.parametrize(("html", "expected"), CASES)
def test_case_table(html: str, expected: str | None) -> None:
    found = find_reflections(f"<html><body>{html}</body></html>", T)
    assert found, "the token must be found"
    assert breakout(found[0]) == expected


def ctx_for(site: Site) -> CheckContext:
    return CheckContext(as_of=NOW, site=site, observed_at=NOW)


SITE = Site(site_code="4408820001", name="雷州市人民政府", homepage="http://www.leizhou.gov.cn/",
            region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)


def run(extras: dict[str, Any]) -> list[Finding]:
    return list(XssReflected().run(SiteView(site=SITE, homepage=None, extras=extras), ctx_for(SITE)))


def probe(html: str, **over: Any) -> dict[str, Any]:
    return {"page": "http://www.leizhou.gov.cn/", "action": "http://www.leizhou.gov.cn/search", "parameter": "q",
            "source": "form", "url": f"http://www.leizhou.gov.cn/search?q={T}", "token": T, "status": 200,
            "content_type": "text/html", "warc_record": "<urn:uuid:1>",
            "reflections": find_reflections(html, T), **over}


def test_detail_and_evidence() -> None:
    found = run({"security": {"enabled": True, "xss": [probe(f"<p>{T}\"'<{M}></p>")]}})
    assert len(found) == 1
    f = found[0]
    assert f.check == "security.xss_reflected"
    assert f.url == "http://www.leizhou.gov.cn/search" and f.target == "q"
    assert f.detail == {"parameter": "q", "context": "html", "form": "http://www.leizhou.gov.cn/", "source": "form"}
    assert f"<{M}>" in f.evidence.excerpt and f.evidence.warc_record == "<urn:uuid:1>"
    assert f.evidence.locator.endswith(f"q={T}")


def test_non_html_answers_and_duplicates() -> None:
    raw = f"<p>{T}\"'<{M}></p><p>{T}\"'<{M}></p>"
    assert run({"security": {"enabled": True, "xss": [probe(raw, content_type="application/json")]}}) == []
    assert len(run({"security": {"enabled": True, "xss": [probe(raw)]}})) == 1, "one finding per context"


def test_not_applicable_without_probes() -> None:
    with pytest.raises(NotApplicable):
        run({})
    with pytest.raises(NotApplicable):
        run({"security": {"enabled": True, "xss": []}})


# --- end to end: real search pages on loopback --------------------------------------------------------


class SearchPages(MockServer):
    """Four search endpoints that put ``q`` in different places, escaped or not, and one JSON API."""

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        q = request.query.get("q", "")
        body = {
            "/s/raw": f"<p>您搜索的是：{q}</p>",
            "/s/escaped": f"<p>您搜索的是：{htmllib.escape(q)}</p><input value=\"{htmllib.escape(q)}\">",
            "/s/attr": f'<input name="q" value="{q.replace("<", "&lt;").replace(">", "&gt;")}">',
            "/s/script": f'<script>var kw = "{q.replace("<", "&lt;")}";</script>',
            "/s/script-safe": "<script>var kw = " + q.replace("\\", "\\\\").replace('"', '\\"').join('""')
                              .replace("<", "\\x3c") + ";</script>",
        }.get(request.path)
        if body is not None:
            return web.Response(text=f"<html><body>{body}</body></html>", content_type="text/html")
        if request.path == "/s/api":
            return web.Response(text=f'{{"q": "{q}"}}', content_type="application/json")
        return await super()._dispatch(request)


HOME = "<html><head><title>首页</title></head><body>" + "".join(
    f'<form action="/s/{name}" method="get"><input type="text" name="q"></form>'
    for name in ("raw", "escaped", "attr", "script", "script-safe", "api")) + "</body></html>"


def test_end_to_end_over_loopback(tmp_path: Path) -> None:
    server = SearchPages()
    server.pages["/"] = (HOME, "text/html")
    server.start()
    try:
        site = SITE.model_copy(update={"homepage": server.url("/")})
        settings = Settings(fetch={"allow_private": True, "retries": 0, "per_host_rate": 0.0, "total_timeout": 3.0,
                                   "obey_robots": False},
                            crawl={"page_budget": 1, "check_external_links": False, "check_images": False},
                            security={"exposed_paths": False})

        async def go() -> dict[str, Any]:
            async with Fetcher(settings.fetch) as fetcher:
                crawl = await crawl_site(site, settings, fetcher, LinkChecker(fetcher), tmp_path / "s.warc.gz")
                return await gather_security(site, crawl, fetcher, settings)

        facts = asyncio.run(go())
        assert len(facts["xss"]) == 6
        found = list(XssReflected().run(SiteView(site=site, homepage=None, extras={"security": facts}), ctx_for(site)))
        got = {(f.url.rsplit("/", 1)[-1], f.detail["context"]) for f in found}
        assert got == {("raw", "html"), ("attr", "attribute"), ("script", "script")}
    finally:
        server.stop()
