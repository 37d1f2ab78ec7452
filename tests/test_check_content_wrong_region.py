"""content.wrong_region: another county written as the site's own place on 概况/县情/机构职能 pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext
from govinspect.checks.wrong_region import WrongRegion
from govinspect.errors import NotApplicable
from govinspect.registry.gazetteer import Gazetteer
from govinspect.registry.models import Site, SiteKind

TZ = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2026, 6, 15, tzinfo=TZ)
LEIZHOU = Site(site_code="4408820001", name="雷州市人民政府", homepage="http://www.leizhou.gov.cn/",
               region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)
ZHANJIANG = Site(site_code="4408000001", name="湛江市人民政府", homepage="http://www.zhanjiang.gov.cn/",
                 region="广东省/湛江市", host_org="湛江市人民政府办公室", kind=SiteKind.PORTAL)


@pytest.fixture(scope="module")
def check() -> WrongRegion:
    return WrongRegion(gazetteer=Gazetteer.load())


def ctx(site: Site = LEIZHOU) -> CheckContext:
    return CheckContext(as_of=AS_OF, site=site, observed_at=AS_OF)


def page(body: str, title: str = "雷州市情", url: str = "http://www.leizhou.gov.cn/zjlz/sq/index.html",
         column: str = "") -> PageView:
    meta = f'<meta name="ColumnName" content="{column}">' if column else ""
    return PageView(url, f"<html><head><title>{title}</title>{meta}</head><body><div class=con>{body}</div></body></html>")


POSITIVES = [
    ("信宜市位于广东省西南部，鉴江上游，东邻阳春市，西接广西，南连高州市。", "广东省/茂名市/信宜市", "subject"),
    ("信宜市辖13个镇、4个街道，总面积3081平方公里。", "广东省/茂名市/信宜市", "subject"),
    ("全市常住人口142万人。信宜总面积3081平方公里。", "广东省/茂名市/信宜市", "subject"),
    ("本市信宜片区是重要的林业基地。", "广东省/茂名市/信宜市", "self_reference"),
    ("徐闻县地处中国大陆最南端，三面环海。", "广东省/湛江市/徐闻县", "subject"),
    ("化州市常住人口120万人。", "广东省/茂名市/化州市", "subject"),
    # a duties or leader page copied from another place names that place's institutions
    ("信宜市发展和改革局是信宜市人民政府工作部门，主要职责是：", "广东省/茂名市/信宜市", "institution"),
    ("现任信宜市人民政府市长，主持市政府全面工作。", "广东省/茂名市/信宜市", "institution"),
    ("（一）拟订并组织实施化州市国民经济和社会发展规划。", "广东省/茂名市/化州市", "institution"),
]

NEGATIVES = [
    "雷州市位于雷州半岛中部，东邻遂溪县，与化州市接壤，距湛江市区50公里。",  # own place, neighbours
    "雷州市北接遂溪县，南连徐闻县，东濒南海，西临北部湾。",
    "遂溪县位于雷州市北部，徐闻县位于本市南部。",  # neighbours located relative to us
    "湛江市下辖雷州市。湛江市位于广东省西南部。",  # the parent city
    "广东省地处中国大陆最南部。",  # the province
    "1994年撤销海康县，设立雷州市，以原海康县的行政区域为雷州市的行政区域。",  # historical name
    "我市与信宜市签订对口协作协议，双方在林业方面开展交流。",  # relation
    "茂名市是我市对口帮扶城市。",
    "市领导赴化州市考察学习乡村振兴经验。",
    "东方市场位于城区东部。",  # a market, not 东方市
    "城区面积达30平方公里。",  # generic district name
    "和平路位于雷城街道。",
    "曾任遂溪县副县长，徐闻县委常委、常务副县长。",  # a leader's earlier posts
    "2015.03—2018.06 遂溪县发展和改革局局长",  # a dated CV line
    "负责与遂溪县人民政府的沟通协调工作。",  # a relation
    # menus, 友情链接 and related-link lists name other places' institutions without describing them
    '<p>雷州市人民政府是市级国家行政机关。</p><div class="friend"><h4>友情链接</h4><ul>'
    '<li><a href="http://www.xinyi.gov.cn/">信宜市人民政府</a></li><li><a href="http://www.xuwen.gov.cn/">'
    '徐闻县人民政府</a></li></ul></div><nav>化州市发展和改革局</nav>',
]


@pytest.mark.parametrize(("body", "other", "pattern"), POSITIVES)
def test_positive_cases(check: WrongRegion, body: str, other: str, pattern: str) -> None:
    findings = list(check.run(page(body), ctx()))
    assert len(findings) == 1
    f = findings[0]
    assert f.detail["other_region"] == other
    assert pattern in f.detail["patterns"]
    assert f.detail["own_region"] == "广东省/湛江市/雷州市"
    assert f.check == "content.wrong_region"
    assert f.evidence.excerpt and f.evidence.reason


@pytest.mark.parametrize("body", NEGATIVES)
def test_negative_and_near_miss_cases(check: WrongRegion, body: str) -> None:
    assert list(check.run(page(body), ctx())) == []


def test_title_naming_another_place(check: WrongRegion) -> None:
    findings = list(check.run(page("<p>地处粤西，历史悠久。</p>", title="信宜概况"), ctx()))
    assert [(f.detail["other_region"], f.detail["patterns"]) for f in findings] == [("广东省/茂名市/信宜市", ["title"])]
    assert findings[0].evidence.locator == "title"


@pytest.mark.parametrize(
    ("title", "url", "column"),
    [
        ("县情简介", "http://www.leizhou.gov.cn/a/b.html", ""),
        ("通知", "http://www.leizhou.gov.cn/zwgk/jgzn/index.html", ""),
        ("雷州市农业农村局", "http://www.leizhou.gov.cn/x/1.html", "机构职能"),
        ("领导信息", "http://www.leizhou.gov.cn/x/2.html", ""),
    ],
)
def test_pages_about_own_place_are_recognised(check: WrongRegion, title: str, url: str, column: str) -> None:
    p = page("信宜市位于广东省西南部。", title=title, url=url, column=column)
    assert check.about_own_place(p)
    assert len(list(check.run(p, ctx()))) == 1


def test_other_pages_are_not_read(check: WrongRegion) -> None:
    """A news item about a visit to 信宜 is not a page about the site's own place."""
    p = page("信宜市位于广东省西南部。", title="我市赴信宜考察", url="http://www.leizhou.gov.cn/xwzx/2026/1.html")
    assert check.about_own_place(p) == ""
    assert list(check.run(p, ctx())) == []
    # a query that carries a path is not the page's own path
    p = page("信宜市位于广东省西南部。", title="我市赴信宜考察", url="http://www.leizhou.gov.cn?from=/zjlz/sq")
    assert check.about_own_place(p) == ""


def test_city_site_may_describe_its_counties(check: WrongRegion) -> None:
    body = "湛江市位于广东省西南部。雷州市位于雷州半岛中部。徐闻县地处大陆最南端。"
    assert list(check.run(page(body, title="湛江市情"), ctx(ZHANJIANG))) == []
    wrong = list(check.run(page("茂名市位于广东省西南部。", title="湛江市情"), ctx(ZHANJIANG)))
    assert [f.detail["other_region"] for f in wrong] == ["广东省/茂名市"]


def test_unknown_region_is_not_applicable(check: WrongRegion) -> None:
    site = LEIZHOU.model_copy(update={"region": "火星省/不存在市"})
    with pytest.raises(NotApplicable):
        list(check.run(page("信宜市位于广东省西南部。"), ctx(site)))


def test_one_finding_per_other_place_with_count(check: WrongRegion) -> None:
    body = "信宜市位于广东省西南部。信宜市辖13个镇。化州市常住人口120万人。"
    findings = {f.detail["name"]: f.detail["count"] for f in check.run(page(body), ctx())}
    assert findings == {"信宜市": 2, "化州市": 1}


def _corpus_cases() -> list[dict[str, object]]:
    import json
    from pathlib import Path

    labels = Path(__file__).parent / "fixtures" / "wrong_region" / "labels.json"
    return json.loads(labels.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", _corpus_cases(), ids=lambda c: str(c["file"]))
def test_labelled_corpus(check: WrongRegion, case: dict[str, object]) -> None:
    from pathlib import Path

    path = (Path(__file__).parent / "fixtures" / "wrong_region" / str(case["file"])).resolve()
    p = PageView("http://www.leizhou.gov.cn/" + path.name, path.read_text("utf-8"))
    assert bool(list(check.run(p, ctx()))) is case["expected"], case["note"]
