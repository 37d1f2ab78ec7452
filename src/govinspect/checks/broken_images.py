"""image.broken — 图片无法显示: an image target that is dead or answers with something that is no image."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from govinspect.checks.base import Check, CheckContext, CheckParams, Input, Scope, SiteView
from govinspect.checks.dead_links import Sighting, failure_detail, host_of, pages_homepage_first, site_hosts
from govinspect.fetch.types import LinkResult, LinkState
from govinspect.findings.model import Finding


class BrokenImages(Check):
    """图片无法显示: an ``<img>`` whose target is DEAD, or answered OK with a non-image type (a "soft 404").

    A soft 404 is a server answering a missing image with an HTML (or other text) page and status 200.
    Only the content types in ``soft404_types`` count, so ``application/octet-stream`` or a missing
    Content-Type (common for images on old servers) is not judged broken. One finding per image target.
    """

    id = "image.broken"
    scope = Scope.SITE
    inputs = (Input.PAGES, Input.IMAGES)

    class Params(CheckParams):
        soft404_types: tuple[str, ...] = Field(
            ("text/html", "application/xhtml+xml", "text/plain", "application/json"), min_length=1
        )

    def problem(self, result: LinkResult) -> dict[str, object] | None:
        """The finding detail for a broken image, or None when the image is fine (or not judged)."""
        if result.state is LinkState.DEAD:
            return {"kind": "dead", **failure_detail(result)}
        ctype = result.content_type.split(";")[0].strip().lower()
        if result.state is LinkState.OK and ctype in self.params.soft404_types:
            return {"kind": "not_image", "status": result.status, "content_type": ctype}
        return None

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        sightings: dict[str, tuple[Sighting, str]] = {}
        homepage = target.homepage
        for page in pages_homepage_first(target):
            is_home = page is homepage
            for image in page.images:
                result = target.links.get(image.url)
                if result is None or self.problem(result) is None:
                    continue
                entry = sightings.get(image.url)
                if entry is None:
                    entry = sightings[image.url] = (Sighting(page, image.locator, image.alt, is_home), image.raw_src)
                entry[0].pages.add(page.url)
                entry[0].on_homepage = entry[0].on_homepage or is_home
        internal_hosts = site_hosts(target)
        for url, (seen, raw_src) in sightings.items():
            result = target.links[url]
            detail = self.problem(result) or {}
            detail.update(
                internal=host_of(url) in internal_hosts,
                on_homepage=seen.on_homepage,
                pages=len(seen.pages),
                alt=seen.text[:100],
            )
            if detail["kind"] == "not_image":
                why = f"answered {detail['status']} with {detail['content_type']} instead of an image"
            elif "status" in detail:
                why = f"answered HTTP {detail['status']}"
            else:
                why = f"failed ({detail['failure']})"
            yield self.finding(
                ctx,
                seen.page.url,
                target=url,
                detail=detail,
                excerpt=f'<img src="{raw_src[:200]}" alt="{seen.text[:60]}">',
                locator=seen.locator,
                warc_record=seen.page.warc_record_id,
                reason=f"image {why}; on {len(seen.pages)} page(s)",
            )
