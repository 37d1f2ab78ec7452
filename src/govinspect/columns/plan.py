"""A crawl plan that spends the page budget where column judgement needs it.

Order: homepage → navigation and 更多 links (column pages) → side menus (second-level columns) → the first
list pages of pagination (enough to know the newest item) → the newest items of each list (their pages
carry the date when the list does not) → everything else internal. Links to other systems (other hosts,
mailboxes, service halls) and non-HTML files are skipped. Implements the crawl's plan protocol
``priority(page, link, depth) -> int | None`` (lower = sooner, None = skip) without importing the crawler.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from govinspect.archive.pageview import Link, PageView, resolve_href
from govinspect.columns.classify import CategoryData, default_categories, is_external_name, is_not_column
from govinspect.columns.discover import _CRUMB_WORDS, _SIDE_WORDS, _classes, more_links, nav_roots, same_site
from govinspect.columns.discover import url_key
from govinspect.columns.items import extract_items, is_more_text

TIER_COLUMN = 100  # navigation / 更多 links
TIER_SUBNAV = 200  # side menus on column pages
TIER_PAGINATION = 300  # list page n (n ≥ 2), only up to max_list_pages
TIER_NEWEST_ITEM = 400  # the newest items of a list
TIER_ITEM = 600  # other items
TIER_OTHER = 800  # any other internal page

_NOT_HTML = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|wps|et|zip|rar|7z|gz|jpe?g|png|gif|bmp|webp|svg|ico|mp4|mp3|avi|"
                       r"flv|wmv|swf|apk|exe|txt|xml|json|css|js|ofd|ceb|tif)$", re.I)
_STOP_TAGS = ("body", "html")


@lru_cache(maxsize=1)
def _side_word_re() -> re.Pattern[str]:
    """One pattern for discover's side-menu test: a side word at the start of an id/class word."""
    return re.compile(r"(^|[\s_-])(?:" + "|".join(re.escape(w) for w in _SIDE_WORDS) + ")")


@lru_cache(maxsize=65536)
def _key(url: str) -> str:
    """:func:`url_key`, memoised: the same targets recur on every page of a site (menus, side boxes)."""
    return url_key(url)


@lru_cache(maxsize=65536)
def _target(url: str, homepage: str) -> tuple[str, bool]:
    """(url_key, whether the link may be crawled at all: same site and not a file by its extension)."""
    return url_key(url), same_site(url, homepage) and not _NOT_HTML.search(urlsplit(url).path)


def _in_side_menu(anchor: LexborNode, memo: dict[int, bool]) -> bool:
    """``discover.in_side_menu`` with the verdict of every ancestor walked memoised by node id (one page's
    anchors share their containers, so each container is judged once)."""
    path: list[int] = []
    node = anchor.parent
    result = False
    side = _side_word_re()
    while node is not None and node.tag not in _STOP_TAGS:
        known = memo.get(node.mem_id)
        if known is not None:
            result = known
            break
        path.append(node.mem_id)
        names = _classes(node)
        if node.tag in ("footer", "header") or "foot" in names or any(w in names for w in _CRUMB_WORDS):
            break
        if node.tag == "aside" or side.search(names):
            result = True
            break
        node = node.parent
    for mem_id in path:
        memo[mem_id] = result
    return result


@dataclass(slots=True)
class _Roles:
    """What each link on one page is for the columns (computed once per page)."""

    columns: set[str] = field(default_factory=set)
    subnav: set[str] = field(default_factory=set)
    pages: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)  # url → rank by date (0 = newest)
    texts: dict[str, str] = field(default_factory=dict)  # url → link text (the crawl passes bare URLs)


class ColumnPlan:
    """Crawl priorities for column inspection (the crawl's plan protocol)."""

    def __init__(
        self,
        homepage: str,
        *,
        max_depth: int = 5,
        max_list_pages: int = 3,
        newest_items: int = 3,
        as_of: date | None = None,
        data: CategoryData | None = None,
        cache_pages: int = 64,
    ) -> None:
        self.homepage = homepage
        self.home_key = url_key(homepage)
        self.max_depth = max_depth
        self.max_list_pages = max_list_pages
        self.newest_items = newest_items
        self.as_of = as_of or date(2100, 1, 1)
        self.data = data
        self._cache: OrderedDict[str, _Roles] = OrderedDict()
        self._cache_pages = cache_pages

    def priority(self, page: PageView, link: Link, depth: int) -> int | None:
        """Lower is sooner; None skips the link (other systems, files, too deep, pagination beyond the cap)."""
        url = link.url
        if depth > self.max_depth or not url.startswith(("http://", "https://")):
            return None
        key, crawlable = _target(url, self.homepage)
        if key == self.home_key or not crawlable:
            return None
        data = self.data or default_categories()
        roles = self._roles(page)
        if key in roles.pages:  # before the name filters: 下一页/尾页 are not column names but are pagination
            number = roles.pages[key]
            return TIER_PAGINATION + number + depth if number <= self.max_list_pages else None
        text = link.text or roles.texts.get(key, "")
        if link.in_footer or is_not_column(text, data) or is_external_name(text, url, data):
            return None
        if key in roles.columns:
            return TIER_COLUMN + depth
        if key in roles.subnav:
            return TIER_SUBNAV + depth
        if key in roles.items:
            rank = roles.items[key]
            return (TIER_NEWEST_ITEM + rank if rank < self.newest_items else TIER_ITEM + min(rank, 99)) + depth
        return TIER_OTHER + depth

    def role(self, page: PageView, link: Link) -> str:
        """The role the target page will have: column, list (pagination), item or other."""
        roles = self._roles(page)
        key = _key(link.url)
        if key in roles.pages:
            return "list"
        if key in roles.columns or key in roles.subnav:
            return "column"
        if key in roles.items:
            return "item"
        return "other"

    def _roles(self, page: PageView) -> _Roles:
        """What every link of ``page`` is for (nav, 更多, side menu, list items, pagination), computed once a page."""
        key = _key(page.final_url)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        roles = _Roles()
        base = page.base_url
        side_memo: dict[int, bool] = {}
        texts = roles.texts
        for url, text, _ in page.anchors:  # computed once per page; the list's pagination reads them too
            if text:
                linked_key = _key(url)
                if linked_key not in texts and not is_more_text(text):
                    texts[linked_key] = text
        for anchor in page.tree.css("a[href]"):
            href = (anchor.attributes or {}).get("href") or ""
            if _in_side_menu(anchor, side_memo):
                url = resolve_href(base, href)
                if url:
                    roles.subnav.add(_key(url))
        for root in nav_roots(page):
            for anchor in root.css("a[href]"):
                url = resolve_href(base, (anchor.attributes or {}).get("href") or "")
                if url:
                    roles.columns.add(_key(url))
        for _, url in more_links(page):
            roles.columns.add(_key(url))
        is_home = key == self.home_key
        found = extract_items(page, self.as_of, whole_page=is_home)
        for number, url in found.pagination:
            roles.pages.setdefault(_key(url), number)
        ordered = sorted(enumerate(found.items), key=lambda p: (p[1].date is None, -(p[1].date or date.min).toordinal(),
                                                                 p[0]))
        for rank, (_, item) in enumerate(ordered):
            if item.url:
                roles.items.setdefault(_key(item.url), rank)
        roles.columns -= set(roles.items)
        self._cache[key] = roles
        if len(self._cache) > self._cache_pages:
            self._cache.popitem(last=False)
        return roles
