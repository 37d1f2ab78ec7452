"""site.unreachable: failure ratio over the week's stored probes (or this run's), judged by the profile."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from govinspect.checks.availability import SiteUnreachable
from govinspect.checks.base import CheckContext, SiteView
from govinspect.errors import NotApplicable
from govinspect.fetch.types import Attempt, FailureClass
from govinspect.findings.model import Finding, Severity
from govinspect.monitor.window import ProbeWindow
from govinspect.registry.models import Site, SiteKind
from govinspect.scoring.engine import classify
from govinspect.scoring.profile import load_profile

TZ = timezone(timedelta(hours=8))
T0 = datetime(2021, 6, 8, 0, 0, tzinfo=TZ)
AS_OF = datetime(2021, 6, 15, 23, 59, 59, tzinfo=TZ)
SITE = Site(site_code="4408820001", name="雷州市人民政府网", homepage="http://www.leizhou.gov.cn:8080/",
            region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)
PROFILE = load_profile("national-2019")


def probes(ok: int, failed: int = 0, slow: int = 0, failure: FailureClass = FailureClass.TIMEOUT) -> list[Attempt]:
    """Probes at 20-minute intervals: ``ok`` good, ``failed`` failing, ``slow`` over 15 s."""
    out = [Attempt(at=T0 + timedelta(minutes=20 * i), ok=True, elapsed=0.4, status=200) for i in range(ok)]
    out += [Attempt(at=T0 + timedelta(minutes=20 * (ok + i)), ok=False, elapsed=15.0, failure=failure)
            for i in range(failed)]
    out += [Attempt(at=T0 + timedelta(minutes=20 * (ok + failed + i)), ok=True, elapsed=16.5, status=200)
            for i in range(slow)]
    return out


def week(per_day: int, failures: int, *, days: int = 7, skip_days: int = 0, end: datetime = AS_OF) -> ProbeWindow:
    """A stored window of ``days`` before ``end``: ``per_day`` probes on each day after the first
    ``skip_days``, evenly spaced; ``failures`` of them (spread over the week) timed out."""
    attempts: list[Attempt] = []
    for day in range(skip_days, days):
        day_start = end - timedelta(days=days - day)
        for i in range(per_day):
            at = day_start + timedelta(days=1) * (i + 0.5) / per_day
            attempts.append(Attempt(at=at, ok=True, elapsed=0.3, status=200))
    step = len(attempts) / failures if failures else 0
    for k in range(failures):
        i = int(k * step)
        attempts[i] = Attempt(at=attempts[i].at, ok=False, elapsed=15.0, failure=FailureClass.TIMEOUT)
    return ProbeWindow.before(end, days, attempts)


def spread(total: int, failures: int, end: datetime = AS_OF) -> ProbeWindow:
    """``total`` probes evenly over the week before ``end`` (not a whole number a day)."""
    step = timedelta(days=7) / total
    attempts = [Attempt(at=end - step * (total - i - 0.5), ok=True, elapsed=0.3, status=200) for i in range(total)]
    for k in range(failures):
        i = k * total // failures
        attempts[i] = Attempt(at=attempts[i].at, ok=False, elapsed=15.0, failure=FailureClass.DNS)
    return ProbeWindow.before(end, 7, attempts)


def context() -> CheckContext:
    return CheckContext(as_of=AS_OF, site=SITE, observed_at=AS_OF)


def run(attempts: list[Attempt], samples: ProbeWindow | None = None, ctx: CheckContext | None = None,
        **params: object) -> list[Finding]:
    check = SiteUnreachable(SiteUnreachable.Params(**params))
    view = SiteView(site=SITE, homepage=None, attempts=attempts, samples=samples)
    return list(check.run(view, ctx or context()))


def judged(findings: list[Finding]) -> list[tuple[str, Severity]]:
    classify(findings, PROFILE)
    return [(f.indicator, f.severity) for f in findings]


VETO = ("veto.site_unreachable", Severity.VETO)
WARNING = ("info.availability.failures", Severity.INFO)


# --- this run's probes only (no monitor samples): today's behaviour ------------------------------------

# (attempts, findings expected, failures expected, judged as)
CASES = [
    pytest.param(probes(133, 7), 1, 7, VETO, id="veto-5pct-exactly"),  # 7/140 = 5.0 %
    pytest.param(probes(134, 6), 1, 6, WARNING, id="near-miss-4.3pct-is-a-warning-not-a-veto"),
    pytest.param(probes(140), 0, None, None, id="all-ok"),
    pytest.param(probes(0, 1), 1, 1, VETO, id="single-failed-probe"),
    pytest.param(probes(1), 0, None, None, id="single-ok-probe"),
    pytest.param(probes(133, 0, slow=7), 1, 7, VETO, id="slow-answers-count-as-failures"),
    pytest.param(probes(100, 3, slow=3), 1, 6, VETO, id="mixed-failures-and-slow"),
]


@pytest.mark.parametrize(("attempts", "count", "failures", "verdict"), CASES)
def test_cases(attempts: list[Attempt], count: int, failures: int | None, verdict: tuple | None) -> None:
    found = run(attempts)
    assert len(found) == count
    if count:
        detail = found[0].detail
        assert detail["probes"] == len(attempts)
        assert detail["failures"] == failures
        assert detail["ratio"] == pytest.approx(failures / len(attempts), abs=1e-9)
        assert detail["source"] == "run"
        assert "window_start" not in detail  # no window: nothing pretends to be a week of monitoring
        assert found[0].check == "site.unreachable"
        assert found[0].url == SITE.homepage
        assert found[0].evidence.reason
        assert judged(found) == [verdict]


def test_failure_classes_are_counted() -> None:
    attempts = probes(10, 2, failure=FailureClass.DNS) + probes(0, 1, failure=FailureClass.REFUSED)
    attempts.append(Attempt(at=T0, ok=False, elapsed=0.2, status=503))
    (finding,) = run(attempts)
    assert finding.detail["failure_classes"] == {"dns": 2, "http_503": 1, "refused": 1}
    assert finding.detail["first_failure"] == T0.isoformat(timespec="seconds")


def test_no_probes_is_not_applicable() -> None:
    with pytest.raises(NotApplicable, match="no availability probes"):
        run([])
    with pytest.raises(NotApplicable, match="no availability probes"):
        run([], ProbeWindow.before(AS_OF, 7))  # an empty window is no probes either


def test_fewer_than_min_probes_is_not_applicable() -> None:
    with pytest.raises(NotApplicable, match="min_probes=20"):
        run(probes(5, 5), min_probes=20)
    assert run(probes(15, 5), min_probes=20)


def test_timeout_is_a_parameter_and_the_veto_line_is_the_profiles() -> None:
    slow = probes(0, slow=1)  # 16.5 s
    assert len(run(slow)) == 1
    assert run(slow, probe_timeout_s=20) == []
    attempts = probes(97, 3)  # 3 %: reported, judged a warning by the national profile
    assert judged(run(attempts)) == [WARNING]
    stricter = PROFILE.model_copy(deep=True)
    stricter.rules[0].where["ratio"] = {"gte": 0.03}  # a province's overlay moves the line, not the check
    found = run(attempts)
    classify(found, stricter)
    assert found[0].indicator == "veto.site_unreachable"


def test_bad_params_are_rejected() -> None:
    with pytest.raises(ValidationError):
        SiteUnreachable.Params(min_probes=0)
    with pytest.raises(ValidationError):
        SiteUnreachable.Params(min_probes_per_day=0)
    with pytest.raises(ValidationError):
        SiteUnreachable.Params(failure_ratio=0.05)  # the ratio belongs to the profile now


def test_our_own_refusals_are_not_the_sites_fault() -> None:
    """A probe stopped by the address guard says nothing about the site: not applicable, never a veto."""
    refused = [Attempt(at=T0, ok=False, elapsed=0.0, failure=FailureClass.PRIVATE_ADDRESS, own_refusal=True)] * 2
    with pytest.raises(NotApplicable, match="--allow-private"):
        run(refused)
    assert run(refused + probes(3)) == []  # mixed with real probes, only the real ones count
    assert len(run(refused + probes(0, 1))) == 1  # a real failure still counts
    # a site that redirects its visitors to a refused address (169.254.169.254) is the site's fault
    assert len(run(probes(0, 1, failure=FailureClass.PRIVATE_ADDRESS))) == 1


# --- the week-long monitor's samples ----------------------------------------------------------------


def test_exactly_5_percent_over_a_covered_week_is_a_veto() -> None:
    (finding,) = run([], week(20, 7))  # 7 of 140 = 5.0 %, 20 probes on every day
    d = finding.detail
    assert (d["probes"], d["failures"], d["ratio"]) == (140, 7, 0.05)
    assert d["source"] == "samples"
    assert d["window_start"] == "2021-06-08T23:59:59+08:00"
    assert d["window_end"] == "2021-06-15T23:59:59+08:00"
    assert (d["window_days"], d["probes_per_day"], d["lowest_probes_per_day"]) == (7, 20.0, 20)
    assert d["coverage_met"] is True and d["days_below_coverage"] == 0 and d["required_per_day"] == 20
    assert "coverage below" not in finding.evidence.reason
    assert judged([finding]) == [VETO]


def test_4_9_percent_is_reported_but_not_a_veto() -> None:
    (finding,) = run([], spread(1000, 49))  # 49 of 1000 = 4.9 %
    assert finding.detail["ratio"] == pytest.approx(0.049)
    assert finding.detail["coverage_met"] is True
    assert judged([finding]) == [WARNING]


def test_all_probes_passing_gives_no_finding_and_says_what_was_judged() -> None:
    ctx = context()
    assert run([], week(24, 0), ctx) == []
    assert ctx.notes["site.unreachable"].startswith("0 of 168 homepage probes failed (0.0%) from 2021-06-08T23:59")
    assert "every one of the 7 days has at least 20 probes" in ctx.notes["site.unreachable"]


def test_19_probes_a_day_is_stated_as_coverage_below_the_rule() -> None:
    ctx = context()
    (finding,) = run([], week(19, 7), ctx)  # 7 of 133 = 5.3 %, but one probe a day short of the rule
    d = finding.detail
    assert (d["probes"], d["failures"], d["probes_per_day"]) == (133, 7, 19.0)
    assert d["coverage_met"] is False and d["days_below_coverage"] == 7 and d["lowest_probes_per_day"] == 19
    assert "coverage below the rule: 7 of 7 days have fewer than 20 probes" in finding.evidence.reason
    assert judged([finding]) == [VETO]  # the failures are real: the veto stands, with its caveat stated
    clean = context()
    assert run([], week(19, 0), clean) == []  # nothing failed, but the outcome does not pretend a full week
    assert "coverage below the rule" in clean.notes["site.unreachable"]
    assert run([], week(20, 0), context()) == []


def test_days_the_monitor_missed_are_counted_as_below_coverage() -> None:
    (finding,) = run([], week(24, 8, skip_days=3))  # monitoring began 4 days before the point
    assert finding.detail["days_below_coverage"] == 3
    assert finding.detail["lowest_probes_per_day"] == 0
    assert finding.detail["coverage_met"] is False


def test_samples_are_judged_together_with_this_runs_probe() -> None:
    run_probe = [Attempt(at=AS_OF + timedelta(hours=1), ok=False, elapsed=15.0, failure=FailureClass.TIMEOUT)]
    (finding,) = run(run_probe, week(20, 0))  # 1 of 141 failed: reported, below the line
    assert (finding.detail["probes"], finding.detail["failures"], finding.detail["run_probes"]) == (141, 1, 1)
    assert finding.detail["source"] == "samples"
    assert judged([finding]) == [WARNING]
    (vetoed,) = run(run_probe, week(20, 6))  # 7 of 141 = 4.96 %: still below
    assert judged([vetoed]) == [WARNING]
    (vetoed,) = run(run_probe, week(20, 7))  # 8 of 141 = 5.7 %
    assert judged([vetoed]) == [VETO]


def test_own_refusals_among_samples_are_left_out() -> None:
    window = week(20, 7)
    refused = [Attempt(at=AS_OF - timedelta(hours=h), ok=False, elapsed=0.0, failure=FailureClass.ROBOTS,
                       own_refusal=True) for h in range(1, 30)]
    window.attempts.extend(refused)
    (finding,) = run([], window)
    assert (finding.detail["probes"], finding.detail["failures"]) == (140, 7)
    assert "robots" not in finding.detail["failure_classes"]


def test_slow_samples_fail_by_the_15_second_rule() -> None:
    window = week(20, 0)
    for i in range(0, 140, 20):  # 7 answers after 15.2 s
        window.attempts[i] = Attempt(at=window.attempts[i].at, ok=True, elapsed=15.2, status=200)
    (finding,) = run([], window)
    assert finding.detail["failure_classes"] == {"slow": 7}
    assert judged([finding]) == [VETO]
    assert run([], window, probe_timeout_s=16) == []
