"""New-media rows in the findings database: message exports, the filing list and account results per run.

Built over an open :class:`~govinspect.findings.store.Store` (same engine, same migrations), as the
messages module's ``TicketStore`` is. An account's results in a run are written in one transaction that
first removes whatever an interrupted attempt left, so ``--resume`` neither loses nor duplicates them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from govinspect.errors import StoreError
from govinspect.findings.model import CheckRun, Evidence, Finding, Outcome, Severity, SiteResult
from govinspect.findings.store import _aware
from govinspect.findings.tables import AccountRow
from govinspect.newmedia.model import AccountMessage, FilingRecord, FilingStatus
from govinspect.newmedia.tables import AccountFilingRow, AccountFindingRow, AccountMessageRow, AccountRunRow
from govinspect.registry.models import Account, AccountStatus
from govinspect.scoring.model import PointLoss, SiteScore

PENDING, DONE, FAILED = "pending", "done", "failed"
_CHUNK = 500


def account_from_row(r: Any) -> Account:
    return Account(account_id=r.account_id, name=r.name, platform=r.platform, region=r.region,
                   host_org=r.host_org, homepage=r.homepage, status=AccountStatus(r.status),
                   filing_no=r.filing_no or "")


class NewMediaStore:
    """Messages, filings and account results over a :class:`Store`."""

    def __init__(self, store: Any) -> None:
        self.store = store

    # -- messages and filings ---------------------------------------------------------------------

    def import_messages(self, messages: Iterable[AccountMessage]) -> tuple[int, int]:
        """Insert or update messages by (account, 留言编号); returns (inserted, updated)."""
        rows = list({(m.account_id, m.message_id): m for m in messages}.values())
        if not rows:
            return 0, 0
        now = datetime.now(UTC)
        inserted = updated = 0
        change = (update(AccountMessageRow)
                  .where(AccountMessageRow.account_id == bindparam("key_account"),
                         AccountMessageRow.message_id == bindparam("key_message"))
                  .values(received_at=bindparam("received_at"), replied_at=bindparam("replied_at"),
                          title=bindparam("title"), imported_at=bindparam("imported_at")))
        with self.store._write() as conn:
            for start in range(0, len(rows), _CHUNK):
                chunk = rows[start:start + _CHUNK]
                known = set()
                for account_id in {m.account_id for m in chunk}:
                    ids = [m.message_id for m in chunk if m.account_id == account_id]
                    known.update((account_id, i) for i in conn.scalars(
                        select(AccountMessageRow.message_id).where(AccountMessageRow.account_id == account_id,
                                                                   AccountMessageRow.message_id.in_(ids))))
                fresh = [{"account_id": m.account_id, "message_id": m.message_id, "received_at": m.received_at,
                          "replied_at": m.replied_at, "title": m.title, "imported_at": now}
                         for m in chunk if (m.account_id, m.message_id) not in known]
                again = [{"key_account": m.account_id, "key_message": m.message_id, "received_at": m.received_at,
                          "replied_at": m.replied_at, "title": m.title, "imported_at": now}
                         for m in chunk if (m.account_id, m.message_id) in known]
                if fresh:  # one executemany per chunk, not one statement per message
                    conn.execute(insert(AccountMessageRow), fresh)
                if again:
                    conn.execute(change, again)
                inserted += len(fresh)
                updated += len(again)
        return inserted, updated

    def messages(self) -> dict[str, list[AccountMessage]] | None:
        """Every stored message by account; None when no message export was ever imported."""
        out: dict[str, list[AccountMessage]] = {}
        with self.store.engine.connect() as conn:
            rows = list(conn.execute(select(AccountMessageRow.__table__).order_by(AccountMessageRow.received_at,
                                                                                  AccountMessageRow.id)))
        if not rows:
            return None
        local = self.store._local
        for r in rows:
            out.setdefault(r.account_id, []).append(
                AccountMessage(r.account_id, r.message_id, local(r.received_at), local(r.replied_at), r.title))
        return out

    def replace_filings(self, filings: Sequence[FilingRecord]) -> int:
        """The filing list as exported now: the previous list is replaced whole (one transaction)."""
        now = datetime.now(UTC)
        with self.store._write() as conn:
            conn.execute(delete(AccountFilingRow))
            if filings:
                conn.execute(insert(AccountFilingRow), [
                    {"position": i, "name": f.name, "platform": f.platform, "account_id": f.account_id,
                     "filing_no": f.filing_no, "status": str(f.status), "changed_on": f.changed_on,
                     "host_org": f.host_org, "imported_at": now}
                    for i, f in enumerate(filings)])
        return len(filings)

    def filings(self) -> list[FilingRecord] | None:
        """The stored filing list; None when none was ever imported."""
        with self.store.engine.connect() as conn:
            rows = list(conn.execute(select(AccountFilingRow.__table__).order_by(AccountFilingRow.position)))
        if not rows:
            return None
        return [FilingRecord(r.name, r.platform, r.account_id, r.filing_no, FilingStatus(r.status), r.changed_on,
                             r.host_org) for r in rows]

    # -- runs -------------------------------------------------------------------------------------

    def accounts(self, ids: Sequence[str] | None = None) -> list[Account]:
        """Registry accounts in import order (all, or ``ids`` in that order)."""
        with self.store.engine.connect() as conn:
            rows = {r.account_id: account_from_row(r) for r in conn.execute(
                select(AccountRow.__table__).order_by(AccountRow.position, AccountRow.account_id))}
        if ids is None:
            return list(rows.values())
        return [rows[i] for i in dict.fromkeys(ids) if i in rows]

    def add_to_run(self, run_id: str, account_ids: Sequence[str]) -> None:
        """Register accounts as pending in a run (after the ones it already has)."""
        ids = list(dict.fromkeys(account_ids))
        if not ids:
            return
        with self.store._write() as conn:
            known = set(conn.scalars(select(AccountRow.account_id).where(AccountRow.account_id.in_(ids))))
            missing = [i for i in ids if i not in known]
            if missing:
                raise StoreError(f"accounts {', '.join(missing[:5])} are not in the account registry: "
                                 "import the accounts before the run (govinspect accounts import)")
            have = set(conn.scalars(select(AccountRunRow.account_id).where(AccountRunRow.run_id == run_id)))
            start = len(have)
            fresh = [i for i in ids if i not in have]
            if fresh:
                conn.execute(insert(AccountRunRow), [
                    {"run_id": run_id, "account_id": i, "position": start + n, "status": PENDING, "error": "",
                     "source_kind": "", "posts": 0, "homepage_ok": False, "warc_path": "", "check_runs": [],
                     "qualified": None, "vetoes": None, "deductions": None, "score": None, "losses": None,
                     "profile_id": "", "profile_version": "", "finished_at": None}
                    for n, i in enumerate(fresh)])

    def pending_accounts(self, run_id: str) -> list[str]:
        """Accounts of the run without saved results (pending or failed), in run order."""
        with self.store.engine.connect() as conn:
            return list(conn.scalars(select(AccountRunRow.account_id).where(
                AccountRunRow.run_id == run_id, AccountRunRow.status != DONE).order_by(AccountRunRow.position)))

    def save_account_result(self, run_id: str, result: SiteResult, *, source_kind: str = "", posts: int = 0
                            ) -> None:
        """Replace the account's results in this run in one transaction (safe to save again)."""
        account: Account = result.site
        account_id = account.account_id
        strays = {f.account_id for f in result.findings} - {account_id}
        if strays:
            raise StoreError(f"result for account {account_id} carries findings of {', '.join(sorted(map(str, strays)))}: "
                             "save each account's findings in its own result")
        s: SiteScore | None = result.score
        with self.store._write() as conn:
            updated = conn.execute(update(AccountRunRow).where(
                AccountRunRow.run_id == run_id, AccountRunRow.account_id == account_id).values(
                status=FAILED if result.error and s is None else DONE, error=result.error,
                source_kind=source_kind, posts=posts, homepage_ok=result.homepage_ok, warc_path=result.warc_path,
                check_runs=[{"check": c.check, "outcome": str(c.outcome), "findings": c.findings,
                             "message": c.message, "duration_ms": round(float(c.duration_ms), 3)}
                            for c in result.check_runs],
                qualified=s.qualified if s else None, vetoes=list(s.vetoes) if s else None,
                deductions=s.deductions if s else None, score=s.score if s else None,
                losses=[asdict(loss) for loss in s.losses] if s else None,
                profile_id=s.profile_id if s else "", profile_version=s.profile_version if s else "",
                finished_at=datetime.now(UTC)))
            if updated.rowcount != 1:
                raise StoreError(f"account {account_id} is not part of run {run_id}: add it to the run first")
            conn.execute(delete(AccountFindingRow).where(AccountFindingRow.run_id == run_id,
                                                         AccountFindingRow.account_id == account_id))
            if result.findings:
                conn.execute(insert(AccountFindingRow), [_finding_row(run_id, account_id, f) for f in result.findings])

    def load_results(self, run_id: str) -> list[SiteResult]:
        """The run's saved account results (done or failed), in run order; ``site`` is the Account."""
        local = self.store._local
        with self.store.engine.connect() as conn:
            rows = list(conn.execute(
                select(AccountRunRow.__table__)
                .where(AccountRunRow.run_id == run_id, AccountRunRow.status != PENDING)
                .order_by(AccountRunRow.position)))
            findings: dict[str, list[Finding]] = {}
            for r in conn.execute(select(AccountFindingRow.__table__).where(AccountFindingRow.run_id == run_id)
                                  .order_by(AccountFindingRow.id)):
                findings.setdefault(r.account_id, []).append(Finding(
                    check=r.check, site_code="", url=r.url, target=r.target, severity=Severity(r.severity),
                    indicator=r.indicator, detail=dict(r.detail),
                    evidence=Evidence(excerpt=r.excerpt, locator=r.locator, warc_record=r.warc_record,
                                      reason=r.reason),
                    observed_at=local(r.observed_at), account_id=r.account_id))
        accounts = {a.account_id: a for a in self.accounts([r.account_id for r in rows])}
        out = []
        for r in rows:
            score = None
            if r.qualified is not None:
                score = SiteScore(site_code=r.account_id, qualified=r.qualified, vetoes=list(r.vetoes or []),
                                  deductions=r.deductions or 0.0, score=r.score,
                                  losses=[PointLoss(**loss) for loss in (r.losses or [])],
                                  profile_id=r.profile_id, profile_version=r.profile_version)
            runs = [CheckRun(c["check"], r.account_id, Outcome(c["outcome"]), c.get("findings", 0),
                             c.get("message", ""), c.get("duration_ms", 0.0)) for c in (r.check_runs or [])]
            out.append(SiteResult(site=accounts[r.account_id], findings=findings.get(r.account_id, []),
                                  check_runs=runs, score=score, pages_fetched=r.posts, homepage_ok=r.homepage_ok,
                                  warc_path=r.warc_path, error=r.error))
        return out


def _finding_row(run_id: str, account_id: str, f: Finding) -> dict[str, Any]:
    ev = f.evidence
    return {"run_id": run_id, "account_id": account_id, "check": f.check, "url": f.url, "target": f.target,
            "severity": str(f.severity), "indicator": f.indicator, "detail": f.detail, "excerpt": ev.excerpt,
            "locator": ev.locator, "warc_record": ev.warc_record, "reason": ev.reason,
            "observed_at": _aware(f.observed_at, "finding observed_at")}


__all__ = ["NewMediaStore", "account_from_row"]
