"""image.broken: dead image targets and soft-404 answers (HTML with 200 instead of an image)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext, SiteView
from govinspect.checks.broken_images import BrokenImages
from govinspect.fetch.types import FailureClass, LinkResult, LinkState
from govinspect.registry.models import Site, SiteKind

NOW = datetime(2021, 6, 15, 10, 0, tzinfo=timezone(timedelta(hours=8)))
HOME = "http://www.leizhou.gov.cn:8080/"
SITE = Site(site_code="4408820001", name="雷州市人民政府网", homepage=HOME, region="广东省/湛江市/雷州市",
            host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)
IMG = HOME + "images/banner.jpg"


def view(*pages: PageView, results: list[LinkResult]) -> SiteView:
    return SiteView(site=SITE, homepage=pages[0], pages=list(pages), links={r.url: r for r in results})


def run(site_view: SiteView, check: BrokenImages | None = None) -> list:
    return list((check or BrokenImages()).run(site_view, CheckContext(as_of=NOW, site=SITE, observed_at=NOW)))


def home_with_image() -> PageView:
    return PageView(HOME, '<div class="banner"><img src="/images/banner.jpg" alt="横幅"></div>', role="homepage",
                    warc_record_id="<urn:uuid:home>")


CASES = [
    # positives
    pytest.param(LinkResult(IMG, LinkState.DEAD, status=404, failure=FailureClass.HTTP_STATUS), "dead", id="dead-404"),
    pytest.param(LinkResult(IMG, LinkState.DEAD, failure=FailureClass.TIMEOUT), "dead", id="dead-timeout"),
    pytest.param(LinkResult(IMG, LinkState.OK, status=200, content_type="text/html"), "not_image", id="soft-404"),
    pytest.param(LinkResult(IMG, LinkState.OK, status=200, content_type="text/html; charset=gbk"), "not_image",
                 id="soft-404-with-charset"),
    # negatives
    pytest.param(LinkResult(IMG, LinkState.OK, status=200, content_type="image/jpeg"), None, id="jpeg"),
    pytest.param(LinkResult(IMG, LinkState.OK, status=200, content_type="image/svg+xml"), None, id="svg"),
    # near misses: not judged broken
    pytest.param(LinkResult(IMG, LinkState.OK, status=200, content_type="application/octet-stream"), None,
                 id="octet-stream"),
    pytest.param(LinkResult(IMG, LinkState.OK, status=200, content_type=""), None, id="no-content-type"),
    pytest.param(LinkResult(IMG, LinkState.UNCONFIRMED, status=403, content_type="text/html"), None, id="waf-403"),
    pytest.param(LinkResult(IMG, LinkState.SKIPPED), None, id="skipped"),
]


@pytest.mark.parametrize(("result", "kind"), CASES)
def test_case_table(result: LinkResult, kind: str | None) -> None:
    found = run(view(home_with_image(), results=[result]))
    if kind is None:
        assert found == []
        return
    (finding,) = found
    assert finding.detail["kind"] == kind
    assert finding.target == IMG
    assert finding.url == HOME
    assert finding.detail["on_homepage"] is True and finding.detail["internal"] is True
    assert finding.detail["alt"] == "横幅"
    assert finding.evidence.warc_record == "<urn:uuid:home>"
    assert "banner.jpg" in finding.evidence.excerpt


def test_one_finding_per_image_over_pages() -> None:
    inner = PageView(HOME + "zwgk/", '<img src="/images/banner.jpg"><img src="http://cdn.example.cn/a.png">')
    results = [LinkResult(IMG, LinkState.DEAD, status=404),
               LinkResult("http://cdn.example.cn/a.png", LinkState.OK, status=200, content_type="text/html")]
    found = {f.target: f for f in run(view(home_with_image(), inner, results=results))}
    assert found[IMG].detail["pages"] == 2
    cdn = found["http://cdn.example.cn/a.png"]
    assert cdn.url == HOME + "zwgk/"
    assert cdn.detail["on_homepage"] is False and cdn.detail["internal"] is False


def test_links_to_images_are_not_images() -> None:
    home = PageView(HOME, '<a href="/images/banner.jpg">下载</a>')
    assert run(view(home, results=[LinkResult(IMG, LinkState.DEAD, status=404)])) == []


def test_soft404_types_are_a_parameter() -> None:
    result = LinkResult(IMG, LinkState.OK, status=200, content_type="application/octet-stream")
    check = BrokenImages(BrokenImages.Params(soft404_types=("text/html", "application/octet-stream")))
    assert len(run(view(home_with_image(), results=[result]), check)) == 1
