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

from govinspect.content.normalise import Folder, page_memo
from govinspect.errors import ConfigError

__all__ = [
    "Hit", "Lexicon", "Normalised", "Term", "load_lexicon", "is_government_host", "registrable_domain",
    "host_of", "page_text_scan", "page_normalised", "default_lexicon",
]

STRONG = "strong"
WEAK = "weak"
OFFER = "offer"  # counts only next to a contact offer (代开 … QQ：…, 上门服务 … 加微信)
ALLOW = "allow"

# Separators allowed between the letters of an interleaved term (no sentence punctuation, no newline).
_SEP = r"[ \t\u3000*.\-_|/\\~^+#@=·•☆★○●◆◇□■♠♥♣♦※→'\"`%&$]"
_INTERLEAVED = re.compile(rf"(?:[^\W_]{{1,2}}{_SEP}{{1,3}}){{2,}}[^\W_]{{1,2}}")
_SEP_RE = re.compile(_SEP)
# Every interleaved run holds a letter or character between two separators (澳-门-赌, b.e.t); dates and
# numbers (2021-06-15) do not. The run itself never crosses a line, so only lines with such a triple are
# searched: a pattern that starts with a word character would be tried at nearly every position.
_INTERLEAVED_GATE = re.compile(rf"{_SEP}[^\W\d_]{{1,2}}{_SEP}")
# A run of single CJK characters split by one repeated symbol of any kind (百‖家‖乐, 皇│冠│体│育, 真★人★荷★官):
# the separator is any character that is neither a letter, a digit, a space nor sentence punctuation,
# quotation mark or bracket, written one to three times, with an optional space either side.
_CJK_CHAR = "[\u3400-\u4dbf\u4e00-\u9fff]"
_NOT_SEPARATOR = r"\w\s，。、；：！？,;:!?…‥“”‘’\"'`（）()\[\]［］【】《》〈〉「」『』〔〕{}<>"
_SAME_SEP_RUN = re.compile(
    rf"{_CJK_CHAR} ?([^{_NOT_SEPARATOR}])\1{{0,2}} ?{_CJK_CHAR}(?: ?\1{{1,3}} ?{_CJK_CHAR})+")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
# A contact offer that is a telephone number (the `solicitation` pattern 电话/手机/热线/咨询/tel + mobile).
_PHONE_OFFER = re.compile(r"(?:电话|手机|热线|咨询|tel)")
_ASCII_ALNUM = re.compile(r"[0-9a-z]")
_OPEN_QUOTES = "“\"「『‘'《"
_CLOSE_QUOTES = "”\"」』’'》"


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
    solicited: str = ""  # the contact offer next to the term (加微信, QQ：…) that makes it an advert

    @property
    def counts(self) -> bool:
        return not self.excuse

    @property
    def strong(self) -> bool:
        """A strong term, or a weak one offered for sale (代孕 … 加微信)."""
        return self.level == STRONG or bool(self.solicited)


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
    category_context: dict[str, tuple[str, ...]] = field(default_factory=dict)
    solicitation: tuple[str, ...] = ()
    solicitation_window: int = 40

    # ---- loading -------------------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, data: dict[str, Any], source: str = "lexicon") -> Lexicon:
        try:
            terms: list[Term] = []
            seen: set[str] = set()
            for category, levels in data["categories"].items():
                for level, words in levels.items():
                    if level not in (STRONG, WEAK, OFFER):
                        raise ValueError(f"level {level!r} in category {category!r} is not strong/weak/offer")
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
                category_context={str(k): tuple(_normalise_term(w) for w in v)
                                  for k, v in (ctx.get("category_context") or {}).items()},
                solicitation=tuple(str(p) for p in data.get("solicitation", [])),
                solicitation_window=int(data.get("solicitation_window", 40)),
            )
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise ConfigError(f"{source}: invalid lexicon ({exc}); fix the YAML file") from None

    # ---- normalisation -------------------------------------------------------------------------------
    @cached_property
    def folder(self) -> Folder:
        """NFKC, lower case, simplified characters (this file's pairs first), invisible characters dropped."""
        return Folder(self.variants)

    def normalise(self, text: str) -> Normalised:
        """NFKC + lower case + simplified characters, keeping the way back to the original."""
        folded, offsets = self.folder.fold_with_offsets(text)
        return Normalised(folded, text, offsets)

    def normalise_str(self, text: str) -> str:
        return self.folder.fold(text)

    # ---- matching ------------------------------------------------------------------------------
    @cached_property
    def _solicitation_re(self) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in self.solicitation)) if self.solicitation else None

    @cached_property
    def _allow_words(self) -> tuple[str, ...]:
        return tuple(w for w in self.whitelist if len(w) >= 2)

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
        searched_to = 0
        for gate in _INTERLEAVED_GATE.finditer(s):
            if gate.start() < searched_to:
                continue
            lo = max(s.rfind("\n", max(0, gate.start() - 2000), gate.start()) + 1, searched_to)
            hi = s.find("\n", gate.end(), gate.end() + 2000)
            hi = hi if hi >= 0 else min(len(s), gate.end() + 2000)
            for run in _INTERLEAVED.finditer(s, lo, hi):
                raw.extend(self._scan_interleaved(s, run.start(), run.end(), plain_spans))
            searched_to = hi
        for run in _SAME_SEP_RUN.finditer(s):  # any one symbol repeated between single characters
            raw.extend(self._scan_interleaved(s, run.start(), run.end(), plain_spans, separator=run.group(1)))
        hits = _drop_contained(raw)
        offers = [(m.start(), m.end(), m.group(0)) for m in self._solicitation_re.finditer(s)] \
            if self._solicitation_re is not None and hits else []
        for hit in hits:
            offer = self._offer_near(s, hit, offers) if offers else ""
            # an offer-level word offered only by a telephone number can still be an office's service
            by_phone = hit.level == OFFER and _PHONE_OFFER.match(offer) is not None
            hit.excuse = self._excuse(s, hit, allows, offered=bool(offer) and not by_phone)
            if offer and not hit.excuse:
                hit.solicited = offer
            elif hit.level == OFFER and not hit.excuse:
                hit.excuse = "no contact offer"  # 上门服务, 兼职: ordinary words unless offered for sale
        return norm, hits

    def _offer_near(self, s: str, hit: Hit, offers: list[tuple[int, int, str]]) -> str:
        """A contact offer (加微信, QQ：…, a mobile number) in the same sentence as the hit, nearby."""
        lo, hi = hit.start - self.solicitation_window, hit.end + self.solicitation_window
        for start, end, text in offers:
            if end < lo or start > hi:
                continue
            between = s[min(end, hit.start):max(start, hit.end)]
            if not _SENTENCE_END.search(between):
                return text
        return ""

    def _scan_interleaved(self, s: str, start: int, end: int, plain: set[tuple[int, int]], *,
                          separator: str = "") -> list[Hit]:
        """Terms in ``s[start:end]`` read without its separators (the known symbols of ``_SEP``, or the one
        ``separator`` of a same-symbol run plus spaces)."""
        index: list[int] = []
        chars: list[str] = []
        for pos in range(start, end):
            ch = s[pos]
            if (ch != separator and ch != " ") if separator else not _SEP_RE.match(ch):
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

    def _excuse(self, s: str, hit: Hit, allows: list[tuple[int, int]], *, offered: bool = False) -> str:
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
        if offered:
            return ""  # offered for sale: no subject-matter context excuses it
        sentence = _sentence(s, hit.start, hit.end)
        for word in self.category_context.get(hit.category, ()):
            if word in sentence:
                return f"subject:{word}"
        if hit.level != STRONG:
            # a weak word in a sentence about the legal lottery or another whitelisted subject
            for word in self._allow_words:
                if word in sentence:
                    return f"sentence:{word}"
        return ""

    def quoted(self, s: str, start: int, end: int, *, reach: int = 12) -> bool:
        """The span sits inside quotation marks (“澳门赌场线上版”), a few characters from either mark."""
        left = s[max(0, start - reach):start]
        opens = max((left.rfind(q) for q in _OPEN_QUOTES), default=-1)
        if opens < 0 or any(q in left[opens + 1:] for q in _CLOSE_QUOTES if q not in _OPEN_QUOTES):
            return False
        right = s[end:end + reach]
        return any(q in right for q in _CLOSE_QUOTES)

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


def _sentence(s: str, start: int, end: int, *, reach: int = 80) -> str:
    """The sentence around a span (bounded to ``reach`` characters either side)."""
    lo = max(0, start - reach)
    left = [m.end() for m in _SENTENCE_END.finditer(s, lo, start)]
    right = _SENTENCE_END.search(s, end, end + reach)
    return s[(left[-1] if left else lo):(right.start() if right else min(len(s), end + reach))]


def distinct_concepts(terms: Iterable[str]) -> set[str]:
    """Distinct terms, a term written inside a longer one found too counted once (开奖 in 开奖结果)."""
    unique = set(terms)
    return {t for t in unique if not any(t != o and t in o for o in unique)}


def page_normalised(page: Any, lexicon: Lexicon, max_chars: int = 1_000_000) -> Normalised:
    """``page.text[:max_chars]`` folded by ``lexicon``, once per page (content.spam, content.dark_link and
    content.test_draft read the same folded text)."""
    return page_memo(page, ("lexicon-fold", id(lexicon), max_chars),
                     lambda: lexicon.normalise(page.text[:max_chars]))


def page_text_scan(page: Any, lexicon: Lexicon, max_chars: int = 1_000_000) -> tuple[Normalised, list[Hit]]:
    """One scan of ``page.text[:max_chars]`` per page and lexicon, shared by the checks that need it."""
    return page_memo(page, ("lexicon-scan", id(lexicon), max_chars),
                     lambda: lexicon.scan(page_normalised(page, lexicon, max_chars)))


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
    """Load the lexicon YAML (the packaged one by default); a new object every call."""
    return _read_lexicon(path)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The packaged lexicon, loaded once and shared by the checks (its automaton is built once)."""
    return _read_lexicon(None)


def _read_lexicon(path: Path | str | None) -> Lexicon:
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
    """The lower-case host of a URL; plain ``http(s)://host[:port]/…`` URLs are split without urlsplit."""
    if url.startswith(("http://", "https://")):
        netloc = url.split("/", 3)[2]
        # userinfo, IPv6, escapes and a query or fragment right after the host (http://h.cn?a=1) go to urlsplit
        if ("@" not in netloc and "[" not in netloc and "%" not in netloc and "\\" not in netloc
                and "?" not in netloc and "#" not in netloc):
            return netloc.partition(":")[0].lower().strip(".")
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
