"""newmedia.menu_broken: an account page's menu link that is dead after a confirming retry."""

from __future__ import annotations

import pytest

import json
from pathlib import Path

from govinspect.checks.broken_menus import BrokenMenus
from govinspect.fetch.types import LinkResult, LinkState
from govinspect.newmedia.model import MenuLink
from tests.mockserver import MockServer
from tests.newmedia_support import serve, account, found, inspect, outcome_of, rss, run_one, view

server = pytest.fixture(serve)  # a loopback server per test

PAGE = """<html><body><div class="wx-menu"><a href="{ok}">办事服务</a><a href="{dead}">政务公开</a>
<a href="{flaky}">互动交流</a><a href="{waf}">便民查询</a></div>
<ul class="list"><li><a href="/a/1.html">关于做好防汛工作的通知</a><span>2021-06-28</span></li>
<li><a href="/a/2.html">我市召开安全生产工作会议</a><span>2021-06-20</span></li></ul>
<p><a href="/status/404">正文里的链接不是菜单</a></p></body></html>"""


def test_dead_menu_is_found_and_transient_or_refused_ones_are_not(server: MockServer, tmp_path: Path) -> None:
    page = PAGE.format(ok="/ok", dead="/status/404", flaky="/flaky?key=menu&fail=1", waf="/waf-403")
    server.pages["/wb"] = (page.encode(), "text/html; charset=utf-8")
    server.pages["/ok"] = (b"<html><body>ok</body></html>", "text/html")
    out = inspect(account(server.url("/wb"), platform="weibo"), tmp_path)
    [finding] = found(out, "newmedia.menu_broken")
    assert finding.target == server.url("/status/404") and finding.detail == {
        "menu": "政务公开", "platform": "weibo", "status": 404, "failure": "http_status"}
    assert finding.indicator == "deduct.newmedia.function"
    assert server.hits["/status/404"] >= 2  # dead only after the confirming request
    assert out.result.score.qualified and out.result.score.deductions == 2


def test_wechat_menu_export_in_json(server: MockServer, tmp_path: Path) -> None:
    doc = {"items": [{"title": "关于做好防汛工作的通知", "url": "/a/1", "date_published": "2021-06-28T09:00:00+08:00"}],
           "menu": {"button": [{"name": "办事", "url": server.url("/ok")},
                               {"name": "更多", "sub_button": [{"name": "旧版", "url": "/status/410"}]}]}}
    server.pages["/wx.json"] = (json.dumps(doc, ensure_ascii=False).encode(), "application/json")
    server.pages["/ok"] = (b"ok", "text/plain")
    [finding] = found(inspect(account(server.url("/wx.json")), tmp_path), "newmedia.menu_broken")
    assert finding.detail["menu"] == "旧版" and finding.detail["status"] == 410


def test_feed_has_no_menus(server: MockServer, tmp_path: Path) -> None:
    server.pages["/feed"] = (rss(("防汛通知", "2021-06-28")), "application/rss+xml")
    outcome, message = outcome_of(inspect(account(server.url("/feed")), tmp_path), "newmedia.menu_broken")
    assert outcome == "skipped" and "no menus" in message


def test_view_cases() -> None:
    ok = MenuLink("办事", "http://x/ok", "css:a", LinkResult("http://x/ok", LinkState.OK, status=200))
    unconfirmed = MenuLink("查询", "http://x/q", "css:a", LinkResult("http://x/q", LinkState.UNCONFIRMED, status=429))
    dead = MenuLink("公开", "http://x/d", "css:a", LinkResult("http://x/d", LinkState.DEAD, error="connection refused"))
    assert run_one(BrokenMenus(), view(menus=[ok, unconfirmed]))[0] == []
    [finding], _ = run_one(BrokenMenus(), view(menus=[ok, dead]))
    assert "connection refused" in finding.evidence.reason
    assert run_one(BrokenMenus(), view(menus=[]))[1] == "completed"
