"""Score records: what a site scored and, point by point, why."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class PointLoss:
    """One line of the explanation: an indicator that cost points (or triggered a veto)."""

    indicator: str  # e.g. deduct.function_design.dead_links, veto.columns_not_updated
    name: str  # Chinese indicator name for reports
    points: float  # points lost (0 for vetoes)
    findings: int  # how many findings fed it
    reason: str  # e.g. "12 个首页链接不可用, 每个扣1分, 本项最多扣5分"


@dataclass(slots=True)
class SiteScore:
    site_code: str
    qualified: bool
    vetoes: list[str] = field(default_factory=list)  # veto indicator ids
    deductions: float = 0.0  # points lost in the deduction part (after caps and 4/3 scaling)
    bonus: float = 0.0
    score: float | None = None  # final score; None when vetoed
    losses: list[PointLoss] = field(default_factory=list)
    profile_id: str = ""
    profile_version: str = ""
    gains: list[PointLoss] = field(default_factory=list)  # bonus lines (加分), points gained
