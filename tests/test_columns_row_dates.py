"""Case tables for pairing list links with their dates: a date inside the link, after it or before it, in
rows, bare sibling links or cards; items whose fields span several rows of one block (信息公开目录 field
tables: 名称 in one row, 生成日期/发布日期/成文日期 in another); table header cells that are not column names."""

from __future__ import annotations

import time
from datetime import date

import pytest

from govinspect.archive.pageview import PageView
from govinspect.checks.base import SiteView
from govinspect.columns import Column, discover_columns
from govinspect.columns.items import extract_items
from govinspect.columns.model import DateSource
from govinspect.registry.models import Site, SiteKind

AS_OF = date(2021, 7, 1)
BASE = "http://www.sfx.gov.cn/xwzx/gzdt/"
T1, T2, T3 = "县委常委会召开扩大会议", "我县举行纪念章颁发仪式", "县政府召开第十二次常务会议"


def items_of(body: str) -> list[tuple[str, date | None]]:
    page = PageView(BASE, f'<html><body><div class="main">{body}</div></body></html>')
    return [(i.title, i.date) for i in extract_items(page, AS_OF).items]


THREE = [(T1, date(2021, 6, 29)), (T2, date(2021, 6, 27)), (T3, date(2021, 6, 24))]


def rows(template: str) -> str:
    return "".join(template.format(n=n, title=t, shown=d.isoformat()) for n, (t, d) in enumerate(THREE))


# --- where the date sits relative to the link --------------------------------------------------------

@pytest.mark.parametrize("body", [
    # date inside the link, links as bare siblings (Bootstrap list-group)
    '<div class="list-group">' + rows('<a class="list-group-item" href="{n}.html">{title}<small>{shown}</small></a>')
    + "</div>",
    # the same with the title in its own span and the date in a muted span
    '<div class="list-group">' + rows('<a class="item" href="{n}.html"><span class="t">{title}</span>'
                                      '<span class="text-muted">{shown}</span></a>') + "</div>",
    # date inside the link, bracketed, in <b>
    '<div class="lst">' + rows('<a href="{n}.html">{title} <b>[{shown}]</b></a>') + "</div>",
    # date inside the link, in li rows
    "<ul>" + rows('<li><a href="{n}.html">{title}<em>{shown}</em></a></li>') + "</ul>",
    # date inside the link after a title attribute
    '<div class="list-group">' + rows('<a href="{n}.html" title="{title}">{title} {shown}</a>') + "</div>",
    # date after the link
    "<ul>" + rows('<li><a href="{n}.html">{title}</a><span>{shown}</span></li>') + "</ul>",
    '<div class="list">' + rows('<div class="row"><a href="{n}.html">{title}</a><span>{shown}</span></div>')
    + "</div>",
    # date before the link
    "<ul>" + rows('<li><span class="date">{shown}</span><a href="{n}.html">{title}</a></li>') + "</ul>",
    '<div class="list">' + rows('<div class="row"><span>{shown}</span> <a href="{n}.html">{title}</a></div>')
    + "</div>",
    # <dl><dt><a/></dt><dd>date</dd></dl> rows
    "".join(f'<dl><dt><a href="{n}.html">{t}</a></dt><dd>{d:%Y/%m/%d}</dd></dl>' for n, (t, d) in enumerate(THREE)),
])
def test_each_link_gets_its_own_rows_date(body: str) -> None:
    assert items_of(body) == THREE


def test_a_link_without_a_date_does_not_borrow_the_next_rows_date() -> None:
    body = ('<div class="list-group">'
            f'<a class="list-group-item" href="0.html">{T1}<small>2021-06-29</small></a>'
            f'<a class="list-group-item" href="1.html">{T2}</a>'
            f'<a class="list-group-item" href="2.html">{T3}<small>2021-06-24</small></a></div>')
    assert items_of(body) == [(T1, date(2021, 6, 29)), (T2, None), (T3, date(2021, 6, 24))]


def test_newest_row_first_keeps_its_date() -> None:
    body = '<div class="list-group">' + rows('<a href="{n}.html">{title}<small>{shown}</small></a>') + "</div>"
    found = items_of(body)
    assert found[0] == (T1, date(2021, 6, 29))
    assert max(d for _, d in found if d) == date(2021, 6, 29)


@pytest.mark.parametrize(("inner", "title", "when"), [
    # a date written inside the title text stays in the title; the date element is the row's
    ("关于6月29日停水的通知<small>2021-06-20</small>", "关于6月29日停水的通知", date(2021, 6, 20)),
    # a title element that mentions a date but is not only a date is not stripped
    ("<span>2021年6月高考工作总结</span><small>06-18</small>", "2021年6月高考工作总结", date(2021, 6, 18)),
    # a date after the monitoring point inside the link is not used
    ("县长调研防汛工作部署<small>2021-09-01</small>", "县长调研防汛工作部署", None),
])
def test_date_inside_link_near_misses(inner: str, title: str, when: date | None) -> None:
    body = f'<div class="list-group"><a href="a.html">{inner}</a><a href="b.html">{T2}<small>2021-05-02</small></a></div>'
    assert items_of(body)[0] == (title, when)


# --- 信息公开目录: one item's fields over several rows of its own block ---------------------------------

def field_table(title: str, n: int, fields: str) -> str:
    return (f'<div class="gk-item"><table class="gk-meta">'
            f'<tr><th>索引号：</th><td>002649811/2021-3152{n}</td><th>发布机构：</th><td>县人民政府</td></tr>'
            f'<tr><th>名称：</th><td colspan="3"><a href="/art/{n}.html">{title}</a></td></tr>'
            f'{fields}</table></div>')


@pytest.mark.parametrize(("fields", "when"), [
    ("<tr><th>文号：</th><td>开政发〔2021〕12号</td><th>生成日期：</th><td>2021-06-15</td></tr>",
     date(2021, 6, 15)),
    # 发布 wins over 成文 whichever comes first
    ("<tr><th>成文日期：</th><td>2021-06-10</td></tr><tr><th>发布日期：</th><td>2021-06-15</td></tr>",
     date(2021, 6, 15)),
    ("<tr><td>生成日期：</td><td>2021年6月15日</td><td>成文日期：</td><td>2021年6月10日</td></tr>",
     date(2021, 6, 15)),
    # 发文 before 成文
    ("<tr><th>成文日期：</th><td>2021-06-01</td><th>发文日期：</th><td>2021-06-05</td></tr>", date(2021, 6, 5)),
    # 成文 alone is the fallback
    ("<tr><th>成文日期：</th><td>2021-06-10</td></tr>", date(2021, 6, 10)),
    # never a valid-until or implementation date; unlabelled numbers are not dates of the item
    ("<tr><th>有效性：</th><td>有效期至2021-06-30</td></tr>", None),
    ("<tr><th>实施日期：</th><td>2021-06-30</td></tr>", None),
    ("<tr><th>文号：</th><td>开政发〔2021〕12号</td></tr>", None),
])
def test_field_table_dates(fields: str, when: date | None) -> None:
    second = "<tr><th>文号：</th><td>开政办发〔2021〕21号</td><th>生成日期：</th><td>2021-05-08</td></tr>"
    body = field_table("开化县农村宅基地管理办法", 1, fields) + field_table("开化县城区停车管理办法", 2, second)
    found = extract_items(PageView(BASE, f"<html><body>{body}</body></html>"), AS_OF, whole_page=True).items
    assert [i.title for i in found] == ["开化县农村宅基地管理办法", "开化县城区停车管理办法"]
    assert found[0].date == when
    assert found[0].date_source == (DateSource.LIST if when else DateSource.NONE)
    assert found[1].date == date(2021, 5, 8)  # each item reads its own block: nothing crosses between them


def test_repeated_block_of_paragraph_fields() -> None:
    block = ('<div class="doc"><p>名称：<a href="/d/{n}.html">{title}</a></p><p>文号：县政办〔2021〕{n}号</p>'
             "<p>发布日期：{shown}</p></div>")
    assert items_of(rows(block)) == THREE


@pytest.mark.parametrize(("body", "when"), [
    # a lone layout table around one link (an article page) is not an item block
    ('<table><tr><td><a href="/a.html">县长调研防汛工作部署情况</a></td></tr>'
     "<tr><td>发布日期：2021-06-29</td></tr></table>", None),
    # a block holding two items: the date row belongs to the second link's row only
    ('<table class="gk"><tr><td><a href="/a.html">县长调研防汛工作部署情况</a></td></tr>'
     '<tr><td><a href="/b.html">县政府召开常务会议纪要</a></td><td>发布日期：2021-06-29</td></tr></table>'
     '<table class="gk"><tr><td><a href="/c.html">县政府召开第二次常务会议</a></td></tr></table>', None),
])
def test_block_dates_near_misses(body: str, when: date | None) -> None:
    found = extract_items(PageView(BASE, f"<html><body>{body}</body></html>"), AS_OF, whole_page=True).items
    assert found[0].date == when


def test_label_cell_in_the_same_row_names_the_date() -> None:
    body = ('<table class="gk"><tr><th>成文日期：</th><td>2021-06-10</td><th>名称：</th>'
            '<td><a href="/a.html">县农村宅基地管理办法</a></td><th>生成日期：</th><td>2021-06-15</td></tr>'
            '<tr><th>成文日期：</th><td>2021-05-10</td><th>名称：</th>'
            '<td><a href="/b.html">县城区停车管理办法</a></td><th>生成日期：</th><td>2021-05-15</td></tr></table>')
    assert items_of(body) == [("县农村宅基地管理办法", date(2021, 6, 15)), ("县城区停车管理办法", date(2021, 5, 15))]


# --- table header cells are not column names ----------------------------------------------------------

HOME = "http://www.csx.gov.cn/"
FOOT = '<div class="footer">主办：测试县人民政府办公室 网站标识码：4408820001</div>'


def _site(pages: dict[str, str]) -> dict[str, Column]:
    views = [PageView(HOME.rstrip("/") + path, html, role="homepage" if path == "/" else "other")
             for path, html in pages.items()]
    site = Site(site_code="4408820001", name="测试县人民政府", homepage=HOME, region="广东省/湛江市/测试县",
                host_org="测试县人民政府办公室", kind=SiteKind.PORTAL)
    return {c.name: c for c in discover_columns(SiteView(site=site, homepage=views[0], pages=views), AS_OF)}


def test_table_header_cell_is_not_an_alias() -> None:
    table = ('<table class="tb"><tr><th>日期</th><th>标题</th><th>来源</th></tr>'
             '<tr><td>2021-06-25</td><td><a href="/xw/1.html">县委理论学习中心组举行读书班</a></td><td>融媒体中心</td></tr>'
             "</table>")
    home = (f'<html><body><div class="nav"><a href="/">首页</a><a href="/xw/">测试新闻</a></div>'
            f'<div class="box"><div class="bt"><b>测试新闻</b><a class="more" href="/xw/">更多</a></div>{table}</div>'
            f"{FOOT}</body></html>")
    column = (f'<html><body><div class="nav"><a href="/">首页</a><a href="/xw/">测试新闻</a></div>'
              f'{table}{FOOT}</body></html>')
    found = _site({"/": home, "/xw/": column})
    assert "日期" not in found["测试新闻"].aliases
    assert "日期" not in found


def test_section_heading_without_heading_tags_names_a_more_link() -> None:
    home = (f'<html><body><div class="nav"><a href="/">首页</a></div>'
            '<div class="box"><div class="bt"><b>政务要闻</b><a class="more" href="/zwyw/">更多</a></div>'
            '<ul><li><a href="/zwyw/1.html">县委理论学习中心组举行读书班</a><span>2021-06-25</span></li></ul></div>'
            f"{FOOT}</body></html>")
    column = (f'<html><body><div class="nav"><a href="/">首页</a></div><ul><li><a href="/zwyw/1.html">'
              f"县委理论学习中心组举行读书班</a><span>2021-06-25</span></li></ul>{FOOT}</body></html>")
    found = _site({"/": home, "/zwyw/": column})
    assert "政务要闻" in found
    newest = found["政务要闻"].newest
    assert newest is not None and newest.date == date(2021, 6, 25)


def test_many_bare_dated_links_are_segmented_in_bounded_time() -> None:
    """Segmentation caches per container: 3000 dated links in one ``div.list-group`` is linear work."""
    links = "".join(f'<a href="{n}.html">县政府召开第{n}次常务会议<small>2021-06-{n % 28 + 1:02d}</small></a>'
                    for n in range(3000))
    started = time.perf_counter()
    found = items_of(f'<div class="list-group">{links}</div>')
    assert len(found) == 3000
    assert found[0] == ("县政府召开第0次常务会议", date(2021, 6, 1))
    assert found[2999] == ("县政府召开第2999次常务会议", date(2021, 6, 2999 % 28 + 1))
    assert time.perf_counter() - started < 10
