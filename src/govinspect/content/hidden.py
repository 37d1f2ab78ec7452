"""Static visibility analysis for dark links (暗链): what a page hides from its readers.

Reads only the saved HTML: inline ``style`` attributes, the page's own ``<style>`` blocks (simple
selectors: tag, #id, .class, compounds and descendant chains; ``@media`` and pseudo-class rules are
conditional and ignored), presentational attributes (``hidden``, ``<font color>``, ``bgcolor``,
``<marquee>`` size and speed) and inline scripts that write markup (``document.write`` of ``<a>`` tags,
also when hidden behind ``String.fromCharCode``, ``unescape``, ``\\x`` escapes or ``atob``).

The result is facts (:class:`HiddenBlock`, :class:`ScriptLink`); content.dark_link decides which facts
are dark links (hidden content carrying foreign links or spam words). Where the HTML alone cannot tell
(external stylesheets, scripts that restyle the page), :func:`pages_needing_render` names the pages for
the headless-browser confirmation in ``fetch/render.py``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin

from selectolax.lexbor import LexborNode

from govinspect.archive.pageview import node_locator, resolve_href
from govinspect.content.lexicon import Lexicon, default_lexicon, host_of, same_site

if TYPE_CHECKING:
    from govinspect.archive.pageview import PageView
    from govinspect.checks.base import SiteView

__all__ = [
    "HiddenBlock", "ScriptLink", "StyleRule", "decode_script", "find_hidden_blocks", "hiding_technique",
    "pages_needing_render", "parse_declarations", "parse_style_rules", "script_links", "default_lexicon",
]

MAX_TEXT = 4000
SKIP_TAGS = {"script", "style", "template", "noscript", "head", "title", "meta", "link", "-text", "-comment",
             "option", "select", "svg", "math"}
TOGGLE_WORDS = re.compile(
    r"nav|menu|sub|drop|down|pop|tab|hover|more|toggle|collapse|mobile|yqlj|friend|youqing|partner|"
    r"dialog|modal|tip|slide|banner|show|hide|list-?hide|qr|ewm|weixin|wechat", re.I)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_COMPOUND = re.compile(r"^(\*|[a-z][a-z0-9]*)?((?:[#.][\w-]+)*)$", re.I)
_LENGTH = re.compile(r"^(-?\d*\.?\d+)\s*(px|pt|em|rem|%|vw|vh|cm|mm|in)?$")
_HEX = re.compile(r"^#([0-9a-f]{3}|[0-9a-f]{6})$")
_RGB = re.compile(r"^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)(?:[\s,/]+([\d.]+%?))?\s*\)$")
NAMED_COLOURS = {
    "white": "#ffffff", "black": "#000000", "red": "#ff0000", "green": "#008000", "blue": "#0000ff",
    "yellow": "#ffff00", "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0", "navy": "#000080",
    "maroon": "#800000", "orange": "#ffa500", "purple": "#800080", "teal": "#008080", "lime": "#00ff00",
    "fuchsia": "#ff00ff", "aqua": "#00ffff", "olive": "#808000",
}
_WRITE = re.compile(r"(?:document\s*\.\s*write(?:ln)?|\.innerHTML\s*[+]?=|insertAdjacentHTML|\.outerHTML\s*=)")
_ANCHOR = re.compile(
    r"<a\b[^>]*?href\s*=\s*\\?[\"']?\s*(https?://[^\"'\\\s>]+)[^>]*>(.{0,200}?)</a", re.I | re.S)
_IFRAME = re.compile(r"<iframe\b[^>]*?src\s*=\s*\\?[\"']?\s*(https?://[^\"'\\\s>]+)", re.I)
_HIDING_MARKUP = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|(?:left|top|text-indent)\s*:\s*-\d{3,}|"
    r"font-size\s*:\s*[01](?:px)?\b|height\s*:\s*[01](?:px)?\b|opacity\s*:\s*0(?:\.0+)?\b", re.I)
_OPEN_WRAPPER = re.compile(r"<(div|span|p|section|ul|font|marquee)\b[^>]*>", re.I)
# A script statement that hides an element when the page loads: getElementById('x').style.display='none',
# $('#x').hide(), $("#x").css("display","none"), getElementById('x').hidden=true.
_SCRIPT_HIDE = re.compile(
    r"getElementById\(\s*[\"']([\w-]+)[\"']\s*\)\s*\.\s*(?:style\s*\.\s*(?:display\s*=\s*[\"']none|visibility\s*=\s*"
    r"[\"']hidden)|hidden\s*=\s*true)"
    r"|\$\(\s*[\"']#([\w-]+)[\"']\s*\)\s*\.\s*(?:hide\(\s*\)|css\(\s*[\"']display[\"']\s*,\s*[\"']none[\"']\s*\))", re.I)
_STYLE_CHANGE = re.compile(
    r"\.style\.(?:display|visibility|opacity)|\.(?:hide|fadeOut|slideUp)\s*\(|classList\.(?:add|toggle)|"
    r"\.className\s*=|setAttribute\(\s*[\"'](?:style|class|hidden)", re.I)


# ---- CSS ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Compound:
    tag: str | None
    ident: str | None
    classes: frozenset[str]

    def matches(self, node: LexborNode) -> bool:
        if self.tag and node.tag != self.tag:
            return False
        attrs = node.attributes
        if self.ident and (attrs.get("id") or "").strip() != self.ident:
            return False
        if self.classes:
            have = set((attrs.get("class") or "").split())
            if not self.classes <= have:
                return False
        return True


@dataclass(frozen=True, slots=True)
class StyleRule:
    """One simple rule of a page's own ``<style>`` block."""

    selector: str
    chain: tuple[Compound, ...]  # ancestors … target (descendant and child combinators alike)
    decls: dict[str, str]

    def matches(self, node: LexborNode, ancestors: list[LexborNode]) -> bool:
        if not self.chain[-1].matches(node):
            return False
        want = len(self.chain) - 2
        for anc in reversed(ancestors):
            if want < 0:
                break
            if self.chain[want].matches(anc):
                want -= 1
        return want < 0


def parse_declarations(text: str) -> dict[str, str]:
    """``color:#fff; display : NONE !important`` → ``{"color": "#fff", "display": "none"}``."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        if ":" not in part:
            continue
        prop, _, value = part.partition(":")
        prop = prop.strip().lower()
        value = value.replace("!important", "").strip().lower()
        if prop and value:
            out[prop] = value
    return out


def _compound(token: str) -> Compound | None:
    m = _COMPOUND.match(token)
    if not m or not token:
        return None
    tag = m.group(1).lower() if m.group(1) and m.group(1) != "*" else None
    ident = None
    classes: set[str] = set()
    for piece in re.findall(r"[#.][\w-]+", m.group(2) or ""):
        if piece[0] == "#":
            ident = piece[1:]
        else:
            classes.add(piece[1:])
    return Compound(tag, ident, frozenset(classes))


def parse_style_rules(css: str, *, max_rules: int = 5000) -> tuple[list[StyleRule], set[str]]:
    """Top-level simple rules of a style sheet, plus the ids/classes named in ``:hover``-like rules.

    At-rules (``@media`` and the like) are skipped whole: their rules apply only sometimes.
    """
    css = _COMMENT.sub("", css[:2_000_000])
    rules: list[StyleRule] = []
    toggles: set[str] = set()
    depth = 0
    start = 0
    selector = ""
    in_at = False
    for i, ch in enumerate(css):
        if ch == "{":
            if depth == 0:
                selector = css[start:i].strip()
                in_at = selector.startswith("@")
                start = i + 1
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
            if depth == 0:
                body = css[start:i]
                start = i + 1
                if not in_at and len(rules) < max_rules:
                    _add_rules(selector, body, rules, toggles)
                in_at = False
        elif ch == ";" and depth == 0:
            start = i + 1  # @import …; and stray text
    return rules, toggles


def _add_rules(selector: str, body: str, rules: list[StyleRule], toggles: set[str]) -> None:
    decls = parse_declarations(body)
    if not decls:
        return
    for sel in selector.split(","):
        sel = sel.strip()
        if not sel:
            continue
        if ":" in sel or "[" in sel or "+" in sel or "~" in sel:
            if re.search(r":(hover|focus|active|checked|target)", sel):
                toggles.update(re.findall(r"[#.]([\w-]+)", sel))
            continue
        chain = []
        for token in sel.replace(">", " ").split():
            comp = _compound(token)
            if comp is None:
                chain = []
                break
            chain.append(comp)
        if chain:
            rules.append(StyleRule(sel, tuple(chain), decls))


# ---- declarations → technique -------------------------------------------------------------------

def _length_px(value: str) -> float | None:
    value = value.strip().split()[0] if value.strip() else ""
    m = _LENGTH.match(value)
    if not m:
        return None
    number = float(m.group(1))
    unit = m.group(2) or "px"
    scale = {"px": 1, "pt": 1.333, "em": 16, "rem": 16, "cm": 37.8, "mm": 3.78, "in": 96}.get(unit)
    if scale is None:  # % vw vh: relative, only zero is sure
        return 0.0 if number == 0 else None
    return number * scale


def normalise_colour(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower()
    if value in NAMED_COLOURS:
        return NAMED_COLOURS[value]
    if _HEX.match(value):
        h = value[1:]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return "#" + h
    m = _RGB.match(value)
    if m:
        alpha = m.group(4)
        if alpha is not None and not alpha.endswith("%") and float(alpha) == 0:
            return None  # fully transparent: paints nothing
        return "#" + "".join(f"{min(255, int(g)):02x}" for g in m.groups()[:3])
    return None


def _background_colour(decls: dict[str, str]) -> tuple[str | None, bool]:
    """(colour, has_image) of a background declaration."""
    value = decls.get("background-color") or ""
    image = "url(" in decls.get("background", "") or "url(" in decls.get("background-image", "") \
        or "gradient(" in decls.get("background", "") or "gradient(" in decls.get("background-image", "")
    if not value and "background" in decls:
        for token in re.split(r"\s+(?![^(]*\))", decls["background"]):
            colour = normalise_colour(token)
            if colour:
                return colour, image
    return normalise_colour(value), image


def hiding_technique(decls: dict[str, str], tag: str = "", attrs: dict[str, str | None] | None = None
                     ) -> tuple[str, str] | None:
    """The technique that hides an element with these declarations, and the declaration that does it."""
    attrs = attrs or {}
    if decls.get("display") == "none":
        return "display_none", "display:none"
    if decls.get("visibility") in ("hidden", "collapse"):
        return "visibility_hidden", f"visibility:{decls['visibility']}"
    opacity = decls.get("opacity")
    if opacity is not None:
        try:
            if float(opacity.rstrip("%")) <= 0.01:
                return "opacity_zero", f"opacity:{opacity}"
        except ValueError:
            pass
    if decls.get("position") in ("absolute", "fixed"):
        for prop in ("left", "top", "right", "margin-left", "margin-top"):
            px = _length_px(decls.get(prop, ""))
            if px is not None and px <= -500:
                return "off_screen", f"position:{decls['position']};{prop}:{decls[prop]}"
    for prop in ("margin-left", "margin-top"):
        px = _length_px(decls.get(prop, ""))
        if px is not None and px <= -2000:
            return "off_screen", f"{prop}:{decls[prop]}"
    indent = _length_px(decls.get("text-indent", ""))
    if indent is not None and indent <= -500:
        return "text_indent", f"text-indent:{decls['text-indent']}"
    transform = decls.get("transform", "")
    if re.search(r"scale\(\s*0(\.0+)?\s*[,)]", transform):
        return "zero_size", f"transform:{transform}"
    m = re.search(r"translate[xy]?\(\s*(-\d{3,})", transform)
    if m and float(m.group(1)) <= -500:
        return "off_screen", f"transform:{transform}"
    font = _length_px(decls.get("font-size", ""))
    if font is not None and font <= 1:
        return "tiny_font", f"font-size:{decls['font-size']}"
    clipped = decls.get("overflow") in ("hidden", "clip") or "overflow" not in decls and tag == "marquee"
    for prop in ("width", "height", "max-height", "max-width", "line-height"):
        px = _length_px(decls.get(prop, ""))
        if px is not None and px <= 1 and (clipped or prop in ("width", "height") and px == 0
                                           and decls.get("overflow") == "hidden"):
            return "zero_size", f"{prop}:{decls[prop]};overflow:{decls.get('overflow', '')}"
    colour = normalise_colour(decls.get("color"))
    background, _ = _background_colour(decls)
    if colour and background and colour == background:
        return "colour_match", f"color:{decls['color']} on background {background}"
    if tag == "marquee":
        for name in ("width", "height"):
            px = _length_px(str(attrs.get(name) or "")) if attrs.get(name) else None
            if px is not None and px <= 3:
                return "marquee", f"marquee {name}={attrs.get(name)}"
        amount = str(attrs.get("scrollamount") or "")
        if amount.isdigit() and int(amount) >= 500:
            return "marquee", f"marquee scrollamount={amount}"
    if tag == "iframe":
        for name in ("width", "height"):
            value = attrs.get(name)
            px = _length_px(str(value)) if value else None
            if px is not None and px <= 1:
                return "zero_size", f"iframe {name}={value}"
    return None


# ---- the walk -----------------------------------------------------------------------------------

@dataclass(slots=True)
class HiddenBlock:
    """The outermost element of a hidden region and what it carries."""

    locator: str
    technique: str  # display_none, visibility_hidden, opacity_zero, off_screen, text_indent, zero_size,
    #                 tiny_font, colour_match, marquee, hidden_attribute, script_wrapper
    declaration: str  # what hides it, e.g. "display:none (style attribute)" or "#gg {display:none}"
    text: str
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (absolute url, anchor text, locator)
    toggle: bool = False  # looks like a menu or pop-up that the page's scripts reveal
    html: str = ""


@dataclass(slots=True)
class _Sheet:
    rules: list[StyleRule]
    toggles: set[str]
    scripts: str  # inline script text, for toggle evidence
    external_css: bool
    by_key: dict[str, list[tuple[int, StyleRule]]] = field(default_factory=dict)  # "#id", ".cls", "tag", "*"
    script_hidden: set[str] = field(default_factory=set)  # ids a script hides as the page loads

    def __post_init__(self) -> None:
        for ident in sorted(_load_time_hidden(self.scripts)):
            self.script_hidden.add(ident)
            self.rules.append(StyleRule(f"#{ident} (hidden by an inline script)",
                                        (Compound(None, ident, frozenset()),), {"display": "none"}))
        for order, rule in enumerate(self.rules):
            if not (hiding_technique(rule.decls) or "color" in rule.decls
                    or any(k.startswith("background") for k in rule.decls)):
                continue  # only rules that hide or paint matter here
            target = rule.chain[-1]
            key = f"#{target.ident}" if target.ident else (
                f".{min(target.classes)}" if target.classes else (target.tag or "*"))
            self.by_key.setdefault(key, []).append((order, rule))

    def candidates(self, node: LexborNode) -> list[StyleRule]:
        attrs = node.attributes
        keys = [node.tag or "", "*"]
        if attrs.get("id"):
            keys.append("#" + (attrs.get("id") or "").strip())
        keys.extend("." + c for c in (attrs.get("class") or "").split())
        found = [pair for key in keys for pair in self.by_key.get(key, ())]
        found.sort(key=lambda pair: pair[0])
        return [rule for _, rule in found]


def _sheet(page: PageView) -> _Sheet:
    rules: list[StyleRule] = []
    toggles: set[str] = set()
    for node in page.tree.css("style"):
        found, tog = parse_style_rules(node.text(deep=True) or "")
        rules.extend(found)
        toggles |= tog
    scripts = "\n".join((n.text(deep=True) or "")[:200_000] for n in page.tree.css("script:not([src])"))
    external = page.tree.css_first("link[rel~=stylesheet], link[rel=stylesheet]") is not None
    return _Sheet(rules, toggles, scripts[:2_000_000], external)


def _decls_for(node: LexborNode, ancestors: list[LexborNode], sheet: _Sheet) -> tuple[dict[str, str], str]:
    decls: dict[str, str] = {}
    source = ""
    attrs = node.attributes
    if sheet.by_key:
        for rule in sheet.candidates(node):
            if rule.matches(node, ancestors):
                decls.update(rule.decls)
                if hiding_technique(rule.decls, node.tag or ""):
                    source = f"<style> rule {rule.selector}"
    inline = attrs.get("style")
    if inline:
        own = parse_declarations(inline)
        decls.update(own)
        if hiding_technique(own, node.tag or ""):
            source = "style attribute"
    return decls, source or "style attribute"


def _block(node: LexborNode, page: PageView, technique: str, declaration: str, toggle: bool) -> HiddenBlock:
    links: list[tuple[str, str, str]] = []
    for a in node.css("a[href], iframe[src], area[href]"):
        raw = a.attributes.get("href") or a.attributes.get("src") or ""
        url = resolve_href(page.base_url, raw)
        if url:
            links.append((url, a.text(strip=True)[:200], node_locator(a)))
    if node.tag in ("a", "iframe", "area"):
        raw = node.attributes.get("href") or node.attributes.get("src") or ""
        url = resolve_href(page.base_url, raw)
        if url:
            links.insert(0, (url, node.text(strip=True)[:200], node_locator(node)))
    unique = list(dict.fromkeys(links))
    text = node.text(separator=" ", strip=True)[:MAX_TEXT]
    links = unique
    return HiddenBlock(node_locator(node), technique, declaration, text, links[:200], toggle,
                       (node.html or "")[:300])


def _is_toggle(node: LexborNode, ancestors: list[LexborNode], sheet: _Sheet) -> bool:
    for el in [node, *ancestors[-3:]]:
        attrs = el.attributes
        if any(k.startswith("on") for k in attrs):
            return True
        names = [attrs.get("id") or "", *(attrs.get("class") or "").split()]
        for name in names:
            if not name:
                continue
            if TOGGLE_WORDS.search(name) or name in sheet.toggles:
                return True
            if len(name) >= 3 and name not in sheet.script_hidden and name in sheet.scripts:
                return True
    return False


def _load_time_hidden(scripts: str) -> set[str]:
    """Ids an inline script hides at the top level, i.e. when the page loads (not inside a function that a
    menu calls on hover or click)."""
    found: set[str] = set()
    for match in _SCRIPT_HIDE.finditer(scripts[:500_000]):
        before = scripts[max(0, match.start() - 5000):match.start()]
        if before.count("{") - before.count("}") <= 0:
            found.add(match.group(1) or match.group(2))
    return found


def find_hidden_blocks(page: PageView, *, max_nodes: int = 200_000) -> list[HiddenBlock]:
    """Every outermost hidden region of the page body (bounded by ``max_nodes`` elements)."""
    body = page.tree.body
    if body is None:
        return []
    sheet = _sheet(page)
    out: list[HiddenBlock] = []
    body_decls, _ = _decls_for(body, [], sheet)
    bg, _ = _background_colour(body_decls)
    base_bg = bg or normalise_colour(body.attributes.get("bgcolor")) or "#ffffff"
    # stack of (children iterator, ancestors length); ancestors holds (node, colour, background, known)
    ancestors: list[LexborNode] = [body]
    paint: list[tuple[str | None, str | None, bool]] = [(normalise_colour(body_decls.get("color")), base_bg, True)]
    stack: list[tuple[Iterator[LexborNode], list[bool]]] = [(body.iter(), [False])]
    seen = 0
    while stack and seen < max_nodes:
        children, wrapper = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            ancestors.pop()
            paint.pop()
            continue
        seen += 1
        tag = node.tag or ""
        if tag == "script":
            text = node.text(deep=True) or ""
            if text:
                decoded, _ = decode_script(text[:200_000])
                opening = _opening_hidden_wrapper(decoded)
                if opening is not None:
                    wrapper[0] = opening
            continue
        if tag in SKIP_TAGS:
            continue
        attrs = node.attributes
        if tag == "input":
            continue
        decls, source = _decls_for(node, ancestors, sheet)
        technique = None
        if wrapper[0]:
            technique = ("script_wrapper", "opened by a script-written hidden element")
        elif "hidden" in attrs:
            technique = ("hidden_attribute", "hidden attribute")
        else:
            found = hiding_technique(decls, tag, attrs)
            if found:
                by_attribute = found[1].startswith(("marquee ", "iframe "))
                technique = (found[0], found[1] if by_attribute else f"{found[1]} ({source})")
        colour = normalise_colour(decls.get("color")) or normalise_colour(attrs.get("color") if tag == "font" else None)
        own_bg, has_image = _background_colour(decls)
        own_bg = own_bg or normalise_colour(attrs.get("bgcolor"))
        parent_colour, parent_bg, parent_known = paint[-1]
        if own_bg is not None:
            known = True  # painted here, explicitly
        else:
            # an image behind, or a class an external style sheet may paint: background unknown
            known = parent_known and not has_image and not (
                sheet.external_css and (attrs.get("class") or attrs.get("id")))
        eff_bg = own_bg or parent_bg
        eff_colour = colour or parent_colour
        if technique is None and colour and eff_bg and known and colour == eff_bg:
            technique = ("colour_match", f"text colour {colour} equals background {eff_bg}")
        if technique is not None:
            out.append(_block(node, page, technique[0], technique[1], _is_toggle(node, ancestors, sheet)))
            continue
        ancestors.append(node)
        paint.append((eff_colour, eff_bg, known))
        stack.append((node.iter(), [False]))
    return out


def _opening_hidden_wrapper(decoded: str) -> bool | None:
    """True when a script writes an opening hidden element (and not its end), False when it closes one."""
    if not _WRITE.search(decoded):
        return None
    opening = [m for m in _OPEN_WRAPPER.finditer(decoded) if _HIDING_MARKUP.search(m.group(0))]
    closes = re.search(r"</(div|span|p|section|ul|font|marquee)>", decoded, re.I)
    if opening and not closes:
        return True
    if closes and not opening and not _ANCHOR.search(decoded):
        return False
    return None


# ---- scripts ------------------------------------------------------------------------------------

@dataclass(slots=True)
class ScriptLink:
    """A link that an inline script writes into the page."""

    url: str
    text: str
    locator: str
    obfuscated: bool  # written through fromCharCode / unescape / escapes / atob
    hidden_markup: bool  # the written markup hides itself
    snippet: str


def decode_script(text: str) -> tuple[str, bool]:
    """Undo the usual obfuscations; returns (decoded text, whether anything was decoded)."""
    changed = False

    def from_char_code(m: re.Match[str]) -> str:
        nonlocal changed
        try:
            codes = [int(x, 0) for x in re.findall(r"0x[0-9a-f]+|\d+", m.group(1), re.I)]
            changed = True
            return "".join(chr(c) for c in codes if 0 < c < 0x110000)
        except ValueError:
            return m.group(0)

    def unescape_call(m: re.Match[str]) -> str:
        nonlocal changed
        changed = True
        return unquote(m.group(2).replace("%u", "\\u"))

    def escape_seq(m: re.Match[str]) -> str:
        nonlocal changed
        changed = True
        return chr(int(m.group(1) or m.group(2), 16))

    def atob_call(m: re.Match[str]) -> str:
        nonlocal changed
        try:
            decoded = base64.b64decode(m.group(2), validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return m.group(0)
        changed = True
        return decoded

    out = re.sub(r"String\s*\.\s*fromCharCode\s*\(([\d\s,xa-fA-F]{1,20000})\)", from_char_code, text)
    out = re.sub(r"(unescape|decodeURIComponent|decodeURI)\s*\(\s*[\"']([^\"']{1,50000})[\"']\s*\)",
                 unescape_call, out)
    out = re.sub(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})", escape_seq, out)
    out = re.sub(r"(atob)\s*\(\s*[\"']([A-Za-z0-9+/=]{8,50000})[\"']\s*\)", atob_call, out)
    out = out.replace("\\/", "/").replace("\\\"", "\"").replace("\\'", "'")
    out = re.sub(r"[\"']\s*\+\s*[\"']", "", out)  # "<a hr" + "ef=…": string concatenation
    return out, changed


def script_links(page: PageView, *, max_scripts: int = 500) -> list[ScriptLink]:
    """Links written by the page's inline scripts (document.write, innerHTML, …)."""
    out: list[ScriptLink] = []
    for node in page.tree.css("script:not([src])")[:max_scripts]:
        text = (node.text(deep=True) or "")[:500_000]
        if not text or ("<" not in text and "fromCharCode" not in text and "%3C" not in text.upper()
                        and "\\x3c" not in text.lower() and "\\u003c" not in text.lower() and "atob" not in text):
            continue
        decoded, obfuscated = decode_script(text)
        if not _WRITE.search(decoded):
            continue
        hidden = bool(_HIDING_MARKUP.search(decoded))
        for m in list(_ANCHOR.finditer(decoded))[:200]:
            anchor_text = re.sub(r"<[^>]+>", "", m.group(2)).strip()
            out.append(ScriptLink(urljoin(page.base_url, m.group(1)), anchor_text[:200], node_locator(node),
                                  obfuscated, hidden, decoded[max(0, m.start() - 80):m.end() + 40][:300]))
        for m in list(_IFRAME.finditer(decoded))[:50]:
            out.append(ScriptLink(urljoin(page.base_url, m.group(1)), "", node_locator(node), obfuscated,
                                  hidden, decoded[max(0, m.start() - 80):m.end() + 40][:300]))
    return out


# ---- which pages need a browser ------------------------------------------------------------------

def _site_hosts(view: SiteView, page: PageView) -> list[str]:
    return [host_of(view.site.homepage), host_of(page.final_url), host_of(page.url)]


def _foreign(url: str, hosts: list[str], lexicon: Lexicon) -> bool:
    host = host_of(url)
    return bool(host) and not same_site(host, hosts) and not lexicon.is_trusted_host(host)


def pages_needing_render(view: SiteView) -> list[str]:
    """Pages whose hidden content the HTML alone cannot settle, homepage first.

    A page qualifies when it writes links with scripts, or when it links to foreign (non-government,
    non-trusted) hosts that static analysis did not find hidden while external style sheets or scripts
    that restyle the page could still hide them.
    """
    lexicon = default_lexicon()
    ordered: list[PageView] = []
    if view.homepage is not None:
        ordered.append(view.homepage)
    ordered.extend(p for p in view.pages if p is not view.homepage)
    out: list[str] = []
    for page in ordered:
        if page.url in out or "html" not in (page.content_type or "text/html"):
            continue
        hosts = _site_hosts(view, page)
        if any(_foreign(s.url, hosts, lexicon) for s in script_links(page)):
            out.append(page.url)
            continue
        foreign = {link.url for link in page.links[:5000] if _foreign(link.url, hosts, lexicon)}
        if not foreign:
            continue
        statically_hidden = {u for b in find_hidden_blocks(page) for u, _, _ in b.links}
        unsettled = foreign - statically_hidden
        if not unsettled:
            continue
        sheet_external = page.tree.css_first("link[rel~=stylesheet]") is not None
        restyles = any(_STYLE_CHANGE.search(n.text(deep=True) or "") for n in page.tree.css("script:not([src])"))
        if sheet_external or restyles or page.tree.css_first("script[src]") is not None:
            out.append(page.url)
    return out
