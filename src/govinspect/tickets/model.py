"""Records of the messages module: a ticket (one citizen message), its audit events, and masking.

A ticket's ``content`` is the citizen's own text and is stored as given; anything printed from it goes
through :func:`mask_phones` so reports never show a phone number. ``reporter_contact`` is masked before it
is stored at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from govinspect.errors import GovinspectError


class TicketError(GovinspectError):
    """A message cannot be stored, changed or imported as asked."""


class TicketKind(StrEnum):
    JIUCUO = "jiucuo"  # 我为政府网站找错
    CONSULTATION = "consultation"  # 网上咨询


class TicketStatus(StrEnum):
    RECEIVED = "received"  # 已收到, not yet forwarded
    FORWARDED = "forwarded"  # 已转办 to the responsible site; the deadline runs
    REPLIED = "replied"  # 已答复
    CLOSED = "closed"  # 已办结 (reply checked and the message closed)
    REJECTED = "rejected"  # 已退回 / 不予受理 (not this site's, invalid); counts as handled


HANDLED = frozenset({TicketStatus.REPLIED, TicketStatus.CLOSED, TicketStatus.REJECTED})

# The order a message moves in; a status never moves back.
STATUS_RANK = {
    TicketStatus.RECEIVED: 0,
    TicketStatus.FORWARDED: 1,
    TicketStatus.REPLIED: 2,
    TicketStatus.REJECTED: 2,
    TicketStatus.CLOSED: 3,
}

KIND_LABELS = {TicketKind.JIUCUO: "我为政府网站找错", TicketKind.CONSULTATION: "网上咨询"}
STATUS_LABELS = {
    TicketStatus.RECEIVED: "已收到",
    TicketStatus.FORWARDED: "已转办",
    TicketStatus.REPLIED: "已答复",
    TicketStatus.CLOSED: "已办结",
    TicketStatus.REJECTED: "已退回",
}


@dataclass(frozen=True)
class Ticket:
    """One citizen message. Datetimes are timezone-aware; ``deadline_at`` is set when it is forwarded."""

    id: str  # 留言编号 as the platform numbers it
    kind: TicketKind
    site_code: str  # 网站标识码 of the site that must answer
    received_at: datetime
    title: str
    content: str  # the citizen's text, as given (mask before printing)
    reporter_contact: str = ""  # masked
    status: TicketStatus = TicketStatus.RECEIVED
    forwarded_at: datetime | None = None
    deadline_at: datetime | None = None
    replied_at: datetime | None = None
    reply: str = ""
    handled_by: str = ""

    @property
    def handled(self) -> bool:
        return self.status in HANDLED

    def but(self, **changes: object) -> Ticket:
        """A copy with fields changed (tickets are immutable values)."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TicketEvent:
    """One entry of a ticket's audit trail: what happened, when, who did it (actor) and a note."""

    ticket_id: str
    at: datetime
    event: str  # received / forwarded / replied / closed / rejected / updated
    actor: str
    note: str = ""


# --- masking -------------------------------------------------------------------------------------------

# Mainland mobiles (optionally +86, with spaces or dashes), landlines with an area code, and any other
# run of 7+ digits (ID numbers, bank cards, local numbers). Over-masking a report is harmless; a leak is not.
_PHONE_RE = re.compile(
    r"(?<![0-9])(?:(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}"
    r"|0\d{2,3}[\s-]?\d{7,8}"
    r"|\d{7,}[0-9Xx]?)(?![0-9])"
)
_EMAIL_RE = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def _mask_digits(match: re.Match[str]) -> str:
    digits = re.sub(r"[^0-9Xx]", "", match.group(0))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * (len(digits) - 2) + digits[-2:]


_CJK_NAME_RE = re.compile(r"[\u4e00-\u9fff]{2,4}")


def mask_phones(text: str) -> str:
    """``text`` with every phone-like number masked (13912345678 → 139****5678) and e-mails shortened."""
    return _EMAIL_RE.sub(r"\1***@\2", _PHONE_RE.sub(_mask_digits, text))


def mask_contact(value: str) -> str:
    """A reporter's contact as it may be stored: numbers and e-mails masked, names cut to the surname (张*)."""
    masked = mask_phones(value.strip())
    return _CJK_NAME_RE.sub(lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), masked)


__all__ = [
    "HANDLED",
    "KIND_LABELS",
    "STATUS_LABELS",
    "STATUS_RANK",
    "Ticket",
    "TicketError",
    "TicketEvent",
    "TicketKind",
    "TicketStatus",
    "mask_contact",
    "mask_phones",
]
