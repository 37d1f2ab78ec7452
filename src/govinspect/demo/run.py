"""``govinspect demo``: serve the generated province on loopback, inspect it, compare with the truth."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from govinspect.findings.model import RunResult
from govinspect.reports.console import print_summary
from govinspect.settings import load_settings


def run_demo(out: Path, *, n_sites: int = 36, seed: int = 2021, config: Path | None = None,
             console: Console | None = None) -> tuple[RunResult, dict[str, Any]]:
    """Build the farm, inspect it at the demo monitoring point, print the summary and the truth check."""
    from govinspect.demo.farm import AS_OF, build_farm
    from govinspect.demo.server import FarmServer
    from govinspect.findings.store import Store
    from govinspect.pipeline import run_inspection
    from govinspect.registry.load import load_sites

    console = console or Console()
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("govinspect.db*"):
        stale.unlink()  # the demo database is ours: start clean so figures are reproducible
    farm = build_farm(seed=seed, n_sites=n_sites)
    with FarmServer(farm) as server:
        port = server.port
        registry = out / "registry.csv"
        farm.write_registry_csv(registry, port)
        settings = load_settings(
            config,
            database_url=f"sqlite:///{(out / 'govinspect.db').resolve()}",
            fetch={"allow_private": True, "resolve": farm.resolve_entries(port), "per_host_rate": 200.0,
                   "total_timeout": 5.0, "retries": 1, "backoff": 0.2},
        )
        loaded = load_sites(registry)
        store = Store.open(settings.database_url)
        progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=console)
        holder: dict[str, Any] = {}

        def on_start(run: Any, total: int) -> None:
            holder["task"] = progress.add_task(f"inspecting demo province (run {run.run_id})", total=total)

        try:
            with progress:
                result = asyncio.run(run_inspection(
                    loaded.sites, settings, as_of=AS_OF, out_dir=out, store=store,
                    progress=lambda _r: progress.advance(holder["task"]), on_start=on_start))
        finally:
            store.close()
    truth = compare_with_truth(result, farm)
    (out / "truth.json").write_text(json.dumps({"farm": farm.truth_json(), "comparison": truth},
                                               ensure_ascii=False, indent=2), encoding="utf-8")
    print_summary(console, result)
    _print_truth(console, truth)
    console.print(f"outputs in {out}/ · {time.perf_counter() - started:.1f} s")
    return result, truth


def compare_with_truth(result: RunResult, farm: Any) -> dict[str, Any]:
    """Which planted problems were found, and whether any clean site was vetoed or flagged."""
    found = {(f.site_code, f.check) for s in result.sites for f in s.findings}
    rows = []
    for planted in farm.planted:
        rows.append({"site_code": planted.site_code, "check": planted.check, "note": planted.note,
                     "found": (planted.site_code, planted.check) in found})
    by_code = {s.site.site_code: s for s in result.sites}
    clean_vetoed = [c for c in farm.clean_sites if by_code.get(c) and by_code[c].score
                    and by_code[c].score.vetoes]
    clean_flagged = sorted({(c, f.check) for c in farm.clean_sites if c in by_code for f in by_code[c].findings})
    return {
        "planted": rows,
        "planted_found": sum(r["found"] for r in rows),
        "planted_total": len(rows),
        "clean_sites": len(farm.clean_sites),
        "clean_sites_vetoed": clean_vetoed,
        "clean_site_findings": [list(x) for x in clean_flagged],
    }


def _print_truth(console: Console, truth: dict[str, Any]) -> None:
    table = Table("网站标识码", "check", "planted", "found", title="planted problems (demo truth)")
    for row in truth["planted"]:
        table.add_row(row["site_code"], row["check"], row["note"], "✔" if row["found"] else "[red]✘")
    console.print(table)
    console.print(f"planted problems found: {truth['planted_found']}/{truth['planted_total']}; "
                  f"clean sites vetoed: {len(truth['clean_sites_vetoed'])}/{truth['clean_sites']}; "
                  f"findings on clean sites: {len(truth['clean_site_findings'])}")
