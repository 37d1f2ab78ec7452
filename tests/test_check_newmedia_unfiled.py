"""newmedia.unfiled: the account against the 全国政务新媒体信息报送系统 filing list."""

from __future__ import annotations

import pytest

from datetime import date
from pathlib import Path

from govinspect.checks.unfiled_accounts import FilingIndex, UnfiledAccounts, filing_of
from govinspect.newmedia.model import FilingRecord, FilingStatus, Post
from govinspect.registry.models import AccountStatus
from tests.mockserver import MockServer
from tests.newmedia_support import serve, account, found, inspect, outcome_of, rss, run_one, view

server = pytest.fixture(serve)  # a loopback server per test

FILED = FilingRecord("雷州发布", "wechat", filing_no="GD-XMT-0001")


def problems(v) -> list[str]:  # type: ignore[no-untyped-def]
    findings, outcome = run_one(UnfiledAccounts(), v)
    assert outcome == "completed"
    return [f.detail["problem"] for f in findings]


def test_running_account_not_in_the_list_is_unfiled() -> None:
    other = FilingRecord("雷州发布", "weibo")  # same name on another platform is not this account's filing
    assert problems(view(filings=[other])) == ["not_filed"]
    assert problems(view(filings=[FILED])) == []


def test_matching_by_id_filing_number_and_folded_name() -> None:
    acc = account("http://x/", name="雷州 发布", filing_no="gd-xmt-0001")
    assert filing_of(acc, [FilingRecord("旧名称", "wechat", filing_no="GD-XMT-0001")]) is not None
    assert filing_of(account("http://x/"), [FilingRecord("改名后", "wechat", account_id="wx_leizhou")]) is not None
    assert filing_of(acc, [FilingRecord("雷州发布", "wechat")]) is not None
    assert filing_of(account("http://x/", name="雷州市发布"), [FILED]) is None


def test_filing_index_gives_each_account_the_row_the_whole_list_gives() -> None:
    filings = [FilingRecord("雷州发布", "weibo"), FilingRecord("旧名称", "wechat", filing_no="GD-XMT-0001"),
               FilingRecord("雷州 发布", "wechat"), FilingRecord("改名后", "wechat", account_id="wx_leizhou"),
               FilingRecord("湛江发布", "wechat", filing_no="GD-XMT-0009")]
    index = FilingIndex(filings)
    accounts = [account("http://x/"),  # by 账号ID
                account("http://x/", account_id="wx_a", name="新名称", filing_no="gd-xmt-0001"),  # by 备案编号
                account("http://x/", account_id="wx_b", name="雷州发布"),  # by folded name, same platform
                account("http://x/", account_id="wx_c", name="湛江发布")]
    for acc, expected in zip(accounts, (filings[3], filings[1], filings[2], filings[4]), strict=True):
        assert filing_of(acc, filings) is expected
        assert filing_of(acc, index.candidates(acc)) is expected
    near_miss = account("http://x/", account_id="wx_other", name="雷州市发布")
    assert index.candidates(near_miss) == [] and filing_of(near_miss, filings) is None


def test_closed_without_closure_filing_and_still_publishing() -> None:
    closed = account("http://x/", status=AccountStatus.CLOSED)
    v = view(closed, posts=[Post("停更后又发了一条", "http://x/p", date(2021, 6, 25))], filings=[FILED])
    assert problems(v) == ["closure_not_filed", "closed_publishing"]
    quiet = view(closed, posts=[Post("停更公告", None, date(2021, 3, 1))], filings=[FILED])
    assert problems(quiet) == ["closure_not_filed"]


def test_closure_date_in_the_filing_decides_what_is_still_publishing() -> None:
    cancelled = FilingRecord("雷州发布", "wechat", status=FilingStatus.CANCELLED, changed_on=date(2021, 5, 1))
    acc = account("http://x/", status=AccountStatus.CANCELLED)
    on_the_day = view(acc, posts=[Post("关于本账号注销的公告", None, date(2021, 5, 1))], filings=[cancelled])
    assert problems(on_the_day) == []  # near miss: the closure notice itself
    after = view(acc, posts=[Post("注销后又发布", None, date(2021, 5, 20))], filings=[cancelled])
    assert problems(after) == ["closed_publishing"]


def test_cancelled_account_running_again_without_filing() -> None:
    cancelled = FilingRecord("雷州发布", "wechat", status=FilingStatus.CANCELLED, changed_on=date(2021, 1, 10))
    v = view(posts=[Post("恢复更新", None, date(2021, 6, 29))], filings=[cancelled])
    assert problems(v) == ["reopened_without_filing", "closed_publishing"]


def test_through_a_run(server: MockServer, tmp_path: Path) -> None:
    server.pages["/feed"] = (rss(("防汛通知", "2021-06-28")), "application/rss+xml")
    out = inspect(account(server.url("/feed")), tmp_path, filings=[FilingRecord("别的账号", "wechat")])
    [finding] = found(out, "newmedia.unfiled")
    assert finding.indicator == "deduct.newmedia.management" and out.result.score.deductions == 5
    outcome, message = outcome_of(inspect(account(server.url("/feed")), tmp_path), "newmedia.unfiled")
    assert outcome == "skipped" and "filings import" in message


def test_closed_account_is_judged_on_the_filing_list_even_when_its_page_is_gone(
        server: MockServer, tmp_path: Path) -> None:
    acc = account(server.url("/status/404"), status=AccountStatus.CANCELLED)
    filed = FilingRecord("雷州发布", "wechat", status=FilingStatus.CANCELLED, changed_on=date(2021, 1, 1))
    out = inspect(acc, tmp_path, filings=[filed])
    assert found(out, "newmedia.unfiled") == [] and out.result.score is not None and out.result.score.qualified
