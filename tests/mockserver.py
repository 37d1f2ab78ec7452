"""A loopback HTTP server for tests, with named routes in the manner of Scrapy's ``tests/mockserver``.

Start it with the ``mockserver`` fixture (``from tests.mockserver import mockserver``) or directly::

    with MockServer() as server:
        server.url("/status/404")        # "http://127.0.0.1:<port>/status/404"

It runs an ``aiohttp.web`` application on ``127.0.0.1:0`` in a background thread with its own event
loop, so synchronous and asynchronous tests can both use it. Nothing leaves the loopback interface.

Routes (``<n>`` integer, ``<s>`` seconds as a float):

====================================  ===========================================================
``/status/<n>``                       empty body with status ``n``
``/delay/<s>``                        waits ``s`` seconds *before* the headers, then 200 "ok"
``/hang-after-headers``               sends headers and a few bytes, then never finishes the body
``/drop``                             closes the connection without any response
``/drop-mid-body``                    headers with Content-Length 100000, 10 bytes, then closes
``/redirect/<n>``                     ``n`` chained 302s ending at ``/redirect/0`` (200 "redirected")
``/redirect-loop``                    302 to ``/redirect-loop-b``, which 302s back
``/redirect-to?url=U&status=302``     one redirect to ``U`` (absolute or relative)
``/big?mb=<n>``                       streams ``n`` MiB of ``a`` bytes (chunked), text/plain
``/gzip-bomb?mb=<n>``                 gzip of ``n`` MiB of NUL bytes (default 64), Content-Encoding gzip
``/br-bomb?mb=<n>``                   the same with brotli
``/gzip-page``                        a small gzip-encoded UTF-8 HTML page
``/gbk``                              a GB18030-encoded Chinese page, ``Content-Type: text/html`` (no charset)
``/gbk-declared``                     GB18030 bytes with ``charset=gb2312`` in the header (a 生僻字 inside)
``/binary``                           64 KiB of random bytes served as ``text/html``
``/robots.txt``                       ``server.robots`` (404 when None)
``/echo-headers``                     the request headers as a JSON object
``/head-not-allowed``                 405 for HEAD, 200 page for GET
``/flaky?key=K&fail=<n>``             404 for the first ``n`` requests of key ``K`` (default 1), then 200
``/waf-403``                          403 with a web-application-firewall style body and Server header
``/slow/<ms>``                        waits ``ms`` milliseconds, then 200 (for concurrency counting)
anything in ``server.pages``          ``path -> (body, content_type)`` or ``(body, content_type, status)``
====================================  ===========================================================

Counters for assertions: ``server.hits[path]`` (path without query), ``server.max_in_flight`` (peak
concurrent requests), ``server.requests`` (list of ``(method, path_qs, headers dict, time)``).
``server.reset()`` clears them. Every request is counted, including those of ``server.pages``.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

GBK_PAGE = (
    "<html><head><title>雷州市人民政府</title></head><body>"
    "<div class='nav'><a href='/zwgk/'>政务公开</a></div>"
    "<p>䶮字与𠀀字：GB18030 独有的字符，以及 鎔 和 喆。</p>"
    "<div class='footer'>主办单位：雷州市人民政府办公室 网站标识码：4408820001</div>"
    "</body></html>"
)


class MockServer:
    """See the module docstring for the routes."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host  # any 127.0.0.0/8 address; a second server on 127.0.0.2 is a "different host"
        self.pages: dict[str, tuple[Any, ...]] = {}
        self.robots: str | None = None
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, str, dict[str, str], float]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.flaky: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._stop: asyncio.Event | None = None
        self.port = 0
        self._bomb_cache: dict[tuple[str, int], bytes] = {}

    # -- lifecycle -----------------------------------------------------------------------------
    def __enter__(self) -> MockServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()
            self.requests.clear()
            self.max_in_flight = 0
            self.flaky.clear()

    def start(self) -> None:
        ready = threading.Event()
        error: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve(ready))
            except BaseException as exc:  # pragma: no cover - surfaced to the starting thread
                error.append(exc)
                ready.set()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="mockserver", daemon=True)
        self._thread.start()
        ready.wait(10)
        if error:
            raise error[0]

    async def _serve(self, ready: threading.Event) -> None:
        app = web.Application(middlewares=[self._count])
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._stop = asyncio.Event()
        ready.set()
        await self._stop.wait()
        await self._runner.cleanup()
        current = asyncio.current_task()
        leftover = [t for t in asyncio.all_tasks() if t is not current]
        for task in leftover:
            task.cancel()
        await asyncio.gather(*leftover, return_exceptions=True)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    # -- request handling --------------------------------------------------------------------------
    @web.middleware
    async def _count(self, request: web.Request, handler: Any) -> web.StreamResponse:
        with self._lock:
            self.hits[request.path] += 1
            self.requests.append((request.method, request.path_qs, dict(request.headers), time.monotonic()))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await handler(request)
        finally:
            with self._lock:
                self.in_flight -= 1

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path in self.pages:
            spec = self.pages[path]
            body, ctype = spec[0], spec[1]
            status = spec[2] if len(spec) > 2 else 200
            if isinstance(body, str):
                body = body.encode("utf-8")
            return web.Response(body=body, status=status, headers={"Content-Type": ctype})
        parts = path.strip("/").split("/")
        head, arg = parts[0], (parts[1] if len(parts) > 1 else "")
        q = request.query
        if head == "status":
            return web.Response(status=int(arg), body=b"")
        if head == "delay":
            await asyncio.sleep(float(arg))
            return web.Response(text="ok")
        if head == "slow":
            await asyncio.sleep(int(arg) / 1000)
            return web.Response(text="ok")
        if head == "hang-after-headers":
            resp = web.StreamResponse(headers={"Content-Type": "text/html", "Content-Length": "100000"})
            await resp.prepare(request)
            await resp.write(b"<html>")
            await asyncio.sleep(3600)
            return resp
        if head == "drop":
            assert request.transport is not None
            request.transport.close()
            await asyncio.sleep(0.05)
            return web.Response(text="never seen")
        if head == "drop-mid-body":
            resp = web.StreamResponse(headers={"Content-Type": "text/html", "Content-Length": "100000"})
            await resp.prepare(request)
            await resp.write(b"<html>0123")
            assert request.transport is not None
            request.transport.close()
            await asyncio.sleep(0.05)
            return resp
        if head == "redirect":
            n = int(arg or 0)
            if n <= 0:
                return web.Response(text="redirected")
            raise web.HTTPFound(f"/redirect/{n - 1}")
        if head == "redirect-loop":
            raise web.HTTPFound("/redirect-loop-b")
        if head == "redirect-loop-b":
            raise web.HTTPFound("/redirect-loop")
        if head == "redirect-to":
            status = int(q.get("status", "302"))
            return web.Response(status=status, headers={"Location": q["url"]})
        if head == "big":
            mb = float(q.get("mb", "1"))
            resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
            await resp.prepare(request)
            chunk = b"a" * 65536
            try:
                for _ in range(int(mb * 16)):
                    await resp.write(chunk)
                await resp.write_eof()
            except ConnectionError:  # the client stopped reading: that is what /big tests
                pass
            return resp
        if head in ("gzip-bomb", "br-bomb"):
            mb = int(q.get("mb", "64"))
            kind = "gzip" if head == "gzip-bomb" else "br"
            key = (kind, mb)
            if key not in self._bomb_cache:
                raw = b"\0" * (mb << 20)
                if kind == "gzip":
                    self._bomb_cache[key] = gzip.compress(raw, 9)
                else:
                    import brotli

                    self._bomb_cache[key] = brotli.compress(raw, quality=4)
            return web.Response(body=self._bomb_cache[key],
                                headers={"Content-Type": "text/html", "Content-Encoding": kind})
        if head == "gzip-page":
            body = gzip.compress("<html><body><p>压缩的页面</p></body></html>".encode())
            return web.Response(body=body, headers={"Content-Type": "text/html; charset=utf-8",
                                                    "Content-Encoding": "gzip"})
        if head == "gbk":
            return web.Response(body=GBK_PAGE.encode("gb18030"), headers={"Content-Type": "text/html"})
        if head == "gbk-declared":
            return web.Response(body=GBK_PAGE.encode("gb18030"),
                                headers={"Content-Type": "text/html; charset=gb2312"})
        if head == "binary":
            return web.Response(body=os.urandom(65536), headers={"Content-Type": "text/html"})
        if head == "robots.txt":
            if self.robots is None:
                return web.Response(status=404, text="no robots")
            return web.Response(text=self.robots, content_type="text/plain")
        if head == "echo-headers":
            return web.json_response(dict(request.headers))
        if head == "head-not-allowed":
            if request.method == "HEAD":
                return web.Response(status=405)
            return web.Response(text="<html><body>get works</body></html>", content_type="text/html")
        if head == "flaky":
            key = q.get("key", "default")
            with self._lock:
                self.flaky[key] += 1
                count = self.flaky[key]
            if count <= int(q.get("fail", "1")):
                return web.Response(status=404, text="not yet")
            return web.Response(text="<html><body>back</body></html>", content_type="text/html")
        if head == "waf-403":
            return web.Response(
                status=403,
                text="<html><title>访问被拦截</title><body>您的访问被网站防火墙(WAF)拦截，请求ID: 8f3a</body></html>",
                content_type="text/html",
                headers={"Server": "yunjiasu-nginx"},
            )
        return web.Response(status=404, text="not found")


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def mockserver() -> Iterator[MockServer]:
    """A fresh :class:`MockServer` per test."""
    server = MockServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
