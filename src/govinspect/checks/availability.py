"""site.unreachable — 站点无法访问: the share of failed homepage probes over the monitoring week."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from pydantic import Field

from govinspect.checks.base import Check, CheckContext, CheckParams, Input, NotApplicable, Scope, SiteView
from govinspect.fetch.types import Attempt
from govinspect.findings.model import Finding
from govinspect.monitor.window import coverage

SLOW = "slow"  # an answer that came later than probe_timeout_s counts as a failed probe


class SiteUnreachable(Check):
    """站点无法访问: the share of failed homepage probes (national rule: 1 week, ≥ 20 probes a day, ≥ 5 %).

    A probe fails when the homepage did not open, or opened only after more than ``probe_timeout_s``
    seconds (the rule: "still does not open after 15 s"). When the week-long monitor stored probes in the
    window before the monitoring point (``SiteView.samples``), the check judges those plus this run's own
    homepage probe; without samples, this run's probes alone. Probes our own rules stopped (address guard,
    robots.txt) are not counted. Any failed probe is reported with the facts (probes, failures, ratio,
    window, probes per day); the veto line (5 %) is the rule profile's, so a province changes it without
    code. Coverage below ``min_probes_per_day`` on any day of the window is said on the finding and on
    the outcome, never passed over. With no probes at all the check cannot judge (``NotApplicable``).
    """

    id = "site.unreachable"
    scope = Scope.SITE
    inputs = (Input.AVAILABILITY, Input.SAMPLES)

    class Params(CheckParams):
        probe_timeout_s: float = Field(15.0, gt=0)
        min_probes: int = Field(1, ge=1)
        min_probes_per_day: int = Field(20, ge=1)  # (C) the rule's coverage: at least 20 probes a day

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
        window = target.samples
        sampled = list(window.attempts) if window is not None else []
        every = sampled + list(target.attempts)
        # Probes our own rules stopped (address guard, robots.txt) say nothing about the site: not counted.
        attempts = [a for a in every if not a.own_refusal]
        if every and not attempts:
            why = sorted({str(a.failure) for a in every})
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
        window_facts: dict[str, object] = {}
        if window is None:
            span = " in this run (no monitor samples before the monitoring point)"
        else:
            cover = coverage(attempts, window.start, window.end, self.params.min_probes_per_day)
            span = (f" from {window.start.isoformat(timespec='minutes')} to {window.end.isoformat(timespec='minutes')}"
                    f"; {cover.describe()}")
            window_facts = {
                "window_start": window.start.isoformat(timespec="seconds"),
                "window_end": window.end.isoformat(timespec="seconds"),
                "window_days": len(cover.per_day),
                "probes_per_day": round(cover.average, 1),
                "lowest_probes_per_day": cover.lowest,
                "days_below_coverage": cover.days_below,
                "required_per_day": cover.required,
                "coverage_met": cover.met,
            }
        summary = f"{len(failed)} of {len(attempts)} homepage probes failed ({ratio:.1%}){span}"
        self.note(ctx, summary)
        if not failed:
            return
        failed.sort(key=lambda a: a.at)
        times = ", ".join(a.at.isoformat(timespec="seconds") for a in failed[:5])
        more = f" (+{len(failed) - 5})" if len(failed) > 5 else ""
        detail: dict[str, object] = {
            "probes": len(attempts),
            "failures": len(failed),
            "ratio": ratio,
            "failure_classes": dict(sorted(classes.items())),
            "first_failure": failed[0].at.isoformat(timespec="seconds"),
            "last_failure": failed[-1].at.isoformat(timespec="seconds"),
            "source": "samples" if window is not None else "run",
            "run_probes": len([a for a in target.attempts if not a.own_refusal]),
            **window_facts,
        }
        yield self.finding(
            ctx,
            target.site.homepage,
            detail=detail,
            excerpt=f"failed probes at {times}{more}",
            locator=f"probes:{len(attempts)}",
            warc_record=target.homepage.warc_record_id if target.homepage is not None else None,
            reason=summary,
        )
