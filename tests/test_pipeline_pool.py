"""The analysis pool: worker processes give the findings the run's own process gives, and a failing
pool falls back to the run's process without losing the site."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from govinspect.archive.pageview import PageView
from govinspect.checks.base import Scope, SiteView
from govinspect.checks.registry import build_checks
from govinspect.demo.farm import AS_OF, PORT_TOKEN, build_farm, iter_pages
from govinspect.findings.model import Finding
from govinspect.pipeline import AnalysisPool, RunContext, _check_site, _prepare, analysis_workers, run_site
from govinspect.registry.models import Site, SiteKind
from govinspect.settings import Settings
from tests.mockserver import MockServer, mockserver  # noqa: F401 - fixture

TZ = ZoneInfo("Asia/Shanghai")


def _farm_view() -> SiteView:
    """One demo-farm site with planted problems, as the crawl would hand it over (pages, no trees)."""
    farm = build_farm()
    content = {"privacy.leak", "content.spam", "content.dark_link", "content.wrong_region", "footer.missing"}
    counts: dict[str, int] = {}
    for planted in farm.planted:
        if planted.check in content:
            counts[planted.site_code] = counts.get(planted.site_code, 0) + 1
    code = max(counts, key=lambda c: counts[c])
    site = next(s for s in farm.sites if s.site_code == code)
    pages = []
    for farm_site, path, body, ctype in iter_pages(farm):
        if farm_site is site and "html" in ctype:
            html = body.replace(PORT_TOKEN.encode(), b"8080").decode(site.encoding, "replace")
            url = f"http://{site.host}:8080/" + path.lstrip("/")
            pages.append(PageView(url, html, depth=0 if path == "/" else 1))
    pages.sort(key=lambda p: (p.depth, p.url))
    registered = Site(site_code=site.site_code, name=site.name, homepage=f"http://{site.host}:8080/",
                      region=site.region, host_org=site.host_org, kind=SiteKind(site.kind))
    return SiteView(site=registered, homepage=pages[0], pages=pages)


def _comparable(findings: list[Finding]) -> list[dict[str, Any]]:
    return sorted((asdict(f) for f in findings), key=repr)


def test_workers_chosen_by_setting_cores_and_sites() -> None:
    assert analysis_workers(0, 50) == 0
    assert analysis_workers(3, 2) == 2
    assert analysis_workers(2, 50) == 2
    assert analysis_workers(-1, 1) == 0  # one site: not worth a process
    assert analysis_workers(-1, 3) == 0
    assert analysis_workers(-1, 50) in range(0, 50)  # none on one core, else every core but one


async def test_worker_findings_equal_in_process_findings() -> None:
    settings = Settings()
    checks = build_checks(settings)
    as_of = AS_OF
    observed = datetime(2021, 6, 15, 12, tzinfo=TZ)
    local_view = _farm_view()
    assert len(local_view.pages) > 5
    urls = _prepare(local_view, as_of)
    local, local_runs = _check_site(local_view, checks, as_of, observed)
    assert not urls and local, "the planted site yields findings without rendering"

    pool = AnalysisPool(checks, 1)
    try:
        outcome = await pool.analyse(_farm_view(), as_of, observed, settings)
    finally:
        pool.close()
    assert not outcome.failure and not outcome.render
    assert _comparable(outcome.findings) == _comparable(local)
    assert [(r.check, r.outcome, r.findings) for r in outcome.check_runs] == [
        (r.check, r.outcome, r.findings) for r in local_runs]


class _BrokenPool:
    """Stands for a pool whose processes cannot run (killed, not allowed in a daemon process…)."""

    calls = 0

    async def analyse(self, *args: object) -> object:
        type(self).calls += 1
        raise RuntimeError("no worker processes here")


async def test_failing_pool_falls_back_to_the_run_process(mockserver: MockServer, tmp_path: Path) -> None:  # noqa: F811
    from govinspect.fetch.client import Fetcher
    from govinspect.fetch.links import LinkChecker
    from govinspect.scoring.profile import load_profile

    mockserver.pages["/"] = ("<html><head><title>雷州市人民政府</title></head><body><div class='nav'>"
                             "<a href='/a.html'>测试页面</a></div><div class='footer'>网站标识码：4408820001</div>"
                             "</body></html>", "text/html; charset=utf-8")
    mockserver.pages["/a.html"] = ("<html><body><p>正文</p></body></html>", "text/html; charset=utf-8")
    settings = Settings(fetch={"allow_private": True, "obey_robots": False, "retries": 0})
    site = Site(site_code="4408820001", name="雷州市人民政府", homepage=mockserver.url("/"),
                region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)
    profile = load_profile(settings.profile, settings.profile_overlay)
    async with Fetcher(settings.fetch) as fetcher:
        rc = RunContext(settings=settings, as_of=AS_OF, out_dir=tmp_path, checks=build_checks(settings),
                        profile=profile, fetcher=fetcher, links=LinkChecker(fetcher),
                        analysis=_BrokenPool(),  # type: ignore[arg-type]
                        analysis_gate=asyncio.Semaphore(1))
        result = await run_site(site, rc)
    assert _BrokenPool.calls == 1 and rc.analysis is None  # not tried again for the next sites
    assert not result.error and result.pages_fetched == 2 and result.score is not None
    site_checks = {c.id for c in rc.checks if c.scope is not Scope.ACCOUNT}  # account checks run per account
    assert {r.check for r in result.check_runs} == site_checks


@pytest.mark.parametrize("setting", [-2])
def test_negative_settings_other_than_auto_are_refused(setting: int) -> None:
    from govinspect.errors import ConfigError
    from govinspect.settings import load_settings

    with pytest.raises(ConfigError, match="analysis_processes"):
        load_settings(crawl={"analysis_processes": setting})


def test_worker_warm_up_runs_every_check_cleanly_and_loads_their_data(caplog: pytest.LogCaptureFixture) -> None:
    """A worker's warm-up goes through discovery and every check without an error (an error would only be
    logged, so the log is what must stay clean) and leaves the checks' data loaded for the first site."""
    from govinspect.content.lexicon import default_lexicon
    from govinspect.pipeline import warm_up

    checks = build_checks(Settings())
    default_lexicon.cache_clear()
    with caplog.at_level("DEBUG", logger="govinspect.pipeline"):
        warm_up(checks)
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert any("analysis_warm_up seconds=" in r.getMessage() for r in caplog.records)
    assert default_lexicon.cache_info().currsize == 1  # loaded by the warm-up, ready for the first site
