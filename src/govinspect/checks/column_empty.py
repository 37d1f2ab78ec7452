"""column.empty: a column with no content (有栏目无内容, 空白栏目)."""

from __future__ import annotations

from collections.abc import Iterator

from govinspect.checks.base import Check, CheckContext, CheckParams, Input, Scope, SiteView
from govinspect.checks.column_stale import column_detail
from govinspect.columns.model import Column
from govinspect.findings.model import Finding


class ColumnEmpty(Check):
    """A column that shows nothing: no items, a placeholder (暂无信息、正在建设中 …), only the site template,
    or a column link that fails. External systems and script-filled lists awaiting a rendered fetch are
    not judged. How many blank columns make a veto (≥ 5) is the rule profile's business."""

    id = "column.empty"
    scope = Scope.SITE
    inputs = (Input.COLUMNS,)

    class Params(CheckParams):
        include_failed_links: bool = True  # a dead column link counts as a blank column

    def run(self, site: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        for column in site.columns:
            if not isinstance(column, Column) or not column.judged or not column.empty:
                continue
            if column.failure and not self.params.include_failed_links:
                continue
            detail = column_detail(column, None)
            detail["empty_reason"] = column.empty_reason
            if column.failure:
                detail["failure"] = column.failure
            yield self.finding(
                ctx, column.url, detail=detail,
                excerpt=column.excerpt or column.empty_reason,
                locator=column.locator, warc_record=column.warc_record_id,
                reason=f"栏目‘{column.name}’为空白栏目: {column.empty_reason}",
            )
