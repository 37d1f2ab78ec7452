"""Helpers for the new-media tests: accounts inspected for real through the run's Fetcher against a loopback
:class:`~tests.mockserver.MockServer` serving real feeds and pages, and AccountViews built by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from govinspect.checks.base import AccountView, Check, CheckContext, Input
from govinspect.checks.registry import build_checks
from govinspect.findings.model import Finding
from govinspect.newmedia.model import AccountMessage, FilingRecord, Post
from govinspect.newmedia.run import AccountInputs, AccountOutcome, run_account, run_account_checks
from govinspect.registry.models import Account, AccountStatus
from govinspect.scoring.profile import load_profile
from govinspect.settings import Settings
from tests.mockserver import MockServer

CST = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2021, 6, 30, 10, 0, tzinfo=CST)


def account(url: str = "", *, account_id: str = "wx_leizhou", name: str = "雷州发布", platform: str = "wechat",
            status: AccountStatus = AccountStatus.RUNNING, filing_no: str = "") -> Account:
    return Account(account_id=account_id, name=name, platform=platform, region="广东省/湛江市/雷州市",
                   host_org="雷州市人民政府办公室", homepage=url, status=status, filing_no=filing_no)


def settings(**checks: dict[str, Any]) -> Settings:
    return Settings(fetch={"allow_private": True, "retries": 0, "backoff": 0.01, "obey_robots": False},
                    checks=checks)


async def _inspect(acc: Account, tmp: Path, as_of: datetime, inputs: AccountInputs, cfg: Settings) -> AccountOutcome:
    from govinspect.fetch.client import Fetcher
    from govinspect.fetch.links import LinkChecker
    from govinspect.pipeline import RunContext

    async with Fetcher(cfg.fetch) as fetcher:
        rc = RunContext(settings=cfg, as_of=as_of, out_dir=tmp, checks=build_checks(cfg),
                        profile=load_profile(), fetcher=fetcher, links=LinkChecker(fetcher, confirm_delay=0.0))
        return await run_account(acc, rc, inputs)


def inspect(acc: Account, tmp: Path, *, as_of: datetime = AS_OF, messages: list[AccountMessage] | None = None,
            filings: list[FilingRecord] | None = None, cfg: Settings | None = None) -> AccountOutcome:
    """``run_account`` over real HTTP, with the messages and filing list a run would have read."""
    inputs = AccountInputs(messages={acc.account_id: messages} if messages is not None else None,
                           filings=filings)
    return asyncio.run(_inspect(acc, tmp, as_of, inputs, cfg or settings()))


def outcome_of(out: AccountOutcome, check_id: str) -> tuple[str, str]:
    run = next(r for r in out.result.check_runs if r.check == check_id)
    return str(run.outcome), run.message


def found(out: AccountOutcome, check_id: str) -> list[Finding]:
    return [f for f in out.result.findings if f.check == check_id]


def view(acc: Account | None = None, *, posts: list[Post] | None = None, **kw: Any) -> AccountView:
    return AccountView(account=acc or account("http://xmt.example.gov.cn/feed"),
                       source_url="http://xmt.example.gov.cn/feed", source_kind="rss", posts=posts, **kw)


def run_one(check: Check, v: AccountView, as_of: datetime = AS_OF) -> tuple[list[Finding], str]:
    """One check over a view, as the orchestration runs it: (findings, outcome)."""
    ctx = CheckContext(as_of=as_of, site=None, observed_at=as_of, account=v.account)
    findings, runs = run_account_checks(v, [check], ctx)
    return findings, str(runs[0].outcome)


def rss(*items: tuple[str, str], encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 feed of (title, pubDate text) items in ``encoding`` (declared in the XML prolog)."""
    body = "".join(f"<item><title>{t}</title><link>/p/{n}</link><pubDate>{d}</pubDate></item>"
                   for n, (t, d) in enumerate(items))
    doc = (f'<?xml version="1.0" encoding="{"gb2312" if encoding == "gb18030" else encoding}"?>'
           f'<rss version="2.0"><channel><title>雷州发布</title><link>/</link>{body}</channel></rss>')
    return doc.encode(encoding)


__all__ = ["AS_OF", "CST", "Input", "account", "found", "inspect", "outcome_of", "rss", "run_one", "serve", "settings",
           "view"]


def serve() -> Iterator[MockServer]:
    """A fresh loopback :class:`MockServer` (the test files make it a fixture: ``pytest.fixture(serve)``)."""
    with MockServer() as server:
        yield server
