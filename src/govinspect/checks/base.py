"""The check contract: one indicator is one small declared class.

A check declares ``id``, ``scope`` and ``inputs`` as class data so the registry can list, select and
document checks without running them. It never fetches: the fetch stage gathers every declared input and
archives it; checks read a :class:`SiteView`, a :class:`PageView` or (new-media accounts) an
:class:`AccountView` and yield :class:`Finding` objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from govinspect.errors import NotApplicable
from govinspect.fetch.types import Attempt, LinkResult
from govinspect.findings.model import Evidence, Finding, Severity
from govinspect.monitor.window import ProbeWindow
from govinspect.registry.models import Account, Site

if TYPE_CHECKING:
    from govinspect.archive.pageview import PageView
    from govinspect.newmedia.model import AccountMessage, FilingRecord, MenuLink, Post
    from govinspect.settings import Settings

__all__ = [
    "AccountView", "Check", "CheckContext", "CheckParams", "Input", "NotApplicable", "Scope", "SiteView",
]


class Scope(StrEnum):
    PAGE = "page"  # run once per fetched HTML page
    SITE = "site"  # run once per site over the whole SiteView
    ACCOUNT = "account"  # new-media account


class Input(StrEnum):
    """What a check needs the fetch stage to gather."""

    HOMEPAGE = "homepage"
    PAGES = "pages"  # every fetched internal HTML page
    LINKS = "links"  # status of every link target (internal and external)
    IMAGES = "images"  # status of every image
    AVAILABILITY = "availability"  # the run's own homepage probes (SiteView.attempts)
    SAMPLES = "samples"  # stored probes of the week-long monitor before the monitoring point (SiteView.samples)
    COLUMNS = "columns"  # discovered 栏目 with their items (columns package)
    TLS = "tls"
    HEADERS = "headers"
    RENDERED = "rendered"  # headless-Chromium DOM / visibility facts
    SPIDER_VIEW = "spider_view"  # the homepage as served to a search-engine User-Agent (cloaking)
    ATTACHMENTS = "attachments"  # text of PDF/DOCX/XLSX attachments
    SECURITY_PROBES = "security_probes"  # facts of the safe security probes (fetch/probes.py)
    POSTS = "posts"  # a new-media account's posts read from its homepage/feed (newmedia/)
    MENUS = "menus"  # an account page's menu links with their status
    MESSAGES = "messages"  # the platform's 留言/私信 export (received and replied times)
    FILINGS = "filings"  # the 全国政务新媒体信息报送系统 filing list


class CheckParams(BaseModel):
    """Base of each check's parameters, validated from ``settings.checks[check.id]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class SiteView:
    """Everything the fetch stage gathered for one site, read-only for checks."""

    site: Site
    homepage: PageView | None
    pages: list[PageView] = field(default_factory=list)  # internal HTML pages, homepage first
    links: dict[str, LinkResult] = field(default_factory=dict)  # by absolute URL (links and images)
    attempts: list[Attempt] = field(default_factory=list)  # homepage availability probes of this run
    samples: ProbeWindow | None = None  # the monitor's stored probes in the window before as_of, if any
    columns: list[Any] = field(default_factory=list)  # govinspect.columns models (issue 3)
    extras: dict[str, Any] = field(default_factory=dict)  # tls facts, spider view, rendered facts…
    pages_left_out: int = 0  # internal URLs the page budget did not reach
    homepage_failure: str = ""  # failure class when the homepage could not be fetched

    def page(self, url: str) -> PageView | None:
        for page in self.pages:
            if page.url == url or page.final_url == url:
                return page
        return None


@dataclass
class AccountView:
    """Everything gathered for one new-media account, read-only for checks.

    ``None`` means the input could not be gathered (``missing`` says why, by input); an empty list means
    it was gathered and holds nothing (a feed without entries, an account without messages).
    """

    account: Account
    source_url: str = ""  # the homepage/feed URL as fetched (final URL after redirects)
    source_kind: str = ""  # rss / atom / json / html
    posts: list[Post] | None = None  # newest first
    placeholder: str = ""  # what the page says when it shows no posts (暂无内容 …)
    menus: list[MenuLink] | None = None  # menu links with link results; None: not a page with menus
    messages: list[AccountMessage] | None = None  # this account's rows of the imported message export
    filings: list[FilingRecord] | None = None  # the whole imported filing list (every account's rows)
    warc_record_id: str | None = None  # the homepage/feed response record
    missing: dict[Input, str] = field(default_factory=dict)  # why an input is absent

    def gathered(self, needed: Input) -> str:
        """"" when ``needed`` is available, else why it is not."""
        value = {Input.POSTS: self.posts, Input.MENUS: self.menus, Input.MESSAGES: self.messages,
                 Input.FILINGS: self.filings}.get(needed, ())
        if value is not None:
            return ""
        return self.missing.get(needed) or f"{needed} not gathered"


@dataclass
class CheckContext:
    """What a check may know besides its target: the monitoring point and the site (or account)."""

    as_of: datetime  # 监测时间点, timezone-aware
    site: Site | None
    observed_at: datetime  # when the data was gathered (usually the run time)
    site_view: SiteView | None = None  # also set for PAGE checks, for site-level facts
    notes: dict[str, str] = field(default_factory=dict)  # check id → what its completed outcome says
    account: Account | None = None  # set (and ``site`` None) for ACCOUNT checks


class Check:
    """Base class. Subclasses set ``id``, ``scope``, ``inputs``, a docstring, and implement ``run``."""

    id: ClassVar[str]
    scope: ClassVar[Scope]
    inputs: ClassVar[tuple[Input, ...]] = ()
    Params: ClassVar[type[CheckParams]] = CheckParams

    def __init__(self, params: CheckParams | None = None) -> None:
        self.params = params if params is not None else self.Params()

    @classmethod
    def from_settings(cls, settings: Settings) -> Check:
        """Build the check with its parameters from ``settings.checks[cls.id]``."""
        return cls(cls.Params.model_validate(settings.checks.get(cls.id, {})))

    def run(self, target: Any, ctx: CheckContext) -> Iterator[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def note(self, ctx: CheckContext, text: str) -> None:
        """Say something on this check's outcome when it completes (e.g. how sure the judgement is)."""
        ctx.notes[self.id] = text[:500]

    def finding(
        self,
        ctx: CheckContext,
        url: str,
        *,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
        excerpt: str = "",
        locator: str = "",
        warc_record: str | None = None,
        reason: str = "",
        severity: Severity = Severity.DEDUCT,
    ) -> Finding:
        """A finding of this check; the rule profile later sets the final severity and indicator."""
        return Finding(
            check=self.id,
            site_code=ctx.site.site_code if ctx.site is not None else "",
            account_id=ctx.account.account_id if ctx.account is not None else None,
            url=url,
            target=target,
            severity=severity,
            detail=detail or {},
            evidence=Evidence(excerpt=excerpt[:500], locator=locator, warc_record=warc_record, reason=reason),
            observed_at=ctx.observed_at,
        )
