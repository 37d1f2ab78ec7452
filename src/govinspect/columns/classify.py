"""Column name → category, from ``categories.yaml``; unknown names by their content, with the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from statistics import median

import yaml

from govinspect.columns.dates import normalize
from govinspect.columns.model import Category, ListItem
from govinspect.errors import ConfigError

FREQUENT_GAP_DAYS = 14  # median gap between dated items at or below which an unnamed list counts as news
MIN_DATED_FOR_CONTENT = 3


@dataclass(frozen=True, slots=True)
class CategoryData:
    """The parsed names → category data."""

    names: dict[str, Category]
    keywords: list[tuple[str, Category, int]]  # keyword, category, category order
    not_columns: frozenset[str]
    external_names: tuple[str, ...]
    external_url_patterns: tuple[str, ...]


def load_categories(path: Path | None = None) -> CategoryData:
    """Read a categories file (the packaged one by default); errors name the file and the fix."""
    if path is None:
        text = resources.files("govinspect.columns").joinpath("categories.yaml").read_text(encoding="utf-8")
        where = "govinspect/columns/categories.yaml"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"categories file {path} cannot be read ({exc}): pass an existing YAML file") from None
        where = str(path)
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"categories file {where} is not valid YAML ({exc}): fix the line named") from None
    cats = raw.get("categories")
    if not isinstance(cats, dict):
        raise ConfigError(f"categories file {where} has no 'categories' mapping: add one per category")
    names: dict[str, Category] = {}
    keywords: list[tuple[str, Category, int]] = []
    for order, (key, entry) in enumerate(cats.items()):
        try:
            category = Category(key)
        except ValueError:
            known = ", ".join(c.value for c in Category)
            raise ConfigError(f"categories file {where}: unknown category {key!r}; use one of {known}") from None
        entry = entry or {}
        for name in entry.get("names", []) or []:
            names.setdefault(_norm(str(name)), category)
        for word in entry.get("keywords", []) or []:
            keywords.append((_norm(str(word)), category, order))
    return CategoryData(
        names=names,
        keywords=keywords,
        not_columns=frozenset(_norm(str(n)) for n in raw.get("not_columns", []) or []),
        external_names=tuple(_norm(str(n)) for n in raw.get("external_names", []) or []),
        external_url_patterns=tuple(str(p).lower() for p in raw.get("external_url_patterns", []) or []),
    )


@lru_cache(maxsize=1)
def default_categories() -> CategoryData:
    """The packaged data, read on first use (not at import time)."""
    return load_categories()


def _norm(name: str) -> str:
    return re.sub(r"[\s>»›》<«‹《·•|/\\\-_:：\[\]【】()（）]+", "", normalize(name))


def classify_name(name: str, data: CategoryData | None = None) -> tuple[Category, str] | None:
    """The category a column name implies, with the reason, or None when the name says nothing."""
    data = data or default_categories()
    key = _norm(name)
    if not key:
        return None
    if key in data.names:
        return data.names[key], f"名称为‘{key}’"
    hits = [(len(word), -order, word, category) for word, category, order in data.keywords if word and word in key]
    if not hits:
        return None
    _, _, word, category = max(hits)
    return category, f"名称含‘{word}’"


def classify_content(items: list[ListItem], has_text: bool) -> tuple[Category, str]:
    """The category an unnamed column's content implies: dated frequent list → news, and so on."""
    dated = sorted({i.date for i in items if i.date is not None}, reverse=True)
    if len(dated) >= MIN_DATED_FOR_CONTENT:
        recent = dated[:10]
        gaps = [(a - b).days for a, b in zip(recent, recent[1:], strict=False)]
        gap = median(gaps) if gaps else 0
        if gap <= FREQUENT_GAP_DAYS:
            return Category.NEWS, f"内容: 列表项均带日期, 近期更新频繁 (间隔中位数 {gap:g} 天)"
        return Category.OTHER, f"内容: 列表项带日期, 更新间隔较长 (间隔中位数 {gap:g} 天)"
    if items and not dated:
        return Category.OTHER, "内容: 列表项均无日期"
    if items:
        return Category.OTHER, f"内容: 仅 {len(dated)} 条带日期的列表项, 无法判断更新频率"
    if has_text:
        return Category.STATIC, "内容: 单页正文, 无信息列表"
    return Category.OTHER, "内容: 无列表也无正文"


def classify(
    name: str, items: list[ListItem], *, has_text: bool = False, column_type: str = "",
    aliases: tuple[str, ...] | list[str] = (), children: int = 0, data: CategoryData | None = None,
) -> tuple[Category, str]:
    """Category and reason: the name, then other names of the same column (CMS ColumnName, breadcrumb),
    then the CMS ``ColumnType`` meta, then sub-columns (a column gathering ``children`` sub-columns is a
    栏目汇聚页 judged through them: static), then the content."""
    by_name = classify_name(name, data)
    if by_name is not None:
        return by_name
    for alias in aliases:
        by_alias = classify_name(alias, data)
        if by_alias is not None:
            return by_alias[0], f"别名‘{alias}’: {by_alias[1]}"
    if column_type:
        by_type = classify_name(column_type, data)
        if by_type is not None:
            return by_type[0], f"meta ColumnType ‘{column_type}’: {by_type[1]}"
    if children > 0:
        return Category.STATIC, f"栏目汇聚页: 含 {children} 个下级栏目, 更新情况按下级栏目判断"
    return classify_content(items, has_text)


def is_not_column(name: str, data: CategoryData | None = None) -> bool:
    """Navigation entries that are not columns (首页, 无障碍, English, 登录 …)."""
    data = data or default_categories()
    return _norm(name) in data.not_columns


def is_external_name(name: str, url: str, data: CategoryData | None = None) -> str:
    """Why a column is a link to another system (mailbox, service hall …), or '' when it is not."""
    data = data or default_categories()
    key = _norm(name)
    for word in data.external_names:
        if word and word in key:
            return f"名称含‘{word}’, 为外部系统入口"
    low = url.lower()
    for pattern in data.external_url_patterns:
        if pattern in low:
            return f"地址含‘{pattern}’, 为外部系统入口"
    return ""
