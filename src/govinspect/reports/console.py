"""The Rich summary printed at the end of a run: sites, pass rate per city, vetoed and uninspected sites."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from govinspect.findings.model import RunResult


def summary_table(result: RunResult) -> Table:
    """Sites, qualified sites and pass rate per city (地级市), with the total."""
    scored = [s for s in result.sites if s.score is not None]
    table = Table(title=f"run {result.run.run_id} · 监测时间点 {result.run.as_of:%Y-%m-%d} · "
                        f"{result.run.profile_id} v{result.run.profile_version}")
    table.add_column("地区")
    table.add_column("网站数", justify="right")
    table.add_column("合格", justify="right")
    table.add_column("合格率", justify="right")
    by_city: dict[str, list[Any]] = {}
    for s in scored:
        by_city.setdefault(s.site.city, []).append(s)
    for city, items in sorted(by_city.items()):
        ok = sum(1 for i in items if i.score.qualified)
        table.add_row(city, str(len(items)), str(ok), f"{ok / len(items):.1%}")
    qualified = sum(1 for s in scored if s.score.qualified)
    rate = qualified / len(scored) if scored else 0.0
    table.add_row("[bold]合计", f"[bold]{len(scored)}", f"[bold]{qualified}", f"[bold]{rate:.1%}")
    return table


def print_summary(console: Console, result: RunResult) -> None:
    """The summary table, the vetoed sites with their veto indicators, and sites not inspected."""
    console.print(summary_table(result))
    vetoed = [s for s in result.sites if s.score is not None and s.score.vetoes]
    if vetoed:
        table = Table("网站标识码", "网站名称", "地区", "否决指标", title="单项否决的网站")
        for s in vetoed:
            table.add_row(s.site.site_code, s.site.name, s.site.region, "; ".join(s.score.vetoes))
        console.print(table)
    for s in result.sites:
        if s.error:
            console.print(f"[yellow]{escape(s.site.site_code)} {escape(s.site.name)}: {escape(s.error)}[/]",
                          markup=True, highlight=False)
