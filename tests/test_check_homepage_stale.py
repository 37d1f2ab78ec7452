"""homepage.stale: dated items on the homepage; navigation homepages judged by their second-level pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext, NotApplicable, SiteView
from govinspect.checks.homepage_stale import HomepageStale
from govinspect.columns import discover_columns
from govinspect.registry.models import Site, SiteKind

AS_OF = datetime(2021, 7, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HOME = "http://www.sfx.gov.cn/"
SITE = Site(site_code="4408820001", name="示范县", homepage=HOME, region="广东省/湛江市/示范县",
            host_org="示范县人民政府办公室", kind=SiteKind.PORTAL)


def day(days_old: int) -> str:
    return (date(2021, 7, 1) - timedelta(days=days_old)).isoformat()


def homepage_with(*days_old: int) -> str:
    rows = "".join(f'<li><a href="/gzdt/{n}.html">县政府召开第{n}次常务会议</a><span>{day(d)}</span></li>'
                   for n, d in enumerate(days_old))
    return f'<div class="nav"><a href="/gzdt/">工作动态</a></div><ul class="list">{rows}</ul>'


def run(pages: list[PageView], **params: object) -> list:  # type: ignore[type-arg]
    view = SiteView(site=SITE, homepage=pages[0] if pages else None, pages=pages)
    view.columns = discover_columns(view, AS_OF)
    check = HomepageStale(HomepageStale.Params(**params)) if params else HomepageStale()
    return list(check.run(view, CheckContext(as_of=AS_OF, site=SITE, observed_at=AS_OF, site_view=view)))


@pytest.mark.parametrize(("newest_days", "stale"), [(1, False), (13, False), (14, False), (15, True), (200, True)])
def test_homepage_newest_item_against_14_days(newest_days: int, stale: bool) -> None:
    home = PageView(HOME, homepage_with(newest_days, newest_days + 5, newest_days + 9), warc_record_id="<urn:uuid:h>")
    found = run([home])
    assert bool(found) == stale
    if stale:
        (f,) = found
        assert f.detail["newest"] == day(newest_days) and f.detail["limit_days"] == 14
        assert f.detail["mode"] == "homepage" and f.detail["age_days"] == newest_days
        assert f.evidence.warc_record == "<urn:uuid:h>" and day(newest_days) in f.evidence.excerpt


def test_order_is_not_trusted_the_max_date_counts() -> None:
    home = PageView(HOME, homepage_with(300, 200, 3, 100))
    assert run([home]) == []


def test_limit_is_a_param() -> None:
    home = PageView(HOME, homepage_with(10, 11, 12))
    assert run([home], limit_days=7) != []


def test_navigation_homepage_is_judged_by_second_level_pages() -> None:
    entries = ('<div class="entries"><a href="/xwzx/"><span>新闻中心</span></a><a href="/zwgk/"><span>政务公开</span></a>'
               '<a href="/hdjl/"><span>互动交流</span></a><a href="/fwzx/"><span>服务中心</span></a></div>')
    fresh = PageView(HOME + "xwzx/", homepage_with(5, 9, 20).replace("工作动态", "新闻"), warc_record_id="<urn:uuid:x>")
    assert run([PageView(HOME, entries), fresh]) == []
    old = PageView(HOME + "xwzx/", homepage_with(40, 50, 60), warc_record_id="<urn:uuid:x>")
    (f,) = run([PageView(HOME, entries), old])
    assert f.detail["mode"] == "navigation_homepage" and f.detail["newest"] == day(40)
    assert f.target == HOME + "xwzx/" and f.evidence.warc_record == "<urn:uuid:x>"


def test_no_dated_item_at_all_is_not_updated() -> None:
    undated = ('<div class="nav"><a href="/gzdt/">工作动态</a></div><ul class="list">'
               + "".join(f'<li><a href="/gzdt/{n}.html">没有日期的第{n}条信息标题</a></li>' for n in range(6)) + "</ul>")
    (f,) = run([PageView(HOME, undated)])
    assert f.detail["newest"] is None and f.detail["date_rule"] == "未注明发布时间的视为不更新"
    assert f.detail["mode"] == "homepage"


def test_missing_homepage_is_not_applicable() -> None:
    with pytest.raises(NotApplicable, match="homepage was not fetched"):
        run([])
