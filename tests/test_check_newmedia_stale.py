"""newmedia.stale: the newest post more than 14 days before the monitoring point (内容不更新), read for real
from feeds and pages served on loopback (UTF-8 and GB18030, Chinese and partial dates)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from govinspect.checks.stale_accounts import StaleAccounts
from govinspect.newmedia.model import Post
from govinspect.registry.models import AccountStatus
from tests.mockserver import MockServer
from tests.newmedia_support import serve, CST, account, found, inspect, outcome_of, rss, run_one, view

server = pytest.fixture(serve)  # a loopback server per test

PAGE = """<html><head><meta charset="gb2312"><title>雷州发布</title></head><body>
<div class="nav"><a href="/">首页</a></div>
<ul class="news">{rows}</ul><div class="footer">雷州市人民政府办公室</div></body></html>"""


def _rows(*items: tuple[str, str]) -> str:
    return "".join(f'<li><a href="/a/{n}.html">{t}</a><span>{d}</span></li>' for n, (t, d) in enumerate(items))


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_stale_rss_with_chinese_dates_is_found(server: MockServer, tmp_path: Path, encoding: str) -> None:
    server.pages["/feed"] = (rss(("䶮字村防汛通知", "2021年6月10日"), ("安全生产会议召开", "2021年5月30日"),
                                     encoding=encoding), "application/rss+xml")
    out = inspect(account(server.url("/feed")), tmp_path)
    [finding] = found(out, "newmedia.stale")
    assert finding.detail["newest"] == "2021-06-10" and finding.detail["age_days"] == 20
    assert finding.account_id == "wx_leizhou" and finding.site_code == ""
    assert finding.indicator == "veto.newmedia_not_updated" and "䶮字村防汛通知" in finding.evidence.excerpt
    assert finding.evidence.warc_record and out.result.score.vetoes == ["veto.newmedia_not_updated"]


def test_fresh_gb18030_page_with_partial_dates_is_not_stale(server: MockServer, tmp_path: Path) -> None:
    html = PAGE.format(rows=_rows(("关于做好汛期安全工作的通知", "[06-29]"), ("我市召开全市安全生产工作会议", "[06-12]"),
                                  ("市领导调研乡村振兴工作", "[05-02]")))
    server.pages["/wb"] = (html.encode("gb18030"), "text/html")  # no charset: <meta> gb2312, bytes GB18030
    out = inspect(account(server.url("/wb"), platform="weibo"), tmp_path)
    assert outcome_of(out, "newmedia.stale") == ("completed", "")
    assert found(out, "newmedia.stale") == [] and out.result.score.qualified
    assert out.source_kind == "html" and out.posts == 3


def test_exactly_fourteen_days_is_still_updated(server: MockServer, tmp_path: Path) -> None:
    server.pages["/feed"] = (rss(("防汛工作部署会召开", "Wed, 16 Jun 2021 09:00:00 +0800")), "application/rss+xml")
    out = inspect(account(server.url("/feed")), tmp_path)
    assert found(out, "newmedia.stale") == []  # 2021-06-16 → 2021-06-30: 14 days, within two weeks
    server.pages["/feed"] = (rss(("防汛工作部署会召开", "Tue, 15 Jun 2021 23:00:00 +0800")), "application/rss+xml")
    [finding] = found(inspect(account(server.url("/feed")), tmp_path), "newmedia.stale")
    assert finding.detail["age_days"] == 15


def test_undated_posts_count_as_not_updated() -> None:
    findings, outcome = run_one(StaleAccounts(), view(posts=[Post("无日期的通知", "http://x/1", None)]))
    assert outcome == "completed" and findings[0].detail["newest"] is None
    assert "未注明发布时间" in findings[0].evidence.reason


def test_limit_is_a_parameter() -> None:
    v = view(posts=[Post("通知", None, date(2021, 6, 20))])
    assert run_one(StaleAccounts(), v)[0] == []
    strict = StaleAccounts(StaleAccounts.Params(limit_days=7))
    assert run_one(strict, v)[0][0].detail["limit_days"] == 7


def test_no_posts_and_closed_accounts_are_not_judged_here() -> None:
    assert run_one(StaleAccounts(), view(posts=[]))[1] == "not_applicable"
    closed = view(account("http://x/", status=AccountStatus.CLOSED), posts=[Post("旧文", None, date(2020, 1, 1))])
    assert run_one(StaleAccounts(), closed)[1] == "not_applicable"


def test_unreadable_source_skips_and_leaves_the_account_unscored(server: MockServer, tmp_path: Path) -> None:
    out = inspect(account(server.url("/status/500")), tmp_path)
    outcome, message = outcome_of(out, "newmedia.stale")
    assert outcome == "skipped" and "not fetched" in message
    assert out.result.score is None and out.result.error.startswith("not inspected")


def test_as_of_in_the_past_ignores_later_posts(server: MockServer, tmp_path: Path) -> None:
    server.pages["/feed"] = (rss(("后来的文章", "2021年7月20日"), ("旧文章", "2021年5月1日")), "application/rss+xml")
    [finding] = found(inspect(account(server.url("/feed")), tmp_path), "newmedia.stale")
    assert finding.detail["newest"] == "2021-05-01"  # a date after the monitoring point is never used


def test_relative_dates_count_from_the_fetch(server: MockServer, tmp_path: Path) -> None:
    now = datetime.now(CST)
    html = PAGE.format(rows=_rows(("关于做好汛期安全工作的通知", "3天前"), ("我市召开全市安全生产工作会议", "昨天 10:30"),
                                  ("市领导调研乡村振兴工作", "2小时前")))
    server.pages["/dy"] = (html.encode("utf-8"), "text/html; charset=utf-8")
    out = inspect(account(server.url("/dy"), platform="douyin"), tmp_path, as_of=now)
    assert found(out, "newmedia.stale") == [] and out.posts == 3
    html = PAGE.format(rows=_rows(("关于做好汛期安全工作的通知", "20天前"), ("我市召开全市安全生产工作会议", "3周前"),
                                  ("市领导调研乡村振兴工作", "2个月前")))
    server.pages["/dy"] = (html.encode("utf-8"), "text/html; charset=utf-8")
    [finding] = found(inspect(account(server.url("/dy"), platform="douyin"), tmp_path, as_of=now), "newmedia.stale")
    assert 19 <= finding.detail["age_days"] <= 21
