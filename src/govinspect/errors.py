"""One error family. Every message says what the user should do about it."""


class GovinspectError(Exception):
    """Base of every error govinspect raises on purpose; the CLI prints it as one line."""


class ConfigError(GovinspectError):
    """Settings or a rule profile are invalid."""


class RegistryError(GovinspectError):
    """A registry file cannot be read at all (bad rows are reported, not raised)."""


class FetchRefused(GovinspectError):
    """The crawler refused a request on purpose (private address, robots.txt, bad scheme)."""


class StoreError(GovinspectError):
    """The database cannot be opened or migrated."""


class NotApplicable(GovinspectError):
    """Raised by a check's ``run``/constructor when it does not apply to this target (like Scrapy's NotConfigured)."""
