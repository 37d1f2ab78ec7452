"""The evidence archive: one gzip WARC file per site run, written with warcio.

Each fetch becomes a ``response`` record (plus its ``request`` record) whose id goes on the
:class:`FetchResult` and the :class:`PageView`, so every finding can point at the exact bytes it was
judged on. A fetch that got no HTTP response at all (refused, DNS, timeout…) becomes a ``metadata``
record, so a run re-read with :func:`iter_responses` reproduces every outcome with no network.

The body stored is the decoded body the checks saw; the response's ``Content-Encoding``,
``Transfer-Encoding`` and ``Content-Length`` headers are kept under ``X-Archive-Orig-*`` names (the
pywb convention) so replay tools do not try to decode it again, and restored on reading.
Each record is its own gzip member; the compression level defaults to 6, which costs a fraction of
warcio's fixed level 9 for nearly the same size. Members are compressed and written in order by one
background thread per file (zlib and file writes release the GIL), so archiving does not hold up the
crawl; :meth:`WarcWriter.close` waits for them.

Record ids are random version-4 UUIDs from a per-writer generator seeded once from ``os.urandom``
(warcio's default calls ``uuid4()``, one ``os.urandom`` system call per record).
"""

from __future__ import annotations

import io
import json
import os
import random
import threading
import uuid
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govinspect.errors import GovinspectError
from govinspect.fetch.types import FailureClass, FetchResult

FETCH_HEADER = "WARC-Govinspect-Fetch"
_BATCH_BYTES = 256 * 1024  # serialised records handed to the compressing thread at a time
_RENAMED = ("content-encoding", "transfer-encoding", "content-length")
_ORIG = "X-Archive-Orig-"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _iso(dt: datetime | None) -> str:
    dt = dt or datetime.now(UTC)
    return dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


class _RecordWriter(WARCWriter):  # type: ignore[misc]
    """warcio's writer with record ids drawn from a generator seeded once (see module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ids = random.Random(os.urandom(32))

    def _make_warc_id(self) -> str:  # an instance method shadowing warcio's classmethod
        return f"<urn:uuid:{uuid.UUID(int=self._ids.getrandbits(128), version=4)}>"


class WarcWriter:
    """Writes request+response records (and one warcinfo) for one site run into ``path`` (gzip)."""

    def __init__(self, path: Path, *, info: dict[str, Any] | None = None, compresslevel: int = 6,
                 user_agent: str = "") -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.compresslevel = compresslevel
        self.user_agent = user_agent
        self._fh: io.BufferedWriter | None = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._buf = io.BytesIO()
        self._writer = _RecordWriter(self._buf, gzip=False)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc")
        self._lock = threading.Lock()
        self._batch: list[bytes] = []  # serialised records not yet handed to the background thread
        self._batch_bytes = 0
        self._failure: Exception | None = None
        self.records = 0
        fields = {"software": "govinspect", "format": "WARC File Format 1.0"}
        fields.update({k: str(v) for k, v in (info or {}).items()})
        self._emit(self._writer.create_warcinfo_record(self.path.name, fields))

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _emit(self, record: Any) -> str:
        if self._fh is None:
            raise GovinspectError(f"WARC file {self.path} is closed; open a new WarcWriter")
        self._raise_failure()
        with self._lock:  # one record at a time through the shared buffer
            self._buf.seek(0)
            self._buf.truncate()
            self._writer.write_record(record)
            data = self._buf.getvalue()
            self._batch.append(data)
            self._batch_bytes += len(data)
            self.records += 1
            if self._batch_bytes >= _BATCH_BYTES:
                self._hand_over()
        return str(record.rec_headers.get_header("WARC-Record-ID"))

    def _hand_over(self) -> None:
        """Give the pending records to the background thread (one task per batch, not per record)."""
        if self._batch and self._fh is not None:
            self._pool.submit(self._compress_and_write, self._fh, self._batch)
            self._batch, self._batch_bytes = [], 0

    def _compress_and_write(self, fh: io.BufferedWriter, batch: list[bytes]) -> None:
        if self._failure is not None:
            return
        try:
            level = self.compresslevel
            out = []
            for data in batch:  # each record its own gzip member
                comp = zlib.compressobj(level, zlib.DEFLATED, 31)
                out.append(comp.compress(data) + comp.flush())
            fh.write(b"".join(out))
        except Exception as exc:  # disk full, file gone: reported by the next write or close, never lost
            self._failure = exc

    def flush(self) -> None:
        """Wait until every record written so far is on its way to the file; raises if a write failed."""
        with self._lock:
            self._hand_over()
        self._pool.submit(lambda: None).result()
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise GovinspectError(f"writing WARC file {self.path} failed ({self._failure}): "
                                  "free disk space or choose another --out folder")

    def write(self, result: FetchResult) -> str:
        """Archive one fetch; sets and returns ``result.warc_record_id`` (``<urn:uuid:…>``)."""
        facts = {
            "url": result.url, "final_url": result.final_url, "method": result.method,
            "failure": str(result.failure) if result.failure else None, "error": result.error,
            "elapsed": round(result.elapsed, 4), "attempts": result.attempts,
            "redirects": result.redirects, "truncated": result.truncated,
        }
        warc_headers = {
            "WARC-Date": _iso(result.fetched_at),
            FETCH_HEADER: json.dumps(facts, ensure_ascii=True, separators=(",", ":")),
        }
        if result.remote_ip:
            warc_headers["WARC-IP-Address"] = result.remote_ip
        if result.status is None:
            payload = json.dumps(facts, ensure_ascii=False).encode("utf-8")
            record = self._writer.create_warc_record(
                result.final_url, "metadata", payload=io.BytesIO(payload), length=len(payload),
                warc_content_type="application/json", warc_headers_dict=warc_headers)
            result.warc_record_id = self._emit(record)
            return result.warc_record_id
        if result.truncated:
            warc_headers["WARC-Truncated"] = "length"
        headers = []
        for key, value in result.headers:
            if key.lower() in _RENAMED:
                key = _ORIG + key
            headers.append((key, value))
        headers.append(("Content-Length", str(len(result.body))))
        http = StatusAndHeaders(f"{result.status} {_reason(result.status)}", headers, protocol="HTTP/1.1")
        response = self._writer.create_warc_record(
            result.final_url, "response", payload=io.BytesIO(result.body), length=len(result.body),
            http_headers=http, warc_headers_dict=warc_headers)
        record_id = self._emit(response)
        target = result.final_url
        path = target.split("://", 1)[-1]
        host, _, rest = path.partition("/")
        req_headers = [("Host", host)]
        if self.user_agent:
            req_headers.append(("User-Agent", self.user_agent))
        request = self._writer.create_warc_record(
            target, "request", payload=io.BytesIO(b""), length=0,
            http_headers=StatusAndHeaders(f"{result.method} /{rest} HTTP/1.1", req_headers, is_http_request=True),
            warc_headers_dict={"WARC-Date": warc_headers["WARC-Date"], "WARC-Concurrent-To": record_id})
        self._emit(request)
        result.warc_record_id = record_id
        return record_id

    def close(self) -> None:
        """Wait for the pending records, close the file; raises if a write failed."""
        if self._fh is not None:
            with self._lock:
                self._hand_over()
            self._pool.shutdown(wait=True)
            self._fh.close()
            self._fh = None
            self._raise_failure()


def iter_responses(path: Path) -> Iterator[tuple[str, FetchResult]]:
    """Read back ``(record id, FetchResult)`` for every archived fetch, in the order written."""
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type not in ("response", "metadata"):
                continue
            raw_facts = record.rec_headers.get_header(FETCH_HEADER)
            if raw_facts is None:
                continue
            facts = json.loads(raw_facts)
            record_id = str(record.rec_headers.get_header("WARC-Record-ID"))
            date = record.rec_headers.get_header("WARC-Date")
            result = FetchResult(
                url=facts["url"], final_url=facts["final_url"], method=facts.get("method", "GET"),
                failure=FailureClass(facts["failure"]) if facts.get("failure") else None,
                error=facts.get("error", ""), elapsed=facts.get("elapsed", 0.0),
                attempts=facts.get("attempts", 1), redirects=list(facts.get("redirects", [])),
                truncated=bool(facts.get("truncated")), warc_record_id=record_id,
                remote_ip=record.rec_headers.get_header("WARC-IP-Address"),
                fetched_at=datetime.fromisoformat(date.replace("Z", "+00:00")) if date else None,
            )
            if record.rec_type == "response" and record.http_headers is not None:
                result.status = int(record.http_headers.get_statuscode())
                headers = []
                for key, value in record.http_headers.headers:
                    low = key.lower()
                    if low == "content-length":
                        continue  # ours, added for the stored body
                    if low.startswith(_ORIG.lower()):
                        key = key[len(_ORIG):]
                    headers.append((key, value))
                result.headers = headers
                result.body = record.raw_stream.read()
            else:
                record.raw_stream.read()
            yield record_id, result
