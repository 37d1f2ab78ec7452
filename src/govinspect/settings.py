"""Settings: defaults < TOML file < GOVINSPECT_* environment < explicit (CLI) values.

Built once by :func:`load_settings` and passed down; nothing reads settings at import time.
Nested values use a double underscore in the environment: ``GOVINSPECT_FETCH__ALLOW_PRIVATE=1``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from govinspect.errors import ConfigError

DEFAULT_USER_AGENT = "govinspect/{version} (government website inspection; +{contact})"


class FetchSettings(BaseModel):
    """How the crawler talks to sites: politeness, limits, safety."""

    contact_url: str = "https://github.com/govinspect/govinspect#crawler"
    user_agent: str = ""  # empty: DEFAULT_USER_AGENT with version and contact_url
    spider_user_agent: str = (
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"
    )
    total_timeout: float = 15.0  # seconds per request; the availability rule counts 15 s
    connect_timeout: float = 10.0
    max_body_bytes: int = 8 * 1024 * 1024
    max_decompressed_ratio: int = 100  # decompression-bomb guard: decoded/encoded bytes
    max_redirects: int = 10
    global_concurrency: int = 64
    per_host_concurrency: int = 4
    per_host_rate: float = 20.0  # requests per second per host
    retries: int = 2  # for transient failures only
    backoff: float = 0.5  # seconds, doubled each retry
    allow_private: bool = False
    obey_robots: bool = True
    resolve: list[str] = Field(default_factory=list)  # curl-style HOST:PORT:ADDR

    def effective_user_agent(self) -> str:
        from govinspect import __version__

        return self.user_agent or DEFAULT_USER_AGENT.format(version=__version__, contact=self.contact_url)


class CrawlSettings(BaseModel):
    """What the crawl plan covers per site."""

    page_budget: int = 300
    max_depth: int = 5
    max_list_pages: int = 3  # pagination pages followed per column
    check_external_links: bool = True
    check_images: bool = True
    sites_in_parallel: int = 8  # sites crawled at once; each holds its pages until analysed (8: < 400 MB)
    # Worker processes for the CPU part of sites (columns, checks): -1 every core but one when the run
    # has several sites and the machine several cores; 0 none (all in the run's process); n exactly n.
    analysis_processes: int = Field(default=-1, ge=-1)


class WebSettings(BaseModel):
    """The dashboard (``govinspect web``): session signing, where re-checks write, cookie flags."""

    # Signs session cookies; empty: a random key kept in data_dir/web-secret.key. SecretStr, so the
    # settings a run stores (model_dump) show it masked.
    secret_key: SecretStr = SecretStr("")
    data_dir: Path = Path("govinspect-data")  # re-check runs write their outputs to data_dir/runs/<run id>
    session_hours: float = Field(default=8.0, gt=0)
    secure_cookies: bool = False  # True when served over HTTPS (cookie gets the Secure flag)
    max_rechecks: int = Field(default=2, ge=1)  # re-check runs at once; more wait in a bounded queue


class SecuritySettings(BaseModel):
    """Safe security probes of the fetch stage (authorised inspection, never an attack)."""

    enabled: bool = True
    xss_probe: bool = True  # harmless marker on GET search forms / search links found by the crawl
    exposed_paths: bool = True  # .git/HEAD, backups, phpinfo, directory listings, management consoles
    max_probe_requests: int = Field(default=40, ge=0)  # HTTP requests per site, redirect hops included


class MonitorSettings(BaseModel):
    """The week-long availability monitor (站点无法访问, ``govinspect monitor``): how often each running
    site's homepage is probed and over which window site.unreachable judges the samples."""

    interval_minutes: float = Field(default=60.0, gt=0)  # one round (one probe of every site) per interval
    probes_per_day: int = Field(default=24, ge=1)  # the target; the rule asks for >= 20 (site.unreachable)
    window_days: int = Field(default=7, ge=1)  # (C) 1 week before the monitoring point
    jitter: float = Field(default=0.1, ge=0, lt=0.5)  # each probe moves up to ± this share of the interval


class WorkerSettings(BaseModel):
    """Scale-out mode: Celery workers on Redis (``govinspect worker``, ``inspect --distributed``).

    Results go to the database (PostgreSQL: every worker must reach it), never to a Celery result backend;
    the Redis URLs are secrets because a run stores its settings.
    """

    broker_url: SecretStr = SecretStr("redis://127.0.0.1:6379/0")
    result_backend: SecretStr = SecretStr("")  # empty: none (each site's result is stored in the database)
    link_cache_url: SecretStr = SecretStr("")  # Redis for the run's shared link cache; empty: the broker's
    key_prefix: str = "govinspect:"  # on every Redis key (queues, control, link cache) of this deployment
    queue: str = Field(default="govinspect", min_length=1)
    prefetch: int = Field(default=1, ge=1)  # sites a worker process reserves ahead (1: no site waits behind another)
    acks_late: bool = True  # a site is acknowledged once stored, so a killed worker's site is delivered again
    concurrency: int = Field(default=0, ge=0)  # sites at once per worker (processes); 0: crawl.sites_in_parallel
    task_time_limit: float = Field(default=3600.0, gt=0)  # seconds one site may take; then recorded as failed
    # Seconds before Redis hands an unacknowledged site (its worker died) to another worker; 0: the hard
    # limit plus its margin again. Must exceed the hard limit, or a running site is delivered twice.
    visibility_timeout: float = Field(default=0.0, ge=0)
    max_attempts: int = Field(default=3, ge=1)  # deliveries of one site (its worker died each time) before it
    # is recorded as failed
    restore_interval: float = Field(default=10.0, gt=0)  # seconds between sweeps for sites of dead workers
    link_cache_ttl: int = Field(default=2 * 24 * 3600, gt=0)  # seconds a link status stays shared in Redis
    worker_timeout: float = Field(default=2.0, gt=0)  # seconds to collect the answers of workers
    poll_interval: float = Field(default=1.0, gt=0)  # seconds between progress reads of the database
    stall_seconds: float = Field(default=120.0, gt=0)  # no site stored for this long: ask whether workers live

    @model_validator(mode="after")
    def _visibility_after_limit(self) -> WorkerSettings:
        if self.visibility_timeout and self.visibility_timeout <= self.hard_time_limit():
            raise ValueError(f"workers.visibility_timeout must exceed the hard time limit "
                             f"({self.hard_time_limit():g} s: task_time_limit plus a margin) or be 0, "
                             "else a site still running is delivered twice")
        return self

    def _margin(self) -> float:
        return min(60.0, self.task_time_limit / 2)

    def hard_time_limit(self) -> float:
        """When Celery kills a site's process itself (the task records the site as failed before that)."""
        return self.task_time_limit + self._margin()

    def effective_visibility_timeout(self) -> float:
        return self.visibility_timeout or self.hard_time_limit() + self._margin()


class Settings(BaseSettings):
    """Everything configurable. See ``govinspect.toml.example``."""

    model_config = SettingsConfigDict(
        env_prefix="GOVINSPECT_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    database_url: str = "sqlite:///govinspect.db"
    profile: str = "national-2019"
    profile_overlay: Path | None = None
    timezone: str = "Asia/Shanghai"
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    web: WebSettings = Field(default_factory=WebSettings)
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    monitor: MonitorSettings = Field(default_factory=MonitorSettings)
    checks: dict[str, dict[str, Any]] = Field(default_factory=dict)
    disabled_checks: list[str] = Field(default_factory=list)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # init (explicit/CLI) beats environment; the TOML file is merged below both in load_settings.
        return (init_settings, env_settings)


def deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``, nested dicts merged key by key (lists and scalars replaced)."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from the TOML file, the environment and explicit overrides (highest).

    ``overrides`` may be nested dicts (``fetch={"allow_private": True}``); ``None`` values are ignored
    so CLI options left unset do not mask the file or the environment.
    """
    file_values: dict[str, Any] = {}
    if config_file is not None:
        try:
            file_values = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {config_file} not found: pass an existing --config path") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {config_file} is not valid TOML ({exc}): fix the line named") from None
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        env_only = Settings()  # environment over defaults
        merged = deep_merge(file_values, _explicit(env_only))
        merged = deep_merge(merged, clean)
        return Settings(**merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"setting {where!r}: {first['msg']}; fix it in the config file or GOVINSPECT_* variable") from None


def _explicit(settings: Settings) -> dict[str, Any]:
    """Only the values set explicitly (environment), nested, so the file fills the rest."""

    def walk(model: BaseModel) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in model.model_fields_set:
            value = getattr(model, name)
            out[name] = walk(value) if isinstance(value, BaseModel) else value
        return out

    return walk(settings)
