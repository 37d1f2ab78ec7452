"""PageView: one fetched HTML page, decoded and parsed once, shared read-only by every check.

Checks never fetch; everything they need about a page is here, computed lazily and cached.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar, overload
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from govinspect.fetch.types import FetchResult

SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "about:", "sms:", "weixin:")
NON_TEXT_TAGS = ("script", "style", "noscript", "template")  # never part of a page's visible text
PROSE_SKIP_TAGS = ("a", "nav", "select", "option", "button", "label")  # menus and link lists, not prose
_HTTP = ("http://", "https://")
_UNSAFE_IN_FAST_PATH = ("#", ";", "\t", "\r", "\n", "/.")

_T = TypeVar("_T")


class cached_property(Generic[_T]):  # noqa: N801 - drop-in for functools.cached_property
    """``functools.cached_property`` without its class-wide lock (as in Python 3.12).

    On 3.11 the stdlib version holds one lock per property for *all* instances while computing, so a
    thread parsing one page blocks every other thread reading any page's tree. Two threads computing
    the same page's value at once both compute it; the values are equal and the last one is kept.
    """

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attrname = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_property[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self.func(instance)
        instance.__dict__[self.attrname] = value
        return value


@lru_cache(maxsize=4096)
def _origin(base: str) -> str:
    """``scheme://netloc`` of a base URL (raises ValueError where ``urljoin`` would)."""
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def resolve_href(base: str, href: str) -> str | None:
    """Absolute http(s) URL of an ``href``/``src`` on a page whose base URL is ``base``, fragment
    dropped; None for scripts, mail, anchors and other schemes.

    Exactly ``urldefrag(urljoin(base, href))`` (an absolute href taken as is), with two shortcuts
    that give the same string: an absolute URL without ``#`` is returned unchanged (``urldefrag``
    does not re-parse it), and a root-relative path without dot segments, parameters, fragment or an
    empty query is appended to the base's origin. Other relative hrefs are joined once per (base,
    href): the same ones repeat on every page of a directory.
    """
    raw = href.strip()
    if not raw or raw.lower().startswith(SKIP_SCHEMES):
        return None
    if raw.startswith(_HTTP):
        return raw if "#" not in raw else urldefrag(raw)[0]
    if (raw[:1] == "/" and raw[:2] != "//" and base.startswith(_HTTP) and not raw.endswith("?")
            and not any(c in raw for c in _UNSAFE_IN_FAST_PATH)):
        return _origin(base) + raw
    return _joined(base, raw)


@lru_cache(maxsize=16384)
def _joined(base: str, raw: str) -> str | None:
    url = urldefrag(urljoin(base, raw))[0]
    return url if url.startswith(_HTTP) else None


class Link:
    """An ``<a href>`` on a page, resolved to an absolute URL (fragment dropped).

    ``locator`` (the CSS-like path for the evidence) may be given as a string or computed on first
    use: a page has a hundred links and a finding quotes one, so :attr:`PageView.links` defers the path
    walk until a check asks for it (the page re-parses if its tree was dropped meanwhile). A link does
    not keep its page alive: asked after the page is gone, it has no path to give ("").
    """

    __slots__ = ("url", "text", "_locator", "raw_href", "in_footer")

    def __init__(self, url: str, text: str, locator: str | Callable[[], str], raw_href: str,
                 in_footer: bool = False) -> None:
        self.url = url
        self.text = text
        self._locator = locator
        self.raw_href = raw_href
        self.in_footer = in_footer

    @property
    def locator(self) -> str:
        found = self._locator
        if not isinstance(found, str):
            found = self._locator = found()
        return found

    def _key(self) -> tuple[str, str, str, str, bool]:
        return (self.url, self.text, self.locator, self.raw_href, self.in_footer)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Link) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Link(url={self.url!r}, text={self.text!r}, locator={self.locator!r}, "
                f"raw_href={self.raw_href!r}, in_footer={self.in_footer!r})")

    def __getstate__(self) -> tuple[str, str, str, str, bool]:
        return self._key()

    def __setstate__(self, state: tuple[str, str, str, str, bool]) -> None:
        self.url, self.text, self._locator, self.raw_href, self.in_footer = state


class _AnchorLocator:
    """The locator of the ``index``-th ``<a href>`` of a page, computed when first asked (weakly bound:
    a page's links must not keep the page alive)."""

    __slots__ = ("page", "index")

    def __init__(self, page: PageView, index: int) -> None:
        self.page = weakref.ref(page)
        self.index = index

    def __call__(self) -> str:
        page = self.page()
        if page is None:
            return ""
        had_tree = "tree" in page.__dict__
        nodes = page._anchor_nodes
        found = node_locator(nodes[self.index], page._locator_memo) if self.index < len(nodes) else ""
        if not had_tree:
            page.release()  # parsed again only for this answer: keep memory as the caller left it
        return found


@dataclass(slots=True, frozen=True)
class Image:
    url: str
    alt: str
    locator: str
    raw_src: str


def node_locator(node: LexborNode, memo: dict[int, tuple[str, ...]] | None = None) -> str:
    """A short CSS path (``css:div#foot > p:nth-of-type(2) > a``) good enough to find the node again.

    Up to six steps up, stopping at an element with an id. ``memo`` (one per tree) shares the
    ancestors' steps between the nodes of one page: the links of a list share all but their last.
    """
    return "css:" + " > ".join(reversed(_locator_steps(node, {} if memo is None else memo)))


_LOCATOR_STOP = ("html", "-undef", None)


def _locator_steps(node: LexborNode | None, memo: dict[int, tuple[str, ...]]) -> tuple[str, ...]:
    """Steps from ``node`` upwards (at most six, ending at an element with an id), memoised by node."""
    chain: list[LexborNode] = []
    steps: tuple[str, ...] = ()
    while node is not None and node.tag not in _LOCATOR_STOP:
        known = memo.get(node.mem_id)
        if known is not None:
            steps = known
            break
        chain.append(node)
        node = node.parent
    for current in reversed(chain):
        tag = current.tag
        attrs = current.attributes
        ident = attrs.get("id") if attrs else None
        if ident:
            steps = (f"{tag}#{ident}",)
        else:
            cls = (attrs.get("class") or "").split() if attrs else []
            steps = ((f"{tag}.{cls[0]}" if cls else tag), *steps[:5])
        memo[current.mem_id] = steps
    return steps


def visible_text(root: LexborNode, skip: tuple[str, ...] = ()) -> str:
    """``root.text(separator="\\n", strip=True)`` without the text inside :data:`NON_TEXT_TAGS` (and the
    tags in ``skip``).

    One pass over the tree: subtrees with nothing to skip are read by lexbor in one call; only the
    ancestors of skipped elements are walked node by node.
    """
    tags = (*NON_TEXT_TAGS, *skip)
    skipped = root.css(", ".join(tags))
    if not skipped:
        return root.text(separator="\n", strip=True)
    top = root.mem_id
    holders: set[int] = set()
    for node in skipped:
        parent = node.parent
        while parent is not None and parent.mem_id != top and parent.mem_id not in holders:
            holders.add(parent.mem_id)
            parent = parent.parent
    parts: list[str] = []
    stack = [root.iter(include_text=True)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.is_text_node:
            parts.append((child.text_content or "").strip())
        elif not child.is_element_node or child.tag in tags:
            continue
        elif child.mem_id in holders:
            stack.append(child.iter(include_text=True))
        else:
            text = child.text(separator="\n", strip=True)
            if text or child.text():  # "" is one blank text node, or none at all
                parts.append(text)
    return "\n".join(parts)


class PageView:
    """A decoded HTML page with its parse tree, links, images and text."""

    FOOTER_SELECTORS = (
        "footer", "#footer", ".footer", "#foot", ".foot", "#bottom", ".bottom", "#copyright",
        ".copyright", ".ft", "#ft", ".site-footer", ".bot", "#bot", ".dibu", "#dibu", ".db", "#db",
    )

    def __init__(
        self,
        url: str,
        html: str,
        *,
        final_url: str | None = None,
        status: int | None = 200,
        encoding: str = "utf-8",
        warc_record_id: str | None = None,
        fetched_at: datetime | None = None,
        depth: int = 0,
        role: str = "other",  # homepage / column / list / item / other
        content_type: str = "text/html",
    ) -> None:
        self.url = url
        self.final_url = final_url or url
        self.html = html
        self.status = status
        self.encoding = encoding
        self.warc_record_id = warc_record_id
        self.fetched_at = fetched_at
        self.depth = depth
        self.role = role
        self.content_type = content_type

    @classmethod
    def from_result(cls, result: FetchResult, html: str, encoding: str, **kw: object) -> PageView:
        return cls(
            result.url,
            html,
            final_url=result.final_url,
            status=result.status,
            encoding=encoding,
            warc_record_id=result.warc_record_id,
            fetched_at=result.fetched_at,
            content_type=result.content_type or "text/html",
            **kw,  # type: ignore[arg-type]
        )

    @cached_property
    def tree(self) -> LexborHTMLParser:
        return LexborHTMLParser(self.html)

    @cached_property
    def base_url(self) -> str:
        base = self.tree.css_first("base[href]")
        href = base.attributes.get("href") if base is not None else None
        return urljoin(self.final_url, href.strip()) if href else self.final_url

    @cached_property
    def title(self) -> str:
        node = self.tree.css_first("title")
        return node.text(strip=True) if node is not None else ""

    @cached_property
    def meta(self) -> dict[str, str]:
        """``<meta name=… content=…>`` by lower-cased name (SiteIDCode → siteidcode, PubDate → pubdate)."""
        out: dict[str, str] = {}
        for node in self.tree.css("meta[name], meta[property], meta[http-equiv]"):
            attrs = node.attributes
            key = attrs.get("name") or attrs.get("property") or attrs.get("http-equiv") or ""
            if key:
                out.setdefault(key.strip().lower(), (attrs.get("content") or "").strip())
        return out

    @cached_property
    def text(self) -> str:
        """Visible-ish text of the body (scripts and styles removed): every text node of the body
        outside ``script``/``style``/``noscript``/``template``, stripped, one per line."""
        body = self.tree.body
        if body is None:
            return ""
        return visible_text(body)

    @cached_property
    def prose_text(self) -> str:
        """The body's running text: :attr:`text` without links, navigation and form controls.

        What a page says in its own sentences, not the names in its menus, 友情链接 and related-link
        lists (a 机构职能 page listing neighbouring cities' portals does not describe them)."""
        body = self.tree.body
        if body is None:
            return ""
        return visible_text(body, PROSE_SKIP_TAGS)

    @cached_property
    def footer_nodes(self) -> list[LexborNode]:
        """The page-bottom function area (底部功能区): footer-like containers, else the last blocks."""
        found: list[LexborNode] = []
        for sel in self.FOOTER_SELECTORS:
            found.extend(self.tree.css(sel))
        if found:
            return found
        body = self.tree.body
        if body is None:
            return []
        blocks = [n for n in body.iter() if n.tag in ("div", "table", "section", "p", "center", "footer")]
        return blocks[-3:]

    @cached_property
    def footer_text(self) -> str:
        return "\n".join(n.text(separator=" ", strip=True) for n in self.footer_nodes)

    @cached_property
    def footer_html(self) -> str:
        return "\n".join(n.html or "" for n in self.footer_nodes)

    @cached_property
    def links(self) -> list[Link]:
        """Every resolvable ``<a href>`` in page order; locators are computed when a check quotes one."""
        footer_anchors = {a.mem_id for n in self.footer_nodes for a in n.css("a[href]")}
        base = self.base_url
        out: list[Link] = []
        for index, node in enumerate(self._anchor_nodes):
            raw = node.attributes.get("href") or ""
            url = resolve_href(base, raw)
            if url is None:
                continue
            out.append(Link(url, node.text(strip=True), _AnchorLocator(self, index), raw,
                            node.mem_id in footer_anchors))
        return out

    @cached_property
    def _anchor_nodes(self) -> list[LexborNode]:
        """The ``<a href>`` nodes of the current tree (dropped with it; the order is the document's)."""
        return self.tree.css("a[href]")

    @cached_property
    def _locator_memo(self) -> dict[int, tuple[str, ...]]:
        """:func:`node_locator`'s memo for the current tree (node ids are only valid in that tree)."""
        return {}

    @cached_property
    def anchors(self) -> list[tuple[str, str, str]]:
        """``(url, text, raw_href)`` of every resolvable ``<a href>``, in page order: :attr:`links` without
        locators and footer flags, for readers that only need targets and texts (the crawl plan,
        pagination, search links) and should not pay for evidence paths on every page."""
        if "links" in self.__dict__:
            return [(link.url, link.text, link.raw_href) for link in self.links]
        base = self.base_url
        out: list[tuple[str, str, str]] = []
        for node in self._anchor_nodes:
            raw = node.attributes.get("href") or ""
            url = resolve_href(base, raw)
            if url is not None:
                out.append((url, node.text(strip=True), raw))
        return out

    @cached_property
    def images(self) -> list[Image]:
        base = self.base_url
        memo: dict[int, tuple[str, ...]] = {}
        out: list[Image] = []
        for node in self.tree.css("img[src]"):
            attrs = node.attributes
            raw = attrs.get("src") or ""
            url = resolve_href(base, raw)
            if url is None:
                continue
            out.append(Image(url, attrs.get("alt") or "", node_locator(node, memo), raw))
        return out

    def release(self, *, derived: bool = False) -> None:
        """Drop the parse tree and what hangs on it (a lexbor tree is ~20x its HTML); the next access
        re-parses. The pipeline calls this once a page's checks have run, to bound memory. With
        ``derived`` also drop what was computed from the tree (links, text…), except the base URL."""
        for name in ("tree", "footer_nodes", "_anchor_nodes", "_locator_memo"):
            self.__dict__.pop(name, None)
        if derived:
            for name in _CACHED:
                if name != "base_url":
                    self.__dict__.pop(name, None)

    def __getstate__(self) -> dict[str, Any]:
        """What crosses a process boundary: the page as fetched, not its caches (a parse tree cannot
        be pickled, and re-deriving the rest is cheaper than shipping it)."""
        return {k: v for k, v in self.__dict__.items() if k not in _CACHED or k == "base_url"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def excerpt(self, needle: str, width: int = 60) -> str:
        """Text around ``needle`` in the page text (for evidence); empty when absent."""
        text = self.text
        pos = text.find(needle)
        if pos < 0:
            return ""
        start = max(0, pos - width)
        return text[start : pos + len(needle) + width].replace("\n", " ")


# Attributes of a PageView derived from its HTML (dropped when pickled).
_CACHED = frozenset(name for name, value in vars(PageView).items() if isinstance(value, cached_property))
