"""Column discovery: names, levels, duplicates, loops, meta tags, failures (pure, from PageViews)."""

from __future__ import annotations

from datetime import date

from govinspect.archive.pageview import PageView
from govinspect.checks.base import SiteView
from govinspect.columns import ColumnSource, discover_columns
from govinspect.columns.discover import breadcrumb, same_site, url_key
from govinspect.fetch.types import LinkResult, LinkState
from govinspect.registry.models import Site, SiteKind

AS_OF = date(2021, 7, 1)
HOME = "http://www.sfx.gov.cn/"


def site() -> Site:
    return Site(site_code="4408820001", name="示范县", homepage=HOME, region="广东省/湛江市/示范县",
                host_org="示范县人民政府办公室", kind=SiteKind.PORTAL)


def view(pages: dict[str, str], links: dict[str, LinkResult] | None = None) -> SiteView:
    built = [PageView(HOME + path.lstrip("/"), f"<html><body>{html}</body></html>",
                      warc_record_id=f"<urn:uuid:{n}>", role="homepage" if path == "/" else "other")
             for n, (path, html) in enumerate(pages.items())]
    return SiteView(site=site(), homepage=built[0], pages=built, links=links or {})


LIST = '<ul class="list"><li><a href="a{n}.html">一条足够长的信息标题{n}</a><span>2021-06-2{n}</span></li></ul>'


def test_same_column_under_two_names_is_one_column() -> None:
    columns = discover_columns(view({
        "/": '<div class="nav"><a href="/tzgg/">通知公告</a></div>'
             '<div class="box"><h3>公告公示</h3><a class="more" href="/tzgg/index.html">更多</a></div>',
        "/tzgg/": LIST.format(n=1),
    }), AS_OF)
    assert [(c.name, c.aliases, c.source) for c in columns] == [("通知公告", ["公告公示"], ColumnSource.NAV)]


def test_columns_that_link_to_each_other_do_not_loop() -> None:
    side = ('<div class="side"><a href="/a/">甲栏目动态</a><a href="/b/">乙栏目动态</a>'
            '<a href="/c/">丙栏目动态</a></div>')
    columns = discover_columns(view({
        "/": '<div class="nav"><a href="/a/">甲栏目动态</a></div>',
        "/a/": side + LIST.format(n=1), "/b/": side + LIST.format(n=2), "/c/": side + LIST.format(n=3),
    }), AS_OF)
    assert sorted(c.name for c in columns) == ["丙栏目动态", "乙栏目动态", "甲栏目动态"]
    levels = {c.name: (c.level, c.parent) for c in columns}
    assert levels["甲栏目动态"] == (1, None) and levels["乙栏目动态"] == (2, "甲栏目动态")


def test_breadcrumb_decides_level_and_parent() -> None:
    crumb = '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xwzx/">新闻中心</a> &gt; 工作动态</div>'
    page = PageView(HOME + "x/", f"<html><body>{crumb}</body></html>")
    assert breadcrumb(page) == ["新闻中心", "工作动态"]
    columns = discover_columns(view({
        "/": '<div class="box"><h3>工作动态</h3><a href="/gzdt/">more</a></div>', "/gzdt/": crumb + LIST.format(n=1),
    }), AS_OF)
    assert [(c.name, c.level, c.parent) for c in columns] == [("工作动态", 2, "新闻中心")]


def test_cms_meta_columnname_finds_an_unlinked_list_page() -> None:
    pages = {"/": '<div class="nav"><a href="/gzdt/">工作动态</a></div>', "/gzdt/": LIST.format(n=1)}
    v = view(pages)
    hidden = PageView(HOME + "rsxx/", '<html><head><meta name="ColumnName" content="人事信息"></head><body>'
                      '<ul><li><a href="r1.html">关于某某同志任职的通知</a><span>2020-01-02</span></li>'
                      '<li><a href="r2.html">关于某某同志免职的通知</a><span>2019-12-02</span></li></ul></body></html>')
    article = PageView(HOME + "gzdt/a1.html", '<html><head><meta name="ColumnName" content="工作动态">'
                       '<meta name="PubDate" content="2021-06-21"></head><body>正文</body></html>')
    v.pages += [hidden, article]
    columns = discover_columns(v, AS_OF)
    meta = [c for c in columns if c.source == ColumnSource.META]
    assert [(c.name, c.category, c.newest.date if c.newest else None) for c in meta] == [
        ("人事信息", "personnel", date(2020, 1, 2))]


def test_failed_column_link_is_empty_with_the_failure() -> None:
    url = HOME + "gone/"
    columns = discover_columns(view(
        {"/": '<div class="nav"><a href="/gone/">工作动态</a><a href="/later/">通知公告</a></div>'},
        {url: LinkResult(url, LinkState.DEAD, status=404)}), AS_OF)
    gone, later = columns
    assert gone.empty and gone.failure == "HTTP 404" and "无法访问" in gone.empty_reason and gone.judged
    assert not later.empty and not later.fetched and not later.judged  # not fetched: unknown, not judged


def test_http_error_page_is_a_failure() -> None:
    v = view({"/": '<div class="nav"><a href="/x/">工作动态</a></div>'})
    v.pages.append(PageView(HOME + "x/", "<html><body>Not Found</body></html>", status=404))
    (col,) = discover_columns(v, AS_OF)
    assert col.failure == "HTTP 404" and col.empty and not col.fetched


def test_utility_links_are_not_columns_and_other_hosts_are_external() -> None:
    columns = discover_columns(view({
        "/": '<div class="nav"><a href="/">网站首页</a><a href="/wza/">无障碍</a><a href="/en/">English</a>'
             '<a href="http://www.gdzwfw.gov.cn/">办事服务</a><a href="/ldxx/">县长信箱</a></div>',
    }), AS_OF)
    assert [(c.name, c.external) for c in columns] == [("办事服务", True), ("县长信箱", True)]


def test_template_only_page_is_empty_but_an_article_page_is_not() -> None:
    nav = '<div class="nav"><a href="/jgzn/">机构职能</a><a href="/gk/">县情概况</a></div>'
    columns = discover_columns(view({
        "/": nav, "/jgzn/": nav + '<div class="main"><h2>机构职能</h2></div>',
        "/gk/": nav + '<div class="main"><p>示范县位于雷州半岛中部，总面积3523平方公里，辖21个镇。</p></div>',
    }), AS_OF)
    state = {c.name: (c.empty, c.empty_reason) for c in columns}
    assert state["机构职能"] == (True, "页面只有网站模板, 无栏目内容")
    assert state["县情概况"] == (False, "")


def test_url_identity_and_same_site() -> None:
    assert url_key("http://WWW.x.gov.cn:80/a/index.html") == url_key("http://www.x.gov.cn/a/")
    assert url_key("http://www.x.gov.cn/a") == url_key("http://www.x.gov.cn/a/")
    assert url_key("http://www.x.gov.cn/a/?p=1") != url_key("http://www.x.gov.cn/a/")
    assert same_site("http://zwgk.x.gov.cn/", "http://www.x.gov.cn/")
    assert not same_site("http://www.y.gov.cn/", "http://www.x.gov.cn/")
    assert not same_site("http://evilx.gov.cn/", "http://www.x.gov.cn/")


def test_no_homepage_gives_no_columns() -> None:
    v = SiteView(site=site(), homepage=None, pages=[])
    assert discover_columns(v, AS_OF) == []
