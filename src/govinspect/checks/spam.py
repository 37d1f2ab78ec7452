"""content.spam: gambling, porn and illegal-service words or links injected into a page (涉赌涉黄信息)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from govinspect.archive.pageview import PageView, node_locator
from govinspect.checks.base import CheckContext, CheckParams, Input, Scope
from govinspect.checks.lexicon_check import LexiconCheck
from govinspect.content.lexicon import (
    STRONG,
    Hit,
    Lexicon,
    Normalised,
    distinct_concepts,
    host_of,
    page_text_scan,
    same_site,
)
from govinspect.findings.model import Finding


class Spam(LexiconCheck):
    """Spam lexicon terms in the title, meta keywords/description, body text or link texts.

    Text is normalised (NFKC, full-width, case, traditional characters, symbol-interleaved letters)
    and matched with one Aho-Corasick automaton. A strong term (a gambling brand, 真人百家乐, 代开发票)
    is spam wherever it stands; a weak term (赌博, 彩票, 色情) only in a stuffed title or meta, in the
    text of a link to a non-government host, or with enough other weak terms in the body; a weak term
    next to a contact offer (加微信, QQ：…, a mobile number) is an advert and counts as strong. Every
    keywords/description meta tag is read (injected pages add a second one). Context rules excuse
    legitimate government writing: 打击/查处/警惕/嫌疑人… before a term, 案/违法… after it, whitelisted
    phrases (中国福利彩票, 体彩11选5, 澳门特别行政区) and, for weak terms, such a phrase in the same
    sentence; the subject of the sentence (纳税人…代开发票 is a tax-office service) unless an offer stands
    next to it; and for a 警情通报/反诈/破获/彩票 page (title or 栏目), weak terms and quoted names.
    The page text is scanned once per page and shared with content.dark_link.
    """

    id = "content.spam"
    scope = Scope.PAGE
    inputs = (Input.PAGES,)

    class Params(CheckParams):
        lexicon_path: str | None = None  # a YAML lexicon replacing the packaged one
        max_text_chars: int = 1_000_000  # body text scanned per page; the rest is reported as not scanned
        max_findings: int = 20  # per page
        excerpt_chars: int = 40

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
                    "level": STRONG if any(h.strong for h in hits) else "weak",
                    "interleaved": any(h.interleaved for h in hits),
                    "lexicon_version": lex.version,
                },
                excerpt=norm.excerpt(first.start, first.end, p.excerpt_chars),
                locator=locator, warc_record=page.warc_record_id, reason=reason,
            )

        # the body text, scanned once per page (content.dark_link reads the same scan)
        text = page.text
        truncated = len(text) > p.max_text_chars
        norm, hits = page_text_scan(page, lex, p.max_text_chars)

        # 1. link texts: any term to a foreign host, a strong term to anywhere (skipped when no link text
        #    can hold a term: see _links_may_carry_terms)
        for link in page.links if _links_may_carry_terms(page, lex, hits, text[: p.max_text_chars]) else ():
            if count >= p.max_findings:
                return
            if not link.text:
                continue
            lnorm, lhits = lex.scan(link.text[:1000])
            live = [h for h in lhits if h.counts]
            if not live:
                continue
            host = host_of(link.url)
            foreign = bool(host) and not same_site(host, site_hosts) and not lex.is_trusted_host(host)
            strong = [h for h in live if h.strong]
            if foreign or strong:
                chosen = live if foreign else strong
                where = "foreign link" if foreign else "link"
                count += 1
                yield emit("anchor", chosen, lnorm, link.locator, target_url=link.url,
                           reason=f"{where} text carries spam term(s) {', '.join(sorted({h.term for h in chosen}))}")

        # 2. title and meta (every keywords/description tag: injected pages often add a second one):
        #    a strong term, or a stuffed run of distinct weak terms
        zones = [("title", page.title, "css:title")]
        for key, value in _meta_values(page):
            zones.append(("meta", value, f"css:meta[name={key}]"))
        for where, zone_text, locator in zones:
            znorm, zhits = lex.scan(zone_text[:5000])
            live = [h for h in zhits if h.counts]
            strong = [h for h in live if h.strong]
            if strong or len(distinct_concepts(h.term for h in live)) >= lex.title_min_distinct:
                if count >= p.max_findings:
                    return
                count += 1
                chosen = strong or live
                yield emit(where, chosen, znorm, locator,
                           reason=f"{where} carries spam term(s) {', '.join(sorted({h.term for h in chosen}))}")

        # 3. body text: each strong term once; weak terms only when several distinct ones stand unexcused
        if not hits:
            return
        topic = lex.topic_excused(page.title + "\n" + page.meta.get("columnname", ""))
        quoted: set[int] = set()
        if topic:  # a 警情通报 / 反诈 page names the games it warns about, in quotes
            quoted = {id(h) for h in hits if h.counts and h.strong and lex.quoted(norm.text, h.start, h.end)}
        live = [h for h in hits if h.counts and id(h) not in quoted and h.term not in reported]
        by_term: dict[str, Hit] = {}
        occurrences: dict[str, int] = {}
        for hit in live:
            if hit.strong:
                by_term.setdefault(hit.term, hit)
                occurrences[hit.term] = occurrences.get(hit.term, 0) + 1
        for term, hit in by_term.items():
            if count >= p.max_findings:
                return
            count += 1
            how = " (written with interleaved symbols)" if hit.interleaved else ""
            if hit.solicited and hit.level != STRONG:
                how += f" (offered with {hit.solicited})"
            finding = emit("body", [hit], norm, _locate(page, norm.original_span(hit.start, hit.end)),
                           reason=f"page text carries spam term {term}{how}")
            finding.detail["occurrences"] = occurrences[term]
            if truncated:
                finding.detail["text_truncated_at"] = p.max_text_chars
            yield finding
        weak = [h for h in live if not h.strong]
        distinct = distinct_concepts(h.term for h in weak)
        if not topic and len(distinct) >= lex.weak_min_distinct and count < p.max_findings:
            first_of: dict[str, Hit] = {}
            for hit in weak:
                first_of.setdefault(hit.term, hit)
            chosen = sorted(first_of.values(), key=lambda h: h.start)
            yield emit("body", chosen, norm, _locate(page, norm.original_span(chosen[0].start, chosen[0].end)),
                       reason=f"page text carries {len(distinct)} distinct spam terms without an excusing context")


_META_KD = re.compile(r"<meta\b[^>]*?\bname\s*=\s*[\"']?\s*(?:keywords|description)\b", re.I)


def _meta_values(page: PageView) -> list[tuple[str, str]]:
    """Every ``<meta name=keywords|description>`` content, in page order (an injected page often carries a
    second one). The parsed ``page.meta`` holds the first of each; the tree is walked only when the head
    has more tags than that."""
    known = [(key, page.meta[key]) for key in ("keywords", "description") if page.meta.get(key)]
    end = page.html.find("</head>", 0, 200_000)
    head = page.html[: end if end >= 0 else 200_000]
    if len(_META_KD.findall(head)) <= len(known):
        return known
    out = []
    for node in page.tree.css("meta[name]"):
        attrs = node.attributes
        key = (attrs.get("name") or "").strip().lower()
        if key in ("keywords", "description") and (attrs.get("content") or "").strip():
            out.append((key, (attrs.get("content") or "").strip()))
    return out[:10]


def _links_may_carry_terms(page: PageView, lex: Lexicon, text_hits: list[Hit], scanned: str) -> bool:
    """Whether a link text can hold a spam term. A link text that is a line of the scanned page text was
    read with it (no term there, none in the link); one written over several elements
    (``<a><span>百</span><span>家乐</span></a>``) is one string in the link but several lines in the page
    text, so those link texts are scanned here, together."""
    if text_hits:
        return True
    lines = set(scanned.split("\n"))
    rest = [link.text[:1000] for link in page.links if link.text and link.text not in lines]
    return bool(rest) and bool(lex.scan("\n".join(rest))[1])


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
