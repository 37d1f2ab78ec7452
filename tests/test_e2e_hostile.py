"""End to end against hostile and unusual sites: bad input gets a clear outcome and loses nothing.

One registry of eleven sites (plus a duplicate row and an ftp:// row) is inspected through the real
``govinspect inspect`` command in a subprocess, over real loopback sockets (``tests/hostile_server.py``):
a homepage that hangs after its headers, a 50 MB homepage, a redirect loop, a GB18030 page without any
charset, binary bytes as text/html, a closed port, a ``.invalid`` host, redirects to the cloud metadata
address and to a loopback service, and a page of hostile HTML with a formula-and-script site name.

Whatever a site does, the run completes with exit status 0, every site's outcome is in findings.jsonl,
scores.csv and the database, and ``govinspect report RUN`` regenerates the reports. The same registry is
inspected once more without ``--allow-private``: every loopback site is then refused by the SSRF guard
and says so, and nothing at all reaches the server.

SSRF policy asserted here (fetch/guard.py): ``--allow-private`` permits loopback and private addresses
(so a redirect to ``127.0.0.1:<port>`` is followed), but link-local addresses (169.254.0.0/16, the cloud
metadata service) stay refused even then.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from govinspect.archive.warc import iter_responses
from govinspect.cli import app
from govinspect.fetch.crawl import MAX_LINK_TARGETS
from govinspect.fetch.guard import AddressGuard, AddressRefused
from govinspect.fetch.types import FetchResult
from tests.hostile_server import (
    BIG_BYTES,
    BY_KEY,
    DEAD_EVERY,
    HOSTILE_NAME,
    LONG_HREF_CHARS,
    LONG_LINE_BYTES,
    SITES,
    HostileServer,
)

pytestmark = pytest.mark.slow

AS_OF = "2021-06-15"
TOTAL_TIMEOUT = 2.0
MAX_BODY = 8 * 1024 * 1024
CONFIG = f"""
[fetch]
total_timeout = {TOTAL_TIMEOUT}
connect_timeout = 1.0
retries = 1
backoff = 0.1
max_body_bytes = {MAX_BODY}
per_host_rate = 0
per_host_concurrency = 8

[crawl]
page_budget = 12
max_depth = 2
"""
RUN_DEADLINE = 75.0  # seconds one inspection may take before the test kills it
RSS_LIMIT = 600 * 1024 * 1024  # peak resident memory of the inspecting process (50 MB homepage in the run)
DUPLICATE_ROW = ("4408820001", "雷州市挂起局（重复）", "http://dup.gov.cn/", "广东省/湛江市/雷州市",
                 "雷州市挂起局", "部门网站")
FTP_ROW = ("4408820012", "雷州市文件服务", "ftp://ftp.leizhou.gov.cn/", "广东省/湛江市/雷州市",
           "雷州市文件服务中心", "部门网站")
DUPLICATE_ROW_NO, FTP_ROW_NO = len(SITES) + 2, len(SITES) + 3  # header is row 1


def code(key: str) -> str:
    return BY_KEY[key].site_code


@dataclass
class Inspection:
    """One finished ``govinspect inspect`` subprocess and where it wrote."""

    out: Path
    db: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss: int  # bytes: peak RSS of the largest Python process of the run (main or analysis worker)
    server_hits: int  # requests the server saw during this run

    @property
    def run_id(self) -> str:
        with sqlite3.connect(self.db) as con:
            return con.execute("select run_id from runs").fetchone()[0]

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as con:
            return con.execute(sql, args).fetchall()

    def site_run(self, site_code: str, columns: str) -> tuple[Any, ...]:
        return self.query(f"select {columns} from site_runs where site_code=?", site_code)[0]

    def outcomes(self, site_code: str) -> dict[str, tuple[str, str]]:
        """``{check: (outcome, message)}`` of one site's check runs."""
        rows = self.query('select "check", outcome, message from check_runs where site_code=?', site_code)
        return {check: (outcome, message) for check, outcome, message in rows}

    def findings(self, site_code: str | None = None, check: str | None = None) -> list[dict[str, Any]]:
        lines = (self.out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line]
        return [r for r in rows if (site_code is None or r["site_code"] == site_code)
                and (check is None or r["check"] == check)]

    def scores(self) -> dict[str, dict[str, str]]:
        with (self.out / "scores.csv").open(encoding="utf-8-sig", newline="") as fh:
            return {r["site_code"]: r for r in csv.DictReader(fh)}

    def homepage_fetches(self, key: str) -> list[FetchResult]:
        """Archived fetches of the site's homepage URL, in the order made."""
        site = BY_KEY[key]
        warc = self.out / "evidence" / f"{site.site_code}.warc.gz"
        return [r for _, r in iter_responses(warc) if r.url.split("/", 3)[2].startswith(site.host) and
                r.url.split("/", 3)[3:] in ([], [""])]

    def unreachable(self, key: str) -> dict[str, Any]:
        """The site.unreachable finding of ``key``, checked identical in findings.jsonl and the database."""
        found = self.findings(code(key), "site.unreachable")
        assert len(found) == 1, (key, found)
        rows = self.query('select detail, severity from findings where site_code=? and "check"=?',
                          code(key), "site.unreachable")
        assert len(rows) == 1
        detail = json.loads(rows[0][0]) if isinstance(rows[0][0], str) else rows[0][0]
        assert detail == found[0]["detail"]
        assert rows[0][1] == found[0]["severity"] == "veto"
        return found[0]


def _run_cli(server: HostileServer, out: Path, *, allow_private: bool) -> Inspection:
    out.mkdir(parents=True, exist_ok=True)
    config = out / "govinspect.toml"
    config.write_text(CONFIG, encoding="utf-8")
    registry = server.write_registry(out / "registry.csv", [DUPLICATE_ROW, FTP_ROW])
    db = out / "inspect.db"
    cmd = [sys.executable, "-m", "govinspect.cli", "inspect", "--registry", str(registry), "--as-of", AS_OF,
           "--out", str(out), "--db", f"sqlite:///{db}", "--config", str(config)]
    if allow_private:
        cmd.append("--allow-private")
    for entry in server.resolve_entries():
        cmd += ["--resolve", entry]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    env = {k: v for k, v in env.items() if not k.startswith("GOVINSPECT_")}
    hits_before = server.total_hits()
    started = time.monotonic()
    with (out / "stdout.txt").open("wb") as so, (out / "stderr.txt").open("wb") as se:
        proc = subprocess.Popen(cmd, stdout=so, stderr=se, env=env, cwd=out)
        status, peak_rss = _wait(proc, RUN_DEADLINE)
    seconds = time.monotonic() - started
    return Inspection(
        out=out, db=db, returncode=os.waitstatus_to_exitcode(status),
        stdout=(out / "stdout.txt").read_text(encoding="utf-8", errors="replace"),
        stderr=(out / "stderr.txt").read_text(encoding="utf-8", errors="replace"),
        seconds=seconds, max_rss=peak_rss, server_hits=server.total_hits() - hits_before,
    )


def _python_tree_peak(root: int, peaks: dict[int, int]) -> None:
    """Record the peak RSS (VmHWM) of ``root`` and its Python descendants (the run's analysis workers).

    Chromium and the Playwright driver are separate programs with their own limits: they are not the
    inspecting process, so they are left out (os.wait4's ru_maxrss would mix them in).
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if "python" not in Path(exe).name:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks[pid] = max(peaks.get(pid, 0), int(line.split()[1]) * 1024)


def _wait(proc: subprocess.Popen[bytes], deadline_s: float) -> tuple[int, int]:
    """Reap ``proc``; return its status and the peak RSS of its largest Python process (bytes).

    Kills it (and fails) if it outlives ``deadline_s``.
    """
    deadline = time.monotonic() + deadline_s
    peaks: dict[int, int] = {}
    while True:
        _python_tree_peak(proc.pid, peaks)
        pid, status, _rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return status, max(peaks.values(), default=0)
        if time.monotonic() > deadline:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            pytest.fail(f"govinspect inspect still running after {deadline_s:g} s: something hangs")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with HostileServer() as running:
        yield running


@pytest.fixture(scope="module")
def allowed(server: HostileServer, tmp_path_factory: pytest.TempPathFactory) -> Inspection:
    """The registry inspected with --allow-private (loopback sites reachable)."""
    # The metadata site redirects to 169.254.169.254: only run if the guard refuses it, so that nothing
    # is ever sent off the machine even when the policy regresses.
    with pytest.raises(AddressRefused):
        AddressGuard(allow_private=True).check_address("metadata", "169.254.169.254")
    run = _run_cli(server, tmp_path_factory.mktemp("hostile-allowed"), allow_private=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


@pytest.fixture(scope="module")
def refused(server: HostileServer, allowed: Inspection,
            tmp_path_factory: pytest.TempPathFactory) -> Inspection:
    """The same registry without --allow-private (every --resolve to 127.0.0.1 refused)."""
    run = _run_cli(server, tmp_path_factory.mktemp("hostile-refused"), allow_private=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


# --- the run as a whole ---------------------------------------------------------------------------


@pytest.mark.timeout(150)
def test_run_completes_and_records_every_site(allowed: Inspection) -> None:
    assert allowed.seconds < RUN_DEADLINE
    codes = {s.site_code for s in SITES}
    assert set(allowed.scores()) == codes
    done = dict(allowed.query("select site_code, status from site_runs"))
    assert done == dict.fromkeys(codes, "done"), done
    failed = allowed.query("select site_code, error from site_runs where error != ''")
    assert failed == []
    assert allowed.query("select status from runs") == [("finished",)]
    # every check recorded an outcome for every site, and no check crashed on hostile input
    outcomes = allowed.query("select site_code, count(*) from check_runs group by site_code")
    assert {c for c, n in outcomes if n > 0} == codes
    crashed = allowed.query("select site_code, \"check\", message from check_runs where outcome='error'")
    assert crashed == []
    for name in ("findings.jsonl", "scores.csv", "report.xlsx", "report.html"):
        assert (allowed.out / name).stat().st_size > 0, name


@pytest.mark.timeout(150)
def test_bad_registry_rows_reported_with_row_numbers_and_the_rest_inspected(allowed: Inspection) -> None:
    console = allowed.stdout
    assert "rows not imported" in console
    lines = console.splitlines()
    dup = [line for line in lines if f" {DUPLICATE_ROW_NO} " in f" {line} " and "repeats row 2" in line]
    ftp = [line for line in lines if f" {FTP_ROW_NO} " in f" {line} " and "ftp://ftp.leizhou.gov.cn/" in line]
    assert dup and ftp, console
    names = dict(allowed.query("select site_code, name from sites"))
    assert names[code("hang")] == BY_KEY["hang"].name  # the first row of a repeated code wins
    assert FTP_ROW[0] not in names and "dup.gov.cn" not in json.dumps(allowed.findings(), ensure_ascii=False)


@pytest.mark.timeout(150)
def test_report_regenerates_from_the_database(allowed: Inspection, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", allowed.run_id, "--out", str(tmp_path),
                                      "--db", f"sqlite:///{allowed.db}"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "findings.jsonl").read_bytes() == (allowed.out / "findings.jsonl").read_bytes()
    assert (tmp_path / "scores.csv").read_bytes() == (allowed.out / "scores.csv").read_bytes()
    assert (tmp_path / "report.xlsx").stat().st_size > 0 and (tmp_path / "report.html").stat().st_size > 0


# --- one behaviour per hostile site ----------------------------------------------------------------


@pytest.mark.timeout(150)
def test_every_connection_stayed_on_loopback(allowed: Inspection) -> None:
    hosts = {s.host for s in SITES} | {"127.0.0.1", "169.254.169.254"}
    archived = 0
    for warc in (allowed.out / "evidence").glob("*.warc.gz"):
        for _, fetch in iter_responses(warc):
            archived += 1
            assert fetch.remote_ip in (None, "127.0.0.1"), (fetch.url, fetch.remote_ip)
            assert urlsplit(fetch.final_url).hostname in hosts, fetch.final_url
    assert archived > len(SITES)


@pytest.mark.timeout(150)
def test_hanging_homepage_times_out(allowed: Inspection) -> None:
    finding = allowed.unreachable("hang")
    assert set(finding["detail"]["failure_classes"]) == {"timeout"}
    assert "veto" in allowed.scores()[code("hang")]["vetoes"]
    fetches = allowed.homepage_fetches("hang")
    assert fetches and all(f.failure == "timeout" and f.status == 200 for f in fetches)
    assert fetches[0].attempts == 2  # retries = 1: tried twice, then given up
    assert all(f.elapsed < TOTAL_TIMEOUT + 1.5 for f in fetches)  # the total timeout held


@pytest.mark.timeout(150)
def test_50mb_homepage_is_truncated_with_bounded_memory(allowed: Inspection,
                                                        server: HostileServer) -> None:
    fetches = allowed.homepage_fetches("big")
    assert fetches
    for fetch in fetches:
        assert fetch.status == 200 and fetch.truncated and fetch.failure == "too_large"
        assert len(fetch.body) == MAX_BODY
    # the client stopped reading at its cap and closed: beyond the cap only socket buffers filled up, so
    # no request drew even half of the 50 MB from the server
    requests = server.hits["big.gov.cn"]["/"]
    assert 0 < server.bytes_sent["big.gov.cn"] < requests * BIG_BYTES // 2
    assert 50 * 2**20 < allowed.max_rss < RSS_LIMIT, f"peak RSS {allowed.max_rss / 2**20:.0f} MiB"
    # a page cut at the inspector's own cap still opened: inspected and scored, not vetoed as unreachable
    assert allowed.site_run(code("big"), "status, homepage_ok") == ("done", 1)
    assert allowed.findings(code("big"), "site.unreachable") == []
    assert allowed.scores()[code("big")]["score"] != ""


@pytest.mark.timeout(150)
def test_redirect_loop(allowed: Inspection) -> None:
    finding = allowed.unreachable("loop")
    assert set(finding["detail"]["failure_classes"]) == {"redirect_loop"}
    fetch = allowed.homepage_fetches("loop")[0]
    assert fetch.failure == "redirect_loop" and "redirect loop" in fetch.error


@pytest.mark.timeout(150)
def test_gb18030_page_without_any_charset_is_decoded(allowed: Inspection) -> None:
    fetch = allowed.homepage_fetches("gbk")[0]
    assert fetch.header("content-type") == "text/html" and b"charset" not in fetch.body.lower()
    footer = allowed.findings(code("gbk"), "footer.missing")
    missing = {f["detail"]["item"] for f in footer}
    # 主办单位 and 网站标识码 are in the GB18030 footer: found only if the bytes were decoded right
    assert "host_org" not in missing and "site_code" not in missing
    assert "icp" in missing  # the planted near miss: the footer has no ICP number, and the check ran
    assert allowed.outcomes(code("gbk"))["footer.missing"][0] == "completed"


@pytest.mark.timeout(150)
def test_binary_body_served_as_html_does_not_crash(allowed: Inspection) -> None:
    fetch = allowed.homepage_fetches("binary")[0]
    assert fetch.status == 200 and len(fetch.body) == 256 * 1024
    runs = allowed.outcomes(code("binary"))
    assert runs and all(outcome != "error" for outcome, _ in runs.values())
    assert runs["site.unreachable"][0] == "completed"  # it answered: availability judged, not vetoed
    assert allowed.findings(code("binary"), "site.unreachable") == []
    assert allowed.site_run(code("binary"), "status, homepage_ok") == ("done", 1)


@pytest.mark.timeout(150)
def test_closed_port_is_refused(allowed: Inspection) -> None:
    finding = allowed.unreachable("closed")
    assert set(finding["detail"]["failure_classes"]) == {"refused"}
    fetch = allowed.homepage_fetches("closed")[0]
    assert fetch.status is None and "refused" in fetch.error
    assert fetch.attempts == 2  # refused is transient: retried once


@pytest.mark.timeout(150)
def test_unresolvable_host_is_a_dns_failure_without_lookup(allowed: Inspection) -> None:
    finding = allowed.unreachable("nosuch")
    assert set(finding["detail"]["failure_classes"]) == {"dns"}
    fetch = allowed.homepage_fetches("nosuch")[0]
    assert fetch.status is None and fetch.elapsed < 1.0  # refused before any resolver was asked


@pytest.mark.timeout(150)
def test_redirect_to_metadata_address_refused_even_with_allow_private(allowed: Inspection) -> None:
    finding = allowed.unreachable("metadata")
    assert set(finding["detail"]["failure_classes"]) == {"private_address"}
    fetch = allowed.homepage_fetches("metadata")[0]
    assert fetch.redirects == ["http://169.254.169.254/latest/meta-data/"]
    assert fetch.failure == "private_address" and "link-local" in fetch.error


@pytest.mark.timeout(150)
def test_redirect_to_loopback_followed_with_allow_private(allowed: Inspection, server: HostileServer) -> None:
    fetch = allowed.homepage_fetches("loopback")[0]
    assert fetch.final_url == f"http://127.0.0.1:{server.internal_port}/admin"
    assert fetch.status == 200 and b"internal admin console" in fetch.body
    assert server.hits["internal"]["/admin"] >= 1


@pytest.mark.timeout(150)
def test_hostile_html_is_inspected_with_bounded_link_checking(allowed: Inspection,
                                                              server: HostileServer) -> None:
    site = BY_KEY["hostile"]
    hits = server.hits[site.host]
    warc = allowed.out / "evidence" / f"{site.site_code}.warc.gz"
    archived = {r.url.rsplit("/", 1)[1]: r for _, r in iter_responses(warc) if r.url.endswith(".html")}
    assert archived["deep.html"].status == 200 and b"<div>" * 100 in archived["deep.html"].body
    one_line = archived["oneline.html"]
    assert not one_line.truncated and b"\n" not in one_line.body
    assert len(one_line.body) > LONG_LINE_BYTES - 100
    pages_fetched, pages_left_out = allowed.site_run(site.site_code, "pages_fetched, pages_left_out")
    assert pages_fetched >= 3 and pages_left_out > 0  # the page budget held against 20,000 internal links
    # links written by <script> are not followed (static analysis never runs site JavaScript)
    assert not any(path.startswith("/from-script") for path in hits)
    link_requests = sum(n for path, n in hits.items() if path.startswith("/l/"))
    assert 0 < link_requests <= 3 * MAX_LINK_TARGETS  # HEAD, GET, confirming GET at most per checked link
    dead = {f["target"] for f in allowed.findings(site.site_code, "link.dead")}
    long_href = {t for t in dead if "/search?q=" in t}
    planted = dead - long_href
    assert planted, "the 404 links among the first checked were not reported"
    for target in planted:
        assert target.split("/l/", 1)[1].removesuffix(".html").isdigit()
        assert int(target.split("/l/", 1)[1].removesuffix(".html")) % DEAD_EVERY == 7
    assert len(planted) <= MAX_LINK_TARGETS // DEAD_EVERY + 1
    # the 10,000-character href is refused by the server (414/400) and reported whole, not cut
    assert len(long_href) == 1 and next(iter(long_href)).endswith("x" * LONG_HREF_CHARS)
    stored = allowed.query("select length(target) from findings where site_code=? and target like ?",
                           site.site_code, "%/search?q=%")
    assert stored and stored[0][0] > LONG_HREF_CHARS
    everything = allowed.findings(site.site_code)
    assert not any((f["target"] or "").lower().startswith("javascript:") or
                   f["url"].lower().startswith("javascript:") for f in everything)
    # control bytes from the page are kept as evidence in findings.jsonl (and made safe in report.xlsx)
    assert any(any(c in f["evidence"]["excerpt"] for c in "\x01\x1b\x1f") for f in everything)


@pytest.mark.timeout(150)
def test_hostile_name_is_escaped_in_reports(allowed: Inspection) -> None:
    html = (allowed.out / "report.html").read_text(encoding="utf-8")
    tree = LexborHTMLParser(html)
    scripts = [node.text() for node in tree.css("script")]
    assert not any("alert(1)" in text for text in scripts)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # present, as text
    assert not tree.css("[onerror], [onload], [onclick]")
    book = load_workbook(allowed.out / "report.xlsx")
    seen_name = False
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    seen_name = True
    assert seen_name
    name_cell = allowed.scores()[code("hostile")]["name"]
    assert name_cell.startswith("'=") and name_cell[1:] == HOSTILE_NAME
    stored = allowed.query("select name from sites where site_code=?", code("hostile"))
    assert stored == [(HOSTILE_NAME,)]  # kept as given in the database; neutralised only in outputs


@pytest.mark.timeout(150)
def test_clean_neighbour_is_qualified(allowed: Inspection) -> None:
    """A clean site inspected alongside the hostile ones keeps its result: no false timeout or veto."""
    assert allowed.findings(code("plain"), "site.unreachable") == []
    assert allowed.findings(code("plain"), "footer.missing") == []
    row = allowed.scores()[code("plain")]
    assert (row["qualified"], row["vetoes"]) == ("true", ""), row
    assert float(row["score"]) > 90


# --- the same registry without --allow-private -----------------------------------------------------


@pytest.mark.timeout(200)
def test_without_allow_private_every_loopback_site_is_refused(refused: Inspection) -> None:
    assert refused.server_hits == 0  # not one request reached the loopback server
    assert refused.seconds < RUN_DEADLINE
    statuses = dict(refused.query("select site_code, status from site_runs"))
    # refused by our own guard: not inspected (no score, retried by --resume), never "qualified"
    assert statuses == {s.site_code: "done" if s.unresolvable else "failed" for s in SITES}
    errors = dict(refused.query("select site_code, error from site_runs"))
    scored = set(refused.scores())
    for site in SITES:
        if site.unresolvable:
            finding = refused.unreachable(site.key)
            assert set(finding["detail"]["failure_classes"]) == {"dns"}
        else:
            # our own refusal is not the site's fault: no unreachable veto, the check says why it could not judge
            assert refused.findings(site.site_code, "site.unreachable") == []
            outcome, message = refused.outcomes(site.site_code)["site.unreachable"]
            assert outcome == "not_applicable" and "--allow-private" in message, (site.key, message)
            assert "not inspected" in errors[site.site_code] and "--allow-private" in errors[site.site_code]
            assert site.site_code not in scored
            fetch = refused.homepage_fetches(site.key)[0]
            assert "127.0.0.1" in fetch.error and "--allow-private" in fetch.error
            skipped = refused.outcomes(site.site_code)["footer.missing"]
            assert skipped == ("skipped", "homepage not fetched (private_address)")
    result = CliRunner().invoke(app, ["report", refused.run_id, "--out", str(refused.out / "again"),
                                      "--db", f"sqlite:///{refused.db}"])
    assert result.exit_code == 0, result.output
    assert (refused.out / "again" / "scores.csv").read_bytes() == (refused.out / "scores.csv").read_bytes()
