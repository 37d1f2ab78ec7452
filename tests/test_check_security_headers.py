"""security.headers: protective headers and version leaks of the homepage response."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext, NotApplicable, SiteView
from govinspect.checks.security_headers import SecurityHeaders
from govinspect.fetch.client import Fetcher
from govinspect.fetch.crawl import crawl_site
from govinspect.fetch.links import LinkChecker
from govinspect.findings.model import Finding, Severity
from govinspect.registry.models import Site, SiteKind
from govinspect.scoring.profile import load_profile
from govinspect.settings import Settings
from tests.mockserver import MockServer

NOW = datetime(2021, 6, 15, 2, 0, tzinfo=UTC)
SITE = Site(site_code="4408820001", name="雷州市人民政府", homepage="https://www.leizhou.gov.cn/",
            region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)
GOOD = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("X-Content-Type-Options", "nosniff"),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Content-Security-Policy", "default-src 'self'"),
    ("Server", "nginx"),
]


def without(*names: str) -> list[tuple[str, str]]:
    low = {n.lower() for n in names}
    return [(k, v) for k, v in GOOD if k.lower() not in low]


def judge(headers: list[tuple[str, str]], url: str = "https://www.leizhou.gov.cn/", failure: str = "") -> list[Finding]:
    home = PageView(url, "<html><body>首页</body></html>", warc_record_id="<urn:uuid:h>")
    site = SITE.model_copy(update={"homepage": url})
    view = SiteView(site=site, homepage=home, extras={"headers": headers}, homepage_failure=failure)
    return list(SecurityHeaders().run(view, CheckContext(as_of=NOW, site=site, observed_at=NOW)))


def problems(found: list[Finding]) -> set[tuple[str, str]]:
    return {(f.detail["header"], f.detail["problem"]) for f in found}


CASES = [
    # positives
    pytest.param(without("X-Frame-Options"), "https", {("x_frame_options", "missing")}, id="no-xfo"),
    pytest.param(without("X-Content-Type-Options"), "https", {("x_content_type_options", "missing")}, id="no-xcto"),
    pytest.param(without("Strict-Transport-Security"), "https", {("strict_transport_security", "missing")},
                 id="no-hsts-on-https"),
    pytest.param(without("Content-Security-Policy"), "https", {("content_security_policy", "missing")}, id="no-csp"),
    pytest.param([*without("Server"), ("Server", "nginx/1.18.0")], "https", {("server", "version_leak")},
                 id="server-version"),
    pytest.param([*GOOD, ("X-Powered-By", "PHP/5.4.16")], "https", {("x_powered_by", "version_leak")},
                 id="powered-by-version"),
    pytest.param([*GOOD, ("X-AspNet-Version", "4.0.30319")], "https", {("x_aspnet_version", "version_leak")},
                 id="aspnet-version"),
    pytest.param([*without("X-Frame-Options"), ("X-Frame-Options", "ALLOWALL")], "https",
                 {("x_frame_options", "invalid")}, id="xfo-invalid-value"),
    pytest.param([*without("Strict-Transport-Security"), ("Strict-Transport-Security", "max-age=0")], "https",
                 {("strict_transport_security", "invalid")}, id="hsts-max-age-0"),
    pytest.param([("Content-Type", "text/html"), ("Server", "Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips")], "http",
                 {("x_frame_options", "missing"), ("x_content_type_options", "missing"),
                  ("content_security_policy", "missing"), ("server", "version_leak")}, id="bare-http-site"),
    # negatives
    pytest.param(GOOD, "https", set(), id="all-present"),
    pytest.param(without("Strict-Transport-Security"), "http", set(), id="no-hsts-needed-on-http"),
    # near misses
    pytest.param([*without("X-Frame-Options", "Content-Security-Policy"),
                  ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'self'")], "https", set(),
                 id="near-miss-csp-frame-ancestors-instead-of-xfo"),
    pytest.param([*without("Content-Security-Policy"),
                  ("Content-Security-Policy-Report-Only", "default-src 'self'")], "https",
                 {("content_security_policy", "missing")}, id="near-miss-report-only-csp"),
    pytest.param([*without("Server"), ("Server", "Microsoft-IIS")], "https", set(), id="near-miss-server-no-version"),
    pytest.param([*GOOD, ("X-Powered-By", "ASP.NET")], "https", set(), id="near-miss-powered-by-no-version"),
    pytest.param([(k.lower(), v) for k, v in GOOD], "https", set(), id="near-miss-lower-case-names"),
    pytest.param([*without("X-Content-Type-Options"), ("X-Content-Type-Options", "NoSniff")], "https", set(),
                 id="near-miss-nosniff-case"),
]


@pytest.mark.parametrize(("headers", "scheme", "expected"), CASES)
def test_case_table(headers: list[tuple[str, str]], scheme: str, expected: set[tuple[str, str]]) -> None:
    assert problems(judge(headers, f"{scheme}://www.leizhou.gov.cn/")) == expected


def test_detail_evidence_and_profile() -> None:
    [leak] = judge([*without("Server"), ("Server", "nginx/1.18.0")])
    assert leak.detail == {"header": "server", "problem": "version_leak", "value": "nginx/1.18.0"}
    assert leak.evidence.locator == "header:Server" and leak.evidence.excerpt == "Server: nginx/1.18.0"
    assert leak.evidence.warc_record == "<urn:uuid:h>"
    assert leak.severity is Severity.INFO
    assert load_profile().indicator_for(leak) == ("info.security.headers", Severity.INFO)


def test_not_applicable_when_the_homepage_failed() -> None:
    with pytest.raises(NotApplicable):
        judge([], "https://www.leizhou.gov.cn/")
    with pytest.raises(NotApplicable):
        judge(GOOD, failure="http_status")


def test_params_choose_the_headers() -> None:
    check = SecurityHeaders(SecurityHeaders.Params(required=["x_content_type_options"], leak_headers=[]))
    site = SITE
    view = SiteView(site=site, homepage=None, extras={"headers": [("Server", "nginx/1.18.0")]})
    found = list(check.run(view, CheckContext(as_of=NOW, site=site, observed_at=NOW)))
    assert problems(found) == {("x_content_type_options", "missing")}


class HeaderServer(MockServer):
    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/":
            return web.Response(text="<html><body>首页</body></html>", content_type="text/html",
                                headers={"X-Powered-By": "PHP/7.2.34", "X-Frame-Options": "DENY"})
        return await super()._dispatch(request)


def test_end_to_end_headers_from_the_crawl(tmp_path: Path) -> None:
    server = HeaderServer()
    server.start()
    try:
        site = SITE.model_copy(update={"homepage": server.url("/")})
        settings = Settings(fetch={"allow_private": True, "retries": 0, "obey_robots": False, "total_timeout": 3.0},
                            crawl={"page_budget": 1, "check_external_links": False, "check_images": False})

        async def go() -> Any:
            async with Fetcher(settings.fetch) as fetcher:
                return await crawl_site(site, settings, fetcher, LinkChecker(fetcher), tmp_path / "s.warc.gz")

        crawl = asyncio.run(go())
    finally:
        server.stop()
    view = crawl.to_site_view()
    found = list(SecurityHeaders().run(view, CheckContext(as_of=NOW, site=site, observed_at=NOW)))
    # aiohttp's own "Server: Python/3.x aiohttp/3.x" is a version leak too
    assert problems(found) == {("x_content_type_options", "missing"), ("content_security_policy", "missing"),
                               ("x_powered_by", "version_leak"), ("server", "version_leak")}
    assert all(f.evidence.warc_record == crawl.homepage.warc_record_id for f in found)
