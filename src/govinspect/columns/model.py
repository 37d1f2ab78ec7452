"""栏目 (column) records: what discovery found, how it was classified, and its newest dated item."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Category(StrEnum):
    """What kind of column it is; each category has its own update limit (check params, not code)."""

    NEWS = "news"  # 动态、要闻、图片新闻 … (14 days)
    NOTICE = "notice"  # 通知公告、公示公告 … (183 days)
    POLICY = "policy"  # 政策文件、规范性文件 … (183 days)
    PERSONNEL = "personnel"  # 人事、规划计划 and other yearly columns (365 days)
    STATIC = "static"  # 概况、机构职能、领导信息 … (no limit)
    INTERACTION = "interaction"  # 互动交流、留言 …
    SERVICE = "service"  # 办事服务 …
    OTHER = "other"


class DateSource(StrEnum):
    """Where an item's date was read."""

    LIST = "list"  # shown next to the item in the column list
    META = "meta"  # <meta name="PubDate"> of the item's page
    ARTICLE = "article"  # a 发布时间 field or date on the item's own page
    NONE = "none"  # no visible date anywhere (未注明发布时间)


class ColumnSource(StrEnum):
    """How the column was found."""

    NAV = "nav"  # homepage navigation / header menus
    MORE_LINK = "more_link"  # a homepage block with a 更多 / more / >> link
    SUBNAV = "subnav"  # a column page's own sub-navigation
    META = "meta"  # CMS meta tags (ColumnName) on a fetched list page


@dataclass(slots=True)
class ListItem:
    """One entry of a column list (or a dated entry on the homepage)."""

    title: str
    url: str | None
    date: date | None = None
    date_source: DateSource = DateSource.NONE
    locator: str = ""  # css path of the row, or script:… for script-held lists
    raw_date: str = ""  # the date text as shown (evidence)
    page_url: str = ""  # the list page the item was read from


@dataclass(slots=True)
class Column:
    """One 栏目 as an inspector sees it: name, place in the site, category, items and freshness."""

    name: str
    url: str
    level: int = 1  # 1 = 一级栏目, 2 = 二级栏目 (deeper levels keep their depth)
    parent: str | None = None
    category: Category = Category.OTHER
    category_reason: str = ""
    items: list[ListItem] = field(default_factory=list)
    newest: ListItem | None = None
    empty: bool = False
    empty_reason: str = ""
    fetched: bool = False  # the column page itself was fetched
    failure: str = ""  # why the column link failed (dead link / HTTP status); empty when fine
    external: bool = False  # a link to another system (service hall, mailbox, platform): not judged
    needs_render: bool = False  # list is filled by script: a rendered fetch must fill it before judging
    source: ColumnSource = ColumnSource.NAV
    warc_record_id: str | None = None  # the column page's response record
    aliases: list[str] = field(default_factory=list)  # other names the same column is linked under
    list_pages: list[str] = field(default_factory=list)  # list pages read (page 1 first, then pagination)
    ignored_dates: list[str] = field(default_factory=list)  # dates rejected, with the reason
    excerpt: str = ""  # what the page shows when empty (placeholder text) for evidence
    locator: str = ""  # where that is on the page

    @property
    def judged(self) -> bool:
        """Whether freshness/emptiness checks may judge this column at all."""
        return not self.external and not self.needs_render and (self.fetched or bool(self.failure))
