"""findings.jsonl (interfaces.md §3): one ``Finding.to_json_dict()`` per line.

UTF-8 without BOM, ``ensure_ascii=False`` so Chinese stays readable, ``\\n`` line ends. Lines follow the
context's order: sites by 网站标识码, then check, url, target (then indicator, locator, excerpt), so two
runs that found the same things write the same file. New-media accounts' findings follow, by account id,
check, url and target; each carries ``account_id`` (and ``site_code`` null).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any

from govinspect.reports.context import ReportContext


def _json_default(value: Any) -> Any:
    """Values checks may leave in ``detail``: dates as ISO text, sets sorted, anything else as text."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, PurePath):
        return value.as_posix()
    return str(value)


def finding_line(row_dict: dict[str, Any]) -> str:
    return json.dumps(row_dict, ensure_ascii=False, default=_json_default, separators=(", ", ": "))


def write_jsonl(ctx: ReportContext, path: Path, accounts: Sequence[Any] = ()) -> Path:
    """Site findings in the context's order, then the findings of ``accounts`` (account results)."""
    account_findings = sorted(
        (f for result in accounts for f in result.findings),
        key=lambda f: (f.account_id or "", f.check, f.url, f.target or "", f.evidence.locator, f.evidence.excerpt))
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in ctx.findings:
            fh.write(finding_line(row.finding.to_json_dict()))
            fh.write("\n")
        for finding in account_findings:
            fh.write(finding_line(finding.to_json_dict()))
            fh.write("\n")
    return path
