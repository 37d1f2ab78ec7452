"""Text folding shared by the content checks: one character table applied with ``str.translate``.

Every content check compares page text against word lists written in simplified Chinese and lower case.
Folding a text character by character in Python costs about as much as parsing the page, so the fold is
a translation table filled lazily (each distinct character is worked out once per process: NFKC, lower
case, traditional → simplified from ``data/t2s_characters.txt``, zero-width and other format (Cf)
characters dropped) and
applied by ``str.translate`` in C.

:func:`page_memo` keeps work shared by several checks once per page (``lexicon.page_text_scan``: one
lexicon scan of a page's text, read by content.spam and content.dark_link).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["Folder", "page_headings", "page_memo", "simplified_table", "to_simplified"]

# Zero-width and formatting characters spammers put between letters; removed outright.
INVISIBLE = frozenset({"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"})


@lru_cache(maxsize=1)
def simplified_table() -> dict[str, str]:
    """Traditional → simplified characters (OpenCC's one-to-one character mappings)."""
    data = resources.files("govinspect.content").joinpath("data/t2s_characters.txt")
    text = data.read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for i in range(0, len(line) - 1, 2):
            table[line[i]] = line[i + 1]
    return table


class _SimplifyTable(dict[int, Any]):
    """Traditional → simplified for ``str.translate``; other characters are remembered as unchanged, so
    each lookup after the first is a plain dict hit (a missing key costs an exception inside translate)."""

    def __missing__(self, code: int) -> Any:
        value: Any = simplified_table().get(chr(code), code)
        self[code] = value
        return value


@lru_cache(maxsize=1)
def _simplify_ords() -> _SimplifyTable:
    return _SimplifyTable()


@lru_cache(maxsize=1)
def _traditional_re() -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(re.escape(ch) for ch in simplified_table())) + "]")


def to_simplified(text: str) -> str:
    """``text`` with traditional characters replaced one for one (lengths and offsets are kept).

    Most pages have no traditional character at all; a character-class search finds that in C, and the
    (slower, per-character) translation is done only when one is there."""
    if _traditional_re().search(text) is None:
        return text
    return text.translate(_simplify_ords())


class _FoldTable(dict[int, Any]):
    """``str.translate`` table filled on first sight of each character (C speed after that)."""

    def __init__(self, fold_char: Callable[[str], str]) -> None:
        super().__init__()
        self._fold_char = fold_char
        self.shrinking: set[str] = set()  # characters folded away (zero-width)
        self.expanding: set[str] = set()  # characters folded into several (… → ...)

    def __missing__(self, code: int) -> Any:
        ch = chr(code)
        out = self._fold_char(ch)
        if not out:
            self.shrinking.add(ch)
        elif len(out) > 1:
            self.expanding.add(ch)
        value: Any = out if out != ch else None
        if value is None:
            value = code  # unchanged: map to itself so the next lookup is a plain dict hit
        self[code] = value
        return value


class Folder:
    """Folds text for matching: NFKC, lower case, simplified characters, invisible characters dropped.

    ``variants`` (a word list's own "繁简" pairs) take precedence over the packaged table.
    """

    def __init__(self, variants: Mapping[str, str] | None = None, *, simplify: bool = True) -> None:
        self._variants = dict(variants or {})
        self._simplify = simplify
        self._table = _FoldTable(self.fold_char)

    def fold_char(self, ch: str) -> str:
        if ch in INVISIBLE or unicodedata.category(ch) == "Cf":  # zero-width and other format characters
            return ""
        out = unicodedata.normalize("NFKC", ch).lower()
        table = simplified_table() if self._simplify else {}
        return "".join(self._variants.get(c) or table.get(c, c) for c in out)

    def fold(self, text: str) -> str:
        """The folded text (its length may differ from ``text`` when NFKC expands a character)."""
        return text.translate(self._table)

    def fold_with_offsets(self, text: str) -> tuple[str, list[int] | None]:
        """The folded text and, when lengths differ, the original index of every folded character."""
        out = text.translate(self._table)
        # equal lengths mean one character for one, unless a dropped one and an expanded one cancel out
        table = self._table
        if len(out) == len(text) and not (table.expanding and any(ch in text for ch in table.shrinking)):
            return out, None
        offsets: list[int] = []
        for index, ch in enumerate(text):
            value = table[ord(ch)]
            offsets.extend([index] * (1 if isinstance(value, int) else len(value)))
        return out, offsets


# ---- per-page memo ------------------------------------------------------------------------------

_MEMO_ATTRIBUTE = "_content_memo"


def page_memo(page: Any, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per page and key (checks sharing work on one page).

    The memo hangs on the page object itself (as ``PageView`` memoises resolved hrefs), so it lives and
    dies with the page; objects that take no attributes are simply not memoised."""
    memo = getattr(page, _MEMO_ATTRIBUTE, None)
    if memo is None:
        memo = {}
        try:
            setattr(page, _MEMO_ATTRIBUTE, memo)
        except AttributeError:
            return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def page_headings(page: Any, limit: int = 50) -> list[tuple[str, str]]:
    """``(tag, text)`` of the page's first ``h1``–``h3`` elements, found once per page for every check.

    Only strings are kept (a parse tree may be released while the page lives on)."""
    return page_memo(page, ("headings", limit), lambda: [
        (node.tag or "", node.text(strip=True)) for node in page.tree.css("h1, h2, h3")[:limit]])
