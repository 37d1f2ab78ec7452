"""write_outputs(): a run's report files in the output folder (interfaces.md §2–§4).

Writes ``findings.jsonl``, ``scores.csv``, ``report.xlsx`` and ``report.html`` (and ``account_scores.csv``
when the run inspected new-media accounts); the evidence archive
(``evidence/*.warc.gz``) is written by the crawl and only linked to. Each file is written to a temporary
name and renamed into place, so an interrupted run never leaves a half-written report behind.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from govinspect.findings.model import RunResult
from govinspect.reports.charts import region_pass_rate_chart
from govinspect.reports.context import ReportContext, ReportError, build_context
from govinspect.reports.html import write_html
from govinspect.reports.jsonl import write_jsonl
from govinspect.reports.scores_csv import write_account_scores_csv, write_scores_csv
from govinspect.reports.xlsx import write_xlsx

OUTPUT_NAMES = ("findings.jsonl", "scores.csv", "report.xlsx", "report.html")


def _atomic(path: Path, write: Callable[[Path], Path]) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _now(ctx: ReportContext) -> datetime:
    tz = ctx.as_of.tzinfo
    return datetime.now(tz) if tz is not None else datetime.now().astimezone()


def write_outputs(
    result: RunResult,
    out_dir: Path,
    *,
    now: datetime | None = None,
    rules: Sequence[str] = (),
    profile: Any = None,
) -> dict[str, Path]:
    """Write the four report files into ``out_dir`` and return ``{file name: path}``.

    ``now`` is the generation time printed in the reports (tests freeze it); ``rules`` are the counting
    rules stated in the report header; ``profile`` the rule profile the run was scored with (see
    :func:`build_context`).
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(
            f"cannot create output folder {out_dir}: {exc}; choose a writable --out folder"
        ) from exc

    ctx = build_context(result, rules=rules, profile=profile)
    when = now or _now(ctx)
    chart = region_pass_rate_chart(ctx.regions)

    writers: dict[str, Callable[[Path], Path]] = {
        "findings.jsonl": lambda p: write_jsonl(ctx, p, result.accounts),
        "scores.csv": lambda p: write_scores_csv(ctx, p),
        "report.xlsx": lambda p: write_xlsx(ctx, p, now=when, chart_png=chart.png),
        "report.html": lambda p: write_html(ctx, p, now=when, chart_svg=chart.svg),
    }
    names = list(OUTPUT_NAMES)
    if result.accounts:
        writers["account_scores.csv"] = lambda p: write_account_scores_csv(result.accounts, p)
        names.append("account_scores.csv")
    written: dict[str, Path] = {}
    for name in names:
        try:
            written[name] = _atomic(out_dir / name, writers[name])
        except OSError as exc:
            raise ReportError(
                f"cannot write {out_dir / name}: {exc}; free disk space or fix the folder's "
                "permissions and run `govinspect report` again"
            ) from exc
    return written


NOTICE_NAMES = ("通报.docx", "notice.docx", "attachments.xlsx")


def write_notice_outputs(
    result: RunResult,
    out_dir: Path,
    *,
    options: Any = None,
    profile: Any = None,
    registry_sites: Sequence[Any] | None = None,
    previous: RunResult | None = None,
) -> dict[str, Path]:
    """Write the quarterly notice draft (``通报.docx``, the same file as ``notice.docx``) and its
    attachments as tables (``attachments.xlsx``); return ``{file name: path}``.

    ``options`` is a :class:`~govinspect.reports.notice.NoticeOptions`; ``registry_sites`` the registry's
    sites (coverage, 网站总数); ``previous`` the previous quarter's run (环比). Account results
    (``RunResult.accounts``) fill 附件3/4; a run without them says so in those tables.
    """
    from govinspect.reports.attachments import account_rows, write_attachments_xlsx
    from govinspect.reports.notice import build_notice, write_notice_docx

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(
            f"cannot create output folder {out_dir}: {exc}; choose a writable --out folder"
        ) from exc
    ctx = build_context(result, rules=getattr(profile, "statements", ()), profile=profile)
    prev_ctx = build_context(previous) if previous is not None else None
    accounts = account_rows(getattr(result, "accounts", ()))
    notice = build_notice(
        ctx, options, registry_sites=registry_sites, previous=prev_ctx, accounts=accounts
    )
    chart = region_pass_rate_chart(ctx.regions)

    writers: dict[str, Callable[[Path], Path]] = {
        "通报.docx": lambda p: write_notice_docx(notice, p, chart_png=chart.png),
        "attachments.xlsx": lambda p: write_attachments_xlsx(notice.tables, p, chart_png=chart.png),
    }
    written: dict[str, Path] = {}
    for name, write in writers.items():
        try:
            written[name] = _atomic(out_dir / name, write)
        except OSError as exc:
            raise ReportError(
                f"cannot write {out_dir / name}: {exc}; free disk space or fix the folder's "
                "permissions and run `govinspect notice` again"
            ) from exc
    alias = out_dir / "notice.docx"
    try:
        _atomic(alias, lambda p: Path(shutil.copyfile(written["通报.docx"], p)))
    except OSError as exc:
        raise ReportError(f"cannot write {alias}: {exc}; fix the folder's permissions") from exc
    written["notice.docx"] = alias
    return {name: written[name] for name in NOTICE_NAMES}
