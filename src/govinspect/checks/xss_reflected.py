"""security.xss_reflected — 反射型跨站脚本: a search parameter echoed into the page without escaping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from govinspect.checks.base import Check, CheckContext, Input, NotApplicable, Scope, SiteView
from govinspect.fetch.probes import MARKER
from govinspect.findings.model import Finding

_HTML_TYPES = ("text/html", "application/xhtml+xml", "")


def _unescaped(segment: str, quote: str) -> bool:
    """True when ``quote`` occurs in ``segment`` not escaped by a backslash (an even run of them)."""
    for match in re.finditer(re.escape(quote), segment):
        backslashes = len(segment[: match.start()]) - len(segment[: match.start()].rstrip("\\"))
        if backslashes % 2 == 0:
            return True
    return False


def breakout(reflection: dict[str, Any]) -> str | None:
    """The context (html, attribute, script) in which the marker's special characters came back
    able to change the page's structure, or None when they were escaped, stripped or harmless there.

    ``echo`` starts right after the random token; what became of ``"'`` is the segment before the
    marker word, and the marker word must come back too (else the answer was cut and says nothing).
    """
    echo = str(reflection.get("echo", ""))
    mark = echo.find(MARKER)
    if mark < 0 or mark > 32:
        return None
    segment = echo[:mark]
    closed = echo[mark + len(MARKER): mark + len(MARKER) + 1] == ">"
    context = reflection.get("context")
    quote = str(reflection.get("quote", ""))
    if context == "text":
        return "html" if segment.endswith("<") and closed else None
    if context == "attribute":
        if quote:
            return "attribute" if quote in segment else None
        return "attribute" if closed else None  # an unquoted value ends at the literal '>'
    if context == "script":
        js = reflection.get("js")
        if js == "string" and quote in ("'", '"'):
            return "script" if _unescaped(segment, quote) else None
        if js == "code":
            return "script" if _unescaped(segment, '"') or _unescaped(segment, "'") else None
    return None  # comments, <title>/<textarea>, <style>, template strings: our characters cannot escape


class XssReflected(Check):
    """反射型 XSS 风险: the site echoes a search parameter unescaped. The fetch stage sent a harmless,
    inert marker (a random token + ``"'<gvimark>``, GET only, to search forms and search links the
    crawl found); a finding needs the marker's breakout characters back *unescaped in their context*:
    ``<gvimark>`` literally in HTML text, the attribute's own quote inside a quoted attribute value
    (or ``>`` in an unquoted one), the string's own quote unescaped inside a ``<script>`` string.
    Escaped reflections (``&lt;gvimark&gt;``, ``&quot;``, ``\\"``), reflections in comments, titles
    and text areas, and non-HTML answers are not findings.

    detail: parameter, context (html | attribute | script), form (the page the form or link is on),
    source (form | link); evidence: the excerpt around the reflection, the probe URL, the WARC record.
    """

    id = "security.xss_reflected"
    scope = Scope.SITE
    inputs = (Input.SECURITY_PROBES,)

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        facts = target.extras.get("security")
        if not facts or not facts.get("enabled"):
            raise NotApplicable("security probes were not gathered (settings.security.enabled is false "
                                "or the homepage was not fetched)")
        probes = facts.get("xss") or []
        if not probes:
            raise NotApplicable("no GET search form or search link was found to probe, or the probe "
                                "budget was spent")
        seen: set[tuple[str, str, str]] = set()
        for probe in probes:
            ctype = str(probe.get("content_type") or "")
            if probe.get("status") is None or ctype not in _HTML_TYPES:
                continue
            for reflection in probe.get("reflections") or []:
                context = breakout(reflection)
                if context is None:
                    continue
                key = (probe["action"], probe["parameter"], context)
                if key in seen:
                    continue
                seen.add(key)
                where = reflection.get("attribute") or reflection.get("tag") or ""
                yield self.finding(
                    ctx, probe["action"], target=probe["parameter"],
                    detail={"parameter": probe["parameter"], "context": context, "form": probe["page"],
                            "source": probe["source"]},
                    excerpt=str(reflection.get("excerpt", "")),
                    locator=probe.get("url", ""),
                    warc_record=probe.get("warc_record"),
                    reason=f"parameter {probe['parameter']!r} is reflected unescaped in {context} context"
                           + (f" ({where})" if where else ""),
                )
