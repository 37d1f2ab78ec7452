"""Inspection speed: ``govinspect inspect`` with every check against a bare Scrapy crawl of the same farm.

Uses the farm of ``crawl_speed.py`` (``--sites`` × ``--pages`` realistic government pages: 栏目 with dated
lists and pagination, articles, 友情链接, a full page-bottom function area), served by nginx on
127.0.0.1, and runs in turn, each in its own process:

(a) the minimal Scrapy spider of ``crawl_speed.py``: every internal page fetched, links extracted;
(b) the real ``govinspect inspect`` command, every check enabled (the default), with a registry CSV of
    the farm sites, ``--resolve`` mapping every farm host to 127.0.0.1, ``--allow-private``, robots off
    (the farm has no robots.txt), a fresh SQLite database and output folder in a temporary folder.

CPU time of (b) is the child's with its analysis worker processes (``os.wait4``); peak RSS is the highest
sum of resident memory over (b)'s whole process tree, sampled from /proc every 20 ms (and never below the
kernel's own peak of the child). Prints pages, pages/s, CPU ms/page, peak RSS, the ratios (b)/(a), the
CPU and peak memory of (b)'s own process and of its workers, how idle the machine was (other load on a
shared machine slows (a) and (b) alike but not equally: compare CPU ms/page too), and each check's time
from the run's ``check_runs`` table (measured in whichever process ran the check).

    .venv/bin/python benchmarks/inspect_speed.py [--sites 50] [--pages 200] [--skip-scrapy] [--profile FILE]

``--profile FILE`` runs (b) under cProfile (main thread only) and ``--py-spy FILE`` under py-spy (every
thread, collapsed stacks); both slow (b) down, so the ratios then understate.
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_speed import FARM_AS_OF, ServedFarm, report, run_child, served_farm  # noqa: E402

TARGET_RATIO = 2.0
RSS_LIMIT_MB = 400


def write_registry(path: Path, served: ServedFarm) -> None:
    """The farm sites as a registry CSV (Chinese headers, as provincial offices keep them)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["网站标识码", "网站名称", "首页网址", "地区", "主办单位", "网站类型"])
        for site in served.sites:
            out.writerow([site.site_code, site.name, f"http://{site.host}:{served.port}/", site.region,
                          site.host_org, site.kind])


def write_config(path: Path, served: ServedFarm, db: Path, args: argparse.Namespace) -> None:
    """Settings for (b): the farm on loopback, no robots.txt, the same concurrency as (a)."""
    resolve = [f"*:{served.port}:127.0.0.1"]
    path.write_text(f"""database_url = "sqlite:///{db}"

[fetch]
allow_private = true
obey_robots = false
resolve = {resolve!r}
global_concurrency = {args.concurrency}
per_host_concurrency = {args.per_host}
per_host_rate = 0.0
retries = 1
backoff = 0.2

[crawl]
page_budget = {args.page_budget}
max_depth = 6
""".replace("'", '"'), encoding="utf-8")


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it (from /proc/PID/task/TID/children)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _tree_sample(root: int, cpu: dict[int, float], peak: dict[int, int]) -> int:
    """Resident memory of ``root`` and all its descendants in kB (from /proc); records each one's CPU
    seconds so far in ``cpu`` and its highest resident memory in ``peak``."""
    page_kb, ticks = os.sysconf("SC_PAGE_SIZE") // 1024, os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _descendants(root):
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()  # stat[n] is field n + 3 of proc(5)
        except OSError:
            continue
        rss = int(stat[21]) * page_kb
        total += rss
        peak[pid] = max(peak.get(pid, 0), rss)
        cpu[pid] = (int(stat[11]) + int(stat[12])) / ticks  # utime + stime
    return total


def _machine_idle() -> float:
    """Idle CPU seconds of the whole machine since boot (all cores), from /proc/stat."""
    with open("/proc/stat") as fh:
        fields = fh.readline().split()[1:]
    return (int(fields[3]) + int(fields[4])) / os.sysconf("SC_CLK_TCK")  # idle + iowait


def run_inspect(served: ServedFarm, args: argparse.Namespace) -> dict[str, float]:
    """Run ``govinspect inspect`` on the farm in a child process; pages, time, CPU, peak RSS, per-check CPU."""
    work = served.work / "inspect"
    work.mkdir()
    registry, config, db, out = work / "sites.csv", work / "govinspect.toml", work / "govinspect.db", work / "out"
    write_registry(registry, served)
    write_config(config, served, db, args)
    cli = Path(sys.executable).parent / "govinspect"
    cmd = [str(cli), "inspect", "--registry", str(registry), "--as-of", FARM_AS_OF, "--out", str(out),
           "--config", str(config), "--allow-private"]
    if args.profile:  # main thread only: checks run in worker threads, see --py-spy
        cmd = [sys.executable, "-m", "cProfile", "-o", str(Path(args.profile).resolve()), *cmd]
    elif args.py_spy:  # every thread and child process, collapsed stacks (flamegraph.pl / speedscope)
        spy = Path(sys.executable).parent / "py-spy"
        if not spy.exists():
            sys.exit(f"--py-spy needs py-spy in {spy.parent}: `{sys.executable} -m pip install py-spy`")
        cmd = [str(spy), "record", "--format", "raw", "--rate", "250", "--subprocesses", "--gil",
               "-o", str(Path(args.py_spy).resolve()), "--", *cmd]
    log = (work / "inspect.log").open("wb")
    idle0 = _machine_idle()
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "120"})
    peak_kb = 0
    cpu: dict[int, float] = {}
    peaks: dict[int, int] = {}
    done = threading.Event()

    timeline: list[tuple[float, float, float]] = []  # (seconds since start, main CPU s, others' CPU s)

    def sample() -> None:
        nonlocal peak_kb
        while not done.is_set():
            peak_kb = max(peak_kb, _tree_sample(proc.pid, cpu, peaks))
            main = cpu.get(proc.pid, 0.0)
            timeline.append((time.monotonic() - started, main, sum(cpu.values()) - main))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    idle = (_machine_idle() - idle0) / (seconds * (os.cpu_count() or 1))
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    log.close()
    if proc.returncode != 0:
        sys.exit(f"govinspect inspect failed (exit {proc.returncode}):\n"
                 f"{(work / 'inspect.log').read_text(errors='replace')[-4000:]}")
    with sqlite3.connect(db) as conn:
        pages, failed = conn.execute("SELECT SUM(pages_fetched), SUM(status = 'failed') FROM site_runs").fetchone()
        per_check = conn.execute('SELECT "check", SUM(duration_ms) / 1000.0, SUM(findings) FROM check_runs '
                                 'GROUP BY "check" ORDER BY 2 DESC').fetchall()
        findings = conn.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
    return {"pages": pages or 0, "seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": max(peak_kb, usage.ru_maxrss) / 1024, "failed_sites": failed or 0,
            "findings": findings, "per_check": per_check, "main_cpu": cpu.get(proc.pid, 0.0),
            "other_cpu": sum(v for k, v in cpu.items() if k != proc.pid), "processes": len(cpu),
            "main_peak_mb": peaks.get(proc.pid, 0) / 1024, "machine_idle": idle,
            "other_peak_mb": max((v for k, v in peaks.items() if k != proc.pid), default=0) / 1024,
            "timeline": timeline}


def print_timeline(b: dict[str, Any], buckets: int = 10) -> None:
    """How busy (b)'s own process and its workers were in each tenth of the run: the phases where the
    two cores are not both at work (start-up, the last sites, report writing) show here."""
    timeline = b["timeline"]
    if len(timeline) < buckets + 1:
        return
    end = timeline[-1][0]
    print("\n(b) CPU use over the run (cores busy; the inspect process / its workers):")
    prev = timeline[0]
    for n in range(1, buckets + 1):
        upto = end * n / buckets
        row = next((s for s in timeline if s[0] >= upto), timeline[-1])
        span = max(row[0] - prev[0], 1e-9)
        main, other = (row[1] - prev[1]) / span, (row[2] - prev[2]) / span
        print(f"  {prev[0]:6.1f}–{row[0]:6.1f} s  {main:4.2f} / {other:4.2f}  {'#' * round(10 * main)}"
              f"{'+' * round(10 * other)}")
        prev = row


def print_table(a: dict[str, float] | None, b: dict[str, float]) -> None:
    rows = [("(a) scrapy spider", a)] if a else []
    rows.append(("(b) govinspect inspect", b))
    print(f"\n{'':<26} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'CPU ms/page':>12} {'peak RSS MB':>12}")
    for name, r in rows:
        assert r is not None
        print(f"{name:<26} {r['pages']:>7.0f} {r['seconds']:>8.1f} {r['pages'] / r['seconds']:>8.1f} "
              f"{1000 * r['cpu'] / max(r['pages'], 1):>12.2f} {r['peak_rss_mb']:>12.0f}")
    if a:
        by_rate = (b["pages"] / b["seconds"]) / (a["pages"] / a["seconds"])
        by_cpu = (a["cpu"] / a["pages"]) / (b["cpu"] / max(b["pages"], 1))
        print(f"ratio (b)/(a) by pages/s: {by_rate:.2f}   by CPU s/page (a's ÷ b's): {by_cpu:.2f}   "
              f"target ≥ {TARGET_RATIO:.0f}: {'met' if by_rate >= TARGET_RATIO else 'NOT met'}")
    print(f"peak RSS of (b): {b['peak_rss_mb']:.0f} MB, limit {RSS_LIMIT_MB} MB: "
          f"{'met' if b['peak_rss_mb'] < RSS_LIMIT_MB else 'NOT met'}")


def print_checks(b: dict[str, float]) -> None:
    total = sum(s for _, s, _ in b["per_check"])  # type: ignore[attr-defined]
    print(f"\n(b) CPU by process (sampled): the inspect process {b['main_cpu']:.1f} s, "
          f"{b['processes'] - 1:.0f} other processes {b['other_cpu']:.1f} s; peak RSS of the inspect process "
          f"{b['main_peak_mb']:.0f} MB, of the largest other {b['other_peak_mb']:.0f} MB; "
          f"machine idle {100 * b['machine_idle']:.0f}% of {os.cpu_count()} cores")
    print(f"(b): {b['findings']:.0f} findings, {b['failed_sites']:.0f} failed sites; check time "
          f"{total:.1f} s of {b['cpu']:.1f} CPU s ({100 * total / max(b['cpu'], 1e-9):.0f}%)")
    for check, seconds, found in b["per_check"]:  # type: ignore[attr-defined]
        print(f"  {check:<24} {seconds:>7.2f} s {100 * seconds / max(b['cpu'], 1e-9):>5.1f}% of CPU "
              f"{1000 * seconds / max(b['pages'], 1):>6.2f} ms/page {found:>6} findings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--page-budget", type=int, default=250, help="crawl.page_budget of (b), at least 200")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--nginx-workers", type=int, default=1)
    parser.add_argument("--skip-scrapy", action="store_true")
    parser.add_argument("--profile", help="run (b) under cProfile, stats written to this file")
    parser.add_argument("--py-spy", help="run (b) under py-spy (pip install py-spy), collapsed stacks to this file")
    parser.add_argument("--keep", action="store_true", help="keep the farm, database and outputs")
    args = parser.parse_args()
    if args.sites < 1 or args.pages < 40 or args.page_budget < 200:
        parser.error("need --sites ≥ 1, --pages ≥ 40 and --page-budget ≥ 200")
    with served_farm(args.sites, args.pages, args.nginx_workers, args.keep) as served:
        a = None
        if not args.skip_scrapy:
            a = run_child("scrapy", served.port, args.sites, args.concurrency, args.per_host, served.work)
            print(report("(a) scrapy spider", a))
        b = run_inspect(served, args)
        print(report("(b) govinspect inspect", b))
        print_table(a, b)
        print_checks(b)
        print_timeline(b)
        if args.keep:
            print(f"kept under {served.work}")


if __name__ == "__main__":
    main()
