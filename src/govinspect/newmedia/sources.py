"""An account's homepage/feed bytes → its posts, the placeholder it shows, and its menu links.

Platforms and provincial matrices publish accounts as RSS/Atom feeds, JSON feeds (JSON Feed 1.x or a
platform's list export), or an HTML page listing the posts. The kind is sniffed from the bytes, not
trusted from the registry or the Content-Type: a feed URL that answers with an HTML page is read as an
HTML post list.

- RSS/Atom go through feedparser (never handed a URL or a file name: always the bytes). A feed's date
  text is read with :mod:`govinspect.columns.dates` first (``2021年6月29日`` is common in Chinese feeds and
  feedparser misreads it); feedparser's own parse is used for RFC 822 dates and wins when both agree
  within a day, since it knows the time zone.
- HTML post lists go through :func:`govinspect.columns.items.extract_items` (the same rows, dates and
  chrome rules as 栏目 lists); relative dates (``3天前``, ``昨天``, ``2小时前``) are first made absolute from the
  time the page was fetched, which is what they count from.
- Menu links are the links inside navigation/menu containers of an HTML page, or a JSON ``menu`` /
  ``button`` list (a WeChat custom menu export).

A source that cannot be read says why (``posts`` None and ``problem``): never-posted is only concluded
from a feed without entries or a page that says it has no posts.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from govinspect.archive.pageview import PageView, node_locator, resolve_href
from govinspect.columns.dates import as_date, epoch_date, parse_date
from govinspect.columns.items import (  # the same keys the columns' script-data reader uses
    DATE_KEYS,
    TITLE_KEYS,
    URL_KEYS,
    clean_text,
    dict_lists,
    extract_items,
    pick_field,
    placeholder_in,
)
from govinspect.fetch.charset import decode_html, looks_binary
from govinspect.fetch.types import FetchResult
from govinspect.newmedia.model import Post

MAX_POSTS = 2000  # posts kept per source (newest first); a feed of more is read only that far
MAX_MENUS = 60
MAX_JSON_DEPTH = 40
ACCOUNT_PLACEHOLDERS = ("暂未发布", "尚未发布", "还没有发布", "未发布任何", "暂无作品", "暂无动态", "暂无微博",
                        "暂无推送", "暂无文章", "暂无内容", "暂无信息", "暂无数据", "还没有内容", "没有发布过")
_MENU_WORDS = ("menu", "nav", "caidan", "daohang", "tabbar", "tab-bar", "toolbar")
_MENU_KEYS = ("menu", "menus", "button", "buttons", "菜单", "navs", "nav")
_SUB_MENU_KEYS = ("subbutton", "children", "items", "sub", "button")  # folded, see _fold_key


@dataclass
class SourceRead:
    """What one homepage/feed body holds."""

    kind: str  # rss / atom / json / html
    posts: list[Post] | None = None  # None: unreadable (see ``problem``)
    placeholder: str = ""  # the page says it has no posts (暂无内容 …)
    menus: list[tuple[str, str, str]] | None = None  # (text, url, locator); None: the source has no menus
    problem: str = ""
    rejected_dates: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _china() -> tzinfo:
    return ZoneInfo("Asia/Shanghai")


# --- dates ------------------------------------------------------------------------------------------------

_RELATIVE = re.compile(
    r"(?P<n>\d{1,3})\s*(?P<unit>秒|分钟|分|小时|个小时|天|日|周|星期|个月|月)\s*前"
    r"|(?P<word>刚刚|今天|今日|昨天|昨日|前天)"
)
_UNIT_DAYS = {"秒": 0.0, "分钟": 0.0, "分": 0.0, "小时": 1 / 24, "个小时": 1 / 24, "天": 1.0, "日": 1.0,
              "周": 7.0, "星期": 7.0, "个月": 30.0, "月": 30.0}
_WORD_DAYS = {"刚刚": 0, "今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}


def _relative_day(match: re.Match[str], now: datetime) -> date:
    local = now.astimezone(_china())
    if match.group("word"):
        return (local - timedelta(days=_WORD_DAYS[match.group("word")])).date()
    n = int(match.group("n"))
    unit = match.group("unit")
    if unit in ("秒", "分钟", "分", "小时", "个小时"):
        seconds = n * {"秒": 1, "分钟": 60, "分": 60, "小时": 3600, "个小时": 3600}[unit]
        return (local - timedelta(seconds=seconds)).date()
    return (local - timedelta(days=n * _UNIT_DAYS[unit])).date()


def relative_date(text: str, now: datetime) -> date | None:
    """The day a relative date text (``3天前``, ``昨天 10:30``, ``2小时前``, ``刚刚``) means, seen at ``now``."""
    match = _RELATIVE.search(unicodedata.normalize("NFKC", text or "")[:200])
    return _relative_day(match, now) if match else None


def absolutise_relative_dates(html: str, now: datetime) -> str:
    """Text nodes' relative dates written as ``YYYY-MM-DD`` (attributes and scripts are left alone)."""

    def text_node(m: re.Match[str]) -> str:
        inner = m.group(1)
        if not _RELATIVE.search(inner):
            return m.group(0)
        return ">" + _RELATIVE.sub(lambda r: _relative_day(r, now).isoformat(), inner) + "<"

    return re.sub(r">([^<>]{1,400})<", text_node, html)


def date_value(value: object, as_of: datetime, fetched_at: datetime | None = None) -> date | None:
    """A post's day from a feed or JSON value: epoch seconds/ms, ISO 8601 (zone honoured), the Chinese
    forms of :mod:`columns.dates`, or a relative date. Never a day after ``as_of``."""
    limit = as_date(as_of)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        value = str(int(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()[:200]
    if not text:
        return None
    if text.isdigit():
        return epoch_date(text, as_of)
    day: date | None = None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is not None:
        day = moment.astimezone(_china()).date() if moment.tzinfo else moment.date()
    else:
        day = parse_date(text, as_of)
        if day is None and fetched_at is not None:
            day = relative_date(text, fetched_at)
    if day is None or day > limit or day.year < 1990:
        return None
    return day


def _feed_day(entry: Any, as_of: datetime, fetched_at: datetime | None) -> tuple[date | None, str]:
    raw = ""
    for key in ("published", "updated", "created", "dc_date", "issued"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            raw = value.strip()
            break
    ours = date_value(raw, as_of, fetched_at) if raw else None
    theirs: date | None = None
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                theirs = datetime(*parsed[:6], tzinfo=UTC).astimezone(_china()).date()
            except (TypeError, ValueError, OverflowError):
                theirs = None
            break
    if theirs is not None and theirs > as_date(as_of):
        theirs = None
    if ours is not None and theirs is not None and abs((ours - theirs).days) > 1:
        return ours, raw  # feedparser misread a Chinese date
    return theirs or ours, raw


# --- sniffing ---------------------------------------------------------------------------------------------

_XML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?<(rss|feed|rdf:RDF|channel)\b",
                        re.I | re.S)


def sniff(body: bytes, content_type: str) -> str:
    """``feed``, ``json`` or ``html`` from the first bytes (the Content-Type only breaks ties)."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    if _XML_START.match(head):
        return "feed"
    if head.startswith(b"<?xml") and b"<html" not in head[:2048].lower():
        return "feed"
    if "json" in content_type and not head.startswith(b"<"):
        return "json"
    return "html"


def _text(result: FetchResult) -> str:
    text, _ = decode_html(result)
    return text


# --- feeds ------------------------------------------------------------------------------------------------


def read_feed(result: FetchResult, as_of: datetime) -> SourceRead:
    """RSS 0.9x/1.0/2.0 and Atom through feedparser; HTML served from a feed URL goes to :func:`read_html`."""
    import feedparser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = feedparser.parse(
            io.BytesIO(result.body),  # bytes only: feedparser fetches URLs and opens files given as text
            response_headers={"content-type": result.header("content-type") or "application/xml",
                              "content-location": result.final_url},
            sanitize_html=False,
        )
    version = str(parsed.get("version") or "")
    entries = list(parsed.get("entries") or [])
    if not version and not entries:
        if b"<html" in result.body[:4096].lower() or b"<body" in result.body[:65536].lower():
            return read_html(result, as_of)
        why = parsed.get("bozo_exception")
        return SourceRead("rss", problem=f"not a readable RSS/Atom feed ({_one_line(why)}): "
                                         "check the account's feed address in the registry")
    kind = "atom" if version.startswith("atom") else "rss"
    if parsed.get("bozo") and not entries:
        why = parsed.get("bozo_exception")
        return SourceRead(kind, problem=f"malformed feed ({_one_line(why)}): no entry could be read")
    posts: list[Post] = []
    for n, entry in enumerate(entries[:MAX_POSTS]):
        day, raw = _feed_day(entry, as_of, result.fetched_at)
        title = clean_text(str(entry.get("title") or ""))[:300]
        link = entry.get("link")
        url = resolve_href(result.final_url, link) if isinstance(link, str) and link else None
        posts.append(Post(title, url, day, raw[:80], f"feed:entry[{n + 1}]"))
    return SourceRead(kind, posts=_newest_first(posts))


def _one_line(exc: object) -> str:
    text = str(exc or "no feed elements").strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


# --- JSON -------------------------------------------------------------------------------------------------


def _fold_key(key: object) -> str:
    """A JSON key compared without case, ``_``, ``-`` or spaces (``sub_button`` → ``subbutton``)."""
    return re.sub(r"[_\-\s]", "", str(key).lower())


def _folded(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key, value in record.items():
        if _fold_key(key) in keys:
            return value
    return None


def _json_posts(data: Any, result: FetchResult, as_of: datetime) -> list[Post] | None:
    """The list of dicts that looks most like posts (titles and dates); None when there is none."""
    feed_items = data.get("items") if isinstance(data, dict) else None
    candidates = [feed_items] if isinstance(feed_items, list) else []
    candidates += list(dict_lists(data))
    best: list[dict[str, Any]] | None = None
    best_score = 0
    for records in candidates:
        if not records or not all(isinstance(r, dict) for r in records):
            continue
        sample = records[:20]
        score = sum(1 for r in sample if pick_field(r, TITLE_KEYS + ("contenttext", "summary", "desc"))) + sum(
            1 for r in sample if pick_field(r, ("datepublished", "datemodified", *DATE_KEYS)))
        if score > best_score:
            best, best_score = records, score
    if best is None:
        if isinstance(feed_items, list) and not feed_items:
            return []  # a JSON Feed with an empty items list
        return None
    posts = []
    for n, record in enumerate(best[:MAX_POSTS]):
        title = clean_text(pick_field(record, TITLE_KEYS + ("contenttext", "summary", "desc")))[:300]
        href = pick_field(record, URL_KEYS + ("externalurl",))
        raw = pick_field(record, ("datepublished", "datemodified", *DATE_KEYS))
        day = date_value(raw, as_of, result.fetched_at) if raw else None
        posts.append(Post(title, resolve_href(result.final_url, href) if href else None, day, raw[:80],
                          f"json:items[{n}]"))
    return posts


def _json_menus(data: Any, result: FetchResult) -> list[tuple[str, str, str]] | None:
    found: list[tuple[str, str, str]] = []
    present = False

    def walk(value: Any, path: str, depth: int) -> None:
        nonlocal present
        if depth > 8 or len(found) >= MAX_MENUS:
            return
        if isinstance(value, list):
            for n, item in enumerate(value[:MAX_MENUS]):
                walk(item, f"{path}[{n}]", depth + 1)
        elif isinstance(value, dict):
            href = _folded(value, ("url", "link", "href", "pagepath"))
            name = _folded(value, ("name", "title", "text", "label"))
            if isinstance(href, str) and href.strip():
                url = resolve_href(result.final_url, href)
                if url:
                    found.append((clean_text(str(name or ""))[:80], url, path))
            for key, sub in value.items():
                if _fold_key(key) in _SUB_MENU_KEYS:
                    walk(sub, f"{path}.{key}", depth + 1)

    if isinstance(data, dict):
        for key, value in data.items():
            if _fold_key(key) in _MENU_KEYS:
                present = True
                walk(value, f"json:{key}", 0)
    return found if present else None


def _depth_ok(text: str) -> bool:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH before parsing (the parser recurses)."""
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def read_json(result: FetchResult, as_of: datetime) -> SourceRead:
    """A JSON Feed (``items`` with ``date_published``) or a platform list export (records with a title and a
    publish time, epoch or text); a ``menu``/``button`` list gives the menus."""
    text = _text(result)
    if not _depth_ok(text):
        return SourceRead("json", problem=f"JSON nested deeper than {MAX_JSON_DEPTH} levels: not a post list")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return SourceRead("json", problem=f"not valid JSON ({_one_line(exc)}): check the account's feed address")
    posts = _json_posts(data, result, as_of)
    menus = _json_menus(data, result)
    if posts is None:
        return SourceRead("json", menus=menus, problem="the JSON holds no list of posts (titles with publish times)")
    return SourceRead("json", posts=_newest_first(posts), menus=menus)


# --- HTML -------------------------------------------------------------------------------------------------


def _is_menu_node(tag: str, attrs: dict[str, str | None]) -> bool:
    if tag == "nav":
        return True
    names = [(attrs.get("id") or "").lower(), *(attrs.get("class") or "").lower().split()]
    return any(word in name for name in names if name for word in _MENU_WORDS)


def html_menus(page: PageView) -> list[tuple[str, str, str]]:
    """Links inside navigation/menu containers (``<nav>``, ``.menu``, ``#caidan`` …), the page itself left out."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    own = {page.url, page.final_url}
    memo: dict[int, tuple[str, ...]] = {}
    for anchor in page.tree.css("a[href]"):
        node = anchor.parent
        inside = False
        hops = 0
        while node is not None and node.tag not in ("body", "html") and hops < 12:
            if _is_menu_node(node.tag or "", node.attributes or {}):
                inside = True
                break
            node = node.parent
            hops += 1
        if not inside:
            continue
        url = resolve_href(page.base_url, (anchor.attributes or {}).get("href") or "")
        if url is None or url in own or url in seen:
            continue
        seen.add(url)
        out.append((clean_text(anchor.text(separator=" "))[:80], url, node_locator(anchor, memo)))
        if len(out) >= MAX_MENUS:
            break
    return out


def read_html(result: FetchResult, as_of: datetime) -> SourceRead:
    """An HTML page listing the account's posts (the platform's profile page, a matrix page)."""
    if looks_binary(result.body):
        return SourceRead("html", problem="the address answers with binary content, not a page or a feed")
    text, encoding = decode_html(result)
    if result.fetched_at is not None:
        text = absolutise_relative_dates(text, result.fetched_at)
    page = PageView(result.url, text, final_url=result.final_url, status=result.status, encoding=encoding,
                    warc_record_id=result.warc_record_id, fetched_at=result.fetched_at, role="column")
    try:
        found = extract_items(page, as_of)
        menus = html_menus(page)
    finally:
        page.release(derived=True)
    posts = [Post(i.title[:300], i.url, i.date, i.raw_date[:80], i.locator) for i in found.items[:MAX_POSTS]]
    out = SourceRead("html", menus=menus, rejected_dates=[f"{r.raw}: {r.reason}" for r in found.rejected[:10]])
    if posts:
        out.posts = _newest_first(posts)
        return out
    said = _account_placeholder(found.content_text) or found.placeholder or placeholder_in(found.content_text)
    if said:
        out.posts, out.placeholder = [], said
    elif found.needs_render:
        out.problem = "the post list is filled by script: no post could be read without a browser"
    else:
        out.problem = "no post list recognised on the page (no dated entries, no 暂无内容 notice)"
    return out


def _account_placeholder(text: str) -> str:
    low = unicodedata.normalize("NFKC", text or "")
    for phrase in ACCOUNT_PLACEHOLDERS:
        if phrase in low:
            return phrase
    return ""


# --- entry point ------------------------------------------------------------------------------------------


def _newest_first(posts: list[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: (p.published is None, -(p.published.toordinal() if p.published else 0)))


def read_source(result: FetchResult, as_of: datetime) -> SourceRead:
    """Posts, placeholder and menus of a fetched homepage/feed, by what the bytes are."""
    kind = sniff(result.body, result.content_type)
    if kind == "json":
        return read_json(result, as_of)
    if kind == "feed":
        return read_feed(result, as_of)
    return read_html(result, as_of)


__all__ = ["SourceRead", "absolutise_relative_dates", "date_value", "read_source", "relative_date", "sniff"]
