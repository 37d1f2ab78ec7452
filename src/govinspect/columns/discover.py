"""Find every 栏目 of a site in the pages already fetched (pure: no network).

Sources, in order of trust for the name: homepage navigation (nav/menu containers, header links, nested
dropdowns give second-level columns with their parent), homepage section blocks with a 更多/more/>> link,
column pages' own sub-navigation and blocks, and CMS meta tags (ColumnName, ColumnType) on list pages.
Breadcrumbs (当前位置：首页 > 新闻中心 > 工作动态) on a column's own page decide its level and parent.
One URL is one column (``/tzgg/``, ``/tzgg/index.html`` and a redirect target are the same), whatever
names it is linked under; the walk keeps a visited set, so columns that link to each other do not loop.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit, urlunsplit

from selectolax.lexbor import LexborNode

from govinspect.archive.pageview import PageView, resolve_href
from govinspect.checks.base import SiteView
from govinspect.columns.classify import CategoryData, classify, default_categories, is_external_name
from govinspect.columns.classify import is_not_column
from govinspect.columns.dates import as_date, find_dates
from govinspect.columns.items import PageItems, PageRows, clean_text, extract_items, in_chrome, is_more_text
from govinspect.columns.items import article_text, group_prints, page_date, page_number, read_rows
from govinspect.columns.model import Category, Column, ColumnSource, ListItem
from govinspect.fetch.types import LinkState

MAX_COLUMNS = 400
MAX_LIST_PAGES = 5  # pagination pages read per column (the newest item is normally on page 1)
MAX_ARTICLE_LOOKUPS = 300  # item pages consulted for dates per site
MIN_CONTENT_CHARS = 20  # visible characters beyond the template for a page to have content
MIN_CONTENT_LINKS = 3  # entry links beyond the template for a page to have content (办事 grids, hubs)
MIN_ARTICLE_CHARS = 6  # characters in an article body (正文 container) for a static page to have content
REPEAT_PAGES = 3  # a list repeated on this many column pages is the template's side box, not a column's list
_ARTICLE_URL = re.compile(r"/t\d{8}_\d+|/20\d{2}[-/]?\d{2}[-/]?\d{2}/|/art_\d+_\d+|content_\d+|post_\d+"
                          r"|/20\d{2}/\d{1,2}/\d{1,2}/|/20\d{2}/\d{4}/\d+\.s?html?"
                          r"|[?&](?:id|aid|articleid)=\d+", re.I)
NAME_MIN, NAME_MAX = 2, 16

_INDEX_RE = re.compile(r"/(?:index|default|main)\.(?:s?html?|jsp|php|aspx?)$", re.I)
_NAV_WORDS = ("nav", "menu", "daohang")
_SIDE_WORDS = ("side", "left", "sub", "lmdh", "lanmu", "erji", "second", "child", "column", "menu2")
_SUBMENU_WORDS = ("sub", "child", "drop", "second", "erji", "level2", "submenu", "secnav")
_HEAD_WORDS = ("tit", "title", "hd", "head", "name", "lm", "bt")
_CRUMB_WORDS = ("crumb", "position", "location", "weizhi", "dqwz", "path", "curpos", "current", "place",
                "dangqian")
_CRUMB_SPLIT = re.compile(r"\s*(?:>|»|›|＞|→|/|\\|>>)\s*")


def url_key(url: str) -> str:
    """The identity of a column URL: host lower-cased, index file and trailing slash folded."""
    parts = urlsplit(url)
    host = parts.netloc.lower()
    if host.endswith(":80") and parts.scheme == "http":
        host = host[:-3]
    if host.endswith(":443") and parts.scheme == "https":
        host = host[:-4]
    path = _INDEX_RE.sub("/", parts.path or "/")
    path = path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, ""))


def site_base(host: str) -> str:
    host = host.lower().split(":")[0]
    return host[4:] if host.startswith("www.") else host


def same_site(url: str, homepage: str) -> bool:
    """Whether ``url`` is on the site itself (its host or a sub-domain channel of it)."""
    host = site_base(urlsplit(url).netloc)
    base = site_base(urlsplit(homepage).netloc)
    return bool(base) and (host == base or host.endswith("." + base))


class PageIndex:
    """Fetched pages by URL identity (requested and final URL)."""

    def __init__(self, pages: list[PageView]) -> None:
        self._by_key: dict[str, PageView] = {}
        for page in pages:
            for url in (page.url, page.final_url):
                self._by_key.setdefault(url_key(url), page)

    def get(self, url: str | None) -> PageView | None:
        return self._by_key.get(url_key(url)) if url else None


def _classes(node: LexborNode) -> str:
    attrs = node.attributes or {}
    return f"{attrs.get('id') or ''} {attrs.get('class') or ''}".lower()


def _contains(ancestor: LexborNode, node: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id == ancestor.mem_id:
            return True
        current = current.parent
    return False


def _short_name(text: str) -> str:
    name = clean_text(text)
    name = re.sub(r"^[\s>»›·•|\-]+|[\s>»›·•|\-+]+$", "", name)
    name = re.sub(r"(更多|more|MORE|More)$", "", name).strip()
    return name


@dataclass
class _Candidate:
    name: str
    url: str
    level: int
    parent: str | None
    source: ColumnSource
    aliases: list[str] = field(default_factory=list)
    crumb: bool = False


def nav_roots(page: PageView) -> list[LexborNode]:
    """Outermost navigation containers outside the footer (nav/menu/daohang, the header)."""
    footers = [n for sel in PageView.FOOTER_SELECTORS for n in page.tree.css(sel)]  # marked footers only
    roots: list[LexborNode] = []
    for node in page.tree.css("nav, header, [class], [id]"):
        if node.tag in ("body", "html", "a"):
            continue
        names = _classes(node)
        is_nav = node.tag in ("nav", "header") or any(w in names for w in _NAV_WORDS) or re.search(
            r"(^|[\s_-])(top|head|header)([\s_-]|$)", names)
        if not is_nav or any(w in names for w in _CRUMB_WORDS) or "foot" in names:
            continue
        if any(_contains(root, node) for root in roots):
            continue
        if any(_contains(f_node, node) for f_node in footers):
            continue
        roots = [r for r in roots if not _contains(node, r)]
        roots.append(node)
    if roots:
        return roots
    # no marked menu: the first block near the top with several short links
    for node in page.tree.css("ul, div, table"):
        anchors = node.css("a")
        short = [a for a in anchors if NAME_MIN <= len(clean_text(a.text())) <= 8]
        if len(short) >= 4 and len(short) >= 0.8 * len(anchors) and not in_chrome(node):
            return [node]
    return []


def _nav_parent(anchor: LexborNode, root: LexborNode) -> str | None:
    """The first-level entry a nested menu link sits under (li > ul > li, dl dt/dd, sub-menu divs)."""
    node = anchor.parent
    own_li_seen = False
    while node is not None and node.mem_id != root.mem_id:
        if node.tag == "li":
            if own_li_seen:
                first = node.css_first("a")
                if first is not None and first.mem_id != anchor.mem_id and not _contains(first, anchor):
                    return _short_name(first.text()) or None
            own_li_seen = True
        elif node.tag == "dl":
            head = node.css_first("dt")
            if head is not None and not _contains(head, anchor):
                return _short_name(head.text()) or None
        elif any(w in _classes(node) for w in _SUBMENU_WORDS) and node.parent is not None:
            for first in node.parent.css("a"):
                if not _contains(node, first):
                    return _short_name(first.text()) or None
                break
        node = node.parent
    return None


_OWNER_ATTRS = ("rel", "data-menu", "data-target", "data-dropdown", "aria-controls", "data-for", "data-sub")


def _dropdown_owners(roots: list[LexborNode]) -> dict[str, str]:
    """Menu entries that open a dropdown held elsewhere by id (DedeCMS ``<a rel="dropmenu1">`` →
    ``<ul id="dropmenu1">``): dropdown id → the entry's name."""
    owners: dict[str, str] = {}
    for root in roots:
        for anchor in root.css("a[href]"):
            attrs = anchor.attributes or {}
            for key in _OWNER_ATTRS:
                value = (attrs.get(key) or "").strip().lstrip("#")
                name = _short_name(anchor.text())
                if value and name and re.fullmatch(r"[\w-]{1,40}", value):
                    owners.setdefault(value, name)
    return owners


def _owner_of(anchor: LexborNode, owners: dict[str, str]) -> str | None:
    if not owners:
        return None
    node = anchor.parent
    for _ in range(6):
        if node is None or node.tag in ("body", "html"):
            return None
        ident = (node.attributes or {}).get("id")
        if ident and ident in owners:
            return owners[ident]
        node = node.parent
    return None


def _is_heading_like(node: LexborNode) -> bool:
    if node.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "dt", "th", "caption", "legend"):
        return True
    names = _classes(node)
    return any(re.search(rf"(^|[\s_-]){w}", names) for w in _HEAD_WORDS)


def _shape(node: LexborNode) -> str:
    return f"{node.tag}.{((node.attributes or {}).get('class') or '').strip()}"


def _tab_strip(container: LexborNode, count: int) -> list[str] | None:
    """The ``count`` entry names of the tab strip heading a group of tab panels, if there is one."""
    candidates: list[LexborNode] = []
    previous = container.prev
    while previous is not None and len(candidates) < 2:
        if previous.tag not in ("-text", "_text", "-comment", "_comment"):
            candidates.append(previous)
        previous = previous.prev
    candidates.extend(c for c in container.iter() if c.tag not in ("script", "style"))
    for strip in candidates:
        entries = strip.css("li") or [c for c in strip.iter()
                                       if c.tag in ("a", "span", "h2", "h3", "h4", "div", "em")]
        names = [_short_name(e.text(separator=" ")) for e in entries]
        if len(set(names)) == len(names) == count and all(NAME_MIN <= len(n) <= NAME_MAX for n in names):
            return names
    return None


def _tab_name(anchor: LexborNode) -> str | None:
    """The tab a 更多 link belongs to: the i-th of several alike panels without their own heading is headed
    by the i-th entry of the tab strip (通知公告 | 政策文件 tabs, one 更多 per panel)."""
    panel = anchor.parent
    for _ in range(4):
        if panel is None or panel.parent is None or panel.tag in ("body", "html"):
            return None
        container = panel.parent
        shape = _shape(panel)
        siblings = [c for c in container.iter() if _shape(c) == shape]
        if len(siblings) >= 2:
            if any(_is_heading_like(n) for n in panel.css("*")):
                return None  # alike section blocks, each with its own title: not tabs
            index = next(i for i, c in enumerate(siblings) if c.mem_id == panel.mem_id)
            names = _tab_strip(container, len(siblings))
            return names[index] if names else None
        panel = container
    return None


def _block_heading(anchor: LexborNode) -> str | None:
    """The title of the section block a 更多 link closes (``<h3>通知公告</h3> … <a>更多</a>``), or of the
    tab its panel belongs to."""
    tab = _tab_name(anchor)
    if tab:
        return tab
    node = anchor.parent
    for _ in range(5):
        if node is None or node.tag in ("body", "html"):
            return None
        heads = [n for n in node.css("*") if _is_heading_like(n) and not _contains(n, anchor)
                 and not _is_column_header(n)]
        # leaves: elements without child elements (``css_first("*")`` would match the node itself)
        leaves = [n for n in node.css("span, b, strong, em, a, p, div, td, font, i")
                  if not _contains(n, anchor) and _first_child_element(n) is None and n.parent is not None
                  and not _in_row(n, node)]
        for candidate in heads + leaves:
            name = _short_name(candidate.text(separator=" "))
            if NAME_MIN <= len(name) <= NAME_MAX and not is_more_text(name) and not find_dates(name, date(2100, 1, 1))[0]:
                return name
        node = node.parent
    return None


def _is_column_header(node: LexborNode) -> bool:
    """A header cell of a data table (``<tr><th>日期</th><th>标题</th><th>来源</th></tr>``): it labels a table
    column, it does not title a section block."""
    if node.tag != "th" or node.parent is None:
        return False
    return sum(1 for c in node.parent.iter() if c.tag in ("th", "td")) >= 2


def _first_child_element(node: LexborNode) -> LexborNode | None:
    return next(iter(node.iter()), None)


def _in_row(node: LexborNode, stop: LexborNode) -> bool:
    current = node.parent
    while current is not None and current.mem_id != stop.mem_id:
        if current.tag in ("li", "tr"):
            return True
        current = current.parent
    return False


def more_links(page: PageView, skip_chrome: bool = True) -> list[tuple[str, str]]:
    """(name, url) of section blocks with a 更多/more/>> link (text, image alt or class)."""
    out: list[tuple[str, str]] = []
    cache: dict[int, bool] = {}
    for anchor in page.tree.css("a[href]"):
        attrs = anchor.attributes or {}
        text = clean_text(anchor.text())
        image = anchor.css_first("img")
        alt = clean_text((image.attributes or {}).get("alt") or "") if image is not None else ""
        marked = "more" in (attrs.get("class") or "").lower().split() or "more" in (attrs.get("class") or "").lower()
        if not (is_more_text(text) or (not text and (is_more_text(alt) or marked)) or (marked and len(text) <= 6)):
            continue
        if skip_chrome and in_chrome(anchor, cache):
            continue
        url = resolve_href(page.base_url, attrs.get("href") or "")
        if url is None or page_number(url, page.final_url) is not None:
            continue  # 加载更多 / next page of this very list
        name = clean_text(attrs.get("title") or "")
        if not name or is_more_text(name):
            name = _block_heading(anchor) or ""
        if name:
            out.append((name, url))
    return out


def _is_item_link(anchor: LexborNode, url: str, as_of: date) -> bool:
    """A link to an article (dated row, article-like address), as in a side box's 热点排行, not a column."""
    if _ARTICLE_URL.search(urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")):
        return True
    row = anchor.parent
    for _ in range(2):
        if row is None or row.tag in ("body", "html"):
            return False
        if row.tag in ("li", "tr", "dd", "p"):
            return bool(find_dates(clean_text(row.text(separator=" ")), as_of)[0])
        row = row.parent
    return False


def breadcrumb(page: PageView) -> list[str]:
    """Column names of the page's breadcrumb after 首页 (``首页 > 新闻中心 > 工作动态`` → two names)."""
    for node in page.tree.css("[class], [id]"):
        names = _classes(node)
        if not any(w in names for w in _CRUMB_WORDS):
            continue
        text = clean_text(node.text(separator=" > "))
        text = re.sub(r"^.*?(?:当前的?位置|您的位置|现在的?位置|所在位置|当前所在)\s*[:：]?\s*(?:>\s*)?", "", text)
        parts = [p.strip() for p in _CRUMB_SPLIT.split(text) if p.strip()]
        parts = [p for p in parts if not is_not_column(p) and p not in ("正文", "详情", "内容", "列表")]
        if parts and all(len(p) <= NAME_MAX for p in parts):
            return parts[:6]
    return []


def in_side_menu(anchor: LexborNode) -> bool:
    """Whether a link sits in a side menu / sub-navigation (not the header, footer or breadcrumb)."""
    node = anchor.parent
    while node is not None and node.tag not in ("body", "html"):
        names = _classes(node)
        if node.tag in ("footer", "header") or "foot" in names or any(w in names for w in _CRUMB_WORDS):
            return False
        if any(re.search(rf"(^|[\s_-]){w}", names) for w in _SIDE_WORDS) or node.tag == "aside":
            return True
        node = node.parent
    return False


def _side_parent(anchor: LexborNode, fallback: str | None) -> str | None:
    """The heading of the side menu a link sits in (``<div class="side"><h2>新闻中心</h2>…``)."""
    node = anchor.parent
    for _ in range(5):
        if node is None or node.tag in ("body", "html"):
            break
        if any(w in _classes(node) for w in _SIDE_WORDS + _NAV_WORDS):
            head = next((n for n in node.css("h1, h2, h3, h4, dt, [class*=tit], [class*=hd]")
                         if not _contains(n, anchor) and not n.css_first("a")), None)
            if head is not None:
                name = _short_name(head.text())
                if NAME_MIN <= len(name) <= NAME_MAX:
                    return name
        node = node.parent
    return fallback


RENDERED_NOTE = "列表经浏览器渲染后读取"


class _Discovery:
    def __init__(self, view: SiteView, as_of: date, data: CategoryData,
                 rendered: dict[str, PageView] | None = None) -> None:
        self.view = view
        # column URL identity → the column page as a browser rendered it (its list filled by script)
        self.rendered = {url_key(url): page for url, page in (rendered or {}).items()}
        self.as_of = as_of
        self.data = data
        self.index = PageIndex(view.pages)
        home = view.homepage
        self.homepage_url = home.final_url if home is not None else view.site.homepage
        self.home_key = url_key(self.homepage_url)
        self.candidates: dict[str, _Candidate] = {}
        self.queue: deque[str] = deque()
        self.template_lines: set[str] = set()
        self.lookups = 0
        self.rows: dict[int, PageRows] = {}
        self.repeated: frozenset[tuple[str, ...]] = frozenset()
        if home is not None:
            self.template_lines = {line.strip() for line in home.text.splitlines() if line.strip()}

    def rows_of(self, page: PageView) -> PageRows:
        """The page's item rows, read once per discovery."""
        key = id(page)
        if key not in self.rows:
            self.rows[key] = read_rows(page.tree, page.base_url, self.as_of)
        return self.rows[key]

    def find_repeated(self) -> None:
        """Lists the template repeats on the list pages of several columns (热点排行 side boxes)."""
        seen_pages: set[int] = set()
        pages_of: dict[tuple[str, ...], set[int]] = {}
        for cand in self.candidates.values():
            page = self.index.get(cand.url)
            if (page is None or id(page) in seen_pages or page is self.view.homepage
                    or (page.status or 200) >= 400):
                continue
            seen_pages.add(id(page))
            for print_ in group_prints(self.rows_of(page).rows).values():
                pages_of.setdefault(print_, set()).add(id(page))
        self.repeated = frozenset(p for p, pages in pages_of.items() if len(pages) >= REPEAT_PAGES)

    def add(self, name: str, url: str | None, level: int, parent: str | None, source: ColumnSource) -> None:
        if url is None or len(self.candidates) >= MAX_COLUMNS:
            return
        name = _short_name(name)
        if not (NAME_MIN <= len(name) <= NAME_MAX) or is_not_column(name, self.data) or is_more_text(name):
            return
        key = url_key(url)
        if key == self.home_key:
            return
        target = self.index.get(url)
        if target is not None:  # a redirect lands on a known column: same column
            key = url_key(target.final_url) if url_key(target.final_url) in self.candidates else key
        known = self.candidates.get(key)
        if known is not None:
            if name != known.name and name not in known.aliases:
                known.aliases.append(name)
            return
        if parent == name:
            parent = None
        self.candidates[key] = _Candidate(name, url, level, parent, source)
        self.queue.append(key)

    def from_homepage(self) -> None:
        home = self.view.homepage
        if home is None:
            return
        roots = nav_roots(home)
        owners = _dropdown_owners(roots)
        for root in roots:
            for anchor in root.css("a[href]"):
                url = resolve_href(home.base_url, (anchor.attributes or {}).get("href") or "")
                text = clean_text((anchor.attributes or {}).get("title") or "") or clean_text(anchor.text())
                parent = _nav_parent(anchor, root) or _owner_of(anchor, owners)
                self.add(text, url, 2 if parent else 1, parent, ColumnSource.NAV)
        for name, url in more_links(home):
            self.add(name, url, 1, None, ColumnSource.MORE_LINK)

    def walk(self) -> None:
        seen: set[str] = set()
        while self.queue:
            key = self.queue.popleft()
            if key in seen:
                continue
            seen.add(key)
            cand = self.candidates[key]
            page = self.index.get(cand.url)
            if page is None or (page.status or 200) >= 400:
                continue
            crumbs = breadcrumb(page)
            if len(crumbs) >= 2 or (crumbs and cand.parent is None):
                # a one-step trail (首页 > 政策解读) is often flat even under a menu parent: it only confirms
                # a first-level column; deeper trails decide level and parent
                cand.crumb = True
                cand.level = len(crumbs)
                cand.parent = crumbs[-2] if len(crumbs) >= 2 else None
            if crumbs and crumbs[-1] != cand.name and crumbs[-1] not in cand.aliases:
                cand.aliases.append(crumbs[-1])
            meta_name = clean_text(page.meta.get("columnname", ""))
            if meta_name and meta_name != cand.name and meta_name not in cand.aliases:
                cand.aliases.append(meta_name)
            child_parent = cand.name if cand.level <= 1 else cand.parent
            child_level = 2 if cand.level <= 1 else cand.level
            cache: dict[int, bool] = {}
            for anchor in page.tree.css("a[href]"):
                if not in_chrome(anchor, cache):
                    continue
                if not self._in_side(anchor):
                    continue
                url = resolve_href(page.base_url, (anchor.attributes or {}).get("href") or "")
                if url is None or not same_site(url, self.homepage_url):
                    continue
                text = clean_text(anchor.text())
                if _is_item_link(anchor, url, self.as_of):
                    continue
                parent = _side_parent(anchor, child_parent)
                if parent == text:
                    parent = child_parent
                self.add(text, url, child_level, parent, ColumnSource.SUBNAV)
            for name, url in more_links(page):
                if same_site(url, self.homepage_url):
                    self.add(name, url, child_level, child_parent, ColumnSource.SUBNAV)

    @staticmethod
    def _in_side(anchor: LexborNode) -> bool:
        return in_side_menu(anchor)

    def infer_levels(self) -> None:
        """Columns without a breadcrumb that sit under a first-level column's path are its children."""
        firsts = [(urlsplit(c.url).path.rstrip("/") + "/", c) for c in self.candidates.values()
                  if c.level == 1 and same_site(c.url, self.homepage_url)]
        for cand in self.candidates.values():
            if cand.crumb or cand.source == ColumnSource.NAV or cand.level != 1:
                continue
            path = urlsplit(cand.url).path
            owners = [(len(p), c) for p, c in firsts
                      if c is not cand and len(p) > 1 and path.startswith(p) and path.rstrip("/") + "/" != p
                      and site_base(urlsplit(c.url).netloc) == site_base(urlsplit(cand.url).netloc)]
            if owners:
                cand.level, cand.parent = 2, max(owners, key=lambda o: o[0])[1].name

    def from_meta(self, built: list[Column]) -> None:
        """List pages that name their column only in CMS meta (ColumnName) and were not linked as one."""
        used = {url_key(u) for col in built for u in col.list_pages} | set(self.candidates)
        item_urls = {url_key(i.url) for col in built for i in col.items if i.url}
        names = {col.name for col in built} | {a for col in built for a in col.aliases}
        for page in self.view.pages:
            name = clean_text(page.meta.get("columnname", ""))
            key = url_key(page.final_url)
            if (not name or key in used or key in item_urls or key == self.home_key or name in names
                    or page.meta.get("pubdate") or page.meta.get("articletitle")):
                continue
            items = extract_items(page, self.as_of).items
            if len(items) < 2:
                continue
            crumbs = breadcrumb(page)
            level = len(crumbs) if crumbs else 1
            parent = crumbs[-2] if len(crumbs) >= 2 else None
            cand = _Candidate(name, page.final_url, level, parent, ColumnSource.META, crumb=bool(crumbs))
            self.candidates[key] = cand
            built.append(self.build(cand))
            names.add(name)
            used.add(key)

    def build(self, cand: _Candidate, children: int = 0) -> Column:
        """The column record: fetched state, items, newest item, emptiness and category.

        ``children`` is the number of sub-columns found under it: a column that gathers sub-columns
        (栏目汇聚页) has them as its content and, unnamed, is judged through them.
        """
        col = Column(name=cand.name, url=cand.url, level=cand.level, parent=cand.parent, source=cand.source,
                     aliases=list(cand.aliases))
        page = self.index.get(cand.url)
        link = self.view.links.get(cand.url)
        if page is not None:
            col.warc_record_id = page.warc_record_id
            if (page.status or 200) >= 400:
                col.failure = f"HTTP {page.status}"
            else:
                col.fetched = True
        elif link is not None and link.state == LinkState.DEAD:
            col.failure = f"HTTP {link.status}" if link.status else str(link.failure or "dead")
            col.warc_record_id = link.warc_record_id
        why_external = "" if same_site(cand.url, self.homepage_url) else "链接到本站以外的系统或网站"
        why_external = why_external or is_external_name(cand.name, cand.url, self.data)
        content_chars = 0
        has_content = False
        column_type = ""
        shown = self._rendered_page(cand.url, page) if col.fetched and page is not None else None
        if shown is not None:
            page = shown
        if col.fetched and page is not None and not why_external:
            found = self._read_lists(col, page)
            content_chars = self._content_chars(found, col)
            has_content = (content_chars >= MIN_CONTENT_CHARS or children > 0 or self._has_entries(found, col)
                           or self._article_chars(page, col) >= MIN_ARTICLE_CHARS)
            column_type = clean_text(page.meta.get("columntype", ""))
            if not col.items:
                when, source, raw = page_date(page, self.as_of)
                if when is not None and content_chars >= MIN_CONTENT_CHARS:
                    col.newest = ListItem(page.title or col.name, page.final_url, when, source, "page", raw,
                                          page.final_url)
            if not col.items and (found.placeholder or found.empty_data):
                has_content = False  # 正在建设中 / 暂无信息 is the page's whole message, not its content
            if not col.items and not col.newest:
                if found.placeholder:
                    col.empty, col.empty_reason = True, f"页面显示‘{found.placeholder}’"
                    col.excerpt, col.locator = page.excerpt(found.placeholder) or found.placeholder, \
                        found.placeholder_locator
                elif found.empty_data:
                    col.empty, col.empty_reason = True, found.empty_data
                    col.excerpt = found.empty_data
                elif found.needs_render and shown is None:
                    col.needs_render = True
                elif not has_content:
                    col.empty, col.empty_reason = True, "页面只有网站模板, 无栏目内容"
                    col.excerpt = clean_text(found.content_text)[:200]
        category, reason = classify(col.name, col.items, has_text=has_content, column_type=column_type,
                                    aliases=col.aliases, children=children, data=self.data)
        col.category, col.category_reason = category, reason
        if why_external:
            col.external = True
            col.category_reason = f"{reason}; {why_external}, 不评判"
        elif col.failure:
            col.empty, col.empty_reason = True, f"栏目链接无法访问 ({col.failure})"
        if shown is not None:
            col.category_reason = f"{col.category_reason}; {RENDERED_NOTE}"
            if col.empty:
                col.empty_reason = f"{col.empty_reason} ({RENDERED_NOTE})"
        dated = [(i.date, -n, i) for n, i in enumerate(col.items) if i.date is not None]
        if dated:
            col.newest = max(dated, key=lambda t: (t[0], t[1]))[2]  # the max date; the earlier row on ties
        return col

    def _rendered_page(self, url: str, page: PageView) -> PageView | None:
        """The rendered column page standing in for its static page, if the pipeline rendered one."""
        if not self.rendered:
            return None
        return self.rendered.get(url_key(url)) or self.rendered.get(url_key(page.final_url))

    def _read_lists(self, col: Column, page: PageView) -> PageItems:
        names = (col.name, *col.aliases)
        first = extract_items(page, self.as_of, names=names, repeated=self.repeated, rows=self.rows_of(page))
        col.list_pages.append(page.final_url)
        items = list(first.items)
        seen = {(i.url, i.title) for i in items}
        for _, url in first.pagination[:MAX_LIST_PAGES]:
            more = self.index.get(url)
            if more is None or (more.status or 200) >= 400:
                continue
            col.list_pages.append(more.final_url)
            for item in extract_items(more, self.as_of, names=names, repeated=self.repeated,
                                      rows=self.rows_of(more)).items:
                if (item.url, item.title) not in seen:
                    seen.add((item.url, item.title))
                    items.append(item)
        col.ignored_dates = [f"{r.raw}: {r.reason}" for r in first.rejected][:20]
        self._article_dates(items)
        col.items = items
        return first

    def _article_dates(self, items: list[ListItem]) -> None:
        """An item the list shows without a date takes its own page's date (meta PubDate, 发布时间)."""
        for item in items:
            if item.date is not None or not item.url or self.lookups >= MAX_ARTICLE_LOOKUPS:
                continue
            article = self.index.get(item.url)
            if article is None or (article.status or 200) >= 400:
                continue
            self.lookups += 1
            when, source, raw = page_date(article, self.as_of)
            if when is not None:
                item.date, item.date_source, item.raw_date = when, source, raw

    def _has_entries(self, found: PageItems, col: Column) -> bool:
        """Several entry links of its own beyond the template (a 办事 icon grid, a list of sub-pages)."""
        names = {col.name, *col.aliases}
        own = {t for t in found.content_links if t not in self.template_lines and t not in names}
        return len(own) >= MIN_CONTENT_LINKS

    def _article_chars(self, page: PageView, col: Column) -> int:
        """Characters of the page's article body (正文) that are not template lines or the column's name."""
        names = {col.name, *col.aliases}
        total = 0
        for line in article_text(page).splitlines():
            line = line.strip()
            if line and line not in self.template_lines and line not in names:
                total += len(re.sub(r"\s+", "", line))
        return total

    def _content_chars(self, found: PageItems, col: Column) -> int:
        names = {col.name, *col.aliases}
        total = 0
        for line in found.content_text.splitlines():
            line = line.strip()
            if (not line or line in self.template_lines or line in names
                    or re.search(r"当前的?位置|您的位置|现在的?位置|所在位置", line)):
                continue
            total += len(re.sub(r"\s+", "", line))
        return total


def discover_columns(view: SiteView, as_of: datetime | date, *, data: CategoryData | None = None,
                     rendered: dict[str, PageView] | None = None) -> list[Column]:
    """Every column of the site found in ``view.pages``, classified, with items, newest item and emptiness.

    Pure: reads only the fetched pages and link results. Order: homepage navigation first, then as found.
    ``rendered`` maps column URLs to their pages as a browser rendered them (for lists filled by script,
    which the static page shows as ``needs_render``): such a column's list, content and emptiness are read
    from the rendered page, so it is judged, and its reasons say so. A rendered list that stays empty is
    an empty column, not one still waiting for a render. Which columns exist is still decided by the
    static pages alone.
    """
    discovery = _Discovery(view, as_of_date(as_of), data or default_categories(), rendered)
    discovery.from_homepage()
    discovery.walk()
    discovery.infer_levels()
    discovery.find_repeated()
    children: dict[str, int] = {}
    for cand in discovery.candidates.values():
        if cand.parent:
            children[cand.parent] = children.get(cand.parent, 0) + 1
    built = [discovery.build(cand, children.get(cand.name, 0) + sum(children.get(a, 0) for a in cand.aliases))
             for cand in discovery.candidates.values()]
    discovery.from_meta(built)
    _borrowed_lists(built)
    return built


BORROWED_SHARE = 0.8  # share of a list's items that are another column's for it to be an aggregation


def _borrowed_lists(columns: list[Column]) -> None:
    """A column classified by its content whose items are other columns' items (a 专题 page re-linking
    news, a 汇聚 page) is not a news list of its own: its category becomes ``other``."""
    by_url: dict[str, set[str]] = {}
    for col in columns:
        for item in col.items:
            if item.url:
                by_url.setdefault(url_key(item.url), set()).add(col.name)
    for col in columns:
        if not col.category_reason.startswith("内容") or col.category == Category.STATIC:
            continue
        urls = [url_key(i.url) for i in col.items if i.url]
        if not urls:
            continue
        others = [sorted(by_url.get(u, set()) - {col.name}) for u in urls]
        borrowed = [o[0] for o in others if o]
        if len(borrowed) >= BORROWED_SHARE * len(urls):
            source = max(set(borrowed), key=borrowed.count)
            col.category = Category.OTHER
            col.category_reason = f"内容: 列表项为其他栏目(如‘{source}’)的信息, 属汇聚或专题页, 不按更新频率归类"


def as_of_date(as_of: datetime | date) -> date:
    return as_date(as_of)


@dataclass(slots=True)
class HomepageFacts:
    """The dated items of a homepage and whether it is only a navigation page (导航页)."""

    items: list[ListItem]
    newest: ListItem | None
    navigation_only: bool
    reason: str


def homepage_facts(view: SiteView, as_of: datetime | date, *, min_dated_items: int = 3,
                   min_titles: int = 5) -> HomepageFacts:
    """Dated items on the homepage (the list's date, else the item page's own date) and its mode.

    A homepage with fewer than ``min_dated_items`` dated items and fewer than ``min_titles`` item-like
    titles is a navigation homepage: the rule then looks at second-level pages instead.
    """
    home = view.homepage
    if home is None:
        return HomepageFacts([], None, False, "首页未获取")
    limit = as_of_date(as_of)
    found = extract_items(home, limit, whole_page=True)
    index = PageIndex(view.pages)
    for item in found.items[:MAX_ARTICLE_LOOKUPS]:
        if item.date is None and item.url:
            article = index.get(item.url)
            if article is not None and (article.status or 200) < 400 and url_key(article.final_url) != url_key(
                    home.final_url):
                when, source, raw = page_date(article, limit)
                if when is not None:
                    item.date, item.date_source, item.raw_date = when, source, raw
    dated = [i for i in found.items if i.date is not None]
    newest = max(dated, key=lambda i: i.date) if dated else None  # type: ignore[arg-type, return-value]
    titles = [i for i in found.items if len(i.title) >= 8]
    nav_only = len(dated) < min_dated_items and len(titles) < min_titles
    reason = (f"首页仅 {len(dated)} 条带日期信息、{len(titles)} 条信息标题, 按导航页处理" if nav_only
              else f"首页有 {len(dated)} 条带日期信息")
    return HomepageFacts(dated, newest, nav_only, reason)


__all__ = ["HomepageFacts", "PageIndex", "breadcrumb", "discover_columns", "homepage_facts", "same_site",
           "url_key"]
