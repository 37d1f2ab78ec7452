"""security.tls: certificate and transport facts, then real https servers on loopback with generated certificates."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from govinspect.checks.base import CheckContext, NotApplicable, SiteView
from govinspect.checks.tls import TlsProblems, verify_reason
from govinspect.fetch.client import Fetcher
from govinspect.fetch.crawl import crawl_site
from govinspect.fetch.links import LinkChecker
from govinspect.fetch.probes import gather_security
from govinspect.findings.model import Finding, Severity
from govinspect.registry.models import Site, SiteKind
from govinspect.scoring.profile import load_profile
from govinspect.settings import Settings
from tests.mockserver import MockServer, closed_port

NOW = datetime(2021, 6, 15, 2, 0, tzinfo=UTC)
SITE = Site(site_code="4408820001", name="雷州市人民政府", homepage="https://www.leizhou.gov.cn/",
            region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)


def stamp(dt: datetime) -> str:
    return dt.strftime("%b %d %H:%M:%S %Y GMT")


def tls(days_left: float = 200, version: str = "TLSv1.3", **over: Any) -> dict[str, Any]:
    return {"version": version, "cipher": "TLS_AES_128_GCM_SHA256", "not_after": stamp(NOW + timedelta(days=days_left)),
            "not_before": stamp(NOW - timedelta(days=100)), "issuer": "DigiCert Inc", **over}


def failed(error: str) -> dict[str, Any]:
    return {"verify_error": f"TLS failure: Cannot connect to host www.leizhou.gov.cn:443 ssl:True "
                            f"[SSLCertVerificationError: (1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
                            f"failed: {error} (_ssl.c:1006)')]"}


def judge(extras: dict[str, Any], site: Site = SITE) -> list[Finding]:
    view = SiteView(site=site, homepage=None, extras=extras)
    return list(TlsProblems().run(view, CheckContext(as_of=NOW, site=site, observed_at=NOW)))


HTTP_SITE = SITE.model_copy(update={"homepage": "http://www.leizhou.gov.cn/"})
CASES = [
    # positives
    pytest.param({"tls": tls(days_left=-3)}, SITE, {("expired", None)}, id="expired-seen-verified"),
    pytest.param({"tls": failed("certificate has expired")}, SITE, {("expired", None)}, id="expired"),
    pytest.param({"tls": failed("certificate is not yet valid")}, SITE, {("not_yet_valid", None)}, id="not-yet-valid"),
    pytest.param({"tls": failed("self-signed certificate")}, SITE, {("verify_failed", "self_signed")},
                 id="self-signed"),
    pytest.param({"tls": failed("Hostname mismatch, certificate is not valid for 'www.leizhou.gov.cn'.")}, SITE,
                 {("verify_failed", "wrong_host")}, id="wrong-host"),
    pytest.param({"tls": failed("unable to get local issuer certificate")}, SITE,
                 {("verify_failed", "untrusted_chain")}, id="incomplete-chain"),
    pytest.param({"tls": failed("unable to get local issuer certificate"),
                  "security": {"certificate": {"not_after": stamp(NOW - timedelta(days=40)), "self_signed": False}}},
                 SITE, {("expired", None)}, id="untrusted-and-expired-read-unverified"),
    pytest.param({"tls": tls(version="TLSv1")}, SITE, {("old_protocol", None)}, id="tls-1-0"),
    pytest.param({"tls": {"verify_error": "TLS failure: [SSL: UNSUPPORTED_PROTOCOL] unsupported protocol"}}, SITE,
                 {("old_protocol", None)}, id="handshake-refused-old-only"),
    pytest.param({"tls": tls(days_left=10)}, SITE, {("expiring_soon", None)}, id="expiring-in-10-days"),
    pytest.param({"security": {"transport": {"https_offered": False, "http_redirects_to_https": False}}}, HTTP_SITE,
                 {("https_not_offered", None)}, id="https-not-offered"),
    pytest.param({"tls": tls(), "security": {"transport": {"https_offered": True, "http_redirects_to_https": False}}},
                 SITE, {("no_https_redirect", None)}, id="http-not-redirected"),
    # negatives
    pytest.param({"tls": tls()}, SITE, set(), id="valid-tls13"),
    pytest.param({"tls": tls(version="TLSv1.2"), "security": {"transport": {"https_offered": True,
                                                                            "http_redirects_to_https": True}}},
                 SITE, set(), id="valid-tls12-redirected"),
    # near misses
    pytest.param({"tls": tls(days_left=31)}, SITE, set(), id="near-miss-expires-in-31-days"),
    pytest.param({"security": {"transport": {"https_offered": None, "http_redirects_to_https": False}}}, HTTP_SITE,
                 set(), id="near-miss-https-unknown"),
    pytest.param({"tls": tls(), "security": {"transport": {"https_offered": True, "http_redirects_to_https": None}}},
                 SITE, set(), id="near-miss-port-80-closed"),
]


@pytest.mark.parametrize(("extras", "site", "expected"), CASES)
def test_case_table(extras: dict[str, Any], site: Site, expected: set[tuple[str, str | None]]) -> None:
    assert {(f.detail["problem"], f.detail.get("reason")) for f in judge(extras, site)} == expected


def test_detail_severity_and_profile() -> None:
    [expired] = judge({"tls": tls(days_left=-3)})
    assert expired.detail == {"problem": "expired", "not_after": stamp(NOW - timedelta(days=3)),
                              "issuer": "DigiCert Inc", "version": "TLSv1.3"}
    [soon] = judge({"tls": tls(days_left=10)})
    assert soon.severity is Severity.INFO and soon.detail["days_left"] == 10
    profile = load_profile()
    assert profile.indicator_for(expired) == ("deduct.security.transport", Severity.DEDUCT)
    assert profile.indicator_for(soon)[0] == "info.security.transport"
    [missing] = judge({"security": {"transport": {"https_offered": False}}}, HTTP_SITE)
    assert profile.indicator_for(missing) == ("info.security.transport", Severity.INFO)


def test_not_applicable_without_facts() -> None:
    with pytest.raises(NotApplicable):
        judge({}, HTTP_SITE)


def test_verify_reasons() -> None:
    assert verify_reason("self signed certificate in certificate chain") == "untrusted_chain"
    assert verify_reason("IP address mismatch, certificate is not valid for '127.0.0.1'.") == "wrong_host"
    assert verify_reason("something new") == "other"


# --- real https servers ------------------------------------------------------------------------------


def make_cert(tmp: Path, name: str, *, not_before: datetime, not_after: datetime,
              issuer_key: ec.EllipticCurvePrivateKey | None = None, issuer: str | None = None) -> ssl.SSLContext:
    """A server context with a certificate for 127.0.0.1: self-signed, or signed by a throwaway CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "雷州市测试")])
    issuer_name = subject if issuer is None else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer),
                                                           x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .sign(issuer_key or key, hashes.SHA256()))
    cert_path, key_path = tmp / f"{name}.pem", tmp / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_path, key_path)
    return ctx


class HttpsServer:
    """An aiohttp app on 127.0.0.1:0 over TLS, in its own thread; serves one homepage."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        self.port = 0
        self.hits = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    async def _home(self, request: web.Request) -> web.Response:
        self.hits += 1
        return web.Response(text="<html><head><title>首页</title></head><body>雷州</body></html>",
                            content_type="text/html")

    async def _serve(self, ready: threading.Event) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._home)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.2)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=self.context).start()
        self.port = runner.addresses[0][1]
        self._stop = asyncio.Event()
        ready.set()
        await self._stop.wait()
        await runner.cleanup()

    def __enter__(self) -> HttpsServer:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._serve(ready))
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def url(self, path: str = "/") -> str:
        return f"https://127.0.0.1:{self.port}{path}"


def inspect(homepage: str, tmp_path: Path, ports: dict[str, int] | None = None) -> tuple[list[Finding], dict]:
    site = SITE.model_copy(update={"homepage": homepage})
    settings = Settings(fetch={"allow_private": True, "retries": 0, "per_host_rate": 0.0, "total_timeout": 3.0,
                               "obey_robots": False},
                        crawl={"page_budget": 1, "check_external_links": False, "check_images": False},
                        security={"xss_probe": False, "exposed_paths": False})

    async def go() -> tuple[Any, dict[str, Any]]:
        async with Fetcher(settings.fetch) as fetcher:
            crawl = await crawl_site(site, settings, fetcher, LinkChecker(fetcher), tmp_path / "s.warc.gz")
            return crawl, await gather_security(site, crawl, fetcher, settings, counterpart_ports=ports)

    crawl, facts = asyncio.run(go())
    extras = {"security": facts, **({"tls": crawl.extras["tls"]} if "tls" in crawl.extras else {})}
    now = datetime.now(UTC)
    view = SiteView(site=site, homepage=crawl.homepage, extras=extras)
    return list(TlsProblems().run(view, CheckContext(as_of=now, site=site, observed_at=now))), facts


def test_self_signed_certificate_over_loopback(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    ctx = make_cert(tmp_path, "self", not_before=now - timedelta(days=1), not_after=now + timedelta(days=300))
    with HttpsServer(ctx) as server:
        found, facts = inspect(server.url(), tmp_path)
    assert [(f.detail["problem"], f.detail.get("reason")) for f in found] == [("verify_failed", "self_signed")]
    assert facts["certificate"]["self_signed"] is True
    assert found[0].detail["issuer"] == "雷州市测试"
    assert found[0].detail["version"] in ("TLSv1.2", "TLSv1.3")


def test_expired_certificate_from_an_untrusted_ca(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ctx = make_cert(tmp_path, "old", not_before=now - timedelta(days=400), not_after=now - timedelta(days=35),
                    issuer_key=ca_key, issuer="Test CA")
    with HttpsServer(ctx) as server:
        found, facts = inspect(server.url(), tmp_path)
    [finding] = found
    assert finding.detail["problem"] == "expired"
    assert finding.detail["issuer"] == "Test CA"
    expected = (now - timedelta(days=35)).strftime("%b %d %Y")
    assert finding.detail["not_after"].replace("  ", " ").split(" ")[0] == expected.split(" ")[0]
    assert facts["certificate"]["warc_record"] is None  # no writer given: nothing archived, nothing claimed


def test_http_homepage_without_https(tmp_path: Path) -> None:
    server = MockServer()
    server.pages["/"] = ("<html><body>首页</body></html>", "text/html")
    server.start()
    try:
        found, facts = inspect(server.url("/"), tmp_path, ports={"http": server.port, "https": closed_port()})
    finally:
        server.stop()
    assert [f.detail["problem"] for f in found] == ["https_not_offered"]
    assert found[0].severity is Severity.INFO
    assert facts["transport"]["https_offered"] is False


class RedirectingHttp(MockServer):
    """Plain http whose every path redirects to ``target`` (when set)."""

    target = ""

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if self.target:
            raise web.HTTPMovedPermanently(self.target)
        return await super()._dispatch(request)


def test_https_homepage_and_its_http_counterpart(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    ctx = make_cert(tmp_path, "self", not_before=now - timedelta(days=1), not_after=now + timedelta(days=300))
    plain = RedirectingHttp()
    plain.pages["/"] = ("<html><body>http 首页, 不跳转</body></html>", "text/html")
    plain.start()
    try:
        with HttpsServer(ctx) as server:
            ports = {"http": plain.port, "https": server.port}
            found, facts = inspect(server.url(), tmp_path, ports=ports)
            assert facts["transport"]["http_redirects_to_https"] is False
            assert {f.detail["problem"] for f in found} == {"verify_failed", "no_https_redirect"}
            plain.target = server.url()
            found, facts = inspect(server.url(), tmp_path, ports=ports)
            assert facts["transport"]["http_redirects_to_https"] is True
            assert {f.detail["problem"] for f in found} == {"verify_failed"}
    finally:
        plain.stop()
