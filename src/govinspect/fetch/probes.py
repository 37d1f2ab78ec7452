"""Safe security probes of one site, gathered by the fetch stage for the ``security.*`` checks.

This runs against real government sites under an inspection mandate, never as an attack:

* every request goes through the run's :class:`Fetcher` (SSRF guard, per-host rate and concurrency,
  identifiable User-Agent), honours robots.txt like the crawl, is sent without retries, and is
  archived in the site's WARC when a writer is given;
* at most ``settings.security.max_probe_requests`` HTTP requests per site, redirect hops included
  (each probe may follow at most as many redirects as the budget has left); robots.txt look-ups,
  once per origin and cached for the run, are not counted;
* after three network failures in a row (timeout, refused, reset) no further probe is sent to the site;
* the reflected-XSS marker is inert text: a random token followed by ``"'<gvimark>`` (an unknown
  element with no attributes): no script, no event handler, nothing a browser runs. It is sent only
  with GET, only to search forms (``method=get``) and search links the crawl already found;
* exposure probes read a few bytes (archives: the magic bytes only, never the archive).

The probes gather facts; the checks judge them (checks never fetch). :func:`find_reflections` and
:func:`load_exposed_paths` are pure and shared with the checks.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from govinspect.errors import ConfigError
from govinspect.fetch.charset import decode_html, looks_binary
from govinspect.fetch.types import FailureClass, FetchResult

if TYPE_CHECKING:
    from govinspect.archive.pageview import PageView
    from govinspect.archive.warc import WarcWriter
    from govinspect.fetch.client import Fetcher
    from govinspect.fetch.crawl import SiteCrawl
    from govinspect.registry.models import Site
    from govinspect.settings import Settings

__all__ = [
    "MARKER", "ExposedPaths", "ExposedRule", "XssCandidate", "find_reflections", "find_xss_candidates",
    "gather_security", "load_exposed_paths", "looks_like_html",
]

MARKER = "gvimark"  # the inner word of the inert element; the token before it is random per probe
PAYLOAD_SUFFIX = "\"'<" + MARKER + ">"  # the characters whose escaping matters, as an inert element
SEARCH_PARAMS = frozenset({
    "q", "query", "keyword", "keywords", "key", "kw", "wd", "word", "words", "searchword", "searchkey",
    "searchtext", "search", "sw", "text", "content", "title", "s", "qt", "searchvalue", "searchkeyword",
})
TEXT_INPUT_TYPES = frozenset({"", "text", "search"})
MAX_XSS_CANDIDATES = 10
MAX_PARAMS_PER_FORM = 3
MAX_PROBE_HOPS = 3  # redirects one probe may follow (a site root → /index → login is two)
XSS_MAX_BYTES = 1 << 20
HEAD_CHARS = 8192  # raw text kept per exposure answer
TEXT_CHARS = 4096  # visible text kept per HTML exposure answer
MAX_REFLECTIONS = 5
ECHO_CHARS = 48
EXCERPT_CHARS = 80
FAILURE_STOP = 3
_NETWORK_FAILURES = frozenset({FailureClass.TIMEOUT, FailureClass.REFUSED, FailureClass.RESET,
                               FailureClass.DNS})
_DEFAULT_PORTS = {"http": 80, "https": 443}


# --- exposed paths (data) -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExposedRule:
    """One path of exposed_paths.yaml and how an exposure there is recognised (see the YAML header)."""

    path: str
    kind: str
    max_bytes: int = 4096
    status: tuple[int, ...] = (200, 206)
    magic: tuple[bytes, ...] = ()
    all: tuple[re.Pattern[str], ...] = ()
    any: tuple[re.Pattern[str], ...] = ()
    count: tuple[re.Pattern[str], int] | None = None
    not_html: bool = False
    password_field: bool = False
    same_host: bool = False


@dataclass(frozen=True)
class ExposedPaths:
    rules: tuple[ExposedRule, ...]
    attachment_dirs: int
    attachment_dir_rule: ExposedRule

    def rule(self, key: str) -> ExposedRule | None:
        """The rule of a probed path (``attachment_dir`` for directories of attachments)."""
        if key == "attachment_dir":
            return self.attachment_dir_rule
        for rule in self.rules:
            if rule.path == key:
                return rule
        return None


KINDS = frozenset({"vcs", "config", "backup", "debug", "listing", "admin"})


def _regex(pattern: str, where: str) -> re.Pattern[str]:
    flags = re.MULTILINE
    if pattern.startswith("(?-i)"):
        pattern = pattern[5:]
    else:
        flags |= re.IGNORECASE
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"exposed_paths.yaml {where}: bad regular expression {pattern!r} ({exc}); "
                          "fix it") from None


def _rule(raw: dict[str, Any], where: str) -> ExposedRule:
    known = {"path", "kind", "max_bytes", "status", "magic", "all", "any", "count", "not_html",
             "password_field", "same_host"}
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(f"exposed_paths.yaml {where}: unknown field(s) {sorted(unknown)}; "
                          f"known: {sorted(known)}")
    kind = str(raw.get("kind", ""))
    if kind not in KINDS:
        raise ConfigError(f"exposed_paths.yaml {where}: kind {kind!r} is not one of {sorted(KINDS)}")
    if not any(raw.get(k) for k in ("magic", "all", "any", "count", "password_field")):
        raise ConfigError(f"exposed_paths.yaml {where}: give a content rule (magic, all, any, count or "
                          "password_field); status alone proves nothing")
    count = raw.get("count")
    return ExposedRule(
        path=str(raw.get("path", "")),
        kind=kind,
        max_bytes=int(raw.get("max_bytes", 4096)),
        status=tuple(int(s) for s in raw.get("status", (200, 206))),
        magic=tuple(bytes.fromhex(str(m)) for m in raw.get("magic", ())),
        all=tuple(_regex(p, where) for p in raw.get("all", ())),
        any=tuple(_regex(p, where) for p in raw.get("any", ())),
        count=(_regex(count["pattern"], where), int(count["min"])) if count else None,
        not_html=bool(raw.get("not_html", False)),
        password_field=bool(raw.get("password_field", False)),
        same_host=bool(raw.get("same_host", False)),
    )


@cache
def load_exposed_paths() -> ExposedPaths:
    """The packaged ``content/data/exposed_paths.yaml``, validated (read once, on first use)."""
    import yaml

    source = resources.files("govinspect.content").joinpath("data/exposed_paths.yaml")
    text = source.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    rules = []
    for pos, raw in enumerate(data.get("paths") or []):
        rule = _rule(raw, f"paths[{pos}]")
        if not rule.path.startswith("/") or "?" in rule.path:
            raise ConfigError(f"exposed_paths.yaml paths[{pos}]: path {rule.path!r} must start with / "
                              "and have no query")
        rules.append(rule)
    dir_rule = _rule({"path": "", **(data.get("attachment_dir_rule") or {})}, "attachment_dir_rule")
    return ExposedPaths(tuple(rules), int(data.get("attachment_dirs", 0)), dir_rule)


_HTML_START = re.compile(r"<(?:!doctype|html|head|body|meta|title|script|div|table|link)\b", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """True when the first 2 KB of a body read as an HTML page (a soft-404 page, not a raw file)."""
    return bool(_HTML_START.search(text[:2048]))


# --- reflected XSS: candidates and reflection contexts ----------------------------------------------


@dataclass(frozen=True)
class XssCandidate:
    """One parameter of one GET search endpoint the crawl found, with the other fields it sends."""

    page: str  # the page the form or link is on
    action: str  # the endpoint, without query
    parameter: str
    fields: tuple[tuple[str, str], ...]  # every field sent, in order (the probed one included)
    source: str  # form | link
    encoding: str = "utf-8"

    def url(self, value: str) -> str:
        pairs = [(k, value if k == self.parameter else v) for k, v in self.fields]
        try:
            query = urlencode(pairs, encoding=self.encoding, errors="ignore")
        except LookupError:
            query = urlencode(pairs)
        return f"{self.action}?{query}"


def _form_fields(form: Any) -> tuple[list[tuple[str, str]], list[str]]:
    """``(fields a browser sends, names of text inputs)`` of a form node (submit buttons left out)."""
    fields: list[tuple[str, str]] = []
    texts: list[str] = []
    for node in form.css("input, select, textarea"):
        attrs = node.attributes
        name = (attrs.get("name") or "").strip()
        if not name or "disabled" in attrs:
            continue
        if node.tag == "select":
            options = node.css("option")
            chosen = next((o for o in options if "selected" in o.attributes), options[0] if options else None)
            value = "" if chosen is None else (chosen.attributes.get("value") or chosen.text(strip=True))
            fields.append((name, value or ""))
            continue
        if node.tag == "textarea":
            fields.append((name, node.text()))
            texts.append(name)
            continue
        kind = (attrs.get("type") or "").strip().lower()
        if kind in ("submit", "button", "image", "reset", "file", "password"):
            continue
        if kind in ("checkbox", "radio") and "checked" not in attrs:
            continue
        fields.append((name, attrs.get("value") or ""))
        if kind in TEXT_INPUT_TYPES:
            texts.append(name)
    return fields, texts


def find_xss_candidates(pages: Iterable[PageView], in_scope: Callable[[str], bool],
                        limit: int = MAX_XSS_CANDIDATES) -> list[XssCandidate]:
    """GET search forms with a text input, then links carrying a search parameter (``?keywords=``…),
    on the site's own hosts (``in_scope``); one candidate per (endpoint, parameter), forms first."""
    from govinspect.archive.pageview import resolve_href

    forms: list[XssCandidate] = []
    links: list[XssCandidate] = []
    seen: set[tuple[str, str]] = set()
    for page in pages:
        if not page.html or not (_FORM_TAG.search(page.html) or _search_link_pattern().search(page.html)):
            continue  # most pages have neither: no parse for them
        had_tree = "tree" in page.__dict__
        tree = page.tree
        for form in tree.css("form"):
            method = (form.attributes.get("method") or "get").strip().lower()
            if method != "get":
                continue
            action = resolve_href(page.base_url, form.attributes.get("action") or "") or page.final_url
            parts = urlsplit(action)
            endpoint = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
            if not in_scope(endpoint):
                continue
            fields, texts = _form_fields(form)
            for name in texts[:MAX_PARAMS_PER_FORM]:
                if (endpoint, name) in seen:
                    continue
                seen.add((endpoint, name))
                forms.append(XssCandidate(page.final_url, endpoint, name, tuple(fields), "form",
                                          page.encoding or "utf-8"))
        for url, _, _ in page.anchors:
            if "?" not in url:
                continue
            parts = urlsplit(url)
            if not parts.query:
                continue
            endpoint = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
            if not in_scope(endpoint):
                continue
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            for name, _ in pairs:
                if name.lower() not in SEARCH_PARAMS or (endpoint, name) in seen:
                    continue
                seen.add((endpoint, name))
                links.append(XssCandidate(page.final_url, endpoint, name, tuple(pairs), "link",
                                          page.encoding or "utf-8"))
        if not had_tree:
            page.release()  # the crawl had dropped it to bound memory: keep it that way
    return (forms + links)[:limit]


_FORM_TAG = re.compile(r"<form[\s>]", re.IGNORECASE)


@cache
def _search_link_pattern() -> re.Pattern[str]:
    names = "|".join(sorted(SEARCH_PARAMS, key=len, reverse=True))
    return re.compile(r"[?&;](?:amp;)?(?:" + names + r")=", re.IGNORECASE)


_TAG_OPEN = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)")
_ATTR_NAME = re.compile(r"[^\s/>][^\s/>=]*")
_UNQUOTED = re.compile(r"[^\s>]*")
_RAW_TEXT = {"script": "script", "style": "rawtext", "xmp": "rawtext", "iframe": "rawtext",
             "noembed": "rawtext", "noframes": "rawtext", "textarea": "rcdata", "title": "rcdata"}


def _html_spans(html: str) -> list[tuple[int, int, str, str, str, str]]:
    """``(start, end, context, tag, attribute, quote)`` of every attribute value, raw-text element body
    and comment, in document order; the rest of the document is text (HTML tokenizer, simplified)."""
    spans: list[tuple[int, int, str, str, str, str]] = []
    n = len(html)
    i = 0
    while i < n:
        lt = html.find("<", i)
        if lt < 0:
            break
        if html.startswith("<!--", lt):
            end = html.find("-->", lt + 4)
            end = n if end < 0 else end
            spans.append((lt + 4, end, "comment", "", "", ""))
            i = end + 3
            continue
        m = _TAG_OPEN.match(html, lt)
        if m is None:
            if html.startswith(("<!", "<?"), lt):  # doctype, bogus comment
                end = html.find(">", lt)
                end = n if end < 0 else end
                spans.append((lt + 2, end, "comment", "", "", ""))
                i = end + 1
            else:
                i = lt + 1
            continue
        closing, tag = m.group(1), m.group(2).lower()
        j = m.end()
        while j < n:
            while j < n and html[j] in " \t\n\r\f/":
                j += 1
            if j >= n:
                break
            if html[j] == ">":
                j += 1
                break
            am = _ATTR_NAME.match(html, j)
            if am is None:  # cannot happen: the class excludes only what was skipped above
                j += 1
                continue
            name = am.group(0).lower()
            j = am.end()
            while j < n and html[j] in " \t\n\r\f":
                j += 1
            if j < n and html[j] == "=":
                j += 1
                while j < n and html[j] in " \t\n\r\f":
                    j += 1
                if j < n and html[j] in "\"'":
                    quote = html[j]
                    end = html.find(quote, j + 1)
                    end = n if end < 0 else end
                    spans.append((j + 1, end, "attribute", tag, name, quote))
                    j = end + 1
                else:
                    um = _UNQUOTED.match(html, j)
                    end = um.end() if um else j
                    spans.append((j, end, "attribute", tag, name, ""))
                    j = end
        i = j
        if not closing and tag in _RAW_TEXT:
            close = re.compile(r"</" + re.escape(tag) + r"[\s/>]", re.IGNORECASE).search(html, i)
            end = n if close is None else close.start()
            spans.append((i, end, _RAW_TEXT[tag], tag, "", ""))
            i = end
    return spans


def _js_state(code: str) -> tuple[str, str]:
    """``(state, quote)`` at the end of ``code``: ``string`` with its quote, ``comment`` or ``code``."""
    state, quote = "code", ""
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if state == "code":
            if c in "\"'`":
                state, quote = "string", c
            elif code.startswith("//", i) or code.startswith("<!--", i):
                state = "line"
                i += 1
            elif code.startswith("/*", i):
                state = "block"
                i += 1
        elif state == "string":
            if c == "\\":
                i += 1
            elif c == quote or (c == "\n" and quote != "`"):
                state, quote = "code", ""
        elif state == "line":
            if c == "\n":
                state = "code"
        elif state == "block" and code.startswith("*/", i):
            state = "code"
            i += 1
        i += 1
    if state in ("line", "block"):
        return "comment", ""
    return state, quote


def find_reflections(html: str, token: str, limit: int = MAX_REFLECTIONS) -> list[dict[str, Any]]:
    """Where ``token`` comes back in ``html`` and what follows it, as plain facts.

    ``context`` is text | attribute | script | rawtext | rcdata | comment; ``quote`` the attribute's or
    the script string's delimiter ("" when unquoted / script code); ``js`` (script only) is string | code |
    comment; ``echo`` the characters right after the token (what became of ``"'<gvimark>``);
    ``excerpt`` the text around it.
    """
    positions: list[int] = []
    start = html.find(token)
    while start >= 0 and len(positions) < limit:
        positions.append(start)
        start = html.find(token, start + len(token))
    if not positions:
        return []
    spans = _html_spans(html)
    out: list[dict[str, Any]] = []
    for pos in positions:
        context, tag, attribute, quote, js = "text", "", "", "", ""
        for s_start, s_end, s_context, s_tag, s_attr, s_quote in spans:
            if s_start <= pos < s_end or (s_start == s_end == pos):
                context, tag, attribute, quote = s_context, s_tag, s_attr, s_quote
                if s_context == "script":
                    js, quote = _js_state(html[s_start:pos])
                break
            if s_start > pos:
                break
        after = pos + len(token)
        out.append({
            "context": context, "tag": tag, "attribute": attribute, "quote": quote, "js": js,
            "echo": html[after: after + ECHO_CHARS],
            "excerpt": html[max(0, pos - EXCERPT_CHARS): after + EXCERPT_CHARS],
            "offset": pos,
        })
    return out


# --- the probe runner -------------------------------------------------------------------------------


@dataclass
class _Runner:
    """Budget, robots, failure streak and archiving for every probe request of one site."""

    fetcher: Fetcher
    limit: int
    warc: WarcWriter | None
    used: int = 0  # requests sent or reserved (an upper bound: a refused request is counted too)
    streak: int = 0
    stopped: str = ""
    skipped: Counter[str] = field(default_factory=Counter)

    async def fetch(self, url: str, *, max_bytes: int, robots: bool = True, verify: bool = True,
                    hops: int = MAX_PROBE_HOPS) -> tuple[FetchResult | None, dict[str, Any] | None]:
        if self.stopped:
            self.skipped["stopped"] += 1
            return None, None
        if robots and not await self.fetcher.robots.allowed(url):
            self.skipped["robots"] += 1
            return None, None
        room = self.limit - self.used
        if room <= 0:
            self.skipped["budget"] += 1
            return None, None
        hops = max(0, min(hops, room - 1))
        self.used += 1 + hops  # reserved before the first await, so parallel probes never overdraw
        result, tls = await self.fetcher.fetch_with_tls(url, max_bytes=max_bytes, retries=0, verify=verify,
                                                        max_redirects=hops)
        self.used -= hops - min(hops, len(result.redirects))
        if result.failure in _NETWORK_FAILURES:
            self.streak += 1
            if self.streak >= FAILURE_STOP and not self.stopped:
                self.stopped = (f"{FAILURE_STOP} probes in a row failed ({result.failure}); "
                                "no more probes sent")
        else:
            self.streak = 0
        if self.warc is not None:
            self.warc.write(result)
        return result, tls


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _answer(result: FetchResult, *, with_text: bool) -> dict[str, Any]:
    """Facts of one probe answer: status, where it ended, the first bytes as text, title and text."""
    facts: dict[str, Any] = {
        "status": result.status, "final_url": result.final_url, "content_type": result.content_type,
        "failure": str(result.failure) if result.failure else None, "redirects": len(result.redirects),
        "length": len(result.body), "truncated": result.truncated, "magic": result.body[:16].hex(),
        "warc_record": result.warc_record_id, "head": "", "title": "", "text": "", "password_field": False,
    }
    if result.status is None or not result.body:
        return facts
    if looks_binary(result.body):
        return facts
    html, _ = decode_html(result)
    facts["head"] = html[:HEAD_CHARS]
    if with_text and looks_like_html(html):
        from selectolax.lexbor import LexborHTMLParser

        tree = LexborHTMLParser(html)
        title = tree.css_first("title")
        facts["title"] = title.text(strip=True)[:200] if title is not None else ""
        facts["password_field"] = any((n.attributes.get("type") or "").strip().lower() == "password"
                                      for n in tree.css("input[type]"))
        body = tree.body
        if body is not None:
            from govinspect.archive.pageview import visible_text

            facts["text"] = visible_text(body)[:TEXT_CHARS]
    return facts


def _counterpart(url: str, scheme: str, ports: dict[str, int] | None) -> str | None:
    """The same page under the other scheme; None when the port makes the counterpart unknowable."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        return None
    if ports is not None:
        port: int | None = ports.get(scheme)
    elif parts.port is None or parts.port == _DEFAULT_PORTS.get(parts.scheme):
        port = None
    else:
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _attachment_dirs(crawl: SiteCrawl, root: str, limit: int) -> list[str]:
    """Directories (relative to the root, with a trailing slash) holding attachments the crawl found."""
    if limit <= 0:
        return []
    out: list[str] = []
    for att in crawl.extras.get("attachments") or []:
        url = getattr(att, "url", "")
        if _origin(url) != root:
            continue
        path = urlsplit(url).path
        folder = path[: path.rfind("/") + 1]
        if folder and folder != "/" and folder not in out:
            out.append(folder)
        if len(out) >= limit:
            break
    return out


async def _transport(site: Site, crawl: SiteCrawl, runner: _Runner, ports: dict[str, int] | None
                     ) -> dict[str, Any]:
    """http ↔ https: does http redirect to https (https homepages), is https offered (http ones)."""
    home = crawl.homepage_result
    final = home.final_url if home is not None and home.status is not None else site.homepage
    facts: dict[str, Any] = {"homepage_scheme": urlsplit(site.homepage).scheme,
                             "final_scheme": urlsplit(final).scheme, "http_redirects_to_https": None,
                             "https_offered": None, "checked_url": None,
                             "status": None, "failure": None, "warc_record": None, "https_tls": None}
    if facts["final_scheme"] == "https":
        facts["https_offered"] = True
        if facts["homepage_scheme"] == "http":
            facts["http_redirects_to_https"] = True  # the crawl saw it: no request needed
            return facts
        target = _counterpart(site.homepage, "http", ports)
        if target is None:
            return facts
        # Two hops at most (http://x/ → http://www.x/ → https://…); the https answer itself is not needed.
        result, _ = await runner.fetch(target, max_bytes=4096, robots=False, hops=2)
        if result is None:
            return facts
        facts.update(checked_url=target, status=result.status, warc_record=result.warc_record_id,
                     failure=str(result.failure) if result.failure else None)
        if result.status is not None or result.redirects:
            facts["http_redirects_to_https"] = any(r.startswith("https:") for r in result.redirects)
        return facts
    if home is None or home.status is None:
        return facts  # the site did not answer at all: nothing to say about its transport
    target = _counterpart(final, "https", ports)
    if target is None:
        return facts
    facts["http_redirects_to_https"] = False
    result, tls = await runner.fetch(target, max_bytes=4096, robots=False, hops=1)
    if result is None:
        return facts
    facts.update(checked_url=target, status=result.status, warc_record=result.warc_record_id,
                 failure=str(result.failure) if result.failure else None, https_tls=tls)
    if result.status is not None or result.failure is FailureClass.TLS:
        facts["https_offered"] = True
    elif result.failure in (FailureClass.REFUSED, FailureClass.TIMEOUT, FailureClass.RESET):
        facts["https_offered"] = False
    return facts


async def gather_security(site: Site, crawl: SiteCrawl, fetcher: Fetcher, settings: Settings,
                          warc: WarcWriter | None = None, *,
                          counterpart_ports: dict[str, int] | None = None) -> dict[str, Any]:
    """Run the safe security probes of one crawled site; the facts for ``view.extras["security"]``.

    Integration contract (``pipeline.run_site``): after ``crawl_site`` returns and before the crawl is
    turned into its ``SiteView``, when ``settings.security.enabled``::

        writer = WarcWriter(<a WARC path of the site>, user_agent=fetcher.user_agent, info={...})
        try:
            view.extras["security"] = await gather_security(site, crawl, rc.fetcher, rc.settings, writer)
        finally:
            writer.close()

    ``crawl`` is read only: ``homepage_result``, ``pages`` (search forms and links; parse trees are
    rebuilt when released), ``extras["tls"]`` and ``extras["attachments"]``. Everything is sent through
    ``fetcher`` (so the SSRF guard, robots.txt, rate limits and User-Agent apply) within
    ``settings.security.max_probe_requests`` requests; each answer is archived through ``warc`` when
    given and its record id kept in the facts. Never raises for network problems; returns plain data
    (picklable, JSON-able) with the keys ``enabled``, ``budget``, ``requests``, ``skipped``, ``stopped``,
    ``transport``, ``certificate``, ``baselines``, ``exposures``, ``xss``. With the homepage not
    fetched at all it returns ``{"enabled": False, ...}`` and sends nothing.

    ``counterpart_ports`` (tests, non-standard deployments): the ports of the http and https
    counterparts of the homepage; by default the counterpart is asked for only when the homepage uses
    its scheme's default port.
    """
    sec = settings.security
    facts: dict[str, Any] = {
        "enabled": False, "budget": sec.max_probe_requests, "requests": 0, "skipped": {}, "stopped": "",
        "transport": None, "certificate": None, "baselines": [], "exposures": [], "xss": [],
    }
    home = crawl.homepage_result
    if not sec.enabled or home is None or home.status is None:
        return facts
    facts["enabled"] = True
    runner = _Runner(fetcher, sec.max_probe_requests, warc)
    root = _origin(home.final_url)

    facts["transport"] = await _transport(site, crawl, runner, counterpart_ports)
    tls = crawl.extras.get("tls") or {}
    if tls.get("verify_error") and home.final_url.startswith("https:"):
        # Verification failed, so the handshake gave no certificate; ask once more without verifying
        # to learn what was served (validity dates, issuer, self-signed).
        result, cert = await runner.fetch(home.final_url, max_bytes=1024, robots=False, verify=False, hops=0)
        if result is not None and cert:
            facts["certificate"] = {**cert, "warc_record": result.warc_record_id}

    exposed = load_exposed_paths() if sec.exposed_paths else None
    from govinspect.fetch.crawl import site_domain

    hosts = {(urlsplit(u).hostname or "").lower() for u in (site.homepage, home.final_url)}
    domains = {site_domain(h) for h in hosts if h}

    def in_scope(url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host in hosts or any(host.endswith("." + d) for d in domains)

    candidates: list[XssCandidate] = []
    if sec.xss_probe:
        candidates = await asyncio.to_thread(find_xss_candidates, list(crawl.pages), in_scope)
    # XSS probes keep a share of the budget whatever the path list takes.
    xss_share = min(len(candidates), max(2, sec.max_probe_requests // 4))
    exposure_budget = max(0, sec.max_probe_requests - runner.used - xss_share)

    if exposed is not None:
        facts["baselines"], facts["exposures"] = await _exposures(crawl, runner, root, exposed,
                                                                  runner.used + exposure_budget)
    if candidates:
        facts["xss"] = await _xss(candidates, runner, fetcher.settings.per_host_concurrency)
    facts["requests"] = runner.used
    facts["skipped"] = dict(runner.skipped)
    facts["stopped"] = runner.stopped
    return facts


async def _exposures(crawl: SiteCrawl, runner: _Runner, root: str, exposed: ExposedPaths, upto: int
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Soft-404 baselines (a random directory and file), then every path, then attachment folders."""
    token = "gvi" + secrets.token_hex(6)
    baselines: list[dict[str, Any]] = []
    for path in (f"/{token}/", f"/{token}.html"):
        if runner.used >= upto:
            break
        result, _ = await runner.fetch(root + path, max_bytes=65536)
        if result is not None:
            baselines.append({"path": path, "url": root + path, **_answer(result, with_text=True)})
    plan: list[tuple[str, str, ExposedRule]] = [(r.path, r.path, r) for r in exposed.rules]
    plan += [(folder, "attachment_dir", exposed.attachment_dir_rule)
             for folder in _attachment_dirs(crawl, root, exposed.attachment_dirs)]
    gate = asyncio.Semaphore(max(1, min(4, runner.fetcher.settings.per_host_concurrency)))
    saved_limit = runner.limit
    runner.limit = min(saved_limit, upto)

    async def one(path: str, key: str, rule: ExposedRule) -> dict[str, Any] | None:
        async with gate:
            url = root + path
            result, _ = await runner.fetch(url, max_bytes=rule.max_bytes)
            if result is None:
                return None
            return {"path": path, "rule": key, "kind": rule.kind, "url": url,
                    **_answer(result, with_text=rule.kind in ("admin", "listing", "debug"))}

    try:
        found = await asyncio.gather(*(one(*item) for item in plan))
    finally:
        runner.limit = saved_limit
    return baselines, [f for f in found if f is not None]


async def _xss(candidates: list[XssCandidate], runner: _Runner, concurrency: int) -> list[dict[str, Any]]:
    gate = asyncio.Semaphore(max(1, min(4, concurrency)))

    async def one(cand: XssCandidate) -> dict[str, Any] | None:
        async with gate:
            token = "gvi" + secrets.token_hex(4)
            url = cand.url(token + PAYLOAD_SUFFIX)
            result, _ = await runner.fetch(url, max_bytes=XSS_MAX_BYTES)
            if result is None:
                return None
            facts: dict[str, Any] = {
                "page": cand.page, "action": cand.action, "parameter": cand.parameter, "source": cand.source,
                "method": "get", "url": url, "token": token, "status": result.status,
                "final_url": result.final_url, "content_type": result.content_type,
                "failure": str(result.failure) if result.failure else None,
                "warc_record": result.warc_record_id, "reflections": [],
            }
            if result.status is not None and result.body and not looks_binary(result.body):
                html, _ = decode_html(result)
                facts["reflections"] = await asyncio.to_thread(find_reflections, html, token)
            return facts

    found = await asyncio.gather(*(one(c) for c in candidates))
    return [f for f in found if f is not None]
