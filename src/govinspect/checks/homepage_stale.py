"""homepage.stale: no new dated item on the homepage within two weeks of the monitoring point (首页不更新)."""

from __future__ import annotations

from collections.abc import Iterator

from govinspect.checks.base import Check, CheckContext, CheckParams, Input, NotApplicable, Scope, SiteView
from govinspect.checks.column_stale import DATE_RULE
from govinspect.columns.dates import as_date
from govinspect.columns.discover import homepage_facts
from govinspect.columns.model import Column, ListItem
from govinspect.findings.model import Finding


class HomepageStale(Check):
    """No dated item on the homepage newer than ``limit_days`` before the monitoring point. A navigation-only
    homepage (导航页: few dated items, mostly entries to channels) is judged by its second-level pages instead:
    the newest item across the fetched column pages (detail mode ``navigation_homepage``)."""

    id = "homepage.stale"
    scope = Scope.SITE
    inputs = (Input.HOMEPAGE, Input.COLUMNS)

    class Params(CheckParams):
        limit_days: int = 14
        min_dated_items: int = 3  # fewer dated items (and few titles) make a navigation homepage
        min_titles: int = 5

    def run(self, site: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        if site.homepage is None:
            raise NotApplicable("homepage was not fetched: site.unreachable reports it; rerun when it answers")
        as_of = as_date(ctx.as_of)
        limit = self.params.limit_days
        facts = homepage_facts(site, ctx.as_of, min_dated_items=self.params.min_dated_items,
                               min_titles=self.params.min_titles)
        mode = "navigation_homepage" if facts.navigation_only else "homepage"
        newest: ListItem | None = facts.newest
        where = site.homepage.final_url
        warc = site.homepage.warc_record_id
        judged_columns = [c for c in site.columns if isinstance(c, Column) and c.fetched and not c.external]
        if facts.navigation_only:
            dated = [c for c in judged_columns if c.newest is not None and c.newest.date is not None]
            best = max(dated, key=lambda c: c.newest.date) if dated else None  # type: ignore[union-attr]
            if best is not None and best.newest is not None and (newest is None or best.newest.date > newest.date):
                newest, where, warc = best.newest, best.url, best.warc_record_id
        detail: dict[str, object] = {
            "column": "首页", "category": "homepage",
            "newest": newest.date.isoformat() if newest and newest.date else None,
            "limit_days": limit, "level": 0, "parent": None, "mode": mode, "homepage_reason": facts.reason,
        }
        if facts.navigation_only:
            detail["second_level_pages"] = len(judged_columns)
            if not judged_columns:
                raise NotApplicable("navigation homepage but no second-level page was fetched: raise the page budget")
        if newest is None or newest.date is None:
            detail["date_rule"] = DATE_RULE
            yield self.finding(ctx, site.homepage.final_url, detail=detail, excerpt=facts.reason,
                               locator="css:body", warc_record=site.homepage.warc_record_id,
                               reason=f"首页{'及二级页面' if facts.navigation_only else ''}无注明发布时间的信息, {DATE_RULE}")
            return
        age = (as_of - newest.date).days
        if age <= limit:
            return
        detail["age_days"] = age
        scope = "二级页面" if facts.navigation_only else "首页"
        yield self.finding(
            ctx, site.homepage.final_url, target=where if where != site.homepage.final_url else None,
            detail=detail, excerpt=f"{newest.title} {newest.raw_date or newest.date.isoformat()}",
            locator=newest.locator, warc_record=warc,
            reason=f"{scope}最新信息发布于 {newest.date.isoformat()}, 距监测时间点 {age} 天, 超过 {limit} 天",
        )
