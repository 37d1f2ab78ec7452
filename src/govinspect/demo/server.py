"""Serve the demo farm on one loopback port, choosing the site by the Host header (virtual hosts).

The crawler reaches the farm under the sites' real names with ``--resolve HOST:PORT:127.0.0.1``; every
farm host and every shared external host (中国政府网, the 找错 platform, conac, a dead site, spam sites)
answers on the same port. The server runs aiohttp in a background thread with its own event loop, so
synchronous code and tests can use it as a context manager.
"""

from __future__ import annotations

import asyncio
import html
import socket
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self
from urllib.parse import parse_qsl

from aiohttp import web

from govinspect.demo.farm import (
    PORT_TOKEN,
    PROTECTIVE_HEADERS,
    SEARCH_SLOT,
    ExternalHost,
    Farm,
    FarmSearch,
    FarmSite,
    gzip_bytes,
)
from govinspect.errors import GovinspectError

_COMMON_HEADERS = PROTECTIVE_HEADERS
_MAX_QUERY_CHARS = 200  # a search box echoes at most this much of the query


class FarmServerError(GovinspectError):
    """The demo farm server could not start."""


@dataclass
class _VHost:
    pages: dict[str, tuple[bytes, str]]
    spider_pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    failure: str | None = None  # drop / 503
    gzip: bool = False
    status: int = 200  # an external host answering every path with this status
    fallback: tuple[bytes, str] | None = None
    headers: dict[str, str] = field(default_factory=lambda: dict(_COMMON_HEADERS))
    search: FarmSearch | None = None
    encoding: str = "utf-8"


class FarmServer:
    """Every farm host on ONE loopback port. ``start()`` returns the port; use as a context manager."""

    def __init__(self, farm: Farm, host: str = "127.0.0.1", port: int = 0) -> None:
        self.farm = farm
        self.host = host
        self._requested_port = port
        self.port = 0
        self._vhosts: dict[str, _VHost] = {}
        self._cache: dict[tuple[str, str, bool, bool], bytes] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.requests = 0  # answered requests, for benchmarks

    # ---- lifecycle

    def start(self) -> int:
        """Bind, start serving in a background thread, and return the port."""
        if self._thread is not None:
            return self.port
        self._vhosts = {s.host: _site_vhost(s) for s in self.farm.sites}
        self._vhosts |= {e.host: _external_vhost(e) for e in self.farm.externals}
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError as exc:
            sock.close()
            raise FarmServerError(f"cannot bind the demo farm to {self.host}:{self._requested_port} ({exc}): "
                                  "choose another port or 0 for any free port") from exc
        sock.listen(1024)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, args=(sock,), name="farm-server", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise FarmServerError(f"demo farm server failed to start: {self._error}") from self._error
        return self.port

    def stop(self) -> None:
        """Stop serving and join the thread (idempotent)."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _serve(self, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._startup(sock))
        except BaseException as exc:  # noqa: BLE001 - reported to start() in the caller's thread
            self._error = exc
            sock.close()
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            if self._runner is not None:
                loop.run_until_complete(self._runner.cleanup())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _startup(self, sock: socket.socket) -> None:
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5,
                                     keepalive_timeout=15)
        await self._runner.setup()
        await web.SockSite(self._runner, sock, backlog=1024).start()

    # ---- serving

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        host = _host_name(request.headers.get("Host", ""))
        vhost = self._vhosts.get(host)
        if vhost is None:
            return web.Response(status=404, text=f"unknown host {host!r}", headers=_COMMON_HEADERS)
        if vhost.failure == "503":
            return web.Response(status=503, text="503 Service Temporarily Unavailable",
                                headers={"Server": "nginx"})
        if vhost.failure == "drop":
            if request.transport is not None:
                request.transport.abort()  # the connection drops without an answer
            return web.Response(status=503)  # never written: the transport is gone
        common = vhost.headers
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=405, text="405 Method Not Allowed", headers=common)
        if vhost.status != 200:
            return web.Response(status=vhost.status, text=f"{vhost.status} Not Found", headers=common)
        spider = "baiduspider" in request.headers.get("User-Agent", "").lower()
        key = request.raw_path
        path = request.rel_url.raw_path
        found = _lookup(vhost, key, path, spider)
        if found is None:
            if not path.endswith("/") and _lookup(vhost, path + "/", path + "/", False) is not None:
                location = f"http://{request.headers.get('Host', host)}{path}/"
                return web.Response(status=301, headers={**common, "Location": location})
            headers = {**common, "Content-Type": "text/html; charset=utf-8"}
            return web.Response(status=404, body=_NOT_FOUND, headers=headers)
        lookup_key, (body, content_type) = found
        accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        gz = vhost.gzip and content_type.startswith("text/") and accepts_gzip
        if vhost.search is not None and lookup_key == vhost.search.path:
            body = body.replace(PORT_TOKEN.encode("ascii"), str(self.port).encode("ascii"))
            body = _search_answer(vhost, body, request.rel_url.raw_query_string)
            body = gzip_bytes(body) if gz else body
        else:
            body = self._body(host, lookup_key, body, spider, gz)
        headers = {**common, "Content-Type": content_type}
        if gz:
            headers |= {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return web.Response(body=body, headers=headers)

    def _body(self, host: str, key: str, body: bytes, spider: bool, gz: bool) -> bytes:
        """The stored body with the real port substituted (and gzipped), cached per server."""
        cache_key = (host, key, spider, gz)
        cached = self._cache.get(cache_key)
        if cached is None:
            cached = body.replace(PORT_TOKEN.encode("ascii"), str(self.port).encode("ascii"))
            if gz:
                cached = gzip_bytes(cached)
            self._cache[cache_key] = cached
        return cached


_NOT_FOUND = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404 页面不存在</title></head>"
              "<body><h1>404</h1><p>您访问的页面不存在或已被删除。</p></body></html>").encode()


def _search_answer(vhost: _VHost, body: bytes, raw_query: str) -> bytes:
    """The search page with its slot filled: a prompt without a query, else the query echoed back
    (HTML-escaped unless the site's search is the planted reflected-XSS one). The query is decoded in
    the site's own encoding, as its form submits it."""
    search = vhost.search
    assert search is not None
    pairs = parse_qsl(raw_query, keep_blank_values=True, encoding=vhost.encoding, errors="replace")
    query = next((v for k, v in pairs if k == search.parameter), "").strip()[:_MAX_QUERY_CHARS]
    if not query:
        text = "请输入关键词进行检索。"
    else:
        echoed = html.escape(query) if search.escape else query
        text = f"您搜索的是：{echoed}，未找到相关结果。"
    return body.replace(SEARCH_SLOT.encode("ascii"), text.encode(vhost.encoding, errors="xmlcharrefreplace"))


def _lookup(vhost: _VHost, key: str, path: str, spider: bool) -> tuple[str, tuple[bytes, str]] | None:
    if spider:
        for candidate in (key, path):
            if candidate in vhost.spider_pages:
                return candidate, vhost.spider_pages[candidate]
    for candidate in (key, path):
        if candidate in vhost.pages:
            return candidate, vhost.pages[candidate]
    if vhost.fallback is not None:
        return "*", vhost.fallback
    return None


def _host_name(header: str) -> str:
    """``www.leizhou.gov.cn:8123`` → ``www.leizhou.gov.cn`` (lower case, no trailing dot)."""
    name = header.strip().lower()
    if name.startswith("["):
        name = name.split("]", 1)[0] + "]"
    else:
        name = name.rsplit(":", 1)[0] if name.count(":") == 1 else name
    return name.rstrip(".")


def _site_vhost(site: FarmSite) -> _VHost:
    return _VHost(pages=site.pages, spider_pages=site.spider_pages, failure=site.failure, gzip=site.gzip,
                  headers=site.headers, search=site.search, encoding=site.encoding)


def _external_vhost(host: ExternalHost) -> _VHost:
    return _VHost(pages=host.pages, status=host.status, fallback=host.fallback)
