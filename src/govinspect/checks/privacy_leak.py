"""privacy.leak: unmasked personal data published on a page or attachment (泄露个人隐私)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

from govinspect.archive.pageview import PageView, node_locator
from govinspect.checks.base import Check, CheckContext, CheckParams, Input, Scope
from govinspect.content.privacy import (
    Kind,
    PersonalData,
    PrivacyLexicon,
    PrivacyScanner,
    labelled_tables,
    redact,
)
from govinspect.findings.model import Finding

_LOCATABLE = ("td", "th", "li", "p", "dd", "dt", "span", "a", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
              "font", "strong", "b", "em", "label")


class PrivacyLeak(Check):
    """Unmasked resident ID numbers, mobile numbers, bank cards, or home addresses next to names.

    Numbers are validated (python-stdnum ID checksum/birth date/division, phonenumbers CN mobile, Luhn
    with 银行卡/账号 context, also from a table's header row below a spreadsheet's title row); masked
    forms, office lines, hotlines, example numbers (例如…, the standard's own), amounts (…元), numbers
    inside URLs and addresses only down to township level are not leaks. An address belongs to a person
    named before it, to the writer of a letter (我家住…), to the person a notice addresses (张三：… 你的
    住所地…) or to the record it is part of (申请人：… / 地址：…). One finding per page and kind; evidence
    shows values masked (4408**********1234, 139****5678), never the raw number.
    """

    id = "privacy.leak"
    scope = Scope.PAGE
    inputs = (Input.PAGES, Input.ATTACHMENTS)

    class Params(CheckParams):
        kinds: tuple[Kind, ...] = (Kind.ID_NUMBER, Kind.MOBILE, Kind.BANK_CARD, Kind.ADDRESS)
        old_id_numbers: bool = False  # 15-digit IDs, only when 身份证 is written just before
        context_chars: int = 24
        max_examples: int = 3
        excerpt_chars: int = 40

    def __init__(self, params: CheckParams | None = None, *, lexicon: PrivacyLexicon | None = None) -> None:
        super().__init__(params)
        self._lexicon = lexicon

    @cached_property
    def scanner(self) -> PrivacyScanner:
        p = self.params
        assert isinstance(p, PrivacyLeak.Params)
        return PrivacyScanner(self._lexicon or PrivacyLexicon.load(), old_id_numbers=p.old_id_numbers,
                              context_chars=p.context_chars)

    def run(self, target: PageView, ctx: CheckContext) -> Iterator[Finding]:
        p = self.params
        assert isinstance(p, PrivacyLeak.Params)
        scanner = self.scanner
        today = ctx.as_of.date()
        if not scanner.has_candidates(target.text):
            return  # nothing shaped like personal data in the text, so none in its tables either
        tables = labelled_tables(target.tree)
        work_values: set[str] = set()
        for table in tables:
            if scanner.classify_table(table.headers) == "work":
                work_values.update(re.sub(r"\D", "", m.value)[-11:] for m in scanner.mobiles(table.text, work_labels=False))
        frozen_work = frozenset(work_values)

        # (source text, locator or "", items) — the page text first, then each data table
        sources: list[tuple[str, str, list[PersonalData]]] = []
        sources.append((target.text, "", scanner.scan(target.text, work_values=frozen_work, today=today)))
        for table in tables:
            sources.append((table.text, table.locator, scanner.scan(table.text, work_values=frozen_work, today=today)))

        by_kind: dict[Kind, dict[str, tuple[PersonalData, str, str, list[PersonalData]]]] = {}
        for text, locator, items in sources:
            for item in items:
                if item.kind not in p.kinds:
                    continue
                key = re.sub(r"\s|-", "", item.value).upper()
                by_kind.setdefault(item.kind, {}).setdefault(key, (item, text, locator, items))

        for kind in p.kinds:
            found = by_kind.get(kind)
            if not found:
                continue
            first, text, locator, items = next(iter(found.values()))
            lo = max(0, first.start - p.excerpt_chars)
            hi = min(len(text), first.end + p.excerpt_chars)
            shifted = [_shift(i, lo) for i in items if i.start >= lo and i.end <= hi]
            excerpt = scanner.mask_names(redact(text[lo:hi], shifted)).replace("\n", " ")
            examples = [entry[0].masked for entry in list(found.values())[: p.max_examples]]
            yield self.finding(
                ctx,
                target.url,
                detail={"kind": str(kind), "count": len(found), "examples": examples},
                excerpt=excerpt,
                locator=locator or self._locate(target, first.value),
                warc_record=target.warc_record_id,
                reason=f"{len(found)} unmasked {kind.replace('_', ' ')} value(s); first: {first.reason}",
            )

    @staticmethod
    def _locate(page: PageView, value: str, max_nodes: int = 20_000) -> str:
        """The smallest element whose text holds ``value`` (a CSS path, never the value itself)."""
        body = page.tree.body
        if body is None:
            return ""
        best = None
        best_len = 0
        for n, node in enumerate(body.traverse()):
            if n >= max_nodes:
                break
            if node.tag not in _LOCATABLE:
                continue
            text = node.text(deep=True)
            if value in text and (best is None or len(text) < best_len):
                best, best_len = node, len(text)
        return node_locator(best) if best is not None else "text"


def _shift(item: PersonalData, offset: int) -> PersonalData:
    return PersonalData(item.kind, item.value, item.start - offset, item.end - offset, item.masked, item.reason,
                        item.name)
