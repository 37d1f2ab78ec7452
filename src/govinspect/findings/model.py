"""In-memory result records, the shape of ``findings.jsonl`` (interfaces.md §3)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    VETO = "veto"  # alone or with others triggers a veto indicator
    DEDUCT = "deduct"
    INFO = "info"


class Outcome(StrEnum):
    """How one check ran on one target. "No findings" never means "could not run"."""

    COMPLETED = "completed"
    SKIPPED = "skipped"  # inputs missing (e.g. homepage not fetched)
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"


@dataclass(slots=True)
class Evidence:
    """Why a finding exists and where to see it again."""

    excerpt: str = ""
    locator: str = ""  # css:…, xpath, "header:Strict-Transport-Security", "row 12"
    warc_record: str | None = None  # <urn:uuid:…> of the response record
    reason: str = ""  # why it matched, in words
    screenshot: str | None = None  # path relative to the run's output folder


@dataclass(slots=True)
class Finding:
    """One problem found by one check; severity and indicator come from the rule profile."""

    check: str
    site_code: str
    url: str
    target: str | None = None
    severity: Severity = Severity.DEDUCT
    indicator: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    evidence: Evidence = field(default_factory=Evidence)
    observed_at: datetime | None = None
    account_id: str | None = None  # set for a new-media account's finding (site_code is then "")

    def to_json_dict(self) -> dict[str, Any]:
        """The keys and order of interfaces.md §3; an account's finding adds ``account_id`` (its
        ``site_code`` is null)."""
        ev = asdict(self.evidence)
        out = {
            "check": self.check,
            "site_code": self.site_code if self.account_id is None else (self.site_code or None),
            "url": self.url,
            "target": self.target,
            "severity": str(self.severity),
            "indicator": self.indicator,
            "detail": self.detail,
            "evidence": {k: v for k, v in ev.items() if v not in (None, "") or k in ("excerpt", "locator", "warc_record")},
            "observed_at": self.observed_at.isoformat(timespec="seconds") if self.observed_at else None,
        }
        if self.account_id is not None:
            out["account_id"] = self.account_id
        return out


@dataclass(slots=True)
class CheckRun:
    """The outcome of one check on one site (or page set) in one run."""

    check: str
    site_code: str
    outcome: Outcome
    findings: int = 0
    message: str = ""  # why skipped / the error, one line
    duration_ms: float = 0.0


@dataclass(slots=True)
class RunInfo:
    run_id: str
    as_of: datetime
    started_at: datetime
    finished_at: datetime | None = None
    profile_id: str = ""
    profile_version: str = ""
    status: str = "running"  # running / finished / interrupted


@dataclass(slots=True)
class SiteResult:
    """Everything one run learned about one site, as stored and as reported."""

    site: Any  # govinspect.registry.models.Site
    findings: list[Finding] = field(default_factory=list)
    check_runs: list[CheckRun] = field(default_factory=list)
    score: Any = None  # govinspect.scoring.model.SiteScore
    pages_fetched: int = 0
    pages_left_out: int = 0
    homepage_ok: bool = False
    warc_path: str = ""  # relative to the output folder
    error: str = ""  # the site run itself failed (not a finding)


@dataclass(slots=True)
class RunResult:
    run: RunInfo
    sites: list[SiteResult] = field(default_factory=list)
    accounts: list[SiteResult] = field(default_factory=list)  # new-media accounts: ``site`` is an Account
