"""Discovery with rendered column pages: a script-filled list (needs_render) judged on the browser's DOM
(pure, from PageViews; the browser side is in test_pipeline_render_columns.py)."""

from __future__ import annotations

from datetime import date

from govinspect.archive.pageview import PageView
from govinspect.checks.base import SiteView
from govinspect.columns import discover_columns
from govinspect.columns.discover import RENDERED_NOTE
from govinspect.registry.models import Site, SiteKind

AS_OF = date(2021, 7, 1)
HOME = "http://www.sfx.gov.cn/"
NAV = '<div class="nav"><a href="/tzgg/">通知公告</a><a href="/zcwj/">政策文件</a><a href="/gzdt/">工作动态</a></div>'
FOOTER = '<div class="footer">网站标识码：4408820001</div>'
SCRIPT = "<script>$.ajax({url: '/api/list', success: function (d) { $('#list').html(d); }});</script>"
SCRIPTED = f'{NAV}<ul class="list" id="list"></ul>{FOOTER}{SCRIPT}'
ROWS = "".join(f'<li><a href="/tzgg/t2021062{n}_1.html">关于第{n}项工作安排的通知</a><span>2021-06-2{n}</span></li>'
               for n in (1, 5, 3))
STATIC = {
    "/": f'{NAV}<ul class="list"><li><a href="/gzdt/a.html">一条足够长的动态信息标题</a><span>2021-06-28</span></li></ul>'
         f'{FOOTER}',
    "/tzgg/": SCRIPTED,
    "/zcwj/": SCRIPTED,
    "/gzdt/": f'{NAV}<ul class="list"><li><a href="/gzdt/a.html">一条足够长的动态信息标题</a><span>2021-06-28</span>'
              f'</li></ul>{FOOTER}',
}


def site_view() -> SiteView:
    pages = [PageView(HOME + path.lstrip("/"), f"<html><body>{html}</body></html>", warc_record_id=f"<urn:uuid:{n}>",
                      role="homepage" if path == "/" else "column") for n, (path, html) in enumerate(STATIC.items())]
    return SiteView(site=Site(site_code="4408820001", name="示范县", homepage=HOME, region="广东省/湛江市/示范县",
                              host_org="示范县人民政府办公室", kind=SiteKind.PORTAL),
                    homepage=pages[0], pages=pages)


def rendered(path: str, body: str) -> PageView:
    return PageView(HOME + path.lstrip("/"), f"<html><body>{NAV}{body}{FOOTER}{SCRIPT}</body></html>",
                    warc_record_id="<urn:uuid:static>", role="column")


def by_name(columns: list) -> dict:  # type: ignore[type-arg]
    return {c.name: c for c in columns}


def test_static_script_lists_wait_for_a_render() -> None:
    cols = by_name(discover_columns(site_view(), AS_OF))
    for name in ("通知公告", "政策文件"):
        assert cols[name].needs_render and not cols[name].judged and not cols[name].empty
    assert not cols["工作动态"].needs_render and cols["工作动态"].judged  # near miss: a static list


def test_rendered_list_is_read_dated_and_judged() -> None:
    pages = {HOME + "tzgg/": rendered("/tzgg/", f'<ul class="list" id="list">{ROWS}</ul>')}
    cols = by_name(discover_columns(site_view(), AS_OF, rendered=pages))
    tzgg = cols["通知公告"]
    assert not tzgg.needs_render and tzgg.judged and not tzgg.empty
    assert [i.date for i in tzgg.items] == [date(2021, 6, 21), date(2021, 6, 25), date(2021, 6, 23)]
    assert tzgg.newest is not None and tzgg.newest.date == date(2021, 6, 25)
    assert tzgg.newest.url == HOME + "tzgg/t20210625_1.html"
    assert tzgg.category_reason.endswith(RENDERED_NOTE)
    assert tzgg.warc_record_id == "<urn:uuid:1>"  # evidence stays the static page's record
    assert cols["政策文件"].needs_render  # not rendered: still waits
    assert RENDERED_NOTE not in cols["工作动态"].category_reason


def test_rendered_list_that_stays_empty_is_an_empty_column() -> None:
    pages = {HOME + "zcwj/index.html": rendered("/zcwj/", '<ul class="list" id="list"></ul>')}
    zcwj = by_name(discover_columns(site_view(), AS_OF, rendered=pages))["政策文件"]
    assert not zcwj.needs_render and zcwj.judged and zcwj.empty and not zcwj.items
    assert zcwj.empty_reason.endswith(f"({RENDERED_NOTE})")


def test_rendered_placeholder_is_the_columns_message() -> None:
    pages = {HOME + "zcwj/": rendered("/zcwj/", '<ul class="list" id="list"><li>暂无信息</li></ul>')}
    zcwj = by_name(discover_columns(site_view(), AS_OF, rendered=pages))["政策文件"]
    assert zcwj.empty and zcwj.empty_reason.startswith("页面显示‘暂无信息’")
