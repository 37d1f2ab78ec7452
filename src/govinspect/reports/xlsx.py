"""report.xlsx: the run as worksheets an inspector can filter, sort and paste into the notice.

Sheets: 汇总 (profile, as-of, counts, overall pass rate), 各地区情况 (per region, like 附件1 of the quarterly
notice, with the pass-rate chart), 问题网站名单 (unqualified sites and why, like 附件2), 网站得分 (every
site) and 问题明细 (every finding with its evidence and a relative link to the site's WARC file). A run that
inspected 政务新媒体 accounts adds 新媒体各地区情况 (like 附件3), 新媒体账号 (one row per account) and
新媒体问题明细 (the accounts' findings, as 问题明细); a run without accounts writes none of them.

No cell is ever a formula: every text goes through :func:`put`, which stores it as a string cell even when
it starts with ``=``, ``+``, ``-`` or ``@`` (a hostile site name cannot run ``=HYPERLINK(...)``), drops
characters XML cannot hold and truncates at Excel's 32,767-character cell limit.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from govinspect.reports import labels
from govinspect.reports.context import FindingRow, LossLine, ReportContext, fmt_number, fmt_percent

FONT_NAME = "等线"  # Excel's default CJK UI font (DengXian); other viewers substitute a CJK face
MAX_CELL_CHARS = 32_767
MAX_DETAIL_ROWS = 200_000  # beyond this the sheet points to findings.jsonl, which has every finding
MAX_COL_WIDTH = 60
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "font": Font(name=FONT_NAME, size=11),
        "bold": Font(name=FONT_NAME, size=11, bold=True),
        "link": Font(name=FONT_NAME, size=11, color="0563C1", underline="single"),
        "header_fill": PatternFill("solid", fgColor="DDEBF7"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "top": Alignment(vertical="top"),
    }


def clean_text(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return text


def put(
    ws: Any,
    row: int,
    col: int,
    value: Any,
    styles: dict[str, Any],
    *,
    bold: bool = False,
    number_format: str | None = None,
    wrap: bool = False,
) -> Any:
    """Write one cell; text is always a literal string, never a formula."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"  # openpyxl marks "=…" as a formula on assignment; force a literal string
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None) if value.tzinfo else value
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    else:
        cell.value = value
    cell.font = styles["bold"] if bold else styles["font"]
    if number_format:
        cell.number_format = number_format
    cell.alignment = styles["wrap"] if wrap else styles["top"]
    return cell


def _display_width(value: Any) -> int:
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in line) for line in text.split("\n")), default=0)
    return longest


def _table(
    ws: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    styles: dict[str, Any],
    *,
    wrap_cols: Sequence[int] = (),
    formats: dict[int, str] | None = None,
    links: dict[int, int] | None = None,
    link_values: Sequence[Sequence[str]] = (),
) -> None:
    """A header row, data rows, frozen header, autofilter and widths from the content.

    ``links`` maps a column (1-based) to the index in each ``link_values`` row holding a relative path
    the cell links to.
    """
    from openpyxl.utils import get_column_letter

    formats = formats or {}
    widths = [_display_width(h) + 2 for h in header]
    for c, name in enumerate(header, start=1):
        cell = put(ws, 1, c, name, styles, bold=True)
        cell.fill = styles["header_fill"]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = put(ws, r, c, value, styles, number_format=formats.get(c), wrap=c in wrap_cols)
            widths[c - 1] = max(widths[c - 1], _display_width(value) + 2)
            if links and c in links and link_values:
                target = link_values[r - 2][links[c]]
                if target:
                    cell.hyperlink = target
                    cell.font = styles["link"]
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(max(width, 8), MAX_COL_WIDTH)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"


def _loss_points(line: LossLine) -> str:
    return "单项否决" if line.is_veto else f"扣{fmt_number(line.points)}分"


def _summary_rows(ctx: ReportContext, now: datetime) -> list[tuple[str, Any]]:
    totals = ctx.totals
    sev = ctx.severity_counts()
    rows: list[tuple[str, Any]] = [
        ("规则配置", ctx.profile_id),
        ("规则版本", ctx.profile_version),
        ("规则名称", ctx.profile_title),
        ("监测时间点", ctx.as_of.isoformat(timespec="seconds")),
        ("生成时间", now.isoformat(timespec="seconds")),
        ("检查批次", ctx.run_id),
        ("检查状态", labels.RUN_STATUS_NAMES.get(ctx.run_status, ctx.run_status)),
        ("检查网站数", totals.sites),
        ("完成检查", totals.scored),
        ("合格", totals.qualified),
        ("不合格", totals.unqualified),
        ("其中单项否决", totals.vetoed),
        ("未完成检查", totals.not_scored),
        ("总体合格率", fmt_percent(ctx.overall_pass_rate)),
    ]
    for key, name in labels.SEVERITY_NAMES.items():
        rows.append((f"发现问题（{name}）", sev[key]))
    if ctx.account_totals is not None:
        a = ctx.account_totals
        rows += [
            ("检查政务新媒体数", a.sites),
            ("政务新媒体合格", a.qualified),
            ("政务新媒体不合格", a.unqualified),
            ("政务新媒体未检查", a.not_scored),
            ("政务新媒体合格率", fmt_percent(a.pass_rate)),
        ]
    for i, rule in enumerate(ctx.rules, start=1):
        rows.append((f"判定规则{i}", rule))
    return rows


def write_xlsx(ctx: ReportContext, path: Path, *, now: datetime, chart_png: bytes | None = None) -> Path:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image

    styles = _styles()
    wb = Workbook()
    wb.properties.creator = "govinspect"
    wb.properties.title = "政府网站检查结果"
    naive_now = now.replace(tzinfo=None) if now.tzinfo else now
    wb.properties.created = naive_now
    wb.properties.modified = naive_now

    ws = wb.active
    ws.title = "汇总"
    _table(ws, ("项目", "内容"), _summary_rows(ctx, now), styles, wrap_cols=(2,))

    ws = wb.create_sheet("各地区情况")
    region_rows = [
        (i, r.name, r.sites, r.qualified, r.unqualified, r.vetoed, r.not_scored, r.pass_rate)
        for i, r in enumerate(ctx.regions, start=1)
    ]
    t = ctx.totals
    region_rows.append(("", t.name, t.sites, t.qualified, t.unqualified, t.vetoed, t.not_scored, t.pass_rate))
    _table(
        ws,
        ("序号", "地区", "检查网站数", "合格网站数", "不合格网站数", "其中单项否决", "未完成检查", "合格率"),
        region_rows,
        styles,
        formats={8: "0.0%"},
    )
    if chart_png:
        image = Image(io.BytesIO(chart_png))
        ws.add_image(image, "J2")

    ws = wb.create_sheet("问题网站名单")
    problem_rows = [
        (
            i,
            s.region_group,
            s.name,
            s.site_code,
            s.kind_name,
            s.host_org,
            s.homepage,
            s.status_name,
            "；".join(s.reasons),
        )
        for i, s in enumerate(ctx.problem_sites, start=1)
    ]
    _table(
        ws,
        (
            "序号",
            "地区",
            "网站名称",
            "网站标识码",
            "网站类型",
            "主办单位",
            "首页网址",
            "检查结论",
            "存在问题",
        ),
        problem_rows,
        styles,
        wrap_cols=(9,),
    )

    ws = wb.create_sheet("网站得分")
    score_rows = []
    score_links = []
    for s in ctx.sites:
        explanation = "\n".join(
            f"{line.name}（{line.indicator}）：{_loss_points(line)}"
            + (f"，{line.reason}" if line.reason else "")
            for line in s.losses
        )
        score_rows.append(
            (
                s.site_code,
                s.name,
                s.region,
                s.kind_name,
                s.host_org,
                s.status_name,
                "；".join(s.veto_names),
                s.deductions,
                s.bonus,
                None if s.vetoed else s.score,
                explanation,
                len(s.findings),
                s.pages_fetched,
                s.warc_path,
            )
        )
        score_links.append((s.warc_path,))
    _table(
        ws,
        (
            "网站标识码",
            "网站名称",
            "地区",
            "网站类型",
            "主办单位",
            "检查结论",
            "单项否决",
            "扣分",
            "加分",
            "得分",
            "扣分说明",
            "发现问题数",
            "抓取页面数",
            "证据文件",
        ),
        score_rows,
        styles,
        wrap_cols=(11,),
        formats={8: "0.##", 9: "0.##", 10: "0.##"},
        links={14: 0},
        link_values=score_links,
    )

    ws = wb.create_sheet("问题明细")
    detail_rows = []
    detail_links = []
    for f in ctx.findings[:MAX_DETAIL_ROWS]:
        detail_rows.append((f.site_code, f.site_name, *_finding_cells(f)))
        detail_links.append((f.warc_path,))
    if len(ctx.findings) > MAX_DETAIL_ROWS:
        left = len(ctx.findings) - MAX_DETAIL_ROWS
        detail_rows.append(("", f"另有 {left} 条未列出，见 findings.jsonl") + ("",) * len(_FINDING_HEADER))
        detail_links.append(("",))
    _table(
        ws,
        ("网站标识码", "网站名称", *_FINDING_HEADER),
        detail_rows,
        styles,
        wrap_cols=(9, 11, 12),
        links={14: 0},
        link_values=detail_links,
    )

    if ctx.accounts:
        _account_sheets(wb, ctx, styles)
    wb.save(path)
    return path


_FINDING_HEADER = ("检查项", "检查编号", "指标", "性质", "页面网址", "问题对象", "摘录", "定位", "判定依据", "详情",
                   "WARC记录", "证据文件", "发现时间")


def _finding_cells(f: FindingRow) -> tuple[Any, ...]:
    """A finding's cells after the site's or account's own columns (问题明细, 新媒体问题明细)."""
    return (f.check_name, f.check, f.indicator_name, f.severity_name, f.url, f.target, f.excerpt, f.locator,
            f.reason, f.detail_text, f.warc_record, f.warc_path,
            f.observed_at.isoformat(timespec="seconds") if f.observed_at else "")


def _account_sheets(wb: Any, ctx: ReportContext, styles: dict[str, Any]) -> None:
    """新媒体各地区情况, 新媒体账号 and 新媒体问题明细: the run's 政务新媒体 accounts."""
    ws = wb.create_sheet("新媒体各地区情况")
    region_rows = [
        (i, r.name, r.sites, r.qualified, r.unqualified, r.vetoed, r.not_scored, r.pass_rate)
        for i, r in enumerate(ctx.account_regions, start=1)
    ]
    t = ctx.account_totals
    if t is not None:
        region_rows.append(("", t.name, t.sites, t.qualified, t.unqualified, t.vetoed, t.not_scored, t.pass_rate))
    _table(
        ws,
        ("序号", "地区", "检查账号数", "合格账号数", "不合格账号数", "其中单项否决", "未检查", "合格率"),
        region_rows,
        styles,
        formats={8: "0.0%"},
    )

    ws = wb.create_sheet("新媒体账号")
    account_rows = []
    account_links = []
    for a in ctx.accounts:
        veto_reasons = a.reasons[: len(a.vetoes)]  # _verdict lists one reason per veto first
        account_rows.append(
            (
                a.account_id,
                a.name,
                a.platform_name,
                a.region,
                a.host_org,
                a.status_name,
                "；".join(veto_reasons),
                len(a.findings),
                a.deductions,
                None if a.vetoed else a.score,
                "；".join(a.reasons[len(a.vetoes) :]),
                a.homepage,
                a.warc_path,
            )
        )
        account_links.append((a.warc_path,))
    _table(
        ws,
        (
            "账号ID",
            "账号名称",
            "平台",
            "地区",
            "主办单位",
            "结论",
            "否决原因",
            "问题数",
            "扣分",
            "得分",
            "说明",
            "账号主页",
            "证据文件",
        ),
        account_rows,
        styles,
        wrap_cols=(7, 11),
        formats={9: "0.##", 10: "0.##"},
        links={13: 0},
        link_values=account_links,
    )

    ws = wb.create_sheet("新媒体问题明细")
    findings = [(a, f) for a in ctx.accounts for f in a.findings]
    detail_rows = []
    detail_links = []
    for a, f in findings[:MAX_DETAIL_ROWS]:
        detail_rows.append((a.account_id, a.name, a.platform_name, *_finding_cells(f)))
        detail_links.append((f.warc_path,))
    if len(findings) > MAX_DETAIL_ROWS:
        left = len(findings) - MAX_DETAIL_ROWS
        detail_rows.append(("", f"另有 {left} 条未列出，见 findings.jsonl") + ("",) * (len(_FINDING_HEADER) + 1))
        detail_links.append(("",))
    _table(
        ws,
        ("账号ID", "账号名称", "平台", *_FINDING_HEADER),
        detail_rows,
        styles,
        wrap_cols=(10, 12, 13),
        links={15: 0},
        link_values=detail_links,
    )


def read_rows(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet as rows of plain values (for tests and for re-reading a report)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()
