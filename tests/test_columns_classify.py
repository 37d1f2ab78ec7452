"""Column name → category from categories.yaml, and unknown names by content, with reasons."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from govinspect.columns.classify import classify, classify_name, is_external_name, is_not_column, load_categories
from govinspect.columns.model import Category, DateSource, ListItem
from govinspect.errors import ConfigError

NAMES = [
    ("工作动态", Category.NEWS), ("部门动态", Category.NEWS), ("区县动态", Category.NEWS), ("图片新闻", Category.NEWS),
    ("今日要闻", Category.NEWS), ("通知公告", Category.NOTICE), ("公示公告", Category.NOTICE),
    ("招标采购公告", Category.NOTICE), ("政策文件", Category.POLICY), ("规范性文件", Category.POLICY),
    ("政策解读", Category.POLICY), ("人事任免", Category.PERSONNEL), ("规划计划", Category.PERSONNEL),
    ("人事动态", Category.PERSONNEL), ("部门预决算", Category.PERSONNEL), ("概况信息", Category.STATIC),
    ("机构职能", Category.STATIC), ("领导信息", Category.STATIC), ("办事指南", Category.SERVICE),
    ("互动交流", Category.INTERACTION), ("县长信箱", Category.INTERACTION), ("政务服务", Category.SERVICE),
]


@pytest.mark.parametrize(("name", "category"), NAMES)
def test_names(name: str, category: Category) -> None:
    found = classify_name(name)
    assert found is not None and found[0] == category
    assert name in found[1] or "名称含" in found[1]


def test_reasons_say_exact_or_keyword() -> None:
    assert classify_name("通知公告") == (Category.NOTICE, "名称为‘通知公告’")
    assert classify_name("教育动态") == (Category.NEWS, "名称含‘动态’")
    assert classify_name("专题专栏") is None


def dated(*days_ago: int) -> list[ListItem]:
    base = date(2021, 7, 1)
    return [ListItem(f"信息{n}", f"http://x/{n}.html", base - timedelta(days=d), DateSource.LIST)
            for n, d in enumerate(days_ago)]


def test_unknown_names_by_content() -> None:
    category, reason = classify("专题专栏", dated(1, 5, 9, 12))
    assert category == Category.NEWS and reason.startswith("内容: 列表项均带日期, 近期更新频繁")
    category, reason = classify("专题专栏", dated(10, 70, 140, 200))
    assert category == Category.OTHER and "间隔较长" in reason
    assert classify("专题专栏", [ListItem("专题一", None)])[0] == Category.OTHER
    assert classify("专题专栏", [], has_text=True) == (Category.STATIC, "内容: 单页正文, 无信息列表")


def test_aliases_and_column_type_come_before_content() -> None:
    assert classify("信息公开", dated(1, 2, 3), aliases=["政府信息公开目录"])[0] == Category.POLICY
    category, reason = classify("栏目一", dated(1, 2, 3), column_type="通知公告")
    assert category == Category.NOTICE and "ColumnType" in reason


def test_not_columns_and_external_systems() -> None:
    assert is_not_column("网站首页") and is_not_column(" English ") and not is_not_column("工作动态")
    assert is_external_name("书记信箱", "http://x/xx/")
    assert is_external_name("我要咨询", "http://x/guestbook/index.jsp")
    assert is_external_name("工作动态", "http://x/gzdt/") == ""


def test_bad_categories_file_names_the_fix(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text("categories:\n  gossip: {names: [八卦]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown category 'gossip'"):
        load_categories(bad)
    bad.write_text("categories: [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_categories(bad)
    with pytest.raises(ConfigError, match="cannot be read"):
        load_categories(tmp_path / "missing.yaml")


def test_custom_categories_file_changes_classification(tmp_path: Path) -> None:
    custom = tmp_path / "c.yaml"
    custom.write_text("categories:\n  news: {keywords: [专栏]}\n", encoding="utf-8")
    data = load_categories(custom)
    assert classify_name("专题专栏", data) == (Category.NEWS, "名称含‘专栏’")
