"""The Rich summary printed at the end of a run: sites, pass rate per city, vetoed and uninspected sites,
and the new-media accounts when the run inspected some."""

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
    if result.accounts:
        print_accounts(console, result)


def print_accounts(console: Console, result: RunResult) -> None:
    """政务新媒体: accounts checked, qualified, and each unqualified or uninspected account with why."""
    scored = [a for a in result.accounts if a.score is not None and not a.error]
    ok = sum(1 for a in scored if a.score.qualified)
    rate = f"{ok / len(scored):.1%}" if scored else "—"
    table = Table("账号ID", "账号名称", "平台", "结果", "问题",
                  title=f"政务新媒体: {len(result.accounts)} 个账号, 检查 {len(scored)} 个, 合格 {ok} 个 ({rate})")
    for a in result.accounts:
        if a.score is None or a.error:
            table.add_row(escape(a.site.account_id), escape(a.site.name), a.site.platform_label, "未完成检查",
                          escape(a.error[:120]))
        elif not a.score.qualified or a.findings:
            verdict = "合格" if a.score.qualified else "不合格"
            checks = "; ".join(sorted({f.check for f in a.findings}))
            table.add_row(escape(a.site.account_id), escape(a.site.name), a.site.platform_label, verdict, checks)
    console.print(table)
