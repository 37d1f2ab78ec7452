"""The spam lexicon (涉赌涉黄涉非法服务词库): normalisation, multi-pattern matching and context rules.

Used by content.spam, content.dark_link and content.test_draft. The data lives in
``content/data/spam_lexicon.yaml`` (versioned and dated); this module loads it, normalises page text
(NFKC, full-width to half-width, lower case, traditional to simplified, zero-width characters removed,
symbol-interleaved runs such as ``澳*门*赌*场`` or ``b.o.c.a.i`` collapsed) and matches every term at once
with an Aho-Corasick automaton built lazily on first use.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from govinspect.errors import ConfigError

__all__ = [
    "Hit", "Lexicon", "Normalised", "Term", "load_lexicon", "is_government_host", "registrable_domain",
    "host_of",
]

STRONG = "strong"
WEAK = "weak"
ALLOW = "allow"

# Zero-width and formatting characters spammers put between letters; removed outright.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"}
# Separators allowed between the letters of an interleaved term (no sentence punctuation, no newline).
_SEP = r"[ \t\u3000*.\-_|/\\~^+#@=·•☆★○●◆◇□■♠♥♣♦※→'\"`%&$]"
_INTERLEAVED = re.compile(rf"(?:[^\W_]{{1,2}}{_SEP}{{1,3}}){{2,}}[^\W_]{{1,2}}")
_SEP_RE = re.compile(_SEP)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_ASCII_ALNUM = re.compile(r"[0-9a-z]")


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    category: str
    level: str  # strong / weak / allow


@dataclass(slots=True)
class Hit:
    """One lexicon term found in normalised text; ``excuse`` names the context rule that cleared it."""

    term: str
    category: str
    level: str
    start: int  # offsets in the normalised text
    end: int
    excuse: str = ""
    interleaved: bool = False

    @property
    def counts(self) -> bool:
        return not self.excuse


@dataclass(slots=True)
class Normalised:
    """Normalised text plus the way back to the original for evidence excerpts."""

    text: str
    original: str
    offsets: list[int] | None = None  # normalised index -> original index; None when 1:1

    def to_original(self, index: int) -> int:
        if self.offsets is None:
            return min(index, len(self.original))
        if index >= len(self.offsets):
            return len(self.original)
        return self.offsets[index]

    def excerpt(self, start: int, end: int, width: int = 40) -> str:
        """Original text around a normalised span, on one line."""
        ostart, oend = self.to_original(start), self.to_original(end)
        if oend <= ostart:
            oend = ostart + max(1, end - start)
        left = max(0, ostart - width)
        right = min(len(self.original), oend + width)
        snippet = self.original[left:right]
        return " ".join(snippet.split())

    def original_span(self, start: int, end: int) -> str:
        ostart, oend = self.to_original(start), self.to_original(end)
        return self.original[ostart:max(oend, ostart + 1)]


@dataclass
class Lexicon:
    """Terms by category and level, the context rules, and the trusted destinations."""

    version: str
    date: str
    terms: list[Term]
    negators: tuple[str, ...] = ()
    window: int = 12
    after_words: tuple[str, ...] = ()
    after_window: int = 8
    whitelist: tuple[str, ...] = ()
    topic_titles: tuple[str, ...] = ()
    trusted_domains: tuple[str, ...] = ()
    weak_min_distinct: int = 3
    title_min_distinct: int = 2
    variants: dict[str, str] = field(default_factory=dict)
    _char_cache: dict[str, str] = field(default_factory=dict, repr=False)

    # ---- loading -------------------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, data: dict[str, Any], source: str = "lexicon") -> Lexicon:
        try:
            terms: list[Term] = []
            seen: set[str] = set()
            for category, levels in data["categories"].items():
                for level, words in levels.items():
                    if level not in (STRONG, WEAK):
                        raise ValueError(f"level {level!r} in category {category!r} is not strong/weak")
                    for word in words:
                        text = _normalise_term(str(word))
                        if text in seen:
                            raise ValueError(f"term {word!r} listed twice")
                        seen.add(text)
                        terms.append(Term(text, category, level))
            ctx = data.get("context", {})
            pairs = "".join(str(data.get("variants", "")).split())
            if len(pairs) % 2:
                raise ValueError("variants must be pairs of characters (traditional, simplified)")
            return cls(
                version=str(data["version"]),
                date=str(data["date"]),
                terms=terms,
                negators=tuple(_normalise_term(w) for w in ctx.get("negators", [])),
                window=int(ctx.get("window", 12)),
                after_words=tuple(_normalise_term(w) for w in ctx.get("after_words", [])),
                after_window=int(ctx.get("after_window", 8)),
                whitelist=tuple(_normalise_term(w) for w in ctx.get("whitelist_phrases", [])),
                topic_titles=tuple(_normalise_term(w) for w in ctx.get("topic_titles", [])),
                trusted_domains=tuple(str(d).lower().strip(".") for d in ctx.get("trusted_domains", [])),
                weak_min_distinct=int(data.get("weak_min_distinct", 3)),
                title_min_distinct=int(data.get("title_min_distinct", 2)),
                variants={pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2)},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: invalid lexicon ({exc}); fix the YAML file") from None

    # ---- normalisation -------------------------------------------------------------------------
    def _map_char(self, ch: str) -> str:
        cached = self._char_cache.get(ch)
        if cached is not None:
            return cached
        if ch in _INVISIBLE:
            out = ""
        else:
            out = unicodedata.normalize("NFKC", ch).lower()
            out = "".join(self.variants.get(c, c) for c in out)
        self._char_cache[ch] = out
        return out

    def normalise(self, text: str) -> Normalised:
        """NFKC + lower case + simplified characters, keeping the way back to the original."""
        pieces = [self._map_char(c) for c in text]
        if all(len(p) == 1 for p in pieces):
            return Normalised("".join(pieces), text, None)
        offsets: list[int] = []
        for index, piece in enumerate(pieces):
            offsets.extend([index] * len(piece))
        return Normalised("".join(pieces), text, offsets)

    def normalise_str(self, text: str) -> str:
        return "".join(self._map_char(c) for c in text)

    # ---- matching ------------------------------------------------------------------------------
    @cached_property
    def automaton(self) -> Any:
        """The Aho-Corasick automaton over every term and whitelist phrase, built on first use."""
        import ahocorasick

        auto = ahocorasick.Automaton()
        for term in self.terms:
            auto.add_word(term.text, (term.text, term.category, term.level))
        for phrase in self.whitelist:
            if phrase not in auto:
                auto.add_word(phrase, (phrase, "", ALLOW))
        auto.make_automaton()
        return auto

    def scan(self, text: str | Normalised) -> tuple[Normalised, list[Hit]]:
        """Find every term in ``text`` (plain and symbol-interleaved), with context excuses applied."""
        norm = text if isinstance(text, Normalised) else self.normalise(text)
        s = norm.text
        raw: list[Hit] = []
        allows: list[tuple[int, int]] = []
        for end, (word, category, level) in self.automaton.iter(s):
            start = end - len(word) + 1
            if level == ALLOW:
                allows.append((start, end + 1))
            elif _boundary_ok(s, start, end + 1, word):
                raw.append(Hit(word, category, level, start, end + 1))
        plain_spans = {(h.start, h.end) for h in raw}
        for run in _INTERLEAVED.finditer(s):
            raw.extend(self._scan_interleaved(s, run.start(), run.end(), plain_spans))
        hits = _drop_contained(raw)
        for hit in hits:
            hit.excuse = self._excuse(s, hit, allows)
        return norm, hits

    def _scan_interleaved(self, s: str, start: int, end: int, plain: set[tuple[int, int]]) -> list[Hit]:
        index: list[int] = []
        chars: list[str] = []
        for pos in range(start, end):
            if not _SEP_RE.match(s[pos]):
                index.append(pos)
                chars.append(s[pos])
        compact = "".join(chars)
        found: list[Hit] = []
        for cend, (word, category, level) in self.automaton.iter(compact):
            if level == ALLOW:
                continue
            cstart = cend - len(word) + 1
            if not _boundary_ok(compact, cstart, cend + 1, word):
                continue
            hstart, hend = index[cstart], index[cend] + 1
            if hend - hstart == len(word) or (hstart, hend) in plain:
                continue  # no separator inside: the plain scan has it
            found.append(Hit(word, category, level, hstart, hend, interleaved=True))
        return found

    def _excuse(self, s: str, hit: Hit, allows: list[tuple[int, int]]) -> str:
        for astart, aend in allows:
            if astart <= hit.start and hit.end <= aend:
                return f"whitelist:{s[astart:aend]}"
        before = s[max(0, hit.start - self.window):hit.start]
        cut = list(_SENTENCE_END.finditer(before))
        if cut:
            before = before[cut[-1].end():]
        for word in self.negators:
            if word in before:
                return f"negator:{word}"
        after = s[hit.end:hit.end + self.after_window]
        stop = _SENTENCE_END.search(after)
        if stop:
            after = after[:stop.start()]
        for word in self.after_words:
            if word in after:
                return f"context:{word}"
        return ""

    def topic_excused(self, title: str) -> str:
        """The topic word when a page title says the page is about fighting or administering it."""
        norm = self.normalise_str(title)
        for word in self.topic_titles:
            if word in norm:
                return word
        return ""

    # ---- destinations --------------------------------------------------------------------------
    def is_trusted_host(self, host: str) -> bool:
        host = host.lower().strip(".")
        if is_government_host(host):
            return True
        return any(host == d or host.endswith("." + d) for d in self.trusted_domains)


def _normalise_term(word: str) -> str:
    return unicodedata.normalize("NFKC", word).lower().strip()


def _boundary_ok(s: str, start: int, end: int, word: str) -> bool:
    """Latin terms must not sit inside a longer word (``yabo`` not in ``playabonita``)."""
    first, last = word[0], word[-1]
    if _ASCII_ALNUM.match(first) and start > 0:
        prev = s[start - 1]
        if ("a" <= prev <= "z") or (first.isdigit() and prev.isdigit()):
            return False
    if _ASCII_ALNUM.match(last) and end < len(s):
        nxt = s[end]
        if ("a" <= nxt <= "z" and "a" <= last <= "z") or (last.isdigit() and nxt.isdigit()):
            return False
    return True


def _drop_contained(hits: list[Hit]) -> list[Hit]:
    """Keep the longest term where terms overlap at the same place (新葡京 inside 澳门新葡京)."""
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[Hit] = []
    for hit in hits:
        if out and out[-1].start <= hit.start and hit.end <= out[-1].end:
            continue
        out.append(hit)
    return out


def load_lexicon(path: Path | str | None = None) -> Lexicon:
    """Load the lexicon YAML (the packaged one by default)."""
    if path is None:
        text = resources.files("govinspect.content").joinpath("data/spam_lexicon.yaml").read_text("utf-8")
        source = "spam_lexicon.yaml"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"lexicon file {path} cannot be read ({exc.strerror}): pass an existing file") from None
        source = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source} is not valid YAML ({exc}); fix the line named") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source} must be a mapping with version, date and categories")
    return Lexicon.from_mapping(data, source)


# ---- hosts ------------------------------------------------------------------------------------

def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().strip(".")
    except ValueError:
        return ""


def is_government_host(host: str) -> bool:
    host = host.lower().strip(".")
    return any(host == s or host.endswith("." + s) for s in ("gov.cn", "政务", "xn--zfr164b"))


@lru_cache(maxsize=1)
def _extractor() -> Any:
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # the bundled suffix list, offline


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """``www.zj.gd.gov.cn`` → ``zj.gd.gov.cn`` style registrable domain (public suffix + 1); IPs as is."""
    host = host.lower().strip(".")
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return host
    ext = _extractor()(host)
    domain = getattr(ext, "top_domain_under_public_suffix", None) or ext.registered_domain
    return domain or host


def same_site(host: str, site_hosts: Iterable[str]) -> bool:
    reg = registrable_domain(host)
    return any(reg == registrable_domain(h) for h in site_hosts if h)
