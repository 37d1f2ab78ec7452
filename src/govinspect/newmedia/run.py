"""The single orchestration of one new-media account: gather → checks → classify → score.

``run_account(account, rc)`` is to accounts what ``pipeline.run_site`` is to sites, and it runs inside
``pipeline.run_inspection`` with the run's one :class:`~govinspect.fetch.client.Fetcher` (politeness, the
address guard, ``--resolve``, ``--allow-private``) and its one link cache. It fetches the account's
homepage/feed into its own WARC file, reads posts and menus from it (:mod:`newmedia.sources`), checks every
menu link (dead only after a confirming retry), and hands the checks an :class:`AccountView` together with
the message export and filing list the run read from the store before it started: checks never fetch and
never touch the database.

An account whose homepage/feed could not be read is "not inspected" (no score, retried by ``--resume``)
unless it is closed: a closed account is judged on the filing list alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govinspect.checks.base import AccountView, Check, CheckContext, Input, Scope
from govinspect.checks.unfiled_accounts import FilingIndex
from govinspect.errors import GovinspectError, NotApplicable
from govinspect.fetch.types import FailureClass, FetchResult
from govinspect.findings.model import CheckRun, Finding, Outcome, SiteResult
from govinspect.newmedia.model import AccountMessage, FilingRecord, MenuLink
from govinspect.registry.models import Account

if TYPE_CHECKING:
    from govinspect.findings.store import Store
    from govinspect.pipeline import RunContext

log = logging.getLogger(__name__)

FEED_MAX_BYTES = 4 * 1024 * 1024  # an account's homepage/feed; beyond it the source is reported as too large
MENU_CHECKS_AT_ONCE = 8
ACCOUNTS_AT_ONCE = 8


@dataclass
class AccountInputs:
    """What the store holds for the accounts of a run, read once before any account is fetched."""

    messages: dict[str, list[AccountMessage]] | None = None  # None: no message export ever imported
    filings: list[FilingRecord] | None = None  # None: no filing list ever imported
    filing_index: FilingIndex | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.filings is not None:
            self.filing_index = FilingIndex(self.filings)


def load_account_inputs(store: Store) -> AccountInputs:
    from govinspect.newmedia.store import NewMediaStore

    nm = NewMediaStore(store)
    return AccountInputs(messages=nm.messages(), filings=nm.filings())


def evidence_name(account_id: str) -> str:
    """A file name for the account's WARC: the id made safe, plus a short hash so ids never collide."""
    safe = re.sub(r"[^0-9A-Za-z_.-]", "_", account_id)[:60]
    digest = hashlib.sha1(account_id.encode("utf-8")).hexdigest()[:8]
    return f"account-{safe}-{digest}.warc.gz"


async def gather_account(account: Account, rc: RunContext, inputs: AccountInputs, warc: Any) -> AccountView:
    """Fetch and read the account's homepage/feed, check its menu links, attach messages and filings."""
    from govinspect.newmedia.sources import read_source

    view = AccountView(account=account)
    if inputs.messages is None:
        view.missing[Input.MESSAGES] = ("no message export imported: run govinspect accounts messages import FILE "
                                        "with the platform's 留言 export")
    else:
        view.messages = list(inputs.messages.get(account.account_id, []))
    if inputs.filings is None:
        view.missing[Input.FILINGS] = ("no filing list imported: run govinspect accounts filings import FILE with "
                                       "the 报送系统 export")
    else:  # only the rows that can be this account's: the list is searched once per run, not per account
        assert inputs.filing_index is not None
        view.filings = inputs.filing_index.candidates(account)
    if not account.homepage:
        why = "the account registry gives no homepage/feed address: fill in 主页 for this account"
        view.missing |= {Input.POSTS: why, Input.MENUS: why}
        return view
    url = account.homepage
    view.source_url = url
    if rc.settings.fetch.obey_robots and not await rc.fetcher.robots.allowed(url):
        why = "the homepage/feed is disallowed by robots.txt: switch off robots for an authorised inspection"
        view.missing |= {Input.POSTS: why, Input.MENUS: why}
        return view
    result = await rc.fetcher.fetch(url, max_bytes=FEED_MAX_BYTES)
    warc.write(result)
    view.source_url = result.final_url
    view.warc_record_id = result.warc_record_id
    why = _unreadable(result)
    if why:
        view.missing |= {Input.POSTS: why, Input.MENUS: why}
        return view
    read = await asyncio.to_thread(read_source, result, rc.as_of)
    view.source_kind = read.kind
    if read.posts is None:
        view.missing[Input.POSTS] = read.problem or "no posts could be read"
    else:
        view.posts = read.posts
        view.placeholder = read.placeholder
    if read.menus is None:
        view.missing[Input.MENUS] = f"a {read.kind} source has no menus"
    else:
        view.menus = await _check_menus(read.menus, rc)
    return view


def _unreadable(result: FetchResult) -> str:
    if result.failure is FailureClass.TOO_LARGE:
        return (f"the homepage/feed is larger than {FEED_MAX_BYTES // 2**20} MiB: give the account's feed or "
                "first list page, not an archive")
    if result.failure is FailureClass.PRIVATE_ADDRESS:
        return (f"the homepage/feed was refused by our own rules ({result.error}): pass --allow-private for "
                "loopback/private addresses")
    if result.failure is not None or result.status is None or result.status >= 400:
        return f"homepage/feed not fetched ({result.failure or 'http_status'}: {result.error or result.status})"
    return ""


async def _check_menus(menus: list[tuple[str, str, str]], rc: RunContext) -> list[MenuLink]:
    gate = asyncio.Semaphore(MENU_CHECKS_AT_ONCE)

    async def one(text: str, url: str, locator: str) -> MenuLink:
        async with gate:
            return MenuLink(text, url, locator, await rc.links.check(url))

    return list(await asyncio.gather(*(one(*m) for m in menus)))


def run_account_checks(view: AccountView, checks: Iterable[Check], ctx: CheckContext
                       ) -> tuple[list[Finding], list[CheckRun]]:
    """Run every ACCOUNT check over one account view; every check records an outcome."""
    findings: list[Finding] = []
    runs: list[CheckRun] = []
    code = view.account.account_id
    for check in checks:
        if check.scope is not Scope.ACCOUNT:
            continue
        missing = next((why for need in check.inputs if (why := view.gathered(need))), "")
        if missing:
            runs.append(CheckRun(check.id, code, Outcome.SKIPPED, message=missing[:500]))
            continue
        started = time.perf_counter()
        try:
            found = list(check.run(view, ctx))
        except NotApplicable as exc:
            runs.append(CheckRun(check.id, code, Outcome.NOT_APPLICABLE, message=str(exc)[:500]))
            continue
        except Exception as exc:  # a broken check must not sink the account: record it
            log.exception("check_failed check=%s account=%s", check.id, code)
            runs.append(CheckRun(check.id, code, Outcome.ERROR, message=f"{type(exc).__name__}: {exc}"[:500]))
            continue
        findings.extend(found)
        runs.append(CheckRun(check.id, code, Outcome.COMPLETED, findings=len(found),
                             duration_ms=(time.perf_counter() - started) * 1000))
    return findings, runs


@dataclass
class AccountOutcome:
    """An account's result as stored: the SiteResult shape (``site`` is the Account, ``pages_fetched`` the
    posts read, also as ``posts``) plus the kind of source."""

    result: SiteResult
    source_kind: str = ""

    @property
    def posts(self) -> int:
        return self.result.pages_fetched


async def run_account(account: Account, rc: RunContext, inputs: AccountInputs | None = None) -> AccountOutcome:
    """Inspect one account at the run's monitoring point: gather, check, classify, score."""
    from govinspect.archive.warc import WarcWriter
    from govinspect.scoring.engine import classify, score

    inputs = inputs if inputs is not None else AccountInputs()
    evidence_dir = rc.out_dir / "evidence"
    evidence_dir.mkdir(parents=True, exist_ok=True)
    warc_path = evidence_dir / evidence_name(account.account_id)
    writer = WarcWriter(warc_path, user_agent=rc.fetcher.user_agent,
                        info={"account_id": account.account_id, "homepage": account.homepage,
                              "operator": rc.fetcher.user_agent})
    try:
        view = await gather_account(account, rc, inputs, writer)
    finally:
        writer.close()
    ctx = CheckContext(as_of=rc.as_of, site=None, observed_at=rc.observed_at, account=account)
    findings, check_runs = await asyncio.to_thread(run_account_checks, view, rc.checks, ctx)
    classify(findings, rc.profile)
    not_inspected = ""
    if account.running and view.posts is None:
        not_inspected = f"not inspected: {view.missing.get(Input.POSTS, 'posts not read')}"
    result = SiteResult(site=account, findings=findings, check_runs=check_runs,
                        score=None if not_inspected else score(account, findings, rc.profile),
                        error=not_inspected, pages_fetched=len(view.posts or []),
                        homepage_ok=view.warc_record_id is not None and Input.POSTS not in view.missing,
                        warc_path=str(Path(warc_path).relative_to(rc.out_dir)))
    return AccountOutcome(result, view.source_kind)


async def run_accounts(accounts: list[Account], rc: RunContext, store: Store, run_id: str,
                       progress: Callable[[SiteResult], None] | None = None) -> None:
    """Inspect ``accounts`` (already registered in the run) and store each result as soon as it is done."""
    from govinspect.newmedia.store import NewMediaStore

    if not accounts:
        return
    nm = NewMediaStore(store)
    inputs = await asyncio.to_thread(load_account_inputs, store)
    gate = asyncio.Semaphore(ACCOUNTS_AT_ONCE)

    async def one(account: Account) -> None:
        async with gate:
            try:
                outcome = await run_account(account, rc, inputs)
            except GovinspectError as exc:
                outcome = AccountOutcome(SiteResult(site=account, error=str(exc)))
            except Exception as exc:  # one broken account must not sink the run
                log.exception("account_failed account=%s", account.account_id)
                outcome = AccountOutcome(SiteResult(site=account,
                                                    error=f"internal error {type(exc).__name__}: {exc}"[:500]))
            await asyncio.to_thread(nm.save_account_result, run_id, outcome.result,
                                    source_kind=outcome.source_kind, posts=outcome.posts)
            if progress:
                progress(outcome.result)

    await asyncio.gather(*(one(a) for a in accounts))


__all__ = ["AccountInputs", "AccountOutcome", "evidence_name", "gather_account", "load_account_inputs",
           "run_account", "run_account_checks", "run_accounts"]
