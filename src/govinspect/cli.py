"""Command line ``govinspect``; its commands:

- ``registry import | list``: the registry of supervised sites;
- ``inspect`` (``--resume RUN``, ``--accounts FILE``, ``--distributed``) and ``worker`` (a Celery worker for
  ``--distributed``); ``report`` and ``notice`` from a stored run; ``runs``;
- ``accounts import | list | inspect``, ``accounts messages import``, ``accounts filings import``: new-media
  accounts (政务新媒体);
- ``monitor`` (probe homepages) and ``monitor status`` (the window): week-long availability;
- ``check`` (documents before publishing, 先审后发), ``checks`` (the list of checks);
- ``tickets import | list | show | forward | reply | stats``: citizen messages (找错, 网上咨询);
- ``web`` (the dashboard), ``users add | list`` (its accounts), ``demo`` (a sample province on loopback).

Every command builds Settings with :func:`load_settings` and passes them down. Errors of the
GovinspectError family print as one line naming the fix, with exit status 2.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from govinspect.errors import ConfigError, GovinspectError
from govinspect.settings import Settings, load_settings

app = typer.Typer(help="Inspect government websites and new-media accounts (政府网站与政务新媒体检查).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
registry_app = typer.Typer(help="Import and list the registry of supervised sites.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")

F = TypeVar("F", bound=Callable[..., Any])

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="TOML settings file (see govinspect.toml.example).")]
DbOpt = Annotated[str | None, typer.Option("--db", help="Database URL (default sqlite:///govinspect.db).")]


def _console() -> Console:
    return Console(stderr=False, highlight=False)


def one_line_errors(func: F) -> F:
    """Print GovinspectError as one line on stderr and exit 2; Ctrl-C exits 130."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GovinspectError as exc:
            Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {exc}", markup=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            Console(stderr=True).print("interrupted")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def parse_as_of(value: str, tz: str = "Asia/Shanghai") -> datetime:
    """``2021-06-15`` or ``2021-06-15T10:00`` (local time of the inspection office)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--as-of {value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    if parsed.tzinfo is None:
        if len(value) <= 10:
            parsed = parsed.replace(hour=23, minute=59, second=59)
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed


def _settings(config: Path | None, db: str | None = None, **fetch: Any) -> Settings:
    fetch_overrides = {k: v for k, v in fetch.items() if v not in (None, [], False)}
    return load_settings(config, database_url=db, fetch=fetch_overrides or None)


@registry_app.command("import")
@one_line_errors
def registry_import(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, UTF-8-BOM, GB18030) or XLSX registry file.")],
    accounts: Annotated[bool, typer.Option("--accounts", help="The file lists new-media accounts.")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Read a registry file, report bad rows by row number and field, and store the good rows."""
    from govinspect.findings.store import Store
    from govinspect.registry.load import load_accounts, load_sites

    settings = _settings(config, db)
    console = _console()
    if accounts:
        records, errors = load_accounts(file)
    else:
        loaded = load_sites(file)
        records, errors = loaded.sites, loaded.errors
    _print_row_errors(console, errors)
    store = Store.open(settings.database_url)
    try:
        count = store.import_accounts(records) if accounts else store.import_sites(records)  # type: ignore[arg-type]
    finally:
        store.close()
    console.print(f"imported {count} {'accounts' if accounts else 'sites'}, {len(errors)} bad rows "
                  f"→ {settings.database_url}")


@registry_app.command("list")
@one_line_errors
def registry_list(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """List the stored sites."""
    from govinspect.findings.store import Store

    settings = _settings(config, db)
    store = Store.open(settings.database_url)
    try:
        sites = store.sites()
    finally:
        store.close()
    table = Table("网站标识码", "网站名称", "地区", "类型", "首页")
    for s in sites:
        table.add_row(s.site_code, s.name, s.region, str(s.kind), s.homepage)
    _console().print(table)


def _print_row_errors(console: Console, errors: list[Any]) -> None:
    if not errors:
        return
    table = Table("row", "field", "problem", title="rows not imported", title_style="bold yellow")
    for err in errors:
        table.add_row(str(err.row), err.field, err.message)
    console.print(table)


# --- new-media accounts (政务新媒体) ----------------------------------------------------------------------

accounts_app = typer.Typer(help="New-media accounts (政务新媒体): import, messages, filings, inspect.",
                           no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
account_messages_app = typer.Typer(help="The platforms' message (留言/私信) exports.", no_args_is_help=True)
accounts_app.add_typer(account_messages_app, name="messages")
account_filings_app = typer.Typer(help="The 全国政务新媒体信息报送系统 filing list.", no_args_is_help=True)
accounts_app.add_typer(account_filings_app, name="filings")


def _load_account_file(console: Console, file: Path) -> list[Any]:
    from govinspect.registry.load import load_accounts

    records, errors = load_accounts(file)
    _print_row_errors(console, errors)
    if not records:
        raise ConfigError(f"no valid accounts in {file}: fix the rows listed above")
    return records


@accounts_app.command("import")
@one_line_errors
def accounts_import(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, UTF-8-BOM, GB18030) or XLSX account list.")],
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Import the account list (账号ID, 账号名称, 平台, 地区, 主办单位, 主页/feed 地址, 备案编号, 状态)."""
    from govinspect.findings.store import Store
    from govinspect.registry.load import load_accounts

    settings = _settings(config, db)
    console = _console()
    records, errors = load_accounts(file)
    _print_row_errors(console, errors)
    store = Store.open(settings.database_url, timezone=settings.timezone)
    try:
        count = store.import_accounts(records)
    finally:
        store.close()
    console.print(f"imported {count} accounts, {len(errors)} bad rows → {settings.database_url}")


@accounts_app.command("list")
@one_line_errors
def accounts_list(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """List the stored accounts."""
    from govinspect.findings.store import Store

    settings = _settings(config, db)
    store = Store.open(settings.database_url, timezone=settings.timezone)
    try:
        items = store.accounts()
    finally:
        store.close()
    table = _folding_table("账号ID", "账号名称", "平台", "地区", "主办单位", "状态", "备案编号", "主页/feed",
                           title=f"{len(items)} account(s)")
    for a in items:
        table.add_row(a.account_id, a.name, a.platform_label, a.region, a.host_org, str(a.status), a.filing_no,
                      a.homepage)
    _console().print(table)


@account_messages_app.command("import")
@one_line_errors
def account_messages_import(
    file: Annotated[Path, typer.Argument(help="The platform's export: 账号ID or 账号名称, 留言时间, 回复时间 …")],
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Import messages (留言/私信) with received and replied times; bad rows are reported, the rest stored."""
    from govinspect.findings.store import Store
    from govinspect.newmedia.imports import load_messages
    from govinspect.newmedia.store import NewMediaStore

    settings = _settings(config, db)
    console = _console()
    store = Store.open(settings.database_url, timezone=settings.timezone)
    try:
        loaded = load_messages(file, store.accounts(), timezone=settings.timezone)
        _print_row_errors(console, loaded.errors)
        inserted, updated = NewMediaStore(store).import_messages(loaded.messages)
    finally:
        store.close()
    console.print(f"{inserted} new, {updated} updated messages, {len(loaded.errors)} bad rows → "
                  f"{settings.database_url}")


@account_filings_app.command("import")
@one_line_errors
def account_filings_import(
    file: Annotated[Path, typer.Argument(help="The 报送系统 export: 账号名称, 平台, 备案编号, 状态 …")],
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Import the filing list; it replaces the previous one (the export is the whole list)."""
    from govinspect.findings.store import Store
    from govinspect.newmedia.imports import load_filings
    from govinspect.newmedia.store import NewMediaStore

    settings = _settings(config, db)
    console = _console()
    loaded = load_filings(file, timezone=settings.timezone)
    _print_row_errors(console, loaded.errors)
    if not loaded.filings:
        raise ConfigError(f"no valid rows in {file}: fix the rows listed above (the stored list is kept)")
    store = Store.open(settings.database_url, timezone=settings.timezone)
    try:
        count = NewMediaStore(store).replace_filings(loaded.filings)
    finally:
        store.close()
    console.print(f"filing list replaced: {count} rows, {len(loaded.errors)} bad rows → {settings.database_url}")


@accounts_app.command("inspect")
@one_line_errors
def accounts_inspect(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Monitoring point 监测时间点, YYYY-MM-DD.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    account: Annotated[list[str] | None, typer.Option("--account", help="Only this 账号ID (repeatable).")] = None,
    resolve: Annotated[list[str] | None, typer.Option("--resolve", help="HOST:PORT:ADDR, like curl.")] = None,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Allow loopback/private addresses.")] = False,
    resume: Annotated[str | None, typer.Option("--resume", help="Resume an interrupted run by id.")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Inspect the stored accounts (a run without sites) and write findings, account scores and reports."""
    from govinspect.findings.store import Store

    settings = _settings(config, db, resolve=resolve, allow_private=allow_private)
    console = _console()
    if resume is None and as_of is None:
        raise ConfigError("accounts inspect needs --as-of YYYY-MM-DD (or --resume RUN)")
    as_of_dt = parse_as_of(as_of, settings.timezone) if as_of else datetime.now(ZoneInfo(settings.timezone))
    store = Store.open(settings.database_url, timezone=settings.timezone)
    try:
        chosen: list[Any] = []
        if resume is None:
            chosen = store.accounts()
            if account:
                unknown = set(account) - {a.account_id for a in chosen}
                if unknown:
                    raise ConfigError(f"--account {', '.join(sorted(unknown))} not stored: "
                                      "import the account list first (govinspect accounts import)")
                chosen = [a for a in chosen if a.account_id in set(account)]
            if not chosen:
                raise ConfigError("no accounts stored: import the account list first (govinspect accounts import)")
        result = _run_with_progress(console, [], settings, as_of_dt, out, store, resume, accounts=chosen)
    finally:
        store.close()
    _print_summary(console, result, out)


@app.command()
@one_line_errors
def inspect(
    registry: Annotated[Path | None, typer.Option("--registry", help="Registry CSV/XLSX file.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Monitoring point 监测时间点, YYYY-MM-DD.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    site: Annotated[list[str] | None, typer.Option("--site", help="Only this site code (repeatable).")] = None,
    resolve: Annotated[list[str] | None, typer.Option("--resolve", help="HOST:PORT:ADDR, like curl.")] = None,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Allow loopback/private addresses.")] = False,
    resume: Annotated[str | None, typer.Option("--resume", help="Resume an interrupted run by id.")] = None,
    accounts: Annotated[Path | None, typer.Option(
        "--accounts", help="New-media account list (CSV/XLSX): inspect these accounts in the same run.")] = None,
    distributed: Annotated[bool, typer.Option(
        "--distributed", help="Inspect on `govinspect worker` processes (Celery on Redis, PostgreSQL).")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Inspect the sites of a registry at a monitoring point and write findings, scores and reports."""
    from govinspect.findings.store import Store
    from govinspect.registry.load import load_sites

    settings = _settings(config, db, resolve=resolve, allow_private=allow_private)
    console = _console()
    sites = []
    if resume is None:
        if registry is None or as_of is None:
            raise ConfigError("inspect needs --registry FILE and --as-of YYYY-MM-DD (or --resume RUN)")
        loaded = load_sites(registry)
        _print_row_errors(console, loaded.errors)
        sites = loaded.sites
        if site:
            wanted = set(site)
            unknown = wanted - {s.site_code for s in sites}
            if unknown:
                raise ConfigError(f"--site {', '.join(sorted(unknown))} not in {registry}: check the 网站标识码")
            sites = [s for s in sites if s.site_code in wanted]
        if not sites:
            raise ConfigError(f"no valid sites in {registry}: fix the rows listed above")
    as_of_dt = parse_as_of(as_of, settings.timezone) if as_of else datetime.now(ZoneInfo(settings.timezone))
    account_list = _load_account_file(console, accounts) if accounts is not None and resume is None else None
    if account_list is not None and distributed:
        raise ConfigError("--accounts runs in this process, not on workers: inspect the accounts with "
                          "`govinspect accounts inspect` or leave out --distributed")
    celery_app = None
    if distributed:
        from govinspect.workers.dispatch import preflight

        celery_app = preflight(settings)  # SQLite, Redis, workers: checked before anything is created
    store = Store.open(settings.database_url)
    try:
        result = _run_with_progress(console, sites, settings, as_of_dt, out, store, resume, celery_app,
                                    accounts=account_list)
    finally:
        store.close()
    _print_summary(console, result, out)


def _run_with_progress(console: Console, sites: list[Any], settings: Settings, as_of: datetime, out: Path,
                       store: Any, resume: str | None, celery_app: Any = None,
                       accounts: list[Any] | None = None) -> Any:
    from govinspect.pipeline import run_inspection

    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, transient=False)
    task_holder: dict[str, Any] = {}

    def on_start(run: Any, total: int) -> None:
        task_holder["run"] = run.run_id
        task_holder["task"] = progress.add_task(f"inspecting (run {run.run_id})", total=total)

    def on_site(result: Any) -> None:
        progress.advance(task_holder["task"])

    with progress:
        try:
            if celery_app is not None:
                from govinspect.workers.dispatch import run_distributed

                return run_distributed(
                    sites, settings, as_of=as_of, out_dir=out, store=store, resume_run=resume, on_start=on_start,
                    progress=lambda n: progress.advance(task_holder["task"], n),
                    note=lambda text: progress.update(task_holder["task"], description=text), app=celery_app)
            return asyncio.run(run_inspection(sites, settings, as_of=as_of, out_dir=out, store=store,
                                              resume_run=resume, progress=on_site, on_start=on_start,
                                              accounts=accounts))
        except KeyboardInterrupt:
            run_id = task_holder.get("run", "?")
            if celery_app is not None:
                console.print("interrupted; the workers go on with the queued sites. Collect the outputs with: "
                              f"govinspect inspect --distributed --resume {run_id}")
            else:
                console.print(f"interrupted; resume with: govinspect inspect --resume {run_id}")
            raise


def _print_summary(console: Console, result: Any, out: Path) -> None:
    from govinspect.reports.console import print_summary

    print_summary(console, result)
    console.print(f"outputs written to {out}/ (findings.jsonl, scores.csv, report.xlsx, report.html, evidence/)")


@app.command()
@one_line_errors
def worker(
    concurrency: Annotated[int | None, typer.Option(
        "--concurrency", min=1, help="Sites inspected at once (processes); default workers.concurrency.")] = None,
    pool: Annotated[str, typer.Option("--pool", help="prefork (processes) or solo (one site at a time).")] = "prefork",
    name: Annotated[str | None, typer.Option("--name", help="Worker name, unique per machine (NAME@HOST).")] = None,
    loglevel: Annotated[str, typer.Option("--loglevel", help="DEBUG, INFO, WARNING, ERROR.")] = "INFO",
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Run a worker for `inspect --distributed`: sites from the Redis queue, results to the database."""
    from govinspect.workers.app import start_worker

    start_worker(_settings(config, db), concurrency=concurrency, pool=pool, name=name, loglevel=loglevel)


@app.command()
@one_line_errors
def report(
    run: Annotated[str, typer.Argument(help="Run id (see `govinspect runs`).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Regenerate findings.jsonl, scores.csv, report.xlsx and report.html from the database (no fetching)."""
    from govinspect.findings.store import Store
    from govinspect.reports.writer import write_outputs

    settings = _settings(config, db)
    store = Store.open(settings.database_url)
    try:
        if store.get_run(run) is None:
            raise ConfigError(f"run {run} not found in {settings.database_url}: list runs with `govinspect runs`")
        result = store.load_run(run)
    finally:
        store.close()
    from govinspect.scoring.profile import load_profile

    profile = load_profile(result.run.profile_id or settings.profile, settings.profile_overlay)
    out.mkdir(parents=True, exist_ok=True)
    paths = write_outputs(result, out, rules=profile.statements, profile=profile)
    _console().print("written: " + ", ".join(str(p) for p in paths.values()))


def _parse_day(value: str | None, option: str) -> Any:
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date: use YYYY-MM-DD, e.g. 2021-06-29") from None


@app.command()
@one_line_errors
def notice(
    run: Annotated[str, typer.Argument(help="Run id (see `govinspect runs`).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    title: Annotated[
        str | None, typer.Option("--title", help="Quarter, e.g. 2021年第二季度 (default: the run's).")
    ] = None,
    issuer: Annotated[str, typer.Option("--issuer", help="Issuing office (发文机关).")] = "省政府办公厅",
    issue_date: Annotated[
        str | None, typer.Option("--date", help="Issue date YYYY-MM-DD (default today).")
    ] = None,
    previous: Annotated[str | None, typer.Option("--previous", help="Previous quarter's run (环比).")] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help="整改 deadline YYYY-MM-DD.")] = None,
    working_days: Annotated[int | None, typer.Option("--working-days", min=0, max=60,
                                                     help="Working days from issue to deadline.")] = None,
    figures: Annotated[
        Path | None, typer.Option("--figures", help="YAML with 找错/网上咨询 figures.")
    ] = None,
    requirements: Annotated[
        Path | None, typer.Option("--requirements", help="Edited notice text YAML.")
    ] = None,
    fonts: Annotated[
        str, typer.Option("--fonts", help="office (仿宋_GB2312 …) or portable (Noto).")
    ] = "office",
    max_examples: Annotated[int, typer.Option("--max-examples", min=1, max=20,
                                              help="Example sites named per sentence.")] = 3,
    notes: Annotated[
        bool, typer.Option("--notes/--no-notes", help="Print drafting notes (编辑提示).")
    ] = True,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Write the quarterly notice draft (通报.docx = notice.docx) and its attachments (attachments.xlsx)."""
    from govinspect.findings.store import Store
    from govinspect.reports.notice import FONT_SETS, NoticeOptions
    from govinspect.reports.notice_text import load_figures, load_requirements
    from govinspect.reports.writer import write_notice_outputs
    from govinspect.scoring.profile import load_profile

    if fonts not in FONT_SETS:
        raise ConfigError(f"--fonts {fonts!r} is unknown: use one of {', '.join(FONT_SETS)}")
    options = NoticeOptions(
        quarter=title,
        issuer=issuer,
        issue_date=_parse_day(issue_date, "--date"),
        deadline=_parse_day(deadline, "--deadline"),
        working_days=working_days,
        max_examples=max_examples,
        fonts=fonts,  # type: ignore[arg-type]
        drafting_notes=notes,
        requirements=load_requirements(requirements),
        figures=load_figures(figures) if figures else None,
    )
    settings = _settings(config, db)
    store = Store.open(settings.database_url)
    try:
        for run_id in (run, previous):
            if run_id is not None and store.get_run(run_id) is None:
                raise ConfigError(
                    f"run {run_id} not found in {settings.database_url}: list runs with `govinspect runs`"
                )
        result = store.load_run(run)
        prev = store.load_run(previous) if previous else None
        registry = store.sites()
    finally:
        store.close()
    profile = load_profile(result.run.profile_id or settings.profile, settings.profile_overlay)
    paths = write_notice_outputs(
        result, out, options=options, profile=profile, registry_sites=registry, previous=prev
    )
    _console().print("written: " + ", ".join(str(p) for p in paths.values()))


@app.command()
@one_line_errors
def runs(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """List inspection runs stored in the database."""
    from govinspect.findings.store import Store

    settings = _settings(config, db)
    store = Store.open(settings.database_url)
    try:
        items = store.list_runs()
    finally:
        store.close()
    table = Table("run", "监测时间点", "started", "status", "profile")
    for r in items:
        table.add_row(r.run_id, f"{r.as_of:%Y-%m-%d %H:%M}", f"{r.started_at:%Y-%m-%d %H:%M}", r.status,
                      f"{r.profile_id} v{r.profile_version}")
    _console().print(table)


@app.command("checks")
def list_checks() -> None:
    """List every check: id, scope, inputs and what it finds."""
    from govinspect.checks.registry import all_check_classes

    table = Table("id", "scope", "inputs", "what it finds")
    for cls in all_check_classes():
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        table.add_row(cls.id, str(cls.scope), ", ".join(str(i) for i in cls.inputs), doc)
    _console().print(table)


@app.command()
@one_line_errors
def check(
    targets: Annotated[list[str], typer.Argument(help="Files (HTML, text, PDF, DOCX, XLSX, XLS) or one URL.")],
    region: Annotated[str | None, typer.Option("--region", help="Region of the publishing site, 省/市/县.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One finding per line, findings.jsonl shape.")] = False,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Allow loopback/private URLs.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Check documents before publishing (先审后发): content integrity, privacy, drafts, wording, dark links."""
    from govinspect.document_check import check_documents

    settings = _settings(config, None, allow_private=allow_private)
    findings = check_documents(list(targets), settings, region)
    console = _console()
    if as_json:
        for f in findings:
            sys.stdout.write(json.dumps(f.to_json_dict(), ensure_ascii=False) + "\n")
        return
    table = Table("check", "where", "detail", "excerpt", title=f"{len(findings)} finding(s)")
    for f in findings:
        table.add_row(f.check, f.url, json.dumps(f.detail, ensure_ascii=False), f.evidence.excerpt[:80])
    console.print(table)


@app.command()
@one_line_errors
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("demo-out"),
    sites: Annotated[int, typer.Option("--sites", help="Number of demo sites.")] = 36,
    seed: Annotated[int, typer.Option("--seed", help="Farm seed.")] = 2021,
    config: ConfigOpt = None,
) -> None:
    """Build a sample province of government sites on loopback, inspect it, and compare with the truth."""
    from govinspect.demo.run import run_demo

    run_demo(out, n_sites=sites, seed=seed, config=config, console=_console())


# --- tickets: citizen error reports (我为政府网站找错) and online consultations (网上咨询) ---------------

tickets_app = typer.Typer(
    help="Citizen messages (我为政府网站找错, 网上咨询): import, forward, reply, overdue list, statistics.",
    no_args_is_help=True,
)
app.add_typer(tickets_app, name="tickets")

WorkingDaysOpt = Annotated[int, typer.Option("--working-days", help="Deadline: working days after forwarding.")]
CutoffOpt = Annotated[
    str | None, typer.Option("--cutoff", help="Deadline time on the due day, HH:MM (default end of day).")
]
ActorOpt = Annotated[str, typer.Option("--by", help="Who does this (recorded in the audit trail).")]


def _deadline_rule(working_days: int, cutoff: str | None) -> Any:
    from datetime import time as clock

    from govinspect.tickets.service import DeadlineRule

    parsed = None
    if cutoff:
        try:
            parsed = clock.fromisoformat(cutoff)
        except ValueError:
            raise ConfigError(f"--cutoff {cutoff!r} is not a time: use HH:MM such as 17:30") from None
    return DeadlineRule(working_days=working_days, cutoff=parsed)


def _instant(value: str | None, tz: str, option: str) -> datetime:
    """An ISO time (local when no zone is given), or now."""
    if value is None:
        return datetime.now(ZoneInfo(tz))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a time: use YYYY-MM-DDTHH:MM") from None
    return parsed.replace(tzinfo=ZoneInfo(tz)) if parsed.tzinfo is None else parsed


def _day(value: str, option: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date: use YYYY-MM-DD") from None


def _ticket_store(settings: Settings) -> tuple[Any, Any]:
    from govinspect.findings.store import Store
    from govinspect.tickets.store import TicketStore

    store = Store.open(settings.database_url, timezone=settings.timezone)
    return store, TicketStore(store)


def _folding_table(*headers: str, title: str) -> Table:
    """A table whose cells wrap instead of being cut (ids and codes must stay whole on narrow terminals)."""
    from rich.table import Column

    return Table(*(Column(h, overflow="fold") for h in headers), title=title)


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else ""


@tickets_app.command("import")
@one_line_errors
def tickets_import(
    file: Annotated[Path, typer.Argument(help="The platform's export, XLSX or CSV, Chinese headers.")],
    kind: Annotated[str, typer.Option("--kind", help="jiucuo (找错) or consultation (网上咨询) for rows "
                                                     "without a 留言类型.")] = "jiucuo",
    working_days: WorkingDaysOpt = 1,
    cutoff: CutoffOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Import messages; bad rows are reported by row number and field, the rest is stored."""
    from govinspect.tickets.calendar import WorkCalendar
    from govinspect.tickets.importer import load_tickets
    from govinspect.tickets.model import TicketKind

    settings = _settings(config, db)
    try:
        ticket_kind = TicketKind(kind)
    except ValueError:
        raise ConfigError(f"--kind {kind!r} is unknown: use jiucuo or consultation") from None
    rule = _deadline_rule(working_days, cutoff)
    loaded = load_tickets(file, kind=ticket_kind, rule=rule, calendar=WorkCalendar(settings.timezone))
    store, tickets = _ticket_store(settings)
    try:
        outcome = tickets.import_tickets(loaded.tickets, actor=f"import:{file.name}")
    finally:
        store.close()
    console = _console()
    errors = sorted([*loaded.errors, *outcome.errors], key=lambda e: e.row)
    _print_row_errors(console, errors)
    console.print(f"{outcome.inserted} new, {outcome.updated} updated, {outcome.unchanged} unchanged messages, "
                  f"{len(errors)} bad rows → {settings.database_url}")


@tickets_app.command("list")
@one_line_errors
def tickets_list(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open messages past their deadline.")] = False,
    status: Annotated[str | None, typer.Option("--status", help="received/forwarded/replied/closed/rejected.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Only this 网站标识码.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge overdue at this time (default now).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many rows.")] = 500,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """List messages (phone numbers masked), oldest first."""
    from rich.markup import escape

    from govinspect.tickets.model import STATUS_LABELS, TicketStatus, mask_phones

    settings = _settings(config, db)
    try:
        wanted = TicketStatus(status) if status else None
    except ValueError:
        raise ConfigError(f"--status {status!r} is unknown: use {', '.join(s.value for s in TicketStatus)}") from None
    at = parse_as_of(as_of, settings.timezone) if as_of else datetime.now(ZoneInfo(settings.timezone))
    store, tickets = _ticket_store(settings)
    try:
        items = tickets.list(status=wanted, site_code=site, overdue_at=at if overdue else None, limit=limit)
    finally:
        store.close()
    title = f"{len(items)} overdue message(s) at {at:%Y-%m-%d %H:%M}" if overdue else f"{len(items)} message(s)"
    if len(items) >= limit:
        title += f" (the first {limit}; raise --limit to see more)"
    table = _folding_table("留言编号", "类型", "网站标识码", "留言时间", "转办时间", "答复时限", "状态", "答复时间",
                           "留言标题", title=title)
    for t in items:
        table.add_row(escape(t.id), str(t.kind), t.site_code, _when(t.received_at), _when(t.forwarded_at),
                      _when(t.deadline_at), STATUS_LABELS[t.status], _when(t.replied_at),
                      escape(mask_phones(t.title or t.content)[:40]))
    _console().print(table)


@tickets_app.command("show")
@one_line_errors
def tickets_show(
    ticket_id: Annotated[str, typer.Argument(help="留言编号.")],
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """One message with its reply and audit trail (phone numbers masked)."""
    from rich.markup import escape

    from govinspect.tickets.model import STATUS_LABELS, mask_phones

    settings = _settings(config, db)
    store, tickets = _ticket_store(settings)
    try:
        t = tickets.require(ticket_id)
        events = tickets.events(ticket_id)
    finally:
        store.close()
    console = _console()
    console.print(f"{t.id} {t.kind} → {t.site_code}  {STATUS_LABELS[t.status]}", markup=False)
    for label, value in (("留言时间", _when(t.received_at)), ("转办时间", _when(t.forwarded_at)),
                         ("答复时限", _when(t.deadline_at)), ("答复时间", _when(t.replied_at)),
                         ("联系方式", t.reporter_contact), ("办理单位", t.handled_by),
                         ("留言标题", mask_phones(t.title)), ("留言内容", mask_phones(t.content)),
                         ("答复内容", mask_phones(t.reply))):
        if value:
            console.print(f"{label}: {value}", markup=False)
    table = _folding_table("时间", "事件", "操作人", "备注", title="audit trail")
    for e in events:
        table.add_row(_when(e.at), e.event, escape(e.actor), escape(mask_phones(e.note)))
    console.print(table)


@tickets_app.command("forward")
@one_line_errors
def tickets_forward(
    ticket_id: Annotated[str, typer.Argument(help="留言编号.")],
    at: Annotated[str | None, typer.Option("--at", help="Forwarding time (default now).")] = None,
    working_days: WorkingDaysOpt = 1,
    cutoff: CutoffOpt = None,
    by: ActorOpt = "",
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Forward (转办) a received message to its site; prints the deadline."""
    from govinspect.tickets.calendar import WorkCalendar

    settings = _settings(config, db)
    rule = _deadline_rule(working_days, cutoff)
    when = _instant(at, settings.timezone, "--at")
    store, tickets = _ticket_store(settings)
    try:
        t = tickets.forward(ticket_id, when, rule, WorkCalendar(settings.timezone), actor=by or "cli")
    finally:
        store.close()
    _console().print(f"{t.id} forwarded to {t.site_code}; due {_when(t.deadline_at)} ({rule.describe()})")


@tickets_app.command("reply")
@one_line_errors
def tickets_reply(
    ticket_id: Annotated[str, typer.Argument(help="留言编号.")],
    text: Annotated[str, typer.Option("--text", help="The reply (答复内容).")],
    at: Annotated[str | None, typer.Option("--at", help="Reply time (default now).")] = None,
    by: ActorOpt = "",
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Record the reply (答复) to a forwarded message; says whether it was on time."""
    settings = _settings(config, db)
    when = _instant(at, settings.timezone, "--at")
    store, tickets = _ticket_store(settings)
    try:
        t = tickets.reply(ticket_id, text, when, actor=by or "cli", handled_by=by)
    finally:
        store.close()
    verdict = "on time" if t.deadline_at is not None and when <= t.deadline_at else "LATE"
    _console().print(f"{t.id} replied at {_when(when)}, deadline {_when(t.deadline_at)}: {verdict}")


@tickets_app.command("stats")
@one_line_errors
def tickets_stats(
    date_from: Annotated[str, typer.Option("--from", help="First day of 留言时间, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last day of 留言时间, YYYY-MM-DD (included).")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge handling at this time (default now).")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="jiucuo or consultation (default both).")] = None,
    working_days: WorkingDaysOpt = 1,
    cutoff: CutoffOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Received, handled, on time, 按期办结率, average working hours, per region and site; assessment lines."""
    from rich.markup import escape

    from govinspect.tickets.calendar import WorkCalendar
    from govinspect.tickets.model import TicketKind

    settings = _settings(config, db)
    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    try:
        wanted = TicketKind(kind) if kind else None
    except ValueError:
        raise ConfigError(f"--kind {kind!r} is unknown: use jiucuo or consultation") from None
    rule = _deadline_rule(working_days, cutoff)
    at = parse_as_of(as_of, settings.timezone) if as_of else datetime.now(ZoneInfo(settings.timezone))
    store, tickets = _ticket_store(settings)
    try:
        stats = tickets.stats(start, end, at, WorkCalendar(settings.timezone), rule=rule, kind=wanted)
    finally:
        store.close()
    if as_json:
        sys.stdout.write(json.dumps(stats.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    console = _console()
    console.print(stats.summary_line(), markup=False)
    t = stats.total
    console.print(f"已转办 {t.forwarded}，未到期 {t.not_yet_due}，{rule.working_days}个工作日内办结 {t.within_rule}"
                  f"（{rule.describe()}）", markup=False)
    for title, groups in (("合计", [stats.total]), ("按地区", stats.by_region), ("按网站", stats.by_site)):
        table = _folding_table("", "收到", "办结", "按期", "超期办结", "超期未办", "按期办结率", "平均工作小时",
                               title=title)
        for g in groups:
            rate, hours = g.on_time_rate, g.avg_working_hours
            table.add_row(escape(g.label), str(g.received), str(g.handled), str(g.on_time), str(g.late),
                          str(g.overdue_open), f"{rate * 100:.1f}%" if rate is not None else "—",
                          f"{hours:.1f}" if hours is not None else "—")
        console.print(table)
    if stats.deductions:
        console.print(f"年度考核扣分（找错留言）：共 {stats.deduction_points:g} 分")
        for line in stats.deductions:
            console.print("  " + line.text(), markup=False)
    else:
        console.print("年度考核扣分（找错留言）：无")



# --- dashboard ------------------------------------------------------------------------------------


@app.command()
@one_line_errors
def web(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=0, max=65535)] = 8080,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Serve the web dashboard (runs, sites, findings, 整改跟踪, 找错 messages) with uvicorn."""
    import uvicorn

    from govinspect.web import create_app

    settings = _settings(config, db)
    if host not in ("127.0.0.1", "::1", "localhost") and not settings.web.secure_cookies:
        Console(stderr=True, highlight=False).print(
            f"warning: serving on {host} without web.secure_cookies; put it behind HTTPS and set "
            "GOVINSPECT_WEB__SECURE_COOKIES=1", markup=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", proxy_headers=False)


users_app = typer.Typer(help="Dashboard accounts (admin, inspector, operator, viewer).", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise ConfigError("no password on standard input: pipe it in, one line")
        return password
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return str(password)


@users_app.command("add")
@one_line_errors
def users_add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, _ . @ -).")],
    role: Annotated[str, typer.Option("--role", help="admin, inspector, operator or viewer.")],
    region: Annotated[str, typer.Option("--region", help="Region scope for inspector/viewer: 广东省/湛江市.")] = "",
    site: Annotated[list[str] | None, typer.Option("--site", help="网站标识码 an operator answers for (repeat).")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Create a dashboard account; the password is prompted for (or read from stdin), never an argument."""
    from govinspect.findings.store import Store
    from govinspect.web.auth import UserStore, check_password_rules

    settings = _settings(config, db)
    password = _read_password(password_stdin)
    check_password_rules(password)
    store = Store.open(settings.database_url, timezone=settings.timezone)
    try:
        user = UserStore(store).add(name, password, role, region=region, site_codes=site or [])
    finally:
        store.close()
    _console().print(f"user {user.username} created: {user.role} ({user.scope_text})", markup=False)


@users_app.command("list")
@one_line_errors
def users_list(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """List dashboard accounts (no passwords or hashes are shown)."""
    from govinspect.findings.store import Store
    from govinspect.web.auth import UserStore

    settings = _settings(config, db)
    store = Store.open(settings.database_url, timezone=settings.timezone)
    try:
        users = UserStore(store).list()
    finally:
        store.close()
    table = _folding_table("user", "role", "scope", "active", title="users")
    for u in users:
        table.add_row(u.username, u.role, u.scope_text, "yes" if u.active else "no")
    _console().print(table)


# --- week-long availability monitor ---------------------------------------------------------------------

monitor_app = typer.Typer(help="Week-long availability monitor (站点无法访问): probe homepages, show the window.")
app.add_typer(monitor_app, name="monitor")


@monitor_app.callback(invoke_without_command=True)
@one_line_errors
def monitor(
    ctx: typer.Context,
    registry: Annotated[Path | None, typer.Option("--registry", help="Registry CSV/XLSX (else the stored one).")] = None,
    interval_minutes: Annotated[
        float | None, typer.Option("--interval-minutes", help="One probe of every site per interval (default 60).")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Stop at this local time, YYYY-MM-DDTHH:MM.")] = None,
    rounds: Annotated[int | None, typer.Option("--rounds", help="Stop after N rounds.")] = None,
    site: Annotated[list[str] | None, typer.Option("--site", help="Only this site code (repeatable).")] = None,
    resolve: Annotated[list[str] | None, typer.Option("--resolve", help="HOST:PORT:ADDR, like curl.")] = None,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Allow loopback/private addresses.")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Probe every running site's homepage once per interval and store each probe; Ctrl-C/SIGTERM stops."""
    if ctx.invoked_subcommand is not None:
        return
    from govinspect.findings.store import Store
    from govinspect.monitor.sampler import RoundStats, monitor_schedule, run_monitor, select_sites
    from govinspect.monitor.store import SampleStore
    from govinspect.registry.load import load_sites

    settings = _settings(config, db, resolve=resolve, allow_private=allow_private)
    console = _console()
    schedule = monitor_schedule(settings, interval_minutes=interval_minutes, rounds=rounds,
                                until=parse_as_of(until, settings.timezone) if until else None)
    store = Store.open(settings.database_url, timezone=settings.timezone)
    try:
        if registry is not None:
            loaded = load_sites(registry)
            _print_row_errors(console, loaded.errors)
            sites = select_sites(loaded.sites, site, str(registry))
            store.import_sites(loaded.sites)  # names for `monitor status` and the reports
        else:
            sites = select_sites(store.sites(), site, settings.database_url)
        per_day = 24 * 60 * 60 / schedule.interval_s
        console.print(f"monitoring {len(sites)} sites, one probe each every {schedule.interval_s / 60:g} min "
                      f"({per_day:g} a day) → {settings.database_url}")
        if per_day < settings.monitor.probes_per_day:
            console.print(f"[yellow]warning:[/] {per_day:g} probes a day is below the target "
                          f"monitor.probes_per_day={settings.monitor.probes_per_day}")

        def on_round(stats: RoundStats) -> None:
            state = "done" if stats.complete else "cut short"
            console.print(f"round {stats.number} {state}: {stats.probes} probes, {stats.failed} failed, "
                          f"{stats.refused} refused by our own rules")

        result = asyncio.run(run_monitor(sites, settings, SampleStore(store), schedule, on_round=on_round,
                                         handle_signals=True))
    finally:
        store.close()
    ending = "stopped" if result.stopped else "finished"
    dropped = f", {result.dropped} in-flight probes dropped" if result.dropped else ""
    console.print(f"{ending}: {result.probes} probes stored ({result.failed} failed){dropped}")


@monitor_app.command("status")
@one_line_errors
def monitor_status_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Monitoring point 监测时间点 (default now).")] = None,
    site: Annotated[list[str] | None, typer.Option("--site", help="Only this site code (repeatable).")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Per site: probes in the window before --as-of, failures, ratio and the 20-a-day coverage."""
    from govinspect.findings.store import Store
    from govinspect.monitor.status import monitor_status

    settings = _settings(config, db)
    when = parse_as_of(as_of, settings.timezone) if as_of else datetime.now(ZoneInfo(settings.timezone))
    store = Store.open(settings.database_url, timezone=settings.timezone)
    try:
        rows = monitor_status(store, settings, when, site)
    finally:
        store.close()
    first = rows[0].window
    table = _folding_table("网站标识码", "网站名称", "探测次数", "失败次数", "失败率", "日均探测", "最少一天",
                           "覆盖达标", "本方拒绝",
                           title=f"可用性监测 {first.start:%Y-%m-%d %H:%M} — {first.end:%Y-%m-%d %H:%M}")
    for r in rows:
        table.add_row(r.site_code, r.name, str(r.probes), str(r.failures), f"{r.ratio:.1%}",
                      f"{r.coverage.average:.1f}", str(r.coverage.lowest),
                      "是" if r.coverage.met else f"否（{r.coverage.days_below} 天不足 {r.coverage.required} 次）",
                      str(r.refused))
    _console().print(table)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
