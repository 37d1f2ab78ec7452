"""link.dead: one finding per dead target; UNCONFIRMED and SKIPPED never count."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext, SiteView
from govinspect.checks.dead_links import DeadLinks
from govinspect.fetch.types import FailureClass, LinkResult, LinkState
from govinspect.registry.models import Site, SiteKind

NOW = datetime(2021, 6, 15, 10, 0, tzinfo=timezone(timedelta(hours=8)))
HOME = "http://www.leizhou.gov.cn:8080/"
SITE = Site(site_code="4408820001", name="雷州市人民政府网", homepage=HOME, region="广东省/湛江市/雷州市",
            host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)


def page(url: str, *hrefs: str, role: str = "other") -> PageView:
    anchors = "".join(f'<li><a href="{h}">链接{i}</a></li>' for i, h in enumerate(hrefs))
    return PageView(url, f"<html><body><ul class='list'>{anchors}</ul></body></html>",
                    role=role, warc_record_id=f"<urn:record:{url}>")


def dead(url: str, status: int | None = 404, failure: FailureClass | None = None) -> LinkResult:
    if status is None and failure is None:
        failure = FailureClass.DNS
    return LinkResult(url, LinkState.DEAD, status=status,
                      failure=failure or (FailureClass.HTTP_STATUS if status else None))


def run(pages: list[PageView], results: list[LinkResult], homepage: PageView | None = None) -> list:
    home = homepage if homepage is not None else pages[0]
    view = SiteView(site=SITE, homepage=home, pages=pages, links={r.url: r for r in results})
    ctx = CheckContext(as_of=NOW, site=SITE, observed_at=NOW)
    return list(DeadLinks().run(view, ctx))


def test_case_table() -> None:
    home = page(HOME, "/a.html", "/b.html", "http://www.other.gov.cn/x", "/c.html", "/d.html", "mailto:x@y.cn",
                role="homepage")
    results = [
        dead(HOME + "a.html", 404),  # positive: internal 404
        LinkResult(HOME + "b.html", LinkState.OK, status=200),  # negative
        dead("http://www.other.gov.cn/x", None, FailureClass.DNS),  # positive: external, failure class
        LinkResult(HOME + "c.html", LinkState.UNCONFIRMED, status=429),  # near miss: rate-limited
        LinkResult(HOME + "d.html", LinkState.SKIPPED),  # near miss: not checked
    ]
    found = {f.target: f for f in run([home], results)}
    assert set(found) == {HOME + "a.html", "http://www.other.gov.cn/x"}
    a = found[HOME + "a.html"].detail
    assert (a["status"], a["internal"], a["on_homepage"], a["pages"]) == (404, True, True, 1)
    x = found["http://www.other.gov.cn/x"].detail
    assert x["failure"] == "dns" and "status" not in x
    assert x["internal"] is False


def test_one_finding_per_target_homepage_preferred() -> None:
    target = HOME + "gone.html"
    inner1 = page(HOME + "zwgk/", "/gone.html")
    inner2 = page(HOME + "zwdt/", "/gone.html")
    home = page(HOME, "/gone.html", role="homepage")
    # crawl order puts inner pages first; the homepage still wins as "first seen"
    (finding,) = run([inner1, inner2, home], [dead(target)], homepage=home)
    assert finding.url == HOME
    assert finding.detail["pages"] == 3
    assert finding.detail["on_homepage"] is True
    assert finding.evidence.warc_record == home.warc_record_id
    assert finding.evidence.locator.startswith("css:")


def test_dead_link_only_on_inner_pages_is_not_on_homepage() -> None:
    home = page(HOME, "/ok.html", role="homepage")
    inner = page(HOME + "zwgk/", "/gone.html", "/gone.html")
    (finding,) = run([home, inner], [LinkResult(HOME + "ok.html", LinkState.OK, status=200), dead(HOME + "gone.html", 500)])
    assert finding.url == HOME + "zwgk/"
    assert finding.detail["on_homepage"] is False
    assert finding.detail["pages"] == 1
    assert finding.detail["status"] == 500


@pytest.mark.parametrize(
    ("href", "internal"),
    [
        ("http://www.leizhou.gov.cn/x.html", True),  # same host, other port
        ("http://WWW.LEIZHOU.GOV.CN:8080/x.html", True),  # letter case
        ("http://leizhou.gov.cn/x.html", False),  # near miss: a different host
        ("http://www.leizhou.gov.cn.evil.com/x.html", False),
    ],
)
def test_internal_ignores_port_and_case(href: str, internal: bool) -> None:
    home = page(HOME, href, role="homepage")
    url = home.links[0].url
    (finding,) = run([home], [dead(url)])
    assert finding.detail["internal"] is internal


def test_redirected_homepage_host_counts_as_internal() -> None:
    home = PageView(HOME, '<a href="http://leizhou.gov.cn/new/x.html">x</a>', final_url="http://leizhou.gov.cn/new/")
    (finding,) = run([home], [dead("http://leizhou.gov.cn/new/x.html")])
    assert finding.detail["internal"] is True


def test_images_are_not_links() -> None:
    home = PageView(HOME, '<img src="/pic.png"><a href="/ok.html">ok</a>')
    assert run([home], [dead(HOME + "pic.png"), LinkResult(HOME + "ok.html", LinkState.OK, status=200)]) == []
