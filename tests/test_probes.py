"""fetch.probes: the safe security probes over real loopback sites (budget, guard, robots, WARC, payload)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web

from govinspect.archive.pageview import PageView
from govinspect.archive.warc import WarcWriter, iter_responses
from govinspect.fetch.client import Fetcher
from govinspect.fetch.crawl import SiteCrawl, crawl_site
from govinspect.fetch.links import LinkChecker
from govinspect.fetch.probes import (
    MARKER,
    PAYLOAD_SUFFIX,
    find_reflections,
    find_xss_candidates,
    gather_security,
    load_exposed_paths,
)
from govinspect.registry.models import Site, SiteKind
from govinspect.settings import Settings
from tests.mockserver import MockServer


class SearchServer(MockServer):
    """MockServer plus a search endpoint that echoes ``keywords`` unescaped (dynamic, by query)."""

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/search":
            words = request.query.get("keywords", "")
            return web.Response(text=f"<html><body><p>搜索结果：{words}</p></body></html>",
                                content_type="text/html")
        return await super()._dispatch(request)


HOME = """<html><head><meta charset="utf-8"><title>雷州市人民政府</title></head><body>
<div class="nav"><a href="/zwgk/">政务公开</a></div>
<form action="/search" method="get"><input type="hidden" name="siteid" value="雷州">
<input type="text" name="keywords"><input type="submit" name="go" value="搜索"></form>
<form action="/login" method="post"><input name="user"><input type="password" name="pw"></form>
<a href="/search?keywords=%E6%94%BF%E5%8A%A1&page=1">政务</a>
<a href="/list?id=7">列表</a>
</body></html>"""


@pytest.fixture
def site_server() -> Any:
    server = SearchServer()
    server.pages["/"] = (HOME, "text/html; charset=utf-8")
    server.pages["/zwgk/"] = ("<html><body><p>政务公开</p></body></html>", "text/html")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def site_for(server: MockServer) -> Site:
    return Site(site_code="4408820001", name="雷州市人民政府", homepage=server.url("/"), region="广东省/湛江市/雷州市",
                host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)


def make_settings(*, allow_private: bool = True, obey_robots: bool = False, **security: Any) -> Settings:
    return Settings(
        fetch={"allow_private": allow_private, "retries": 0, "backoff": 0.01, "total_timeout": 3.0,
               "per_host_rate": 0.0, "obey_robots": obey_robots},
        crawl={"page_budget": 5, "check_external_links": False, "check_images": False},
        security=security,
    )


async def crawl_then_probe(server: MockServer, tmp_path: Path, settings: Settings,
                           probe_settings: Settings | None = None) -> tuple[SiteCrawl, dict[str, Any], Path]:
    """A real crawl, then the probes (optionally with another client, e.g. one that refuses loopback)."""
    site = site_for(server)
    async with Fetcher(settings.fetch) as fetcher:
        crawl = await crawl_site(site, settings, fetcher, LinkChecker(fetcher), tmp_path / "site.warc.gz")
    server.reset()
    probing = probe_settings or settings
    warc_path = tmp_path / "probes.warc.gz"
    async with Fetcher(probing.fetch) as fetcher:
        writer = WarcWriter(warc_path, user_agent=fetcher.user_agent)
        try:
            facts = await gather_security(site, crawl, fetcher, probing, writer)
        finally:
            writer.close()
    return crawl, facts, warc_path


def probe_requests(server: MockServer) -> list[str]:
    return [path for _, path, _, _ in server.requests if not path.startswith("/robots.txt")]


# --- requests: budget, guard, robots, archive -------------------------------------------------------


@pytest.mark.parametrize("budget", [0, 1, 5, 12, 40])
def test_requests_never_exceed_the_budget(site_server: MockServer, tmp_path: Path, budget: int) -> None:
    settings = make_settings(max_probe_requests=budget)
    _, facts, _ = asyncio.run(crawl_then_probe(site_server, tmp_path, settings))
    sent = probe_requests(site_server)
    assert len(sent) <= budget
    assert facts["requests"] <= budget
    assert len(sent) <= facts["requests"]
    if budget == 40:
        assert facts["skipped"].get("budget", 0) == 0
        assert any(p.startswith("/search?") for p in sent), "the search form was probed"
    if 0 < budget < 30:
        assert facts["skipped"]["budget"] > 0, "the path list is longer than the budget"


def test_redirect_hops_count_against_the_budget(tmp_path: Path) -> None:
    server = SearchServer()
    server.pages["/"] = (HOME, "text/html")
    server.start()
    try:
        # every probed path redirects twice before answering
        for rule in load_exposed_paths().rules:
            server.pages[rule.path] = ("", "text/html", 404)
        _, facts, _ = asyncio.run(crawl_then_probe(server, tmp_path, make_settings(max_probe_requests=7)))
        assert len(probe_requests(server)) <= 7
        server.reset()

        class Redirecting(SearchServer):
            async def _dispatch(self, request: web.Request) -> web.StreamResponse:
                if request.path not in ("/", "/robots.txt") and not request.path.startswith("/hop"):
                    raise web.HTTPFound(f"/hop1{request.path}")
                if request.path.startswith("/hop1"):
                    raise web.HTTPFound("/hop2" + request.path[5:])
                return await super()._dispatch(request)

        redirecting = Redirecting()
        redirecting.pages["/"] = (HOME, "text/html")
        redirecting.start()
        try:
            for budget in (3, 8, 13):
                redirecting.reset()
                _, facts, _ = asyncio.run(crawl_then_probe(redirecting, tmp_path, make_settings(max_probe_requests=budget)))
                assert len(probe_requests(redirecting)) <= budget, probe_requests(redirecting)
                assert facts["requests"] <= budget
        finally:
            redirecting.stop()
    finally:
        server.stop()


def test_guard_refuses_every_probe_to_loopback(site_server: MockServer, tmp_path: Path) -> None:
    crawl, facts, _ = asyncio.run(crawl_then_probe(
        site_server, tmp_path, make_settings(), probe_settings=make_settings(allow_private=False)))
    assert crawl.homepage_result is not None and crawl.homepage_result.ok  # the crawl itself was allowed
    assert facts["enabled"] is True
    assert site_server.requests == [], "nothing may reach 127.0.0.1 when private addresses are refused"
    answers = facts["exposures"] + facts["baselines"] + facts["xss"]
    assert answers, "probes were attempted"
    assert {a["failure"] for a in answers} == {"private_address"}


def test_robots_disallowed_paths_are_not_probed(site_server: MockServer, tmp_path: Path) -> None:
    site_server.robots = "User-agent: *\nDisallow: /admin/\nDisallow: /search\n"
    _, facts, _ = asyncio.run(crawl_then_probe(site_server, tmp_path, make_settings(obey_robots=True)))
    sent = probe_requests(site_server)
    assert not any(p.startswith(("/admin/", "/search")) for p in sent)
    assert any(p == "/.git/HEAD" for p in sent)
    assert facts["skipped"]["robots"] >= 2


def test_switches_turn_probes_off(site_server: MockServer, tmp_path: Path) -> None:
    _, facts, _ = asyncio.run(crawl_then_probe(site_server, tmp_path, make_settings(enabled=False)))
    assert facts["enabled"] is False and probe_requests(site_server) == []
    site_server.reset()
    _, facts, _ = asyncio.run(crawl_then_probe(site_server, tmp_path, make_settings(xss_probe=False)))
    assert facts["xss"] == [] and not any(p.startswith("/search") for p in probe_requests(site_server))
    site_server.reset()
    _, facts, _ = asyncio.run(crawl_then_probe(site_server, tmp_path, make_settings(exposed_paths=False)))
    assert facts["exposures"] == [] and facts["baselines"] == []
    assert {p.split("?")[0] for p in probe_requests(site_server)} == {"/search"}


def test_unreachable_homepage_sends_nothing(tmp_path: Path) -> None:
    server = SearchServer()
    server.pages["/"] = ("", "text/html", 500)
    server.start()
    try:
        site = site_for(server)
        crawl = SiteCrawl(site=site, homepage=None, homepage_result=None)
        settings = make_settings()

        async def go() -> dict[str, Any]:
            async with Fetcher(settings.fetch) as fetcher:
                return await gather_security(site, crawl, fetcher, settings)

        facts = asyncio.run(go())
        assert facts["enabled"] is False and server.requests == []
    finally:
        server.stop()


def test_probe_answers_are_archived(site_server: MockServer, tmp_path: Path) -> None:
    _, facts, warc_path = asyncio.run(crawl_then_probe(site_server, tmp_path, make_settings()))
    archived = {record_id: result for record_id, result in iter_responses(warc_path)}
    answers = facts["exposures"] + facts["baselines"] + facts["xss"]
    assert answers
    for answer in answers:
        assert answer["warc_record"] in archived
    xss = facts["xss"][0]
    assert archived[xss["warc_record"]].url == xss["url"]


def test_the_marker_is_inert_and_sent_by_get_only(site_server: MockServer, tmp_path: Path) -> None:
    _, facts, _ = asyncio.run(crawl_then_probe(site_server, tmp_path, make_settings()))
    searches = [(m, p) for m, p, _, _ in site_server.requests if p.startswith("/search")]
    assert searches and all(method == "GET" for method, _ in searches)
    for _, path in searches:
        value = parse_qs(urlsplit(path).query)["keywords"][0]
        assert re.fullmatch(r"gvi[0-9a-f]{8}" + re.escape(PAYLOAD_SUFFIX), value)
        assert "script" not in value.lower() and not set("=()/ ") & set(value), "no script, handler or call"
    assert all(m == "GET" for m, _, _, _ in site_server.requests), "no POST, not even to the login form"
    assert not any(p.split("?")[0] == "/login" for _, p, _, _ in site_server.requests)
    form_probe = next(x for x in facts["xss"] if x["source"] == "form")
    query = parse_qs(urlsplit(form_probe["url"]).query)
    assert query["siteid"] == ["雷州"], "the form's hidden fields go along"
    assert "go" not in query, "submit buttons are left out"


# --- candidates and the reflection scanner (pure) ---------------------------------------------------


def _page(html: str, url: str = "http://www.leizhou.gov.cn/") -> PageView:
    return PageView(url, html)


CANDIDATE_CASES = [
    pytest.param('<form action="/s" method="get"><input name="q"></form>', [("/s", "q", "form")], id="get-form"),
    pytest.param('<form action="/s"><input type="search" name="wd"></form>', [("/s", "wd", "form")],
                 id="method-defaults-to-get"),
    pytest.param('<form action="/s" method="POST"><input name="q"></form>', [], id="post-form-never"),
    pytest.param('<form action="/s" method="get"><input type="hidden" name="q"></form>', [],
                 id="near-miss-hidden-only"),
    pytest.param('<form action="http://other.example.com/s" method="get"><input name="q"></form>', [],
                 id="foreign-host"),
    pytest.param('<form action="http://so.leizhou.gov.cn/s" method="get"><input name="q"></form>',
                 [("http://so.leizhou.gov.cn/s", "q", "form")], id="own-subdomain"),
    pytest.param('<a href="/search.jsp?searchword=x&channel=1">s</a>', [("/search.jsp", "searchword", "link")],
                 id="search-link"),
    pytest.param('<a href="/list.jsp?id=3&page=2">s</a>', [], id="near-miss-link-without-search-param"),
    pytest.param('<form action="/s" method="get"><input name="a"><input name="b"><input name="c"><input name="d">'
                 '</form>', [("/s", "a", "form"), ("/s", "b", "form"), ("/s", "c", "form")], id="three-per-form"),
]


@pytest.mark.parametrize(("html", "expected"), CANDIDATE_CASES)
def test_candidates(html: str, expected: list[tuple[str, str, str]]) -> None:
    def in_scope(url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return host == "www.leizhou.gov.cn" or host.endswith(".leizhou.gov.cn")

    found = find_xss_candidates([_page(f"<html><body>{html}</body></html>")], in_scope)
    got = [(c.action.replace("http://www.leizhou.gov.cn", ""), c.parameter, c.source) for c in found]
    assert got == expected


def test_candidates_are_deduplicated_and_capped() -> None:
    forms = "".join(f'<form action="/s{i}" method="get"><input name="q"></form>' for i in range(20))
    pages = [_page(f"<html><body>{forms}</body></html>"), _page(f"<html><body>{forms}</body></html>")]
    found = find_xss_candidates(pages, lambda url: True, limit=10)
    assert len(found) == 10
    assert len({(c.action, c.parameter) for c in found}) == 10


T = "gvi0a1b2c3d"

REFLECTION_CASES = [
    pytest.param(f"<p>{T}\"'<{MARKER}></p>", "text", "", "", id="text"),
    pytest.param(f'<input value="{T}&quot;">', "attribute", '"', "", id="attribute-dq"),
    pytest.param(f"<input value='{T}'>", "attribute", "'", "", id="attribute-sq"),
    pytest.param(f"<input value={T}>", "attribute", "", "", id="attribute-unquoted"),
    pytest.param(f'<script>var q = "{T}";</script>', "script", '"', "string", id="script-dq"),
    pytest.param(f"<script>var q = 'a\\'{T}';</script>", "script", "'", "string", id="script-escaped-quote-before"),
    pytest.param(f"<script>var q = {T};</script>", "script", "", "code", id="script-code"),
    pytest.param(f"<script>// {T}\n</script>", "script", "", "comment", id="script-comment"),
    pytest.param(f"<!-- {T} -->", "comment", "", "", id="comment"),
    pytest.param(f"<title>{T}</title>", "rcdata", "", "", id="title"),
    pytest.param(f"<textarea>{T}</textarea>", "rcdata", "", "", id="textarea"),
    pytest.param(f'<a title="x>y" href="/">{T}</a>', "text", "", "", id="gt-inside-attribute-is-no-tag-end"),
    pytest.param(f'<SCRIPT type="text/javascript">x="<p>";y="{T}"</SCRIPT>', "script", '"', "string",
                 id="script-upper-case"),
]


@pytest.mark.parametrize(("html", "context", "quote", "js"), REFLECTION_CASES)
def test_reflection_contexts(html: str, context: str, quote: str, js: str) -> None:
    found = find_reflections(f"<html><body>{html}</body></html>", T)
    assert len(found) == 1
    assert (found[0]["context"], found[0]["quote"], found[0]["js"]) == (context, quote, js)
    assert found[0]["excerpt"].count(T) == 1


def test_reflection_echo_and_limits() -> None:
    html = "<p>" + " ".join(f"{T}&quot;&#39;&lt;{MARKER}&gt;" for _ in range(9)) + "</p>"
    found = find_reflections(html, T)
    assert len(found) == 5
    assert found[0]["echo"].startswith(f"&quot;&#39;&lt;{MARKER}&gt;")
    assert find_reflections("<p>nothing here</p>", T) == []
