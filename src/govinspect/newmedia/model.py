"""Records of the new-media part: a post, a menu link, a message and a filing-list row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from govinspect.fetch.types import LinkResult


@dataclass(frozen=True, slots=True)
class Post:
    """One post of an account as its homepage/feed lists it; ``published`` is a China-time day."""

    title: str
    url: str | None
    published: date | None
    raw_date: str = ""  # the date text as shown (evidence)
    locator: str = ""  # css path of the row, or feed:entry[3] / json:items[0]


@dataclass(frozen=True, slots=True)
class MenuLink:
    """A menu entry of an account page (自定义菜单, 导航) and what checking its target gave."""

    text: str
    url: str
    locator: str
    result: LinkResult | None = None


class MessageState(StrEnum):
    OPEN = "open"  # 未回复
    REPLIED = "replied"  # 已回复


@dataclass(frozen=True, slots=True)
class AccountMessage:
    """One 留言/私信/评论 from the platform's export: when it came in and when it was answered."""

    account_id: str
    message_id: str
    received_at: datetime
    replied_at: datetime | None = None
    title: str = ""

    @property
    def state(self) -> MessageState:
        return MessageState.OPEN if self.replied_at is None else MessageState.REPLIED


class FilingStatus(StrEnum):
    RUNNING = "running"  # 已备案, 运行
    CLOSED = "closed"  # 关停备案
    CANCELLED = "cancelled"  # 注销备案


@dataclass(frozen=True, slots=True)
class FilingRecord:
    """One row of the 全国政务新媒体信息报送系统 export: an account as filed, with its filed status."""

    name: str
    platform: str
    account_id: str = ""
    filing_no: str = ""
    status: FilingStatus = FilingStatus.RUNNING
    changed_on: date | None = None  # 关停/注销 date when the filing gives it
    host_org: str = ""
