"""security.exposed: loopback sites with real exposures, soft-404 sites and near misses, probed then judged."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from govinspect.checks.base import CheckContext, NotApplicable, SiteView
from govinspect.checks.exposed import Exposures, looks_alike
from govinspect.errors import ConfigError
from govinspect.fetch.client import Fetcher
from govinspect.fetch.crawl import crawl_site
from govinspect.fetch.links import LinkChecker
from govinspect.fetch.probes import _rule, gather_security, load_exposed_paths
from govinspect.findings.model import Finding
from govinspect.registry.models import Site, SiteKind
from govinspect.settings import Settings
from tests.mockserver import MockServer

NOW = datetime(2021, 6, 15, 2, 0, tzinfo=UTC)
HOME = ('<html><head><title>雷州市人民政府</title></head><body><p>欢迎</p>'
        '<a href="/uploadfile/2021/05/plan.pdf">规划</a></body></html>')
SOFT_404 = ("<html><head><title>雷州市人民政府</title></head><body><div class='nav'>首页 政务公开</div>"
            "<p>您访问的页面 {path} 不存在或已删除，3 秒后返回首页。</p></body></html>")
CONSOLE = ('<html><head><title>雷州市政府网站内容管理系统</title></head><body><form action="/admin/login.do" '
           'method="post">用户名<input name="u">密码<input type="password" name="p"><button>登录</button>'
           '</form></body></html>')
LISTING = ("<html><head><title>Index of /upload</title></head><body><h1>Index of /upload</h1><pre>"
           '<a href="../">../</a>\n<a href="2021/">2021/</a></pre></body></html>')
IIS_LISTING = ('<html><head><title>www.leizhou.gov.cn - /files/</title></head><body><H1>www.leizhou.gov.cn - /files/'
               '</H1><hr><pre><A HREF="/">[To Parent Directory]</A><br></pre></body></html>')
PHPINFO = ('<!DOCTYPE html><html><head><title>PHP 5.4.16 - phpinfo()</title></head><body><div class="center">'
           '<h1 class="p">PHP Version 5.4.16</h1></div></body></html>')


class Site404(MockServer):
    """MockServer whose unknown paths answer ``fallback(path)`` (a soft-404 site when status is 200)."""

    def __init__(self, fallback: Callable[[str], web.StreamResponse] | None = None) -> None:
        super().__init__()
        self.fallback = fallback

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.path in self.pages or self.fallback is None or request.path == "/robots.txt":
            return await super()._dispatch(request)
        return self.fallback(request.path)


def soft_404(path: str) -> web.StreamResponse:
    return web.Response(text=SOFT_404.format(path=path), content_type="text/html")


def login_everywhere(path: str) -> web.StreamResponse:
    return web.Response(text=CONSOLE.replace("<body>", f"<body><!-- {path} -->"), content_type="text/html")


def to_homepage(path: str) -> web.StreamResponse:
    return web.HTTPFound("/")


SITE = Site(site_code="4408820001", name="雷州市人民政府", homepage="http://www.leizhou.gov.cn/",
            region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)


def inspect(server: MockServer, tmp_path: Path) -> tuple[list[Finding], dict[str, Any]]:
    site = SITE.model_copy(update={"homepage": server.url("/")})
    settings = Settings(fetch={"allow_private": True, "retries": 0, "per_host_rate": 0.0, "total_timeout": 3.0,
                               "obey_robots": False},
                        crawl={"page_budget": 1, "check_external_links": False, "check_images": False},
                        security={"xss_probe": False})

    async def go() -> tuple[Any, dict[str, Any]]:
        async with Fetcher(settings.fetch) as fetcher:
            crawl = await crawl_site(site, settings, fetcher, LinkChecker(fetcher), tmp_path / "s.warc.gz")
            return crawl, await gather_security(site, crawl, fetcher, settings)

    crawl, facts = asyncio.run(go())
    view = SiteView(site=site, homepage=crawl.homepage, extras={"security": facts})
    found = list(Exposures().run(view, CheckContext(as_of=NOW, site=site, observed_at=NOW)))
    return found, facts


ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + os.urandom(1 << 20)

CASES = [
    # positives
    pytest.param({"/.git/HEAD": ("ref: refs/heads/master\n", "text/plain")}, None, {("vcs", "/.git/HEAD")},
                 id="git-head"),
    pytest.param({"/.git/HEAD": ("ref: refs/heads/master\n", "text/plain")}, soft_404, {("vcs", "/.git/HEAD")},
                 id="git-head-on-soft-404-site"),
    pytest.param({"/.svn/entries": ("12\n", "application/octet-stream")}, None, {("vcs", "/.svn/entries")},
                 id="svn-entries"),
    pytest.param({"/.env": ("APP_ENV=production\nDB_PASSWORD=s3cret\n", "text/plain")}, None,
                 {("config", "/.env")}, id="dotenv"),
    pytest.param({"/WEB-INF/web.xml": ('<?xml version="1.0"?>\n<web-app version="3.0"><servlet/></web-app>',
                                       "application/xml")}, None, {("config", "/WEB-INF/web.xml")}, id="web-xml"),
    pytest.param({"/www.zip": (ZIP, "application/zip")}, soft_404, {("backup", "/www.zip")}, id="zip-backup"),
    pytest.param({"/backup.rar": (b"Rar!\x1a\x07\x01\x00" + b"\0" * 100, "application/octet-stream")}, None,
                 {("backup", "/backup.rar")}, id="rar-backup"),
    pytest.param({"/phpinfo.php": (PHPINFO, "text/html")}, None, {("debug", "/phpinfo.php")}, id="phpinfo"),
    pytest.param({"/upload/": (LISTING, "text/html")}, soft_404, {("listing", "/upload/")}, id="apache-listing"),
    pytest.param({"/files/": (IIS_LISTING, "text/html")}, None, {("listing", "/files/")}, id="iis-listing"),
    pytest.param({"/uploadfile/2021/05/": (LISTING.replace("/upload", "/uploadfile/2021/05"), "text/html")}, None,
                 {("listing", "/uploadfile/2021/05/")}, id="attachment-folder-listing"),
    pytest.param({"/admin/": (CONSOLE, "text/html")}, soft_404, {("admin", "/admin/")}, id="admin-console"),
    # negatives
    pytest.param({}, None, set(), id="clean-site-404s"),
    pytest.param({}, soft_404, set(), id="soft-404-200-for-everything"),
    pytest.param({}, login_everywhere, set(), id="login-page-for-every-path"),
    pytest.param({"/": (HOME.replace("<p>欢迎</p>", CONSOLE), "text/html")}, to_homepage, set(),
                 id="everything-redirects-to-homepage-with-login-box"),
    # near misses
    pytest.param({"/.git/HEAD": ("<html><body>ref: refs/heads/master</body></html>", "text/html")}, None, set(),
                 id="near-miss-git-text-inside-html"),
    pytest.param({"/.env": ("APP_ENV=production\n", "text/plain")}, None, set(), id="near-miss-env-one-line"),
    pytest.param({"/www.zip": ("<html><body>文件不存在</body></html>", "text/html")}, None, set(),
                 id="near-miss-zip-path-html"),
    pytest.param({"/www.zip": ("PK is not an archive", "application/zip")}, None, set(),
                 id="near-miss-zip-wrong-magic"),
    pytest.param({"/admin/": (CONSOLE, "text/html", 403)}, None, set(), id="near-miss-console-403"),
    pytest.param({"/admin/": ("<html><head><title>后台管理说明</title></head><body>后台管理已迁移</body></html>",
                              "text/html")}, None, set(), id="near-miss-management-words-no-password"),
    pytest.param({"/login.jsp": (('<html><head><title>个人用户登录</title></head><body><form action="/user/go">'
                                  '<input name="u"><input type="password" name="p"></form></body></html>'),
                                 "text/html")}, None, set(), id="near-miss-citizen-login"),
    pytest.param({"/phpinfo.php": ("<html><title>phpinfo() 是什么</title><body>介绍文章</body></html>",
                                   "text/html")}, None, set(), id="near-miss-phpinfo-article"),
    pytest.param({"/upload/": ("<html><title>上传文件</title><body>Index of 文件列表</body></html>",
                               "text/html")}, None, set(), id="near-miss-upload-page-not-listing"),
]


@pytest.mark.parametrize(("pages", "fallback", "expected"), CASES)
def test_case_table(tmp_path: Path, pages: dict[str, tuple[Any, ...]],
                    fallback: Callable[[str], web.StreamResponse] | None, expected: set[tuple[str, str]]) -> None:
    server = Site404(fallback)
    server.pages["/"] = (HOME, "text/html")
    server.pages["/uploadfile/2021/05/plan.pdf"] = (b"%PDF-1.4\n%%EOF", "application/pdf")
    server.pages.update(pages)
    server.start()
    try:
        found, _ = inspect(server, tmp_path)
    finally:
        server.stop()
    assert {(f.detail["kind"], f.detail["path"]) for f in found} == expected


def test_evidence_masks_secrets_and_reads_only_magic_bytes(tmp_path: Path) -> None:
    server = Site404()
    server.pages["/"] = (HOME, "text/html")
    server.pages["/.env"] = ("APP_ENV=production\nDB_PASSWORD=s3cret\n", "text/plain")
    server.pages["/www.zip"] = (ZIP, "application/zip")
    server.start()
    try:
        found, facts = inspect(server, tmp_path)
    finally:
        server.stop()
    by_kind = {f.detail["kind"]: f for f in found}
    assert "s3cret" not in by_kind["config"].evidence.excerpt
    assert "DB_PASSWORD=***" in by_kind["config"].evidence.excerpt
    assert by_kind["backup"].evidence.excerpt.startswith("magic bytes 504b0304")
    assert by_kind["backup"].detail == {"kind": "backup", "path": "/www.zip", "status": 200}
    archive = next(a for a in facts["exposures"] if a["path"] == "/www.zip")
    assert archive["length"] <= 64 and archive["truncated"], "only the first bytes of an archive are read"
    assert all(f.evidence.warc_record is None or f.evidence.warc_record.startswith("<urn:uuid:") for f in found)


def test_soft_404_likeness() -> None:
    base = {"status": 200, "path": "/gvi1/", "head": SOFT_404.format(path="/gvi1/"), "final_url": "http://x/gvi1/"}
    same = {"status": 200, "path": "/admin/", "head": SOFT_404.format(path="/admin/"), "final_url": "http://x/admin/"}
    other = {"status": 200, "path": "/admin/", "head": CONSOLE, "final_url": "http://x/admin/"}
    assert looks_alike(same, base, 0.9)
    assert not looks_alike(other, base, 0.9)
    assert not looks_alike({**same, "status": 404}, base, 0.9)


def test_not_applicable_without_probes() -> None:
    view = SiteView(site=SITE, homepage=None, extras={})
    with pytest.raises(NotApplicable):
        list(Exposures().run(view, CheckContext(as_of=NOW, site=SITE, observed_at=NOW)))


def test_path_list_is_valid_and_rules_need_content() -> None:
    paths = load_exposed_paths()
    assert {r.kind for r in paths.rules} == {"vcs", "config", "backup", "debug", "listing", "admin"}
    assert all(r.magic for r in paths.rules if r.kind == "backup")
    assert all(r.max_bytes <= 64 for r in paths.rules if r.kind == "backup")
    with pytest.raises(ConfigError, match="status alone proves nothing"):
        _rule({"path": "/x", "kind": "vcs", "status": [200]}, "paths[0]")
    with pytest.raises(ConfigError, match="kind"):
        _rule({"path": "/x", "kind": "secret", "any": ["x"]}, "paths[0]")
