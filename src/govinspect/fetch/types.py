"""What a fetch returns. Every failure is classified so checks and reports can say why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class FailureClass(StrEnum):
    DNS = "dns"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    TLS = "tls"
    RESET = "reset"
    HTTP_STATUS = "http_status"
    TOO_LARGE = "too_large"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    PRIVATE_ADDRESS = "private_address"  # refused by the SSRF guard
    ROBOTS = "robots"  # disallowed by robots.txt
    BAD_URL = "bad_url"
    DECOMPRESSION = "decompression"  # bomb guard or corrupt encoding
    OTHER = "other"


# Requests our own safety rules stopped before they reached the site (address guard, robots.txt, a URL
# we will not fetch): a probe ending so says nothing about the site's availability.
OWN_REFUSALS = frozenset({FailureClass.PRIVATE_ADDRESS, FailureClass.ROBOTS, FailureClass.BAD_URL})

# Failures worth retrying (with backoff); the rest are final on the first attempt.
TRANSIENT = frozenset({FailureClass.TIMEOUT, FailureClass.RESET, FailureClass.REFUSED})


@dataclass(slots=True)
class FetchResult:
    """One request's outcome after redirects and retries."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    failure: FailureClass | None = None
    error: str = ""  # human-readable cause, one line
    elapsed: float = 0.0  # seconds, last attempt
    attempts: int = 1
    redirects: list[str] = field(default_factory=list)
    truncated: bool = False
    method: str = "GET"
    fetched_at: datetime | None = None
    warc_record_id: str | None = None  # set when archived
    remote_ip: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None and self.status is not None and self.status < 400

    def header(self, name: str) -> str | None:
        low = name.lower()
        for key, value in self.headers:
            if key.lower() == low:
                return value
        return None

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


class LinkState(StrEnum):
    OK = "ok"
    DEAD = "dead"  # failed and a retry confirmed it
    UNCONFIRMED = "unconfirmed"  # 429, WAF-style 403, robots: not judged dead
    SKIPPED = "skipped"  # not checked (scheme, budget, settings)


@dataclass(slots=True)
class LinkResult:
    """The status of one link/image target, shared by every site in a run."""

    url: str
    state: LinkState
    status: int | None = None
    failure: FailureClass | None = None
    error: str = ""
    final_url: str | None = None
    content_type: str = ""
    warc_record_id: str | None = None


@dataclass(slots=True)
class Attempt:
    """One availability probe of a homepage (for site.unreachable)."""

    at: datetime
    ok: bool
    elapsed: float
    status: int | None = None
    failure: FailureClass | None = None
    own_refusal: bool = False  # stopped by our own rules before reaching the site (not the site's fault)
