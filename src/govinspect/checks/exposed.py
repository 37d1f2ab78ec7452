"""security.exposed — 敏感文件或管理后台对外暴露: VCS folders, config files, backups, phpinfo,
directory listings and management consoles open to the public."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from govinspect.checks.base import Check, CheckContext, CheckParams, Input, NotApplicable, Scope, SiteView
from govinspect.fetch.probes import ExposedRule, load_exposed_paths, looks_like_html
from govinspect.findings.model import Finding

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_ENV_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=.*$", re.MULTILINE)
_ARCHIVES = {"504b": "zip", "5261": "rar", "1f8b": "gzip", "377a": "7z"}


def matches(rule: ExposedRule, answer: dict[str, Any], asked_url: str) -> bool:
    """True when the answer shows the exposure the rule describes (content, never status alone)."""
    if answer.get("status") not in rule.status:
        return False
    head = str(answer.get("head") or "")
    if rule.same_host and (urlsplit(str(answer.get("final_url") or "")).hostname or "").lower() != (
            urlsplit(asked_url).hostname or "").lower():
        return False
    if rule.magic:
        body = bytes.fromhex(str(answer.get("magic") or ""))
        if not any(body.startswith(m) for m in rule.magic):
            return False
    if rule.not_html and looks_like_html(head):
        return False
    if rule.password_field and not answer.get("password_field"):
        return False
    text = head.lstrip("\ufeff")  # raw files: anchors like \A apply to the file itself
    if not rule.not_html:
        text = "\n".join((text, str(answer.get("title") or ""), str(answer.get("text") or "")))
    if rule.all and not all(p.search(text) for p in rule.all):
        return False
    if rule.any and not any(p.search(text) for p in rule.any):
        return False
    if rule.count is not None:
        pattern, least = rule.count
        if len(pattern.findall(text)) < least:
            return False
    return True


def _normalised(answer: dict[str, Any], *drop: str) -> str:
    text = str(answer.get("head") or "")
    for piece in drop:
        if piece:
            text = text.replace(piece, "")
    return _SPACE.sub(" ", _DIGITS.sub("0", text)).strip()[:4000]


def looks_alike(answer: dict[str, Any], baseline: dict[str, Any], threshold: float) -> bool:
    """True when ``answer`` is the site's answer to any path (its soft-404 page, or the page every
    unknown path redirects to): same status and nearly the same body, paths and digits ignored."""
    if answer.get("status") != baseline.get("status"):
        return False
    if answer.get("redirects") and answer.get("final_url") == baseline.get("final_url"):
        return True
    paths = (str(answer.get("path") or ""), str(baseline.get("path") or ""))
    a = _normalised(answer, *paths)
    b = _normalised(baseline, *paths)
    if not a and not b:
        return True
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold and (
        matcher.ratio() >= threshold)


def safe_excerpt(kind: str, answer: dict[str, Any]) -> str:
    """Evidence that shows the exposure without repeating secrets (.env values are masked)."""
    head = str(answer.get("head") or "")
    if kind == "backup":
        magic = str(answer.get("magic") or "")
        return f"magic bytes {magic[:16]} ({_ARCHIVES.get(magic[:4], 'archive')})"
    if kind == "config" and _ENV_LINE.search(head) and not head.lstrip().startswith("<"):
        return "\n".join(f"{m.group(1)}=***" for m in _ENV_LINE.finditer(head))[:300]
    if kind in ("admin", "listing", "debug") and answer.get("title"):
        title = str(answer["title"])
        if kind == "debug":
            version = re.search(r"PHP Version [\d.]+", head + str(answer.get("text") or ""))
            return f"{title} {version.group(0) if version else ''}".strip()
        return title
    return head.strip()[:200]


class Exposures(Check):
    """敏感信息或管理后台对外暴露 (高风险安全漏洞): version-control folders (``/.git/HEAD`` starting with
    ``ref: ``), ``.svn/entries``, ``.env`` (KEY=VALUE lines), ``WEB-INF/web.xml``, site backups (the
    first bytes are a real ZIP/RAR/gzip/7z archive), ``phpinfo()`` pages, directory listings ("Index of
    /", IIS "[To Parent Directory]") and management consoles (堡垒机/后台: a login page answering 200
    with a password field and a management word). Decided by content from content/data/exposed_paths.yaml,
    never by status alone, and an answer that looks like the site's answer to a random path (soft-404)
    or is the homepage itself is never a finding.

    detail: kind (vcs | config | backup | debug | listing | admin), path, status.
    """

    id = "security.exposed"
    scope = Scope.SITE
    inputs = (Input.SECURITY_PROBES,)

    class Params(CheckParams):
        similarity: float = 0.9  # soft-404 likeness above which an answer is the site's "any path" page
        kinds: list[str] = ["vcs", "config", "backup", "debug", "listing", "admin"]

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        facts = target.extras.get("security")
        if not facts or not facts.get("enabled"):
            raise NotApplicable("security probes were not gathered (settings.security.enabled is false "
                                "or the homepage was not fetched)")
        answers = facts.get("exposures") or []
        if not answers:
            raise NotApplicable("no exposure probe was sent (settings.security.exposed_paths is false, "
                                "robots.txt disallowed them or the probe budget was spent)")
        paths = load_exposed_paths()
        baselines = list(facts.get("baselines") or [])
        home = target.homepage
        home_urls = {ctx.site.homepage, *((home.url, home.final_url) if home is not None else ())}
        kinds = set(self.params.kinds)
        for answer in answers:
            rule = paths.rule(str(answer.get("rule") or answer.get("path")))
            if rule is None or rule.kind not in kinds:
                continue
            asked = str(answer.get("url") or "")
            if not matches(rule, answer, asked):
                continue
            if answer.get("final_url") in home_urls and answer.get("final_url") != asked:
                continue  # redirected to the homepage
            if any(looks_alike(answer, b, self.params.similarity) for b in baselines):
                continue
            yield self.finding(
                ctx, asked, target=str(answer.get("path")),
                detail={"kind": rule.kind, "path": str(answer.get("path")), "status": answer.get("status")},
                excerpt=safe_excerpt(rule.kind, answer),
                locator=f"url:{answer.get('final_url') or asked}",
                warc_record=answer.get("warc_record"),
                reason=_REASONS[rule.kind],
            )


_REASONS = {
    "vcs": "version-control metadata is served to anyone (the source and its history can be downloaded)",
    "config": "a configuration file is served to anyone (it may hold passwords and keys)",
    "backup": "a site backup archive is served to anyone (its first bytes are a real archive)",
    "debug": "a phpinfo() page shows the server's configuration to anyone",
    "listing": "the server lists a directory's files to anyone",
    "admin": "a management login page is open to the public (管理后台/堡垒机 exposed)",
}
