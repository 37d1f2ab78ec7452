"""content.dark_link: links or keyword blocks hidden from readers (暗链), and cloaking for search engines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from govinspect.archive.pageview import PageView, resolve_href
from govinspect.checks.base import CheckContext, CheckParams, Input, Scope, SiteView
from govinspect.content.hidden import find_hidden_blocks, script_links
from govinspect.checks.lexicon_check import LexiconCheck
from govinspect.content.lexicon import (
    Hit, host_of, page_text_scan, registrable_domain, same_site,
)
from govinspect.findings.model import Evidence, Finding

TOGGLE_TECHNIQUES = {"display_none", "hidden_attribute", "visibility_hidden"}
# Three or more text nodes of one to three characters in a row (<span>真</span><span>人</span>…): a hidden
# block reads them joined by spaces, where an interleaved term can stand; the page text has one per line.
_SHORT_LINES = re.compile(r"\n(?:[^\n]{1,3}\n){2,}[^\n]{1,3}(?=\n|$)")


class DarkLinks(LexiconCheck):
    """Hidden content that carries links to foreign hosts or spam words, on every fetched page.

    Static: inline styles and the page's own ``<style>`` rules (display:none, visibility:hidden,
    opacity:0, off-screen positions, text-indent:-9999px, zero size with overflow hidden, font-size 0/1px,
    text colour equal to the background, tiny or racing ``<marquee>``), the ``hidden`` attribute, hidden
    zero-size iframes, elements an inline script hides as the page loads (getElementById(…).style.display
    ='none', $('#…').hide()), and links written by scripts (document.write, also behind fromCharCode/
    unescape). A page whose text has no spam term and which links to no foreign host is not walked.
    Rendered: pages the browser rendered (``extras["rendered"]``) whose links are invisible on screen.
    Cloaking: the homepage served to a search-engine User-Agent (``extras["spider_view"]``) carrying
    foreign links or spam words the browser version lacks.

    Not dark links: hidden menus and pop-ups of the site's own or government/trusted links (mobile
    menus, 友情链接 drop-downs revealed on hover), skip links, hidden search forms, screen-reader text.
    """

    id = "content.dark_link"
    scope = Scope.SITE
    inputs = (Input.PAGES, Input.SPIDER_VIEW, Input.RENDERED)

    class Params(CheckParams):
        lexicon_path: str | None = None
        max_findings_per_page: int = 10
        max_nodes: int = 200_000  # elements walked per page
        cloaking_min_domains: int = 2  # extra foreign domains that alone make a spider view cloaked

    # ---- helpers ---------------------------------------------------------------------------------
    def _hits(self, text: str, *, weak_ok: bool) -> list[Hit]:
        if not text:
            return []
        _, hits = self.lexicon.scan(text[:20_000])
        return [h for h in hits if h.counts and (weak_ok or h.strong)]

    def _foreign(self, url: str, hosts: list[str]) -> bool:
        host = host_of(url)
        if not host:
            return False
        key = (host, tuple(hosts))
        cache = self._foreign_cache
        if key not in cache:
            if len(cache) > 20_000:
                cache.clear()
            cache[key] = not same_site(host, hosts) and not self.lexicon.is_trusted_host(host)
        return cache[key]

    @cached_property
    def _foreign_cache(self) -> dict[tuple[str, tuple[str, ...]], bool]:
        return {}

    def _worth_walking(self, page: PageView, hosts: list[str]) -> bool:
        """Whether static analysis can find anything: a hidden block only matters when it carries a spam
        term (then the page text has one) or a link to a foreign host (then the page has one)."""
        _, hits = page_text_scan(page, self.lexicon, 1_000_000)
        if hits or self._split_term(page.text):
            return True
        if any(self._foreign(link.url, hosts) for link in page.links):
            return True
        for node in page.tree.css("iframe[src], area[href], frame[src]"):
            url = resolve_href(page.base_url, node.attributes.get("src") or node.attributes.get("href") or "")
            if url and self._foreign(url, hosts):
                return True
        return False

    def _split_term(self, text: str) -> bool:
        """A term spread over short text nodes (one per line in the page text), read as a hidden block reads
        it: the nodes joined by spaces, with the end of the line before and the start of the line after."""
        text = "\n" + text
        for run in _SHORT_LINES.finditer(text):
            before = text[text.rfind("\n", 0, run.start()) + 1: run.start()][-2:]
            line_end = text.find("\n", run.end() + 1)
            after = text[run.end() + 1: line_end if line_end >= 0 else len(text)][:2]
            _, hits = self.lexicon.scan(" ".join((before, *run.group(0).split(), after)))
            if hits:
                return True
        return False

    # ---- run -------------------------------------------------------------------------------------
    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        view = target
        pages: list[PageView] = []
        if view.homepage is not None:
            pages.append(view.homepage)
        pages.extend(p for p in view.pages if p is not view.homepage and p.url != getattr(view.homepage, "url", None))
        rendered: dict[str, Any] = view.extras.get("rendered") or {}
        for page in pages:
            yield from self.page_findings(page, ctx, rendered.get(page.url) or rendered.get(page.final_url))
        spider = view.extras.get("spider_view")
        if isinstance(spider, PageView) and view.homepage is not None:
            yield from self.cloaking(view.homepage, spider, ctx)

    def page_findings(self, page: PageView, ctx: CheckContext, rendered: dict[str, Any] | None = None
                      ) -> Iterator[Finding]:
        """Dark links of one page: static hidden blocks, script-written links, rendered invisibility."""
        p = self.params
        assert isinstance(p, DarkLinks.Params)
        hosts = [host_of(ctx.site.homepage), host_of(page.final_url), host_of(page.url)]
        reported: set[str] = set()
        count = 0
        blocks = find_hidden_blocks(page, max_nodes=p.max_nodes) if self._worth_walking(page, hosts) else []
        for block in blocks:
            if count >= p.max_findings_per_page:
                return
            toggle = block.toggle and block.technique in TOGGLE_TECHNIQUES
            anchor_text = " ".join(t for _, t, _ in block.links)
            hits = self._hits(block.text + "\n" + anchor_text, weak_ok=not toggle)
            foreign = [u for u, _, _ in block.links if self._foreign(u, hosts)]
            if not hits and (toggle or not foreign):
                continue  # a menu the page reveals, or hidden text without foreign links or spam
            terms = sorted({h.term for h in hits})
            reported.update(foreign)
            count += 1
            why = []
            if foreign:
                why.append(f"{len(foreign)} link(s) to other domains ({', '.join(sorted({registrable_domain(host_of(u)) for u in foreign})[:5])})")
            if terms:
                why.append(f"spam term(s) {', '.join(terms[:8])}")
            yield self.finding(
                ctx, page.url, target=foreign[0] if foreign else None,
                detail={"technique": block.technique, "how": block.declaration, "links": foreign[:50],
                        "terms": terms, "categories": sorted({h.category for h in hits}), "source": "static"},
                excerpt=_excerpt(block, terms), locator=block.locator, warc_record=page.warc_record_id,
                reason=f"hidden by {block.declaration}; carries " + " and ".join(why),
            )
        for link in script_links(page):
            if count >= p.max_findings_per_page:
                return
            if link.url in reported or not self._foreign(link.url, hosts):
                continue
            hits = self._hits(link.text, weak_ok=True)
            if not (link.obfuscated or link.hidden_markup or hits):
                continue
            reported.add(link.url)
            count += 1
            how = "obfuscated script" if link.obfuscated else "script"
            yield self.finding(
                ctx, page.url, target=link.url,
                detail={"technique": "script_written", "how": how, "links": [link.url],
                        "terms": sorted({h.term for h in hits}), "hidden_markup": link.hidden_markup,
                        "source": "static"},
                excerpt=link.snippet, locator=link.locator, warc_record=page.warc_record_id,
                reason=f"link to {host_of(link.url)} written by an {how}"
                + (" inside hidden markup" if link.hidden_markup else "")
                + (f" with spam term(s) {', '.join(sorted({h.term for h in hits}))}" if hits else ""),
            )
        if rendered and rendered.get("links"):  # also partial results of pages that never finished loading
            for item in rendered.get("links", [])[:2000]:
                if count >= p.max_findings_per_page:
                    return
                url = str(item.get("href") or "")
                if item.get("visible", True) or not url or url in reported:
                    continue
                hits = self._hits(str(item.get("text") or ""), weak_ok=True)
                if not (self._foreign(url, hosts) or hits):
                    continue
                reported.add(url)
                count += 1
                reasons = [str(r) for r in item.get("reasons", [])]
                finding = self.finding(
                    ctx, page.url, target=url,
                    detail={"technique": "rendered", "how": ", ".join(reasons), "links": [url],
                            "terms": sorted({h.term for h in hits}), "box": item.get("box"),
                            "computed": {k: item.get(k) for k in ("display", "visibility", "opacity", "color",
                                                                  "background", "font_size")},
                            "source": "rendered"},
                    excerpt=str(item.get("text") or "")[:200] or url, locator=str(item.get("locator") or ""),
                    warc_record=page.warc_record_id,
                    reason=f"invisible in the rendered page ({', '.join(reasons) or 'not visible'})",
                )
                shot = rendered.get("screenshot")
                if shot:
                    finding.evidence = Evidence(finding.evidence.excerpt, finding.evidence.locator,
                                                finding.evidence.warc_record, finding.evidence.reason, str(shot))
                yield finding

    def cloaking(self, browser: PageView, spider: PageView, ctx: CheckContext) -> Iterator[Finding]:
        """The homepage shows search engines foreign links or spam words that readers do not get."""
        p = self.params
        assert isinstance(p, DarkLinks.Params)
        hosts = [host_of(ctx.site.homepage), host_of(browser.final_url), host_of(spider.final_url)]

        def foreign_domains(page: PageView) -> dict[str, str]:
            out: dict[str, str] = {}
            for link in page.links:
                if self._foreign(link.url, hosts):
                    out.setdefault(registrable_domain(host_of(link.url)), link.text)
            return out

        def terms(page: PageView) -> set[str]:
            return {h.term for h in self._hits(page.title + "\n" + page.text[:500_000], weak_ok=True)}

        seen_by_browser = foreign_domains(browser)
        extra_domains = {d: t for d, t in foreign_domains(spider).items() if d not in seen_by_browser}
        extra_terms = sorted(terms(spider) - terms(browser))
        spam_domains = [d for d, t in extra_domains.items() if self._hits(t, weak_ok=True)]
        if not (extra_terms or spam_domains or len(extra_domains) >= p.cloaking_min_domains):
            return
        parts = []
        if extra_domains:
            parts.append(f"links to {', '.join(sorted(extra_domains)[:5])}")
        if extra_terms:
            parts.append(f"spam term(s) {', '.join(extra_terms[:8])}")
        excerpt = ""
        if extra_terms:
            norm, hits = self.lexicon.scan(spider.title + "\n" + spider.text[:500_000])
            for hit in hits:
                if hit.term == extra_terms[0]:
                    excerpt = norm.excerpt(hit.start, hit.end)
                    break
        yield self.finding(
            ctx, browser.url, target=None,
            detail={"technique": "cloaking", "how": "spider user-agent", "links": sorted(extra_domains)[:50],
                    "terms": extra_terms, "source": "spider_view",
                    "spider_warc_record": spider.warc_record_id},
            excerpt=excerpt or ", ".join(sorted(extra_domains)[:5]), locator="page:spider_view",
            warc_record=spider.warc_record_id or browser.warc_record_id,
            reason="the homepage served to a search-engine User-Agent carries " + " and ".join(parts)
            + " that the browser version does not",
        )


def _excerpt(block: Any, terms: list[str]) -> str:
    text = block.text or " ".join(f"{t} {u}" for u, t, _ in block.links)
    if not text:
        return block.html
    for term in terms:
        pos = text.lower().find(term)
        if pos >= 0:
            return text[max(0, pos - 40): pos + len(term) + 60]
    return text[:160] + (" → " + block.links[0][0] if block.links else "")

