"""Case tables for the general mechanisms behind column discovery on unseen CMS layouts: side boxes, tabs,
dates shown by ``<time datetime>``/epoch numbers/month-day lists crossing a year, blank-column evidence,
static pages with short text, hub columns and aggregation pages."""

from __future__ import annotations

from datetime import date

import pytest

from govinspect.archive.pageview import PageView
from govinspect.checks.base import SiteView
from govinspect.columns import Category, Column, discover_columns
from govinspect.columns.dates import epoch_date, find_dates
from govinspect.columns.items import extract_items
from govinspect.registry.models import Site, SiteKind

HOME = "http://www.csx.gov.cn/"
AS_OF = date(2021, 7, 1)
FOOT = '<div class="footer">主办：测试县人民政府办公室 网站标识码：4408820001 Copyright © 2021</div>'


def shell(title: str, body: str, nav: str = "") -> str:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="nav"><a href="/">首页</a>{nav}</div><div class="main">{body}</div>{FOOT}'
            "</body></html>")


def view_of(pages: dict[str, str]) -> SiteView:
    views = [PageView(HOME.rstrip("/") + path, html, role="homepage" if path == "/" else "other",
                      warc_record_id=f"<urn:uuid:{n:08d}>")
             for n, (path, html) in enumerate(pages.items())]
    site = Site(site_code="4408820001", name="测试县人民政府", homepage=HOME, region="广东省/湛江市/测试县",
                host_org="测试县人民政府办公室", kind=SiteKind.PORTAL)
    return SiteView(site=site, homepage=views[0], pages=views)


def columns_of(pages: dict[str, str], as_of: date = AS_OF) -> dict[str, Column]:
    return {c.name: c for c in discover_columns(view_of(pages), as_of)}


def one_column(body: str, name: str = "机构职能", path: str = "/jgzn/", script: str = "") -> Column:
    nav = f'<a href="{path}">{name}</a>'
    return columns_of({"/": shell("测试县", "<p>欢迎访问</p>", nav),
                       path: shell(name, body + script, nav)})[name]


def li(url: str, title: str, shown: str) -> str:
    return f'<li><a href="{url}">{title}</a><span>{shown}</span></li>'


# --- blank column vs static page with short text -------------------------------------------------------

@pytest.mark.parametrize(("body", "empty", "why"), [
    # static page: a few short paragraphs in an article body are content, however short
    ('<div class="article-content"><p>局长：张伟明</p><p>主持全面工作</p></div>', False, ""),
    ('<div class="TRS_Editor"><p>地址：城关镇府前路1号</p></div>', False, ""),
    # an icon grid of entries is content (办事 pages)
    ('<div class="grid"><a href="/a/">社保查询</a><a href="/b/">公积金查询</a><a href="/c/">不动产登记</a></div>',
     False, ""),
    # near misses: the column's own name, or two entry links, are still only the template
    ('<div class="article-content"><h1>机构职能</h1></div>', True, "页面只有网站模板"),
    ('<div class="grid"><a href="/a/">社保查询</a><a href="/b/">公积金</a></div>', True, "页面只有网站模板"),
    ("", True, "页面只有网站模板"),
    # a placeholder is the page's whole message even inside an article body
    ('<div class="article-content"><p>本栏目正在建设中</p></div>', True, "页面显示"),
])
def test_blank_versus_static(body: str, empty: bool, why: str) -> None:
    col = one_column(body)
    assert col.empty is empty, col.empty_reason
    assert why in col.empty_reason
    assert not col.needs_render


def test_script_written_placeholder_is_blank_but_a_loading_fallback_needs_rendering() -> None:
    static = ('<div id="list"></div><script>var rows = []; if (!rows.length) {'
              ' document.getElementById("list").innerHTML = "<p>对不起，该栏目暂无信息！</p>"; }</script>')
    col = one_column("", "部门动态", "/bmdt/", static)
    assert col.empty and "该栏目暂无信息" in col.empty_reason and not col.needs_render
    ajax = ('<div id="list"></div><script>$.ajax({url: "/api/list", success: function (d) {'
            ' if (!d.length) $("#list").html("暂无信息"); }});</script>')
    col = one_column("", "部门动态", "/bmdt/", ajax)
    assert col.needs_render and not col.empty


def test_data_islands_empty_and_full() -> None:
    empty = ('<div id="5105"><script type="text/xml"><datastore><recordset></recordset>'
             '<totalrecord>0</totalrecord></datastore></script></div>')
    col = one_column(empty, "人事信息", "/col/col5105/index.html")
    assert col.empty and "datastore" in col.empty_reason
    full = ('<div id="5105"><script type="text/xml"><datastore><recordset><record><![CDATA[<li>'
            '<a href="/art/2021/6/8/art_5105_1.html">关于张三同志任职的通知</a><span>[2021-06-08]</span></li>]]>'
            '</record></recordset><totalrecord>1</totalrecord></datastore></script></div>')
    col = one_column(full, "人事信息", "/col/col5105/index.html")
    assert not col.empty and col.newest is not None and col.newest.date == date(2021, 6, 8)


def test_empty_app_mount_needs_rendering() -> None:
    col = one_column('<div id="root"></div><script src="/static/js/main.js"></script>', "政策解读", "/zcjd/")
    assert col.needs_render and not col.empty and not col.judged
    col = one_column('<div id="root"><p>版本说明：本页面需要开启脚本</p></div>', "政策解读", "/zcjd/")
    assert not col.needs_render


# --- side boxes -----------------------------------------------------------------------------------------

def _with_side_box(name: str, path: str, box_head: str) -> dict[str, str]:
    main = ('<div class="listbox"><ul class="list">'
            + li(f"{path}2021/0315/1.html", "关于印发农村生活垃圾分类管理办法的通知", "2021-03-15")
            + li(f"{path}2021/0208/2.html", "关于进一步加强耕地保护的通知", "2021-02-08") + "</ul></div>")
    box = (f'<div class="box"><h3>{box_head}</h3><ul class="list2">'
           + li("/tzgg/2021/0630/9.html", "关于端午节假期安全生产工作的紧急通知", "2021-06-30")
           + li("/tzgg/2021/0628/8.html", "关于召开全县防汛工作会议的通知", "2021-06-28")
           + li("/tzgg/2021/0620/7.html", "县委常委会召开会议传达学习全会精神", "2021-06-20") + "</ul></div>")
    nav = f'<a href="{path}">{name}</a>'
    return {"/": shell("测试县", "<p>欢迎</p>", nav), path: shell(name, main + box, nav)}


@pytest.mark.parametrize(("head", "newest"), [
    ("热点排行", date(2021, 3, 15)),
    ("阅读排行", date(2021, 3, 15)),
    ("相关文章", date(2021, 3, 15)),
    ("近期会议预告", date(2021, 3, 15)),
    ("政策法规", date(2021, 6, 30)),  # a box headed by the column's own name is its list
])
def test_side_box_headings(head: str, newest: date) -> None:
    col = columns_of(_with_side_box("政策法规", "/zcfg/", head))["政策法规"]
    assert col.newest is not None and col.newest.date == newest


def test_box_repeated_by_the_template_on_column_pages_is_not_their_list() -> None:
    box = ('<div class="r"><ul class="x">' + li("/a/2021/0630/9.html", "全县召开优化营商环境推进大会", "2021-06-30")
           + li("/a/2021/0629/8.html", "县政府召开第二十次常务会议", "2021-06-29") + "</ul></div>")
    names = {"/gzdt/": "工作动态", "/tzgg/": "通知公告", "/zcwj/": "政策文件"}
    nav = "".join(f'<a href="{p}">{n}</a>' for p, n in names.items())
    pages = {"/": shell("测试县", "<p>欢迎</p>", nav)}
    for n, (path, name) in enumerate(names.items()):
        first = li(f"{path}t2021050{n + 1}_1.html", f"{name}第一条信息标题内容", f"2021-05-0{n + 1}")
        second = li(f"{path}t2021040{n + 1}_2.html", f"{name}第二条信息标题内容", f"2021-04-0{n + 1}")
        own = f'<div class="l"><ul class="y">{first}{second}</ul></div>'
        pages[path] = shell(name, own + box, nav)
    cols = columns_of(pages)
    assert {n: c.newest.date for n, c in cols.items() if c.newest} == {
        "工作动态": date(2021, 5, 1), "通知公告": date(2021, 5, 2), "政策文件": date(2021, 5, 3)}
    # the same box on only two column pages is not yet a template repeat: it competes as a list
    del pages["/zcwj/"]
    assert columns_of(pages)["工作动态"].newest.date == date(2021, 6, 30)


def test_dated_links_in_a_side_menu_are_not_columns() -> None:
    side = ('<div class="leftnav"><h3>点击排行</h3><ul><li><a href="/x/about.html">县委常委会召开专题会议</a>'
            ' 06-29</li><li><a href="/gzdt/sub/">下级栏目</a></li></ul></div>')
    cols = columns_of({"/": shell("测试县", "<p>欢迎</p>", '<a href="/gzdt/">工作动态</a>'),
                       "/gzdt/": shell("工作动态", side + "<ul>" + li("/gzdt/t20210601_1.html",
                                                                    "全县安全生产工作会议召开", "2021-06-01") + "</ul>")})
    assert "下级栏目" in cols and "县委常委会召开专题会议" not in cols


# --- dates ----------------------------------------------------------------------------------------------

def _items(body: str, as_of: date = AS_OF) -> list[tuple[str, date | None]]:
    page = PageView(HOME + "list/", shell("列表", body))
    return [(i.title, i.date) for i in extract_items(page, as_of).items]


def test_time_datetime_attribute_over_relative_text_and_deadlines() -> None:
    body = ('<div class="cards">'
            '<article class="card"><a href="/n/1.html"><h3>市政府召开庆祝建党座谈会</h3></a>'
            '<time datetime="2021-06-29T08:00:00+08:00">2天前</time></article>'
            '<article class="card"><a href="/n/2.html"><h3>社区工作者公开招聘公告</h3></a>'
            '<time class="deadline" datetime="2021-06-30">报名截止 6月30日</time>'
            '<time datetime="2021-06-22">6月22日</time></article></div>')
    assert _items(body) == [("市政府召开庆祝建党座谈会", date(2021, 6, 29)),
                            ("社区工作者公开招聘公告", date(2021, 6, 22))]


def test_month_day_list_crossing_into_the_previous_year() -> None:
    rows = [("a", "07-22"), ("b", "06-30"), ("c", "01-05"), ("d", "12-20"), ("e", "07-10"),
            ("f", "2020-05-19")]
    body = "<ul>" + "".join(li(f"/p/{k}.html", f"关于做好第{k}项重点工作的通知", f"[{d}]") for k, d in rows) + "</ul>"
    got = [d for _, d in _items(body, date(2021, 7, 25))]
    assert got == [date(2021, 7, 22), date(2021, 6, 30), date(2021, 1, 5), date(2020, 12, 20),
                   date(2020, 7, 10), date(2020, 5, 19)]
    # near miss: a pinned older item on top does not push the newer rows below it back a year
    pinned = [("t", "2021-03-01"), ("a", "06-28"), ("b", "06-20"), ("c", "06-11")]
    body = "<ul>" + "".join(li(f"/p/{k}.html", f"关于做好第{k}项重点工作的通知", f"[{d}]") for k, d in pinned) + "</ul>"
    assert [d for _, d in _items(body)] == [date(2021, 3, 1), date(2021, 6, 28), date(2021, 6, 20),
                                            date(2021, 6, 11)]


@pytest.mark.parametrize(("raw", "want"), [
    ("1623110400", date(2021, 6, 8)),          # seconds, 08:00 China time
    ("1623081600000", date(2021, 6, 8)),       # milliseconds, midnight China time
    ("1625155200", None),                      # 2021-07-02: after the monitoring point
    ("946656000", None),                       # nine digits: not a timestamp here
    ("0000000000", None),                      # 1970: not a web page date
    ("2021-06-08", None),                      # not a number
])
def test_epoch_dates(raw: str, want: date | None) -> None:
    assert epoch_date(raw, AS_OF) == want


def test_script_records_prefer_publish_keys_and_read_epochs() -> None:
    body = ('<div id="root"></div><script>window.__INITIAL_STATE__ = {"items": ['
            '{"title": "关于印发重点建设项目计划的通知", "url": "/gk/1.html", "compose_date": 1623772800, '
            '"publish_date": 1624350600},'
            '{"title": "统计公报正式发布的有关说明", "url": "/gk/2.html", "documentDate": "2021-06-01", '
            '"publishTime": "2021-06-10T09:00:00+08:00", "expiry": "2026-06-09"}]};</script>')
    assert _items(body) == [("关于印发重点建设项目计划的通知", date(2021, 6, 22)),
                            ("统计公报正式发布的有关说明", date(2021, 6, 10))]


def test_history_rows_keep_pre_1990_dates_but_not_placeholder_dates() -> None:
    body = ("<ul>" + li("/d/1.html", "县人民政府驻地迁至城关镇", "1987-12-15")
            + li("/d/2.html", "全县成立十二个人民公社", "1958-09-01")
            + li("/d/3.html", "空日期的条目标题文字", "1970-01-01") + "</ul>")
    assert _items(body) == [("县人民政府驻地迁至城关镇", date(1987, 12, 15)),
                            ("全县成立十二个人民公社", date(1958, 9, 1)), ("空日期的条目标题文字", None)]
    assert find_dates("1987-12-15", AS_OF)[0] == []  # free text keeps the 1990 floor


# --- structure: tabs, menus, breadcrumbs, hubs, aggregations ---------------------------------------------

def test_more_links_in_tab_panels_take_their_tab_names() -> None:
    tabs = ('<div class="tabs"><ul class="tab-hd"><li class="on">通知公告</li><li>政策文件</li></ul>'
            '<div class="tab-bd"><div class="panel"><ul>' + li("/tzgg/1.html", "关于开展安全生产检查的通知", "06-23")
            + '</ul><a class="more" href="/tzgg/">更多+</a></div><div class="panel" style="display:none"><ul>'
            + li("/zcwj/1.html", "关于印发人居环境整治方案的通知", "04-30")
            + '</ul><a class="more" href="/zcwj/">更多+</a></div></div></div>')
    cols = columns_of({"/": shell("测试县", tabs)})
    assert cols["通知公告"].url == HOME + "tzgg/" and cols["政策文件"].url == HOME + "zcwj/"
    # near miss: alike section blocks with their own titles are not tabs
    blocks = ('<div class="row"><div class="blk"><h3>工作动态</h3><a class="more" href="/gzdt/">更多</a></div>'
              '<div class="blk"><h3>乡镇动态</h3><a class="more" href="/xzdt/">更多</a></div></div>')
    cols = columns_of({"/": shell("测试县", blocks)})
    assert cols["工作动态"].url == HOME + "gzdt/" and cols["乡镇动态"].url == HOME + "xzdt/"


def test_dropdown_held_elsewhere_by_id_and_flat_breadcrumbs() -> None:
    nav = '<a href="/xwzx/" rel="drop1">新闻中心</a>'
    home = shell("测试县", '<ul id="drop1" class="dropMenu"><li><a href="/xwzx/gzdt/">工作动态</a></li></ul>', nav)
    gzdt = shell("工作动态", '<div class="position">当前位置：<a href="/">首页</a> &gt; 工作动态</div><ul>'
                 + li("/xwzx/gzdt/t20210601_1.html", "全县安全生产工作会议召开", "2021-06-01") + "</ul>", nav)
    col = columns_of({"/": home, "/xwzx/gzdt/": gzdt})["工作动态"]
    assert (col.level, col.parent) == (2, "新闻中心")
    deep = gzdt.replace("首页</a> &gt; 工作动态", "首页</a> &gt; 要闻 &gt; 工作动态")
    col = columns_of({"/": home, "/xwzx/gzdt/": deep})["工作动态"]
    assert (col.level, col.parent) == (2, "要闻")  # a two-step trail decides


def test_hub_columns_and_aggregation_pages() -> None:
    nav = ('<ul><li><a href="/zwgk/">政务公开</a><div class="subnav"><a href="/zwgk/zcjd/">政策解读</a></div></li>'
           '<li><a href="/gzdt/">工作动态</a></li><li><a href="/ztzl/">特色亮点</a></li></ul>')
    news = "<ul>" + "".join(li(f"/gzdt/t2021062{n}_{n}.html", f"工作动态第{n}条信息的标题", f"2021-06-2{n}")
                            for n in range(1, 5)) + "</ul>"
    hub = "<ul>" + li("/zwgk/zcjd/t20210412_1.html", "民营经济发展若干措施政策解读", "2021-04-12") + li(
        "/zwgk/zcjd/t20210302_2.html", "老旧小区改造实施方案政策解读", "2021-03-02") + li(
        "/zwgk/zcjd/t20210201_3.html", "稳就业工作实施意见政策解读", "2021-02-01") + "</ul>"
    cols = columns_of({"/": shell("测试县", "<p>欢迎</p>", nav), "/gzdt/": shell("工作动态", news, nav),
                       "/zwgk/": shell("政务公开", hub, nav), "/ztzl/": shell("特色亮点", news, nav)})
    assert cols["政务公开"].category == Category.STATIC and "下级栏目" in cols["政务公开"].category_reason
    assert cols["特色亮点"].category == Category.OTHER and "工作动态" in cols["特色亮点"].category_reason
    # near miss: the same unnamed list that is nobody else's is judged by its content
    cols = columns_of({"/": shell("测试县", "<p>欢迎</p>", nav), "/ztzl/": shell("特色亮点", news, nav)})
    assert cols["特色亮点"].category == Category.NEWS
