"""List items across layouts: rows, dates, pagination, script-held lists, placeholders, hostile input."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from govinspect.archive.pageview import PageView
from govinspect.columns.items import extract_items, is_more_text, page_date, page_number, pagination
from govinspect.columns.model import DateSource

AS_OF = date(2021, 7, 1)
BASE = "http://www.sfx.gov.cn/xwzx/gzdt/"


def page(body: str, url: str = BASE, head: str = "") -> PageView:
    return PageView(url, f"<html><head>{head}</head><body>{body}</body></html>")


def test_ul_rows_take_the_max_date_not_the_first_row() -> None:
    found = extract_items(page("""<div class="nav"><a href="/a/">机构设置与职能介绍</a></div>
        <ul class="list"><li><a href="a.html">较早的一条信息标题</a><span>2021-05-01</span></li>
        <li><a href="b.html">最新的一条信息标题</a><span>2021-06-29</span></li></ul>"""), AS_OF)
    assert [i.title for i in found.items] == ["较早的一条信息标题", "最新的一条信息标题"]
    assert max(i.date for i in found.items if i.date) == date(2021, 6, 29)
    assert all(i.date_source == DateSource.LIST for i in found.items)
    assert found.items[1].url == "http://www.sfx.gov.cn/xwzx/gzdt/b.html"


def test_date_inside_the_link_is_not_part_of_the_title() -> None:
    found = extract_items(page('<ul><li><a href="a.html">县政府召开常务会议<span>06-29</span></a></li>'
                               '<li><a href="b.html">县长调研防汛工作<span>06-20</span></a></li></ul>'), AS_OF)
    assert [(i.title, i.date) for i in found.items] == [("县政府召开常务会议", date(2021, 6, 29)),
                                                      ("县长调研防汛工作", date(2021, 6, 20))]


def test_date_in_a_title_is_not_the_publish_date() -> None:
    found = extract_items(page('<ul><li><a href="a.html">关于2021年7月1日停电的通知</a><span>2021-06-28</span></li>'
                               '<li><a href="b.html">关于2021年6月30日开展演练的通知</a></li></ul>'), AS_OF)
    assert [i.date for i in found.items] == [date(2021, 6, 28), None]


def test_table_with_header_prefers_publish_over_written_date() -> None:
    found = extract_items(page("""<table><tr><th>索引号</th><th>名称</th><th>成文日期</th><th>发布日期</th></tr>
        <tr><td>1144/2021-001</td><td><a href="a.html">某某局关于印发办法的通知</a></td><td>2021-06-29</td>
        <td>2021-05-02</td></tr></table>"""), AS_OF)
    assert [i.date for i in found.items] == [date(2021, 5, 2)]


def test_future_date_is_ignored_and_reported() -> None:
    found = extract_items(page('<ul><li><a href="a.html">一条日期写错的信息</a><span>2021-12-30</span></li>'
                               '<li><a href="b.html">一条正常的信息标题</a><span>2021-06-01</span></li></ul>'), AS_OF)
    assert [i.date for i in found.items] == [None, date(2021, 6, 1)]
    assert any("晚于监测时间点" in r.reason for r in found.rejected)


def test_pagination_numbers() -> None:
    assert page_number("http://h/x/index_1.html", "http://h/x/") == 2
    assert page_number("http://h/x/index_2.shtml", "http://h/x/index.shtml") == 3
    assert page_number("http://h/x/index.html?page=2", "http://h/x/index.html") == 2
    assert page_number("http://h/x/list_3.html", "http://h/x/list.html") == 3
    assert page_number("http://h/y/index_1.html", "http://h/x/") is None  # another folder
    assert page_number("http://other/x/index_1.html", "http://h/x/") is None
    assert page_number("http://h/x/t20210629_1.html", "http://h/x/") is None  # an article


def test_pagination_links_and_trs_script() -> None:
    trs = page('<script>createPageHTML(4, 0, "index", "html");</script>')
    assert pagination(trs) == [(2, BASE + "index_1.html"), (3, BASE + "index_2.html"), (4, BASE + "index_3.html")]
    hanweb = page('<a href="/xwzx/gzdt/?uid=1&pageNum=2">下一页</a>')
    assert pagination(hanweb) == [(2, "http://www.sfx.gov.cn/xwzx/gzdt/?uid=1&pageNum=2")]


def test_document_write_and_json_lists_are_read_statically() -> None:
    written = page("""<ul><script>document.write('<li><a href="a.html">县人社局开展根治欠薪检查</a>'
        + '<span>2021-06-25</span></li>');</script></ul>""")
    found = extract_items(written, AS_OF)
    assert [(i.title, i.date, i.locator) for i in found.items] == [
        ("县人社局开展根治欠薪检查", date(2021, 6, 25), "script:html")]
    data = page('<script>var d = {"list": [{"Title": "关于社保缴费的通知", "LinkUrl": "n.html", '
                '"PubDate": "2021-04-01 10:20:00"}]};</script>')
    found = extract_items(data, AS_OF)
    assert [(i.title, i.date, i.url) for i in found.items] == [
        ("关于社保缴费的通知", date(2021, 4, 1), BASE + "n.html")]
    assert found.script_items and not found.needs_render


def test_ajax_list_needs_render_and_is_not_invented() -> None:
    found = extract_items(page('<ul id="list"></ul><script>$.ajax({url: "/api/list"});</script>'), AS_OF)
    assert found.items == [] and found.needs_render and not found.placeholder
    plain = extract_items(page('<ul id="list"></ul>'), AS_OF)
    assert plain.items == [] and not plain.needs_render


def test_placeholder_is_found_with_its_location() -> None:
    found = extract_items(page('<div class="main"><ul><li class="nodata">暂无信息</li></ul></div>'), AS_OF)
    assert found.items == [] and found.placeholder == "暂无信息"
    assert found.placeholder_locator.startswith("css:")
    longest = extract_items(page('<p>本栏目建设中，敬请期待</p>'), AS_OF)
    assert longest.placeholder == "栏目建设中"


def test_navigation_and_footer_links_are_not_items() -> None:
    found = extract_items(page("""<div class="nav"><a href="/x/">政务公开信息目录</a><a href="/y/">政策文件汇编</a></div>
        <div class="footer"><a href="/z/">网站地图导航页面</a><a href="/w/">联系我们页面链接</a></div>"""), AS_OF)
    assert found.items == []


def test_article_page_date_sources() -> None:
    meta = page("<h1>标题</h1>", head='<meta name="PubDate" content="2021-06-22 09:15">')
    assert page_date(meta, AS_OF)[:2] == (date(2021, 6, 22), DateSource.META)
    text = page("<h1>标题</h1><div>来源：本站 发布时间：2021-06-20 16:02</div>")
    assert page_date(text, AS_OF)[:2] == (date(2021, 6, 20), DateSource.ARTICLE)
    none = page("<h1>标题</h1><p>正文没有时间。</p>")
    assert page_date(none, AS_OF) == (None, DateSource.NONE, "")


def test_more_link_texts() -> None:
    for text in ("更多", "更多>>", "more", "MORE +", ">>", "【更多】", "查看更多"):
        assert is_more_text(text), text
    for text in ("", "通知公告", "更多信息公开目录"):
        assert not is_more_text(text), text


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' aulidvtrspnchef12-06年月日暂无信息更多[]()")), max_size=400))
def test_hostile_html_never_raises(html: str) -> None:
    found = extract_items(PageView(BASE, html), AS_OF)
    assert all(i.date is None or i.date <= AS_OF for i in found.items)
