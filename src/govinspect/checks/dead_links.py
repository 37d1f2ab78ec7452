"""link.dead — 链接不可用: a link on a fetched page whose target stayed dead after retries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from govinspect.archive.pageview import PageView
from govinspect.checks.base import Check, CheckContext, Input, Scope, SiteView
from govinspect.fetch.types import LinkResult, LinkState
from govinspect.findings.model import Finding


def host_of(url: str) -> str:
    """Lower-case host name without port or trailing dot ('' for a URL without host)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def pages_homepage_first(view: SiteView) -> list[PageView]:
    """Every fetched page once, the homepage first (so "first seen" prefers the homepage)."""
    out: list[PageView] = []
    seen: set[int] = set()
    for page in ([view.homepage] if view.homepage is not None else []) + list(view.pages):
        if id(page) not in seen:
            seen.add(id(page))
            out.append(page)
    return out


def site_hosts(view: SiteView) -> set[str]:
    """The hosts that count as "this site": the registry homepage and where it redirected."""
    hosts = {host_of(view.site.homepage)}
    if view.homepage is not None:
        hosts.add(host_of(view.homepage.final_url))
    hosts.discard("")
    return hosts


def failure_detail(result: LinkResult) -> dict[str, object]:
    """``status`` when the target answered, else the ``failure`` class."""
    if result.status is not None:
        return {"status": result.status}
    return {"failure": str(result.failure) if result.failure is not None else "other"}


@dataclass
class Sighting:
    """Where one bad target was seen: the first page (homepage preferred) and how many pages."""

    page: PageView
    locator: str
    text: str
    on_homepage: bool
    pages: set[str] = field(default_factory=set)


class DeadLinks(Check):
    """链接不可用: one finding per dead link target (首页 or 其他页面), with the page where it was first seen.

    Only targets the fetch stage confirmed DEAD count; UNCONFIRMED answers (429, WAF-style 403, robots)
    and SKIPPED targets are never findings. ``internal`` means the same host as the homepage (ports and
    letter case ignored). The profile scores homepage and other-page dead links differently.
    """

    id = "link.dead"
    scope = Scope.SITE
    inputs = (Input.PAGES, Input.LINKS)

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        sightings: dict[str, Sighting] = {}
        homepage = target.homepage
        for page in pages_homepage_first(target):
            is_home = page is homepage
            for link in page.links:
                result = target.links.get(link.url)
                if result is None or result.state is not LinkState.DEAD:
                    continue
                seen = sightings.get(link.url)
                if seen is None:
                    seen = sightings[link.url] = Sighting(page, link.locator, link.text, is_home)
                seen.pages.add(page.url)
                seen.on_homepage = seen.on_homepage or is_home
        internal_hosts = site_hosts(target)
        for url, seen in sightings.items():
            result = target.links[url]
            detail = failure_detail(result)
            detail.update(
                internal=host_of(url) in internal_hosts,
                on_homepage=seen.on_homepage,
                pages=len(seen.pages),
                text=seen.text[:100],
            )
            why = f"HTTP {result.status}" if result.status is not None else f"failure {detail['failure']}"
            yield self.finding(
                ctx,
                seen.page.url,
                target=url,
                detail=detail,
                excerpt=f"{seen.text} → {url}" if seen.text else url,
                locator=seen.locator,
                warc_record=seen.page.warc_record_id,
                reason=f"link target stayed dead after retries ({why}); on {len(seen.pages)} page(s)",
            )
