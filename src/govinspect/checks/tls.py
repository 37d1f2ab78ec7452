"""security.tls — 证书或传输安全问题: certificate and transport problems of the homepage."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from govinspect.checks.base import Check, CheckContext, CheckParams, Input, NotApplicable, Scope, SiteView
from govinspect.findings.model import Finding, Severity

# OpenSSL's words for why verification failed → our reason (first match wins; order matters).
_VERIFY_REASONS = (
    ("certificate has expired", "expired"),
    ("certificate is not yet valid", "not_yet_valid"),
    ("self-signed certificate in certificate chain", "untrusted_chain"),
    ("self signed certificate in certificate chain", "untrusted_chain"),
    ("self-signed certificate", "self_signed"),
    ("self signed certificate", "self_signed"),
    ("hostname mismatch", "wrong_host"),
    ("ip address mismatch", "wrong_host"),
    ("doesn't match", "wrong_host"),
    ("unable to get local issuer certificate", "untrusted_chain"),
    ("unable to verify the first certificate", "untrusted_chain"),
    ("unsupported protocol", "old_protocol"),
    ("tlsv1 alert protocol version", "old_protocol"),
    ("no protocols available", "old_protocol"),
    ("certificate revoked", "revoked"),
)


def verify_reason(error: str) -> str:
    """Our reason for an OpenSSL verification error (``other`` when not recognised)."""
    low = error.lower()
    for words, reason in _VERIFY_REASONS:
        if words in low:
            return reason
    return "other"


def cert_time(value: Any) -> datetime | None:
    """A ``getpeercert()`` time (``Jun  1 12:00:00 2025 GMT``) as an aware datetime; None if absent/bad."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(ssl.cert_time_to_seconds(str(value)), UTC)
    except (ValueError, OverflowError):
        return None


class TlsProblems(Check):
    """证书或传输安全问题 of the homepage: an expired or not-yet-valid certificate, a certificate that
    fails verification (self-signed, wrong host, untrusted chain), a protocol below TLS 1.2 — and, as
    information only (no national indicator; indicators.md: HTTPS is U), a certificate expiring within
    ``expiring_days``, https not offered at all, and http not redirected to https.

    Facts: the crawl's TLS facts of an https homepage (``extras["tls"]``), the certificate read without
    verification when verification failed, and the probes' http ↔ https facts (``extras["security"]``).
    detail: problem (expired | not_yet_valid | verify_failed | old_protocol | expiring_soon |
    https_not_offered | no_https_redirect), reason (verify_failed), not_after, issuer, version.
    """

    id = "security.tls"
    scope = Scope.SITE
    inputs = (Input.TLS, Input.SECURITY_PROBES)

    class Params(CheckParams):
        expiring_days: int = 30
        min_version: str = "TLSv1.2"

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        security = target.extras.get("security") or {}
        transport = security.get("transport") or {}
        tls = target.extras.get("tls")
        if not tls and not transport:
            raise NotApplicable("no TLS or transport facts: the homepage is http and the security probes "
                                "were not gathered")
        if tls:
            yield from self._certificate(target, ctx, tls, security.get("certificate") or {},
                                         endpoint=ctx.site.homepage)
        counterpart_tls = transport.get("https_tls")
        if counterpart_tls and transport.get("checked_url"):
            yield from self._certificate(target, ctx, counterpart_tls, {}, endpoint=transport["checked_url"])
        yield from self._transport(target, ctx, transport)

    def _certificate(self, target: SiteView, ctx: CheckContext, tls: dict[str, Any],
                     unverified: dict[str, Any], *, endpoint: str) -> Iterator[Finding]:
        cert = {**unverified, **{k: v for k, v in tls.items() if v not in (None, "")}}
        facts = {"not_after": cert.get("not_after"), "issuer": cert.get("issuer") or "",
                 "version": cert.get("version") or ""}
        warc = unverified.get("warc_record") or (target.homepage.warc_record_id if target.homepage else None)
        error = str(tls.get("verify_error") or "")
        now = ctx.observed_at
        reported: set[str] = set()

        def found(problem: str, why: str, severity: Severity = Severity.DEDUCT, **extra: Any) -> Finding:
            reported.add(problem)
            detail = {"problem": problem, **extra, **facts}
            return self.finding(ctx, endpoint, target=problem, detail=detail, excerpt=error or why,
                                locator="tls:certificate" if problem != "old_protocol" else "tls:version",
                                warc_record=warc, reason=why, severity=severity)

        not_after = cert_time(cert.get("not_after"))
        not_before = cert_time(cert.get("not_before"))
        if error:
            why = verify_reason(error)
            if why == "expired" or (not_after is not None and not_after < now):
                when = cert.get("not_after") or "(date unknown)"
                yield found("expired", f"the certificate expired on {when}")
            elif why == "not_yet_valid" or (not_before is not None and not_before > now):
                yield found("not_yet_valid", f"the certificate is valid only from {cert.get('not_before')}")
            elif why == "old_protocol":
                yield found("old_protocol",
                            f"the server offers no protocol at or above {self.params.min_version}")
            else:
                if why in ("other", "untrusted_chain") and cert.get("self_signed"):
                    why = "self_signed"
                yield found("verify_failed", f"certificate verification failed: {why}", reason=why)
        elif not_after is not None:
            days = (not_after - now).days
            if not_after < now:
                yield found("expired", f"the certificate expired on {cert.get('not_after')}")
            elif days <= self.params.expiring_days:
                yield found("expiring_soon", f"the certificate expires in {days} days",
                            severity=Severity.INFO, days_left=days)
        version = str(facts["version"])
        if version and "old_protocol" not in reported and _older(version, self.params.min_version):
            yield found("old_protocol", f"the connection used {version}, below {self.params.min_version}")

    def _transport(self, target: SiteView, ctx: CheckContext, transport: dict[str, Any]) -> Iterator[Finding]:
        if not transport:
            return
        url = str(transport.get("checked_url") or ctx.site.homepage)
        common = {"not_after": None, "issuer": "", "version": ""}
        if transport.get("https_offered") is False:
            yield self.finding(
                ctx, url, target="https_not_offered", detail={"problem": "https_not_offered", **common},
                excerpt=str(transport.get("failure") or ""), locator="tls:https", severity=Severity.INFO,
                warc_record=transport.get("warc_record"),
                reason="the site is not reachable over https (information only: no national indicator)")
        elif transport.get("https_offered") and transport.get("http_redirects_to_https") is False:
            yield self.finding(
                ctx, url, target="no_https_redirect", detail={"problem": "no_https_redirect", **common},
                excerpt=f"{url} answered {transport.get('status')} without redirecting to https",
                locator="tls:redirect", severity=Severity.INFO, warc_record=transport.get("warc_record"),
                reason="http is served without a redirect to https (information only)")


_ORDER = {"SSLv2": 0, "SSLv3": 1, "TLSv1": 2, "TLSv1.1": 3, "TLSv1.2": 4, "TLSv1.3": 5}


def _older(version: str, minimum: str) -> bool:
    rank = _ORDER.get(version)
    return rank is not None and rank < _ORDER.get(minimum, 4)
