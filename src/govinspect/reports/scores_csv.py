"""scores.csv (interfaces.md §4): ``site_code,name,region,kind,qualified,vetoes,deductions,bonus,score``.

- Encoding: UTF-8 **with BOM** (``utf-8-sig``) so Excel opens the Chinese names correctly; Python's
  ``csv`` module, pandas (``encoding="utf-8-sig"``) and LibreOffice read it as plain UTF-8. CRLF line
  ends, as RFC 4180 and Excel expect.
- ``qualified`` is ``true``/``false``; ``vetoes`` the veto indicator ids joined by ``;``; numbers are
  printed without float noise (``92.5``, ``100``); ``score`` is empty when vetoed.
- A site whose inspection did not complete has no score and no row here; report.xlsx and report.html
  list it as 未完成检查.
- ``account_scores.csv`` (written when the run inspected new-media accounts):
  ``account_id,name,platform,region,host_org,qualified,vetoes,deductions,score`` in the same conventions.
- CSV formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading
  ``'`` so a spreadsheet shows it as text instead of running it.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govinspect.reports.context import ReportContext, fmt_number

HEADER = ("site_code", "name", "region", "kind", "qualified", "vetoes", "deductions", "bonus", "score")
ACCOUNT_HEADER = ("account_id", "name", "platform", "region", "host_org", "qualified", "vetoes", "deductions",
                  "score")

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet will not evaluate: prefix ``'`` when it starts like a formula."""
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def score_rows(ctx: ReportContext) -> list[list[str]]:
    rows = []
    for site in ctx.sites:
        if not site.scored:
            continue
        rows.append(
            [
                neutralise(site.site_code),
                neutralise(site.name),
                neutralise(site.region),
                neutralise(site.kind),
                "true" if site.qualified else "false",
                neutralise(";".join(site.vetoes)),
                fmt_number(site.deductions),
                fmt_number(site.bonus),
                "" if site.vetoed else fmt_number(site.score),
            ]
        )
    return rows


def account_score_rows(accounts: Sequence[Any]) -> list[list[str]]:
    """One row per scored account (account_scores.csv), in run order; unscored accounts are left out."""
    rows = []
    for result in accounts:
        score = result.score
        if score is None or result.error:
            continue
        a = result.site
        rows.append([neutralise(a.account_id), neutralise(a.name), neutralise(a.platform), neutralise(a.region),
                     neutralise(a.host_org), "true" if score.qualified else "false",
                     neutralise(";".join(score.vetoes)), fmt_number(score.deductions),
                     "" if score.vetoes else fmt_number(score.score)])
    return rows


def write_account_scores_csv(accounts: Sequence[Any], path: Path) -> Path:
    """account_scores.csv: the scores.csv conventions (UTF-8 with BOM, CRLF) for new-media accounts."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(ACCOUNT_HEADER)
        writer.writerows(account_score_rows(accounts))
    return path


def write_scores_csv(ctx: ReportContext, path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(score_rows(ctx))
    return path
