"""A loopback server of hostile and unusual government sites, one virtual host per site.

Every site answers on the same ``127.0.0.1`` port and is told apart by its ``Host`` header, so each one
has its own ``*.gov.cn`` name that the inspector reaches with ``--resolve HOST:PORT:127.0.0.1`` (as a
real province would be reached through DNS). A second port plays an internal service that must never
be reached through a redirect unless loopback addresses are allowed. Nothing leaves the loopback
interface: the one site that redirects to the cloud-metadata address relies on the SSRF guard refusing
it, and the ``.invalid`` row is refused before any lookup.

Use it as a context manager::

    with HostileServer() as server:
        server.write_registry(path)          # registry CSV with Chinese headers
        server.resolve_entries()             # ["hang.gov.cn:PORT:127.0.0.1", ...]
        server.hits["big.gov.cn"]["/"]       # requests per host and path
"""

from __future__ import annotations

import asyncio
import csv
import random
import socket
import threading
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

REGION = "广东省/湛江市/雷州市"
HOSTILE_NAME = '=HYPERLINK("http://evil.example/","点我")<script>alert(1)</script>'
BIG_BYTES = 50 * 1024 * 1024
LONG_LINE_BYTES = 5 * 1024 * 1024
NESTED_DIVS = 10_000
MANY_LINKS = 20_000
LONG_HREF_CHARS = 10_000
DEAD_EVERY = 500  # every DEAD_EVERY-th link of the 20,000-link page answers 404
NUL = chr(0)
CONTROL_CHARS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class HostileSite:
    """One registry row and the behaviour of its virtual host."""

    key: str
    site_code: str
    name: str
    host: str
    host_org: str
    kind: str = "部门网站"
    closed_port: bool = False  # the homepage names a port where nothing listens
    unresolvable: bool = False  # the host is under .invalid and gets no --resolve entry


SITES = (
    HostileSite("hang", "4408820001", "雷州市挂起局", "hang.gov.cn", "雷州市挂起局"),
    HostileSite("big", "4408820002", "雷州市大页面局", "big.gov.cn", "雷州市大页面局"),
    HostileSite("loop", "4408820003", "雷州市循环局", "loop.gov.cn", "雷州市循环局"),
    HostileSite("gbk", "4408820004", "雷州市人民政府", "gbk.gov.cn", "雷州市人民政府办公室", "门户网站"),
    HostileSite("binary", "4408820005", "雷州市乱码局", "binary.gov.cn", "雷州市乱码局"),
    HostileSite("closed", "4408820006", "雷州市关门局", "closed.gov.cn", "雷州市关门局", closed_port=True),
    HostileSite("nosuch", "4408820007", "雷州市无名局", "www.nosuch.invalid", "雷州市无名局", unresolvable=True),
    HostileSite("metadata", "4408820008", "雷州市元数据局", "metadata.gov.cn", "雷州市元数据局"),
    HostileSite("loopback", "4408820009", "雷州市回环局", "loopback.gov.cn", "雷州市回环局"),
    HostileSite("hostile", "4408820010", HOSTILE_NAME, "hostile.gov.cn", HOSTILE_NAME),
    HostileSite("plain", "4408820011", "雷州市农业农村局", "plain.gov.cn", "雷州市农业农村局"),
)
BY_KEY = {s.key: s for s in SITES}

REGISTRY_HEADER = ("网站标识码", "网站名称", "首页网址", "地区", "主办单位", "网站类型")


def footer(site: HostileSite, *, extra: str = "") -> str:
    """A complete 底部功能区 for ``site`` (so only planted problems show up as footer findings)."""
    return (
        "<div class='footer'>"
        f"<p>主办单位：{site.host_org} 联系电话：0759-8881234</p>"
        f"<p>网站标识码：{site.site_code} 粤ICP备05070218号-1 粤公网安备44088202000123号</p>"
        "<p><span class='dzjg'>党政机关</span></p>"  # no link off the box
        f"{extra}</div>"
    )


def gbk_page(site: HostileSite) -> bytes:
    """GB18030 bytes, no charset anywhere; the footer lacks only the ICP number (a planted miss)."""
    html = (
        "<html><head><title>雷州市人民政府门户网站</title></head><body>"
        "<div class='nav'><a href='/zwgk/'>政务公开</a> <a href='/zwfw/'>政务服务</a></div>"
        "<div class='list'><ul><li><a href='/zwgk/t20210601_1.html'>关于做好防汛防台风工作的通知</a>"
        "<span>2021-06-01</span></li></ul></div>"
        "<p>䶮字与𠀀字：GB18030 独有的字符，以及 鎔 和 喆。</p>"
        "<div class='footer'>"
        f"<p>主办单位：{site.host_org}　承办：雷州市政务服务数据管理局　联系电话：0759-8881234</p>"
        f"<p>网站标识码：{site.site_code}　粤公网安备44088202000123号</p>"
        "<p><span class='dzjg'>党政机关</span></p>"
        "</div></body></html>"
    )
    return html.encode("gb18030")


def hostile_home(site: HostileSite) -> bytes:
    """The hostile homepage: 20,000 links, a 10,000-character href, script-written links, javascript:
    links, unclosed tags, NUL and other control bytes, and the formula/script name in the title."""
    parts = [
        f"<html><head><title>{HOSTILE_NAME}</title>",
        "<script>for (var i = 0; i < 3; i++)"
        " document.write('<a href=\"/from-script-' + i + '.html\">js</a>');</script></head><body>",
        "<div class='nav'><a href='/deep.html'>深层</a> <a href='/oneline.html'>长行</a>"
        " <a href='/zwgk/'>政务公开</a></div>",
        "<a href='javascript:void(0)'>空链接</a> <a href='JavaScript:alert(document.cookie)'>弹窗</a>",
        f"<a href='/search?q={'x' * LONG_HREF_CHARS}'>超长链接</a>",
        "<div><p>未闭合的段落<span>未闭合<b>加粗<table><tr><td>单元格<div class='list'><ul><li>条目",
        "<p>" + ("填充" * 1200) + "</p>",  # the control bytes sit past the first 2 KB binary sniff
        "<p>控制字符" + NUL * 40 + CONTROL_CHARS + "之后</p>",
        "<div class='links'><ul>",
    ]
    parts.extend(f"<li><a href='/l/{i}.html'>链接{i}</a></li>" for i in range(MANY_LINKS))
    parts.append("</ul></div>")
    parts.append(footer(site, extra=f"<p>{HOSTILE_NAME}{CONTROL_CHARS}</p>"))
    parts.append("</body>")  # no </html>: unclosed to the end
    return "".join(parts).encode("utf-8")


def deep_page(site: HostileSite) -> bytes:
    inner = "<div>" * NESTED_DIVS + "<a href='/zwgk/'>最深处的链接</a>" + "</div>" * NESTED_DIVS
    return f"<html><head><title>深层嵌套</title></head><body>{inner}{footer(site)}</body></html>".encode()


def one_line_page(site: HostileSite) -> bytes:
    head = "<html><head><title>一行五兆</title></head><body><p>"
    tail = f"</p>{footer(site)}</body></html>"
    filler = "长" * ((LONG_LINE_BYTES - len(head) - len(tail)) // 3)
    return (head + filler + tail).encode("utf-8")


def plain_page(site: HostileSite) -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{site.name}</title></head><body>"
        "<div class='nav'><a href='/zwgk/'>政务公开</a></div>"
        f"<p>欢迎访问{site.name}。</p>{footer(site)}</body></html>"
    ).encode()


PLAIN_NEWS = (  # (path, title, date): updated days before the monitoring point 2021-06-15
    ("/tzgg/202106/t20210610_101.html", "关于开展2021年夏季农业生产安全检查的通知", "2021-06-10"),
    ("/tzgg/202106/t20210607_100.html", "雷州市2021年水稻病虫害防控工作方案", "2021-06-07"),
    ("/zwgk/202106/t20210611_201.html", "雷州市农业农村局2021年5月工作动态", "2021-06-11"),
    ("/zwgk/202106/t20210604_200.html", "雷州市农业农村局关于农机购置补贴的公示", "2021-06-04"),
)
PLAIN_COLUMNS = {"/tzgg/": "通知公告", "/zwgk/": "政务公开"}


def plain_site_page(site: HostileSite, path: str) -> tuple[bytes, int]:
    """A clean, recently updated site: a control that must come out qualified among hostile neighbours."""
    nav = "".join(f"<li><a href='{p}'>{name}</a></li>" for p, name in PLAIN_COLUMNS.items())
    head = (f"<html><head><meta charset='utf-8'><title>{site.name}</title></head><body>"
            f"<div class='nav'><ul><li><a href='/'>首页</a></li>{nav}</ul></div>")
    tail = f"{footer(site)}</body></html>"

    def items(prefix: str) -> str:
        rows = "".join(f"<li><a href='{p}'>{t}</a><span class='date'>{d}</span></li>"
                       for p, t, d in PLAIN_NEWS if p.startswith(prefix))
        return f"<div class='list'><ul>{rows}</ul></div>"

    if path == "/":
        blocks = "".join(f"<div class='column'><h2><a href='{p}'>{name}</a></h2>{items(p)}</div>"
                         for p, name in PLAIN_COLUMNS.items())
        return (head + blocks + tail).encode(), 200
    if path in PLAIN_COLUMNS:
        return (head + f"<h1>{PLAIN_COLUMNS[path]}</h1>" + items(path) + tail).encode(), 200
    for item_path, title, day in PLAIN_NEWS:
        if path == item_path:
            article = f"<div class='article'><h1>{title}</h1><p class='info'>发布日期：{day}</p><p>正文内容。</p></div>"
            return (head + article + tail).encode(), 200
    return (head + "<p>页面不存在</p>" + tail).encode(), 404


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class HostileServer:
    """The hostile sites of :data:`SITES` behind one loopback port (see the module docstring)."""

    def __init__(self) -> None:
        self.port = 0
        self.internal_port = 0  # the "internal service" only a redirect could lead to
        self.closed_port = closed_port()
        self.hits: dict[str, Counter[str]] = defaultdict(Counter)  # host -> path -> requests
        self.bytes_sent: Counter[str] = Counter()  # host -> body bytes written
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._cache: dict[str, bytes] = {}
        self._handlers: dict[str, Handler] = {
            "hang.gov.cn": self._hang,
            "big.gov.cn": self._big,
            "loop.gov.cn": self._loop_redirect,
            "gbk.gov.cn": self._gbk,
            "binary.gov.cn": self._binary,
            "metadata.gov.cn": self._to_metadata,
            "loopback.gov.cn": self._to_loopback,
            "hostile.gov.cn": self._hostile,
            "plain.gov.cn": self._plain,
        }

    # -- what the inspector is given -----------------------------------------------------------
    def homepage(self, site: HostileSite) -> str:
        if site.unresolvable:
            return f"http://{site.host}/"
        port = self.closed_port if site.closed_port else self.port
        return f"http://{site.host}:{port}/"

    def resolve_entries(self) -> list[str]:
        """curl-style ``HOST:PORT:127.0.0.1`` for every resolvable site (none for the .invalid host)."""
        out = []
        for site in SITES:
            if site.unresolvable:
                continue
            port = self.closed_port if site.closed_port else self.port
            out.append(f"{site.host}:{port}:127.0.0.1")
        return out

    def registry_rows(self) -> list[tuple[str, ...]]:
        return [(s.site_code, s.name, self.homepage(s), REGION, s.host_org, s.kind) for s in SITES]

    def write_registry(self, path: Path, extra_rows: list[tuple[str, ...]] = ()) -> Path:
        """The registry CSV (UTF-8 with BOM, Chinese headers): every site, then ``extra_rows``."""
        with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(REGISTRY_HEADER)
            writer.writerows(self.registry_rows())
            writer.writerows(extra_rows)
        return Path(path)

    def total_hits(self) -> int:
        """Requests seen on both ports, every host."""
        with self._lock:
            return sum(sum(paths.values()) for paths in self.hits.values())

    # -- lifecycle -----------------------------------------------------------------------------
    def __enter__(self) -> HostileServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

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

        self._thread = threading.Thread(target=run, name="hostile-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("hostile server did not start within 10 s")
        if error:
            raise error[0]

    async def _serve(self, ready: threading.Event) -> None:
        app = web.Application(middlewares=[self._count])
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(app, shutdown_timeout=0.2, access_log=None, handle_signals=False)
        await runner.setup()
        main = web.TCPSite(runner, "127.0.0.1", 0)
        internal = web.TCPSite(runner, "127.0.0.1", 0)
        await main.start()
        await internal.start()
        self.port = runner.addresses[0][1]
        self.internal_port = runner.addresses[1][1]
        self._stop = asyncio.Event()
        ready.set()
        await self._stop.wait()
        await runner.cleanup()
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

    # -- dispatch --------------------------------------------------------------------------------
    def _host_of(self, request: web.Request) -> str:
        sock = request.transport.get_extra_info("sockname") if request.transport else None
        if sock and sock[1] == self.internal_port:
            return "internal"
        return (request.host or "").rsplit(":", 1)[0].lower()

    @web.middleware
    async def _count(self, request: web.Request, handler: Any) -> web.StreamResponse:
        with self._lock:
            self.hits[self._host_of(request)][request.path] += 1
        return await handler(request)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        host = self._host_of(request)
        if host == "internal":
            return web.Response(text="internal admin console: secret", content_type="text/plain")
        if request.path == "/robots.txt":
            return web.Response(status=404, text="no robots")
        handler = self._handlers.get(host)
        if handler is None:
            return web.Response(status=404, text=f"no site {host}")
        return await handler(request)

    def _cached(self, key: str, make: Callable[[], bytes]) -> bytes:
        body = self._cache.get(key)
        if body is None:
            body = self._cache[key] = make()
        return body

    def _html(self, host: str, body: bytes, content_type: str = "text/html; charset=utf-8",
              status: int = 200) -> web.Response:
        with self._lock:
            self.bytes_sent[host] += len(body)
        return web.Response(body=body, status=status, headers={"Content-Type": content_type})

    # -- the sites -------------------------------------------------------------------------------
    async def _hang(self, request: web.Request) -> web.StreamResponse:
        """Headers and the first bytes, then nothing, until the server stops."""
        resp = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8",
                                           "Content-Length": "100000"})
        await resp.prepare(request)
        await resp.write(b"<html><head><title>")
        assert self._stop is not None
        await self._stop.wait()
        return resp

    async def _big(self, request: web.Request) -> web.StreamResponse:
        """A 50 MB homepage streamed in 64 KiB chunks (chunked encoding, no Content-Length)."""
        if request.path != "/":
            return self._html("big.gov.cn", plain_page(BY_KEY["big"]))
        resp = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
        await resp.prepare(request)
        if request.method == "HEAD":
            return resp
        head = f"<html><head><title>大页面</title></head><body>{footer(BY_KEY['big'])}".encode()
        chunk = ("<p>" + "大" * 21_000 + "</p>\n").encode()  # ~64 KiB
        sent = 0
        try:
            await resp.write(head)
            sent += len(head)
            while sent < BIG_BYTES:
                await resp.write(chunk)
                sent += len(chunk)
                with self._lock:
                    self.bytes_sent["big.gov.cn"] += len(chunk)
            await resp.write_eof()
        except ConnectionError:  # the client stopped reading at its cap: what this site tests
            pass
        return resp

    async def _loop_redirect(self, request: web.Request) -> web.StreamResponse:
        target = "/b" if request.path == "/" else "/"
        return web.Response(status=302, headers={"Location": target})

    async def _gbk(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/":
            return self._html("gbk.gov.cn", gbk_page(BY_KEY["gbk"]), "text/html")
        return self._html("gbk.gov.cn", plain_page(BY_KEY["gbk"]))

    async def _binary(self, request: web.Request) -> web.StreamResponse:
        body = self._cached("binary", lambda: random.Random(7).randbytes(256 * 1024))
        return self._html("binary.gov.cn", body, "text/html")

    async def _to_metadata(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})

    async def _to_loopback(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=302, headers={"Location": f"http://127.0.0.1:{self.internal_port}/admin"})

    async def _hostile(self, request: web.Request) -> web.StreamResponse:
        site = BY_KEY["hostile"]
        path = request.path
        if path == "/":
            return self._html(site.host, self._cached("hostile-home", lambda: hostile_home(site)))
        if path == "/deep.html":
            return self._html(site.host, self._cached("deep", lambda: deep_page(site)))
        if path == "/oneline.html":
            return self._html(site.host, self._cached("oneline", lambda: one_line_page(site)))
        if path.startswith("/l/"):
            number = path[3:].split(".", 1)[0]
            if number.isdigit() and int(number) % DEAD_EVERY == 7:
                return self._html(site.host, b"<html><body>not found</body></html>", status=404)
        return self._html(site.host, plain_page(site))

    async def _plain(self, request: web.Request) -> web.StreamResponse:
        body, status = plain_site_page(BY_KEY["plain"], request.path)
        return self._html("plain.gov.cn", body, status=status)
