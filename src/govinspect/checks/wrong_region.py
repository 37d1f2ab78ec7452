"""content.wrong_region: a page about the site's own place describing another place as itself (张冠李戴)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from urllib.parse import unquote, urlsplit

from govinspect.archive.pageview import PageView
from govinspect.checks.base import Check, CheckContext, CheckParams, Input, NotApplicable, Scope
from govinspect.content.normalise import page_headings
from govinspect.content.regions import RegionMatcher, RegionMention
from govinspect.findings.model import Finding
from govinspect.registry.gazetteer import Gazetteer


class WrongRegion(Check):
    """A 概况/简介/县情/机构职能/领导信息 page naming another county or city as the site's own place.

    Only pages about the site's own place are read (by title, ColumnName meta, heading or URL; 政务公开
    sections are not 概况). A clause whose subject is another division ("信宜市位于…", "信宜市辖…", "本市…
    信宜") is wrong, and so is another division's institution or duty scope on the page ("信宜市发展和改革局
    是…", "现任信宜市人民政府市长", "拟订信宜市国民经济…"); neighbours ("东邻遂溪县", "与化州市接壤",
    "距湛江市区…"), the parent city and province, historical names and a leader's earlier posts are not.
    """

    id = "content.wrong_region"
    scope = Scope.PAGE
    inputs = (Input.PAGES,)

    class Params(CheckParams):
        topic_words: tuple[str, ...] = (
            "概况", "简介", "市情", "县情", "区情", "镇情", "基本情况", "机构职能", "主要职责", "职能配置", "领导信息",
            "领导简介", "领导分工", "走进", "历史沿革", "行政区划", "地理位置", "自然地理", "人口民族", "政区",
        )
        # …gk is 概况 (xqgk, sqgk) but also 公开 (zwgk 政务公开, xxgk 信息公开, lygk 领域公开): those are excluded
        url_pattern: str = (r"^(?!(?:zw|xx|zfxx|ly|bm|zd|jc|cw|cz|dw|sw|ys|js)gk)"
                            r"(?:[a-z]*gk|gaikuang|[a-z]*jj|jianjie|sq|xq|qq|jgzn|jgzz|ldxx|ldfg|lsyg|xzqh|zjxx)"
                            r"(?:[_-]?\d+)?$")
        max_mentions: int = 50

    def __init__(self, params: CheckParams | None = None, *, gazetteer: Gazetteer | None = None) -> None:
        super().__init__(params)
        self._gazetteer = gazetteer

    @cached_property
    def matcher(self) -> RegionMatcher:
        """Built on first use (the name automaton covers every current division)."""
        return RegionMatcher(self._gazetteer)

    @cached_property
    def _url_re(self) -> re.Pattern[str]:
        p = self.params
        assert isinstance(p, WrongRegion.Params)
        return re.compile(p.url_pattern, re.I)

    def about_own_place(self, page: PageView) -> str:
        """Why the page is about the site's own place ("title: 雷州市情"), or "" when it is not."""
        p = self.params
        assert isinstance(p, WrongRegion.Params)
        for label, read in (("title", lambda: page.title), ("column", lambda: page.meta.get("columnname", "")),
                            ("heading", lambda: _heading(page))):
            value = read()
            if value and any(w in value for w in p.topic_words):
                return f"{label}: {value[:40]}"
        path = unquote(urlsplit(page.url).path)
        for segment in path.strip("/").split("/")[-3:]:  # the page and its columns, not the whole section
            stem = segment.rsplit(".", 1)[0]
            if stem and (self._url_re.match(stem) or any(w in stem for w in p.topic_words)):
                return f"url: {segment}"
        return ""

    def run(self, target: PageView, ctx: CheckContext) -> Iterator[Finding]:
        p = self.params
        assert isinstance(p, WrongRegion.Params)
        own = self.matcher.own_place(ctx.site.region)
        if own is None:
            raise NotApplicable(f"region {ctx.site.region!r} not in the gazetteer: fix the registry 地区 column")
        why = self.about_own_place(target)
        if not why:
            return
        mentions: list[RegionMention] = list(self.matcher.title_mentions(target.title, own))
        # running text only: menus, 友情链接 and related-link lists name other places without describing them
        mentions.extend(self.matcher.mentions(target.prose_text, own, max_mentions=p.max_mentions))
        by_division: dict[str, list[RegionMention]] = {}
        for mention in mentions:
            by_division.setdefault(mention.division.code, []).append(mention)
        for group in by_division.values():
            first = group[0]
            other = self.matcher.region_path(first.division)
            yield self.finding(
                ctx,
                target.url,
                detail={
                    "other_region": other,
                    "name": first.name,
                    "own_region": ctx.site.region,
                    "count": len(group),
                    "patterns": sorted({m.pattern for m in group}),
                },
                excerpt=first.clause[:200],
                locator="title" if first.pattern == "title" else f"text:{first.start}",
                warc_record=target.warc_record_id,
                reason=f"page about the site's own place ({why}) describes {first.name} ({other}) as itself "
                       f"({first.pattern}); the site's region is {ctx.site.region}",
            )


def _heading(page: PageView) -> str:
    """The first ``<h1>`` (else ``<h2>``) text."""
    heads = page_headings(page)
    return next((t for tag, t in heads if tag == "h1"), "") or next((t for tag, t in heads if tag == "h2"), "")
