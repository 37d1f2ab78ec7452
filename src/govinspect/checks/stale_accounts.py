"""newmedia.stale: an account with no post in the two weeks before the monitoring point (内容不更新)."""

from __future__ import annotations

from collections.abc import Iterator

from govinspect.checks.base import AccountView, Check, CheckContext, CheckParams, Input, NotApplicable, Scope
from govinspect.checks.column_stale import DATE_RULE
from govinspect.columns.dates import as_date
from govinspect.findings.model import Finding


class StaleAccounts(Check):
    """A running account whose newest post is more than ``limit_days`` before the monitoring point
    (监测时间点前2周内无更新, a new-media veto). A post exactly ``limit_days`` old still counts as an
    update within the period. Posts without a visible date count as no update (未注明发布时间的视为不更新).
    An account with no posts at all is newmedia.never_posted's, not this check's."""

    id = "newmedia.stale"
    scope = Scope.ACCOUNT
    inputs = (Input.POSTS,)

    class Params(CheckParams):
        limit_days: int = 14

    def run(self, view: AccountView, ctx: CheckContext) -> Iterator[Finding]:
        if not view.account.running:
            raise NotApplicable(f"account is {view.account.status}: only running accounts must keep updating")
        posts = view.posts or []
        if not posts:
            raise NotApplicable("no posts at all: newmedia.never_posted judges this account")
        limit = self.params.limit_days
        dated = [p for p in posts if p.published is not None]
        detail: dict[str, object] = {"platform": view.account.platform, "source": view.source_kind,
                                     "limit_days": limit, "posts": len(posts)}
        if not dated:
            detail |= {"newest": None, "date_rule": DATE_RULE}
            yield self.finding(ctx, view.source_url, detail=detail, excerpt=posts[0].title,
                               locator=posts[0].locator, warc_record=view.warc_record_id,
                               reason=f"{len(posts)} 条内容均未注明发布时间, {DATE_RULE}")
            return
        newest = max(dated, key=lambda p: p.published)  # type: ignore[arg-type,return-value]
        assert newest.published is not None
        age = (as_date(ctx.as_of) - newest.published).days
        if age <= limit:
            return
        detail |= {"newest": newest.published.isoformat(), "age_days": age}
        yield self.finding(
            ctx, view.source_url, target=newest.url, detail=detail,
            excerpt=f"{newest.title} {newest.raw_date or newest.published.isoformat()}", locator=newest.locator,
            warc_record=view.warc_record_id,
            reason=f"最新内容发布于 {newest.published.isoformat()}, 距监测时间点 {age} 天, 超过 {limit} 天未更新",
        )
