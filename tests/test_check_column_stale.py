"""column.stale: positives, negatives and near misses over Column records and a real fixture site."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govinspect.checks.base import CheckContext, SiteView
from govinspect.checks.column_stale import ColumnStale
from govinspect.columns import Category, Column, DateSource, ListItem, discover_columns
from govinspect.registry.models import Site, SiteKind

AS_OF = datetime(2021, 7, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SITE = Site(site_code="4408820001", name="示范县", homepage="http://www.sfx.gov.cn/", region="广东省/湛江市/示范县",
            host_org="示范县人民政府办公室", kind=SiteKind.PORTAL)


def column(category: Category, days_old: int | None, **kw: object) -> Column:
    items = [] if days_old is None else [
        ListItem("一条信息", "http://www.sfx.gov.cn/x/1.html", date(2021, 7, 1) - timedelta(days=days_old),
                 DateSource.LIST, "css:ul.list > li", "2021-xx")]
    col = Column(name=kw.pop("name", "栏目"), url="http://www.sfx.gov.cn/x/", category=category, items=items,  # type: ignore[arg-type]
                 newest=items[0] if items else None, fetched=True, warc_record_id="<urn:uuid:1>")
    for key, value in kw.items():
        setattr(col, key, value)
    return col


def run(*columns: Column, **params: object) -> list:  # type: ignore[type-arg]
    check = ColumnStale(ColumnStale.Params(**params)) if params else ColumnStale()
    view = SiteView(site=SITE, homepage=None, columns=list(columns))
    return list(check.run(view, CheckContext(as_of=AS_OF, site=SITE, observed_at=AS_OF, site_view=view)))


@pytest.mark.parametrize(("category", "days_old", "stale"), [
    (Category.NEWS, 15, True), (Category.NEWS, 14, False), (Category.NEWS, 13, False),  # near miss around 14
    (Category.NOTICE, 184, True), (Category.NOTICE, 183, False),
    (Category.POLICY, 300, True), (Category.POLICY, 30, False),
    (Category.PERSONNEL, 366, True), (Category.PERSONNEL, 364, False),
    (Category.STATIC, 3000, False), (Category.INTERACTION, 3000, False), (Category.OTHER, 3000, False),
])
def test_limits_by_category(category: Category, days_old: int, stale: bool) -> None:
    found = run(column(category, days_old))
    assert bool(found) == stale
    if stale:
        (f,) = found
        assert f.check == "column.stale" and f.site_code == "4408820001"
        assert f.detail["category"] == category.value and f.detail["age_days"] == days_old
        assert f.detail["newest"] == (date(2021, 7, 1) - timedelta(days=days_old)).isoformat()
        assert f.detail["level"] == 1 and f.detail["parent"] is None and "limit_days" in f.detail
        assert f.evidence.warc_record == "<urn:uuid:1>" and f.evidence.locator == "css:ul.list > li"
        assert f.evidence.reason


def test_undated_items_count_as_not_updated() -> None:
    col = column(Category.NOTICE, None, items=[ListItem("未注明日期的通知", "http://x/1.html")])
    (f,) = run(col)
    assert f.detail["newest"] is None and f.detail["date_rule"] == "未注明发布时间的视为不更新"
    assert f.evidence.excerpt == "未注明日期的通知"


def test_empty_external_unfetched_and_unrendered_columns_are_not_judged_stale() -> None:
    assert run(column(Category.NEWS, None, empty=True, empty_reason="页面显示‘暂无信息’")) == []
    assert run(column(Category.NEWS, 400, external=True)) == []
    assert run(column(Category.NEWS, 400, fetched=False)) == []
    assert run(column(Category.NEWS, None, needs_render=True)) == []


def test_level_and_parent_reach_the_detail() -> None:
    (f,) = run(column(Category.NOTICE, 241, level=2, parent="新闻中心", name="通知公告"))
    assert (f.detail["column"], f.detail["level"], f.detail["parent"]) == ("通知公告", 2, "新闻中心")


def test_limits_are_params() -> None:
    assert run(column(Category.NEWS, 10), limits_days={"news": 7}) != []
    assert run(column(Category.NEWS, 20), limits_days={"notice": 183}) == []


def test_fixture_site_end_to_end() -> None:
    import importlib.util
    import sys

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("columns_accuracy", root / "benchmarks" / "columns_accuracy.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("columns_accuracy", bench)
    spec.loader.exec_module(bench)
    fixture = bench.load_fixture(root / "tests" / "fixtures" / "columns" / "trs_ul_span")
    fixture.view.columns = discover_columns(fixture.view, fixture.as_of)
    ctx = CheckContext(as_of=fixture.as_of, site=fixture.view.site, observed_at=fixture.as_of)
    found = {f.detail["column"]: f for f in ColumnStale().run(fixture.view, ctx)}
    assert set(found) == {"通知公告", "人事信息"}  # 部门动态 is empty, not stale; 县长信箱 is external
    assert found["通知公告"].detail["newest"] == "2020-11-02" and found["通知公告"].detail["level"] == 2
