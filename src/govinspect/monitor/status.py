"""``govinspect monitor status``: per site, the probes in the window before a monitoring point, judged as
site.unreachable judges them (same failure rule, same coverage rule), without running an inspection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from govinspect.errors import GovinspectError
from govinspect.findings.store import Store
from govinspect.monitor.store import SampleStore
from govinspect.monitor.window import Coverage, ProbeWindow, coverage
from govinspect.settings import Settings


@dataclass(frozen=True, slots=True)
class SiteStatus:
    """One site's window: counted probes (own refusals left out), failures, ratio and coverage."""

    site_code: str
    name: str
    window: ProbeWindow
    probes: int
    failures: int
    refused: int  # stopped by our own rules: not counted
    coverage: Coverage

    @property
    def ratio(self) -> float:
        return self.failures / self.probes if self.probes else 0.0


def monitor_status(store: Store, settings: Settings, as_of: datetime, site_codes: list[str] | None = None
                   ) -> list[SiteStatus]:
    """The status of every site with samples in the ``monitor.window_days`` before ``as_of``.

    Raises GovinspectError naming the fix when there are no samples in that window (or for an unknown
    site code), rather than printing an empty table that looks like "all fine".
    """
    from govinspect.checks.availability import SiteUnreachable

    check = SiteUnreachable.from_settings(settings)
    assert isinstance(check, SiteUnreachable)
    required = check.params.min_probes_per_day
    days = settings.monitor.window_days
    known = {s.site_code: s for s in store.sites()}
    if site_codes:
        unknown = sorted(set(site_codes) - set(known))
        if unknown:
            raise GovinspectError(f"--site {', '.join(unknown)} not in the registry of {store.url.render_as_string(hide_password=True)}"
                                  ": check the 网站标识码 or import the registry first")
    samples = SampleStore(store)
    windows = samples.windows(site_codes or None, as_of, days)
    if not windows:
        latest = samples.latest()
        hint = (f"the newest probe is from {latest.astimezone(as_of.tzinfo).isoformat(timespec='minutes')}: "
                "pick an --as-of after it" if latest is not None else "run `govinspect monitor` first")
        raise GovinspectError(f"no availability probes in the {days} days before "
                              f"{as_of.isoformat(timespec='minutes')}: {hint}")
    out: list[SiteStatus] = []
    order = {code: i for i, code in enumerate(known)}  # registry order
    for code in sorted(windows, key=lambda c: (order.get(c, len(order)), c)):
        window = windows[code]
        counted = [a for a in window.attempts if not a.own_refusal]
        failures = sum(1 for a in counted if check.failure_class(a) is not None)
        out.append(SiteStatus(
            site_code=code, name=known[code].name if code in known else "", window=window, probes=len(counted),
            failures=failures, refused=len(window.attempts) - len(counted),
            coverage=coverage(counted, window.start, window.end, required),
        ))
    return out
