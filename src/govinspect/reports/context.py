"""One report context built from a :class:`RunResult`; every writer (XLSX, HTML, CSV, later DOCX) reads it.

The context does the judgement-free bookkeeping once: sites in a stable order (by 网站标识码), per-region
(地级市) aggregation like 附件1 of the quarterly notice, the unqualified-site list with reasons like 附件2,
each site's score explanation lines with the findings that fed them, and Chinese labels. New-media accounts
(``RunResult.accounts``) get the same treatment apart from the sites (``ReportContext.accounts``, counted per
region like 附件3); site totals never include them. Writers only format it.

Counting rules, stated so the numbers can be checked by hand:

- a site whose run failed or that has no score is "未完成检查": listed, but left out of pass rates;
- pass rate (合格率) = qualified sites / scored sites;
- a site on a provincial level only (region ``广东省``) is grouped as ``广东省（省级）``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from govinspect.errors import GovinspectError
from govinspect.findings.model import Finding, RunResult, SiteResult
from govinspect.reports import labels

__all__ = [
    "CheckCount",
    "FindingRow",
    "LossLine",
    "NewMediaRow",
    "RegionRow",
    "ReportContext",
    "ReportError",
    "SiteRow",
    "build_context",
    "fmt_number",
    "fmt_percent",
    "is_web_url",
    "region_group",
    "safe_relative_path",
]

STATUS_QUALIFIED = "qualified"
STATUS_UNQUALIFIED = "unqualified"
STATUS_NOT_SCORED = "not_scored"

_STATUS_NAMES = {
    STATUS_QUALIFIED: labels.QUALIFIED,
    STATUS_UNQUALIFIED: labels.UNQUALIFIED,
    STATUS_NOT_SCORED: labels.NOT_SCORED,
}
_ACCOUNT_STATUS_NAMES = {
    STATUS_QUALIFIED: labels.QUALIFIED,
    STATUS_UNQUALIFIED: labels.UNQUALIFIED,
    STATUS_NOT_SCORED: labels.NOT_INSPECTED,
}


class ReportError(GovinspectError):
    """The run result cannot be reported as it is."""


def fmt_number(value: float | int | None) -> str:
    """A score or point value without float noise: 92.5, 100, 93.33 (two decimals at most); '' for None."""
    if value is None:
        return ""
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_percent(rate: float | None) -> str:
    """A pass rate as the notices print it: 98.9%, 100%; '—' when nothing was scored."""
    if rate is None:
        return "—"
    text = f"{round(rate * 100, 1):.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def is_web_url(url: str | None) -> bool:
    """True for absolute http(s) URLs with a host: the only URLs a report turns into live links."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and url == url.strip()


def safe_relative_path(path: str | None) -> str:
    """``path`` as a POSIX path relative to the output folder, or '' when it is absolute, has a scheme or
    climbs out with ``..`` (a report links only into its own folder)."""
    if not path:
        return ""
    p = path.replace("\\", "/")
    if p.startswith("/") or ":" in p or any(part == ".." for part in p.split("/")):
        return ""
    if any(ord(ch) < 0x20 for ch in p):
        return ""
    return p


@dataclass(frozen=True, slots=True)
class FindingRow:
    """One finding with its labels and evidence, ready to print."""

    finding: Finding
    site_code: str
    site_name: str
    check: str
    check_name: str
    severity: str
    severity_name: str
    indicator: str
    indicator_name: str
    url: str
    target: str
    excerpt: str
    locator: str
    reason: str
    warc_record: str
    warc_path: str  # relative to the output folder, '' when unknown or unsafe
    observed_at: datetime | None
    detail_text: str  # detail as "key=value; …" with Chinese value names


@dataclass(frozen=True, slots=True)
class LossLine:
    """One score explanation line (PointLoss) and the findings that fed it."""

    indicator: str
    name: str
    points: float
    finding_count: int
    reason: str
    is_veto: bool
    findings: tuple[FindingRow, ...] = ()


@dataclass(frozen=True, slots=True)
class IncompleteCheck:
    """A check that did not complete on a site: its absence of findings proves nothing."""

    check: str
    check_name: str
    outcome: str
    outcome_name: str
    message: str


@dataclass(frozen=True, slots=True)
class SiteRow:
    site_code: str
    name: str
    homepage: str
    region: str
    region_group: str
    host_org: str
    kind: str
    kind_name: str
    status: str  # qualified / unqualified / not_scored
    status_name: str
    vetoes: tuple[str, ...]
    veto_names: tuple[str, ...]
    deductions: float | None
    bonus: float | None
    score: float | None
    reasons: tuple[str, ...]  # why unqualified / not scored, one line each
    losses: tuple[LossLine, ...]
    other_findings: tuple[FindingRow, ...]  # findings no score line accounts for (info, unscored)
    findings: tuple[FindingRow, ...]
    incomplete_checks: tuple[IncompleteCheck, ...]
    pages_fetched: int
    pages_left_out: int
    homepage_ok: bool
    warc_path: str
    error: str

    @property
    def qualified(self) -> bool | None:
        return None if self.status == STATUS_NOT_SCORED else self.status == STATUS_QUALIFIED

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)

    @property
    def scored(self) -> bool:
        return self.status != STATUS_NOT_SCORED

    def findings_by_severity(self) -> Counter[str]:
        return Counter(row.severity for row in self.findings)


@dataclass(frozen=True, slots=True)
class NewMediaRow:
    """One 政务新媒体 account's result: verdict, score lines and findings (``FindingRow.site_code`` holds
    the 账号ID, ``site_name`` the account name)."""

    account_id: str
    name: str
    platform: str  # registry value (wechat …)
    platform_name: str  # 微信公众号 …, as the notice prints it
    homepage: str
    region: str
    region_group: str
    host_org: str
    status: str  # qualified / unqualified / not_scored
    status_name: str  # 合格 / 不合格 / 未检查
    vetoes: tuple[str, ...]
    veto_names: tuple[str, ...]
    deductions: float | None
    score: float | None
    reasons: tuple[str, ...]
    losses: tuple[LossLine, ...]
    other_findings: tuple[FindingRow, ...]
    findings: tuple[FindingRow, ...]
    incomplete_checks: tuple[IncompleteCheck, ...]
    homepage_ok: bool
    warc_path: str
    error: str

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)

    @property
    def scored(self) -> bool:
        return self.status != STATUS_NOT_SCORED


@dataclass(frozen=True, slots=True)
class RegionRow:
    """Per-region line of 附件1: sites checked, qualified, pass rate."""

    name: str
    sites: int
    scored: int
    qualified: int
    unqualified: int
    vetoed: int
    not_scored: int
    unqualified_names: tuple[str, ...] = ()

    @property
    def pass_rate(self) -> float | None:
        return self.qualified / self.scored if self.scored else None


@dataclass(frozen=True, slots=True)
class CheckCount:
    """How often one check found something across the run."""

    check: str
    check_name: str
    findings: int
    sites: int
    by_severity: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class ReportContext:
    run_id: str
    as_of: datetime
    started_at: datetime
    finished_at: datetime | None
    run_status: str
    profile_id: str
    profile_version: str
    profile_title: str
    rules: tuple[str, ...]
    sites: tuple[SiteRow, ...]
    regions: tuple[RegionRow, ...]
    totals: RegionRow
    findings: tuple[FindingRow, ...]
    check_counts: tuple[CheckCount, ...]
    indicator_names: dict[str, str] = field(default_factory=dict)
    accounts: tuple[NewMediaRow, ...] = ()  # by 账号ID; empty when the run inspected no accounts
    account_regions: tuple[RegionRow, ...] = ()  # per region, like 附件3 (``sites`` counts accounts)
    account_totals: RegionRow | None = None

    @property
    def vetoed_sites(self) -> tuple[SiteRow, ...]:
        return tuple(s for s in self.sites if s.vetoed)

    @property
    def problem_sites(self) -> tuple[SiteRow, ...]:
        """Unqualified sites and sites whose inspection did not complete (附件2)."""
        return tuple(s for s in self.sites if s.status != STATUS_QUALIFIED)

    @property
    def overall_pass_rate(self) -> float | None:
        return self.totals.pass_rate

    def severity_counts(self) -> dict[str, int]:
        counts = Counter(row.severity for row in self.findings)
        return {sev: counts.get(sev, 0) for sev in labels.SEVERITY_NAMES}


def region_group(site: Any) -> str:
    """The 附件1 row a site (or, for 附件3, an account) counts under: its city (地级市), or ``广东省（省级）``
    for a provincial one."""
    return _region_group(site)


def _region_group(site: Any) -> str:
    parts = [p for p in str(site.region).split("/") if p]  # Site.region_parts; an Account has only region
    if len(parts) >= 2:
        return parts[1]
    if parts:
        return f"{parts[0]}（省级）"
    return "未注明地区"


def _detail_text(detail: dict[str, Any]) -> str:
    items = []
    for key, value in detail.items():
        if isinstance(value, str):
            shown = labels.detail_value_name(value)
        elif isinstance(value, bool):
            shown = "是" if value else "否"
        else:
            shown = str(value)
        items.append(f"{key}={shown}")
    return "; ".join(items)


def _finding_sort_key(f: Finding) -> tuple[str, ...]:
    ev = f.evidence
    return (
        f.check,
        f.url,
        f.target or "",
        f.indicator,
        ev.locator or "",
        ev.excerpt or "",
        ev.warc_record or "",
    )


def _profile(result: RunResult) -> tuple[str, str]:
    seen = {
        (s.score.profile_id, s.score.profile_version)
        for s in result.sites
        if s.score is not None and (s.score.profile_id or s.score.profile_version)
    }
    run_profile = (result.run.profile_id, result.run.profile_version)
    if run_profile != ("", ""):
        seen.add(run_profile)
    if len(seen) > 1:
        shown = ", ".join(f"{pid} {ver}" for pid, ver in sorted(seen))
        raise ReportError(
            f"run {result.run.run_id} mixes rule profiles ({shown}); re-score every site with one profile "
            "before writing reports"
        )
    return next(iter(seen)) if seen else ("", "")


def _finding_rows(
    findings: Iterable[Finding], code: str, name: str, warc_path: str, indicator_names: dict[str, str]
) -> tuple[FindingRow, ...]:
    """A site's or account's findings in report order; ``code``/``name`` are the 网站标识码/账号ID and name."""
    rows = []
    for f in sorted(findings, key=_finding_sort_key):
        ev = f.evidence
        rows.append(
            FindingRow(
                finding=f,
                site_code=code,
                site_name=name,
                check=f.check,
                check_name=labels.check_name(f.check),
                severity=str(f.severity),
                severity_name=labels.severity_name(f.severity),
                indicator=f.indicator,
                indicator_name=labels.indicator_name(f.indicator, indicator_names) if f.indicator else "",
                url=f.url,
                target=f.target or "",
                excerpt=ev.excerpt or "",
                locator=ev.locator or "",
                reason=ev.reason or "",
                warc_record=ev.warc_record or "",
                warc_path=warc_path,
                observed_at=f.observed_at,
                detail_text=_detail_text(f.detail),
            )
        )
    return tuple(rows)


def _loss_lines(
    score: Any, findings: tuple[FindingRow, ...], indicator_names: dict[str, str]
) -> tuple[tuple[LossLine, ...], tuple[FindingRow, ...]]:
    """The score's explanation lines with the findings that fed each, and the findings no line accounts for."""
    losses: list[LossLine] = []
    accounted: set[str] = set()
    if score is not None:
        veto_ids = set(score.vetoes)
        for loss in score.losses:
            fed = tuple(r for r in findings if r.indicator == loss.indicator)
            accounted.add(loss.indicator)
            losses.append(
                LossLine(
                    indicator=loss.indicator,
                    name=loss.name or labels.indicator_name(loss.indicator, indicator_names),
                    points=loss.points,
                    finding_count=loss.findings,
                    reason=loss.reason,
                    is_veto=loss.indicator in veto_ids,
                    findings=fed,
                )
            )
    other = tuple(r for r in findings if r.indicator not in accounted)
    return tuple(losses), other


def _verdict(
    sr: SiteResult, losses: tuple[LossLine, ...], indicator_names: dict[str, str], pass_line: float | None
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(status, reasons, vetoes) of a site or account result."""
    score = sr.score
    if score is None or sr.error:
        return STATUS_NOT_SCORED, (f"检查未完成：{sr.error}" if sr.error else "检查未完成：未评分",), ()
    vetoes = tuple(score.vetoes)
    status = STATUS_QUALIFIED if score.qualified else STATUS_UNQUALIFIED
    reason_list = []
    by_indicator = {line.indicator: line for line in losses}
    for veto in vetoes:
        line = by_indicator.get(veto)
        name = line.name if line else labels.indicator_name(veto, indicator_names)
        reason_list.append(f"{name}：{line.reason}" if line and line.reason else name)
    if not score.qualified and not vetoes:
        line_text = f"合格线{fmt_number(pass_line)}分" if pass_line is not None else "合格分数"
        reason_list.append(f"得分{fmt_number(score.score)}分，未达到{line_text}")
    return status, tuple(reason_list), vetoes


def _incomplete(sr: SiteResult) -> tuple[IncompleteCheck, ...]:
    return tuple(
        IncompleteCheck(
            check=cr.check,
            check_name=labels.check_name(cr.check),
            outcome=str(cr.outcome),
            outcome_name=labels.OUTCOME_NAMES.get(str(cr.outcome), str(cr.outcome)),
            message=cr.message,
        )
        for cr in sorted(sr.check_runs, key=lambda c: c.check)
        if str(cr.outcome) in ("error", "skipped")
    )


def _site_row(sr: SiteResult, indicator_names: dict[str, str], pass_line: float | None) -> SiteRow:
    site = sr.site
    warc_path = safe_relative_path(sr.warc_path)
    findings = _finding_rows(sr.findings, site.site_code, site.name, warc_path, indicator_names)
    losses, other = _loss_lines(sr.score, findings, indicator_names)
    status, reasons, vetoes = _verdict(sr, losses, indicator_names, pass_line)
    score = sr.score
    kind = str(site.kind)
    return SiteRow(
        site_code=site.site_code,
        name=site.name,
        homepage=site.homepage,
        region=site.region,
        region_group=_region_group(site),
        host_org=site.host_org,
        kind=kind,
        kind_name=labels.site_kind_name(kind),
        status=status,
        status_name=_STATUS_NAMES[status],
        vetoes=vetoes,
        veto_names=tuple(labels.indicator_name(v, indicator_names) for v in vetoes),
        deductions=None if status == STATUS_NOT_SCORED else score.deductions,
        bonus=None if status == STATUS_NOT_SCORED else score.bonus,
        score=None if status == STATUS_NOT_SCORED else score.score,
        reasons=reasons,
        losses=losses,
        other_findings=other,
        findings=findings,
        incomplete_checks=_incomplete(sr),
        pages_fetched=sr.pages_fetched,
        pages_left_out=sr.pages_left_out,
        homepage_ok=sr.homepage_ok,
        warc_path=warc_path,
        error=sr.error,
    )


def _account_row(sr: SiteResult, indicator_names: dict[str, str], pass_line: float | None) -> NewMediaRow:
    account = sr.site
    warc_path = safe_relative_path(sr.warc_path)
    findings = _finding_rows(sr.findings, account.account_id, account.name, warc_path, indicator_names)
    losses, other = _loss_lines(sr.score, findings, indicator_names)
    status, reasons, vetoes = _verdict(sr, losses, indicator_names, pass_line)
    return NewMediaRow(
        account_id=account.account_id,
        name=account.name,
        platform=str(account.platform),
        platform_name=account.platform_label,
        homepage=account.homepage,
        region=account.region,
        region_group=_region_group(account),
        host_org=account.host_org,
        status=status,
        status_name=_ACCOUNT_STATUS_NAMES[status],
        vetoes=vetoes,
        veto_names=tuple(labels.indicator_name(v, indicator_names) for v in vetoes),
        deductions=None if status == STATUS_NOT_SCORED else sr.score.deductions,
        score=None if status == STATUS_NOT_SCORED else sr.score.score,
        reasons=reasons,
        losses=losses,
        other_findings=other,
        findings=findings,
        incomplete_checks=_incomplete(sr),
        homepage_ok=sr.homepage_ok,
        warc_path=warc_path,
        error=sr.error,
    )


def _aggregate(name: str, sites: Iterable[SiteRow | NewMediaRow]) -> RegionRow:
    group = list(sites)
    return RegionRow(
        name=name,
        sites=len(group),
        scored=sum(1 for s in group if s.scored),
        qualified=sum(1 for s in group if s.status == STATUS_QUALIFIED),
        unqualified=sum(1 for s in group if s.status == STATUS_UNQUALIFIED),
        vetoed=sum(1 for s in group if s.vetoed),
        not_scored=sum(1 for s in group if not s.scored),
        unqualified_names=tuple(s.name for s in group if s.status == STATUS_UNQUALIFIED),
    )


def build_context(result: RunResult, *, rules: Sequence[str] = (), profile: Any = None) -> ReportContext:
    """Build the report context of one run.

    ``rules`` are the counting rules the report states in its header (e.g. 未注明发布时间的信息视为不更新).
    ``profile`` is the rule profile the run was scored with (``govinspect.scoring.profile.Profile``); when
    given, it names indicators no score line names (info findings), its title and pass line are printed,
    and it must be the profile the scores name.
    """
    codes = [sr.site.site_code for sr in result.sites]
    dupes = sorted(code for code, n in Counter(codes).items() if n > 1)
    if dupes:
        raise ReportError(
            f"site codes appear more than once in run {result.run.run_id}: {', '.join(dupes)}; "
            "fix the registry so every 网站标识码 is unique"
        )
    profile_id, profile_version = _profile(result)
    if profile is not None:
        if (profile_id, profile_version) not in (("", ""), (profile.id, profile.version)):
            raise ReportError(
                f"run {result.run.run_id} was scored with {profile_id} {profile_version}, not with "
                f"{profile.id} {profile.version}; report it with the profile it was scored with"
            )
        profile_id, profile_version = profile.id, profile.version

    accounts = result.accounts
    everything = [*result.sites, *accounts]
    indicator_names: dict[str, str] = {}
    for sr in everything:
        if sr.score is not None:
            for loss in sr.score.losses:
                if loss.name:
                    indicator_names.setdefault(loss.indicator, loss.name)
    if profile is not None:
        used = {f.indicator for sr in everything for f in sr.findings if f.indicator}
        used |= {v for sr in everything if sr.score is not None for v in sr.score.vetoes}
        for indicator in sorted(used - set(indicator_names)):
            name = profile.indicator_name(indicator)
            if name and name != indicator:
                indicator_names[indicator] = name
    pass_line = getattr(profile, "pass_line", None)

    site_rows = tuple(
        _site_row(sr, indicator_names, pass_line)
        for sr in sorted(result.sites, key=lambda s: s.site.site_code)
    )

    groups: dict[str, list[SiteRow]] = defaultdict(list)
    for row in site_rows:
        groups[row.region_group].append(row)
    regions = tuple(_aggregate(name, rows) for name, rows in groups.items())  # site-code order of first site

    findings = tuple(row for site in site_rows for row in site.findings)

    per_check: dict[str, list[FindingRow]] = defaultdict(list)
    for row in findings:
        per_check[row.check].append(row)
    check_counts = tuple(
        CheckCount(
            check=check,
            check_name=labels.check_name(check),
            findings=len(rows),
            sites=len({r.site_code for r in rows}),
            by_severity=tuple(sorted(Counter(r.severity for r in rows).items())),
        )
        for check, rows in sorted(per_check.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )

    account_rows = tuple(
        _account_row(sr, indicator_names, pass_line) for sr in sorted(accounts, key=lambda a: a.site.account_id)
    )
    account_groups: dict[str, list[NewMediaRow]] = defaultdict(list)
    for account in account_rows:
        account_groups[account.region_group].append(account)

    return ReportContext(
        run_id=result.run.run_id,
        as_of=result.run.as_of,
        started_at=result.run.started_at,
        finished_at=result.run.finished_at,
        run_status=result.run.status,
        profile_id=profile_id,
        profile_version=profile_version,
        profile_title=getattr(profile, "title", "") or "",
        rules=tuple(r for r in rules if r),
        sites=site_rows,
        regions=regions,
        totals=_aggregate("合计", site_rows),
        findings=findings,
        check_counts=check_counts,
        indicator_names=indicator_names,
        accounts=account_rows,
        account_regions=tuple(_aggregate(name, rows) for name, rows in account_groups.items()),
        account_totals=_aggregate("合计", account_rows) if account_rows else None,
    )
