"""Reading an account's homepage/feed: kinds sniffed from the bytes, dates, menus, and hostile input."""

from __future__ import annotations

import pytest

from datetime import UTC, date, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from govinspect.fetch.types import FetchResult
from govinspect.newmedia.run import FEED_MAX_BYTES
from govinspect.newmedia.sources import date_value, read_source, relative_date, sniff
from tests.mockserver import MockServer
from tests.newmedia_support import serve, AS_OF, CST, account, found, inspect, outcome_of, rss

server = pytest.fixture(serve)  # a loopback server per test


def result(body: bytes, content_type: str = "", url: str = "http://xmt.example.gov.cn/feed") -> FetchResult:
    return FetchResult(url=url, final_url=url, status=200, headers=[("Content-Type", content_type)] if content_type
                       else [], body=body, fetched_at=datetime(2021, 6, 30, 2, 0, tzinfo=UTC))


def test_sniffing_trusts_the_bytes() -> None:
    assert sniff(b'\xef\xbb\xbf<?xml version="1.0"?><rss>', "text/html") == "feed"
    assert sniff(b"<!-- x --><feed xmlns='http://www.w3.org/2005/Atom'>", "") == "feed"
    assert sniff(b'  {"items": []}', "text/html") == "json"
    assert sniff(b"<!DOCTYPE html><html>", "application/rss+xml") == "html"


def test_dates_in_feed_and_json_values() -> None:
    assert date_value("2021-06-15T17:00:00Z", AS_OF) == date(2021, 6, 16)  # the China day
    assert date_value("2021年6月29日", AS_OF) == date(2021, 6, 29)
    assert date_value(1623000000, AS_OF) == date(2021, 6, 7)
    assert date_value("1623000000000", AS_OF) == date(2021, 6, 7)
    assert date_value("2021-07-01", AS_OF) is None  # after the monitoring point
    assert date_value("", AS_OF) is None and date_value(True, AS_OF) is None
    now = datetime(2021, 6, 30, 1, 0, tzinfo=CST)
    assert relative_date("昨天 10:30", now) == date(2021, 6, 29)
    assert relative_date("3天前", now) == date(2021, 6, 27)
    assert relative_date("2小时前", now) == date(2021, 6, 29)  # 01:00 minus two hours is the day before
    assert relative_date("刚刚", now) == date(2021, 6, 30) and relative_date("2021-06-01", now) is None


def test_feedparser_misreading_a_chinese_date_is_overruled() -> None:
    read = read_source(result(rss(("通知", "2021年6月29日")), "application/rss+xml"), AS_OF)
    assert read.kind == "rss" and read.posts[0].published == date(2021, 6, 29)


def test_feed_address_answering_with_an_html_page_is_read_as_a_page() -> None:
    page = ("<html><body><ul><li><a href='/a/1'>关于做好防汛工作的通知</a><span>2021-06-28</span></li>"
            "<li><a href='/a/2'>我市召开安全生产工作会议</a><span>2021-06-20</span></li></ul></body></html>")
    read = read_source(result(page.encode(), "application/rss+xml"), AS_OF)
    assert read.kind == "html" and [p.published for p in read.posts] == [date(2021, 6, 28), date(2021, 6, 20)]


def test_malformed_xml_is_unreadable_not_silent(server: MockServer, tmp_path: Path) -> None:
    server.pages["/bad"] = (b'<?xml version="1.0"?><rss><channel><title>x</ti', "application/rss+xml")
    out = inspect(account(server.url("/bad")), tmp_path)
    outcome, message = outcome_of(out, "newmedia.never_posted")
    assert outcome == "skipped" and "malformed" in message and found(out, "newmedia.never_posted") == []
    assert out.result.score is None


def test_truncated_feed_keeps_the_entries_it_has() -> None:
    body = rss(("第一条通知", "2021-06-28"), ("第二条通知", "2021-06-01"))[:-40]
    read = read_source(result(body, "application/rss+xml"), AS_OF)
    assert read.posts and read.posts[0].published == date(2021, 6, 28)


def test_entity_expansion_and_external_entities_stay_bounded() -> None:
    lol = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
           + ']><rss version="2.0"><channel><item><title>&i;</title><pubDate>2021-06-28</pubDate></item></channel></rss>')
    read = read_source(result(lol.encode(), "application/rss+xml"), AS_OF)
    assert read.posts is None or all(len(p.title) <= 300 for p in read.posts)
    xxe = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel>'
           '<item><title>&x;通知</title><pubDate>2021-06-28</pubDate></item></channel></rss>')
    read = read_source(result(xxe.encode(), "application/rss+xml"), AS_OF)
    assert read.posts is not None and "root:" not in read.posts[0].title


def test_huge_feed_is_refused_with_a_reason(server: MockServer, tmp_path: Path) -> None:
    item = "<item><title>通知</title><pubDate>2021-06-28</pubDate></item>".encode()
    body = b'<?xml version="1.0"?><rss version="2.0"><channel>' + item * (FEED_MAX_BYTES // len(item) + 10)
    server.pages["/huge"] = (body + b"</channel></rss>", "application/rss+xml")
    out = inspect(account(server.url("/huge")), tmp_path)
    outcome, message = outcome_of(out, "newmedia.stale")
    assert outcome == "skipped" and "larger than" in message


def test_deeply_nested_and_invalid_json() -> None:
    read = read_source(result(b"[" * 100000 + b"]" * 100000, "application/json"), AS_OF)
    assert read.posts is None and "nested" in read.problem
    read = read_source(result(b'{"items": [', "application/json"), AS_OF)
    assert read.posts is None and "not valid JSON" in read.problem
    read = read_source(result(b'{"version": "https://jsonfeed.org/version/1.1", "items": []}'), AS_OF)
    assert read.posts == []  # a JSON Feed without items: nothing published


def test_binary_body_is_unreadable() -> None:
    read = read_source(result(bytes(range(256)) * 64, "text/html"), AS_OF)
    assert read.posts is None and "binary" in read.problem


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(["", "application/rss+xml", "application/json", "text/html"]))
def test_arbitrary_bytes_never_raise(body: bytes, content_type: str) -> None:
    read = read_source(result(body, content_type), AS_OF)
    assert read.kind in ("rss", "atom", "json", "html")
    assert read.posts is not None or read.problem
    assert all(p.published is None or p.published <= AS_OF.date() for p in read.posts or [])


def test_private_address_is_refused_without_allow_private(server: MockServer, tmp_path: Path) -> None:
    from govinspect.settings import Settings

    server.pages["/feed"] = (rss(("防汛通知", "2021-06-28")), "application/rss+xml")
    cfg = Settings(fetch={"retries": 0, "obey_robots": False})
    out = inspect(account(server.url("/feed")), tmp_path, cfg=cfg)
    assert server.hits["/feed"] == 0  # the guard stops it before any connection
    assert out.result.score is None and "--allow-private" in out.result.error
