"""domain.noncompliant — 域名不规范: the site's domain breaks the 2018 government-domain rules."""

from __future__ import annotations

from collections.abc import Iterator

from govinspect.checks.base import Check, CheckContext, CheckParams, Input, Scope, SiteView
from govinspect.checks.dead_links import host_of
from govinspect.findings.model import Finding, Severity
from govinspect.registry.gazetteer import Gazetteer
from govinspect.registry.models import SiteKind

GOV_CN = "gov.cn"
ZHENGWU = "xn--zfr164b"  # .政务 in punycode


def ascii_host(host: str) -> str:
    """The ASCII (punycode) form of a host: www.湛江.政务 → www.xn--9sw55b.xn--zfr164b."""
    host = host.rstrip(".").lower()
    if host.isascii():
        return host
    labels = []
    for label in host.split("."):
        try:
            labels.append(label.encode("idna").decode("ascii"))
        except UnicodeError:
            labels.append(label)
    return ".".join(labels)


def gov_suffix(host: str) -> str | None:
    """``gov.cn`` or the punycode of ``政务`` when the host is under it (with at least one own label)."""
    host = ascii_host(host)
    for suffix in (GOV_CN, ZHENGWU):
        if host.endswith("." + suffix) and len(host) > len(suffix) + 1:
            return suffix
    return None


class DomainNoncompliant(Check):
    """域名不规范 (国办函〔2018〕55号): the homepage host must be under ``.gov.cn`` or ``.政务``
    (also in punycode, ``xn--zfr164b``); redirects must not leave it; the site code's 6-digit division
    prefix must belong to the registry region; portals should be ``www.XXX.gov.cn`` and departments
    ``AAA.XXX.gov.cn`` (pattern findings are informational). Ports never matter.

    detail.rule is one of not_gov_domain, left_gov_domain, code_region_mismatch, portal_pattern,
    department_pattern.
    """

    id = "domain.noncompliant"
    scope = Scope.SITE
    inputs = (Input.HOMEPAGE,)

    def __init__(self, params: CheckParams | None = None, gazetteer: Gazetteer | None = None) -> None:
        super().__init__(params)
        self._gazetteer = gazetteer

    @property
    def gazetteer(self) -> Gazetteer:
        """Loaded on first use, once per check instance (reading loc.dat takes a moment)."""
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.load()
        return self._gazetteer

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        site = ctx.site
        host = ascii_host(host_of(site.homepage))
        warc = target.homepage.warc_record_id if target.homepage is not None else None

        def found(rule: str, expected: str, reason: str, *, shown: str = host,
                  severity: Severity = Severity.DEDUCT) -> Finding:
            return self.finding(
                ctx, site.homepage, detail={"rule": rule, "host": shown, "expected": expected},
                excerpt=shown, locator="url:host", warc_record=warc, reason=reason, severity=severity,
            )

        suffix = gov_suffix(host)
        if suffix is None:
            yield found("not_gov_domain", "*.gov.cn or *.政务", f"host {host or '(none)'} is not under .gov.cn or .政务")
        elif target.homepage is not None:
            final = ascii_host(host_of(target.homepage.final_url))
            if final and gov_suffix(final) is None:
                yield found("left_gov_domain", host, f"the homepage redirects off the government domain to {final}",
                            shown=final)

        prefix = site.division_prefix
        if prefix is not None and not self.gazetteer.region_matches_code(site.region, prefix):
            expected = self.gazetteer.code_of(site.region) or ""
            yield found(
                "code_region_mismatch", expected,
                f"site code {site.site_code} has division {prefix}, but the registry region {site.region} is {expected}",
                shown=site.site_code,
            )

        if suffix != GOV_CN:
            return
        labels = host[: -len(GOV_CN) - 1].split(".")
        core = labels[1:] if labels[0] == "www" else labels
        if site.kind is SiteKind.PORTAL and not (labels[0] == "www" and len(core) == 1):
            yield found("portal_pattern", "www.XXX.gov.cn", f"portal host {host} is not of the form www.XXX.gov.cn",
                        severity=Severity.INFO)
        elif site.kind is SiteKind.DEPARTMENT and prefix is not None and len(core) < 2:
            yield found("department_pattern", "AAA.XXX.gov.cn",
                        f"department host {host} is not under its government's portal domain (AAA.XXX.gov.cn)",
                        severity=Severity.INFO)
