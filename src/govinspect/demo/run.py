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
    from govinspect.newmedia.imports import load_filings, load_messages
    from govinspect.newmedia.store import NewMediaStore
    from govinspect.pipeline import run_inspection
    from govinspect.registry.load import load_accounts, load_sites

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
        accounts: list[Any] = []
        if farm.newmedia is not None:  # the new-media matrix: account list, message export, filing list
            account_file, message_file, filing_file = farm.newmedia.write(out, port)
            accounts, _ = load_accounts(account_file)
            store.import_accounts(accounts)
            nm = NewMediaStore(store)
            nm.import_messages(load_messages(message_file, accounts, now=AS_OF).messages)
            nm.replace_filings(load_filings(filing_file).filings)
        progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=console)
        holder: dict[str, Any] = {}

        def on_start(run: Any, total: int) -> None:
            holder["task"] = progress.add_task(f"inspecting demo province (run {run.run_id})", total=total)

        try:
            with progress:
                result = asyncio.run(run_inspection(
                    loaded.sites, settings, as_of=AS_OF, out_dir=out, store=store,
                    progress=lambda _r: progress.advance(holder["task"]), on_start=on_start, accounts=accounts))
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
        "accounts": compare_accounts(result, farm.newmedia) if farm.newmedia is not None else None,
    }


def compare_accounts(result: RunResult, accounts: Any) -> dict[str, Any]:
    """Which planted new-media problems were found; whether a clean account was flagged or not inspected."""
    found = {(f.account_id, f.check) for a in result.accounts for f in a.findings}
    rows = [{"account_id": p.account_id, "check": p.check, "note": p.note, "found": (p.account_id, p.check) in found}
            for p in accounts.planted]
    by_id = {a.site.account_id: a for a in result.accounts}
    clean_flagged = sorted({(c, f.check) for c in accounts.clean if c in by_id for f in by_id[c].findings})
    not_inspected = sorted(a.site.account_id for a in result.accounts if a.error)
    return {"planted": rows, "planted_found": sum(r["found"] for r in rows), "planted_total": len(rows),
            "clean_accounts": len(accounts.clean), "clean_account_findings": [list(x) for x in clean_flagged],
            "not_inspected": not_inspected}


def _print_truth(console: Console, truth: dict[str, Any]) -> None:
    table = Table("网站标识码", "check", "planted", "found", title="planted problems (demo truth)")
    for row in truth["planted"]:
        table.add_row(row["site_code"], row["check"], row["note"], "✔" if row["found"] else "[red]✘")
    console.print(table)
    console.print(f"planted problems found: {truth['planted_found']}/{truth['planted_total']}; "
                  f"clean sites vetoed: {len(truth['clean_sites_vetoed'])}/{truth['clean_sites']}; "
                  f"findings on clean sites: {len(truth['clean_site_findings'])}")
    accounts = truth.get("accounts")
    if accounts:
        table = Table("账号ID", "check", "planted", "found", title="planted new-media problems (demo truth)")
        for row in accounts["planted"]:
            table.add_row(row["account_id"], row["check"], row["note"], "✔" if row["found"] else "[red]✘")
        console.print(table)
        console.print(f"planted new-media problems found: {accounts['planted_found']}/{accounts['planted_total']}; "
                      f"findings on clean accounts: {len(accounts['clean_account_findings'])}"
                      f"/{accounts['clean_accounts']}; not inspected: {len(accounts['not_inspected'])}")
