"""The per-site crawl: homepage (also the availability probe), internal pages in plan order, link status.

The homepage is always fetched, robots.txt or not: it is the registered site being inspected, as a
visitor opening it. Every other internal page honours robots.txt (``settings.fetch.obey_robots``).
Each response goes into the site's WARC file, and each HTML page is parsed once into a
:class:`PageView` that the checks share. Link discovery reads hrefs straight from that parse tree,
de-duplicates them per page and resolves them with :func:`resolve_href`, producing exactly the URL
strings ``PageView.links`` produces (so ``SiteCrawl.links`` is keyed the way checks look links up).
"""

from __future__ import annotations

import asyncio
import heapq
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from govinspect.archive.pageview import Link, PageView, resolve_href
from govinspect.archive.warc import WarcWriter
from govinspect.checks.base import SiteView
from govinspect.fetch.charset import decode_html, looks_binary
from govinspect.fetch.client import SITE_PRIORITY, Fetcher, PriorityGate
from govinspect.fetch.links import LinkChecker, link_result
from govinspect.fetch.types import (
    OWN_REFUSALS,
    TRANSIENT,
    Attempt,
    FailureClass,
    FetchResult,
    LinkResult,
    LinkState,
)
from govinspect.registry.models import Site
from govinspect.settings import Settings

MAX_LINK_TARGETS = 2000  # unique link+image targets checked per site
MAX_ATTACHMENTS = 20
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_EXTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et")
# Targets that are never HTML pages: checked as links, not crawled.
NON_PAGE_EXTS = ATTACHMENT_EXTS + (
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg", ".ico", ".zip", ".rar", ".7z", ".gz",
    ".tar", ".mp4", ".mp3", ".avi", ".flv", ".wmv", ".swf", ".ppt", ".pptx", ".txt", ".xml", ".apk",
    ".exe", ".css", ".js", ".ofd", ".csv",
)
HTML_TYPES = ("text/html", "application/xhtml+xml", "")

ROLE_HOMEPAGE = "homepage"
ROLE_COLUMN = "column"
ROLE_LIST = "list"
ROLE_ITEM = "item"
ROLE_OTHER = "other"


@dataclass
class Attachment:
    url: str
    content_type: str
    body: bytes
    warc_record_id: str | None
    truncated: bool


@dataclass
class SiteCrawl:
    """Everything fetched for one site in one run (see module docstring)."""

    site: Site
    homepage: PageView | None
    homepage_result: FetchResult | None
    pages: list[PageView] = field(default_factory=list)
    links: dict[str, LinkResult] = field(default_factory=dict)
    attempts: list[Attempt] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    pages_left_out: int = 0
    warc_path: Path = Path()
    results: dict[str, FetchResult] = field(default_factory=dict)  # every crawl fetch by requested URL

    def release_trees(self, *, derived: bool = False) -> int:
        """Drop the cached parse trees of the pages (a lexbor tree is ~20x its HTML) and the nodes that
        keep them alive (:meth:`PageView.release`); a later ``page.tree`` re-parses. With ``derived``
        also what was computed from them. Returns how many trees were dropped."""
        dropped = 0
        for view in self.pages:
            if "tree" in view.__dict__:
                dropped += 1
            view.release(derived=derived)
        spider = self.extras.get("spider_view")
        if spider is not None:
            spider.release(derived=derived)
        return dropped

    def to_site_view(self) -> SiteView:
        failure = ""
        if self.homepage_result is not None and not self.homepage_result.ok:
            failure = str(self.homepage_result.failure or "")
        return SiteView(
            site=self.site, homepage=self.homepage, pages=list(self.pages), links=dict(self.links),
            attempts=list(self.attempts), extras=dict(self.extras), pages_left_out=self.pages_left_out,
            homepage_failure=failure,
        )


class CrawlPlan(Protocol):
    def priority(self, page: PageView, link: Link, depth: int) -> int | None:
        """Lower is fetched sooner; None means do not fetch. ``link`` carries ``url`` and ``raw_href``."""
        ...


@dataclass(slots=True)
class _PageContext:
    nav: set[str]
    pagination: dict[str, int]
    items: dict[str, int]


_PAGE_NO = re.compile(r"(?:index|list|page)[_-](\d+)\.s?html?$|[?&](?:page|pageno|p|pn|cur)=(\d+)", re.I)
_ITEM_URL = re.compile(r"/t\d{8}_\d+\.s?html?$|/(?:art|content|info|detail)[_/-]\d+|/\d{6,8}/[a-z0-9_]+\.s?html?$",
                       re.I)
_DATE = re.compile(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_NAV_SEL = "[class*=nav] a[href], [id*=nav] a[href], [class*=Nav] a[href], [class*=menu] a[href], [id*=menu] a[href]"
_PAGER_SEL = ("[class*=page] a[href], [id*=page] a[href], [class*=Page] a[href], [class*=fenye] a[href], "
              "[class*=pager] a[href]")
_LIST_SEL = "[class*=list] li, [class*=List] li, [class*=news] li, [class*=list] tr, [class*=lb] li"
_PAGER_WORDS = ("下一页", "上一页", "尾页", "末页", "下页", "上页")


class DefaultPlan:
    """Homepage → navigation links (栏目) → their list pages (pagination) → items, newest first.

    Roles are guessed from where a link was found: navigation → ``column``, pagination → ``list``,
    a list entry → ``item``; anything else internal is ``other`` and comes last.
    """

    COLUMN, LIST, ITEM, OTHER = 100, 2000, 3000, 10000

    def __init__(self, max_list_pages: int = 3) -> None:
        self.max_list_pages = max_list_pages
        self._contexts: dict[int, tuple[PageView, _PageContext]] = {}

    def _context(self, page: PageView) -> _PageContext:
        held = self._contexts.get(id(page))
        if held is not None and held[0] is page:
            return held[1]
        if len(self._contexts) > 64:
            self._contexts.clear()
        tree = page.tree
        nav = {n.attrs.get("href") or "" for n in tree.css(_NAV_SEL)}
        pagination: dict[str, int] = {}
        for node in tree.css(_PAGER_SEL):
            href = node.attrs.get("href") or ""
            pagination[href] = _page_number(href, node.text(strip=True))
        items: dict[str, int] = {}
        dated: list[tuple[str, int, str]] = []
        for pos, row in enumerate(tree.css(_LIST_SEL)):
            anchor = row.css_first("a[href]")
            if anchor is None:
                continue
            href = anchor.attrs.get("href") or ""
            if href in nav or href in pagination:
                continue
            match = _DATE.search(row.text(strip=True))
            stamp = f"{match.group(1)}{int(match.group(2)):02d}{int(match.group(3)):02d}" if match else ""
            dated.append((stamp, -pos, href))
        dated.sort(reverse=True)  # newest first; undated keep page order after dated ones
        for rank, (_, _, href) in enumerate(dated):
            items.setdefault(href, rank)
        ctx = _PageContext(nav, pagination, items)
        self._contexts[id(page)] = (page, ctx)
        return ctx

    def classify(self, page: PageView, link: Link) -> tuple[str, int]:
        """``(role, rank)`` of a link target as seen from ``page``."""
        ctx = self._context(page)
        raw = link.raw_href
        if raw in ctx.pagination:
            return ROLE_LIST, ctx.pagination[raw]
        if _PAGE_NO.search(raw):
            return ROLE_LIST, _page_number(raw, "")
        if raw in ctx.nav:
            return ROLE_COLUMN, 0
        if raw in ctx.items:
            return ROLE_ITEM, ctx.items[raw]
        if _ITEM_URL.search(raw):
            return ROLE_ITEM, 500
        return ROLE_OTHER, 0

    def role(self, page: PageView, link: Link) -> str:
        return self.classify(page, link)[0]

    def priority(self, page: PageView, link: Link, depth: int) -> int | None:
        role, rank = self.classify(page, link)
        if role == ROLE_LIST:
            if rank > self.max_list_pages:
                return None
            return self.LIST + rank * 10 + depth
        if role == ROLE_COLUMN:
            return self.COLUMN + depth * 100
        if role == ROLE_ITEM:
            return self.ITEM + rank * 10 + depth
        return self.OTHER + depth * 100


def _page_number(href: str, text: str) -> int:
    match = _PAGE_NO.search(href)
    if match:
        return int(match.group(1) or match.group(2) or 1)
    if text.isdigit():
        return int(text)
    if text in _PAGER_WORDS:
        return 1
    return 1


@lru_cache(maxsize=4096)
def site_domain(host: str) -> str:
    """The domain whose sub-hosts count as internal: the host without ``www.``, but never above the
    registrable domain (so ``www.gov.cn`` does not make every ``*.gov.cn`` internal)."""
    host = host.lower().rstrip(".")
    bare = host[4:] if host.startswith("www.") else host
    registrable = _registrable(host)
    if registrable and len(bare) < len(registrable):
        return host
    return bare


@lru_cache(maxsize=1)
def _extractor() -> Any:
    import tldextract

    # The suffix list bundled with the package: no network fetch, ever.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _registrable(host: str) -> str:
    if host.replace(".", "").isdigit() or ":" in host:
        return host
    parts = _extractor()(host)
    return parts.top_domain_under_public_suffix if hasattr(parts, "top_domain_under_public_suffix") \
        else parts.registered_domain


def extract_targets(page: PageView) -> tuple[dict[str, str], dict[str, str]]:
    """``({url: raw_href} of links, {url: raw_src} of images)``, each URL once, as PageView resolves them."""
    tree = page.tree
    base = page.base_url
    links: dict[str, str] = {}
    for raw in dict.fromkeys(n.attrs.get("href") or "" for n in tree.css("a[href]")):
        url = resolve_href(base, raw)
        if url is not None and url not in links:
            links[url] = raw
    images: dict[str, str] = {}
    for raw in dict.fromkeys(n.attrs.get("src") or "" for n in tree.css("img[src]")):
        url = resolve_href(base, raw)
        if url is not None and url not in images:
            images[url] = raw
    return links, images


def _is_html(result: FetchResult) -> bool:
    ctype = result.content_type
    if ctype in HTML_TYPES:
        return ctype != "" or result.body.lstrip()[:1] == b"<"
    return False


def _path_ext(url: str) -> str:
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return path[dot:] if dot > path.rfind("/") else ""


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


async def probe_homepage(url: str, fetcher: Fetcher, settings: Settings
                         ) -> tuple[Attempt, FetchResult, dict[str, Any] | None]:
    """One availability probe of a homepage (site.unreachable), however many tries it took.

    The rule counts a probe as failed when the site "still does not open" within the time limit, so a
    transient failure that a retry recovers is not a failed probe; the tries are kept in the detail.
    The crawl and the week-long monitor (``monitor/sampler.py``) both probe through this function.
    Returns the probe, the final fetch result and the TLS facts of an https homepage.
    """
    tries = settings.fetch.retries + 1
    result: FetchResult | None = None
    tls: dict[str, Any] | None = None
    started = datetime.now(UTC)
    elapsed = 0.0
    attempt = 0
    for attempt in range(tries):
        result, tls = await fetcher.fetch_with_tls(url, retries=0)
        elapsed += result.elapsed
        transient = result.failure in TRANSIENT or result.status in (502, 503, 504)
        if not transient or attempt + 1 >= tries:
            break
        await asyncio.sleep(settings.fetch.backoff * (2 ** attempt))
    assert result is not None
    result.attempts = attempt + 1
    # A body cut at our own size cap still opened: the cap is the inspector's limit, not the site failing.
    opened = result.ok or (result.failure is FailureClass.TOO_LARGE and result.status is not None
                           and result.status < 400)
    own = result.failure in OWN_REFUSALS and not result.redirects  # a refused redirect is the site's doing
    probe = Attempt(at=result.fetched_at or started, ok=opened, elapsed=elapsed,
                    status=result.status, failure=result.failure, own_refusal=own)
    return probe, result, tls


async def _homepage(site: Site, fetcher: Fetcher, settings: Settings, crawl: SiteCrawl
                    ) -> FetchResult:
    """The homepage fetch: one availability probe (:func:`probe_homepage`) kept on the crawl."""
    probe, result, tls = await probe_homepage(site.homepage, fetcher, settings)
    crawl.attempts.append(probe)
    if tls is not None:
        crawl.extras["tls"] = tls
        if result.failure is FailureClass.TLS:
            # The certificate is judged (security.tls); the content is still inspected.
            insecure = await fetcher.fetch(site.homepage, retries=0, verify=False)
            insecure.attempts = result.attempts
            if insecure.status is not None:
                result = insecure
    return result


def _make_page(result: FetchResult, depth: int, role: str) -> PageView | None:
    if not _is_html(result) or result.status is None:
        return None
    if looks_binary(result.body):
        return None
    html, encoding = decode_html(result)
    return PageView.from_result(result, html, encoding, depth=depth, role=role)


async def crawl_site(site: Site, settings: Settings, fetcher: Fetcher, links: LinkChecker, warc_path: Path,
                     plan: CrawlPlan | None = None, *, keep_trees: bool = True,
                     keep_derived: bool = True, parse_gate: PriorityGate | None = None) -> SiteCrawl:
    """Crawl one site into a :class:`SiteCrawl`; network problems become classified results, not errors.

    ``keep_trees=False`` drops each page's parse tree once its links are read (bounded memory for many
    sites in parallel; checks then parse a page again on first use). ``keep_derived=False`` also drops
    what the crawl plan computed from the tree (links with locators, text…), for pages analysed in
    another process, which derives them again there. ``parse_gate`` (one per run) orders the parsing of
    fetched pages across the sites crawled at once by :data:`SITE_PRIORITY`.
    """
    plan = plan or DefaultPlan(settings.crawl.max_list_pages)
    started = time.monotonic()
    writer = WarcWriter(warc_path, user_agent=fetcher.user_agent,
                        info={"site_code": site.site_code, "homepage": site.homepage,
                              "operator": fetcher.user_agent})
    crawl = SiteCrawl(site=site, homepage=None, homepage_result=None, warc_path=Path(warc_path))
    try:
        await _crawl(site, settings, fetcher, links, writer, plan, crawl, keep_trees, keep_derived, parse_gate)
    finally:
        writer.close()
    if not keep_trees:
        crawl.release_trees(derived=not keep_derived)
    crawl.extras["crawl_seconds"] = round(time.monotonic() - started, 3)
    return crawl


async def _crawl(site: Site, settings: Settings, fetcher: Fetcher, checker: LinkChecker, writer: WarcWriter,
                 plan: CrawlPlan, crawl: SiteCrawl, keep_trees: bool, keep_derived: bool,
                 parse_gate: PriorityGate | None) -> None:
    cs = settings.crawl
    home = await _homepage(site, fetcher, settings, crawl)
    writer.write(home)
    crawl.homepage_result = home
    crawl.results[home.url] = home
    crawl.extras["headers"] = list(home.headers)
    if home.status is None:
        crawl.extras["attachments"] = []
        return
    home_view = await asyncio.to_thread(_make_page, home, 0, ROLE_HOMEPAGE)
    if home_view is None and _is_html(home):
        home_view = PageView.from_result(home, "", "binary", depth=0, role=ROLE_HOMEPAGE)
    crawl.homepage = home_view

    hosts = {_host(home.url), _host(home.final_url)}
    domains = {site_domain(h) for h in hosts if h}

    def internal(url: str) -> bool:
        host = _host(url)
        return host in hosts or any(host.endswith("." + d) for d in domains)

    spider_task = asyncio.ensure_future(
        fetcher.fetch(site.homepage, user_agent=settings.fetch.spider_user_agent, retries=0))

    # url -> (is_image, internal) for every target seen, in discovery order
    targets: dict[str, tuple[bool, bool]] = {}
    seen: set[str] = {home.url, home.final_url}
    for redirect in home.redirects:
        seen.add(redirect)
    heap: list[tuple[int, int, str, int, str]] = []
    seq = 0
    left_out = 0
    robots_blocked = 0
    role_of = getattr(plan, "role", None)

    def discover(page: PageView) -> None:
        nonlocal seq, left_out
        found, images = extract_targets(page)
        depth = page.depth + 1
        for url, raw in found.items():
            known = targets.get(url)  # menus and footers repeat on every page: judge each target once
            if known is None:
                known = targets[url] = (False, internal(url))
            if not known[1] or url in seen:
                continue
            seen.add(url)
            if _path_ext(url) in NON_PAGE_EXTS:
                continue
            if depth > cs.max_depth:
                left_out += 1
                continue
            link = Link(url, "", "", raw)
            prio = plan.priority(page, link, depth)
            if prio is None:
                continue
            role = role_of(page, link) if role_of is not None else ROLE_OTHER
            seq += 1
            heapq.heappush(heap, (prio, seq, url, depth, role))
        for url in images:
            if url not in targets:
                targets[url] = (True, internal(url))

    if home_view is not None:
        crawl.pages.append(home_view)
        await asyncio.to_thread(discover, home_view)

    def read_page(result: FetchResult, depth: int, role: str) -> PageView | None:
        """Parse a fetched page and queue its links (one trip to a thread per page)."""
        page = _make_page(result, depth, role)
        if page is not None:
            if _host(result.final_url) and internal(result.final_url):
                discover(page)
            if not keep_trees:
                page.release(derived=not keep_derived)
        return page

    budget = max(0, cs.page_budget - 1)
    workers = max(2, settings.fetch.per_host_concurrency * 2)
    launched = 0
    in_flight: dict[asyncio.Task[FetchResult | None], tuple[str, int, str]] = {}

    async def fetch_page(url: str) -> FetchResult | None:
        if not await fetcher.robots.allowed(url):
            return None
        return await fetcher.fetch(url)

    try:
        while heap or in_flight:
            while heap and len(in_flight) < workers and launched < budget:
                _, _, url, depth, role = heapq.heappop(heap)
                task = asyncio.ensure_future(fetch_page(url))
                in_flight[task] = (url, depth, role)
                launched += 1
            if not in_flight:
                break
            done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            for task in [t for t in in_flight if t in done]:  # launch (priority) order, not set order
                url, depth, role = in_flight.pop(task)
                result = task.result()
                if result is None:
                    robots_blocked += 1
                    crawl.links[url] = LinkResult(url=url, state=LinkState.UNCONFIRMED,
                                                  failure=FailureClass.ROBOTS, error="disallowed by robots.txt")
                    continue
                writer.write(result)
                crawl.results[url] = result
                if parse_gate is None:
                    page = await asyncio.to_thread(read_page, result, depth, role)
                else:  # the run's process parses one page at a time anyway (GIL): the earliest site first
                    async with parse_gate.slot(SITE_PRIORITY.get()):
                        page = await asyncio.to_thread(read_page, result, depth, role)
                if page is not None:
                    crawl.pages.append(page)
    finally:
        for task in in_flight:
            task.cancel()
    left_out += len(heap)
    crawl.pages_left_out = left_out
    crawl.extras["robots_disallowed"] = robots_blocked

    spider = await spider_task
    writer.write(spider)
    spider_view = await asyncio.to_thread(_make_page, spider, 0, ROLE_HOMEPAGE)
    if spider_view is not None:
        crawl.extras["spider_view"] = spider_view

    await _attachments(targets, fetcher, writer, crawl)
    await _check_links(targets, settings, checker, crawl)


async def _attachments(targets: dict[str, tuple[bool, bool]], fetcher: Fetcher, writer: WarcWriter,
                       crawl: SiteCrawl) -> None:
    wanted = [url for url, (is_image, _) in targets.items()
              if not is_image and _path_ext(url) in ATTACHMENT_EXTS][:MAX_ATTACHMENTS]

    async def one(url: str) -> Attachment:
        result = await fetcher.fetch(url, max_bytes=ATTACHMENT_MAX_BYTES)
        writer.write(result)
        crawl.results[url] = result
        return Attachment(url, result.content_type, result.body if result.ok or result.truncated else b"",
                          result.warc_record_id, result.truncated)

    found = await asyncio.gather(*(one(url) for url in wanted))
    crawl.extras["attachments"] = [a for a in found if a.body]


async def _check_links(targets: dict[str, tuple[bool, bool]], settings: Settings, checker: LinkChecker,
                       crawl: SiteCrawl) -> None:
    cs = settings.crawl
    skipped = 0
    todo: list[tuple[str, FetchResult | None]] = []
    for count, (url, (is_image, is_internal)) in enumerate(targets.items()):
        if url in crawl.links:
            continue
        if count >= MAX_LINK_TARGETS:
            crawl.links[url] = LinkResult(url=url, state=LinkState.SKIPPED, error="per-site link budget spent")
            skipped += 1
            continue
        if (is_image and not cs.check_images) or (not is_image and not is_internal and not cs.check_external_links):
            crawl.links[url] = LinkResult(url=url, state=LinkState.SKIPPED, error="not checked by settings")
            skipped += 1
            continue
        fetched = crawl.results.get(url)
        if fetched is not None and fetched.status is not None and fetched.status < 400 and (
                fetched.failure in (None, FailureClass.TOO_LARGE)):
            result = link_result(url, LinkState.OK, fetched)
            crawl.links[url] = result
            checker.record(url, result)
            continue
        known = checker.known(url)
        if known is not None:
            crawl.links[url] = known
            continue
        todo.append((url, fetched if fetched is not None and fetched.status is not None else None))
    crawl.extras["links_skipped"] = skipped
    crawl.extras["links_checked"] = len(todo)
    gate = asyncio.Semaphore(32)

    async def one(url: str, first: FetchResult | None) -> None:
        async with gate:
            crawl.links[url] = await checker.check(url, first=first)

    await asyncio.gather(*(one(url, first) for url, first in todo))
