"""Rendered confirmation of hidden links: open pages in headless Chromium and measure every link.

For the pages static analysis could not settle (``content.hidden.pages_needing_render``), this reports
per link what a reader's browser shows: bounding box, computed display/visibility/opacity, font size,
text colour against the effective background, clipping by ancestors. The results go into
``SiteView.extras["rendered"][url]`` for content.dark_link. Each result also carries the rendered DOM
(``html``, cut at ``settings.fetch.max_body_bytes``), from which 栏目 discovery reads lists that scripts
fill (AJAX lists, app mount points).

Safety: Chromium resolves no name by itself. Every page host is resolved here (``settings.fetch.resolve``
first, then DNS), refused when private unless ``settings.fetch.allow_private``, and pinned with
``--host-resolver-rules`` (``MAP host:port addr``, then ``MAP * ~NOTFOUND``); every request is
intercepted and aborted unless it goes to a page's own host and port. Runaway scripts are bounded: the
navigation has a timeout, then script execution is terminated and disabled over the DevTools protocol
before the page is measured, and every step runs under ``asyncio.wait_for``. Uses Debian's
``/usr/bin/chromium`` (apt package ``chromium``; ``fonts-noto-cjk`` for Chinese glyph metrics).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govinspect.errors import GovinspectError
from govinspect.settings import Settings

__all__ = ["CHROMIUM_ARGS", "RenderError", "host_resolver_rules", "render_pages"]

DEFAULT_EXECUTABLE = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--dns-prefetch-disable", "--disable-features=NetworkPrediction,OptimizationHints",
)

# Measures every link; runs with page scripts already stopped. Returns plain JSON.
COLLECT_JS = r"""
(maxLinks) => {
  const describe = (e) => {
    const parts = [];
    for (let n = e, d = 0; n && n.nodeType === 1 && d < 6 && n.tagName !== 'HTML'; n = n.parentElement, d++) {
      let p = n.tagName.toLowerCase();
      if (n.id) { parts.unshift(p + '#' + n.id); break; }
      const c = (n.getAttribute('class') || '').trim().split(/\s+/)[0];
      parts.unshift(c ? p + '.' + c : p);
    }
    return 'css:' + parts.join(' > ');
  };
  const parse = (c) => {
    const m = (c || '').match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const background = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage && s.backgroundImage !== 'none') return null;
      const c = parse(s.backgroundColor);
      if (c && c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const root = document.documentElement;
  const docW = Math.max(root.scrollWidth, window.innerWidth);
  const docH = Math.max(root.scrollHeight, window.innerHeight);
  const out = [];
  const anchors = Array.from(document.querySelectorAll('a[href], area[href]')).slice(0, maxLinks);
  for (const a of anchors) {
    const s = getComputedStyle(a);
    const r = a.getBoundingClientRect();
    const reasons = [];
    let opacity = 1;
    for (let e = a; e && e.nodeType === 1; e = e.parentElement) {
      const es = getComputedStyle(e);
      opacity *= parseFloat(es.opacity || '1');
      if (es.display === 'none') { reasons.push('display:none on ' + describe(e)); break; }
    }
    if (!reasons.length && s.visibility !== 'visible') reasons.push('visibility:' + s.visibility);
    if (!reasons.length && opacity < 0.05) reasons.push('opacity ' + opacity.toFixed(2));
    const hasImage = a.querySelector('img') !== null;
    let bg = null;
    if (!reasons.length) {
      const x = r.left + window.scrollX, y = r.top + window.scrollY;
      if (a.getClientRects().length === 0 || (r.width <= 1 && r.height <= 1)) reasons.push('zero size');
      else if (x + r.width <= 0 || y + r.height <= 0 || x >= docW + 50 || y >= docH + 50) reasons.push('off screen');
      if (!hasImage && parseFloat(s.fontSize) <= 1) reasons.push('font-size ' + s.fontSize);
      for (let e = a.parentElement; e && e.nodeType === 1 && e !== document.body; e = e.parentElement) {
        const es = getComputedStyle(e);
        if (/(hidden|clip|auto|scroll)/.test(es.overflow + es.overflowX + es.overflowY)) {
          const er = e.getBoundingClientRect();
          if (er.width <= 1 || er.height <= 1) { reasons.push('clipped by ' + describe(e)); break; }
          if (/(hidden|clip)/.test(es.overflow) &&
              (r.right <= er.left || r.left >= er.right || r.bottom <= er.top || r.top >= er.bottom)) {
            reasons.push('outside the box of ' + describe(e)); break;
          }
        }
      }
      const fg = parse(s.color);
      bg = background(a);
      if (!hasImage && fg && bg && (a.innerText || '').trim() &&
          Math.abs(fg.r - bg.r) + Math.abs(fg.g - bg.g) + Math.abs(fg.b - bg.b) < 24) {
        reasons.push('text colour ' + s.color + ' on background rgb(' + bg.r + ', ' + bg.g + ', ' + bg.b + ')');
      }
    }
    out.push({
      href: a.href, text: (a.textContent || '').trim().slice(0, 200), visible: reasons.length === 0,
      reasons: reasons, box: {x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height},
      display: s.display, visibility: s.visibility, opacity: opacity, color: s.color,
      background: bg ? 'rgb(' + bg.r + ', ' + bg.g + ', ' + bg.b + ')' : null, font_size: s.fontSize,
      locator: describe(a),
    });
  }
  return {links: out, title: document.title, url: location.href, total_links: document.querySelectorAll('a[href]').length};
}
"""


class RenderError(GovinspectError):
    """The browser cannot be started at all."""


def _parse_resolve(entries: list[str]) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for entry in entries:
        host, sep, rest = entry.partition(":")
        port, sep2, addr = rest.partition(":")
        if not sep or not sep2 or not port.isdigit() or not addr:
            raise RenderError(f"--resolve entry {entry!r} is not HOST:PORT:ADDR; fix the setting")
        out[(host.lower(), int(port))] = addr.strip("[]")
    return out


def _host_port(url: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    return host, port


def _refused(addr: str) -> bool:
    ip = ipaddress.ip_address(addr)
    return not ip.is_global or ip.is_multicast


def _map_target(addr: str) -> str:
    return f"[{addr}]" if ":" in addr else addr


def host_resolver_rules(pins: dict[tuple[str, int], str]) -> str:
    """Chromium's ``--host-resolver-rules`` value pinning each host:port and failing every other name."""
    rules = [f"MAP {host}:{port} {_map_target(addr)}" for (host, port), addr in sorted(pins.items())]
    rules.append("MAP * ~NOTFOUND")
    return ", ".join(rules)


async def _address(host: str, port: int, resolve: dict[tuple[str, int], str]) -> str:
    if (host, port) in resolve:
        return resolve[(host, port)]
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return str(infos[0][4][0])


async def render_pages(
    urls: list[str],
    settings: Settings,
    *,
    max_pages: int = 10,
    page_timeout: float = 15.0,
    settle: float = 0.5,
    max_links: int = 3000,
    screenshot_dir: Path | None = None,
    executable_path: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Render up to ``max_pages`` pages and report each link's visibility facts, keyed by page URL.

    ``html`` of each result is the DOM as the scripts left it (``""`` when the page could not be read).
    ``executable_path`` defaults to :data:`DEFAULT_EXECUTABLE`, read at call time.

    A page that cannot be rendered (refused address, navigation failure, runaway script) gets a result
    with ``error`` set; it never raises for one page. Raises :class:`RenderError` only when Chromium
    itself is missing or cannot start.
    """
    wanted = list(dict.fromkeys(urls))[:max_pages]
    results: dict[str, dict[str, Any]] = {}
    if not wanted:
        return results
    resolve = _parse_resolve(settings.fetch.resolve)
    pins: dict[tuple[str, int], str] = {}
    for url in wanted:
        hp = _host_port(url)
        if hp is None:
            results[url] = _error(url, "bad_url", "only absolute http(s) URLs can be rendered")
            continue
        try:
            addr = await _address(hp[0], hp[1], resolve)
        except OSError as exc:
            results[url] = _error(url, "dns", f"cannot resolve {hp[0]} ({exc})")
            continue
        if _refused(addr) and not settings.fetch.allow_private:
            results[url] = _error(url, "private_address",
                                  f"{hp[0]} resolves to private address {addr}; pass --allow-private to render it")
            continue
        pins[hp] = addr
    todo = [u for u in wanted if u not in results]
    if not todo:
        return results
    executable_path = executable_path or DEFAULT_EXECUTABLE
    if not (os.path.exists(executable_path) or shutil.which(executable_path)):
        raise RenderError(f"Chromium not found at {executable_path}: install it with `apt-get install -y chromium`")
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    args = [*CHROMIUM_ARGS, f"--host-resolver-rules={host_resolver_rules(pins)}"]
    with tempfile.TemporaryDirectory(prefix="govinspect-chromium-") as profile:
        async with async_playwright() as pw:
            try:
                context = await pw.chromium.launch_persistent_context(
                    profile, executable_path=executable_path, headless=True, args=args,
                    viewport={"width": 1366, "height": 900}, java_script_enabled=True,
                    user_agent=settings.fetch.effective_user_agent(), service_workers="block",
                    accept_downloads=False, timeout=30_000,
                )
            except PlaywrightError as exc:
                raise RenderError(f"Chromium at {executable_path} did not start ({str(exc).splitlines()[0]}); "
                                  "check the installation with `chromium --version`") from None
            try:
                for url in todo:
                    results[url] = await _render_one(context, url, set(pins), page_timeout=page_timeout,
                                                     settle=settle, max_links=max_links,
                                                     screenshot_dir=screenshot_dir,
                                                     max_html_bytes=settings.fetch.max_body_bytes)
            finally:
                try:
                    await asyncio.wait_for(context.close(), 15)
                except (asyncio.TimeoutError, PlaywrightError):
                    pass
    return results


def _error(url: str, kind: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"url": url, "final_url": None, "status": None, "error": f"{kind}: {message}", "links": [],
            "blocked": [], "screenshot": None, "html": "", **extra}


async def _render_one(context: Any, url: str, allowed: set[tuple[str, int]], *, page_timeout: float,
                      settle: float, max_links: int, screenshot_dir: Path | None,
                      max_html_bytes: int) -> dict[str, Any]:
    from playwright.async_api import Error as PlaywrightError

    started = time.monotonic()
    blocked: list[str] = []

    async def gate(route: Any) -> None:
        request_url = route.request.url
        if request_url.startswith(("data:", "blob:", "about:")):
            await route.continue_()
            return
        hp = _host_port(request_url)
        if hp is None or hp not in allowed:
            if len(blocked) < 100:
                blocked.append(request_url[:300])
            await route.abort("blockedbyclient")
            return
        await route.continue_()

    page = await context.new_page()
    result: dict[str, Any] = {"url": url, "final_url": None, "status": None, "error": None, "links": [],
                              "blocked": blocked, "screenshot": None, "html": ""}
    try:
        await page.route("**/*", gate)
        cdp = await context.new_cdp_session(page)
        await cdp.send("Runtime.enable")
        nav_error = ""
        try:
            response = await asyncio.wait_for(
                page.goto(url, timeout=page_timeout * 1000, wait_until="load"), page_timeout + 5)
            result["status"] = response.status if response is not None else None
        except (asyncio.TimeoutError, PlaywrightError) as exc:
            nav_error = str(exc).splitlines()[0] if str(exc) else "navigation timed out"
        if not nav_error:
            await asyncio.sleep(settle)  # let timers that write links run once
        # stop whatever script is still running, then keep scripts off while measuring
        try:
            await asyncio.wait_for(cdp.send("Runtime.terminateExecution"), 5)
            await asyncio.wait_for(cdp.send("Emulation.setScriptExecutionDisabled", {"value": True}), 5)
        except (asyncio.TimeoutError, PlaywrightError):
            pass
        try:
            data = await asyncio.wait_for(page.evaluate(COLLECT_JS, max_links), page_timeout)
        except (asyncio.TimeoutError, PlaywrightError) as exc:
            result["error"] = "script_timeout: the page did not answer within the render timeout" + (
                f" ({nav_error})" if nav_error else "") + f" [{type(exc).__name__}]"
            return result
        result["final_url"] = data.get("url")
        result["links"] = data.get("links", [])
        result["title"] = data.get("title", "")
        result["total_links"] = data.get("total_links", 0)
        try:
            result["html"] = _bounded(await asyncio.wait_for(page.content(), page_timeout), max_html_bytes)
        except (asyncio.TimeoutError, PlaywrightError):
            pass  # the link facts stand; the DOM stays unread
        if nav_error:
            # the page never finished loading (a runaway script, a hanging resource): its scripts were
            # stopped and its links measured as they stood; the result says so
            result["error"] = f"navigation_timeout: {nav_error}"
            result["partial"] = True
        hidden = [link for link in result["links"] if not link.get("visible", True)]
        if screenshot_dir is not None and hidden:
            result["screenshot"] = await _screenshot(page, url, hidden[0], screenshot_dir)
    except PlaywrightError as exc:
        result["error"] = f"browser: {str(exc).splitlines()[0]}"
    finally:
        result["elapsed"] = round(time.monotonic() - started, 3)
        try:
            await asyncio.wait_for(page.close(run_before_unload=False), 5)
        except (asyncio.TimeoutError, PlaywrightError):
            pass
    return result


def _bounded(html: str, max_bytes: int) -> str:
    """``html`` cut at ``max_bytes`` of UTF-8 (as a fetched body is), never mid-character."""
    data = html.encode("utf-8", "replace")
    if len(data) <= max_bytes:
        return html
    return data[:max(0, max_bytes)].decode("utf-8", "ignore")


async def _screenshot(page: Any, url: str, link: dict[str, Any], folder: Path) -> str | None:
    """A PNG of the region around the first hidden link (clamped into the page)."""
    from playwright.async_api import Error as PlaywrightError

    import hashlib

    folder.mkdir(parents=True, exist_ok=True)
    box = link.get("box") or {}
    x = max(0.0, float(box.get("x") or 0) - 100)
    y = max(0.0, float(box.get("y") or 0) - 60)
    path = folder / f"hidden-{hashlib.sha1(url.encode()).hexdigest()[:16]}.png"
    try:
        await asyncio.wait_for(
            page.screenshot(path=str(path), clip={"x": x, "y": y, "width": 600, "height": 240},
                            full_page=True, timeout=5000), 10)
    except (asyncio.TimeoutError, PlaywrightError):
        return None
    return str(path)
