"""Column bad input: a list page of 5,000 items and pagination that never ends."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from govinspect.archive.pageview import PageView
from govinspect.columns.items import MAX_ANCHORS, extract_items
from govinspect.columns.plan import ColumnPlan

AS_OF = datetime(2021, 6, 15, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
HOME = "http://www.leizhou.gov.cn/"
NAV = '<div class="nav"><a href="/">首页</a><a href="/tzgg/">通知公告</a><a href="/gzdt/">工作动态</a></div>'


def test_a_list_page_of_5000_items_is_read_within_the_anchor_bound_newest_first() -> None:
    """Anchors read per page are bounded (MAX_ANCHORS); CMS lists are newest first, so the newest survives."""
    start = date(2021, 6, 14)
    rows = "".join(
        f'<li><a href="/tzgg/t{n}.html">关于第{n}批事项的通知</a><span>{start - timedelta(days=n % 900)}</span></li>'
        for n in range(5000)
    )
    page = PageView(f"{HOME}tzgg/", f"<html><body>{NAV}<div class='list'><ul>{rows}</ul></div></body></html>",
                    role="column")
    found = extract_items(page, AS_OF)
    assert 2900 < len(found.items) <= MAX_ANCHORS
    assert max(i.date for i in found.items if i.date) == start
    assert min(i.date for i in found.items if i.date) == start - timedelta(days=899)  # 2,997 rows span 900 days


def _list_page(n: int) -> PageView:
    """Page n of a list whose 下一页 link always leads on (a CMS bug: pagination that never ends)."""
    url = f"{HOME}tzgg/" if n == 0 else f"{HOME}tzgg/index_{n}.html"
    rows = "".join(f'<li><a href="/tzgg/p{n}_{i}.html">通知{n}-{i}</a><span>2021-06-{10 - i % 9:02d}</span></li>'
                   for i in range(5))
    pager = (f'<div class="page"><a href="/tzgg/index_{n + 1}.html">下一页</a>'
             f'<a href="/tzgg/index_{n + 1000}.html">尾页</a></div>')
    return PageView(url, f"<html><body>{NAV}<ul class='list'>{rows}</ul>{pager}</body></html>",
                    role="column" if n == 0 else "list", depth=1 + n)


def test_pagination_that_never_ends_is_followed_only_up_to_the_cap() -> None:
    plan = ColumnPlan(HOME, max_list_pages=3, max_depth=50, as_of=AS_OF.date())
    fetched = [0]
    frontier = [_list_page(0)]
    while frontier and len(fetched) < 100:  # the crawl's own page budget would stop it too; the plan must first
        page = frontier.pop()
        for link in page.links:
            if "/tzgg/index_" not in link.url:
                continue
            n = int(link.url.rsplit("_", 1)[1].split(".")[0])
            if n in fetched or plan.priority(page, link, page.depth + 1) is None:
                continue
            fetched.append(n)
            frontier.append(_list_page(n))
    assert 1 < len(fetched) <= 1 + 3, fetched  # the column page and at most max_list_pages list pages
