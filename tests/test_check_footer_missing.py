"""footer.missing: the six page-bottom items on the homepage and sampled pages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext, SiteView
from govinspect.checks.footer import FooterMissing, sample_pages
from govinspect.errors import NotApplicable
from govinspect.registry.models import Site, SiteKind

NOW = datetime(2021, 6, 15, 10, 0, tzinfo=timezone(timedelta(hours=8)))
HOME = "http://www.leizhou.gov.cn:8080/"
CODE = "4408820001"
SITE = Site(site_code=CODE, name="雷州市人民政府网", homepage=HOME, region="广东省/湛江市/雷州市",
            host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)

PARTS = {
    "host_org": "<p>主办单位：雷州市人民政府办公室</p>",
    "contact": "<p>联系电话：0759-8888888 <a href='/lxwm.html'>联系我们</a></p>",
    "site_code": f"<p>网站标识码：{CODE}</p>",
    "icp": "<p><a href='https://beian.miit.gov.cn/'>粤ICP备05070218号-1</a></p>",
    "police_record": "<p><img src='/images/ga.png'>粤公网安备 44088202000123号</p>",
    "conac_logo": "<p><a href='https://bszs.conac.cn/sitename?method=show&id=1'><img src='/images/red.png'></a></p>",
}


def footer_page(url: str, *, drop: tuple[str, ...] = (), replace: dict[str, str] | None = None,
                head: str = "") -> PageView:
    parts = {**PARTS, **(replace or {})}
    footer = "".join(v for k, v in parts.items() if k not in drop)
    html = (f"<html><head>{head}</head><body><div class='main'><a href='/zwgk/'>政务公开</a></div>"
            f"<div class='footer'>{footer}</div></body></html>")
    return PageView(url, html, warc_record_id=f"<urn:record:{url}>")


def run(pages: list[PageView], check: FooterMissing | None = None) -> list:
    view = SiteView(site=SITE, homepage=pages[0] if pages else None, pages=pages)
    return list((check or FooterMissing()).run(view, CheckContext(as_of=NOW, site=SITE, observed_at=NOW)))


def missing_items(page: PageView) -> set[str]:
    return {f.detail["item"] for f in run([page])}


def test_complete_footer_has_no_findings() -> None:
    assert missing_items(footer_page(HOME)) == set()


@pytest.mark.parametrize("item", list(PARTS))
def test_each_item_dropped_is_found(item: str) -> None:
    (finding,) = run([footer_page(HOME, drop=(item,))])
    assert finding.detail["item"] == item
    assert finding.detail["pages_checked"] == 1 and finding.detail["pages_missing"] == 1
    assert finding.url == HOME
    assert finding.evidence.warc_record == f"<urn:record:{HOME}>"
    assert finding.evidence.locator.endswith("div.footer")


ALTERNATIVES = [
    # positives in other shapes (present → no finding)
    pytest.param("icp", "<p>ICP备案号：京ICP备05070218号</p>", False, id="icp-beijing-label"),
    pytest.param("icp", "<p>琼ICP备 2021001234 号</p>", False, id="icp-spaced"),
    pytest.param("police_record", "<p><a href='http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=1'>"
                 "<img src='/ga.png'>公安备案</a></p>", False, id="police-link-only"),
    pytest.param("police_record", "<p><a href='https://beian.mps.gov.cn/#/query/webSearch?code=1'>x</a></p>",
                 False, id="police-mps-link"),
    pytest.param("host_org", "<p>主 办：雷州市人民政府办公室</p>", False, id="host-org-spaced"),
    pytest.param("contact", "<p>电子邮箱：lzszf@163.com</p>", False, id="contact-email"),
    pytest.param("contact", "<p><a href='mailto:lzszf@163.com'>写信</a></p>", False, id="contact-mailto"),
    pytest.param("contact", "<p>电话：(0759)8888888</p>", False, id="contact-phone-label"),
    pytest.param("site_code", f"<p>{CODE}</p>", False, id="site-code-without-label"),
    pytest.param("conac_logo", "<p><img src='/images/dzjg.png'></p>", False, id="conac-dzjg-image"),
    pytest.param("conac_logo", "<p><img src='/images/red.png' alt='党政机关'></p>", False, id="conac-alt"),
    # near misses (still missing → finding)
    pytest.param("icp", "<p>ICP备案：办理中</p>", True, id="icp-label-without-number"),
    pytest.param("icp", "<p>粤ICP证05070218号</p>", True, id="icp-licence-not-filing"),
    pytest.param("police_record", "<p>公安机关备案</p>", True, id="police-words-only"),
    pytest.param("police_record", "<p><a href='https://beian.miit.gov.cn/'>备案</a></p>", True,
                 id="police-miit-link-is-icp"),
    pytest.param("host_org", "<p>承办单位：雷州市政务服务数据管理局</p>", True, id="host-org-only-chengban"),
    pytest.param("contact", "<p>电话：</p>", True, id="contact-label-without-number"),
    pytest.param("contact", "<p>传真：0759-8888889</p>", True, id="contact-fax-only"),
    pytest.param("site_code", "<p>网站标识码：</p>", True, id="site-code-label-without-code"),
    pytest.param("conac_logo", "<p><img src='/images/gongan.png'></p>", True, id="conac-other-logo"),
]


@pytest.mark.parametrize(("item", "html", "missing"), ALTERNATIVES)
def test_alternatives_and_near_misses(item: str, html: str, missing: bool) -> None:
    found = missing_items(footer_page(HOME, replace={item: html}))
    assert (item in found) is missing
    assert found - {item} == set()


def test_wrong_site_code_is_reported() -> None:
    (finding,) = run([footer_page(HOME, replace={"site_code": "<p>网站标识码：4408000001</p>"})])
    assert finding.detail["item"] == "site_code"
    assert finding.detail["found_code"] == "4408000001"


def test_site_code_only_in_meta_is_missing() -> None:
    page = footer_page(HOME, drop=("site_code",), head=f'<meta name="SiteIDCode" content="{CODE}">')
    (finding,) = run([page])
    assert finding.detail["meta_only"] is True
    plain = run([footer_page(HOME, drop=("site_code",))])
    assert plain[0].detail["meta_only"] is False


def test_conac_script_anywhere_counts() -> None:
    script = '<span id="_ideConac"></span><script src="//dcs.conac.cn/js/17/000/0000/60000000/CA170000000600000001.js"></script>'
    page = PageView(HOME, "<html><body><div class='footer'>" + "".join(v for k, v in PARTS.items() if k != "conac_logo")
                    + "</div>" + script + "</body></html>")
    assert missing_items(page) == set()


def test_item_missing_on_an_inner_page_only() -> None:
    pages = [footer_page(HOME)] + [footer_page(f"{HOME}zwgk/{i}.html") for i in range(3)]
    pages.append(footer_page(HOME + "zwgk/bad.html", drop=("police_record",)))
    (finding,) = run(pages)
    assert finding.detail == {
        "item": "police_record", "pages_checked": 5, "pages_missing": 1,
        "missing_pages": [HOME + "zwgk/bad.html"],
    }
    assert finding.url == HOME + "zwgk/bad.html"


def test_sampling_is_spread_and_bounded() -> None:
    pages = [footer_page(HOME)] + [footer_page(f"{HOME}p{i}.html") for i in range(30)]
    view = SiteView(site=SITE, homepage=pages[0], pages=pages)
    chosen = sample_pages(view, 10)
    assert len(chosen) == 11 and chosen[0] is pages[0]
    assert chosen[1].url.endswith("p0.html") and chosen[-1].url.endswith("p29.html")
    assert [p.url for p in sample_pages(view, 0)] == [HOME]
    broken = PageView(HOME + "err.html", "<p>Not Found</p>", status=404)
    assert broken not in sample_pages(SiteView(site=SITE, homepage=pages[0], pages=[pages[0], broken]), 10)


def test_required_items_parameter() -> None:
    page = footer_page(HOME, drop=("icp", "conac_logo"))
    check = FooterMissing(FooterMissing.Params(required_items=("icp",)))
    assert [f.detail["item"] for f in run([page], check)] == ["icp"]
    with pytest.raises(ValidationError, match="unknown footer item"):
        FooterMissing.Params(required_items=("icp", "weibo"))


def test_no_pages_is_not_applicable() -> None:
    with pytest.raises(NotApplicable):
        run([])
