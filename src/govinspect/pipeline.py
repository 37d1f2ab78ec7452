"""The single orchestration: one site through fetch → archive → checks → classify → score.

``run_site`` is what the CLI, the Celery worker and the dashboard's "re-check now" call; ``run_inspection``
runs a whole registry on one machine (asyncio, sites in parallel, one shared link cache) and stores each
site's result as soon as it is done, so an interrupted run resumes without losing or duplicating work.

A site's work is I/O (crawl, link checks, WARC) then CPU (栏目 discovery, choosing pages to render,
checks). The I/O stays in the run's process, with its one client and link cache; the CPU part goes to
an :class:`AnalysisPool` of worker processes when the run has several sites and the machine several
cores, since one Python process runs its checks on one core whatever its threads. Only the site view
crosses to a worker and only findings and check outcomes come back, so the results are the same.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import itertools
import logging
import multiprocessing
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from govinspect.checks.base import Check, CheckContext, Input, Scope, SiteView
from govinspect.errors import GovinspectError, NotApplicable
from govinspect.findings.model import CheckRun, Finding, Outcome, RunInfo, RunResult, SiteResult
from govinspect.registry.models import Account, Site, SiteStatus

if TYPE_CHECKING:
    from govinspect.archive.pageview import PageView
    from govinspect.fetch.client import Fetcher, PriorityGate
    from govinspect.fetch.links import LinkChecker
    from govinspect.findings.store import Store
    from govinspect.monitor.window import ProbeWindow
    from govinspect.scoring.profile import Profile
    from govinspect.settings import Settings

log = logging.getLogger(__name__)

ProgressFn = Callable[[SiteResult], None]


@dataclass
class RunContext:
    """What every site of one run shares: settings, checks, profile, the client and the link cache."""

    settings: Settings
    as_of: datetime
    out_dir: Path
    checks: list[Check]
    profile: Profile
    fetcher: Fetcher
    links: LinkChecker
    observed_at: datetime = field(default_factory=lambda: datetime.now(ZoneInfo("Asia/Shanghai")))
    analysis: AnalysisPool | None = None  # worker processes for the CPU part; None: in this process
    analysis_gate: asyncio.Semaphore | None = None  # sites analysed at once in this process
    parse_gate: PriorityGate | None = None  # the crawl's page parsing, earliest-started site first
    samples: dict[str, ProbeWindow] = field(default_factory=dict)  # monitor probes before as_of, by site


def new_run_id(as_of: datetime) -> str:
    """Readable and unique: ``20210615-1a2b3c``."""
    return f"{as_of:%Y%m%d}-{secrets.token_hex(3)}"


def _missing_inputs(check: Check, view: SiteView) -> str:
    if Input.HOMEPAGE in check.inputs and view.homepage is None:
        if view.homepage_failure:
            return f"homepage not fetched ({view.homepage_failure})"
        return "homepage answered but is not an HTML page (binary or another content type)"
    return ""


def run_checks(view: SiteView, checks: Iterable[Check], ctx: CheckContext,
               extra_pages: list[PageView] | None = None) -> tuple[list[Finding], list[CheckRun]]:
    """Run every check over one site view; every check records an outcome, findings or not.

    SITE checks run first over the whole view. PAGE checks run page by page over the fetched pages and
    ``extra_pages`` (attachments turned into pages), and each page's parse tree is released once its
    checks are done, so memory stays bounded by one page, not by the site.
    """
    checks = [c for c in checks if c.scope is not Scope.ACCOUNT]  # accounts: newmedia.run.run_account
    findings: list[Finding] = []
    state: dict[str, _CheckState] = {c.id: _CheckState() for c in checks}
    page_checks: list[Check] = []
    for check in checks:
        st = state[check.id]
        st.missing = _missing_inputs(check, view)
        if st.missing:
            continue
        if check.scope is Scope.PAGE:
            page_checks.append(check)
            continue
        started = time.perf_counter()
        try:
            st.findings.extend(check.run(view, ctx))
        except NotApplicable as exc:
            st.not_applicable = str(exc)
        except Exception as exc:  # a broken check must not sink the site: record it
            log.exception("check_failed check=%s site=%s", check.id, view.site.site_code)
            st.error = f"{type(exc).__name__}: {exc}"[:500]
        st.seconds += time.perf_counter() - started
    for page in [*view.pages, *(extra_pages or [])]:
        for check in page_checks:
            st = state[check.id]
            if st.error:
                continue
            started = time.perf_counter()
            try:
                st.findings.extend(check.run(page, ctx))
            except NotApplicable:
                pass
            except Exception as exc:
                log.exception("check_failed check=%s site=%s url=%s", check.id, view.site.site_code, page.url)
                st.error = f"{type(exc).__name__} on {page.url}: {exc}"[:500]
            st.seconds += time.perf_counter() - started
        page.release()
    runs: list[CheckRun] = []
    code = view.site.site_code
    for check in checks:
        st = state[check.id]
        if st.missing:
            runs.append(CheckRun(check.id, code, Outcome.SKIPPED, message=st.missing))
        elif st.error:
            runs.append(CheckRun(check.id, code, Outcome.ERROR, message=st.error))
        elif st.not_applicable is not None:
            runs.append(CheckRun(check.id, code, Outcome.NOT_APPLICABLE, message=st.not_applicable))
        else:
            findings.extend(st.findings)
            runs.append(CheckRun(check.id, code, Outcome.COMPLETED, findings=len(st.findings),
                                 duration_ms=st.seconds * 1000, message=ctx.notes.get(check.id, "")))
    return findings, runs


@dataclass
class _CheckState:
    findings: list[Finding] = field(default_factory=list)
    missing: str = ""
    error: str = ""
    not_applicable: str | None = None
    seconds: float = 0.0


async def run_site(site: Site, rc: RunContext) -> SiteResult:
    """Inspect one site: crawl into a WARC, build its SiteView, run checks, classify and score."""
    from govinspect.columns.plan import ColumnPlan
    from govinspect.fetch.crawl import crawl_site
    from govinspect.scoring.engine import classify, score

    evidence_dir = rc.out_dir / "evidence"
    evidence_dir.mkdir(parents=True, exist_ok=True)
    warc_path = evidence_dir / f"{site.site_code}.warc.gz"
    plan = ColumnPlan(site.homepage, max_depth=rc.settings.crawl.max_depth,
                      max_list_pages=rc.settings.crawl.max_list_pages, as_of=rc.as_of.date())
    crawl = await crawl_site(site, rc.settings, rc.fetcher, rc.links, warc_path, plan=plan, keep_trees=False,
                             keep_derived=rc.analysis is None, parse_gate=rc.parse_gate)
    view = crawl.to_site_view()
    view.samples = rc.samples.get(site.site_code)  # loaded by run_inspection; checks never fetch
    # Pages arrive in completion order; checks see them in a stable order (homepage first, then by depth
    # and URL) so that the same site gives the same findings and evidence on every run and on resume.
    view.pages.sort(key=lambda p: (p is not view.homepage, p.depth, p.url))
    not_inspected = _own_refusal(crawl.attempts)
    if rc.settings.security.enabled and view.homepage is not None:
        crawl.results.clear()  # every fetched body again; the probes read only pages, homepage and extras
        view.extras["security"] = await _probe_security(site, crawl, rc, evidence_dir)
    del crawl  # its fetch results hold every body again; the view has what the checks read
    release_memory()
    outcome: _Outcome | None = None
    if rc.analysis is not None:
        try:
            outcome = await rc.analysis.analyse(view, rc.as_of, rc.observed_at, rc.settings)
        except Exception as exc:  # the pool itself failed (a worker killed, no processes allowed…)
            log.warning("analysis_pool_failed site=%s error=%s: analysing in the run's process from now on",
                        site.site_code, f"{type(exc).__name__}: {exc}"[:300])
            rc.analysis = None
    if outcome is None:
        gate = rc.analysis_gate or asyncio.Semaphore(1)
        async with gate:
            outcome = await _analyse_here(view, rc)
    if outcome.failure:
        return SiteResult(site=site, error=outcome.failure)
    findings, check_runs = outcome.findings, outcome.check_runs
    classify(findings, rc.profile)
    site_score = None if not_inspected else score(site, findings, rc.profile)
    return SiteResult(
        site=site,
        findings=findings,
        check_runs=check_runs,
        score=site_score,
        error=not_inspected,
        pages_fetched=len(view.pages),
        pages_left_out=view.pages_left_out,
        homepage_ok=view.homepage is not None,
        warc_path=str(warc_path.relative_to(rc.out_dir)),
    )


async def inspect_site(site: Site, rc: RunContext) -> SiteResult:
    """:func:`run_site` with a failing site recorded on its result, never raised: one broken site must not
    sink the run (``run_inspection`` and the distributed workers both inspect a site through this)."""
    try:
        return await run_site(site, rc)
    except GovinspectError as exc:
        return SiteResult(site=site, error=str(exc))
    except Exception as exc:
        log.exception("site_failed site=%s", site.site_code)
        return SiteResult(site=site, error=f"internal error {type(exc).__name__}: {exc}"[:500])


async def _probe_security(site: Site, crawl: Any, rc: RunContext, evidence_dir: Path) -> dict[str, Any]:
    """The safe security probes (reflected-XSS marker, exposed files, TLS facts) through the run's client.

    Still I/O, so it stays in the run's process; the facts are plain data the checks read from
    ``extras["security"]``. The probe responses go to their own WARC beside the site's crawl archive.
    """
    from govinspect.archive.warc import WarcWriter
    from govinspect.fetch.probes import gather_security

    writer = WarcWriter(evidence_dir / f"{site.site_code}.probes.warc.gz", user_agent=rc.fetcher.user_agent,
                        info={"site_code": site.site_code, "homepage": site.homepage,
                              "operator": rc.fetcher.user_agent})
    try:
        return await gather_security(site, crawl, rc.fetcher, rc.settings, writer)
    finally:
        writer.close()


def _own_refusal(attempts: list[Any]) -> str:
    """Why the site was not inspected at all when our own rules stopped every homepage probe, else "".

    Such a site is neither qualified nor unqualified: it is reported as not inspected (and retried by
    ``--resume``), never scored 100 on the strength of checks that could not run.
    """
    if not attempts or not all(a.own_refusal for a in attempts):
        return ""
    why = ", ".join(sorted({str(a.failure) for a in attempts}))
    return (f"not inspected: the homepage was refused by our own rules ({why}); "
            "pass --allow-private for loopback/private addresses or switch off robots for an authorised inspection")


@dataclass
class _Outcome:
    """What the CPU part of a site gives back (from this process or a worker)."""

    findings: list[Finding] = field(default_factory=list)
    check_runs: list[CheckRun] = field(default_factory=list)
    render: list[str] = field(default_factory=list)  # pages to render in Chromium before the checks
    failure: str = ""  # the site's error when the analysis itself failed (as run_inspection words it)


RENDER_DARK_PAGES = 10  # pages per site rendered to settle hidden links
RENDER_COLUMNS = 10  # 栏目 per site whose script-filled list is read from a rendered page


def _prepare(view: SiteView, as_of: datetime) -> list[str]:
    """栏目 discovery onto the view; returns the pages static analysis could not decide: pages whose
    hidden links need a browser, then columns whose list is filled by script (``needs_render``)."""
    from govinspect.columns.discover import discover_columns

    view.columns = discover_columns(view, as_of)
    try:
        from govinspect.content.hidden import pages_needing_render
        from govinspect.fetch.render import render_pages  # noqa: F401 - rendering needs its deps
    except ImportError:
        return []
    columns = [c.url for c in view.columns if getattr(c, "needs_render", False)]
    return list(dict.fromkeys([*pages_needing_render(view)[:RENDER_DARK_PAGES], *columns[:RENDER_COLUMNS]]))


def _apply_rendered(view: SiteView, as_of: datetime, rendered: dict[str, dict[str, Any]]) -> None:
    """Put the browser's results on the view and judge script-filled columns on their rendered lists.

    Each ``needs_render`` column rendered without error becomes a page (its URL, role ``column``, the
    static page's WARC record as evidence) and discovery runs again with it standing in for the static
    page. The DOMs are dropped afterwards: the checks read only the link facts.
    """
    from govinspect.archive.pageview import PageView
    from govinspect.columns.discover import PageIndex, discover_columns

    index = PageIndex(view.pages)
    pages: dict[str, PageView] = {}
    for column in view.columns:
        result = rendered.get(column.url) if getattr(column, "needs_render", False) else None
        static = index.get(column.url)
        if not result or result.get("error") or not result.get("html") or static is None:
            continue  # not rendered, or not completely: the column stays unjudged
        pages[column.url] = PageView(column.url, result["html"], final_url=static.final_url, status=static.status,
                                     encoding="utf-8", warc_record_id=static.warc_record_id,
                                     fetched_at=static.fetched_at, depth=static.depth, role="column")
    view.extras["rendered"] = {url: {k: v for k, v in facts.items() if k != "html"}
                               for url, facts in rendered.items()}
    if pages:
        view.columns = discover_columns(view, as_of, rendered=pages)


async def _render(urls: list[str], settings: Settings, site_code: str) -> dict[str, dict[str, Any]]:
    """Render ``urls`` in Chromium; without a usable browser nothing is rendered and the run goes on
    (dark links are then judged statically and script-filled columns stay unjudged)."""
    from govinspect.fetch.render import RenderError, render_pages

    try:
        return await render_pages(urls, settings, max_pages=len(urls))
    except RenderError as exc:
        log.warning("render_unavailable site=%s pages=%d: %s", site_code, len(urls), exc)
        return {}


def _check_site(view: SiteView, checks: list[Check], as_of: datetime, observed_at: datetime
                ) -> tuple[list[Finding], list[CheckRun]]:
    ctx = CheckContext(as_of=as_of, site=view.site, observed_at=observed_at, site_view=view)
    return run_checks(view, checks, ctx, _attachment_pages(view.extras))


async def _analyse_here(view: SiteView, rc: RunContext) -> _Outcome:
    """The CPU part in this process (threads keep the event loop serving the other sites' crawls)."""
    urls = await asyncio.to_thread(_prepare, view, rc.as_of)
    if urls:
        rendered = await _render(urls, rc.settings, view.site.site_code)
        await asyncio.to_thread(_apply_rendered, view, rc.as_of, rendered)
    findings, check_runs = await asyncio.to_thread(_check_site, view, rc.checks, rc.as_of, rc.observed_at)
    release_memory()
    return _Outcome(findings, check_runs)


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc
        return None


def release_memory() -> None:
    """Give the C heap's free pages back to the system (glibc ``malloc_trim``; a no-op elsewhere).

    A site's parse trees (lexbor, ~20x the HTML) are freed after its checks, but glibc keeps the freed
    pages mapped behind longer-lived allocations: without this a process grows by tens of MB per site
    until it holds several sites' worth. Called once per site, it costs well under a millisecond.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _attachment_pages(extras: dict[str, Any]) -> list[PageView]:
    """PDF/DOCX/XLSX attachments as pages, so the page checks (privacy…) read them too."""
    attachments = extras.get("attachments") or []
    if not attachments:
        return []
    from govinspect.content.documents import load_document

    pages: list[PageView] = []
    for att in attachments:
        try:
            page = load_document(att.body, name=att.url, content_type=att.content_type)
        except GovinspectError as exc:
            log.info("attachment_skipped url=%s reason=%s", att.url, exc)
            continue
        page.warc_record_id = att.warc_record_id
        pages.append(page)
    return pages


class AnalysisPool:
    """Worker processes for the CPU part of sites (see the module docstring).

    Workers start with ``spawn`` (the run's process has threads and an event loop, which ``fork``
    would copy mid-flight) and build nothing from globals: the checks come from the run. A site
    whose pages need rendering comes back once for Chromium (run here, where the fetch settings
    are) and goes out again with the rendered facts.
    """

    def __init__(self, checks: list[Check], workers: int) -> None:
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_start, initargs=(checks,))

    async def analyse(self, view: SiteView, as_of: datetime, observed_at: datetime,
                      settings: Settings) -> _Outcome:
        loop = asyncio.get_running_loop()
        outcome: _Outcome = await loop.run_in_executor(self._executor, _worker_analyse, view, as_of,
                                                       observed_at, None)
        if outcome.render:
            rendered = await _render(outcome.render, settings, view.site.site_code)
            outcome = await loop.run_in_executor(self._executor, _worker_analyse, view, as_of, observed_at,
                                                 rendered)
        return outcome

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def analysis_workers(setting: int, sites: int) -> int:
    """Worker processes for a run: ``setting`` when positive, none when 0; automatic (-1): every usable
    core but one, which the run's own process needs for crawling (and at least four sites, else none).

    On two cores that is one worker: a second one only competes with the crawl for the same core and
    costs another copy of the checks' data (about 150 MB).
    """
    if setting >= 0:
        return min(setting, max(sites, 1))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores < 2 or sites < 4:
        return 0
    return min(cores - 1, sites)


_worker_checks: list[Check] = []  # set in each worker process by _worker_start


def _worker_start(checks: list[Check]) -> None:
    _worker_checks[:] = checks
    parent = os.getppid()

    def watch() -> None:  # a killed run (SIGKILL) cannot shut its pool down: its workers leave alone
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    warm_up(checks)


WARM_UP_HTML = """<html><head><title>示例市人民政府</title><meta name="SiteIDCode" content="4400000001"></head>
<body><div class="nav"><a href="/xwdt/">新闻动态</a><a href="/tzgg/">通知公告</a></div>
<div class="list"><ul><li><a href="/xwdt/t20210601_1.html">示例市召开常务会议</a><span>2021-06-01</span></li></ul></div>
<p>联系电话：020-12345678 地址：广东省示例市人民路1号</p>
<div class="footer">主办单位：示例市人民政府办公室 网站标识码：4400000001 粤ICP备00000000号 我为政府网站找错</div>
</body></html>"""


def warm_up(checks: list[Check]) -> None:
    """Run the checks once over a tiny made-up page, so that their data (lexicons, gazetteer, wording
    lists, region names…) is loaded while the worker waits for its first site, not while that site
    waits for the worker. Nothing is fetched and the outcome is discarded; a failure here only means
    the first real site pays for the loading, so it is logged and ignored."""
    from govinspect.archive.pageview import PageView
    from govinspect.registry.models import SiteKind

    started = time.perf_counter()
    try:
        site = Site(site_code="4400000001", name="示例市人民政府门户网站", homepage="http://www.example.gov.cn/",
                    region="广东省/示例市", host_org="示例市人民政府办公室", kind=SiteKind.PORTAL)
        home = PageView(site.homepage, WARM_UP_HTML, role="homepage")
        view = SiteView(site=site, homepage=home, pages=[home])
        as_of = datetime(2021, 6, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
        _prepare(view, as_of)
        _check_site(view, checks, as_of, as_of)
    except Exception:  # noqa: BLE001 - see the docstring
        log.warning("analysis_warm_up_failed", exc_info=True)
    log.debug("analysis_warm_up seconds=%.2f", time.perf_counter() - started)


def _worker_analyse(view: SiteView, as_of: datetime, observed_at: datetime,
                    rendered: dict[str, Any] | None) -> _Outcome:
    """In a worker: the CPU part of one site, errors turned into the site's failure message."""
    release_memory()  # what the previous site left (the call that brought it held it until it returned)
    try:
        urls = _prepare(view, as_of)
        if urls and rendered is None:
            return _Outcome(render=urls)
        if urls:
            _apply_rendered(view, as_of, rendered)
        findings, check_runs = _check_site(view, _worker_checks, as_of, observed_at)
        return _Outcome(findings, check_runs)
    except GovinspectError as exc:
        return _Outcome(failure=str(exc))
    except Exception as exc:  # as run_inspection records a broken site
        log.exception("site_failed site=%s", view.site.site_code)
        return _Outcome(failure=f"internal error {type(exc).__name__}: {exc}"[:500])


def load_samples(store: Store, checks: list[Check], site_codes: list[str], as_of: datetime,
                 settings: Settings) -> dict[str, ProbeWindow]:
    """The week-long monitor's stored probes in the window before ``as_of`` (``Input.SAMPLES``), by site.

    Read once per run before any site is fetched, so checks judge them without touching the database.
    """
    if not site_codes or not any(Input.SAMPLES in c.inputs for c in checks):
        return {}
    from govinspect.monitor.store import SampleStore

    return SampleStore(store).windows(site_codes, as_of, settings.monitor.window_days)


async def run_inspection(
    sites: list[Site],
    settings: Settings,
    *,
    as_of: datetime,
    out_dir: Path,
    store: Store,
    resume_run: str | None = None,
    progress: ProgressFn | None = None,
    on_start: Callable[[RunInfo, int], None] | None = None,
    accounts: list[Account] | None = None,
) -> RunResult:
    """Inspect ``sites`` (and new-media ``accounts``) at the monitoring point ``as_of``; store each site and
    account, then write the outputs.

    With ``resume_run``, only the sites and accounts the run has not stored yet are inspected (Ctrl-C safe).
    """
    from govinspect.checks.registry import build_checks
    from govinspect.fetch.client import SITE_PRIORITY, Fetcher, PriorityGate
    from govinspect.fetch.links import LinkChecker
    from govinspect.newmedia.run import run_accounts
    from govinspect.newmedia.store import NewMediaStore
    from govinspect.reports.writer import write_outputs
    from govinspect.scoring.profile import load_profile

    profile = load_profile(settings.profile, settings.profile_overlay)
    checks = build_checks(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    if resume_run:
        run = store.get_run(resume_run)
        if run is None:
            raise GovinspectError(f"run {resume_run} not found in {settings.database_url}: "
                                  "list runs with `govinspect runs`")
        as_of = run.as_of
        pending = set(store.pending_sites(resume_run))
        todo = [s for s in store.sites(sorted(pending))]
        account_todo = NewMediaStore(store).accounts(NewMediaStore(store).pending_accounts(resume_run))
    else:
        run = RunInfo(run_id=new_run_id(as_of), as_of=as_of,
                      started_at=datetime.now(ZoneInfo(settings.timezone)),
                      profile_id=profile.id, profile_version=str(profile.version))
        store.import_sites(sites)
        active = [s for s in sites if s.status is SiteStatus.RUNNING]
        store.create_run(run, [s.site_code for s in active],
                         settings.model_dump(mode="json", exclude={"fetch": {"resolve"}}))
        todo = active
        account_todo = list({a.account_id: a for a in accounts or []}.values())
        if account_todo:
            store.import_accounts(account_todo)
            NewMediaStore(store).add_to_run(run.run_id, [a.account_id for a in account_todo])
    if on_start:
        on_start(run, len(todo) + len(account_todo))

    samples = await asyncio.to_thread(load_samples, store, checks, [s.site_code for s in todo], as_of, settings)
    workers = analysis_workers(settings.crawl.analysis_processes, len(todo))
    pool = AnalysisPool(checks, workers) if workers else None
    async with Fetcher(settings.fetch) as fetcher:
        rc = RunContext(settings=settings, as_of=as_of, out_dir=out_dir, checks=checks, profile=profile,
                        fetcher=fetcher, links=LinkChecker(fetcher), analysis=pool,
                        analysis_gate=asyncio.Semaphore(1), parse_gate=PriorityGate(1), samples=samples)
        gate = asyncio.Semaphore(max(1, settings.crawl.sites_in_parallel))
        started = itertools.count()

        async def one(site: Site) -> None:
            async with gate:
                SITE_PRIORITY.set(next(started))  # this task's fetches: the earlier a site started, the sooner
                result = await inspect_site(site, rc)
                await asyncio.to_thread(store.save_site_result, run.run_id, result)
                if progress:
                    progress(result)

        try:
            # accounts (a few requests each) go alongside the sites, through the same client and link cache
            await asyncio.gather(*(one(s) for s in todo), run_accounts(account_todo, rc, store, run.run_id, progress))
        except (asyncio.CancelledError, KeyboardInterrupt):
            store.finish_run(run.run_id, status="interrupted")
            raise
        finally:
            if pool is not None:
                pool.close()
    store.finish_run(run.run_id, status="finished")
    result = store.load_run(run.run_id)
    write_outputs(result, out_dir, rules=profile.statements, profile=profile)
    return result
