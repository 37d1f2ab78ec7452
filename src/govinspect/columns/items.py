"""List items (信息条目) of a column page or a homepage, across the layouts government CMSs produce.

Handled: ``ul/li`` rows with a date ``span`` (TRS), table rows with ``[06-29]`` (Hanweb), disclosure
catalogues with 索引号/发布日期/成文日期 header cells (gkmlpt), card grids (``div``), ``dl/dt/dd``, lists written by
``document.write``, held as JSON in a ``<script>`` (epoch or ISO publish times) or in an XML data island
(JCMS/Hanweb ``<datastore>``), cards dated by ``<time datetime>``, month-day lists that cross into the
previous year, and pagination (``index_1.html``, ``?page=2``, 下一页, TRS ``createPageHTML``). Page chrome
(navigation, header, footer, side menus, breadcrumbs) is never read as items, nor are side boxes (热点排行,
阅读排行, 会议预告 … by heading or class, or lists the template repeats on other columns' pages). A page whose
list is filled by script and has no static items is marked ``needs_render``: nothing is invented for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qsl, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from govinspect.archive.pageview import PageView, node_locator, resolve_href
from govinspect.columns.dates import HISTORY_MIN_YEAR, FoundDate, RejectedDate, as_date, epoch_date
from govinspect.columns.dates import find_dates, labelled_date, normalize, parse_date, pick_publish
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

# Side boxes of a list page that are not the column's own list (热点排行、阅读排行、相关文章、会议预告 …):
# recognised by their heading or class; a heading naming the column itself never makes its list a side box.
ASIDE_HEADINGS = ("热点", "热门", "排行", "点击", "推荐", "相关", "猜你", "会议预告", "近期会议", "浏览最多", "阅读最多",
                  "精彩图文", "最新更新", "随机")
_ASIDE_CLASS_PREFIXES = ("hot", "rank", "phb", "djph", "rdph", "ydph", "tuijian", "recommend", "related",
                         "xgxx", "xgwz", "xgyd", "tjyd")
_DEADLINE_WORDS = ("截止", "截至", "会议", "有效", "结束", "开始", "报名", "deadline", "expire", "end", "start", "meet")

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


_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    return _SPACES.sub(" ", normalize(text or "")).strip()


def is_more_text(text: str) -> bool:
    """更多 / more / >> links (section heads point at their column with them)."""
    stripped = normalize(text).strip().lower()
    if not stripped:
        return False
    return _MORE_DECOR.sub("", stripped) in _MORE_WORDS


_MORE_DECOR = re.compile(r"[\s\[\]【】()（）+>»›》<«‹《.…·]")
_MORE_WORDS = frozenset(("", "更多", "more", "查看更多", "更多信息", "更多内容", "更多>", "查看全部"))


@dataclass(slots=True)
class PageItems:
    """What a list page (or homepage) holds."""

    items: list[ListItem] = field(default_factory=list)
    pagination: list[tuple[int, str]] = field(default_factory=list)  # (page number, url), page 2 first
    needs_render: bool = False
    placeholder: str = ""  # the placeholder text shown (暂无信息 …) when there are no items
    placeholder_locator: str = ""
    content_text: str = ""  # visible text outside page chrome and scripts
    content_links: list[str] = field(default_factory=list)  # texts of other links outside chrome (entries)
    empty_data: str = ""  # why the page's list data is empty (an XML data island without records)
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
    aside: bool = False  # sits in a side box (热点排行 …), not the page's own list


@dataclass(slots=True)
class PageRows:
    """Item rows of one page and the texts of its other content links (read once per page)."""

    rows: list[_Row]
    rejected: list[RejectedDate]
    link_texts: list[str]  # texts of links outside page chrome that are not item rows


def _signature(node: LexborNode | None) -> str:
    if node is None:
        return ""
    attrs = node.attributes or {}
    return f"{node.tag}.{(attrs.get('class') or '').strip()}"


@dataclass(slots=True)
class _Segmenter:
    """Per-page caches of row segmentation (keyed by node ``mem_id``), so a container of many links is
    scanned once, not once per link."""

    dated: dict[int, bool] = field(default_factory=dict)  # link carries its own date / siblings do (-key)
    hrefs: dict[int, frozenset[str | None]] = field(default_factory=dict)  # item-like hrefs under a node

    def item_hrefs(self, node: LexborNode) -> frozenset[str | None]:
        """hrefs of the item-like links (title of MIN_TITLE characters or more) under ``node``."""
        key = node.mem_id
        if key not in self.hrefs:
            self.hrefs[key] = frozenset((a.attributes or {}).get("href") for a in node.css("a")
                                        if len(clean_text(a.text(separator=" "))) >= MIN_TITLE)
        return self.hrefs[key]

    children: dict[int, dict[str, dict[str, int]]] = field(default_factory=dict)  # tag -> signature -> count

    def child_shapes(self, parent: LexborNode) -> dict[str, dict[str, int]]:
        """How many children of ``parent`` have each tag and, per tag, each signature (tag.class)."""
        key = parent.mem_id
        if key not in self.children:
            shapes: dict[str, dict[str, int]] = {}
            for child in parent.iter():
                by_tag = shapes.setdefault(child.tag, {})
                signature = _signature(child)
                by_tag[signature] = by_tag.get(signature, 0) + 1
            self.children[key] = shapes
        return self.children[key]

    def repeated(self, node: LexborNode) -> bool:
        """Whether ``node`` has a sibling of the same tag and class (a repeated row, card or item block)."""
        parent = node.parent
        return parent is not None and self.child_shapes(parent).get(node.tag, {}).get(_signature(node), 0) >= 2

    def holds_other_item(self, node: LexborNode, own: str | None) -> bool:
        hrefs = self.item_hrefs(node)
        return len(hrefs) > 1 or (len(hrefs) == 1 and own not in hrefs)


def _own_row(anchor: LexborNode, row: LexborNode, seg: _Segmenter) -> LexborNode:
    """The row of a link that carries its own date (``<a>标题<small>2021-06-29</small></a>``, list-group style).

    A date inside the link belongs to that link. When the row found by structure holds other item links (the
    links are bare siblings in one container), the row is the widest block around the link, below that row,
    holding no other item link: the link itself in a ``div.list-group``. So a link never takes the date of the
    following (or preceding) sibling row. Links without a date of their own whose sibling links of the same
    shape carry one are segmented the same way (their date is then missing, not borrowed).
    """
    own = (anchor.attributes or {}).get("href")
    if not (_carries_date(anchor, seg.dated) or _siblings_carry_dates(anchor, seg.dated)):
        return row
    if not seg.holds_other_item(row, own):
        return row
    current = anchor
    hops = 0
    while (current.parent is not None and current.parent.mem_id != row.mem_id and hops < 4
           and not seg.holds_other_item(current.parent, own)):
        current = current.parent
        hops += 1
    return current


def _carries_date(anchor: LexborNode, dated: dict[int, bool]) -> bool:
    """Whether a link shows a date besides its title (in a child element or after a ``title`` attribute)."""
    key = anchor.mem_id
    if key not in dated:
        title = _anchor_title(anchor)
        text = clean_text(anchor.text(separator=" "))
        rest = text.replace(title, " ") if title else text
        dated[key] = bool(rest.strip()) and bool(find_dates(rest, date(2100, 1, 1))[0])
    return dated[key]


def _siblings_carry_dates(anchor: LexborNode, dated: dict[int, bool]) -> bool:
    """Whether sibling links of the same shape as ``anchor`` carry their own dates (bounded look)."""
    parent = anchor.parent
    if parent is None:
        return False
    key = -parent.mem_id  # parents are cached under negative keys, links under their own
    if key not in dated:
        shape = _signature(anchor)
        siblings = [c for c in parent.iter() if c.tag == "a" and _signature(c) == shape][:50]
        dated[key] = len(siblings) >= 2 and any(_carries_date(s, dated) for s in siblings)
    return dated[key]


def _row_of(anchor: LexborNode, seg: _Segmenter | None = None) -> LexborNode:
    """The row element that holds one item: li/tr/dl, else the repeated block (card) around the link; a link
    carrying its own date is never grouped with sibling links (see :func:`_own_row`)."""
    seg = seg if seg is not None else _Segmenter()
    return _own_row(anchor, _structural_row(anchor, seg), seg)


def _structural_row(anchor: LexborNode, seg: _Segmenter) -> LexborNode:
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
        alike = seg.child_shapes(current.parent).get(current.tag, {})
        if len(alike) == 1 and sum(alike.values()) >= 2:  # every sibling of its tag has its class
            return current
        current = current.parent
        hops += 1
    # a single card: the nearest block that shows a date and holds no other item link
    current = anchor.parent
    hops = 0
    own = (anchor.attributes or {}).get("href")
    while current is not None and current.tag not in ("body", "html") and hops < 4:
        if seg.holds_other_item(current, own):
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
            if i and _is_label_cell(cells[i - 1]):  # <th>生成日期：</th><td>2021-06-08</td> in the same row
                label = clean_text(cells[i - 1].text())
            found, rej = find_dates(text, as_of, min_year=HISTORY_MIN_YEAR)
            rejected.extend(rej)
            chosen = pick_publish(found)
            if chosen is None:
                continue
            if any(word in label for word in ("成文", "有效", "截止", "实施", "施行", "失效", "废止")):
                continue
            if any(word in label for word in ("发布", "公开", "生成", "发文", "更新")):
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
    by_attr = _time_attr_date(row, as_of, rejected)
    if by_attr is not None:
        return by_attr
    text = clean_text(row.text(separator=" "))
    title_at = text.find(title) if title else -1
    if title_at >= 0:
        masked = text[:title_at] + " " * len(title) + text[title_at + len(title):]
    else:
        masked = text
    found, rej = find_dates(masked, as_of, min_year=HISTORY_MIN_YEAR)
    rejected.extend(rej)
    return pick_publish(found, title_at if title_at >= 0 else None)


# Labelled date fields of an item block (信息公开目录 field tables), best first. 发布/公开/生成 name the day the
# item went online; 发文 the day it was issued; 成文 the day it was written (earlier than publication, so only a
# fallback: it can make a column look older, never newer). 有效期/实施/废止 dates are never publish dates.
BLOCK_DATE_LABELS = (("发布日期", "发布时间", "公开日期", "公开时间", "生成日期", "生成时间"),
                     ("发文日期", "发文时间"),
                     ("成文日期", "成文时间"))
MAX_BLOCK_CHARS = 2_000  # text read from one item block


def _item_block(row: LexborNode, own: str | None, seg: _Segmenter) -> LexborNode | None:
    """The block holding one item's fields around its row: the widest enclosing element repeated by its siblings
    (one ``table.gk-meta`` or ``div.gk-item`` per item) that holds no other item link. None when the row is not
    inside such a block: a lone table around one link (an article page's layout table) is not an item block."""
    block: LexborNode | None = None
    current = row.parent
    hops = 0
    while current is not None and current.tag not in ("body", "html") and hops < 5:
        if seg.holds_other_item(current, own):
            break
        parent = current.parent
        if current.tag not in ("tbody", "thead") and seg.repeated(current):
            block = current
        current = parent
        hops += 1
    return block


def _block_date(row: LexborNode, own: str | None, as_of: date, seg: _Segmenter) -> FoundDate | None:
    """The publish date of an item whose fields span several rows of one item block: ``<tr>名称：<a/></tr>
    <tr>生成日期：2021-06-08</tr>`` in one table per item (信息公开目录). Only dates written after a field label
    of :data:`BLOCK_DATE_LABELS` count; 发布/公开/生成 before 发文 before 成文."""
    if row.tag not in ("tr", "p", "div", "li", "dd", "dt"):
        return None
    block = _item_block(row, own, seg)
    if block is None:
        return None
    text = clean_text(block.text(separator=" "))[:MAX_BLOCK_CHARS]
    found, _ = find_dates(text, as_of, partial=False, min_year=HISTORY_MIN_YEAR)
    best: tuple[int, FoundDate] | None = None
    for item in found:
        window = text[max(0, item.start - 10):item.start].rstrip(" :：\t[(【")
        rank = next((n for n, labels in enumerate(BLOCK_DATE_LABELS)
                     if any(window.endswith(label) for label in labels)), None)
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, item)
    return best[1] if best is not None else None


def _is_label_cell(cell: LexborNode) -> bool:
    """A field label cell (``<th>生成日期：</th>``, ``<td>成文日期:</td>``): short, no date, ends with a colon or
    names a date field."""
    text = clean_text(cell.text())
    if not text or len(text) > 8 or find_dates(text, date(2100, 1, 1))[0]:
        return False
    return text.endswith((":", "：")) or text.endswith(("日期", "时间"))


def _time_attr_date(row: LexborNode, as_of: date, rejected: list[RejectedDate]) -> FoundDate | None:
    """The date of ``<time datetime="2021-06-29">2天前</time>`` (the shown text may be relative or partial).

    A ``<time>`` marked or labelled as a deadline or meeting day (截止、会议时间) is not the publish date.
    """
    for node in row.css("time[datetime]"):
        attrs = node.attributes or {}
        raw = attrs.get("datetime") or ""
        holder = node.parent if node.parent is not None and node.parent.mem_id != row.mem_id else None
        context = " ".join([attrs.get("class") or "", node.text() or "",
                            (holder.text() or "") if holder is not None else ""]).lower()
        if any(word in context for word in _DEADLINE_WORDS):
            continue
        found, rej = find_dates(raw, as_of, partial=False)
        rejected.extend(rej)
        if found:
            return found[0]
    return None


_DATE_DECOR = re.compile(r"[\s\[\]【】()（）〔〕:：|·-]*")


def _date_only(text: str) -> bool:
    """Whether a short text is a date and nothing else (``2021-06-29``, ``[06-29]``, ``2021年6月29日``)."""
    if not text or len(text) > 24:
        return False
    found = find_dates(text, date(2100, 1, 1))[0]
    if not found:
        return False
    norm = normalize(text)
    rest = "".join(ch for n, ch in enumerate(norm) if not any(f.start <= n < f.end for f in found))
    return _DATE_DECOR.fullmatch(rest) is not None


def _anchor_title(anchor: LexborNode) -> str:
    """The link's title: its ``title`` attribute, else its text without a date element inside the link
    (``<a>标题 <small>2021-06-29</small></a>``: the date is the row's, not part of the title)."""
    attrs = anchor.attributes or {}
    title = clean_text(attrs.get("title") or "")
    if title:
        return title
    text = clean_text(anchor.text(separator=" "))
    stripped = text
    for child in anchor.css("*"):
        inner = clean_text(child.text(separator=" "))
        if _date_only(inner):
            stripped = clean_text(stripped.replace(inner, " "))
    return stripped if len(stripped) >= MIN_TITLE else text


def read_rows(tree: LexborHTMLParser | LexborNode, base: str, as_of: date, *,
              skip_chrome: bool = True) -> PageRows:
    """Item rows (a link with a title, its row element, container and date) and other content link texts.

    One pass over the anchors; callers cache the result per page (discovery reads a page once).
    """
    rows: list[_Row] = []
    rejected: list[RejectedDate] = []
    link_texts: list[str] = []
    seen: set[tuple[int, str | None]] = set()
    cache: dict[int, bool] = {}
    seg = _Segmenter()
    for count, anchor in enumerate(tree.css("a")):
        if count >= MAX_ANCHORS:
            break
        if skip_chrome and in_chrome(anchor, cache):  # before the title: most anchors are menus
            continue
        attrs = anchor.attributes or {}
        href = attrs.get("href")
        url = resolve_href(base, href) if href else None
        title = _anchor_title(anchor)
        if is_more_text(title) or title.lower() in PAGER_WORDS:
            continue
        if len(title) < MIN_TITLE:
            label = title or _image_alt(anchor)
            if len(label) >= 2 and url is not None:
                link_texts.append(label)
            continue
        row = _row_of(anchor, seg)
        key = (row.mem_id, url)
        if key in seen:
            continue
        if any(r.node.mem_id == row.mem_id for r in rows[-3:]):
            link_texts.append(title)  # a second link in the same row (category tag, attachment): not an item
            continue
        seen.add(key)
        parent = row.parent
        if row.tag == "tr" and parent is not None and parent.tag in ("tbody", "thead"):
            parent = parent.parent
        when = _row_date(row, title, as_of, rejected) or _block_date(row, attrs.get("href"), as_of, seg)
        rows.append(_Row(row, parent.mem_id if parent is not None else 0, _signature(parent), title, url,
                         when, node_locator(row)))
    return PageRows(rows, rejected, link_texts)


def _image_alt(anchor: LexborNode) -> str:
    image = anchor.css_first("img")
    return clean_text((image.attributes or {}).get("alt") or "") if image is not None else ""


def _rows(tree: LexborHTMLParser | LexborNode, base: str, as_of: date, rejected: list[RejectedDate],
          *, skip_chrome: bool = True) -> list[_Row]:
    found = read_rows(tree, base, as_of, skip_chrome=skip_chrome)
    rejected.extend(found.rejected)
    return found.rows


def _first_element(node: LexborNode) -> LexborNode | None:
    for child in node.iter():
        return child
    return None


def _prev_element(node: LexborNode) -> LexborNode | None:
    current = node.prev
    while current is not None and current.tag in ("-text", "-comment", "_text", "_comment"):
        current = current.prev
    return current


def _box_verdict(node: LexborNode, names: tuple[str, ...]) -> bool | None:
    """True for a side box (热点排行 …), False for a list headed by the column's own name, None: say nothing."""
    attrs = node.attributes or {}
    tokens = re.split(r"[\s_-]+", f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower())
    if any(token.startswith(_ASIDE_CLASS_PREFIXES) for token in tokens if token):
        return True
    for head in (_first_element(node), _prev_element(node)):
        if head is None or head.tag in ("li", "tr", "tbody", "ul", "ol", "table", "script", "style"):
            continue
        text = clean_text(head.text(separator=" "))
        if not text or len(text) > 12:
            continue
        if any(name and (name in text or text in name) for name in names):
            return False
        if any(word in text for word in ASIDE_HEADINGS):
            return True
    return None


def _is_aside(row: LexborNode, names: tuple[str, ...], cache: dict[int, bool | None]) -> bool:
    node = row.parent
    for _ in range(4):
        if node is None or node.tag in ("body", "html"):
            return False
        key = node.mem_id
        if key not in cache:
            cache[key] = _box_verdict(node, names)
        verdict = cache[key]
        if verdict is not None:
            return verdict
        node = node.parent
    return False


def _main_rows(rows: list[_Row], names: tuple[str, ...], repeated: frozenset[tuple[str, ...]]) -> list[_Row]:
    """Rows left after dropping side boxes: headed 热点排行 and the like, or repeated by the template on the
    list pages of other columns (same shape, same links)."""
    cache: dict[int, bool | None] = {}
    kept = [r for r in rows if not _is_aside(r.node, names, cache)]
    if not repeated:
        return kept
    shared = {group for group, print_ in group_prints(kept).items() if print_ in repeated}
    return [r for r in kept if r.group not in shared]


def group_prints(rows: list[_Row]) -> dict[int, tuple[str, ...]]:
    """Each row container's fingerprint: its shape and its links in order (a template box repeats it)."""
    groups: dict[int, list[str]] = {}
    shapes: dict[int, str] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row.url or row.title)
        shapes.setdefault(row.group, row.signature)
    return {g: (shapes[g], *urls) for g, urls in groups.items()}


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


def _roll_back_years(items: list[ListItem], inferred: list[bool]) -> None:
    """Month-day dates of a newest-first list that cross into the previous year (…[07-22] [06-15]…
    after a [2021-…] start): a row whose inferred date would be newer than the row above it, and fits
    between its neighbours one year earlier, takes that year."""
    dates = [i.date for i in items]
    known = [d for d in dates if d is not None]
    pairs = list(zip(known, known[1:], strict=False))
    if len(pairs) < 2 or sum(1 for a, b in pairs if b <= a) < 0.6 * len(pairs):
        return  # not a newest-first list
    previous: date | None = None
    for n, item in enumerate(items):
        value = item.date
        if value is None:
            continue
        if inferred[n] and previous is not None and value > previous:
            following = next((d for d in dates[n + 1:] if d is not None), None)
            for years in range(1, 9):
                try:
                    earlier = value.replace(year=value.year - years)
                except ValueError:  # 02-29
                    continue
                if earlier <= previous:
                    if following is None or earlier >= following or not any(inferred[n + 1:]):
                        item.date = dates[n] = earlier
                    break
        previous = item.date


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


_NEXT_WORDS = ("下一页", "下页", "next", ">")


def pagination(page: PageView, limit: int = 50) -> list[tuple[int, str]]:
    """Further list pages linked from a list page (page number, url), nearest first, at most ``limit``."""
    found: dict[str, int] = {}
    list_url = page.final_url
    for url, link_text, _ in page.anchors:
        number = page_number(url, list_url)
        if number is None and url != list_url and normalize(link_text).strip().lower() in _NEXT_WORDS:
            number = 2
        if number is not None and number >= 2:
            found.setdefault(url, number)
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
# Keys of script-data records (JSON lists in a page's scripts), lower-cased with ``_ - space`` removed, as
# :func:`pick_field` compares them; new-media sources read the same records with them (plus their own).
TITLE_KEYS = ("title", "name", "biaoti", "articletitle", "doctitle", "subject", "t")
URL_KEYS = ("url", "link", "href", "linkurl", "docpuburl", "path", "u")
# publish-like keys first; keys naming a document's written, valid-until or expiry date are never read
DATE_KEYS = ("pubdate", "publishdate", "publishtime", "pubtime", "publishedat", "publishat", "releasetime",
             "releasedate", "docreltime", "fbsj", "fbrq", "firstpublishtime", "issuedate", "date", "time",
             "d", "updatetime", "createtime", "created", "createdat", "ctime")


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


def dict_lists(value: object, depth: int = 0) -> Iterator[list[dict[str, object]]]:
    """Every list made only of dicts inside parsed JSON ``value`` (the record lists a script may hold).

    Bounded so hostile data stays cheap: nesting beyond 6 levels and members past the first 50 of each
    container are not searched.
    """
    if depth > 6:
        return
    if isinstance(value, list):
        dicts = [v for v in value if isinstance(v, dict)]
        if dicts and len(dicts) == len(value):
            yield dicts
        for v in value[:50]:
            yield from dict_lists(v, depth + 1)
    elif isinstance(value, dict):
        for v in list(value.values())[:50]:
            yield from dict_lists(v, depth + 1)


def pick_field(record: dict[str, object], keys: Iterable[str]) -> str:
    """The first non-blank scalar of ``record`` under ``keys`` (tried in order), as stripped text, else "".

    Record keys match case-, underscore-, hyphen- and space-insensitively (``Pub_Date`` matches ``pubdate``).
    """
    lower = {re.sub(r"[_\-\s]", "", str(k).lower()): v for k, v in record.items()}
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
            for records in dict_lists(value):
                for record in records[:500]:
                    title = clean_text(pick_field(record, TITLE_KEYS))
                    if len(title) < MIN_TITLE:
                        continue
                    href = pick_field(record, URL_KEYS)
                    url = resolve_href(page.base_url, href) if href else None
                    if url in seen and url is not None:
                        continue
                    seen.add(url)
                    raw = pick_field(record, DATE_KEYS)
                    when = epoch_date(raw, as_of) if raw else None
                    if raw and when is None:
                        found, rej = find_dates(raw, as_of, compact=True)
                        rejected.extend(rej)
                        chosen = pick_publish(found)
                        when = chosen.value if chosen else None
                    items.append(ListItem(title, url, when, DateSource.LIST if when else DateSource.NONE,
                                          "script:json", raw if when else "", page.final_url))
    return items


def _needs_render(page: PageView) -> bool:
    """The page's content comes from script: AJAX calls, template markup, or an empty app mount point
    (``<div id="root"></div>`` of a React/Vue page) with script bundles."""
    low = page.html[:MAX_SCRIPT_CHARS].lower()
    if any(marker in low for marker in RENDER_MARKERS):
        return True
    if page.tree.css_first("[v-for], [ng-repeat], template, [data-src-list], [data-url]"):
        return True
    for mount in page.tree.css("#root, #app, #__next, #__nuxt, [data-reactroot]"):
        if not clean_text(mount.text()) and page.tree.css_first("script[src]") is not None:
            return True
    return False


_ASSIGN_RE = re.compile(r"(?:innerHTML|innerText|textContent)\s*=|\.(?:html|text|append)\(|document\.write",
                        re.I)


def _script_placeholder(page: PageView) -> str:
    """A placeholder a script writes into the page unconditionally or from static data (``…innerHTML =
    '对不起，该栏目暂无信息！'``); never from a script that loads data (its message may be a fallback)."""
    for script in _script_texts(page.tree):
        low = script.lower()
        if not _ASSIGN_RE.search(script) or any(marker in low for marker in RENDER_MARKERS):
            continue
        for literal in _STR_RE.finditer(script):
            if placeholder_in(literal.group(2)):
                shown = clean_text(re.sub(r"<[^>]*>", " ", _unescape_js(literal.group(2))))
                return shown[:60]
    return ""


def _empty_data_island(page: PageView) -> str:
    """Why an XML data island (Hanweb/JCMS ``<datastore>``) holds no records, or ''."""
    for script in _script_texts(page.tree):
        if "<datastore" in script and not re.search(r"<record[\s>]", script):
            total = re.search(r"<totalrecord>\s*(\d+)\s*</totalrecord>", script)
            if total is None or total.group(1) == "0":
                return "信息列表数据 (datastore) 无记录"
    return ""


_TEXT_SKIP = frozenset({"script", "style", "noscript", "template", "-comment", "_comment"})
MAX_TEXT_NODES = 20_000


def content_text(page: PageView) -> str:
    """Visible text outside page chrome, scripts and styles (what the column itself shows).

    Walks the page's own parse tree (no second parse), pruning chrome subtrees; one line per text node.
    """
    body = page.tree.body
    if body is None:
        return ""
    lines: list[str] = []
    stack: list[LexborNode] = list(reversed(list(body.iter(include_text=True))))
    visited = 0
    while stack and visited < MAX_TEXT_NODES:
        node = stack.pop()
        visited += 1
        tag = node.tag
        if tag in ("-text", "_text"):
            text = (node.text_content or "").strip()
            if text:
                lines.append(text)
            continue
        if tag in _TEXT_SKIP or is_chrome_node(node):
            continue
        children = list(node.iter(include_text=True))
        children.reverse()
        stack.extend(children)
    return "\n".join(lines)


ARTICLE_BODY = ("article, [class*=content], [class*=Content], [class*=article], [class*=detail], "
                "[class*=editor], [class*=Editor], [id*=zoom], [class*=zoom], [class*=zhengwen], "
                "[class*=wzzw], [id*=content], .TRS_Editor, [class*=text], [class*=jianjie]")


def article_text(page: PageView) -> str:
    """Text of the page's article body containers (正文: ``div.article-content``, ``.TRS_Editor``, ``#zoom``),
    outside chrome: a static page's content, however short."""
    parts: list[str] = []
    taken: list[LexborNode] = []
    cache: dict[int, bool] = {}
    for node in page.tree.css(ARTICLE_BODY):
        if node.tag in ("body", "html") or in_chrome(node, cache):
            continue
        if any(_within(node, outer) for outer in taken):
            continue
        taken.append(node)
        parts.append(node.text(separator="\n", strip=True))
        if len(taken) >= 20:
            break
    return "\n".join(parts)


def _within(node: LexborNode, outer: LexborNode) -> bool:
    current: LexborNode | None = node.parent
    while current is not None:
        if current.mem_id == outer.mem_id:
            return True
        current = current.parent
    return False


def placeholder_in(text: str) -> str:
    """The placeholder phrase (暂无信息、正在建设中 …) shown in a text, or ''."""
    low = normalize(text).lower()
    for phrase in sorted(PLACEHOLDERS, key=len, reverse=True):
        if phrase in low:
            return phrase
    return ""


def extract_items(page: PageView, as_of: date | datetime, *, whole_page: bool = False,
                  names: Iterable[str] = (), repeated: frozenset[tuple[str, ...]] = frozenset(),
                  rows: PageRows | None = None) -> PageItems:
    """The items of a list page (its main list), or with ``whole_page`` every item row outside chrome.

    ``names`` are the column's names (a list headed by one is never a side box); ``repeated`` are fingerprints
    of lists found on several list pages of the site (side boxes repeated by the template); ``rows`` are this
    page's rows when the caller has already read them. Never raises on hostile HTML; bounded by
    MAX_ANCHORS and MAX_SCRIPT_CHARS.
    """
    limit = as_date(as_of)
    out = PageItems()
    found = rows if rows is not None else read_rows(page.tree, page.base_url, limit)
    out.rejected.extend(found.rejected)
    out.content_links = list(found.link_texts)
    if whole_page:
        chosen = found.rows
    else:
        main = _main_rows(found.rows, tuple(n for n in names if n), repeated)
        chosen = _choose_list(main)
        picked = {id(r) for r in chosen}
        out.content_links.extend(r.title for r in main if id(r) not in picked)
        out.pagination = pagination(page)
    out.items = [_to_item(r, page.final_url) for r in chosen]
    _roll_back_years(out.items, [r.date is not None and r.date.inferred_year for r in chosen])
    dated = sum(1 for i in out.items if i.date is not None)
    if not out.items or (not whole_page and dated < 3):
        script = _script_items(page, limit, out.rejected)
        if script and (not out.items or sum(1 for i in script if i.date is not None) > dated):
            out.items, out.script_items = script, True
    out.content_text = content_text(page)
    if not out.items:
        phrase = placeholder_in(out.content_text)
        if phrase:
            out.placeholder = phrase
            out.placeholder_locator = _locate_text(page, phrase)
        elif empty := _empty_data_island(page):
            out.empty_data = empty
        elif phrase := _script_placeholder(page):
            out.placeholder, out.placeholder_locator = phrase, "script"
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
