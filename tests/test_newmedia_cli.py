"""Accounts end to end: `govinspect accounts import / messages import / filings import`, then `inspect
--accounts` (sites and accounts in one run over loopback), findings.jsonl, account_scores.csv and 附件3/4
of `govinspect notice`; the account results store on SQLite and PostgreSQL, resume without duplicates."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govinspect.cli import app
from govinspect.errors import StoreError
from govinspect.findings.model import Finding, RunInfo, SiteResult
from govinspect.findings.store import Store
from govinspect.newmedia.model import AccountMessage
from govinspect.newmedia.store import NewMediaStore
from govinspect.reports.notice import docx_blocks
from govinspect.scoring.engine import classify, score
from govinspect.scoring.profile import load_profile
from tests.conftest import pg_database  # noqa: F401
from tests.mockserver import MockServer
from tests.newmedia_support import serve, AS_OF, account, rss

server = pytest.fixture(serve)  # a loopback server per test

HOME = """<html><head><meta charset="utf-8"><title>雷州市人民政府</title></head><body>
<ul class="news"><li><a href="/site/a1.html">关于做好防汛工作的通知</a><span>2021-06-29</span></li></ul>
<div class="footer">主办单位：雷州市人民政府办公室 网站标识码：4408820001</div></body></html>"""
MENU_PAGE = """<html><body><div class="menu"><a href="/status/404">政务公开</a></div><ul class="list">
<li><a href="/wb/1.html">我市召开全市安全生产工作会议</a><span>[06-28]</span></li>
<li><a href="/wb/2.html">市领导调研乡村振兴工作情况</a><span>[06-20]</span></li></ul></body></html>"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_accounts_and_sites_in_one_run(server: MockServer, tmp_path: Path) -> None:
    s = server
    s.pages["/site/"] = (HOME.encode(), "text/html; charset=utf-8")
    s.pages["/wx.xml"] = (rss(("关于防汛工作的通知", "2021年5月20日")), "application/rss+xml")
    s.pages["/wb"] = (MENU_PAGE.encode("gb18030"), "text/html; charset=gbk")
    s.pages["/dy"] = ("<html><body><p>暂无作品</p></body></html>".encode(), "text/html; charset=utf-8")
    s.pages["/tt.json"] = (json.dumps({"items": [{"title": "雷州新闻发布会", "date_published": "2021-06-29"}]},
                                      ensure_ascii=False).encode(), "application/json")
    db = f"sqlite:///{tmp_path / 'g.db'}"
    (tmp_path / "sites.csv").write_text(
        "网站标识码,网站名称,首页网址,地区,主办单位,网站类型\n"
        f"4408820001,雷州市人民政府门户网站,{s.url('/site/')},广东省/湛江市/雷州市,雷州市人民政府办公室,门户网站\n",
        encoding="utf-8")
    (tmp_path / "accounts.csv").write_text(
        "账号ID,账号名称,平台,地区,主办单位,主页/feed 地址,备案编号,状态\n"
        f"wx1,雷州发布,微信公众号,广东省/湛江市/雷州市,雷州市政府办,{s.url('/wx.xml')},GD-0001,运行\n"
        f"wb1,雷州微博,微博,广东省/湛江市/雷州市,雷州市政府办,{s.url('/wb')},GD-0002,运行\n"
        f"dy1,雷州抖音,抖音,广东省/湛江市,湛江市政府办,{s.url('/dy')},GD-0003,运行\n"
        f"tt1,湛江头条,头条号,广东省/湛江市,湛江市政府办,{s.url('/tt.json')},,运行\n"
        "bad,坏行,不知道,广东省,x,,,\n", encoding="utf-8")
    (tmp_path / "messages.csv").write_text(
        "账号ID,留言编号,留言时间,回复时间,留言内容\nwb1,m1,2021-06-01 09:00,,请问办事时间\n"
        "wb1,m2,2021-06-28 09:00,2021-06-28 10:00,你好\n", encoding="utf-8")
    (tmp_path / "filings.csv").write_text(
        "账号名称,平台,备案编号,状态\n雷州发布,微信公众号,GD-0001,运行\n雷州微博,微博,GD-0002,运行\n"
        "雷州抖音,抖音,GD-0003,运行\n", encoding="utf-8")
    code, out = run("accounts", "import", str(tmp_path / "accounts.csv"), "--db", db)
    assert code == 0 and "imported 4 accounts, 1 bad rows" in out and "platform" in out
    assert run("accounts", "messages", "import", str(tmp_path / "messages.csv"), "--db", db)[1].startswith("2 new")
    assert "3 rows" in run("accounts", "filings", "import", str(tmp_path / "filings.csv"), "--db", db)[1]
    code, out = run("accounts", "list", "--db", db)
    assert code == 0 and "微信公众号" in out and "GD-0001" in out

    outdir = tmp_path / "out"
    code, out = run("inspect", "--registry", str(tmp_path / "sites.csv"), "--accounts", str(tmp_path / "accounts.csv"),
                    "--as-of", "2021-06-30", "--out", str(outdir), "--allow-private", "--db", db)
    assert code == 0, out
    assert "政务新媒体: 4 个账号, 检查 4 个, 合格 2 个" in out
    lines = [json.loads(line) for line in (outdir / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    sites = [x for x in lines if x["site_code"] == "4408820001"]
    accounts = [(x["account_id"], x["check"]) for x in lines if x["site_code"] is None]
    assert sites and all("account_id" not in x for x in sites)  # site lines keep their shape
    assert accounts == [("dy1", "newmedia.never_posted"), ("tt1", "newmedia.unfiled"), ("wb1", "newmedia.menu_broken"),
                        ("wb1", "newmedia.unanswered"), ("wx1", "newmedia.stale")]
    with (outdir / "account_scores.csv").open(encoding="utf-8-sig") as fh:
        rows = {r["account_id"]: r for r in csv.DictReader(fh)}
    assert rows["wx1"]["qualified"] == "false" and rows["wx1"]["vetoes"] == "veto.newmedia_not_updated"
    assert (rows["wb1"]["qualified"], rows["wb1"]["score"]) == ("true", "96")
    assert (rows["tt1"]["qualified"], rows["tt1"]["score"]) == ("true", "95")
    assert any(p.name.startswith("account-wx1-") for p in (outdir / "evidence").iterdir())

    code, out = run("runs", "--db", db)
    rid = next(tok for tok in out.split() if tok.startswith("20210630-"))
    code, out = run("notice", rid, "--out", str(tmp_path / "notice"), "--db", db, "--date", "2021-07-10")
    assert code == 0, out
    tables = [b["table"] for b in docx_blocks(tmp_path / "notice" / "通报.docx") if "table" in b]
    third, fourth = tables[2], tables[3]
    assert third[1:] == [["湛江市", "4", "4", "2", "50%"], ["合计", "4", "4", "2", "50%"]]  # grouped by 地级市
    assert [r[2:4] for r in fourth[1:]] == [["雷州发布", "微信公众号"], ["雷州抖音", "抖音"]]
    assert fourth[1][5].startswith("政务新媒体内容不更新（单项否决）")

    code, out = run("accounts", "inspect", "--resume", rid, "--out", str(outdir), "--db", db, "--allow-private")
    assert code == 0  # nothing pending: the stored results stay as they were
    again = (outdir / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(again) == len(lines)


def test_accounts_inspect_needs_accounts_and_a_monitoring_point(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'g.db'}"
    code, out = run("accounts", "inspect", "--out", str(tmp_path / "o"), "--db", db)
    assert code == 2 and "--as-of" in out
    code, out = run("accounts", "inspect", "--as-of", "2021-06-30", "--out", str(tmp_path / "o"), "--db", db)
    assert code == 2 and "govinspect accounts import" in out


def _results_roundtrip(url: str) -> None:
    profile = load_profile()
    store = Store.open(url)
    try:
        accs = [account("http://x/1"), account("http://x/2", account_id="wb_lz", platform="weibo")]
        store.import_accounts(accs)
        run_info = RunInfo(run_id="20210630-acc001", as_of=AS_OF, started_at=AS_OF)
        store.create_run(run_info, [], {})
        nm = NewMediaStore(store)
        nm.add_to_run(run_info.run_id, [a.account_id for a in accs])
        assert nm.pending_accounts(run_info.run_id) == ["wx_leizhou", "wb_lz"]
        finding = Finding(check="newmedia.stale", site_code="", url="http://x/1", detail={"newest": "2021-06-01"},
                          observed_at=AS_OF, account_id="wx_leizhou")
        classify([finding], profile)
        result = SiteResult(site=accs[0], findings=[finding], score=score(accs[0], [finding], profile))
        nm.save_account_result(run_info.run_id, result, source_kind="rss", posts=3)
        nm.save_account_result(run_info.run_id, result, source_kind="rss", posts=3)  # saved twice: no duplicates
        assert nm.pending_accounts(run_info.run_id) == ["wb_lz"]
        loaded = store.load_run(run_info.run_id)
        [back] = loaded.accounts
        assert back.site == accs[0] and back.findings == [finding] and back.score.vetoes == ["veto.newmedia_not_updated"]
        with pytest.raises(Exception, match="carries findings"):
            nm.save_account_result(run_info.run_id, SiteResult(site=accs[1], findings=[finding]))
        naive = Finding(check="newmedia.stale", site_code="", url="http://x/2", observed_at=AS_OF.replace(tzinfo=None),
                        account_id="wb_lz")
        with pytest.raises(StoreError, match="has no timezone"):
            nm.save_account_result(run_info.run_id, SiteResult(site=accs[1], findings=[naive]))
        assert nm.pending_accounts(run_info.run_id) == ["wb_lz"]  # nothing of the refused result was kept
    finally:
        store.close()


def _messages_reimport(url: str) -> None:
    store = Store.open(url)
    try:
        store.import_accounts([account("http://x/1")])
        nm = NewMediaStore(store)
        first = [AccountMessage("wx_leizhou", f"M{n}", AS_OF - timedelta(days=n + 1), title=f"留言{n}")
                 for n in range(3)]
        assert nm.import_messages(first) == (3, 0)
        replied = AccountMessage("wx_leizhou", "M1", AS_OF - timedelta(days=2), AS_OF - timedelta(hours=1), "留言1")
        later = AccountMessage("wx_leizhou", "M9", AS_OF - timedelta(hours=5), title="新留言")
        assert nm.import_messages([replied, later]) == (1, 1)
        stored = {m.message_id: m for m in (nm.messages() or {})["wx_leizhou"]}
        assert sorted(stored) == ["M0", "M1", "M2", "M9"]
        assert stored["M1"].replied_at == replied.replied_at and stored["M0"].replied_at is None
        assert stored["M9"].received_at == later.received_at
    finally:
        store.close()


def test_message_reimport_updates_by_message_id_on_sqlite(tmp_path: Path) -> None:
    _messages_reimport(f"sqlite:///{tmp_path / 'g.db'}")


@pytest.mark.postgres
def test_message_reimport_updates_by_message_id_on_postgresql(pg_database: str) -> None:  # noqa: F811
    _messages_reimport(pg_database)


def test_account_results_store_on_sqlite(tmp_path: Path) -> None:
    _results_roundtrip(f"sqlite:///{tmp_path / 'g.db'}")


@pytest.mark.postgres
def test_account_results_store_on_postgresql(pg_database: str) -> None:  # noqa: F811
    _results_roundtrip(pg_database)
