"""PageView: one fetched HTML page, decoded and parsed once, shared read-only by every check.

Checks never fetch; everything they need about a page is here, computed lazily and cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from urllib.parse import urljoin, urldefrag

from selectolax.lexbor import LexborHTMLParser, LexborNode

from govinspect.fetch.types import FetchResult

SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "about:", "sms:", "weixin:")


@dataclass(slots=True, frozen=True)
class Link:
    """An ``<a href>`` on a page, resolved to an absolute URL (fragment dropped)."""

    url: str
    text: str
    locator: str  # CSS-like path for the evidence
    raw_href: str
    in_footer: bool = False


@dataclass(slots=True, frozen=True)
class Image:
    url: str
    alt: str
    locator: str
    raw_src: str


def node_locator(node: LexborNode) -> str:
    """A short CSS path (``css:div#foot > p:nth-of-type(2) > a``) good enough to find the node again."""
    parts: list[str] = []
    current: LexborNode | None = node
    depth = 0
    while current is not None and current.tag not in ("html", "-undef", None) and depth < 6:
        tag = current.tag
        attrs = current.attributes
        ident = attrs.get("id") if attrs else None
        if ident:
            parts.append(f"{tag}#{ident}")
            break
        cls = (attrs.get("class") or "").split() if attrs else []
        parts.append(f"{tag}.{cls[0]}" if cls else tag)
        current = current.parent
        depth += 1
    return "css:" + " > ".join(reversed(parts))


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
        """Visible-ish text of the body (scripts and styles removed)."""
        body = self.tree.body
        if body is None:
            return ""
        clone = LexborHTMLParser(body.html or "")
        clone.strip_tags(["script", "style", "noscript", "template"])
        root = clone.body
        return root.text(separator="\n", strip=True) if root is not None else ""

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

    def _resolve(self, href: str) -> str | None:
        """Absolute http(s) URL of an href/src (fragment dropped), memoised per page: navigation and
        footer links repeat, and ``urljoin`` is the cost of link extraction, not parsing."""
        cache = self.__dict__.setdefault("_resolved", {})
        if href in cache:
            return cache[href]
        raw = href.strip()
        if not raw or raw.lower().startswith(SKIP_SCHEMES):
            url = None
        else:
            url, _ = urldefrag(raw if raw.startswith(("http://", "https://")) else urljoin(self.base_url, raw))
            if not url.startswith(("http://", "https://")):
                url = None
        cache[href] = url
        return url

    @cached_property
    def links(self) -> list[Link]:
        footer_anchors = {a.mem_id for n in self.footer_nodes for a in n.css("a[href]")}
        out: list[Link] = []
        for node in self.tree.css("a[href]"):
            raw = node.attributes.get("href") or ""
            url = self._resolve(raw)
            if url is None:
                continue
            out.append(Link(url, node.text(strip=True), node_locator(node), raw, node.mem_id in footer_anchors))
        return out

    @cached_property
    def images(self) -> list[Image]:
        out: list[Image] = []
        for node in self.tree.css("img[src]"):
            raw = node.attributes.get("src") or ""
            url = self._resolve(raw)
            if url is None:
                continue
            out.append(Image(url, node.attributes.get("alt") or "", node_locator(node), raw))
        return out

    def release(self) -> None:
        """Drop the parse tree and what hangs on it (a lexbor tree is ~20x its HTML); the next access
        re-parses. The pipeline calls this once a page's checks have run, to bound memory."""
        for name in ("tree", "footer_nodes"):
            self.__dict__.pop(name, None)

    def excerpt(self, needle: str, width: int = 60) -> str:
        """Text around ``needle`` in the page text (for evidence); empty when absent."""
        text = self.text
        pos = text.find(needle)
        if pos < 0:
            return ""
        start = max(0, pos - width)
        return text[start : pos + len(needle) + width].replace("\n", " ")
