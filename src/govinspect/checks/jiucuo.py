"""jiucuo.missing — 找错入口未按要求设置: no 我为政府网站找错 entrance in the page-bottom area."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

from pydantic import Field

from govinspect.checks.base import Check, CheckContext, CheckParams, Input, NotApplicable, Scope, SiteView
from govinspect.checks.footer import FooterArea, sample_pages
from govinspect.findings.model import Finding

JIUCUO_HOST = "zfwzgl.www.gov.cn"
_JIUCUO_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?[^\"'>\s]*zfwzgl\.www\.gov\.cn/exposure/jiucuo\.js[^>]*>", re.I
)
_SCRIPT_CODE = re.compile(r"\bsitecode\s*=\s*[\"']?([A-Za-z0-9]{10})", re.I)
_JIUCUO_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']?[^\"'>\s]*jiucuo\.png", re.I)


class JiucuoMissing(Check):
    """找错入口: the 我为政府网站找错 entrance (全国政府网站找错 platform) in the page-bottom area of every page.

    An entrance is a footer link to zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=…, the jiucuo.png
    image, a footer link reading 我为政府网站找错/找错, or the platform's jiucuo.js script (counted
    wherever it sits: it draws the entrance in place). Checked on the homepage and ``sample_pages`` other
    pages. An entrance elsewhere on the page (header, side bar) does not count. An entrance carrying another
    site's code is reported as ``wrong_site_code`` wherever it is.
    """

    id = "jiucuo.missing"
    scope = Scope.SITE
    inputs = (Input.HOMEPAGE, Input.PAGES)

    class Params(CheckParams):
        sample_pages: int = Field(10, ge=0, le=1000)
        site_kinds: tuple[str, ...] = ("portal", "department")

    @staticmethod
    def entrance(area: FooterArea) -> tuple[bool, set[str]]:
        """Whether the page has an entrance, and the site codes the entrances carry."""
        found = False
        codes: set[str] = set()
        for link in area.page.links:
            parts = urlsplit(link.url)
            if (parts.hostname or "").lower() == JIUCUO_HOST and "jiucuo" in parts.path.lower():
                found = found or link.in_footer
                codes.update(v.strip() for v in parse_qs(parts.query).get("site_code", []) if v.strip())
            elif link.in_footer and "找错" in link.text:
                found = True
        for match in _JIUCUO_SCRIPT.finditer(area.page.html):
            found = True
            codes.update(m.group(1) for m in _SCRIPT_CODE.finditer(match.group(0)))
        if _JIUCUO_IMAGE.search(area.html):
            found = True
        return found, codes

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        if str(ctx.site.kind) not in self.params.site_kinds:
            raise NotApplicable(f"找错 entrance not required for {ctx.site.kind} sites (site_kinds setting)")
        areas = [FooterArea(p) for p in sample_pages(target, self.params.sample_pages)]
        areas = [a for a in areas if a.seen]
        if not areas:
            raise NotApplicable("no fetched page with a page-bottom area: fetch the homepage first")
        missing: list[FooterArea] = []
        wrong: dict[str, FooterArea] = {}
        own = ctx.site.site_code.lower()
        for area in areas:
            found, codes = self.entrance(area)
            if not found:
                missing.append(area)
            for code in codes:
                if code.lower() != own:
                    wrong.setdefault(code, area)
        if not missing and not wrong:
            return
        first = missing[0] if missing else next(iter(wrong.values()))
        wrong_code = sorted(wrong)[0] if wrong else None
        reasons = []
        if missing:
            reasons.append(f"no 找错 entrance in the page-bottom area of {len(missing)} of {len(areas)} pages")
        if wrong_code:
            reasons.append(f"the entrance carries site code {wrong_code}, not {ctx.site.site_code}")
        yield self.finding(
            ctx,
            first.page.url,
            detail={
                "pages_checked": len(areas),
                "pages_missing": len(missing),
                "missing_pages": [a.page.url for a in missing[:5]],
                "wrong_site_code": wrong_code,
            },
            excerpt=first.page.footer_text[:300],
            locator=first.locator,
            warc_record=first.page.warc_record_id,
            reason="; ".join(reasons),
        )
