"""content.serious_error: misspelt leaders' names and misquoted official formulations (严重表述错误)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from govinspect.archive.pageview import PageView
from govinspect.checks.base import Check, CheckContext, CheckParams, Input, Scope
from govinspect.content.wording import WordingChecker, WordingLexicon, normalise
from govinspect.findings.model import Finding, Severity

_REASONS = {
    "phrase": "official formulation written wrong",
    "misquote": "known misquote of an official formulation",
    "enumeration": "wrong member in an official enumeration",
    "collocation": "verbs of official formulations swapped",
    "leader_name": "leader's name misspelt",
    "leader_title": "leader's name and title do not match",
}


class SeriousErrors(Check):
    """Misspelt names of current national leaders and misquoted official formulations (e.g. 四个意识 members).

    Exact lists plus near misses (same pinyin, one character off, adjacent swap) from the dated data
    file ``content/data/serious_errors.yaml``: fixed names (中华人民共合国 for 中华人民共和国), verbs swapped
    between formulations written together (增强“四个自信”、坚定“四个意识”), enumerations also when written inside a sentence (树立政治
    意识、…), 四个全面 by its 全面… members, the long 两个维护/两个确立 sentences one character off, and a
    same-reading name followed by 同志 when a speech is relayed (传达学习…). Traditional script is read as
    simplified. One finding per error on the page (title and text).
    """

    id = "content.serious_error"
    scope = Scope.PAGE
    inputs = (Input.PAGES, Input.ATTACHMENTS)

    class Params(CheckParams):
        kinds: tuple[str, ...] = ("phrase", "misquote", "enumeration", "collocation", "leader_name", "leader_title")
        max_findings_per_page: int = 20
        excerpt_chars: int = 30

    def __init__(self, params: CheckParams | None = None, *, lexicon: WordingLexicon | None = None) -> None:
        super().__init__(params)
        self._lexicon = lexicon

    @cached_property
    def checker(self) -> WordingChecker:
        return WordingChecker(self._lexicon)

    def run(self, target: PageView, ctx: CheckContext) -> Iterator[Finding]:
        p = self.params
        assert isinstance(p, SeriousErrors.Params)
        emitted = 0
        seen: set[tuple[str, str]] = set()
        for where, text in (("title", target.title), ("text", target.text)):
            if not text:
                continue
            norm = normalise(text)
            for error in self.checker.find_normalised(norm):
                if error.kind not in p.kinds or (error.kind, error.found) in seen:
                    continue
                seen.add((error.kind, error.found))
                if emitted >= p.max_findings_per_page:
                    return
                emitted += 1
                lo = max(0, error.start - p.excerpt_chars)
                yield self.finding(
                    ctx,
                    target.url,
                    detail={"kind": error.kind, "found": error.found, "correct": error.correct, "how": error.how,
                            "list_updated": self.checker.lexicon.updated},
                    excerpt=norm[lo:error.end + p.excerpt_chars],
                    locator=where if where == "title" else f"text:{error.start}",
                    warc_record=target.warc_record_id,
                    reason=f"{_REASONS.get(error.kind, error.kind)}: “{error.found}” should be “{error.correct}” "
                           f"({error.how})",
                    severity=Severity.VETO,
                )
