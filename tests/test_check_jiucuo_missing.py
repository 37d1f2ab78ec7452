"""jiucuo.missing: the 我为政府网站找错 entrance in the page-bottom area of every sampled page."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext, SiteView
from govinspect.checks.jiucuo import JiucuoMissing
from govinspect.errors import NotApplicable
from govinspect.registry.models import Site, SiteKind

NOW = datetime(2021, 6, 15, 10, 0, tzinfo=timezone(timedelta(hours=8)))
HOME = "http://www.leizhou.gov.cn:8080/"
CODE = "4408820001"
SITE = Site(site_code=CODE, name="雷州市人民政府网", homepage=HOME, region="广东省/湛江市/雷州市",
            host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)
LINK = (f"<a href='https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={CODE}&url=x' target='_blank'>"
        "<img src='/images/jiucuo.png'></a>")


def page(url: str, footer: str, after_footer: str = "", main: str = "") -> PageView:
    html = (f"<html><body><div class='main'>{main}<a href='/zwgk/'>政务公开</a></div>"
            f"<div class='footer'><p>主办单位：雷州市人民政府办公室</p>{footer}</div>{after_footer}</body></html>")
    return PageView(url, html, warc_record_id=f"<urn:record:{url}>")


def run(pages: list[PageView], site: Site = SITE, check: JiucuoMissing | None = None) -> list:
    view = SiteView(site=site, homepage=pages[0] if pages else None, pages=pages)
    return list((check or JiucuoMissing()).run(view, CheckContext(as_of=NOW, site=site, observed_at=NOW)))


CASES = [
    # positives of an entrance (no finding)
    pytest.param(LINK, "", "", False, id="official-link-with-image"),
    pytest.param(f"<a href='https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={CODE}'>纠错</a>", "", "",
                 False, id="official-link-text"),
    pytest.param("<a href='/zc.html'>我为政府网站找错</a>", "", "", False, id="anchor-text-local"),
    pytest.param("<img src='/images/jiucuo.png'>", "", "", False, id="jiucuo-image"),
    pytest.param("", f"<script id='_jiucuo_' sitecode='{CODE}' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'>"
                 "</script>", "", False, id="script-after-footer"),
    # negatives (finding)
    pytest.param("", "", "", True, id="nothing"),
    pytest.param("<a href='/jc.html'>网页纠错</a>", "", "", True, id="near-miss-page-correction"),
    pytest.param("", "", "<a href='/zc.html'>我为政府网站找错</a>", True, id="near-miss-text-outside-footer"),
    pytest.param("<img src='/images/jiucuo-bg.png'>", "", "", True, id="near-miss-other-image"),
    pytest.param("<a href='https://zfwzgl.www.gov.cn/exposure/index.html'>政府网站</a>", "", "", True,
                 id="near-miss-platform-home"),
    pytest.param("", "", f"<a href='https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={CODE}'>找错</a>",
                 True, id="near-miss-official-link-in-header"),
]


@pytest.mark.parametrize(("footer", "after", "main", "missing"), CASES)
def test_case_table(footer: str, after: str, main: str, missing: bool) -> None:
    found = run([page(HOME, footer, after, main)])
    assert bool(found) is missing
    if missing:
        (finding,) = found
        assert finding.detail["pages_missing"] == 1 and finding.detail["pages_checked"] == 1
        assert finding.detail["wrong_site_code"] is None
        assert finding.evidence.warc_record == f"<urn:record:{HOME}>"


@pytest.mark.parametrize(
    ("footer", "after"),
    [
        (LINK.replace(CODE, "4408000001"), ""),
        ("", "<script id='_jiucuo_' sitecode='4408000001' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>"),
    ],
    ids=["link", "script"],
)
def test_wrong_site_code(footer: str, after: str) -> None:
    (finding,) = run([page(HOME, footer, after)])
    assert finding.detail["wrong_site_code"] == "4408000001"
    assert finding.detail["pages_missing"] == 0
    assert "4408000001" in finding.evidence.reason


def test_missing_on_inner_pages_only() -> None:
    pages = [page(HOME, LINK), page(HOME + "a.html", LINK), page(HOME + "b.html", ""), page(HOME + "c.html", "")]
    (finding,) = run(pages)
    assert finding.url == HOME + "b.html"
    assert finding.detail["pages_checked"] == 4
    assert finding.detail["pages_missing"] == 2
    assert finding.detail["missing_pages"] == [HOME + "b.html", HOME + "c.html"]


def test_site_kinds_parameter() -> None:
    department = SITE.model_copy(update={"kind": SiteKind.DEPARTMENT})
    assert run([page(HOME, "")], department)
    with pytest.raises(NotApplicable, match="site_kinds"):
        run([page(HOME, "")], department, JiucuoMissing(JiucuoMissing.Params(site_kinds=("portal",))))


def test_no_pages_is_not_applicable() -> None:
    with pytest.raises(NotApplicable):
        run([])
