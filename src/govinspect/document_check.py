"""``govinspect check``: run the page-level checks on documents before they are published (先审后发).

Local files (HTML, text, PDF, DOCX, XLSX, XLS) are read with :func:`load_document`; URLs are fetched with
govinspect's own client (SSRF guard, size caps, charset decoding). Every document is read first; if any
cannot be read, nothing is checked and one error names every unreadable document, so a typo in one path
never yields a silently partial result.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext, Scope, SiteView
from govinspect.checks.registry import build_checks
from govinspect.content.documents import MAX_BYTES, DocumentError, load_document
from govinspect.findings.model import CheckRun, Finding, Outcome
from govinspect.registry.models import Site, SiteKind
from govinspect.settings import Settings

log = logging.getLogger(__name__)


def check_documents(paths_or_urls: list[str], settings: Settings, region: str | None,
                    *, as_of: datetime | None = None) -> list[Finding]:
    """Findings of every PAGE-scope check on each document; ``region`` is the publishing site's 省/市/县."""
    findings, runs = check_documents_with_runs(paths_or_urls, settings, region, as_of=as_of)
    for run in runs:
        if run.outcome is Outcome.ERROR:
            log.warning("check_failed check=%s message=%s", run.check, run.message)
    return findings


def check_documents_with_runs(paths_or_urls: list[str], settings: Settings, region: str | None,
                              *, as_of: datetime | None = None) -> tuple[list[Finding], list[CheckRun]]:
    """Like :func:`check_documents`, also returning one outcome per check (completed, not_applicable, error)."""
    from govinspect.pipeline import run_checks

    if not paths_or_urls:
        raise DocumentError("no documents given: pass one or more files or a URL")
    pages = load_targets(paths_or_urls, settings)
    tz = ZoneInfo(settings.timezone)
    now = datetime.now(tz)
    site = Site(site_code="", name="document check", homepage=pages[0].url, region=region or "",
                host_org="", kind=SiteKind.PORTAL)
    view = SiteView(site=site, homepage=None, pages=pages)
    ctx = CheckContext(as_of=as_of or now, site=site, observed_at=now, site_view=view)
    checks = [c for c in build_checks(settings) if c.scope is Scope.PAGE]
    return run_checks(view, checks, ctx)


def load_targets(paths_or_urls: list[str], settings: Settings, *, max_bytes: int = MAX_BYTES) -> list[PageView]:
    """Read every file and fetch every URL into PageViews; raise one DocumentError naming all failures."""
    urls = [t for t in paths_or_urls if t.lower().startswith(("http://", "https://"))]
    pages: dict[str, PageView] = {}
    problems: list[str] = []
    for target in paths_or_urls:
        if target in urls:
            continue
        try:
            pages[target] = _load_file(target, max_bytes)
        except DocumentError as exc:
            problems.append(str(exc))
    if urls:
        fetched, failed = _run(_fetch_all(urls, settings))
        pages.update(fetched)
        problems.extend(failed)
    if problems:
        total = len(paths_or_urls)
        raise DocumentError(f"cannot read {len(problems)} of {total} document(s), nothing was checked: "
                            + "; ".join(problems))
    return [pages[t] for t in paths_or_urls]


def _load_file(target: str, max_bytes: int) -> PageView:
    path = Path(target[len("file://"):] if target.startswith("file://") else target)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise DocumentError(f"{target}: not a file; pass a file path or an http(s) URL")
        if size > max_bytes:
            raise DocumentError(f"{path.name}: {size} bytes, more than the {max_bytes} allowed; split the file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{target}: no such file; check the path") from None
    except PermissionError:
        raise DocumentError(f"{target}: permission denied; make the file readable") from None
    except IsADirectoryError:
        raise DocumentError(f"{target}: is a folder; pass the files inside it") from None
    return load_document(data, name=str(path), url=path.absolute().as_uri(), max_bytes=max_bytes)


def _run(coro):  # type: ignore[no-untyped-def]
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    raise DocumentError("check_documents was called inside a running event loop; call it from a worker thread")


async def _fetch_all(urls: list[str], settings: Settings) -> tuple[dict[str, PageView], list[str]]:
    from govinspect.fetch.charset import decode_html
    from govinspect.fetch.client import Fetcher

    pages: dict[str, PageView] = {}
    problems: list[str] = []
    async with Fetcher(settings.fetch) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(u) for u in urls))
    for url, result in zip(urls, results, strict=True):
        if not result.ok:
            why = result.failure or f"HTTP {result.status}"
            problems.append(f"{url}: fetch failed ({why}{': ' + result.error if result.error else ''})")
            continue
        if result.truncated:
            problems.append(f"{url}: body larger than fetch.max_body_bytes; raise the limit or save the file")
            continue
        ctype = result.content_type
        try:
            if ctype in ("text/html", "application/xhtml+xml", ""):
                text, encoding = decode_html(result)
                if encoding != "binary":
                    pages[url] = PageView.from_result(result, text, encoding, role="item")
                    continue
            pages[url] = load_document(result.body, name=result.final_url, url=result.final_url,
                                       content_type=result.header("content-type"))
        except DocumentError as exc:
            problems.append(str(exc))
    return pages, problems
