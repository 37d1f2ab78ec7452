"""政务新媒体 accounts in report.xlsx and report.html: rows, evidence links, escaping, no formulas; a run without
accounts writes neither the sheets nor the section.

``make_account_run()`` is the sample run of the other report tests plus four accounts scored with the real
rule profile: a clean 微信公众号, a 微博 with a hostile name vetoed for not updating (hostile excerpt and an
evidence path that climbs out of the folder), a 头条号 with a broken menu (a deduction, still qualified)
and a 抖音 whose source could not be read (未检查).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from govinspect.findings.model import Evidence, Finding, SiteResult
from govinspect.registry.models import Account
from govinspect.reports.context import build_context
from govinspect.reports.html import render_html
from govinspect.reports.writer import write_outputs
from govinspect.reports.xlsx import read_rows, write_xlsx
from govinspect.scoring.engine import classify, score
from govinspect.scoring.profile import load_profile
from tests.test_reports_context import HOSTILE_NAME, NOW, OBSERVED, RULES, XSS, make_run

SITE_SHEETS = ["汇总", "各地区情况", "问题网站名单", "网站得分", "问题明细"]
ACCOUNT_SHEETS = ["新媒体各地区情况", "新媒体账号", "新媒体问题明细"]
ACCOUNT_HEADER = ["账号ID", "账号名称", "平台", "地区", "主办单位", "结论", "否决原因", "问题数", "扣分", "得分",
                  "说明", "账号主页", "证据文件"]


@pytest.fixture(scope="module")
def profile():
    return load_profile("national-2019")


def _account(account_id: str, name: str, platform: str, region: str) -> Account:
    return Account(account_id=account_id, name=name, platform=platform, region=region,
                   host_org=f"{region.split('/')[-1]}政府办公室", homepage=f"http://media.example/{account_id}")


def _finding(account: Account, check: str, **evidence: str) -> Finding:
    return Finding(check=check, site_code="", account_id=account.account_id,
                   url=f"http://media.example/{account.account_id}", detail={"days": 45},
                   evidence=Evidence(warc_record=f"<urn:uuid:{account.account_id}>", **evidence),
                   observed_at=OBSERVED)


def _scored(account: Account, findings: list[Finding], profile, warc_path: str) -> SiteResult:
    classify(findings, profile)
    return SiteResult(site=account, findings=findings, score=score(account, findings, profile),
                      homepage_ok=True, warc_path=warc_path)


def make_account_run(profile):
    run = make_run()
    clean = _account("wx_gzfabu", "广州发布", "wechat", "广东省/广州市")
    hostile = _account("wb_zj", HOSTILE_NAME, "weibo", "广东省/湛江市")
    menu = _account("tt_lz", "雷州发布", "toutiao", "广东省/湛江市/雷州市")
    failed = _account("dy_lz", "雷州政务", "douyin", "广东省/湛江市/雷州市")
    stale = _finding(hostile, "newmedia.stale", excerpt=XSS, locator="entry 1", reason=HOSTILE_NAME)
    broken = _finding(menu, "newmedia.menu_broken", excerpt="办事服务", locator="menu 2", reason="菜单链接返回 404")
    run.accounts = [
        _scored(failed, [], profile, "evidence/dy_lz.warc.gz"),
        _scored(clean, [], profile, "evidence/wx_gzfabu.warc.gz"),
        _scored(hostile, [stale], profile, "../../etc/passwd"),
        _scored(menu, [broken], profile, "evidence/tt_lz.warc.gz"),
    ]
    run.accounts[0].score = None
    run.accounts[0].homepage_ok = False
    run.accounts[0].error = "账号主页无法读取：连接超时"
    return run


@pytest.fixture(scope="module")
def outputs(profile, tmp_path_factory):
    out = tmp_path_factory.mktemp("accounts")
    return write_outputs(make_account_run(profile), out, now=NOW, rules=RULES, profile=profile)


def test_the_workbook_lists_every_account_once_with_its_verdict(outputs):
    sheets = read_rows(outputs["report.xlsx"])
    assert list(sheets) == SITE_SHEETS + ACCOUNT_SHEETS
    rows = sheets["新媒体账号"]
    assert rows[0] == ACCOUNT_HEADER
    by_id = {r[0]: dict(zip(ACCOUNT_HEADER, r)) for r in rows[1:]}
    assert [r[0] for r in rows[1:]] == ["dy_lz", "tt_lz", "wb_zj", "wx_gzfabu"]  # by 账号ID
    assert {k: (v["平台"], v["结论"]) for k, v in by_id.items()} == {
        "dy_lz": ("抖音", "未检查"),
        "tt_lz": ("头条号", "合格"),
        "wb_zj": ("微博", "不合格"),
        "wx_gzfabu": ("微信公众号", "合格"),
    }
    vetoed = by_id["wb_zj"]
    assert vetoed["账号名称"] == HOSTILE_NAME and vetoed["问题数"] == 1 and vetoed["得分"] is None
    assert vetoed["否决原因"].startswith("政务新媒体内容不更新")
    assert vetoed["证据文件"] is None  # a path out of the output folder is not quoted, not linked
    assert by_id["dy_lz"]["说明"] == "检查未完成：账号主页无法读取：连接超时" and by_id["dy_lz"]["否决原因"] is None
    assert by_id["dy_lz"]["问题数"] == 0 and by_id["dy_lz"]["得分"] is None
    deducted = by_id["tt_lz"]
    assert deducted["否决原因"] is None and deducted["问题数"] == 1 and 0 < deducted["扣分"] and deducted["得分"] < 100
    assert (by_id["wx_gzfabu"]["问题数"], by_id["wx_gzfabu"]["扣分"], by_id["wx_gzfabu"]["得分"]) == (0, 0, 100)
    assert by_id["wx_gzfabu"]["地区"] == "广东省/广州市" and by_id["wx_gzfabu"]["主办单位"] == "广州市政府办公室"


def test_account_findings_carry_indicator_and_evidence(outputs):
    rows = read_rows(outputs["report.xlsx"])["新媒体问题明细"]
    header = rows[0]
    found = [dict(zip(header, r)) for r in rows[1:]]
    assert [(f["账号ID"], f["检查编号"]) for f in found] == [("tt_lz", "newmedia.menu_broken"),
                                                           ("wb_zj", "newmedia.stale")]
    menu, stale = found
    assert menu["检查项"] == "政务新媒体菜单或链接无法访问" and menu["平台"] == "头条号"
    assert menu["指标"] and menu["指标"] != "deduct.newmedia.function"  # the profile's name, not the id
    assert (menu["摘录"], menu["定位"], menu["判定依据"]) == ("办事服务", "menu 2", "菜单链接返回 404")
    assert menu["WARC记录"] == "<urn:uuid:tt_lz>" and menu["证据文件"] == "evidence/tt_lz.warc.gz"
    assert stale["指标"] == "政务新媒体内容不更新" and stale["性质"] == "单项否决"
    assert stale["摘录"] == XSS and stale["判定依据"] == HOSTILE_NAME and stale["详情"] == "days=45"
    wb = load_workbook(outputs["report.xlsx"])
    ws = wb["新媒体问题明细"]
    col = header.index("证据文件")
    links = {row[0].value: (row[col].hyperlink.target if row[col].hyperlink else None) for row in ws.iter_rows(min_row=2)}
    assert links == {"tt_lz": "evidence/tt_lz.warc.gz", "wb_zj": None}
    account_ws = wb["新媒体账号"]
    account_links = {row[0].value: (row[12].hyperlink.target if row[12].hyperlink else None)
                     for row in account_ws.iter_rows(min_row=2)}
    assert account_links["wx_gzfabu"] == "evidence/wx_gzfabu.warc.gz" and account_links["wb_zj"] is None


def test_account_cells_are_literal_text_never_formulas(outputs):
    wb = load_workbook(outputs["report.xlsx"])
    hostile = [c for name in ACCOUNT_SHEETS for row in wb[name].iter_rows() for c in row if c.value == HOSTILE_NAME]
    assert len(hostile) == 3  # the name in 新媒体账号 and in 新媒体问题明细, the reason in 新媒体问题明细
    assert all(c.data_type == "s" for c in hostile)
    with zipfile.ZipFile(outputs["report.xlsx"]) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(SITE_SHEETS + ACCOUNT_SHEETS)
        for name in sheets:
            xml = zf.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, f"{name} holds a formula"


def test_accounts_are_counted_per_region_and_in_the_summary(outputs):
    sheets = read_rows(outputs["report.xlsx"])
    regions = sheets["新媒体各地区情况"]
    assert regions[1:] == [
        [1, "湛江市", 3, 1, 1, 1, 1, 0.5],
        [2, "广州市", 1, 1, 0, 0, 0, 1],
        [None, "合计", 4, 2, 1, 1, 1, pytest.approx(2 / 3)],
    ]
    summary = dict((r[0], r[1]) for r in sheets["汇总"][1:])
    assert (summary["检查政务新媒体数"], summary["政务新媒体合格"], summary["政务新媒体未检查"]) == (4, 2, 1)
    assert summary["政务新媒体合格率"] == "66.7%"
    assert summary["总体合格率"] == "60%" and summary["检查网站数"] == 6  # site figures leave accounts out


def test_site_sheets_are_the_same_with_or_without_accounts(profile, tmp_path):
    plain = read_rows(write_xlsx(build_context(make_run(), rules=RULES), tmp_path / "a.xlsx", now=NOW))
    mixed = read_rows(write_xlsx(build_context(make_account_run(profile), rules=RULES), tmp_path / "b.xlsx", now=NOW))
    assert list(plain) == SITE_SHEETS
    for name in SITE_SHEETS[1:]:
        assert mixed[name] == plain[name], name
    assert mixed["汇总"][: len(plain["汇总"]) - len(RULES)] == plain["汇总"][: -len(RULES)]


def test_the_page_has_a_new_media_section_with_escaped_drill_down(outputs):
    html = Path(outputs["report.html"]).read_text(encoding="utf-8")
    assert "<h2>七、政务新媒体</h2>" in html
    section = html[html.index("<h2>七、政务新媒体</h2>"):]
    assert "本次对 4 个政务新媒体账号进行了检查，完成检查 3 个，其中合格 2 个、不合格 1 个" in section
    assert "合格率为 66.7%" in section and "另有 1 个未检查" in section
    for account_id in ("dy_lz", "tt_lz", "wb_zj", "wx_gzfabu"):
        assert f'<details class="site account" id="account-{account_id}"' in section
    assert "<td>抖音</td>" in section and "<td>微信公众号</td>" in section
    assert '<td class="bad">未检查</td>' in section and "检查未完成：账号主页无法读取：连接超时" in section
    drill = section[section.index('id="account-wb_zj"'):section.index('id="account-wx_gzfabu"')]
    assert "<code>newmedia.stale</code>" in drill and "<code>entry 1</code>" in drill
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in drill and "<urn:uuid" not in drill
    assert "&lt;urn:uuid:wb_zj&gt;" in drill
    assert "<script>alert" not in html
    assert 'href="../../etc/passwd"' not in html and "passwd" not in drill
    assert '<a class="url" href="http://media.example/tt_lz"' in section


def test_a_run_without_accounts_has_no_new_media_sheet_or_section(profile, tmp_path):
    written = write_outputs(make_run(), tmp_path, now=NOW, rules=RULES, profile=profile)
    assert list(read_rows(written["report.xlsx"])) == SITE_SHEETS
    summary = [r[0] for r in read_rows(written["report.xlsx"])["汇总"]]
    assert not any("政务新媒体" in str(name) for name in summary)
    html = Path(written["report.html"]).read_text(encoding="utf-8")
    assert "七、政务新媒体" not in html and "account-" not in html and "检查账号数" not in html
    assert "account_scores.csv" not in written
    assert build_context(make_run()).accounts == () and build_context(make_run()).account_totals is None


def test_html_without_accounts_is_unchanged_by_the_new_section(profile):
    ctx = build_context(make_run(), rules=RULES)
    with_accounts = build_context(make_account_run(profile), rules=RULES)
    plain = render_html(ctx, now=NOW)
    mixed = render_html(with_accounts, now=NOW)
    head, _, tail = mixed.partition("<h2>七、政务新媒体</h2>")
    assert tail and plain.startswith(head.rstrip("\n"))
    assert plain.endswith(tail[tail.index("<footer>"):])


def test_accounts_stored_and_loaded_back_give_the_same_sheets(profile, tmp_path):
    """The real store (SQLite): load_run's account results report exactly like the ones saved."""
    from govinspect.findings.store import Store
    from govinspect.newmedia.store import NewMediaStore

    run = make_account_run(profile)
    run.sites = []  # an accounts-only run (``inspect --accounts`` with no sites)
    store = Store.open(f"sqlite:///{tmp_path / 'g.db'}")
    try:
        store.import_accounts([r.site for r in run.accounts])
        store.create_run(run.run, [], {})
        nm = NewMediaStore(store)
        nm.add_to_run(run.run.run_id, [r.site.account_id for r in run.accounts])
        for result in run.accounts:
            nm.save_account_result(run.run.run_id, result)
        store.finish_run(run.run.run_id)
        loaded = store.load_run(run.run.run_id)
    finally:
        store.close()
    assert len(loaded.accounts) == 4
    direct = read_rows(write_xlsx(build_context(run, profile=profile), tmp_path / "a.xlsx", now=NOW))
    stored = read_rows(write_xlsx(build_context(loaded, profile=profile), tmp_path / "b.xlsx", now=NOW))
    for name in ACCOUNT_SHEETS:
        assert stored[name] == direct[name], name
    html = render_html(build_context(loaded, profile=profile), now=NOW)
    assert '<details class="site account" id="account-wb_zj"' in html and "&lt;script&gt;alert(1)" in html
