"""The explicit list of checks. A new check is one class in its own module plus one line here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from govinspect.errors import ConfigError

if TYPE_CHECKING:
    from govinspect.checks.base import Check
    from govinspect.settings import Settings


def all_check_classes() -> list[type[Check]]:
    """Every check class, in report order. Imported here, not at package import time."""
    classes: list[type[Check]] = []
    # --- issue 2: foundation (availability, links, footer, domain) ---
    from govinspect.checks.availability import SiteUnreachable
    from govinspect.checks.broken_images import BrokenImages
    from govinspect.checks.dead_links import DeadLinks
    from govinspect.checks.domain import DomainNoncompliant
    from govinspect.checks.footer import FooterMissing
    from govinspect.checks.jiucuo import JiucuoMissing

    classes += [SiteUnreachable, DeadLinks, BrokenImages, FooterMissing, JiucuoMissing, DomainNoncompliant]
    # --- issue 3: columns ---
    from govinspect.checks.column_empty import ColumnEmpty
    from govinspect.checks.column_stale import ColumnStale
    from govinspect.checks.homepage_stale import HomepageStale

    classes += [HomepageStale, ColumnStale, ColumnEmpty]
    # --- issue 4: content integrity and privacy ---
    from govinspect.checks.dark_links import DarkLinks
    from govinspect.checks.spam import Spam
    from govinspect.checks.test_drafts import TestDrafts

    classes += [Spam, DarkLinks, TestDrafts]
    from govinspect.checks.privacy_leak import PrivacyLeak
    from govinspect.checks.serious_errors import SeriousErrors
    from govinspect.checks.wrong_region import WrongRegion

    classes += [PrivacyLeak, WrongRegion, SeriousErrors]
    # --- security: safe probes of the fetch stage (fetch/probes.py), transport and headers ---
    from govinspect.checks.exposed import Exposures
    from govinspect.checks.security_headers import SecurityHeaders
    from govinspect.checks.tls import TlsProblems
    from govinspect.checks.xss_reflected import XssReflected

    classes += [XssReflected, Exposures, TlsProblems, SecurityHeaders]
    # --- new-media accounts (Scope.ACCOUNT: run by newmedia.run.run_account, never on a site) ---
    from govinspect.checks.broken_menus import BrokenMenus
    from govinspect.checks.silent_accounts import SilentAccounts
    from govinspect.checks.stale_accounts import StaleAccounts
    from govinspect.checks.unanswered_messages import UnansweredMessages
    from govinspect.checks.unfiled_accounts import UnfiledAccounts

    classes += [StaleAccounts, SilentAccounts, UnansweredMessages, BrokenMenus, UnfiledAccounts]
    return classes


def build_checks(settings: Settings) -> list[Check]:
    """Instantiate every enabled check with its parameters from settings."""
    classes = all_check_classes()
    known = {c.id for c in classes}
    unknown = (set(settings.checks) | set(settings.disabled_checks)) - known
    if unknown:
        raise ConfigError(
            f"unknown check id(s) in settings: {', '.join(sorted(unknown))}; "
            f"known ids: {', '.join(sorted(known))}"
        )
    return [c.from_settings(settings) for c in classes if c.id not in settings.disabled_checks]
