"""column.empty: blank columns (placeholder, template only, failed link); never double-counted as stale."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext, SiteView
from govinspect.checks.column_empty import ColumnEmpty
from govinspect.checks.column_stale import ColumnStale
from govinspect.columns import discover_columns
from govinspect.fetch.types import LinkResult, LinkState
from govinspect.registry.models import Site, SiteKind

AS_OF = datetime(2021, 7, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HOME = "http://www.sfx.gov.cn/"
SITE = Site(site_code="4408820001", name="示范县", homepage=HOME, region="广东省/湛江市/示范县",
            host_org="示范县人民政府办公室", kind=SiteKind.PORTAL)
NAV = ('<div class="nav"><a href="/gzdt/">工作动态</a><a href="/bmdt/">部门动态</a><a href="/jgzn/">机构职能</a>'
       '<a href="/gfxwj/">规范性文件</a><a href="/zcwj/">政策文件</a><a href="/gk/">县情概况</a>'
       '<a href="/xzxx/">县长信箱</a></div>')
FOOT = '<div class="footer">主办单位：示范县人民政府办公室 网站标识码：4408820001</div>'


def build() -> SiteView:
    def page(path: str, body: str, **kw: object) -> PageView:
        return PageView(HOME + path.lstrip("/"), f"<html><body>{NAV}{body}{FOOT}</body></html>",
                        warc_record_id=f"<urn:uuid:{path}>", **kw)  # type: ignore[arg-type]

    pages = [
        page("/", '<ul class="list"><li><a href="/gzdt/1.html">县政府召开常务会议</a><span>2021-06-29</span></li></ul>'),
        page("/gzdt/", '<ul class="list"><li><a href="/gzdt/1.html">县政府召开常务会议</a><span>2021-06-29</span></li></ul>'),
        page("/bmdt/", '<div class="main"><ul><li>暂无信息</li></ul></div>'),  # placeholder
        page("/jgzn/", '<div class="main"></div>'),  # template only
        page("/zcwj/", '<ul id="list"></ul><script>$.ajax({url: "/api/zcwj"})</script>'),  # needs render
        page("/gk/", '<div class="main"><p>示范县位于雷州半岛中部，总面积3523平方公里，辖21个镇、3个街道。</p></div>'),
        page("/xzxx/", '<div class="main">信箱系统正在建设中</div>'),  # external system: not judged
    ]
    links = {HOME + "gfxwj/": LinkResult(HOME + "gfxwj/", LinkState.DEAD, status=404)}
    view = SiteView(site=SITE, homepage=pages[0], pages=pages, links=links)
    view.columns = discover_columns(view, AS_OF)
    return view


def run(check: ColumnEmpty | ColumnStale, view: SiteView) -> list:  # type: ignore[type-arg]
    return list(check.run(view, CheckContext(as_of=AS_OF, site=SITE, observed_at=AS_OF, site_view=view)))


def test_positives_and_negatives() -> None:
    view = build()
    found = {f.detail["column"]: f for f in run(ColumnEmpty(), view)}
    assert set(found) == {"部门动态", "机构职能", "规范性文件"}
    assert found["部门动态"].detail["empty_reason"] == "页面显示‘暂无信息’"
    assert "暂无信息" in found["部门动态"].evidence.excerpt and found["部门动态"].evidence.locator.startswith("css:")
    assert found["部门动态"].evidence.warc_record == "<urn:uuid:/bmdt/>"
    assert found["机构职能"].detail["empty_reason"] == "页面只有网站模板, 无栏目内容"
    assert found["规范性文件"].detail["failure"] == "HTTP 404"
    for f in found.values():
        assert f.detail["newest"] is None and f.detail["limit_days"] is None
        assert {"column", "category", "newest", "limit_days", "level", "parent"} <= set(f.detail)


def test_empty_columns_are_not_also_stale() -> None:
    view = build()
    empty = {f.url for f in run(ColumnEmpty(), view)}
    stale = {f.url for f in run(ColumnStale(), view)}
    assert empty and not (empty & stale)


def test_failed_links_can_be_left_to_link_dead() -> None:
    view = build()
    found = run(ColumnEmpty(ColumnEmpty.Params(include_failed_links=False)), view)
    assert {f.detail["column"] for f in found} == {"部门动态", "机构职能"}


def test_near_miss_a_column_with_one_item_is_not_empty() -> None:
    view = build()
    names = {c.name: c for c in view.columns}
    assert not names["工作动态"].empty and not names["县情概况"].empty
    assert names["政策文件"].needs_render and not names["政策文件"].empty
    assert names["县长信箱"].external
