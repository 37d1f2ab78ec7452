"""Charset decoding: header, BOM, <meta>, detection; GB-family labels read as gb18030; binary bodies."""

from __future__ import annotations

import os

import pytest

from govinspect.fetch.charset import decode_html, looks_binary, meta_charset, normalize_label, sniff_encoding
from govinspect.fetch.client import Fetcher
from govinspect.fetch.types import FetchResult
from govinspect.settings import FetchSettings
from tests.mockserver import MockServer, mockserver  # noqa: F401 - fixture

RARE = "䶮字与𠀀字，鎔和喆"  # 䶮 and 𠀀 are outside GBK: only GB18030 encodes them


def result(body: bytes, ctype: str = "text/html") -> FetchResult:
    return FetchResult(url="http://a.gov.cn/", final_url="http://a.gov.cn/", status=200,
                       headers=[("Content-Type", ctype)], body=body)


@pytest.mark.parametrize(("label", "codec"), [
    ("gb2312", "gb18030"), ("GBK", "gb18030"), ("x-gbk", "gb18030"), ("cp936", "gb18030"),
    ("GB18030", "gb18030"), ("utf8", "utf-8"), ("UTF-8", "utf-8"), ("iso-8859-1", "cp1252"),
    ("big5", "big5"), ("no-such-charset", None), ("", None),
])
def test_label_normalisation(label: str, codec: str | None) -> None:
    assert normalize_label(label) == codec


def test_gb2312_declared_header_decodes_gb18030_only_characters() -> None:
    body = f"<html><body>{RARE}</body></html>".encode("gb18030")
    text, encoding = decode_html(result(body, "text/html; charset=gb2312"))
    assert encoding == "gb18030" and RARE in text


def test_meta_charset_and_http_equiv() -> None:
    html5 = '<html><head><meta charset="gbk"><title>x</title>'.encode() + RARE.encode("gb18030")
    legacy = b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">' + RARE.encode("gb18030")
    assert meta_charset(html5) == "gb18030"
    assert meta_charset(legacy) == "gb18030"
    assert RARE in decode_html(result(legacy))[0]
    assert meta_charset(b"<html><body>no declaration</body></html>") is None


def test_header_beats_meta_and_bom_beats_header() -> None:
    body = '<meta charset="gbk"><p>政府</p>'.encode()
    assert sniff_encoding(body, "text/html; charset=utf-8") == "utf-8"
    bom = b"\xef\xbb\xbf" + "<p>政府</p>".encode()
    text, encoding = decode_html(result(bom, "text/html; charset=gbk"))
    assert encoding == "utf-8" and text == "<p>政府</p>"


def test_undeclared_gb18030_detected() -> None:
    body = ("<html><body>" + "雷州市人民政府办公室关于做好防汛工作的通知。" * 20 + RARE + "</body></html>").encode("gb18030")
    text, encoding = decode_html(result(body))
    assert encoding == "gb18030" and RARE in text


def test_undeclared_utf8_detected() -> None:
    body = "<html><body>政务公开 信息公开</body></html>".encode()
    assert decode_html(result(body)) == ("<html><body>政务公开 信息公开</body></html>", "utf-8")


def test_wrong_declared_charset_never_raises() -> None:
    body = "<p>政府</p>".encode("gb18030") + b"\xff\xfe\xfd"
    text, encoding = decode_html(result(body, "text/html; charset=utf-8"))
    assert encoding == "utf-8" and "\ufffd" in text


def test_binary_detection() -> None:
    assert looks_binary(os.urandom(4096))
    assert looks_binary(b"%PDF-1.7\n\x00\x00\x00\x01binary")
    assert not looks_binary("<html>政府网站</html>".encode("gb18030"))
    assert not looks_binary(b"")
    assert not looks_binary("\ufeff<html>x</html>".encode("utf-16"))
    assert decode_html(result(b"\x00\x01\x02\x03" * 100)) == ("", "binary")


async def test_gb18030_page_without_charset_over_socket(mockserver: MockServer) -> None:
    async with Fetcher(FetchSettings(allow_private=True, retries=0)) as fetcher:
        plain = await fetcher.fetch(mockserver.url("/gbk"))
        declared = await fetcher.fetch(mockserver.url("/gbk-declared"))
        binary = await fetcher.fetch(mockserver.url("/binary"))
    assert plain.header("content-type") == "text/html"
    text, encoding = decode_html(plain)
    assert encoding == "gb18030" and "䶮字与𠀀字" in text and "雷州市人民政府" in text
    assert "䶮字与𠀀字" in decode_html(declared)[0]
    assert decode_html(binary) == ("", "binary")
