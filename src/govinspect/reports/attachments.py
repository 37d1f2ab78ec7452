"""The notice's attachments (附件1–4) as plain tables, written to DOCX by :mod:`notice` and to XLSX here.

- 附件1 各地、各部门政府网站检查情况: per region 地区, 网站总数, 检查数, 合格数, 合格率, and a 合计 row;
- 附件2 检查发现存在突出问题的政府网站名单: every unqualified site with its problems (vetoes and the main
  deductions, each with the pages where they were found);
- 附件3 / 附件4: the same two tables for 政务新媒体 accounts, from the run's account results
  (``RunResult.accounts``); a run without accounts gives each table its header and the single row
  本季度未开展政务新媒体检查.

A cell is a tuple of lines (one paragraph each in DOCX, joined by newlines in XLSX). Every text passes
:func:`notice_text.clean`, so hostile names (control characters, very long strings) cannot break a file.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govinspect.reports.context import (
    STATUS_NOT_SCORED,
    STATUS_QUALIFIED,
    STATUS_UNQUALIFIED,
    FindingRow,
    ReportContext,
    SiteRow,
    fmt_number,
    fmt_percent,
    is_web_url,
    region_group,
)
from govinspect.reports.notice_text import TABLE_CHARS, NewMediaSummary, clean

__all__ = [
    "ATTACHMENT_TITLES",
    "AccountRow",
    "AttachmentTable",
    "NO_NEW_MEDIA",
    "account_rows",
    "attachment_tables",
    "new_media_summary",
    "problem_lines",
    "write_attachments_xlsx",
]

ATTACHMENT_TITLES = (
    "各地、各部门政府网站检查情况",
    "检查发现存在突出问题的政府网站名单",
    "各地、各部门政务新媒体检查情况",
    "检查发现存在突出问题的政务新媒体名单",
)
NO_NEW_MEDIA = "本季度未开展政务新媒体检查"
NO_PROBLEM_SITES = "本季度检查未发现不合格政府网站"
NO_PROBLEM_ACCOUNTS = "本季度检查未发现不合格政务新媒体"
URL_CHARS = 300

Cell = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AttachmentTable:
    number: int  # 1–4
    title: str
    subtitle: str  # （2021年第二季度）
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...]  # relative column widths
    placeholder: bool = False  # the single row says there is nothing to list
    total_row: bool = False  # the last row is 合计

    def plain_rows(self) -> list[list[str]]:
        """Header and rows as strings (multi-line cells joined by newlines)."""
        return [list(self.header), *(["\n".join(cell) for cell in row] for row in self.rows)]


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One 政务新媒体 account's result, as 附件3/4 list it."""

    region: str  # the 附件3 row it counts under (city, or 省级)
    name: str
    platform: str
    host_org: str
    status: str  # qualified / unqualified / not_scored, as for sites
    problems: tuple[str, ...] = ()


_VETO_PREFIX = re.compile(r"^\s*单项否决\s*[:：]\s*")


def _reason_text(reason: str) -> str:
    """A score line's reason in notice punctuation: 'a, b' → 'a，b'; the 单项否决 prefix dropped."""
    text = _VETO_PREFIX.sub("", clean(reason, 400))
    return text.replace(", ", "，").replace(": ", "：").rstrip("。")


def _evidence_url(row: FindingRow) -> str:
    if row.check in ("link.dead", "image.broken") and is_web_url(row.target):
        return row.target
    return row.url if is_web_url(row.url) else ""


def _urls(findings: Iterable[FindingRow], max_urls: int) -> str:
    urls = list(dict.fromkeys(u for u in (_evidence_url(f) for f in findings) if u))
    if not urls:
        return ""
    shown = "、".join(clean(u, URL_CHARS) for u in urls[:max_urls])
    return f"（{shown}{f'等{len(urls)}处' if len(urls) > max_urls else ''}）"


def problem_lines(site: SiteRow, *, max_deductions: int = 3, max_urls: int = 3) -> tuple[str, ...]:
    """What 附件2 says about one site: each veto, then (for a low score) the score against the pass line,
    then the ``max_deductions`` costliest deductions, each with up to ``max_urls`` pages where it was
    found."""
    lines: list[str] = []
    for line in site.losses:
        if line.is_veto:
            reason = _reason_text(line.reason)
            lines.append(
                f"{clean(line.name, 60)}（单项否决）"
                + (f"：{reason}" if reason else "")
                + _urls(line.findings, max_urls)
            )
    if not site.vetoed:
        lines.extend(clean(r, 200) for r in site.reasons)
    deductions = sorted(
        (line for line in site.losses if not line.is_veto and line.points > 0), key=lambda ln: -ln.points
    )
    for line in deductions[:max_deductions]:
        reason = _reason_text(line.reason)
        lines.append(
            f"{clean(line.name, 60)}（扣{fmt_number(line.points)}分）"
            + (f"：{reason}" if reason else "")
            + _urls(line.findings, max_urls)
        )
    if len(lines) > 1:
        lines = [f"{i}.{text}" for i, text in enumerate(lines, start=1)]
    return tuple(clean(text, TABLE_CHARS) for text in lines)


def account_rows(results: Sequence[Any]) -> tuple[AccountRow, ...]:
    """Account results → 附件3/4 rows. Each result is a ``SiteResult`` whose ``site`` is a registry
    ``Account`` (same record shape as a site's: findings, score, error)."""
    rows = []
    for r in results:
        account = r.site
        score = r.score
        if score is None or r.error:
            status, problems = STATUS_NOT_SCORED, ()
        else:
            status = STATUS_QUALIFIED if score.qualified else STATUS_UNQUALIFIED
            problems = tuple(
                f"{clean(loss.name, 60)}"
                + ("（单项否决）" if loss.indicator in score.vetoes else f"（扣{fmt_number(loss.points)}分）")
                + (f"：{_reason_text(loss.reason)}" if loss.reason else "")
                for loss in score.losses
                if loss.indicator in score.vetoes or loss.points > 0
            )
        rows.append(
            AccountRow(
                region=region_group(account),
                name=account.name,
                platform=account.platform_label,  # 微信公众号, not wechat
                host_org=account.host_org,
                status=status,
                problems=problems,
            )
        )
    return tuple(rows)


def new_media_summary(rows: Sequence[AccountRow]) -> NewMediaSummary | None:
    """Counts for the notice body; None when there are no account results."""
    if not rows:
        return None
    problem = [r for r in rows if r.status == STATUS_UNQUALIFIED]
    return NewMediaSummary(
        accounts=len(rows),
        checked=sum(1 for r in rows if r.status != STATUS_NOT_SCORED),
        qualified=sum(1 for r in rows if r.status == STATUS_QUALIFIED),
        problem_names=tuple(
            f"{clean(r.region, 30)}“{clean(r.name, 40)}”{clean(r.platform, 20)}" for r in problem
        ),
    )


def _c(value: object, limit: int = TABLE_CHARS) -> Cell:
    return (clean(value, limit),)


def _rate_row(name: str, total: int, checked: int, qualified: int) -> tuple[Cell, ...]:
    rate = qualified / checked if checked else None
    return (_c(name, 100), _c(total), _c(checked), _c(qualified), _c(fmt_percent(rate)))


def _attachment1(ctx: ReportContext, subtitle: str, registry_sites: Sequence[Any] | None) -> AttachmentTable:
    regions = {r.name: r for r in ctx.regions}
    totals_by_region: dict[str, int] = {}
    if registry_sites is not None:
        for site in registry_sites:
            if str(getattr(site, "status", "running")) == "running":
                key = region_group(site)
                totals_by_region[key] = totals_by_region.get(key, 0) + 1
    names = list(regions) + [n for n in totals_by_region if n not in regions]
    rows = []
    for name in names:
        r = regions.get(name)
        sites = r.sites if r else 0
        total = max(totals_by_region.get(name, 0), sites) if registry_sites is not None else sites
        rows.append(_rate_row(name, total, r.scored if r else 0, r.qualified if r else 0))
    t = ctx.totals
    grand = sum(int(row[1][0]) for row in rows)
    rows.append(_rate_row("合计", grand, t.scored, t.qualified))
    return AttachmentTable(
        1, ATTACHMENT_TITLES[0], subtitle, ("地区", "网站总数", "检查数", "合格数", "合格率"),
        tuple(rows), (3, 1.5, 1.5, 1.5, 1.5), total_row=True,
    )


def _attachment2(ctx: ReportContext, subtitle: str, max_deductions: int, max_urls: int) -> AttachmentTable:
    order = {r.name: i for i, r in enumerate(ctx.regions)}
    problem = sorted(
        (s for s in ctx.sites if s.status == STATUS_UNQUALIFIED),
        key=lambda s: (order.get(s.region_group, len(order)), s.site_code),
    )
    header = ("序号", "地区", "网站名称", "网站标识码", "主办单位", "存在问题")
    widths = (1, 1.8, 3, 2.6, 2.8, 7)
    if not problem:
        return AttachmentTable(2, ATTACHMENT_TITLES[1], subtitle, header,
                               ((_c(""), _c(""), _c(NO_PROBLEM_SITES), _c(""), _c(""), _c("")),),
                               widths, placeholder=True)
    rows = tuple(
        (
            _c(i),
            _c(s.region_group, 100),
            _c(s.name),
            _c(s.site_code, 40),
            _c(s.host_org),
            problem_lines(s, max_deductions=max_deductions, max_urls=max_urls) or ("",),
        )
        for i, s in enumerate(problem, start=1)
    )
    return AttachmentTable(2, ATTACHMENT_TITLES[1], subtitle, header, rows, widths)


def _attachment3(rows: Sequence[AccountRow], subtitle: str) -> AttachmentTable:
    header = ("地区", "政务新媒体总数", "检查数", "合格数", "合格率")
    widths = (3, 1.8, 1.5, 1.5, 1.5)
    if not rows:
        only = (_c(NO_NEW_MEDIA), _c(""), _c(""), _c(""), _c(""))
        return AttachmentTable(3, ATTACHMENT_TITLES[2], subtitle, header, (only,), widths, placeholder=True)
    groups: dict[str, list[AccountRow]] = defaultdict(list)
    for r in rows:
        groups[r.region].append(r)
    out = [
        _rate_row(
            name,
            len(group),
            sum(1 for r in group if r.status != STATUS_NOT_SCORED),
            sum(1 for r in group if r.status == STATUS_QUALIFIED),
        )
        for name, group in groups.items()
    ]
    out.append(
        _rate_row(
            "合计",
            len(rows),
            sum(1 for r in rows if r.status != STATUS_NOT_SCORED),
            sum(1 for r in rows if r.status == STATUS_QUALIFIED),
        )
    )
    return AttachmentTable(3, ATTACHMENT_TITLES[2], subtitle, header, tuple(out), widths, total_row=True)


def _attachment4(rows: Sequence[AccountRow], subtitle: str) -> AttachmentTable:
    header = ("序号", "地区", "账号名称", "平台类型", "主办单位", "存在问题")
    widths = (1, 1.8, 3, 1.8, 2.8, 7)
    problem = [r for r in rows if r.status == STATUS_UNQUALIFIED]
    if not problem:
        text = NO_NEW_MEDIA if not rows else NO_PROBLEM_ACCOUNTS
        only = (_c(""), _c(""), _c(text), _c(""), _c(""), _c(""))
        return AttachmentTable(4, ATTACHMENT_TITLES[3], subtitle, header, (only,), widths, placeholder=True)
    out = tuple(
        (_c(i), _c(r.region, 100), _c(r.name), _c(r.platform, 40), _c(r.host_org), r.problems or ("",))
        for i, r in enumerate(problem, start=1)
    )
    return AttachmentTable(4, ATTACHMENT_TITLES[3], subtitle, header, out, widths)


def attachment_tables(
    ctx: ReportContext,
    *,
    quarter: str,
    accounts: Sequence[AccountRow] = (),
    registry_sites: Sequence[Any] | None = None,
    max_deductions: int = 3,
    max_urls: int = 3,
) -> tuple[AttachmentTable, ...]:
    """附件1–4. ``registry_sites`` (the registry's sites) gives 网站总数 per region; without it the
    total is the number of sites in the run."""
    subtitle = f"（{clean(quarter, 40)}）"
    return (
        _attachment1(ctx, subtitle, registry_sites),
        _attachment2(ctx, subtitle, max_deductions, max_urls),
        _attachment3(accounts, subtitle),
        _attachment4(accounts, subtitle),
    )


def write_attachments_xlsx(
    tables: Sequence[AttachmentTable], path: Path, *, chart_png: bytes | None = None
) -> Path:
    """One sheet per attachment (附件1 … 附件4): 附件N, title, subtitle, then the table; text cells are
    literal strings (never formulas), numbers stay numbers, the pass-rate chart sits beside 附件1."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from govinspect.reports.xlsx import put

    styles = {
        "font": Font(name="仿宋_GB2312", size=12),
        "bold": Font(name="黑体", size=12, bold=True),
        "wrap": Alignment(wrap_text=True, vertical="center"),
        "top": Alignment(vertical="center"),
    }
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(f"附件{table.number}")
        put(ws, 1, 1, f"附件{table.number}", styles, bold=True)
        title = put(ws, 2, 1, table.title, styles, bold=True)
        title.font = Font(name="方正小标宋简体", size=16)
        put(ws, 3, 1, table.subtitle, styles)
        last_col = get_column_letter(len(table.header))
        for row in (2, 3):
            ws.merge_cells(f"A{row}:{last_col}{row}")
            ws[f"A{row}"].alignment = Alignment(horizontal="center", vertical="center")
        for c, name in enumerate(table.header, start=1):
            cell = put(ws, 4, c, name, styles, bold=True)
            cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r, row in enumerate(table.rows, start=5):
            is_total = table.total_row and r == 4 + len(table.rows)
            for c, lines in enumerate(row, start=1):
                text = "\n".join(lines)
                value: object = int(text) if text.isdigit() and len(text) < 10 and c > 1 else text
                cell = put(ws, r, c, value, styles, bold=is_total, wrap=len(lines) > 1 or len(text) > 20)
                cell.border = border
        total_width = sum(table.widths)
        for c, width in enumerate(table.widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = max(8, round(110 * width / total_width))
        ws.freeze_panes = "A5"
        ws.print_options.horizontalCentered = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.print_title_rows = "4:4"
        if table.number == 1 and chart_png:
            ws.add_image(Image(io.BytesIO(chart_png)), f"{get_column_letter(len(table.header) + 2)}4")
    wb.properties.creator = "govinspect"
    wb.properties.title = "政府网站与政务新媒体检查情况通报附件"
    wb.save(path)
    return path
