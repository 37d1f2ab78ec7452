"""整改跟踪: a finding's rectification, step by step, with the whole history kept.

A finding starts ``open``. The site's operator marks it ``fixed`` with a note of what was done; an
inspector then ``accepted`` it or ``rejected`` it (with the reason), and a rejected finding can be marked
fixed again. Each step is a new row (nothing is overwritten) and is written only if the finding is still
in the status the user saw, so two people acting at once cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, insert, select

from govinspect.findings.store import Store
from govinspect.findings.tables import FindingRow
from govinspect.web.auth import User, WebError
from govinspect.web.tables import RectificationRow

MAX_NOTE = 2000


class RectStatus(StrEnum):
    OPEN = "open"
    FIXED = "fixed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


STATUS_NAMES = {
    RectStatus.OPEN: "待整改",
    RectStatus.FIXED: "已整改待审核",
    RectStatus.ACCEPTED: "整改通过",
    RectStatus.REJECTED: "整改未通过",
}

ACTION_NAMES = {
    RectStatus.FIXED: "标记已整改",
    RectStatus.ACCEPTED: "审核通过",
    RectStatus.REJECTED: "退回重改",
}

# status -> the steps that may follow it
TRANSITIONS: dict[RectStatus, tuple[RectStatus, ...]] = {
    RectStatus.OPEN: (RectStatus.FIXED,),
    RectStatus.REJECTED: (RectStatus.FIXED,),
    RectStatus.FIXED: (RectStatus.ACCEPTED, RectStatus.REJECTED),
    RectStatus.ACCEPTED: (),
}


class RectificationError(WebError):
    """A rectification step is not allowed now (the finding is not in a status that permits it)."""

    status_code = 409


class RectificationForbidden(RectificationError):
    """The step exists for this status, but the user's role may not take it."""

    status_code = 403


class FindingNotFound(RectificationError):
    """No such finding on this site in this run."""

    status_code = 404


@dataclass(frozen=True, slots=True)
class Step:
    """One row of the history."""

    id: int
    run_id: str
    site_code: str
    finding_id: int
    check: str
    url: str
    status: RectStatus
    note: str
    updated_by: str
    updated_at: datetime

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]


def allowed_actions(user: User, site: Any, status: RectStatus) -> tuple[RectStatus, ...]:
    """The steps ``user`` may take on a finding of ``site`` in ``status``."""
    out = []
    for step in TRANSITIONS[status]:
        if step is RectStatus.FIXED and user.can_mark_fixed(site):
            out.append(step)
        elif step in (RectStatus.ACCEPTED, RectStatus.REJECTED) and user.can_review(site):
            out.append(step)
    return tuple(out)


class RectificationStore:
    """The rectification history in the database of an opened :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    def _step(self, r: Any) -> Step:
        return Step(
            id=int(r.id),
            run_id=r.run_id,
            site_code=r.site_code,
            finding_id=int(r.finding_id),
            check=r.check,
            url=r.url,
            status=RectStatus(r.status),
            note=r.note,
            updated_by=r.updated_by,
            updated_at=r.updated_at.astimezone(self.store.tz),
        )

    def history(self, run_id: str, site_code: str | None = None) -> dict[int, list[Step]]:
        """``finding id -> steps, oldest first`` for a run (or one site of it)."""
        query = select(RectificationRow.__table__).where(RectificationRow.run_id == run_id)
        if site_code is not None:
            query = query.where(RectificationRow.site_code == site_code)
        out: dict[int, list[Step]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(query.order_by(RectificationRow.id)):
                out.setdefault(int(r.finding_id), []).append(self._step(r))
        return out

    def latest(self, run_ids: list[str] | None = None, limit: int = 5000) -> list[Step]:
        """The current step of every finding that has one, newest first (optionally in some runs)."""
        newest = select(func.max(RectificationRow.id)).group_by(RectificationRow.finding_id)
        if run_ids is not None:
            newest = newest.where(RectificationRow.run_id.in_(run_ids))
        query = (
            select(RectificationRow.__table__)
            .where(RectificationRow.id.in_(newest.scalar_subquery()))
            .order_by(RectificationRow.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [self._step(r) for r in conn.execute(query)]

    def apply(
        self,
        user: User,
        site: Any,
        run_id: str,
        finding_id: int,
        step: RectStatus | str,
        note: str,
        *,
        expected: RectStatus | str | None = None,
    ) -> Step:
        """Record ``step`` on a finding if ``user`` may take it now; ``expected`` is the status shown."""
        try:
            step = RectStatus(step)
        except ValueError:
            raise RectificationError(f"unknown step {step!r}: use fixed, accepted or rejected") from None
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise RectificationError(f"the note is over {MAX_NOTE} characters: shorten it")
        if step in (RectStatus.FIXED, RectStatus.REJECTED) and not note:
            raise RectificationError("请填写说明：整改情况或退回原因")
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            if self.store.is_sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            finding = conn.execute(
                select(FindingRow.check, FindingRow.url).where(
                    FindingRow.id == finding_id,
                    FindingRow.run_id == run_id,
                    FindingRow.site_code == site.site_code,
                )
            ).first()
            if finding is None:
                raise FindingNotFound(f"该批次中网站 {site.site_code} 没有编号为 {finding_id} 的问题")
            last = conn.scalar(
                select(RectificationRow.status)
                .where(RectificationRow.finding_id == finding_id, RectificationRow.run_id == run_id)
                .order_by(RectificationRow.id.desc())
                .limit(1)
            )
            current = RectStatus(last) if last else RectStatus.OPEN
            if expected is not None and RectStatus(expected) is not current:
                raise RectificationError("该问题的整改状态已被他人更新，请刷新页面后重试")
            if step in TRANSITIONS[current] and step not in allowed_actions(user, site, current):
                raise RectificationForbidden(
                    f"您的角色不能对该问题执行「{ACTION_NAMES.get(step, step)}」"
                )
            if step not in TRANSITIONS[current]:
                raise RectificationError(
                    f"当前状态为「{STATUS_NAMES[current]}」，您不能执行「{ACTION_NAMES.get(step, step)}」"
                )
            result = conn.execute(
                insert(RectificationRow).returning(RectificationRow.id),
                {
                    "run_id": run_id,
                    "site_code": site.site_code,
                    "finding_id": finding_id,
                    "check": finding.check,
                    "url": finding.url,
                    "status": str(step),
                    "note": note,
                    "updated_by": user.username,
                    "updated_at": now,
                },
            )
            new_id = int(result.scalar_one())
        return Step(new_id, run_id, site.site_code, finding_id, finding.check, finding.url, step, note,
                    user.username, now.astimezone(self.store.tz))


def current_status(history: list[Step] | None) -> RectStatus:
    return history[-1].status if history else RectStatus.OPEN


__all__ = [
    "ACTION_NAMES",
    "STATUS_NAMES",
    "TRANSITIONS",
    "RectStatus",
    "FindingNotFound",
    "RectificationError",
    "RectificationForbidden",
    "RectificationStore",
    "Step",
    "allowed_actions",
    "current_status",
]
