"""newmedia.unfiled: an account and the 全国政务新媒体信息报送系统 filing list disagree (备案问题)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta

from govinspect.checks.base import AccountView, Check, CheckContext, CheckParams, Input, Scope
from govinspect.columns.dates import as_date
from govinspect.findings.model import Finding
from govinspect.newmedia.model import FilingRecord, FilingStatus, Post
from govinspect.registry.models import Account


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split()).lower()


def filing_of(account: Account, filings: list[FilingRecord]) -> FilingRecord | None:
    """The filing row of an account: by 账号ID, then 备案编号, then 账号名称 on the same platform."""
    for f in filings:
        if f.account_id and f.account_id == account.account_id:
            return f
    if account.filing_no:
        for f in filings:
            if f.filing_no and _fold(f.filing_no) == _fold(account.filing_no):
                return f
    for f in filings:
        if _fold(f.name) == _fold(account.name) and (not f.platform or f.platform == account.platform):
            return f
    return None


class FilingIndex:
    """The filing list indexed once per run by 账号ID, folded 备案编号 and folded 账号名称, so each account
    gets only the rows :func:`filing_of` could pick (in list order) instead of scanning the whole list."""

    def __init__(self, filings: list[FilingRecord]) -> None:
        self.by_key: dict[tuple[str, str], list[int]] = {}
        for n, f in enumerate(filings):
            keys = [("name", _fold(f.name))]
            if f.account_id:
                keys.append(("id", f.account_id))
            if f.filing_no:
                keys.append(("no", _fold(f.filing_no)))
            for key in keys:
                self.by_key.setdefault(key, []).append(n)
        self.filings = filings

    def candidates(self, account: Account) -> list[FilingRecord]:
        keys = [("id", account.account_id), ("name", _fold(account.name))]
        if account.filing_no:
            keys.append(("no", _fold(account.filing_no)))
        rows = sorted({n for key in keys for n in self.by_key.get(key, ())})
        return [self.filings[n] for n in rows]


_PROBLEM_TEXT = {
    "not_filed": "账号未在全国政务新媒体信息报送系统备案",
    "closure_not_filed": "账号已关停/注销但未在报送系统办理关停/注销备案",
    "reopened_without_filing": "账号已在报送系统备案关停/注销，却仍在运行（未按程序恢复备案）",
    "closed_publishing": "账号已关停/注销仍在发布内容",
}


class UnfiledAccounts(Check):
    """The filing list of 全国政务新媒体信息报送系统 against the account: a running account not filed
    (``not_filed``); an account the registry lists as 关停/注销 that is still filed as running
    (``closure_not_filed``); a running account filed as closed or cancelled (``reopened_without_filing``,
    注销后私开); and an account closed in either list that still publishes — a post after the closure date,
    or within ``active_days`` of the monitoring point when no date is filed (``closed_publishing``)."""

    id = "newmedia.unfiled"
    scope = Scope.ACCOUNT
    inputs = (Input.FILINGS,)

    class Params(CheckParams):
        active_days: int = 14

    def run(self, view: AccountView, ctx: CheckContext) -> Iterator[Finding]:
        account = view.account
        filing = filing_of(account, view.filings or [])
        where = view.source_url or f"account:{account.account_id}"
        base: dict[str, object] = {"platform": account.platform, "registry_status": str(account.status),
                                   "filing_no": filing.filing_no if filing else account.filing_no or None,
                                   "filed_status": str(filing.status) if filing else None}
        problems: list[str] = []
        if account.running:
            if filing is None:
                problems.append("not_filed")
            elif filing.status is not FilingStatus.RUNNING:
                problems.append("reopened_without_filing")
        elif filing is not None and filing.status is FilingStatus.RUNNING:
            problems.append("closure_not_filed")
        filed_closed = filing is not None and filing.status is not FilingStatus.RUNNING
        post = None
        if not account.running or filed_closed:  # closed in either list: the filed closure day, if any
            post = self._post_after(view, filing.changed_on if filing is not None and filed_closed else None, ctx)
        if post is not None and (not account.running or "reopened_without_filing" in problems):
            problems.append("closed_publishing")
        for problem in problems:
            detail = dict(base, problem=problem)
            excerpt = f"{account.name}（{account.platform_label}）"
            target = None
            if problem == "closed_publishing" and post is not None:
                detail["newest"] = post.published.isoformat() if post.published else None
                excerpt, target = f"{post.title} {post.raw_date}".strip(), post.url
            yield self.finding(ctx, where, target=target, detail=detail, excerpt=excerpt,
                               locator=f"filing:{filing.filing_no or filing.name}" if filing else "filing:",
                               warc_record=view.warc_record_id if problem == "closed_publishing" else None,
                               reason=_PROBLEM_TEXT[problem])

    def _post_after(self, view: AccountView, closed_on: date | None, ctx: CheckContext) -> Post | None:
        """A post after the closure day, or within ``active_days`` when no day is filed (posts newest first)."""
        as_of = as_date(ctx.as_of)
        start = closed_on if closed_on is not None else as_of - timedelta(days=self.params.active_days)
        for post in view.posts or []:
            if post.published is not None and start < post.published <= as_of:
                return post
        return None
