"""The async HTTP client every network read of a run goes through.

One :class:`Fetcher` per run, shared by all sites: a global concurrency limit, per-host concurrency and
request rate, an identifiable User-Agent, total and connect timeouts, a streamed body cap, a
decompression-bomb guard, manual redirects (each hop re-checked by the SSRF guard), retries with
exponential backoff for transient failures only, and a classified failure for everything that goes
wrong. ``fetch`` never raises for network problems: the outcome is a :class:`FetchResult`.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import ssl
import time
import zlib
from collections import Counter
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import aiohttp
from yarl import URL

from govinspect.fetch.charset import decode_html
from govinspect.fetch.guard import AddressGuard, AddressRefused, NameNotFound
from govinspect.fetch.robots import RobotsCache
from govinspect.fetch.types import TRANSIENT, FailureClass, FetchResult
from govinspect.settings import FetchSettings

__all__ = ["Fetcher", "decode_html", "classify_exception"]

RETRY_STATUSES = frozenset({502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 1 << 16
_INFLATE_STEP = 1 << 18
_BOMB_FLOOR = 1 << 20  # the ratio guard applies once this many decoded bytes have come out


class _TooLarge(Exception):
    pass


class _Bomb(Exception):
    pass


class _Decoder:
    """Streams a Content-Encoding, never producing more than ``limit + step`` decoded bytes."""

    def __init__(self, encoding: str, limit: int, ratio: int) -> None:
        self.encoding = encoding
        self.limit = limit
        self.ratio = ratio
        self.raw = 0
        self.decoded = 0
        self._zlib: Any = None
        self._brotli: Any = None
        self._deflate_probe = encoding == "deflate"
        self.out: list[bytes] = []
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 32)
        elif encoding == "br":
            import brotli

            self._brotli = brotli.Decompressor()

    def _account(self, out: bytes) -> None:
        self.decoded += len(out)
        if self.decoded > _BOMB_FLOOR and self.decoded > self.ratio * max(self.raw, 1):
            raise _Bomb(f"{self.encoding} body expands more than {self.ratio}x")
        self.out.append(out)
        if self.decoded > self.limit:
            raise _TooLarge(f"decoded body exceeds {self.limit} bytes")

    def feed(self, data: bytes) -> list[bytes]:
        """Decoded pieces of ``data``; on _TooLarge/_Bomb, ``self.out`` holds what was decoded before."""
        self.out = []
        self.raw += len(data)
        if self._deflate_probe:
            # "deflate" is zlib-wrapped by the RFC but raw deflate in practice: look at the first byte.
            self._deflate_probe = False
            wbits = zlib.MAX_WBITS if data and (data[0] & 0x0F) == 8 else -zlib.MAX_WBITS
            self._zlib = zlib.decompressobj(wbits)
        if self._zlib is not None:
            # Count only the compressed bytes consumed so far, so the ratio is exact, not diluted by
            # input still waiting in unconsumed_tail.
            base = self.raw - len(data)
            out = self._zlib.decompress(data, _INFLATE_STEP)
            self.raw = base + len(data) - len(self._zlib.unconsumed_tail)
            self._account(out)
            while self._zlib.unconsumed_tail:
                out = self._zlib.decompress(self._zlib.unconsumed_tail, _INFLATE_STEP)
                self.raw = base + len(data) - len(self._zlib.unconsumed_tail)
                self._account(out)
            return self.out
        if self._brotli is not None:
            self._account(self._brotli.process(data, output_buffer_limit=_INFLATE_STEP))
            while not self._brotli.can_accept_more_data():
                out = self._brotli.process(b"", output_buffer_limit=_INFLATE_STEP)
                if not out:
                    break
                self._account(out)
            return self.out
        self.decoded += len(data)
        return [data]


def classify_exception(exc: BaseException) -> tuple[FailureClass, str]:
    """Map a client exception to its failure class and a one-line cause."""
    os_error = getattr(exc, "os_error", None)
    cause = exc.__cause__
    for inner in (os_error, cause, exc):
        if isinstance(inner, AddressRefused):
            return FailureClass.PRIVATE_ADDRESS, str(inner)
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return FailureClass.TIMEOUT, "timed out"
    if isinstance(exc, aiohttp.ClientConnectorDNSError) or isinstance(os_error, NameNotFound):
        return FailureClass.DNS, f"name not resolved: {os_error or exc}"
    if isinstance(exc, (aiohttp.ClientConnectorCertificateError, aiohttp.ClientConnectorSSLError,
                        aiohttp.ClientSSLError, ssl.SSLError)):
        return FailureClass.TLS, f"TLS failure: {exc}"
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(os_error, ConnectionRefusedError) or getattr(os_error, "errno", None) == 111:
            return FailureClass.REFUSED, "connection refused"
        if isinstance(os_error, (TimeoutError, asyncio.TimeoutError)):
            return FailureClass.TIMEOUT, "connect timed out"
        if isinstance(os_error, ssl.SSLError):
            return FailureClass.TLS, f"TLS failure: {os_error}"
        return FailureClass.REFUSED, f"cannot connect: {os_error or exc}"
    if isinstance(exc, (aiohttp.InvalidURL, ValueError)) and not isinstance(exc, UnicodeError):
        return FailureClass.BAD_URL, f"bad URL: {exc}"
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError,
                        aiohttp.ClientOSError, ConnectionError, aiohttp.ClientResponseError)):
        return FailureClass.RESET, f"connection dropped: {type(exc).__name__}: {exc}"
    return FailureClass.OTHER, f"{type(exc).__name__}: {exc}"


SITE_PRIORITY: ContextVar[int] = ContextVar("govinspect_site_priority", default=0)
"""Who goes first when the run's shared resources are all taken (connection slots, the crawl's page
parsing): lower first. A run sets it per site (the order sites started in), so the sites that started
first finish first and hand their pages to analysis while the others are still crawling, instead of
every site finishing at once and the analysis workers idling until then."""


class PriorityGate:
    """A counting semaphore whose waiters are served lowest priority first (FIFO among equals).

    A released slot passes straight to the next waiter, so a newcomer never overtakes one that waits.
    A waiter cancelled after it was handed a slot passes that slot on.
    """

    def __init__(self, slots: int) -> None:
        self._free = max(1, slots)
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @property
    def waiting(self) -> int:
        return sum(1 for _, _, fut in self._waiters if not fut.done())

    async def acquire(self, priority: int = 0) -> None:
        if self._free > 0:  # a free slot means nobody waits: release() hands slots to waiters first
            self._free -= 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), fut))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():  # handed a slot, then cancelled: pass it on
                self.release()
            raise

    def release(self) -> None:
        while self._waiters:
            _, _, fut = heapq.heappop(self._waiters)
            if not fut.done():
                fut.set_result(None)
                return
        self._free += 1

    def slot(self, priority: int = 0) -> _Slot:
        """``async with gate.slot(priority):``"""
        return _Slot(self, priority)


class _Slot:
    __slots__ = ("gate", "priority")

    def __init__(self, gate: PriorityGate, priority: int) -> None:
        self.gate, self.priority = gate, priority

    async def __aenter__(self) -> None:
        await self.gate.acquire(self.priority)

    async def __aexit__(self, *exc: object) -> None:
        self.gate.release()


class _HostGate:
    """Per-host concurrency and request rate."""

    __slots__ = ("sem", "next_at", "interval")

    def __init__(self, concurrency: int, rate: float) -> None:
        self.sem = asyncio.Semaphore(max(1, concurrency))
        self.next_at = 0.0
        self.interval = 1.0 / rate if rate > 0 else 0.0

    async def pace(self) -> None:
        if not self.interval:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self.next_at)
        self.next_at = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


class Fetcher:
    """aiohttp-based async client. One per run; shared by all sites of the run."""

    def __init__(self, settings: FetchSettings, *, allow_addresses: frozenset[str] = frozenset()) -> None:
        """``allow_addresses``: exact IPs reachable even though private (a known mirror); the rest of
        the private ranges stay refused unless ``settings.allow_private``."""
        self.settings = settings
        self.user_agent = settings.effective_user_agent()
        self.guard = AddressGuard(allow_private=settings.allow_private, resolve=settings.resolve,
                                  allow_addresses=allow_addresses)
        self.robots = RobotsCache(self)
        self.stats: Counter[str] = Counter()
        self._session: aiohttp.ClientSession | None = None
        self._global: PriorityGate | None = None
        self._gates: dict[str, _HostGate] = {}
        self._insecure: ssl.SSLContext | None = None

    async def __aenter__(self) -> Fetcher:
        self._ensure_session()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self.guard.close()

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            s = self.settings
            connector = aiohttp.TCPConnector(
                resolver=self.guard, limit=s.global_concurrency, limit_per_host=0,
                ttl_dns_cache=300, enable_cleanup_closed=False,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None, connect=s.connect_timeout,
                                              sock_connect=s.connect_timeout),
                read_bufsize=_CHUNK,
                skip_auto_headers=("User-Agent",),
            )
            self._global = PriorityGate(s.global_concurrency)
        return self._session

    def _gate(self, key: str) -> _HostGate:
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = _HostGate(self.settings.per_host_concurrency, self.settings.per_host_rate)
        return gate

    async def fetch(self, url: str, *, method: str = "GET", user_agent: str | None = None,
                    max_bytes: int | None = None, retries: int | None = None,
                    verify: bool = True, max_redirects: int | None = None) -> FetchResult:
        """Fetch ``url`` following redirects; retry transient failures (and 502/503/504) with backoff.

        Never raises for network problems: the failure is classified on the result.
        ``max_redirects`` lowers the setting for this call (a bounded number of requests).
        """
        result, _ = await self.fetch_with_tls(url, method=method, user_agent=user_agent,
                                             max_bytes=max_bytes, retries=retries, verify=verify,
                                             max_redirects=max_redirects)
        return result

    async def fetch_with_tls(self, url: str, *, method: str = "GET", user_agent: str | None = None,
                             max_bytes: int | None = None, retries: int | None = None,
                             verify: bool = True, max_redirects: int | None = None,
                             ) -> tuple[FetchResult, dict[str, Any] | None]:
        """Like :meth:`fetch`, also returning TLS facts of the final https hop (or None for http)."""
        self._ensure_session()
        s = self.settings
        tries = (s.retries if retries is None else retries) + 1
        cap = s.max_body_bytes if max_bytes is None else max_bytes
        result = FetchResult(url=url, final_url=url, method=method)
        tls: dict[str, Any] | None = None
        for attempt in range(tries):
            tls = {} if url.lower().startswith("https:") else None
            result = await self._follow(url, method, user_agent or self.user_agent, cap, tls, verify,
                                        s.max_redirects if max_redirects is None else max(0, max_redirects))
            result.attempts = attempt + 1
            transient = result.failure in TRANSIENT or (
                result.failure is FailureClass.HTTP_STATUS and result.status in RETRY_STATUSES)
            if not transient or attempt + 1 >= tries:
                break
            self.stats["fetch/retried"] += 1
            await asyncio.sleep(s.backoff * (2 ** attempt))
        self.stats[f"fetch/status/{result.status}" if result.failure in (None, FailureClass.HTTP_STATUS)
                   else f"fetch/failure/{result.failure}"] += 1
        return result, (tls or None) if tls is not None else None

    async def _follow(self, url: str, method: str, user_agent: str, cap: int,
                      tls: dict[str, Any] | None, verify: bool, max_redirects: int) -> FetchResult:
        result = FetchResult(url=url, final_url=url, method=method, fetched_at=datetime.now(UTC))
        current = url
        seen = {url}
        started = time.monotonic()
        for _ in range(max_redirects + 1):
            try:
                target = URL(current)
            except (ValueError, TypeError) as exc:
                return self._fail(result, FailureClass.BAD_URL, f"bad URL {current!r}: {exc}", started)
            if target.scheme not in ("http", "https") or not target.host:
                return self._fail(result, FailureClass.BAD_URL,
                                  f"not an http(s) URL: {current!r}", started)
            try:
                self.guard.check_literal(target.host)
            except AddressRefused as exc:
                return self._fail(result, FailureClass.PRIVATE_ADDRESS, str(exc), started)
            result.final_url = current
            location = await self._one(result, target, method, user_agent, cap, tls, verify)
            if location is None:
                result.elapsed = time.monotonic() - started
                return result
            try:
                nxt = str(target.join(URL(location)).with_fragment(None))
            except (ValueError, TypeError) as exc:
                return self._fail(result, FailureClass.BAD_URL, f"bad redirect Location {location!r}: {exc}", started)
            result.redirects.append(nxt)
            if nxt in seen:
                return self._fail(result, FailureClass.REDIRECT_LOOP, f"redirect loop back to {nxt}", started)
            seen.add(nxt)
            if result.status == 303 or (result.status in (301, 302) and method == "POST"):
                method = "GET"
            current = nxt
        result.final_url = current
        return self._fail(result, FailureClass.TOO_MANY_REDIRECTS,
                          f"more than {max_redirects} redirects", started)

    @staticmethod
    def _fail(result: FetchResult, failure: FailureClass, error: str, started: float) -> FetchResult:
        result.failure = failure
        result.error = error
        result.elapsed = time.monotonic() - started
        return result

    async def _one(self, result: FetchResult, target: URL, method: str, user_agent: str, cap: int,
                   tls: dict[str, Any] | None, verify: bool) -> str | None:
        """One request/response; returns the Location to follow, or None when ``result`` is final."""
        session = self._ensure_session()
        gate = self._gate(f"{target.host}:{target.port}")
        headers = {
            "User-Agent": user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
            "Accept-Encoding": "gzip, deflate, br",
        }
        ssl_arg: Any = True if verify else self._insecure_context()
        assert self._global is not None
        async with gate.sem:
            await gate.pace()
            async with self._global.slot(SITE_PRIORITY.get()):
                result.status = None
                result.headers = []
                result.body = b""
                result.truncated = False
                try:
                    async with asyncio.timeout(self.settings.total_timeout):
                        async with session.request(method, target, headers=headers, allow_redirects=False,
                                                   ssl=ssl_arg) as resp:
                            return await self._read(result, resp, method, cap, tls)
                except (TimeoutError, asyncio.TimeoutError):
                    result.failure = FailureClass.TIMEOUT
                    result.error = f"no complete response within {self.settings.total_timeout:g} s"
                    result.truncated = bool(result.body)
                except Exception as exc:  # noqa: BLE001 - every network error becomes a classified result
                    failure, error = classify_exception(exc)
                    if tls is not None and failure is FailureClass.TLS:
                        tls["verify_error"] = error
                    result.failure = failure
                    result.error = error[:300]
                    if result.status is not None and failure is FailureClass.RESET:
                        result.truncated = True
                return None

    async def _read(self, result: FetchResult, resp: aiohttp.ClientResponse, method: str, cap: int,
                    tls: dict[str, Any] | None) -> str | None:
        result.status = resp.status
        result.headers = list(resp.headers.items())
        conn = resp.connection
        transport = conn.transport if conn is not None else None
        if transport is None:
            # A response read whole with its headers has already released its connection; the
            # protocol object still holds the (pooled) transport.
            transport = getattr(getattr(resp.content, "_protocol", None), "transport", None)
        if transport is not None:
            peer = transport.get_extra_info("peername")
            if peer:
                result.remote_ip = peer[0]
            if tls is not None:
                _tls_facts(tls, transport.get_extra_info("ssl_object"))
        if resp.status in REDIRECT_STATUSES:
            location = resp.headers.get("Location")
            if location:
                return location
        if method == "HEAD":
            self._status_failure(result)
            return None
        encoding = resp.headers.get("Content-Encoding", "").strip().lower()
        decoder = _Decoder(encoding, cap, self.settings.max_decompressed_ratio)
        parts: list[bytes] = []
        size = 0
        content = resp.content
        try:
            while True:
                chunk = await content.readany()
                if not chunk:
                    break
                for piece in decoder.feed(chunk):
                    if not piece:
                        continue
                    room = cap - size
                    if len(piece) > room:
                        parts.append(piece[:room])
                        size = cap
                        raise _TooLarge(f"body exceeds {cap} bytes")
                    parts.append(piece)
                    size += len(piece)
        except _TooLarge as exc:
            result.body = b"".join(parts + decoder.out)[:cap]
            result.truncated = True
            result.failure = FailureClass.TOO_LARGE
            result.error = str(exc)
            return None
        except _Bomb as exc:
            result.body = b"".join(parts + decoder.out)[:cap]
            result.truncated = True
            result.failure = FailureClass.DECOMPRESSION
            result.error = f"decompression bomb refused: {exc}"
            return None
        except zlib.error as exc:
            result.body = b"".join(parts)
            result.failure = FailureClass.DECOMPRESSION
            result.error = f"corrupt {encoding} body: {exc}"
            return None
        except Exception as exc:
            if type(exc).__name__ == "error" and encoding == "br":  # brotli.error
                result.body = b"".join(parts)
                result.failure = FailureClass.DECOMPRESSION
                result.error = f"corrupt br body: {exc}"
                return None
            result.body = b"".join(parts)
            raise
        except asyncio.CancelledError:  # the total timeout fired mid-body: keep the first bytes
            result.body = b"".join(parts)
            raise
        result.body = b"".join(parts)
        self._status_failure(result)
        return None

    @staticmethod
    def _status_failure(result: FetchResult) -> None:
        if result.status is not None and result.status >= 400:
            result.failure = FailureClass.HTTP_STATUS
            result.error = f"HTTP {result.status}"

    def _insecure_context(self) -> ssl.SSLContext:
        if self._insecure is None:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self._insecure = ctx
        return self._insecure


def _tls_facts(out: dict[str, Any], ssl_object: ssl.SSLObject | None) -> None:
    if ssl_object is None:
        return
    out["version"] = ssl_object.version()
    out["cipher"] = (ssl_object.cipher() or ("",))[0]
    cert = ssl_object.getpeercert()
    if cert:
        out["not_after"] = cert.get("notAfter")
        out["not_before"] = cert.get("notBefore")
        issuer = dict(item[0] for item in cert.get("issuer", ()) if item)
        out["issuer"] = issuer.get("organizationName") or issuer.get("commonName") or ""
        out["subject_alt_names"] = [v for k, v in cert.get("subjectAltName", ()) if k == "DNS"]
    else:  # not verified (verify=False): getpeercert() is empty, the DER form still says what was served
        _der_facts(out, ssl_object.getpeercert(binary_form=True))


def _der_facts(out: dict[str, Any], der: bytes | None) -> None:
    """Validity, issuer and names of an unverified certificate, in getpeercert()'s formats."""
    if not der:
        return
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID, NameOID

    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return

    def name(value: x509.Name, oid: x509.ObjectIdentifier) -> str:
        attrs = value.get_attributes_for_oid(oid)
        return str(attrs[0].value) if attrs else ""

    out["not_after"] = cert.not_valid_after_utc.strftime("%b %d %H:%M:%S %Y GMT")
    out["not_before"] = cert.not_valid_before_utc.strftime("%b %d %H:%M:%S %Y GMT")
    out["issuer"] = name(cert.issuer, NameOID.ORGANIZATION_NAME) or name(cert.issuer, NameOID.COMMON_NAME)
    out["self_signed"] = cert.issuer == cert.subject
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        out["subject_alt_names"] = san.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        out["subject_alt_names"] = []
