"""Decoding HTML bytes: HTTP header charset, then BOM / ``<meta>``, then detection.

Chinese government sites often declare ``gb2312`` or ``gbk`` while using characters only GB18030 has
(生僻字 in names), so every GB-family label decodes as ``gb18030``, the superset. Bodies that are
binary (NUL-heavy) are recognised so callers skip parsing instead of feeding garbage to the parser.
"""

from __future__ import annotations

import codecs
import re

from govinspect.fetch.types import FetchResult

_GB_FAMILY = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn",
              "csgb2312", "chinese", "iso-ir-58", "gb18030", "x-euc-cn", "csiso58gb231280"}
# WHATWG: these labels mean windows-1252 in browsers.
_LATIN1 = {"iso-8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii", "iso8859-1", "cp819"}

_META_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
_HEADER_RE = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def normalize_label(label: str | None) -> str | None:
    """A Python codec name for a charset label, with GB-family labels mapped to gb18030; None if unknown."""
    if not label:
        return None
    low = label.strip().strip("\"'").lower()
    if low in _GB_FAMILY:
        return "gb18030"
    if low in _LATIN1:
        return "cp1252"
    if low in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    try:
        name = codecs.lookup(low).name
    except LookupError:
        return None
    return "gb18030" if name in ("gbk", "gb2312") else name


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_RE.search(content_type)
    return normalize_label(match.group(1)) if match else None


def meta_charset(body: bytes) -> str | None:
    """The charset of ``<meta charset>`` or ``<meta http-equiv=Content-Type content=…charset=…>`` in the first 4 KB."""
    match = _META_RE.search(body[:4096])
    if not match:
        return None
    label = normalize_label(match.group(1).decode("ascii", "ignore"))
    # A page saved as UTF-16 cannot really declare itself in ASCII; WHATWG treats that as utf-8.
    return "utf-8" if label in ("utf-16", "utf-16-le", "utf-16-be") else label


def looks_binary(body: bytes) -> bool:
    """True for bodies that are not text: NUL bytes or many control bytes in the first 2 KB."""
    head = body[:2048]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    nul = head.count(0)
    if nul > 2:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls * 20 > len(head)


def detect(body: bytes) -> str:
    """Guess an encoding: strict UTF-8, then strict GB18030, then charset-normalizer on a sample."""
    sample = body[:65536]
    for candidate in ("utf-8", "gb18030"):
        try:
            sample.decode(candidate)
            return candidate
        except UnicodeDecodeError as exc:
            # A multi-byte character cut by the sample's end is not evidence against the codec.
            if exc.start >= len(sample) - 4 and len(body) > len(sample):
                return candidate
    from charset_normalizer import from_bytes  # imported lazily: it is slow to import

    best = from_bytes(sample).best()
    if best is None:
        return "utf-8"
    return normalize_label(best.encoding) or "utf-8"


def sniff_encoding(body: bytes, content_type: str | None = None) -> str:
    """The encoding to decode ``body`` with, following the order described in the module docstring."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    return header_charset(content_type) or meta_charset(body) or detect(body)


def decode_html(result: FetchResult) -> tuple[str, str]:
    """``(text, encoding)`` of a fetched page; binary bodies give ``("", "binary")``, never raise."""
    body = result.body
    if looks_binary(body):
        return "", "binary"
    encoding = sniff_encoding(body, result.header("content-type"))
    if encoding == "utf-8" and body.startswith(codecs.BOM_UTF8):
        body = body[3:]
    elif encoding.startswith("utf-16") and body[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        body = body[2:]
    try:
        return body.decode(encoding), encoding
    except UnicodeDecodeError:
        return body.decode(encoding, errors="replace"), encoding
    except LookupError:  # pragma: no cover - normalize_label only returns known codecs
        return body.decode("utf-8", errors="replace"), "utf-8"
