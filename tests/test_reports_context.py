"""Report context: ordering, per-region aggregation, reasons, labels, number formats.

``make_run()`` builds the sample run every report test uses: six sites in two cities and the province,
with a veto, a low score, a bonus, a failed site run, an info finding and hostile strings.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from govinspect.findings.model import (
    CheckRun,
    Evidence,
    Finding,
    Outcome,
    RunInfo,
    RunResult,
    Severity,
    SiteResult,
)
from govinspect.registry.models import Site, SiteKind
from govinspect.reports.context import (
    ReportError,
    build_context,
    fmt_number,
    fmt_percent,
    is_web_url,
    safe_relative_path,
)
from govinspect.scoring.model import PointLoss, SiteScore

CST = timezone(timedelta(hours=8))
AS_OF = datetime(2021, 6, 15, 0, 0, tzinfo=CST)
NOW = datetime(2021, 6, 16, 9, 30, tzinfo=CST)
OBSERVED = datetime(2021, 6, 15, 10, 2, 11, tzinfo=CST)
PROFILE = ("national-2019", "2019.1")
HOSTILE_NAME = '=HYPERLINK("http://evil","x")'
XSS = "<script>alert(1)</script>"
RULES = ("未注明发布时间的信息视为不更新", "单项否决指标任一项不达标即为不合格")


def _site(code: str, name: str, region: str, kind: SiteKind = SiteKind.PORTAL, homepage: str = "") -> Site:
    return Site(
        site_code=code,
        name=name,
        homepage=homepage or f"http://www.{code}.gov.cn/",
        region=region,
        host_org=f"{name}办公室",
        kind=kind,
    )


def _finding(
    site: Site,
    check: str,
    url: str,
    *,
    target: str | None = None,
    severity: Severity = Severity.DEDUCT,
    indicator: str = "",
    excerpt: str = "",
    locator: str = "",
    reason: str = "",
    detail=None,
) -> Finding:
    return Finding(
        check=check,
        site_code=site.site_code,
        url=url,
        target=target,
        severity=severity,
        indicator=indicator,
        detail=detail or {},
        evidence=Evidence(
            excerpt=excerpt,
            locator=locator,
            warc_record=f"<urn:uuid:{site.site_code}-{len(url)}>",
            reason=reason,
        ),
        observed_at=OBSERVED,
    )


def _score(
    site: Site,
    *,
    qualified: bool,
    deductions: float,
    bonus: float = 0.0,
    score: float | None,
    vetoes=(),
    losses=(),
    profile=PROFILE,
) -> SiteScore:
    return SiteScore(
        site_code=site.site_code,
        qualified=qualified,
        vetoes=list(vetoes),
        deductions=deductions,
        bonus=bonus,
        score=score,
        losses=list(losses),
        profile_id=profile[0],
        profile_version=profile[1],
    )


def make_run(*, profile: tuple[str, str] = PROFILE) -> RunResult:
    zhanjiang = _site("4408000001", "湛江市人民政府", "广东省/湛江市")
    leizhou = _site("4408820001", "雷州市人民政府", "广东省/湛江市/雷州市")
    hostile = _site("4408000002", HOSTILE_NAME, "广东省/湛江市", SiteKind.DEPARTMENT)
    guangzhou = _site("4401000001", "广州市人民政府", "广东省/广州市")
    education = _site("4401000002", "广州市教育局", "广东省/广州市", SiteKind.DEPARTMENT)
    province = _site("4400000001", "广东省人民政府", "广东省")

    zj_findings = [
        _finding(
            zhanjiang,
            "link.dead",
            "http://www.4408000001.gov.cn/",
            target="http://www.4408000001.gov.cn/a.html",
            indicator="deduct.function_design.dead_links",
            excerpt='<a href="a.html">通知</a>',
            locator="css:#nav > a:nth-child(2)",
            reason="链接返回 404",
            detail={"status": 404, "on_homepage": True},
        ),
        _finding(
            zhanjiang,
            "link.dead",
            "http://www.4408000001.gov.cn/",
            target="http://www.4408000001.gov.cn/b.html",
            indicator="deduct.function_design.dead_links",
            excerpt='<a href="b.html">公告</a>',
            locator="css:#nav > a:nth-child(3)",
            reason="连接超时",
            detail={"failure": "timeout", "on_homepage": True},
        ),
        _finding(
            zhanjiang,
            "footer.missing",
            "http://www.4408000001.gov.cn/",
            indicator="deduct.function_design.footer",
            locator="css:footer",
            reason="页面底部未列明公安机关备案标识",
            detail={"item": "police_record"},
        ),
        _finding(
            zhanjiang,
            "security.headers",
            "http://www.4408000001.gov.cn/",
            severity=Severity.INFO,
            indicator="info.security.headers",
            locator="header:Strict-Transport-Security",
            reason="未设置 HSTS",
        ),
    ]
    lz_findings = [
        _finding(
            leizhou,
            "column.stale",
            "http://www.4408820001.gov.cn/tzgg/",
            severity=Severity.VETO,
            indicator="veto.columns_not_updated",
            excerpt="关于开展防汛演练的通知 2020-11-02",
            locator="css:ul.list > li:nth-child(1)",
            reason="通知公告栏目最新信息早于监测时间点 183 天以上",
            detail={
                "column": "通知公告",
                "category": "notice",
                "newest": date(2020, 11, 2),
                "limit_days": 183,
            },
        ),
        _finding(
            leizhou,
            "column.stale",
            "http://www.4408820001.gov.cn/zcwj/",
            severity=Severity.VETO,
            indicator="veto.columns_not_updated",
            excerpt=XSS,
            locator="css:ul.list > li:nth-child(1)",
            reason="政策文件栏目超过 183 天未更新",
            detail={"column": "政策文件", "category": "policy", "newest": "2020-10-01", "limit_days": 183},
        ),
        _finding(
            leizhou,
            "content.wrong_region",
            "http://www.4408820001.gov.cn/lzsq/",
            indicator="deduct.publish.wrong_region",
            excerpt="信宜市位于广东省西南部",
            locator="css:div.content > p:nth-child(1)",
            reason="内容描述信宜市而非雷州市",
        ),
    ]
    hostile_findings = [
        _finding(
            hostile,
            "content.dark_link",
            "javascript:alert(document.cookie)",
            target=XSS,
            indicator="deduct.publish.dark_link",
            excerpt=f"{XSS}\x01<img src=x onerror=alert(2)>",
            locator='css:div[style*="display:none"] > a',
            reason=HOSTILE_NAME,
        ),
    ]
    sites = [
        SiteResult(
            site=zhanjiang,
            findings=zj_findings,
            pages_fetched=120,
            pages_left_out=3,
            homepage_ok=True,
            warc_path="evidence/4408000001.warc.gz",
            check_runs=[
                CheckRun("link.dead", zhanjiang.site_code, Outcome.COMPLETED, findings=2),
                CheckRun("content.dark_link", zhanjiang.site_code, Outcome.ERROR, message="渲染结果不可用"),
            ],
            score=_score(
                zhanjiang,
                qualified=True,
                deductions=7.5,
                score=92.5,
                losses=[
                    PointLoss(
                        "deduct.function_design.dead_links",
                        "首页链接不可用",
                        5.0,
                        2,
                        "2 个首页链接不可用，每个扣1分（本季度加倍）",
                    ),
                    PointLoss(
                        "deduct.function_design.footer",
                        "页面底部功能区不规范",
                        2.5,
                        1,
                        "缺少公安机关备案标识",
                    ),
                ],
                profile=profile,
            ),
        ),
        SiteResult(
            site=leizhou,
            findings=lz_findings,
            pages_fetched=80,
            homepage_ok=True,
            warc_path="evidence/4408820001.warc.gz",
            score=_score(
                leizhou,
                qualified=False,
                deductions=3.0,
                score=None,
                vetoes=["veto.columns_not_updated"],
                losses=[
                    PointLoss(
                        "veto.columns_not_updated",
                        "栏目不更新",
                        0.0,
                        2,
                        "通知公告、政策文件栏目长期未更新共 2 个",
                    ),
                    PointLoss("deduct.publish.wrong_region", "内容张冠李戴", 3.0, 1, "市情栏目为信宜市概况"),
                ],
                profile=profile,
            ),
        ),
        SiteResult(
            site=hostile,
            findings=hostile_findings,
            pages_fetched=5,
            homepage_ok=True,
            warc_path="../../etc/passwd",
            score=_score(
                hostile,
                qualified=True,
                deductions=0.1,
                score=99.9,
                losses=[
                    PointLoss("deduct.publish.dark_link", XSS, 0.1, 1, XSS),
                ],
                profile=profile,
            ),
        ),
        SiteResult(
            site=guangzhou,
            pages_fetched=200,
            homepage_ok=True,
            warc_path="evidence/4401000001.warc.gz",
            score=_score(guangzhou, qualified=True, deductions=2.0, bonus=4.5, score=102.5, profile=profile),
        ),
        SiteResult(
            site=education,
            pages_fetched=30,
            homepage_ok=True,
            warc_path="evidence/4401000002.warc.gz",
            score=_score(
                education,
                qualified=False,
                deductions=45.0,
                score=55.0,
                losses=[
                    PointLoss("deduct.publish.blank_columns", "空白栏目", 45.0, 9, "9 个空白栏目，每个扣5分"),
                ],
                profile=profile,
            ),
        ),
        SiteResult(site=province, error="crawl failed: 首页连接被重置 (connection reset)"),
    ]
    run = RunInfo(
        run_id="run-2021q2",
        as_of=AS_OF,
        started_at=AS_OF,
        finished_at=AS_OF + timedelta(hours=3),
        profile_id=profile[0],
        profile_version=profile[1],
        status="finished",
    )
    return RunResult(run=run, sites=sites)


def test_sites_are_ordered_by_site_code_and_classified():
    ctx = build_context(make_run(), rules=RULES)
    assert [s.site_code for s in ctx.sites] == [
        "4400000001",
        "4401000001",
        "4401000002",
        "4408000001",
        "4408000002",
        "4408820001",
    ]
    status = {s.site_code: s.status for s in ctx.sites}
    assert status == {
        "4400000001": "not_scored",
        "4401000001": "qualified",
        "4401000002": "unqualified",
        "4408000001": "qualified",
        "4408000002": "qualified",
        "4408820001": "unqualified",
    }
    assert (ctx.profile_id, ctx.profile_version) == PROFILE
    assert ctx.rules == RULES


def test_regions_aggregate_like_attachment_1():
    ctx = build_context(make_run())
    rows = {
        r.name: (r.sites, r.scored, r.qualified, r.unqualified, r.vetoed, r.not_scored) for r in ctx.regions
    }
    assert list(rows) == ["广东省（省级）", "广州市", "湛江市"]
    assert rows["广州市"] == (2, 2, 1, 1, 0, 0)
    assert rows["湛江市"] == (3, 3, 2, 1, 1, 0)  # 雷州市 counts under its city
    assert rows["广东省（省级）"] == (1, 0, 0, 0, 0, 1)
    by_name = {r.name: r for r in ctx.regions}
    assert by_name["广州市"].pass_rate == pytest.approx(0.5)
    assert by_name["湛江市"].pass_rate == pytest.approx(2 / 3)
    assert by_name["广东省（省级）"].pass_rate is None  # nothing scored: no rate, not 0 %
    assert (ctx.totals.sites, ctx.totals.scored, ctx.totals.qualified) == (6, 5, 3)
    assert ctx.overall_pass_rate == pytest.approx(0.6)
    assert by_name["湛江市"].unqualified_names == ("雷州市人民政府",)


def test_reasons_for_vetoed_low_score_and_failed_sites():
    ctx = build_context(make_run())
    sites = {s.site_code: s for s in ctx.sites}
    assert sites["4408820001"].reasons == ("栏目不更新：通知公告、政策文件栏目长期未更新共 2 个",)
    assert sites["4408820001"].veto_names == ("栏目不更新",)
    assert sites["4401000002"].reasons == ("得分55分，未达到合格分数",)
    assert sites["4400000001"].reasons == ("检查未完成：crawl failed: 首页连接被重置 (connection reset)",)
    assert sites["4408000001"].reasons == ()
    assert [s.site_code for s in ctx.vetoed_sites] == ["4408820001"]
    assert [s.site_code for s in ctx.problem_sites] == ["4400000001", "4401000002", "4408820001"]


def test_findings_are_grouped_under_their_score_lines():
    ctx = build_context(make_run())
    zj = next(s for s in ctx.sites if s.site_code == "4408000001")
    dead = zj.losses[0]
    assert dead.indicator == "deduct.function_design.dead_links" and not dead.is_veto
    assert [f.target for f in dead.findings] == [
        "http://www.4408000001.gov.cn/a.html",
        "http://www.4408000001.gov.cn/b.html",
    ]
    assert [f.check for f in zj.other_findings] == ["security.headers"]  # info: no score line
    assert zj.other_findings[0].severity_name == "提示"
    assert [(c.check, c.outcome_name, c.message) for c in zj.incomplete_checks] == [
        ("content.dark_link", "出错", "渲染结果不可用")
    ]
    lz = next(s for s in ctx.sites if s.site_code == "4408820001")
    assert lz.losses[0].is_veto and len(lz.losses[0].findings) == 2
    footer = next(f for f in zj.findings if f.check == "footer.missing")
    assert footer.check_name == "页面底部功能区要素缺失"
    assert footer.detail_text == "item=公安机关备案标识"
    assert footer.indicator_name == "页面底部功能区不规范"  # the profile's own name


def test_check_counts_and_severity_totals():
    ctx = build_context(make_run())
    counts = {c.check: (c.findings, c.sites) for c in ctx.check_counts}
    assert counts == {
        "link.dead": (2, 1),
        "column.stale": (2, 1),
        "footer.missing": (1, 1),
        "security.headers": (1, 1),
        "content.wrong_region": (1, 1),
        "content.dark_link": (1, 1),
    }
    assert [c.check for c in ctx.check_counts][:2] == ["column.stale", "link.dead"]  # most first, then by id
    assert ctx.severity_counts() == {"veto": 2, "deduct": 5, "info": 1}


def test_unsafe_warc_path_is_not_linked():
    ctx = build_context(make_run())
    hostile = next(s for s in ctx.sites if s.site_code == "4408000002")
    assert hostile.warc_path == ""
    assert all(f.warc_path == "" for f in hostile.findings)


def test_mixed_profiles_are_refused():
    run = make_run()
    run.sites[0].score.profile_version = "2021.2"
    with pytest.raises(ReportError, match="re-score every site with one profile"):
        build_context(run)


def test_duplicate_site_codes_are_refused():
    run = make_run()
    run.sites.append(run.sites[0])
    with pytest.raises(ReportError, match="4408000001"):
        build_context(run)


def test_profile_falls_back_to_scores_when_run_has_none():
    run = make_run()
    run.run.profile_id = run.run.profile_version = ""
    ctx = build_context(run)
    assert (ctx.profile_id, ctx.profile_version) == PROFILE


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (92.5, "92.5"),
        (100.0, "100"),
        (100, "100"),
        (0.0, "0"),
        (-0.0, "0"),
        (93.333333, "93.33"),
        (0.1 + 0.2, "0.3"),
        (7.499999999, "7.5"),
        (None, ""),
        (0.005, "0.01"),
        (130.0, "130"),
    ],
)
def test_fmt_number(value, text):
    assert fmt_number(value) == text


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (1.0, "100%"),
        (0.989, "98.9%"),
        (2 / 3, "66.7%"),
        (0.0, "0%"),
        (None, "—"),
        (0.9999, "100%"),
    ],
)
def test_fmt_percent(rate, text):
    assert fmt_percent(rate) == text


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://www.gov.cn/", True),
        ("https://a.gov.cn/x?y=1", True),
        ("HTTPS://A.GOV.CN/", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil.example/", False),
        ("http:///nohost", False),
        ("/relative", False),
        ("", False),
        (None, False),
        ("http://[::1", False),
    ],
)
def test_is_web_url(url, ok):
    assert is_web_url(url) is ok


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("evidence/4408000001.warc.gz", "evidence/4408000001.warc.gz"),
        ("evidence\\a.warc.gz", "evidence/a.warc.gz"),
        ("../secret", ""),
        ("evidence/../../x", ""),
        ("/etc/passwd", ""),
        ("javascript:alert(1)", ""),
        ("C:/x.warc.gz", ""),
        ("evidence/a\nb", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_relative_path(path, safe):
    assert safe_relative_path(path) == safe


GOLDEN_DIR = Path(__file__).parent / "golden"


def _dump_golden(data: object) -> str:
    """JSON with one row (or one line of text) per line, so a golden diff reads like the report."""

    def rows(items: list) -> str:
        return "[\n" + ",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in items) + "\n ]"

    if isinstance(data, dict):
        body = ",\n".join(f" {json.dumps(k, ensure_ascii=False)}: {rows(v)}" for k, v in data.items())
        return "{\n" + body + "\n}\n"
    return rows(data) + "\n"


def assert_golden(name: str, actual: object, update: bool) -> None:
    """Compare ``actual`` with tests/golden/<name>.json; ``--update-golden`` rewrites the file first."""
    path = GOLDEN_DIR / f"{name}.json"
    if update:
        GOLDEN_DIR.mkdir(exist_ok=True)
        path.write_text(_dump_golden(actual), encoding="utf-8")
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; run pytest with --update-golden and review the diff")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert actual == expected, f"output differs from {path}; if the change is intended, run --update-golden"


def test_the_rule_profile_names_indicators_and_states_its_pass_line():
    from govinspect.scoring.profile import load_profile

    profile = load_profile("national-2019")
    assert (profile.id, profile.version) == PROFILE
    run = make_run()
    zhanjiang = run.sites[0]
    zhanjiang.findings[-1].indicator = "info.function_design.domain_pattern"  # named only in the profile
    ctx = build_context(run, profile=profile)
    assert ctx.profile_title == profile.title
    info = next(f for s in ctx.sites for f in s.other_findings if f.check == "security.headers")
    assert info.indicator_name == profile.indicator_name("info.function_design.domain_pattern")
    assert info.indicator_name != "info.function_design.domain_pattern"
    education = next(s for s in ctx.sites if s.site_code == "4401000002")
    assert education.reasons == (f"得分55分，未达到合格线{fmt_number(profile.pass_line)}分",)


def test_a_different_profile_than_the_scores_is_refused():
    from govinspect.scoring.profile import load_profile

    other = load_profile("national-2019").model_copy(update={"version": "2099.9"})
    with pytest.raises(ReportError, match="report it with the profile it was scored with"):
        build_context(make_run(), profile=other)
