"""WarcWriter record ids (seeded generator) and background writing: unique v4 UUIDs, records in order,
a failed write reported with its fix."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from govinspect.archive.warc import WarcWriter, iter_responses
from govinspect.errors import GovinspectError
from govinspect.fetch.types import FetchResult

_ID = re.compile(r"^<urn:uuid:([0-9a-f-]{36})>$")


def _result(n: int) -> FetchResult:
    url = f"http://www.leizhou.gov.cn/t{n}.html"
    return FetchResult(url, url, status=200, headers=[("Content-Type", "text/html")],
                       body=f"<html>第{n}页</html>".encode())


def test_ids_are_unique_version_4_uuids_across_writers(tmp_path: Path) -> None:
    ids = []
    for name in ("a", "b"):
        with WarcWriter(tmp_path / f"{name}.warc.gz") as writer:
            ids += [writer.write(_result(n)) for n in range(300)]
    assert len(set(ids)) == len(ids) == 600
    for record_id in ids:
        match = _ID.match(record_id)
        assert match, record_id
        assert uuid.UUID(match.group(1)).version == 4


def test_records_arrive_in_write_order_after_close(tmp_path: Path) -> None:
    path = tmp_path / "c.warc.gz"
    writer = WarcWriter(path)
    ids = [writer.write(_result(n)) for n in range(200)]
    writer.close()
    assert writer.records == 1 + 2 * 200  # warcinfo, then response + request per fetch
    back = list(iter_responses(path))
    assert [rid for rid, _ in back] == ids
    assert [r.body for _, r in back] == [_result(n).body for n in range(200)]
    with path.open("rb") as fh:
        types = [r.rec_type for r in ArchiveIterator(fh)]
    assert types[:3] == ["warcinfo", "response", "request"] and len(types) == 401


def test_failed_background_write_is_reported_with_its_fix(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path / "d.warc.gz")
    writer.write(_result(0))
    writer.flush()  # the first record is on disk
    assert writer._fh is not None
    writer._fh.close()  # the file goes away under the writer (disk full, unmounted…)
    writer.write(_result(1))  # accepted; the write fails in the background
    with pytest.raises(GovinspectError, match="free disk space or choose another --out folder"):
        writer.flush()
    with pytest.raises(GovinspectError, match="free disk space"):
        writer.write(_result(2))
