"""site.unreachable: failure ratio over every availability probe."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from govinspect.checks.availability import SiteUnreachable
from govinspect.checks.base import CheckContext, SiteView
from govinspect.errors import NotApplicable
from govinspect.fetch.types import Attempt, FailureClass
from govinspect.registry.models import Site, SiteKind

TZ = timezone(timedelta(hours=8))
T0 = datetime(2021, 6, 8, 0, 0, tzinfo=TZ)
SITE = Site(site_code="4408820001", name="雷州市人民政府网", homepage="http://www.leizhou.gov.cn:8080/",
            region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)


def probes(ok: int, failed: int = 0, slow: int = 0, failure: FailureClass = FailureClass.TIMEOUT) -> list[Attempt]:
    """A week of probes at 20-minute intervals: ``ok`` good, ``failed`` failing, ``slow`` over 15 s."""
    out = [Attempt(at=T0 + timedelta(minutes=20 * i), ok=True, elapsed=0.4, status=200) for i in range(ok)]
    out += [Attempt(at=T0 + timedelta(minutes=20 * (ok + i)), ok=False, elapsed=15.0, failure=failure)
            for i in range(failed)]
    out += [Attempt(at=T0 + timedelta(minutes=20 * (ok + failed + i)), ok=True, elapsed=16.5, status=200)
            for i in range(slow)]
    return out


def run(attempts: list[Attempt], **params: object) -> list:
    check = SiteUnreachable(SiteUnreachable.Params(**params))
    ctx = CheckContext(as_of=T0 + timedelta(days=7), site=SITE, observed_at=T0 + timedelta(days=7))
    return list(check.run(SiteView(site=SITE, homepage=None, attempts=attempts), ctx))


# (attempts, findings expected, failures expected)
CASES = [
    pytest.param(probes(133, 7), 1, 7, id="veto-5pct-exactly"),  # 7/140 = 5.0 %
    pytest.param(probes(134, 6), 0, None, id="near-miss-4.3pct"),
    pytest.param(probes(140), 0, None, id="all-ok"),
    pytest.param(probes(0, 1), 1, 1, id="single-failed-probe"),
    pytest.param(probes(1), 0, None, id="single-ok-probe"),
    pytest.param(probes(133, 0, slow=7), 1, 7, id="slow-answers-count-as-failures"),
    pytest.param(probes(100, 3, slow=3), 1, 6, id="mixed-failures-and-slow"),
]


@pytest.mark.parametrize(("attempts", "count", "failures"), CASES)
def test_cases(attempts: list[Attempt], count: int, failures: int | None) -> None:
    found = run(attempts)
    assert len(found) == count
    if count:
        detail = found[0].detail
        assert detail["probes"] == len(attempts)
        assert detail["failures"] == failures
        assert detail["ratio"] == pytest.approx(failures / len(attempts), abs=1e-4)
        assert found[0].check == "site.unreachable"
        assert found[0].url == SITE.homepage
        assert found[0].evidence.reason


def test_failure_classes_are_counted() -> None:
    attempts = probes(10, 2, failure=FailureClass.DNS) + probes(0, 1, failure=FailureClass.REFUSED)
    attempts.append(Attempt(at=T0, ok=False, elapsed=0.2, status=503))
    (finding,) = run(attempts)
    assert finding.detail["failure_classes"] == {"dns": 2, "http_503": 1, "refused": 1}
    assert finding.detail["first_failure"] == T0.isoformat(timespec="seconds")


def test_no_probes_is_not_applicable() -> None:
    with pytest.raises(NotApplicable, match="no availability probes"):
        run([])


def test_fewer_than_min_probes_is_not_applicable() -> None:
    with pytest.raises(NotApplicable, match="min_probes=20"):
        run(probes(5, 5), min_probes=20)
    assert run(probes(15, 5), min_probes=20)


def test_ratio_and_timeout_are_parameters() -> None:
    attempts = probes(97, 3)  # 3 %
    assert run(attempts) == []
    assert len(run(attempts, failure_ratio=0.03)) == 1
    slow = probes(0, slow=1)  # 16.5 s
    assert len(run(slow)) == 1
    assert run(slow, probe_timeout_s=20) == []


def test_bad_params_are_rejected() -> None:
    with pytest.raises(ValidationError):
        SiteUnreachable.Params(failure_ratio=0)
    with pytest.raises(ValidationError):
        SiteUnreachable.Params(min_probes=0)


def test_our_own_refusals_are_not_the_sites_fault() -> None:
    """A probe stopped by the address guard says nothing about the site: not applicable, never a veto."""
    refused = [Attempt(at=T0, ok=False, elapsed=0.0, failure=FailureClass.PRIVATE_ADDRESS, own_refusal=True)] * 2
    with pytest.raises(NotApplicable, match="--allow-private"):
        run(refused)
    assert run(refused + probes(3)) == []  # mixed with real probes, only the real ones count
    assert len(run(refused + probes(0, 1))) == 1  # a real failure still counts
    # a site that redirects its visitors to a refused address (169.254.169.254) is the site's fault
    assert len(run(probes(0, 1, failure=FailureClass.PRIVATE_ADDRESS))) == 1
