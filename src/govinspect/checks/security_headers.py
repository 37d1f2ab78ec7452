"""security.headers — 缺少安全响应头: protective headers missing from the homepage, version leaks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from govinspect.checks.base import Check, CheckContext, CheckParams, Input, NotApplicable, Scope, SiteView
from govinspect.findings.model import Finding, Severity

_VERSION = re.compile(r"\d+(?:\.\d+)+|/\s*\d")
_FRAME_ANCESTORS = re.compile(r"(?:^|;)\s*frame-ancestors\s", re.IGNORECASE)
_MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)", re.IGNORECASE)

PROTECTIVE = ("x_frame_options", "x_content_type_options", "strict_transport_security",
              "content_security_policy")
HEADER_NAMES = {
    "x_frame_options": "X-Frame-Options",
    "x_content_type_options": "X-Content-Type-Options",
    "strict_transport_security": "Strict-Transport-Security",
    "content_security_policy": "Content-Security-Policy",
}


class SecurityHeaders(Check):
    """缺少安全响应头 (information per the profile): the homepage response lacks a protective header —
    clickjacking protection (``X-Frame-Options`` DENY/SAMEORIGIN or a CSP ``frame-ancestors``),
    ``X-Content-Type-Options: nosniff``, ``Strict-Transport-Security`` with a positive max-age (https
    only), ``Content-Security-Policy`` (a report-only policy protects nothing) — or it tells software
    versions (``Server: nginx/1.18.0``, ``X-Powered-By: PHP/5.4.16``), which points attackers at known
    vulnerabilities. A product name without a version (``Server: nginx``) is not a leak.

    detail: header (lower_snake name), problem (missing | invalid | version_leak), value.
    """

    id = "security.headers"
    scope = Scope.SITE
    inputs = (Input.HEADERS, Input.HOMEPAGE)

    class Params(CheckParams):
        required: list[str] = list(PROTECTIVE)
        leak_headers: list[str] = ["Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version"]

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        raw = target.extras.get("headers") or []
        if not raw or target.homepage_failure:
            raise NotApplicable("the homepage gave no successful response whose headers could be judged")
        headers: dict[str, str] = {}
        for key, value in raw:
            low = str(key).lower()
            headers[low] = f"{headers[low]}, {value}" if low in headers else str(value)
        home = target.homepage
        url = home.final_url if home is not None else ctx.site.homepage
        https = urlsplit(url).scheme == "https"
        warc = home.warc_record_id if home is not None else None

        def found(key: str, problem: str, value: str, reason: str, name: str = "") -> Finding:
            name = name or HEADER_NAMES.get(key, key)
            detail = {"header": key, "problem": problem, "value": value}
            return self.finding(ctx, url, target=key, detail=detail,
                                excerpt=f"{name}: {value}" if value else f"{name} (absent)",
                                locator=f"header:{name}", warc_record=warc, reason=reason,
                                severity=Severity.INFO)

        csp = headers.get("content-security-policy", "")
        required = set(self.params.required)
        if "x_frame_options" in required and not _FRAME_ANCESTORS.search(csp):
            xfo = headers.get("x-frame-options")
            if xfo is None:
                yield found("x_frame_options", "missing", "", "no clickjacking protection "
                            "(neither X-Frame-Options nor CSP frame-ancestors)")
            elif xfo.strip().lower().split(",")[0].strip() not in ("deny", "sameorigin") and not (
                    xfo.strip().lower().startswith("allow-from")):
                yield found("x_frame_options", "invalid", xfo,
                            f"X-Frame-Options {xfo!r} is not DENY or SAMEORIGIN")
        if "x_content_type_options" in required:
            xcto = headers.get("x-content-type-options")
            if xcto is None:
                yield found("x_content_type_options", "missing", "", "no X-Content-Type-Options: nosniff")
            elif xcto.strip().lower() != "nosniff":
                yield found("x_content_type_options", "invalid", xcto,
                            f"X-Content-Type-Options {xcto!r} is not nosniff")
        if "strict_transport_security" in required and https:
            hsts = headers.get("strict-transport-security")
            age = _MAX_AGE.search(hsts or "")
            if hsts is None:
                yield found("strict_transport_security", "missing", "", "https homepage without HSTS")
            elif age is None or int(age.group(1)) <= 0:
                yield found("strict_transport_security", "invalid", hsts, "HSTS without a positive max-age")
        if "content_security_policy" in required and not csp.strip():
            yield found("content_security_policy", "missing", "", "no Content-Security-Policy")
        for name in self.params.leak_headers:
            value = headers.get(name.lower())
            if value and _VERSION.search(value):
                key = name.lower().replace("-", "_")
                yield found(key, "version_leak", value[:200],
                            f"{name} tells the software version: {value[:80]}", name=name)
