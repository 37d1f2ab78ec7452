"""column.stale: a column whose newest item is older than its category allows (栏目不更新)."""

from __future__ import annotations

from collections.abc import Iterator

from govinspect.checks.base import Check, CheckContext, CheckParams, Input, Scope, SiteView
from govinspect.columns.dates import as_date
from govinspect.columns.model import Column
from govinspect.findings.model import Finding

DATE_RULE = "未注明发布时间的视为不更新"


def column_detail(column: Column, limit_days: int | None) -> dict[str, object]:
    """The detail keys of interfaces.md §3 shared by the column checks."""
    return {
        "column": column.name,
        "category": str(column.category),
        "newest": column.newest.date.isoformat() if column.newest and column.newest.date else None,
        "limit_days": limit_days,
        "level": column.level,
        "parent": column.parent,
    }


class ColumnStale(Check):
    """A column whose newest dated item is older than its category's limit (动态/要闻 2 weeks, 通知公告/政策文件
    6 months, 人事/规划计划 1 year), or a should-update column showing no dated item at all
    (未注明发布时间的视为不更新). Empty, external and not-yet-rendered columns are not judged here; the rule
    profile decides which levels and categories count toward the veto (first-level notice/policy only)."""

    id = "column.stale"
    scope = Scope.SITE
    inputs = (Input.COLUMNS,)

    class Params(CheckParams):
        limits_days: dict[str, int] = {"news": 14, "notice": 183, "policy": 183, "personnel": 365}

    def run(self, site: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        as_of = as_date(ctx.as_of)
        for column in site.columns:
            if not isinstance(column, Column) or not column.judged or column.empty or not column.fetched:
                continue
            limit = self.params.limits_days.get(str(column.category))
            if limit is None:
                continue
            detail = column_detail(column, limit)
            newest = column.newest
            if newest is None or newest.date is None:
                detail["date_rule"] = DATE_RULE
                detail["items"] = len(column.items)
                first = column.items[0] if column.items else None
                yield self.finding(
                    ctx, column.url, detail=detail,
                    excerpt=first.title if first else "",
                    locator=first.locator if first else "",
                    warc_record=column.warc_record_id,
                    reason=f"栏目‘{column.name}’({column.category_reason}) 的 {len(column.items)} 条信息均未注明"
                           f"发布时间, {DATE_RULE}",
                )
                continue
            age = (as_of - newest.date).days
            if age <= limit:
                continue
            detail["age_days"] = age
            detail["date_source"] = str(newest.date_source)
            yield self.finding(
                ctx, column.url, target=newest.url, detail=detail,
                excerpt=f"{newest.title} {newest.raw_date or newest.date.isoformat()}",
                locator=newest.locator, warc_record=column.warc_record_id,
                reason=f"栏目‘{column.name}’最新信息发布于 {newest.date.isoformat()}, 距监测时间点 {age} 天, "
                       f"超过{column.category}类栏目的 {limit} 天",
            )
