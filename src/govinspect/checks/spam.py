"""content.spam: gambling, porn and illegal-service words or links injected into a page (涉赌涉黄信息)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from govinspect.archive.pageview import PageView, node_locator
from govinspect.checks.base import Check, CheckContext, CheckParams, Input, Scope
from govinspect.content.lexicon import STRONG, Hit, Lexicon, Normalised, host_of, load_lexicon, same_site
from govinspect.findings.model import Finding


class Spam(Check):
    """Spam lexicon terms in the title, meta keywords/description, body text or link texts.

    Text is normalised (NFKC, full-width, case, traditional characters, symbol-interleaved letters)
    and matched with one Aho-Corasick automaton. A strong term (a gambling brand, 真人百家乐, 代开发票)
    is spam wherever it stands; a weak term (赌博, 彩票, 色情) only in a stuffed title or meta, in the
    text of a link to a non-government host, or with enough other weak terms in the body. Context rules
    excuse legitimate government writing: 打击/查处/警惕… before a term, 案/违法… after it, whitelisted
    phrases (中国福利彩票, 体彩11选5, 澳门特别行政区), and for weak terms a 警情通报/反诈/彩票 page title.
    """

    id = "content.spam"
    scope = Scope.PAGE
    inputs = (Input.PAGES,)

    class Params(CheckParams):
        lexicon_path: str | None = None  # a YAML lexicon replacing the packaged one
        max_text_chars: int = 1_000_000  # body text scanned per page; the rest is reported as not scanned
        max_findings: int = 20  # per page
        excerpt_chars: int = 40

    def __init__(self, params: CheckParams | None = None, *, lexicon: Lexicon | None = None) -> None:
        super().__init__(params)
        self._lexicon = lexicon

    @cached_property
    def lexicon(self) -> Lexicon:
        p = self.params
        assert isinstance(p, Spam.Params)
        return self._lexicon or load_lexicon(p.lexicon_path)

    def run(self, target: PageView, ctx: CheckContext) -> Iterator[Finding]:
        p = self.params
        assert isinstance(p, Spam.Params)
        lex = self.lexicon
        page = target
        site_hosts = [host_of(ctx.site.homepage), host_of(page.final_url), host_of(page.url)]
        reported: set[str] = set()
        count = 0

        def emit(where: str, hits: list[Hit], norm: Normalised, locator: str, *, target_url: str | None = None,
                 reason: str) -> Finding:
            first = hits[0]
            terms = sorted({h.term for h in hits})
            if where == "anchor":
                reported.update(terms)  # link texts are part of the body text too
            return self.finding(
                ctx, page.url, target=target_url,
                detail={
                    "where": where,
                    "category": first.category,
                    "categories": sorted({h.category for h in hits}),
                    "terms": terms,
                    "level": STRONG if any(h.level == STRONG for h in hits) else "weak",
                    "interleaved": any(h.interleaved for h in hits),
                    "lexicon_version": lex.version,
                },
                excerpt=norm.excerpt(first.start, first.end, p.excerpt_chars),
                locator=locator, warc_record=page.warc_record_id, reason=reason,
            )

        # 1. link texts: any term to a foreign host, a strong term to anywhere
        for link in page.links:
            if count >= p.max_findings:
                return
            if not link.text:
                continue
            norm, hits = lex.scan(link.text[:1000])
            live = [h for h in hits if h.counts]
            if not live:
                continue
            host = host_of(link.url)
            foreign = bool(host) and not same_site(host, site_hosts) and not lex.is_trusted_host(host)
            strong = [h for h in live if h.level == STRONG]
            if foreign or strong:
                chosen = live if foreign else strong
                where = "foreign link" if foreign else "link"
                count += 1
                yield emit("anchor", chosen, norm, link.locator, target_url=link.url,
                           reason=f"{where} text carries spam term(s) {', '.join(sorted({h.term for h in chosen}))}")

        # 2. title and meta: a strong term, or a stuffed run of distinct weak terms
        zones = [("title", page.title, "css:title")]
        for key in ("keywords", "description"):
            if page.meta.get(key):
                zones.append(("meta", page.meta[key], f"css:meta[name={key}]"))
        for where, text, locator in zones:
            norm, hits = lex.scan(text[:5000])
            live = [h for h in hits if h.counts]
            strong = [h for h in live if h.level == STRONG]
            if strong or len({h.term for h in live}) >= lex.title_min_distinct:
                if count >= p.max_findings:
                    return
                count += 1
                chosen = strong or live
                yield emit(where, chosen, norm, locator,
                           reason=f"{where} carries spam term(s) {', '.join(sorted({h.term for h in chosen}))}")

        # 3. body text: each strong term once; weak terms only when several distinct ones stand unexcused
        text = page.text
        truncated = len(text) > p.max_text_chars
        norm, hits = lex.scan(text[: p.max_text_chars])
        topic = lex.topic_excused(page.title)
        if topic:  # a 警情通报 / 反诈 page names the games it warns about, in quotes
            for hit in hits:
                if hit.counts and hit.level == STRONG and _quoted(norm.text, hit.start, hit.end):
                    hit.excuse = f"quoted on a {topic} page"
        live = [h for h in hits if h.counts and h.term not in reported]
        by_term: dict[str, Hit] = {}
        occurrences: dict[str, int] = {}
        for hit in live:
            if hit.level == STRONG:
                by_term.setdefault(hit.term, hit)
                occurrences[hit.term] = occurrences.get(hit.term, 0) + 1
        for term, hit in by_term.items():
            if count >= p.max_findings:
                return
            count += 1
            finding = emit("body", [hit], norm, _locate(page, norm.original_span(hit.start, hit.end)),
                           reason=f"page text carries spam term {term}" + (" (written with interleaved symbols)"
                                                                            if hit.interleaved else ""))
            finding.detail["occurrences"] = occurrences[term]
            if truncated:
                finding.detail["text_truncated_at"] = p.max_text_chars
            yield finding
        weak = [h for h in live if h.level != STRONG]
        distinct = {h.term for h in weak}
        if not topic and len(distinct) >= lex.weak_min_distinct and count < p.max_findings:
            first_of = {}
            for hit in weak:
                first_of.setdefault(hit.term, hit)
            chosen = sorted(first_of.values(), key=lambda h: h.start)
            yield emit("body", chosen, norm, _locate(page, norm.original_span(chosen[0].start, chosen[0].end)),
                       reason=f"page text carries {len(distinct)} distinct spam terms without an excusing context")


def _locate(page: PageView, snippet: str, *, max_nodes: int = 100_000) -> str:
    """The element whose own text holds ``snippet`` (first occurrence), for the evidence locator."""
    body = page.tree.body
    snippet = snippet.strip()
    if body is None or not snippet:
        return "css:body"
    for seen, node in enumerate(body.traverse(include_text=True)):
        if seen >= max_nodes:
            break
        if node.tag == "-text" and snippet in (node.text_content or ""):
            parent = node.parent
            return node_locator(parent) if parent is not None else "css:body"
    return "css:body"


_OPEN_QUOTES = "“\"「『‘'《"
_CLOSE_QUOTES = "”\"」』’'》"


def _quoted(text: str, start: int, end: int) -> bool:
    return start > 0 and end < len(text) and text[start - 1] in _OPEN_QUOTES and text[end] in _CLOSE_QUOTES
