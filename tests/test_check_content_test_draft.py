"""content.test_draft: test and placeholder items versus real news about 测试."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext
from govinspect.checks.test_drafts import TestDrafts
from govinspect.registry.models import Site, SiteKind

HOME = "http://www.example-county.gov.cn/"


@pytest.fixture(scope="module")
def check() -> TestDrafts:
    return TestDrafts()


def ctx() -> CheckContext:
    site = Site(site_code="4408820001", name="某县人民政府", homepage=HOME, region="广东省/湛江市/某县",
                host_org="某县人民政府办公室", kind=SiteKind.PORTAL)
    now = datetime(2021, 6, 30, tzinfo=timezone.utc)
    return CheckContext(as_of=now, site=site, observed_at=now)


def article(title: str, body: str, head: str = "") -> PageView:
    html = (f"<html><head><title>{title}_某县人民政府</title>{head}</head><body><div class='nav'><a href='/'>首页</a></div>"
            f"<h1>{title}</h1><div class='TRS_Editor'><p>{body}</p></div></body></html>")
    return PageView(HOME + "art/1.html", html, warc_record_id="<urn:uuid:draft-1>")


def listing(items: list[str]) -> PageView:
    lis = "".join(f"<li><a href='/tzgg/{i}.html'>{t}</a><span>2021-06-2{i}</span></li>" for i, t in enumerate(items))
    html = f"<html><head><title>通知公告_某县人民政府</title></head><body><ul class='list'>{lis}</ul></body></html>"
    return PageView(HOME + "tzgg/", html, warc_record_id="<urn:uuid:draft-2>")


TITLE_POSITIVES = ["测试", "测试1", "test", "TEST", "Test-02", "ceshi", "ceshi123", "测试稿件", "测试文章请勿删除",
                   "【测试】关于开展安全检查的通知", "测试一下", "标题标题", "内容内容", "无标题文档", "xxxx", "請勿刪除",
                   "測試稿件", "ｔｅｓｔ", "关于召开xxxx年xx月例会的通知", "这是一条测试", "lorem ipsum dolor",
                   "测试信息，请勿点击", "新闻标题新闻标题", "世界，您好！", "Hello world!", "测  试", "关于XXXX的通知"]
TITLE_NEGATIVES = ["全县开展核酸检测", "冬奥会测试赛志愿者培训启动", "沿江大桥压力测试顺利完成", "2021年国民体质测试工作通知",
                   "软件测试服务采购项目公开招标公告", "Latest News", "Contest results announced", "职业技能测试成绩公布",
                   "网络安全测试评估工作的通知", "体质测试内容包括哪些", "关于做好测试赛保障工作的通知",
                   "省卫生健康委网站存在测试稿件问题的通报", "Test Report of Water Quality Station", "第XX届运动会",
                   "关于开展地震预警信息发布测试的公告", "12345", "政府信息公开申请表（样表）"]


@pytest.mark.parametrize("title", TITLE_POSITIVES)
def test_title_positives(check: TestDrafts, title: str) -> None:
    findings = list(check.run(article(title, "正文内容见附件。"), ctx()))
    assert findings, title
    f = findings[0]
    assert f.check == "content.test_draft" and f.detail["where"] in ("title", "heading")
    assert f.evidence.warc_record == "<urn:uuid:draft-1>" and f.evidence.reason and f.evidence.excerpt


@pytest.mark.parametrize("title", TITLE_NEGATIVES)
def test_title_negatives(check: TestDrafts, title: str) -> None:
    assert list(check.run(article(title, "根据工作安排，现将有关事项通知如下。"), ctx())) == []


BODY_POSITIVES = ["测试", "test", "内容内容内容内容", "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
                  "此处为正文内容，请替换。", "这是一篇测试文章。", "本文为测试稿件，请勿删除。", "定于xxxx年xx月xx日召开会议。",
                  "欢迎使用WordPress。这是您的第一篇文章。编辑或删除它，然后开始写作吧！", "这里是新闻正文。",
                  "XXXXXXXXXXXXXXXXXXXX。"]
BODY_NEGATIVES = ["本次测试内容包括身高、体重、肺活量等项目。", "压力测试顺利完成，测试数据显示各项指标合格。",
                  "考生可登录系统查询职业技能测试成绩。", "The latest contest results were announced.",
                  "对系统进行功能测试、性能测试和安全测试，出具第三方测试报告。",
                  "部分网站存在测试稿件、空白栏目等问题，请立即整改。", "检测点设置在各村综合服务中心。",
                  "国家反诈中心APP可通过手机号码13XXXXXXXXX注册，请勿轻信陌生来电。"]


@pytest.mark.parametrize("body", BODY_POSITIVES)
def test_body_positives(check: TestDrafts, body: str) -> None:
    findings = list(check.run(article("关于开展2021年普法宣传活动的通知", body), ctx()))
    assert [f.detail["where"] for f in findings] == ["body"], body
    assert findings[0].evidence.locator.endswith("div.TRS_Editor")


@pytest.mark.parametrize("body", BODY_NEGATIVES)
def test_body_negatives(check: TestDrafts, body: str) -> None:
    assert list(check.run(article("关于开展2021年普法宣传活动的通知", body), ctx())) == []


def test_sample_forms_keep_their_placeholders(check: TestDrafts) -> None:
    view = article("政府信息公开申请表（样表）", "申请人姓名：XXX 证件号码：XXXXXXXXXXXXXXXXXX。填写日期：XXXX年XX月XX日")
    assert list(check.run(view, ctx())) == []
    assert list(check.run(article("政府信息公开申请表", "申请人姓名：XXX 填写日期：XXXX年XX月XX日"), ctx())) != []


def test_list_items(check: TestDrafts) -> None:
    view = listing(["关于做好防汛工作的通知", "测试文章请勿删除", "冬奥会测试赛圆满结束", "TEST", "latest policies"])
    findings = list(check.run(view, ctx()))
    assert [(f.detail["where"], f.detail["text"]) for f in findings] == [("list item", "测试文章请勿删除"), ("list item", "TEST")]
    assert findings[0].target == HOME + "tzgg/1.html"
    assert findings[0].evidence.locator.endswith("li > a")


def test_test_in_urls_and_scripts_is_ignored(check: TestDrafts) -> None:
    view = article("价格监测周报", "本周猪肉价格小幅下降。<a href='/test/1.html'>价格监测</a>",
                   head="<script src='/js/test.js'></script><script>var test=1;document.title='test';</script>")
    assert list(check.run(view, ctx())) == []


def test_findings_are_capped_and_bad_input_bounded(check: TestDrafts) -> None:
    assert len(list(check.run(listing(["测试"] + [f"测试{i}" for i in range(30)]), ctx()))) == TestDrafts.Params().max_findings
    nested = "<div>" * 10_000 + "测试" + "</div>" * 10_000
    html = f"<html><head><title>正常标题</title></head><body>{nested}</body></html>"
    assert list(check.run(PageView(HOME, html), ctx())) != []
    huge = article("正常标题", "县政府召开常务会议。" * 2_100_000)
    assert list(check.run(huge, ctx())) == []
    junk = article("正常\ufffd标题", b"\xff\xfe\xc3(".decode("utf-8", "replace") + "测试稿件")
    assert [f.detail["marker"] for f in check.run(junk, ctx())] == ["测试稿件"]


def test_corpus_accuracy_meets_targets() -> None:
    path = Path(__file__).parents[1] / "benchmarks" / "content_accuracy.py"
    spec = importlib.util.spec_from_file_location("content_accuracy", path)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("content_accuracy", bench)
    spec.loader.exec_module(bench)
    result = bench.evaluate(next(s for s in bench.sections() if s.check == "content.test_draft"))
    assert result.pages >= 40 and result.tp >= 20
    assert result.precision >= 0.95 and result.recall >= 0.95 and result.fp_rate <= 0.01, result.errors
