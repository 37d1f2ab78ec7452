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
from urllib.parse import urlsplit

from govinspect.archive.pageview import Link, PageView
from govinspect.columns.classify import CategoryData, default_categories, is_external_name, is_not_column
from govinspect.columns.discover import in_side_menu, more_links, nav_roots, same_site, url_key
from govinspect.columns.items import extract_items, is_more_text, resolve

TIER_COLUMN = 100  # navigation / 更多 links
TIER_SUBNAV = 200  # side menus on column pages
TIER_PAGINATION = 300  # list page n (n ≥ 2), only up to max_list_pages
TIER_NEWEST_ITEM = 400  # the newest items of a list
TIER_ITEM = 600  # other items
TIER_OTHER = 800  # any other internal page

_NOT_HTML = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|wps|et|zip|rar|7z|gz|jpe?g|png|gif|bmp|webp|svg|ico|mp4|mp3|avi|"
                       r"flv|wmv|swf|apk|exe|txt|xml|json|css|js|ofd|ceb|tif)$", re.I)


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
        if url_key(url) == self.home_key or not same_site(url, self.homepage):
            return None
        if _NOT_HTML.search(urlsplit(url).path):
            return None
        data = self.data or default_categories()
        roles = self._roles(page)
        key = url_key(url)
        text = link.text or roles.texts.get(key, "")
        if link.in_footer or is_not_column(text, data) or is_external_name(text, url, data):
            return None
        if key in roles.pages:
            number = roles.pages[key]
            return TIER_PAGINATION + number + depth if number <= self.max_list_pages else None
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
        key = url_key(link.url)
        if key in roles.pages:
            return "list"
        if key in roles.columns or key in roles.subnav:
            return "column"
        if key in roles.items:
            return "item"
        return "other"

    def _roles(self, page: PageView) -> _Roles:
        key = url_key(page.final_url)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        roles = _Roles()
        for anchor in page.links:
            if anchor.text and not is_more_text(anchor.text):
                roles.texts.setdefault(url_key(anchor.url), anchor.text)
        for root in nav_roots(page):
            for anchor in root.css("a[href]"):
                url = resolve(page.base_url, (anchor.attributes or {}).get("href") or "")
                if url:
                    roles.columns.add(url_key(url))
        for _, url in more_links(page):
            roles.columns.add(url_key(url))
        for anchor in page.tree.css("a[href]"):
            if in_side_menu(anchor):
                url = resolve(page.base_url, (anchor.attributes or {}).get("href") or "")
                if url:
                    roles.subnav.add(url_key(url))
        is_home = url_key(page.final_url) == self.home_key
        found = extract_items(page, self.as_of, whole_page=is_home)
        for number, url in found.pagination:
            roles.pages.setdefault(url_key(url), number)
        ordered = sorted(enumerate(found.items), key=lambda p: (p[1].date is None, -(p[1].date or date.min).toordinal(),
                                                                 p[0]))
        for rank, (_, item) in enumerate(ordered):
            if item.url:
                roles.items.setdefault(url_key(item.url), rank)
        roles.columns -= set(roles.items)
        self._cache[key] = roles
        if len(self._cache) > self._cache_pages:
            self._cache.popitem(last=False)
        return roles
