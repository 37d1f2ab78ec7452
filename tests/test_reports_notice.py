"""The quarterly notice (通报.docx) and its attachments: wording from figures, layout, golden output, CLI.

``make_quarter()`` scores a small province with the real rule profile: Guangzhou and Shenzhen all
qualified, a Leizhou portal vetoed for five blank columns, a Longhu portal vetoed for a dark link, a
hostile site (control characters, a 600-character name) vetoed for a stale homepage, deductions for
privacy, dead links, footer and 找错, a clean provincial department and one site whose run failed.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from govinspect.cli import app
from govinspect.errors import ConfigError
from govinspect.findings.model import Evidence, Finding, RunInfo, RunResult, SiteResult
from govinspect.findings.store import Store
from govinspect.registry.models import Account, Site, SiteKind
from govinspect.reports.attachments import NO_NEW_MEDIA, account_rows, attachment_tables
from govinspect.reports.context import build_context
from govinspect.reports.notice import NoticeOptions, build_notice, docx_blocks, write_notice_docx
from govinspect.reports.notice_text import (
    JiucuoFigures,
    OfficeFigures,
    add_working_days,
    clean,
    cn_date,
    cn_number,
    load_figures,
    load_requirements,
    quarter_label,
)
from govinspect.reports.writer import NOTICE_NAMES, write_notice_outputs
from govinspect.reports.xlsx import read_rows
from govinspect.scoring.engine import classify, score
from govinspect.scoring.profile import load_profile
from tests.test_reports_context import assert_golden

CST = timezone(timedelta(hours=8))
AS_OF = datetime(2021, 6, 15, 0, 0, tzinfo=CST)
OBSERVED = datetime(2021, 6, 15, 10, 0, tzinfo=CST)
ISSUE = date(2021, 6, 29)
HOSTILE = "汕头\x01市<b>\x0b旧站" + "很长的名称" * 120  # 610 characters, two of them XML-invalid
HOSTILE_CODE = "4405000002"


@pytest.fixture(scope="module")
def profile():
    return load_profile("national-2019")


def _site(code: str, name: str, region: str, kind: SiteKind = SiteKind.PORTAL) -> Site:
    return Site(site_code=code, name=name, homepage=f"http://www.{code}.gov.cn/", region=region,
                host_org=f"{name[:40]}办公室", kind=kind)


def _f(site: Site, check: str, path: str, detail: dict | None = None, target: str | None = None) -> Finding:
    url = f"http://www.{site.site_code}.gov.cn/{path}"
    return Finding(check=check, site_code=site.site_code, url=url, target=target, detail=detail or {},
                   evidence=Evidence(excerpt="摘录", locator="css:body",
                                     warc_record=f"<urn:uuid:{site.site_code}>", reason=f"{check} 判定依据"),
                   observed_at=OBSERVED)


def _scored(site: Site, findings: list[Finding], profile) -> SiteResult:
    classify(findings, profile)
    return SiteResult(site=site, findings=findings, score=score(site, findings, profile), pages_fetched=50,
                      homepage_ok=True, warc_path=f"evidence/{site.site_code}.warc.gz")


def quarter_sites() -> list[Site]:
    return [
        _site("4400000002", "广东省教育厅", "广东省", SiteKind.DEPARTMENT),
        _site("4401000001", "广州市人民政府", "广东省/广州市"),
        _site("4401000002", "广州市教育局", "广东省/广州市", SiteKind.DEPARTMENT),
        _site("4401060001", "广州市天河区人民政府", "广东省/广州市/天河区"),
        _site("4403000001", "深圳市人民政府", "广东省/深圳市"),
        _site("4403040001", "深圳市福田区人民政府", "广东省/深圳市/福田区"),
        _site("4403050001", "深圳市南山区人民政府", "广东省/深圳市/南山区"),
        _site("4405000001", "汕头市人民政府", "广东省/汕头市"),
        _site(HOSTILE_CODE, HOSTILE, "广东省/汕头市"),
        _site("4405070001", "汕头市龙湖区人民政府", "广东省/汕头市/龙湖区"),
        _site("4408000001", "湛江市人民政府", "广东省/湛江市"),
        _site("4408820001", "雷州市人民政府", "广东省/湛江市/雷州市"),
    ]


def make_quarter(profile, *, run_id: str = "run-2021q2", leizhou_blank: int = 5) -> RunResult:
    s = {site.site_code: site for site in quarter_sites()}
    blank = [
        _f(s["4408820001"], "column.empty", f"col{i}/",
           {"column": name, "category": "notice", "level": 1, "empty_reason": "暂无信息"})
        for i, name in enumerate(["通知公告", "政策文件", "人事信息", "规划计划", "财政资金", "统计信息"][:leizhou_blank])
    ]
    results = [
        _scored(s["4400000002"], [], profile),
        _scored(s["4401000001"], [], profile),
        _scored(s["4401000002"], [], profile),
        _scored(s["4401060001"], [
            _f(s["4401060001"], "footer.missing", "", {"item": "police_record"}),
            _f(s["4401060001"], "link.dead", "xxgk/", {"status": 404, "on_homepage": False},
               target="http://www.4401060001.gov.cn/xxgk/old.html"),
        ], profile),
        _scored(s["4403000001"], [], profile),
        _scored(s["4403040001"], [_f(s["4403040001"], "jiucuo.missing", "",
                                     {"pages_checked": 3, "pages_missing": 3})], profile),
        _scored(s["4403050001"], [], profile),
        SiteResult(site=s["4405000001"], error="crawl failed: 首页连接被重置"),
        _scored(s[HOSTILE_CODE], [
            _f(s[HOSTILE_CODE], "homepage.stale", "", {"newest": "2021-05-01", "limit_days": 14}),
            _f(s[HOSTILE_CODE], "domain.noncompliant", "",
               {"rule": "not_gov_domain", "host": "www.st-old\x02.com", "expected": "*.gov.cn"}),
        ], profile),
        _scored(s["4405070001"], [
            _f(s["4405070001"], "content.dark_link", "index.html",
               {"technique": "css_hidden", "links": ["http://casino.example/"]}),
        ], profile),
        _scored(s["4408000001"], [
            _f(s["4408000001"], "privacy.leak", "hdjl/123.html", {"kind": "mobile", "count": 1}),
            _f(s["4408000001"], "link.dead", "", {"status": 404, "on_homepage": True},
               target="http://www.4408000001.gov.cn/gone.html"),
        ], profile),
        _scored(s["4408820001"], blank, profile),
    ]
    run = RunInfo(run_id=run_id, as_of=AS_OF, started_at=AS_OF, finished_at=AS_OF + timedelta(hours=2),
                  profile_id=profile.id, profile_version=profile.version, status="finished")
    return RunResult(run=run, sites=results)


def _ctx(profile, **kw):
    return build_context(make_quarter(profile, **kw), rules=profile.statements, profile=profile)


def _options(**kw) -> NoticeOptions:
    return NoticeOptions(issue_date=ISSUE, **kw)


def _texts(blocks) -> list[str]:
    return [b["p"] for b in blocks if "p" in b]


def _tables(blocks) -> list[list[list[str]]]:
    return [b["table"] for b in blocks if "table" in b]


@pytest.fixture(scope="module")
def rendered(profile, tmp_path_factory):
    out = tmp_path_factory.mktemp("notice")
    paths = write_notice_outputs(make_quarter(profile), out, options=_options(), profile=profile,
                                 registry_sites=quarter_sites())
    return paths


# -- wording helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (4, "四"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九")])
def test_chinese_numbers(n, text):
    assert cn_number(n) == text


def test_dates_and_quarters():
    assert cn_date(date(2021, 6, 29)) == "2021年6月29日"
    assert quarter_label(date(2021, 6, 15)) == "2021年第二季度"
    assert quarter_label(date(2021, 10, 1)) == "2021年第四季度"


@pytest.mark.parametrize(
    ("start", "days", "due", "why"),
    [
        (date(2021, 6, 25), 1, date(2021, 6, 28), "Friday + 1 skips the weekend"),
        (date(2021, 9, 30), 1, date(2021, 10, 8), "the National Day holiday 10-01..10-07 is skipped"),
        (date(2021, 9, 30), 2, date(2021, 10, 9), "Saturday 2021-10-09 was a make-up working day (调休)"),
        (date(2021, 9, 30), 5, date(2021, 10, 13), "holiday skipped, make-up Saturday counted"),
        (date(2021, 9, 24), 1, date(2021, 9, 26), "Sunday 2021-09-26 was a make-up working day"),
        (date(2021, 9, 17), 1, date(2021, 9, 18), "Saturday 2021-09-18 was a make-up day before 中秋"),
        (date(2021, 6, 29), 0, date(2021, 6, 29), "zero days is the issue date"),
    ],
)
def test_working_days_follow_the_official_calendar(start, days, due, why):
    assert add_working_days(start, days) == due, why


def test_calendar_without_data_names_the_fix():
    with pytest.raises(ConfigError, match="--deadline"):
        add_working_days(date(2099, 1, 5), 3)


def test_clean_drops_xml_invalid_characters_and_clips():
    assert clean("a\x00b\x0bc\ud800d\n e") == "abcd e"
    long = clean("名" * 500, 80)
    assert len(long) == 80 and long.endswith("…")


# -- the notice body --------------------------------------------------------------------------------


def test_title_overall_figures_and_cities_at_100_percent(rendered):
    texts = _texts(docx_blocks(rendered["通报.docx"]))
    assert "关于2021年第二季度全省政府网站与政务新媒体检查情况的通报" in texts
    overall = next(t for t in texts if t.startswith("本季度，对照国务院办公厅"))
    # 12 sites; 11 scored; qualified: 广州 3, 深圳 3, 湛江市政府, 省教育厅 = 8 → 8/11 = 72.7 %.
    assert "省政府办公厅对全省在运行的12家政府网站进行了全覆盖检查，其中11家完成检查" in overall
    assert "总体合格率为72.7%（按完成检查的11家计算）" in overall
    assert "广州、深圳2个地级以上市合格率均达100%。" in overall
    assert "省级政府网站合格率达100%。" in overall
    assert "检查发现不合格网站3家，其中存在单项否决问题的3家（名单见附件2）。" in overall
    assert any("1家网站检查未完成，未计入合格率：汕头市人民政府" in t for t in texts)  # drafting note


def test_problems_are_grouped_and_name_example_sites(rendered):
    texts = _texts(docx_blocks(rendered["通报.docx"]))
    assert "二、发现的主要问题" in texts
    maintenance = next(t for t in texts if t.startswith("（一）网站日常运维和监督管理有待加强。"))
    assert "雷州市人民政府网站（“通知公告”“政策文件”等栏目）存在空白栏目。" in maintenance
    assert "广州市天河区人民政府网站、湛江市人民政府网站存在链接不可用或图片无法显示问题。" in maintenance
    security = next(t for t in texts if t.startswith("（二）个别网站安全保障责任有待落实。"))
    assert "汕头市龙湖区人民政府网站页面中存在“暗链”。" in security
    assert "湛江市人民政府网站公开的信息存在泄露个人隐私问题。" in security
    jiucuo = next(t for t in texts if t.startswith("（三）"))
    assert "深圳市福田区人民政府网站未全站规范添加“我为政府网站找错”入口。" in jiucuo
    domain = next(t for t in texts if t.startswith("（四）政府网站域名管理有待规范。"))
    assert "（www.st-old.com）" in domain  # the host from the finding, control character dropped
    assert "三、下一步工作要求" in texts


def test_no_more_than_n_examples_per_sentence(profile):
    ctx = _ctx(profile)
    notice = build_notice(ctx, _options(max_examples=1))
    paras = [p.text for p in notice.text.paragraphs]
    overall = next(t for t in paras if t.startswith("本季度"))
    assert "广州等2个地级以上市合格率均达100%。" in overall
    maintenance = next(t for t in paras if t.startswith("（一）网站日常运维"))
    # two sites with dead links, one named: the total is stated, the rest not listed
    assert "共有2家网站存在链接不可用或图片无法显示问题，如广州市天河区人民政府网站等。" in maintenance
    assert "湛江市人民政府网站存在链接不可用" not in maintenance


def test_no_invented_jiucuo_sentence_without_figures(profile, rendered):
    texts = _texts(docx_blocks(rendered["通报.docx"]))
    assert not any("平台转办的网民留言" in t for t in texts)
    assert not any("网上咨询" in t for t in texts)
    assert not any("政务新媒体进行了" in t for t in texts)  # no account results → no new-media figures
    with_figures = build_notice(
        _ctx(profile),
        _options(figures=OfficeFigures(
            jiucuo=JiucuoFigures(start=date(2021, 5, 8), end=date(2021, 6, 15), messages=380,
                                 on_time_rate=1.0),
            consultation_praised=("深圳市", "汕尾市", "省人力资源社会保障厅"),
        )),
    )
    paras = [p.text for p in with_figures.text.paragraphs]
    assert "2021年5月8日至6月15日，全省共收到“我为政府网站找错”平台转办的网民留言380条，按期办结率100%。" in paras
    assert "深圳市、汕尾市、省人力资源社会保障厅单位积极办理“网上咨询”留言，主动回应群众关切。" in paras
    assert not any("找错”留言办理数据" in n for n in with_figures.text.notes)


def test_figures_file_is_validated(tmp_path):
    good = tmp_path / "figures.yaml"
    good.write_text("jiucuo: {start: 2021-05-08, end: 2021-06-15, messages: 380}\n", encoding="utf-8")
    assert load_figures(good).jiucuo.messages == 380
    bad = tmp_path / "bad.yaml"
    bad.write_text("jiucuo: {start: 2021-06-15, end: 2021-05-08, messages: -1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="jiucuo"):
        load_figures(bad)


def test_quarter_on_quarter_change_from_printed_figures(profile):
    previous = _ctx(profile, run_id="run-2021q1", leizhou_blank=0)  # 雷州 qualified then: 9/11 = 81.8 %
    notice = build_notice(_ctx(profile), _options(), previous=previous)
    overall = next(p.text for p in notice.text.paragraphs if p.text.startswith("本季度"))
    assert "总体合格率为72.7%（按完成检查的11家计算），较上季度（81.8%）下降9.1个百分点。" in overall
    same = build_notice(_ctx(profile), _options(), previous=_ctx(profile, run_id="run-2021q1"))
    assert "与上季度（72.7%）持平" in next(p.text for p in same.text.paragraphs if p.text.startswith("本季度"))


def test_deadline_in_the_notice_skips_the_national_day_holiday(profile):
    notice = build_notice(_ctx(profile), NoticeOptions(issue_date=date(2021, 9, 30), working_days=5))
    assert notice.text.deadline == date(2021, 10, 13)
    closing = next(p.text for p in notice.text.paragraphs if "整改情况报送" in p.text)
    assert "并于10月13日前将整改情况报送省政府办公厅。" in closing
    assert notice.text.paragraphs[-1].text == "2021年9月30日"
    fixed = build_notice(_ctx(profile), NoticeOptions(issue_date=ISSUE, deadline=date(2021, 7, 3)))
    assert fixed.text.deadline == date(2021, 7, 3)
    with pytest.raises(ConfigError, match="before the issue date"):
        build_notice(_ctx(profile), NoticeOptions(issue_date=ISSUE, deadline=date(2021, 6, 1)))


def test_nothing_to_rectify_prints_no_deadline(profile):
    run = make_quarter(profile)
    run.sites = [sr for sr in run.sites if sr.score is not None and sr.score.qualified]
    notice = build_notice(build_context(run), _options())
    texts = [p.text for p in notice.text.paragraphs]
    assert notice.text.deadline is None
    assert not any("整改情况报送" in t for t in texts)
    assert "本季度完成检查的网站均合格。" in " ".join(texts)
    tables = attachment_tables(build_context(run), quarter="2021年第二季度")
    assert tables[1].placeholder and tables[1].rows[0][2] == ("本季度检查未发现不合格政府网站",)


def test_requirements_file_is_configurable(profile, tmp_path):
    text = tmp_path / "req.yaml"
    text.write_text(
        "addressees: 各市人民政府：\ndeadline_working_days: 2\n"
        "requirements:\n  - {heading: 抓好整改, text: 请$issuer督促。}\n"
        "closing: 特此通报。\nrectification: 请于$deadline前报$issuer。\n",
        encoding="utf-8",
    )
    notice = build_notice(_ctx(profile), _options(requirements=load_requirements(text), issuer="市政府办公室"))
    texts = [p.text for p in notice.text.paragraphs]
    assert texts[0] == "各市人民政府："
    assert "（一）抓好整改。请市政府办公室督促。" in texts
    assert "特此通报。请于7月1日前报市政府办公室。" in texts  # 6-29 + 2 working days
    broken = tmp_path / "broken.yaml"
    broken.write_text("addressees: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="deadline_working_days"):
        load_requirements(broken)


# -- attachments ------------------------------------------------------------------------------------


def test_attachment_1_counts_per_region(rendered):
    first = _tables(docx_blocks(rendered["通报.docx"]))[0]
    assert first[0] == ["地区", "网站总数", "检查数", "合格数", "合格率"]
    rows = {r[0]: r[1:] for r in first[1:]}
    assert rows["广州市"] == ["3", "3", "3", "100%"]
    assert rows["汕头市"] == ["3", "2", "0", "0%"]
    assert rows["湛江市"] == ["2", "2", "1", "50%"]
    assert rows["合计"] == ["12", "11", "8", "72.7%"]


def test_registry_larger_than_the_run_is_not_called_full_coverage(profile):
    registry = [
        *quarter_sites(),
        _site("4408030001", "湛江市霞山区人民政府", "广东省/湛江市/霞山区"),
        Site(site_code="4408040001", name="湛江市坡头区旧网站", homepage="http://www.4408040001.gov.cn/",
             region="广东省/湛江市/坡头区", host_org="坡头区", kind=SiteKind.PORTAL, status="closed"),
    ]
    notice = build_notice(_ctx(profile), _options(), registry_sites=registry)
    overall = next(p.text for p in notice.text.paragraphs if p.text.startswith("本季度"))
    assert "对全省在运行的13家政府网站中的12家进行了检查" in overall and "全覆盖" not in overall
    assert any("名录中在运行的网站13家，本批次检查12家" in n for n in notice.text.notes)
    first = notice.tables[0].plain_rows()
    assert ["湛江市", "3", "2", "1", "50%"] in first  # the closed site is not counted
    assert first[-1] == ["合计", "13", "11", "8", "72.7%"]


def test_vetoed_site_in_attachment_2_with_reason_and_pages(rendered):
    second = _tables(docx_blocks(rendered["通报.docx"]))[1]
    assert second[0] == ["序号", "地区", "网站名称", "网站标识码", "主办单位", "存在问题"]
    leizhou = next(r for r in second[1:] if r[3] == "4408820001")
    assert leizhou[1:3] == ["湛江市", "雷州市人民政府"]
    assert leizhou[4] == "雷州市人民政府办公室"
    assert leizhou[5].startswith("栏目不更新（单项否决）：空白栏目 5 个，达到 5 个即否决")
    assert "http://www.4408820001.gov.cn/col0/、http://www.4408820001.gov.cn/col1/、" in leizhou[5]
    assert leizhou[5].endswith("等5处）")  # three pages shown, the total stated
    longhu = next(r for r in second[1:] if r[3] == "4405070001")
    assert longhu[5].startswith("安全、泄密事故等严重问题（单项否决）")
    assert [r[3] for r in second[1:]] == [HOSTILE_CODE, "4405070001", "4408820001"]  # region, then code
    assert "4405000001" not in {r[3] for r in second[1:]}  # not inspected is not a finding


def test_new_media_tables_say_no_inspection_without_accounts(rendered):
    third, fourth = _tables(docx_blocks(rendered["通报.docx"]))[2:4]
    assert third == [["地区", "政务新媒体总数", "检查数", "合格数", "合格率"], [NO_NEW_MEDIA]]
    assert fourth == [["序号", "地区", "账号名称", "平台类型", "主办单位", "存在问题"], [NO_NEW_MEDIA]]


def test_new_media_tables_take_account_rows(profile):
    ok = Account(account_id="wx1", name="广州发布", platform="微信公众号", region="广东省/广州市", host_org="广州市政府办公厅")
    stale = Account(account_id="wx2", name="平安荔湾", platform="微信公众号", region="广东省/广州市",
                    host_org="荔湾区公安分局")
    finding = Finding(check="newmedia.stale", site_code="wx2", url="https://mp.example/wx2",
                      detail={"days": 30})
    classify([finding], profile)
    results = [
        SiteResult(site=ok, score=score(ok, [], profile)),
        SiteResult(site=stale, findings=[finding], score=score(stale, [finding], profile)),
    ]
    rows = account_rows(results)
    tables = attachment_tables(_ctx(profile), quarter="2021年第二季度", accounts=rows)
    assert not tables[2].placeholder and not tables[3].placeholder
    assert tables[2].plain_rows()[1:] == [["广州市", "2", "2", "1", "50%"], ["合计", "2", "2", "1", "50%"]]
    problem = tables[3].plain_rows()[1]
    assert problem[:5] == ["1", "广州市", "平安荔湾", "微信公众号", "荔湾区公安分局"]
    assert problem[5].startswith("政务新媒体内容不更新（单项否决）")
    notice = build_notice(_ctx(profile), _options(), accounts=rows)
    texts = [p.text for p in notice.text.paragraphs]
    assert "同时，省政府办公厅对全省2个政务新媒体进行了检查，总体合格率为50%。" in texts
    assert any("广州市“平安荔湾”微信公众号检查不合格。" in t for t in texts)


def test_attachments_xlsx_matches_the_docx_tables(rendered, update_golden):
    sheets = read_rows(rendered["attachments.xlsx"])
    assert list(sheets) == ["附件1", "附件2", "附件3", "附件4"]
    assert sheets["附件1"][1][0] == "各地、各部门政府网站检查情况"
    assert sheets["附件1"][3] == ["地区", "网站总数", "检查数", "合格数", "合格率"]
    docx_tables = _tables(docx_blocks(rendered["通报.docx"]))
    assert [str(v) for v in sheets["附件2"][4]] == docx_tables[1][1]
    wb = load_workbook(rendered["attachments.xlsx"])
    names = [c for c in wb["附件2"]["C"] if isinstance(c.value, str) and c.value.startswith("汕头")]
    assert names and all(c.data_type == "s" for c in names)
    assert_golden("notice_xlsx", {k: [[v for v in row] for row in rows] for k, rows in sheets.items()},
                  update_golden)


# -- the document -----------------------------------------------------------------------------------


def test_golden_docx(rendered, update_golden):
    blocks = docx_blocks(rendered["通报.docx"])
    assert_golden("notice_docx", blocks, update_golden)


def test_hostile_names_do_not_break_the_document(rendered):
    blocks = docx_blocks(rendered["notice.docx"])
    body = json.dumps(blocks, ensure_ascii=False)
    assert "\\u0001" not in body and "\\u000b" not in body and "\\u0002" not in body
    texts = _texts(blocks)
    stale = next(t for t in texts if "首页长期未更新" in t)
    assert "汕头市<b>旧站很长的名称" in stale and "…" in stale  # clipped in a sentence
    assert len(stale) < 400
    second = _tables(blocks)[1]
    hostile = next(r for r in second[1:] if r[3] == HOSTILE_CODE)
    assert hostile[2] == clean(HOSTILE, 2000) and len(hostile[2]) == 608  # whole name in 附件2
    assert Path(rendered["notice.docx"]).read_bytes() == Path(rendered["通报.docx"]).read_bytes()


def test_layout_fonts_and_page_setup(rendered):
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = docx.Document(str(rendered["通报.docx"]))
    first, *attachments = doc.sections
    def mm(*lengths):  # stored in twips: compare to a tenth of a millimetre
        return tuple(round(x.mm, 1) for x in lengths)

    assert mm(first.page_width, first.page_height) == (210, 297)
    margins = mm(first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)
    assert margins == (37, 35, 28, 26)
    assert len(attachments) == 4 and all(s.orientation == WD_ORIENT.LANDSCAPE for s in attachments)
    title = next(p for p in doc.paragraphs if p.text.startswith("关于2021年"))
    run = title.runs[0]
    assert run.font.size == Pt(22)
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body = next(p for p in doc.paragraphs if p.text.startswith("为贯彻落实"))
    assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.line_spacing == Pt(28.95)
    assert body.paragraph_format.first_line_indent == Pt(32)
    lead = next(p for p in doc.paragraphs if p.text.startswith("（一）网站日常运维"))
    assert lead.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    with zipfile.ZipFile(rendered["通报.docx"]) as zf:
        fonts = zf.read("word/fontTable.xml").decode("utf-8")
        footer = zf.read("word/footer1.xml").decode("utf-8") if "word/footer1.xml" in zf.namelist() else ""
        media = [n for n in zf.namelist() if n.startswith("word/media/")]
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/>' in fonts
    assert 'w:name="Noto Serif CJK SC"' in fonts
    assert "PAGE" in footer
    assert len(media) == 1  # the pass-rate chart under 附件1
    assert doc.paragraphs[-1].text == "" or any(p.text == "2021年6月29日" for p in doc.paragraphs)


def test_portable_fonts(profile, tmp_path):
    from docx import Document
    from docx.oxml.ns import qn

    notice = build_notice(_ctx(profile), _options(fonts="portable", drafting_notes=False))
    path = write_notice_docx(notice, tmp_path / "n.docx")
    doc = Document(str(path))
    assert not any(p.text.startswith("【编辑提示】") for p in doc.paragraphs)
    names = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs for r in p.runs}
    assert names <= {"Noto Serif CJK SC", "Noto Sans CJK SC"}


# -- CLI against a real SQLite store ----------------------------------------------------------------


def _save(store: Store, result: RunResult) -> None:
    store.create_run(replace(result.run, status="running", finished_at=None),
                     [sr.site.site_code for sr in result.sites], {})
    for sr in result.sites:
        store.save_site_result(result.run.run_id, sr)
    store.finish_run(result.run.run_id)


def test_cli_notice_from_a_stored_run(profile, tmp_path):
    url = f"sqlite:///{tmp_path}/g.db"
    with Store.open(url) as store:
        store.import_sites(quarter_sites())
        _save(store, make_quarter(profile, run_id="run-2021q1", leizhou_blank=0))
        _save(store, make_quarter(profile))
    out = tmp_path / "out"
    figures = tmp_path / "figures.yaml"
    figures.write_text("jiucuo: {start: 2021-05-08, end: 2021-06-15, messages: 380, on_time_rate: 1}\n",
                       encoding="utf-8")
    result = CliRunner().invoke(app, [
        "notice", "run-2021q2", "--out", str(out), "--db", url, "--title", "2021年第二季度",
        "--issuer", "省政府办公厅", "--date", "2021-09-30", "--previous", "run-2021q1",
        "--figures", str(figures),
    ])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(NOTICE_NAMES)
    texts = _texts(docx_blocks(out / "通报.docx"))
    overall = next(t for t in texts if t.startswith("本季度"))
    assert "在运行的12家政府网站进行了全覆盖检查" in overall
    assert "较上季度（81.8%）下降9.1个百分点" in overall
    assert "2021年5月8日至6月15日，全省共收到“我为政府网站找错”平台转办的网民留言380条，按期办结率100%。" in texts
    assert any("并于10月13日前将整改情况报送省政府办公厅。" in t for t in texts)
    assert texts[-1] == "" and "2021年9月30日" in texts
    second = _tables(docx_blocks(out / "notice.docx"))[1]
    assert "雷州市人民政府" in {r[2] for r in second[1:]}
    assert list(read_rows(out / "attachments.xlsx")) == ["附件1", "附件2", "附件3", "附件4"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["notice", "no-such-run"], "govinspect runs"),
        (["notice", "run-x", "--date", "29/06/2021"], "YYYY-MM-DD"),
        (["notice", "run-x", "--fonts", "comic"], "office, portable"),
    ],
)
def test_cli_notice_errors_are_one_line(tmp_path, args, expected):
    db = f"sqlite:///{tmp_path}/g.db"
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "o"), "--db", db])
    assert result.exit_code == 2
    assert expected in result.output
    assert not (tmp_path / "o" / "通报.docx").exists()
