"""site.unreachable — 站点无法访问: the share of failed homepage probes reaches the veto ratio."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from pydantic import Field

from govinspect.checks.base import Check, CheckContext, CheckParams, Input, NotApplicable, Scope, SiteView
from govinspect.fetch.types import Attempt
from govinspect.findings.model import Finding

SLOW = "slow"  # an answer that came later than probe_timeout_s counts as a failed probe


class SiteUnreachable(Check):
    """站点无法访问: failed homepage probes ≥ 5 % of all probes (national rule: 1 week, ≥ 20 probes a day).

    A probe fails when the homepage did not open, or opened only after more than ``probe_timeout_s``
    seconds (the rule: "still does not open after 15 s"). The ratio is taken over every attempt the
    fetch stage or the week-long sampler recorded, so more samples only sharpen the judgement.
    With no probes at all the check cannot judge and raises ``NotApplicable`` (recorded as such, never as
    "no findings"); the same with fewer than ``min_probes`` probes.
    """

    id = "site.unreachable"
    scope = Scope.SITE
    inputs = (Input.AVAILABILITY,)

    class Params(CheckParams):
        failure_ratio: float = Field(0.05, gt=0, le=1)
        probe_timeout_s: float = Field(15.0, gt=0)
        min_probes: int = Field(1, ge=1)

    def failure_class(self, attempt: Attempt) -> str | None:
        """Why a probe failed (a FailureClass value, ``http_<status>``, or ``slow``), None when it passed."""
        if not attempt.ok:
            if attempt.failure is not None:
                return str(attempt.failure)
            return f"http_{attempt.status}" if attempt.status is not None else "other"
        if attempt.elapsed > self.params.probe_timeout_s:
            return SLOW
        return None

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        # Probes our own rules stopped (address guard, robots.txt) say nothing about the site: not counted.
        attempts = [a for a in target.attempts if not a.own_refusal]
        if target.attempts and not attempts:
            why = sorted({str(a.failure) for a in target.attempts})
            raise NotApplicable(
                f"every probe was stopped by our own rules ({', '.join(why)}), not by the site: "
                "inspect private or loopback addresses only with --allow-private"
            )
        if not attempts:
            raise NotApplicable("no availability probes: the homepage was never probed, so availability cannot be judged")
        if len(attempts) < self.params.min_probes:
            raise NotApplicable(
                f"only {len(attempts)} availability probes, fewer than min_probes={self.params.min_probes}"
            )
        classes: Counter[str] = Counter()
        failed: list[Attempt] = []
        for attempt in attempts:
            cls = self.failure_class(attempt)
            if cls is not None:
                classes[cls] += 1
                failed.append(attempt)
        ratio = len(failed) / len(attempts)
        if ratio < self.params.failure_ratio:
            return
        failed.sort(key=lambda a: a.at)
        times = ", ".join(a.at.isoformat(timespec="seconds") for a in failed[:5])
        more = f" (+{len(failed) - 5})" if len(failed) > 5 else ""
        yield self.finding(
            ctx,
            target.site.homepage,
            detail={
                "probes": len(attempts),
                "failures": len(failed),
                "ratio": round(ratio, 4),
                "failure_classes": dict(sorted(classes.items())),
                "first_failure": failed[0].at.isoformat(timespec="seconds"),
                "last_failure": failed[-1].at.isoformat(timespec="seconds"),
                "threshold": self.params.failure_ratio,
            },
            excerpt=f"failed probes at {times}{more}",
            locator=f"probes:{len(attempts)}",
            warc_record=target.homepage.warc_record_id if target.homepage is not None else None,
            reason=(
                f"{len(failed)} of {len(attempts)} homepage probes failed ({ratio:.1%}), "
                f"at or above the {self.params.failure_ratio:.0%} limit"
            ),
        )
