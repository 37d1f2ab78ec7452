"""WARC archive: records written by a crawl read back identically, so checks can re-run offline."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from govinspect.archive.warc import WarcWriter, iter_responses
from govinspect.errors import GovinspectError
from govinspect.fetch.client import Fetcher
from govinspect.fetch.types import FailureClass, FetchResult
from govinspect.settings import FetchSettings
from tests.mockserver import MockServer, closed_port, mockserver  # noqa: F401 - fixture


async def test_round_trip_of_real_fetches(mockserver: MockServer, tmp_path: Path) -> None:
    path = tmp_path / "site.warc.gz"
    settings = FetchSettings(allow_private=True, retries=0, max_body_bytes=1 << 16)
    async with Fetcher(settings) as fetcher:
        fetched = [
            await fetcher.fetch(mockserver.url("/gzip-page")),
            await fetcher.fetch(mockserver.url("/gbk")),
            await fetcher.fetch(mockserver.url("/redirect/2")),
            await fetcher.fetch(mockserver.url("/status/404")),
            await fetcher.fetch(mockserver.url("/big?mb=1")),
            await fetcher.fetch(f"http://127.0.0.1:{closed_port()}/"),
        ]
    with WarcWriter(path, info={"site_code": "4408820001"}, user_agent=fetcher.user_agent) as writer:
        ids = [writer.write(result) for result in fetched]
    assert all(i.startswith("<urn:uuid:") and i.endswith(">") for i in ids)
    assert [r.warc_record_id for r in fetched] == ids

    back = list(iter_responses(path))
    assert [record_id for record_id, _ in back] == ids
    for original, (_, copy) in zip(fetched, back, strict=True):
        assert copy.url == original.url and copy.final_url == original.final_url
        assert copy.status == original.status and copy.failure == original.failure
        assert copy.body == original.body and copy.headers == original.headers
        assert copy.redirects == original.redirects and copy.truncated == original.truncated
        assert copy.remote_ip == original.remote_ip and copy.attempts == original.attempts
    assert "压缩的页面" in back[0][1].body.decode()  # stored decoded; Content-Encoding restored on read
    assert back[0][1].header("content-encoding") == "gzip"
    assert back[4][1].truncated and back[4][1].failure is FailureClass.TOO_LARGE
    assert back[5][1].failure is FailureClass.REFUSED and back[5][1].status is None


def test_standard_warc_layout(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    result = FetchResult("http://www.a.gov.cn/", "http://www.a.gov.cn/", status=200,
                         headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
                         body="<html>政府</html>".encode(), fetched_at=datetime(2021, 6, 15, 2, 0, tzinfo=UTC),
                         remote_ip="202.96.134.133", truncated=True)
    writer = WarcWriter(path, info={"site_code": "4408820001"}, user_agent="govinspect/0.1", compresslevel=1)
    record_id = writer.write(result)
    writer.close()
    with gzip.open(path, "rb") as fh:  # concatenated gzip members read as one stream
        assert fh.read().count(b"WARC/1.0\r\n") == 3
    with open(path, "rb") as fh:
        records = [(r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read()) for r in ArchiveIterator(fh)]
    assert [r[0] for r in records] == ["warcinfo", "response", "request"]
    assert b"site_code: 4408820001" in records[0][3]
    _, rec_headers, http, body = records[1]
    assert rec_headers.get_header("WARC-Record-ID") == record_id
    assert rec_headers.get_header("WARC-Date").startswith("2021-06-15T02:00:00")
    assert rec_headers.get_header("WARC-IP-Address") == "202.96.134.133"
    assert rec_headers.get_header("WARC-Truncated") == "length"
    assert http.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert body == "<html>政府</html>".encode()  # replay tools do not try to gunzip it
    _, req_headers, req_http, _ = records[2]
    assert req_headers.get_header("WARC-Concurrent-To") == record_id
    assert req_http.protocol == "GET" and req_http.get_header("Host") == "www.a.gov.cn"
    assert req_http.get_header("User-Agent") == "govinspect/0.1"


def test_write_after_close_names_fix(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path / "b.warc.gz")
    writer.close()
    try:
        writer.write(FetchResult("http://a/", "http://a/", status=200))
    except GovinspectError as exc:
        assert "open a new WarcWriter" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("write after close must fail")
