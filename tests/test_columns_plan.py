"""ColumnPlan: homepage → columns → side menus → pagination → newest items → the rest; other systems skipped."""

from __future__ import annotations

from govinspect.archive.pageview import Link, PageView
from govinspect.columns.plan import ColumnPlan

HOME = "http://www.sfx.gov.cn/"

HOMEPAGE = PageView(HOME, """<html><body>
<div class="nav"><a href="/xwzx/">新闻中心</a><a href="http://other.gov.cn/">兄弟单位</a><a href="/hdjl/xzxx/">县长信箱</a></div>
<div class="box"><h3>通知公告</h3><a class="more" href="/tzgg/">更多</a>
<ul><li><a href="/tzgg/old.html">一条较早的通知公告</a><span>2021-05-01</span></li>
<li><a href="/tzgg/new.html">一条最新的通知公告</a><span>2021-06-29</span></li></ul></div>
<a href="/about/other.html">其他页面</a><a href="/files/a.pdf">附件下载</a>
<div class="footer"><a href="/wzdt/">网站地图</a></div></body></html>""")

LISTPAGE = PageView(HOME + "xwzx/", """<html><body>
<div class="side"><a href="/xwzx/tpxw/">图片新闻</a></div>
<ul>""" + "".join(f'<li><a href="/xwzx/a{n}.html">第{n}条新闻的标题</a><span>2021-06-{10 + n}</span></li>'
                  for n in range(6)) + """</ul>
<script>createPageHTML(10, 0, "index", "html");</script></body></html>""")


def prio(page: PageView, url: str, depth: int = 1) -> int | None:
    return ColumnPlan(HOME).priority(page, Link(url, "", "", url), depth)


def test_columns_before_newest_items_before_other_pages() -> None:
    column = prio(HOMEPAGE, HOME + "xwzx/")
    more = prio(HOMEPAGE, HOME + "tzgg/")
    newest = prio(HOMEPAGE, HOME + "tzgg/new.html")
    older = prio(HOMEPAGE, HOME + "tzgg/old.html")
    other = prio(HOMEPAGE, HOME + "about/other.html")
    assert None not in (column, more, newest, older, other)
    assert column < newest and more < newest  # type: ignore[operator]
    assert newest < older < other  # type: ignore[operator]


def test_side_menu_then_pagination_then_items_on_a_list_page() -> None:
    side = prio(LISTPAGE, HOME + "xwzx/tpxw/", 2)
    page2 = prio(LISTPAGE, HOME + "xwzx/index_1.html", 2)
    page3 = prio(LISTPAGE, HOME + "xwzx/index_2.html", 2)
    newest = prio(LISTPAGE, HOME + "xwzx/a5.html", 2)
    oldest = prio(LISTPAGE, HOME + "xwzx/a0.html", 2)
    assert side < page2 < page3 < newest < oldest  # type: ignore[operator]
    assert prio(LISTPAGE, HOME + "xwzx/index_3.html", 2) is None  # beyond max_list_pages (3)


def test_other_systems_files_and_depth_are_skipped() -> None:
    assert prio(HOMEPAGE, "http://other.gov.cn/") is None
    assert prio(HOMEPAGE, HOME + "hdjl/xzxx/") is None  # mailbox system
    assert prio(HOMEPAGE, HOME + "files/a.pdf") is None
    assert prio(HOMEPAGE, HOME) is None
    assert prio(HOMEPAGE, HOME + "about/other.html", depth=6) is None
    assert ColumnPlan(HOME).priority(HOMEPAGE, Link(HOME + "wzdt/", "网站地图", "", "/wzdt/", True), 1) is None


def test_roles_for_the_crawl() -> None:
    plan = ColumnPlan(HOME)
    assert plan.role(HOMEPAGE, Link(HOME + "xwzx/", "", "", "")) == "column"
    assert plan.role(LISTPAGE, Link(HOME + "xwzx/index_1.html", "", "", "")) == "list"
    assert plan.role(LISTPAGE, Link(HOME + "xwzx/a1.html", "", "", "")) == "item"
    assert plan.role(HOMEPAGE, Link(HOME + "wzdt/", "", "", "")) == "other"
