"""newmedia.never_posted: an account that has published nothing since it was opened (开设以来未发布)."""

from __future__ import annotations

import pytest

from datetime import date
from pathlib import Path

from govinspect.checks.silent_accounts import SilentAccounts
from govinspect.newmedia.model import Post
from govinspect.registry.models import AccountStatus
from tests.mockserver import MockServer
from tests.newmedia_support import serve, account, found, inspect, outcome_of, rss, run_one, view

server = pytest.fixture(serve)  # a loopback server per test

EMPTY_ATOM = b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>'


def test_feed_without_entries_is_never_posted(server: MockServer, tmp_path: Path) -> None:
    server.pages["/atom"] = (EMPTY_ATOM, "application/atom+xml")
    out = inspect(account(server.url("/atom"), platform="toutiao"), tmp_path)
    [finding] = found(out, "newmedia.never_posted")
    assert finding.detail["source"] == "atom" and finding.indicator == "veto.newmedia_not_updated"
    assert out.result.score.vetoes == ["veto.newmedia_not_updated"]
    assert any("开设以来未发布" in loss.reason for loss in out.result.score.losses)
    assert outcome_of(out, "newmedia.stale")[0] == "not_applicable"  # judged once, here


def test_page_saying_it_has_no_posts_is_never_posted(server: MockServer, tmp_path: Path) -> None:
    page = "<html><body><div class='menu'><a href='/'>首页</a></div><p>该账号暂未发布任何内容</p></body></html>"
    server.pages["/dy"] = (page.encode("gb18030"), "text/html; charset=gbk")
    [finding] = found(inspect(account(server.url("/dy"), platform="douyin"), tmp_path), "newmedia.never_posted")
    assert finding.detail["shown"] == "暂未发布" and finding.evidence.excerpt == "暂未发布"


def test_account_with_posts_is_not_silent(server: MockServer, tmp_path: Path) -> None:
    server.pages["/feed"] = (rss(("防汛通知", "2021-06-28")), "application/rss+xml")
    out = inspect(account(server.url("/feed")), tmp_path)
    assert outcome_of(out, "newmedia.never_posted") == ("completed", "") and found(out, "newmedia.never_posted") == []


def test_page_listing_nothing_without_saying_so_is_not_judged(server: MockServer, tmp_path: Path) -> None:
    page = "<html><body><div id='app'></div><script src='/app.js'></script><script>fetch('/api/list')</script></body></html>"
    server.pages["/spa"] = (page.encode(), "text/html; charset=utf-8")
    out = inspect(account(server.url("/spa")), tmp_path)
    outcome, message = outcome_of(out, "newmedia.never_posted")
    assert outcome == "skipped" and "script" in message  # near miss: no posts shown is not "never posted"
    assert out.result.score is None


def test_view_cases() -> None:
    assert run_one(SilentAccounts(), view(posts=[Post("通知", None, date(2021, 1, 1))]))[0] == []
    findings, outcome = run_one(SilentAccounts(), view(posts=[], placeholder="暂无内容"))
    assert outcome == "completed" and findings[0].detail["shown"] == "暂无内容"
    closed = view(account("http://x/", status=AccountStatus.CANCELLED), posts=[])
    assert run_one(SilentAccounts(), closed)[1] == "not_applicable"
    assert run_one(SilentAccounts(), view(posts=None))[1] == "skipped"
