"""List items (信息条目) of a column page or a homepage, across the layouts government CMSs produce.

Handled: ``ul/li`` rows with a date ``span`` (TRS), table rows with ``[06-29]`` (Hanweb), disclosure
catalogues with 索引号/发布日期/成文日期 header cells (gkmlpt), card grids (``div``), ``dl/dt/dd``, lists written by
``document.write`` or held as JSON in a ``<script>``, and pagination (``index_1.html``, ``?page=2``,
下一页, TRS ``createPageHTML``). Page chrome (navigation, header, footer, side menus, breadcrumbs) is never
read as items. A page whose list is filled by script and has no static items is marked ``needs_render``:
nothing is invented for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from govinspect.archive.pageview import SKIP_SCHEMES, PageView, node_locator
from govinspect.columns.dates import FoundDate, RejectedDate, as_date, find_dates, labelled_date, normalize
from govinspect.columns.dates import parse_date, pick_publish
from govinspect.columns.model import DateSource, ListItem

MAX_ANCHORS = 3000  # anchors examined per page
MAX_SCRIPT_CHARS = 400_000  # script text examined per page
MAX_JSON_ATTEMPTS = 200
MIN_TITLE = 4  # shorter link texts are menus, not items

PLACEHOLDERS = ("暂无信息", "暂无内容", "暂无数据", "暂无记录", "暂无相关信息", "暂无文章", "正在建设中", "建设中",
                "信息整理中", "栏目建设中", "无相关信息", "没有找到", "没有相关", "正在更新中", "内容更新中", "敬请期待",
                "该栏目暂无", "数据加载中", "no data", "under construction", "coming soon")
MORE_WORDS = ("更多", "more", "更多>>", "查看更多", "更多信息", ">>", "»", "more>>", "更多+")
PAGER_WORDS = ("下一页", "下页", "上一页", "上页", "尾页", "末页", "首页", "next", "prev", "last", "first")
RENDER_MARKERS = ("$.ajax", "$.get(", "$.post(", "$.getjson", "fetch(", "xmlhttprequest", "axios", ".load(",
                  "jsonp", "v-for", "template(", "laypage", "layui.use", "new vue", "angular")

_CHROME_SUBSTR = ("nav", "menu", "daohang", "crumb", "footer", "side", "subnav", "sub_nav", "lmdh",
                  "weizhi", "dqwz", "copyright", "yqlj", "friendlink", "header", "topbar", "banner", "location",
                  "position", "pager", "page-nav", "pagination", "fenye")
_CHROME_TOKENS = frozenset({"top", "head", "foot", "bottom", "side", "left-nav", "lm", "bread", "pages", "page",
                            "dibu", "db", "ft", "hd", "links", "tab-nav"})


def is_chrome_node(node: LexborNode) -> bool:
    """Navigation, header, footer, side menu, breadcrumb or pager container (not content)."""
    if node.tag in ("nav", "header", "footer", "aside"):
        return True
    attrs = node.attributes or {}
    names = [(attrs.get("id") or "").lower()] + (attrs.get("class") or "").lower().split()
    for name in names:
        if not name:
            continue
        if name in _CHROME_TOKENS or any(s in name for s in _CHROME_SUBSTR):
            return True
    return False


def in_chrome(node: LexborNode, cache: dict[int, bool] | None = None) -> bool:
    """Whether any ancestor (or the node) is page chrome; cached by node id for one page."""
    path: list[int] = []
    current: LexborNode | None = node
    result = False
    while current is not None and current.tag not in ("body", "html"):
        key = current.mem_id
        if cache is not None and key in cache:
            result = cache[key]
            break
        path.append(key)
        if is_chrome_node(current):
            result = True
            break
        current = current.parent
    if cache is not None:
        for key in path:
            cache[key] = result
    return result


def resolve(base: str, href: str) -> str | None:
    """An absolute http(s) URL without fragment, or None for script/mail/anchor links."""
    href = (href or "").strip()
    if not href or href.lower().startswith(SKIP_SCHEMES):
        return None
    url, _ = urldefrag(urljoin(base, href))
    return url if url.startswith(("http://", "https://")) else None


def clean_text(text: str) -> str:
    return re.sub(r"\s+", " ", normalize(text or "")).strip()


def is_more_text(text: str) -> bool:
    """更多 / more / >> links (section heads point at their column with them)."""
    stripped = normalize(text).strip().lower()
    if not stripped:
        return False
    compact = re.sub(r"[\s\[\]【】()（）+>»›》<«‹《.…·]", "", stripped)
    return compact in ("", "更多", "more", "查看更多", "更多信息", "更多内容", "更多>", "查看全部")


@dataclass(slots=True)
class PageItems:
    """What a list page (or homepage) holds."""

    items: list[ListItem] = field(default_factory=list)
    pagination: list[tuple[int, str]] = field(default_factory=list)  # (page number, url), page 2 first
    needs_render: bool = False
    placeholder: str = ""  # the placeholder text shown (暂无信息 …) when there are no items
    placeholder_locator: str = ""
    content_text: str = ""  # visible text outside page chrome and scripts
    rejected: list[RejectedDate] = field(default_factory=list)
    script_items: bool = False  # items were read from script data


@dataclass(slots=True)
class _Row:
    node: LexborNode
    group: int  # mem_id of the row's container
    signature: str  # tag.class of the container (split lists of one column share it)
    title: str
    url: str | None
    date: FoundDate | None
    locator: str


def _signature(node: LexborNode | None) -> str:
    if node is None:
        return ""
    attrs = node.attributes or {}
    return f"{node.tag}.{(attrs.get('class') or '').strip()}"


def _row_of(anchor: LexborNode) -> LexborNode:
    """The row element that holds one item: li/tr/dl, else the repeated block (card) around the link."""
    current = anchor.parent
    hops = 0
    while current is not None and current.tag not in ("body", "html") and hops < 6:
        if current.tag in ("li", "tr"):
            return current
        if current.tag in ("dt", "dd"):
            parent = current.parent
            if parent is not None and parent.tag == "dl" and len([c for c in parent.iter()]) <= 4:
                return parent
            return current
        current = current.parent
        hops += 1
    # card grids: climb while the block's siblings repeat its tag and class
    current = anchor.parent
    best = anchor.parent if anchor.parent is not None and anchor.parent.tag not in ("body", "html") else anchor
    hops = 0
    while current is not None and current.parent is not None and current.tag not in ("body", "html") and hops < 4:
        siblings = [c for c in current.parent.iter() if c.tag == current.tag]
        if len(siblings) >= 2 and all(_signature(s) == _signature(current) for s in siblings):
            return current
        current = current.parent
        hops += 1
    # a single card: the nearest block that shows a date and holds no other item link
    current = anchor.parent
    hops = 0
    own = (anchor.attributes or {}).get("href")
    while current is not None and current.tag not in ("body", "html") and hops < 4:
        hrefs = {(a.attributes or {}).get("href") for a in current.css("a")
                 if len(clean_text(a.text())) >= MIN_TITLE}
        if hrefs - {own}:
            break
        if find_dates(clean_text(current.text(separator=" ")), date(2100, 1, 1))[0]:
            return current
        current = current.parent
        hops += 1
    return best


def _table_labels(row: LexborNode) -> list[str]:
    """Header texts of the table a row belongs to (th cells, or the first row)."""
    table = row.parent
    while table is not None and table.tag != "table":
        table = table.parent
    if table is None:
        return []
    head = table.css_first("thead tr") or table.css_first("tr")
    if head is None or head.mem_id == row.mem_id:
        return []
    cells = [c for c in head.iter() if c.tag in ("th", "td")]
    return [clean_text(c.text()) for c in cells]


def _row_date(row: LexborNode, title: str, as_of: date, rejected: list[RejectedDate]) -> FoundDate | None:
    """The publish date of one row: labelled cells first, then dates outside the title, nearest the title."""
    if row.tag == "tr":
        labels = _table_labels(row)
        cells = [c for c in row.iter() if c.tag in ("td", "th")]
        best: FoundDate | None = None
        plain: list[tuple[int, FoundDate]] = []
        title_cell = next((i for i, c in enumerate(cells) if title and title in clean_text(c.text())), None)
        for i, cell in enumerate(cells):
            text = clean_text(cell.text())
            if not text or (title and title in text and len(text) <= len(title) + 4):
                continue
            label = labels[i] if i < len(labels) else ""
            found, rej = find_dates(text, as_of)
            rejected.extend(rej)
            chosen = pick_publish(found)
            if chosen is None:
                continue
            if any(word in label for word in ("成文", "有效", "截止", "实施", "施行", "失效", "废止")):
                continue
            if any(word in label for word in ("发布", "公开", "发文", "更新")):
                if best is None:
                    best = chosen
                continue
            plain.append((i, chosen))
        if best is not None:
            return best
        if plain:
            if title_cell is None:
                return plain[0][1]
            return min(plain, key=lambda p: (abs(p[0] - title_cell), p[0]))[1]
        return None
    text = clean_text(row.text(separator=" "))
    title_at = text.find(title) if title else -1
    if title_at >= 0:
        masked = text[:title_at] + " " * len(title) + text[title_at + len(title):]
    else:
        masked = text
    found, rej = find_dates(masked, as_of)
    rejected.extend(rej)
    return pick_publish(found, title_at if title_at >= 0 else None)


def _anchor_title(anchor: LexborNode) -> str:
    attrs = anchor.attributes or {}
    title = clean_text(attrs.get("title") or "")
    text = clean_text(anchor.text(separator=" "))
    if not title:
        # a date inside the link (<a>标题 <span>06-29</span></a>) is not part of the title
        for span in anchor.css("span, em, i, font, time"):
            inner = clean_text(span.text())
            if inner and find_dates(inner, date(2100, 1, 1))[0] and len(inner) <= 21:
                text = clean_text(text.replace(inner, " "))
        title = text
    return title


def _rows(tree: LexborHTMLParser | LexborNode, base: str, as_of: date, rejected: list[RejectedDate],
          *, skip_chrome: bool = True) -> list[_Row]:
    rows: list[_Row] = []
    seen: set[tuple[int, str | None]] = set()
    cache: dict[int, bool] = {}
    for count, anchor in enumerate(tree.css("a")):
        if count >= MAX_ANCHORS:
            break
        attrs = anchor.attributes or {}
        href = attrs.get("href")
        url = resolve(base, href) if href else None
        title = _anchor_title(anchor)
        if len(title) < MIN_TITLE or is_more_text(title) or title.lower() in PAGER_WORDS:
            continue
        if skip_chrome and in_chrome(anchor, cache):
            continue
        row = _row_of(anchor)
        key = (row.mem_id, url)
        if key in seen:
            continue
        if any(r.node.mem_id == row.mem_id for r in rows[-3:]):
            continue  # a second link in the same row (category tag, attachment) is not another item
        seen.add(key)
        parent = row.parent
        if row.tag == "tr" and parent is not None and parent.tag in ("tbody", "thead"):
            parent = parent.parent
        rows.append(_Row(row, parent.mem_id if parent is not None else 0, _signature(parent), title, url,
                         _row_date(row, title, as_of, rejected), node_locator(row)))
    return rows


def _choose_list(rows: list[_Row]) -> list[_Row]:
    """The main list of a column page: the group with most dated rows (plus groups of the same shape)."""
    if not rows:
        return []
    groups: dict[int, list[_Row]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    dated = {g: sum(1 for r in rs if r.date) for g, rs in groups.items()}
    best = max(groups, key=lambda g: (dated[g], len(groups[g]), sum(len(r.title) for r in groups[g])))
    if dated[best] == 0:
        candidates = [g for g, rs in groups.items()
                      if len(rs) >= 2 or (len(rs) == 1 and len(rs[0].title) >= 8 and rs[0].node.tag in ("li", "tr"))]
        candidates = [g for g in candidates if sum(len(r.title) for r in groups[g]) / len(groups[g]) >= 6]
        if not candidates:
            return []
        best = max(candidates, key=lambda g: (len(groups[g]), sum(len(r.title) for r in groups[g])))
    signature = groups[best][0].signature
    chosen = [r for r in rows if r.group == best or (r.signature == signature and signature.strip(".")
                                                       and (dated[r.group] > 0) == (dated[best] > 0))]
    return chosen


def _to_item(row: _Row, page_url: str, source: str = "") -> ListItem:
    if row.date is not None:
        return ListItem(row.title, row.url, row.date.value, DateSource.LIST, source or row.locator,
                        row.date.raw, page_url)
    return ListItem(row.title, row.url, None, DateSource.NONE, source or row.locator, "", page_url)


_PAGE_PATTERNS = (
    re.compile(r"(?:^|/)index_(\d{1,4})\.s?html?$", re.I),  # TRS: index_1 is page 2
    re.compile(r"_(\d{1,4})\.s?html?$", re.I),
)
_PAGE_PARAMS = ("page", "pageno", "pageindex", "p", "pn", "currentpage", "curpage", "pagenum", "page_no", "cp")


def page_number(url: str, list_url: str) -> int | None:
    """The page number of a pagination URL of ``list_url`` (page 1 = the list URL itself), else None.

    TRS numbers ``index_1.html`` as the second page; ``?page=2`` is the second page.
    """
    target, base = urlsplit(url), urlsplit(list_url)
    if target.netloc.lower() != base.netloc.lower():
        return None
    base_dir = base.path.rsplit("/", 1)[0]
    target_dir, _, name = target.path.rpartition("/")
    for key, value in parse_qsl(target.query):
        if key.lower() in _PAGE_PARAMS and value.isdigit() and target.path == base.path:
            return int(value)
    if target_dir != base_dir or target.query:
        return None
    match = _PAGE_PATTERNS[0].search("/" + name)
    if match:
        return int(match.group(1)) + 1
    match = _PAGE_PATTERNS[1].search(name)
    if match and base.path.rsplit("/", 1)[-1].split(".")[0] == name.rsplit("_", 1)[0]:
        return int(match.group(1))
    return None


def pagination(page: PageView, limit: int = 50) -> list[tuple[int, str]]:
    """Further list pages linked from a list page (page number, url), nearest first, at most ``limit``."""
    found: dict[str, int] = {}
    list_url = page.final_url
    for link in page.links:
        number = page_number(link.url, list_url)
        text = normalize(link.text).strip().lower()
        if number is None and text in ("下一页", "下页", "next", ">") and link.url != list_url:
            number = 2
        if number is not None and number >= 2:
            found.setdefault(link.url, number)
    # TRS: createPageHTML(countPage, currentPage, "index", "html")
    match = re.search(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]",
                      page.html[:MAX_SCRIPT_CHARS])
    if match:
        count, prefix, ext = int(match.group(1)), match.group(3), match.group(4)
        for n in range(1, min(count, limit + 1)):
            found.setdefault(urljoin(list_url, f"{prefix}_{n}.{ext}"), n + 1)
    ordered = sorted(found.items(), key=lambda kv: (kv[1], kv[0]))
    return [(n, u) for u, n in ordered[:limit]]


def _script_texts(tree: LexborHTMLParser) -> Iterator[str]:
    total = 0
    for node in tree.css("script"):
        text = node.text() or ""
        total += len(text)
        if total > MAX_SCRIPT_CHARS:
            return
        yield text


_WRITE_RE = re.compile(r"document\.write(?:ln)?\(\s*((?:(['\"])(?:\\.|(?!\2).)*\2\s*\+?\s*)+)\)", re.S)
_CDATA_RE = re.compile(r"<record[^>]*>\s*<!\[CDATA\[(.*?)\]\]>", re.S)
_STR_RE = re.compile(r"(['\"])((?:\\.|(?!\1).)*)\1", re.S)
_TITLE_KEYS = ("title", "name", "biaoti", "articletitle", "doctitle", "subject", "t")
_URL_KEYS = ("url", "link", "href", "linkurl", "docpuburl", "path", "u")
_DATE_KEYS = ("pubdate", "publishdate", "publishtime", "pub_date", "date", "time", "docreltime", "fbsj",
              "releasetime", "createtime", "created", "updatetime", "d", "pubtime", "fbrq")


def _unescape_js(text: str) -> str:
    try:
        return json.loads('"' + text.replace('"', '\\"').replace("\\'", "'") + '"')
    except ValueError:
        return text.replace("\\'", "'").replace('\\"', '"').replace("\\/", "/")


def _written_html(script: str) -> str:
    """HTML a script holds statically: ``document.write('…')`` string literals (concatenations joined) and
    ``<![CDATA[…]]>`` records of XML data islands (Hanweb jpage ``<datastore><record>``)."""
    parts: list[str] = []
    for match in _WRITE_RE.finditer(script):
        for lit in _STR_RE.finditer(match.group(1)):
            parts.append(_unescape_js(lit.group(2)))
    if "<record" in script:
        parts.extend(m.group(1) for m in _CDATA_RE.finditer(script))
    return "".join(parts)


def _json_values(script: str) -> Iterator[object]:
    decoder = json.JSONDecoder()
    attempts = 0
    for match in re.finditer(r"[=(:]\s*([\[{])", script):
        attempts += 1
        if attempts > MAX_JSON_ATTEMPTS:
            return
        try:
            value, _ = decoder.raw_decode(script, match.start(1))
        except ValueError:
            continue
        yield value


def _dict_lists(value: object, depth: int = 0) -> Iterator[list[dict[str, object]]]:
    if depth > 6:
        return
    if isinstance(value, list):
        dicts = [v for v in value if isinstance(v, dict)]
        if dicts and len(dicts) == len(value):
            yield dicts
        for v in value[:50]:
            yield from _dict_lists(v, depth + 1)
    elif isinstance(value, dict):
        for v in list(value.values())[:50]:
            yield from _dict_lists(v, depth + 1)


def _pick(record: dict[str, object], keys: Iterable[str]) -> str:
    lower = {str(k).lower(): v for k, v in record.items()}
    for key in keys:
        value = lower.get(key)
        if isinstance(value, (str, int, float)) and str(value).strip():
            return str(value).strip()
    return ""


def _script_items(page: PageView, as_of: date, rejected: list[RejectedDate]) -> list[ListItem]:
    """Items a static read can recover from script data: document.write HTML and JSON records."""
    items: list[ListItem] = []
    seen: set[str | None] = set()
    for script in _script_texts(page.tree):
        written = _written_html(script)
        if written:
            fragment = LexborHTMLParser(f"<html><body>{written}</body></html>")
            for row in _choose_list(_rows(fragment, page.base_url, as_of, rejected, skip_chrome=False)):
                if row.url not in seen:
                    seen.add(row.url)
                    items.append(_to_item(row, page.final_url, "script:html"))
        for value in _json_values(script):
            for records in _dict_lists(value):
                for record in records[:500]:
                    title = clean_text(_pick(record, _TITLE_KEYS))
                    if len(title) < MIN_TITLE:
                        continue
                    href = _pick(record, _URL_KEYS)
                    url = resolve(page.base_url, href) if href else None
                    if url in seen and url is not None:
                        continue
                    seen.add(url)
                    raw = _pick(record, _DATE_KEYS)
                    when = None
                    if raw:
                        found, rej = find_dates(raw, as_of, compact=True)
                        rejected.extend(rej)
                        chosen = pick_publish(found)
                        when = chosen.value if chosen else None
                    items.append(ListItem(title, url, when, DateSource.LIST if when else DateSource.NONE,
                                          "script:json", raw if when else "", page.final_url))
    return items


def _needs_render(page: PageView) -> bool:
    low = page.html[:MAX_SCRIPT_CHARS].lower()
    if any(marker in low for marker in RENDER_MARKERS):
        return True
    return bool(page.tree.css_first("[v-for], [ng-repeat], template, [data-src-list], [data-url]"))


def content_text(page: PageView) -> str:
    """Visible text outside page chrome, scripts and styles (what the column itself shows)."""
    body = page.tree.body
    if body is None:
        return ""
    clone = LexborHTMLParser(body.html or "")
    clone.strip_tags(["script", "style", "noscript", "template"])
    for node in list(clone.css("*")):
        if node.parent is not None and is_chrome_node(node):
            try:
                node.decompose()
            except Exception:  # noqa: BLE001 - already removed with an ancestor
                continue
    root = clone.body
    return root.text(separator="\n", strip=True) if root is not None else ""


def placeholder_in(text: str) -> str:
    """The placeholder phrase (暂无信息、正在建设中 …) shown in a text, or ''."""
    low = normalize(text).lower()
    for phrase in sorted(PLACEHOLDERS, key=len, reverse=True):
        if phrase in low:
            return phrase
    return ""


def extract_items(page: PageView, as_of: date | datetime, *, whole_page: bool = False) -> PageItems:
    """The items of a list page (its main list), or with ``whole_page`` every item row outside chrome.

    Never raises on hostile HTML; bounded by MAX_ANCHORS and MAX_SCRIPT_CHARS.
    """
    limit = as_date(as_of)
    out = PageItems()
    rows = _rows(page.tree, page.base_url, limit, out.rejected)
    chosen = rows if whole_page else _choose_list(rows)
    out.items = [_to_item(r, page.final_url) for r in chosen]
    if not whole_page:
        out.pagination = pagination(page)
    if not out.items:
        out.items = _script_items(page, limit, out.rejected)
        out.script_items = bool(out.items)
    out.content_text = content_text(page)
    if not out.items:
        phrase = placeholder_in(out.content_text)
        if phrase:
            out.placeholder = phrase
            out.placeholder_locator = _locate_text(page, phrase)
        elif _needs_render(page):
            out.needs_render = True
    return out


def _locate_text(page: PageView, phrase: str) -> str:
    best: LexborNode | None = None
    for node in page.tree.css("body *"):
        if node.tag in ("script", "style"):
            continue
        if phrase in normalize(node.text() or "").lower():
            best = node  # deepest last in document order among containing nodes
    return node_locator(best) if best is not None else ""


def page_date(page: PageView, as_of: date | datetime) -> tuple[date | None, DateSource, str]:
    """The publish date of an article page: ``<meta name="PubDate">`` first, then a 发布时间 field."""
    limit = as_date(as_of)
    for key in ("pubdate", "publishdate", "article:published_time", "dc.date", "firstpublishedtime"):
        raw = page.meta.get(key)
        if raw:
            value = parse_date(raw, limit)
            if value is not None:
                return value, DateSource.META, raw
    text = page.text[:MAX_SCRIPT_CHARS]
    labelled = labelled_date(text, limit)
    if labelled is not None:
        return labelled.value, DateSource.ARTICLE, labelled.raw
    return None, DateSource.NONE, ""
