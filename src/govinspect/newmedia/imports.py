"""Import the platforms' message exports (留言/私信) and the 全国政务新媒体信息报送系统 filing list.

Both are office spreadsheets read with :mod:`govinspect.registry.sheets` (CSV in UTF-8/BOM/GB18030 or
XLSX, a title row above the header, Chinese or English headers); times are read as the 找错 message import
reads them (:func:`govinspect.tickets.importer.parse_datetime`, local Asia/Shanghai when no zone is given).
A bad row is reported with its row number and field, and every other row imports.

A message row names its account by 账号ID, or by 账号名称 (with 平台 when two platforms share the name),
looked up in the account registry already imported. A filing row names the account as filed: 账号名称
and 平台, optionally 账号ID and 备案编号, and its filed status (运行 / 关停 / 注销) with the date of the change.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from govinspect.errors import GovinspectError
from govinspect.newmedia.model import AccountMessage, FilingRecord, FilingStatus
from govinspect.registry.load import _PLATFORM_VALUES
from govinspect.registry.models import Account
from govinspect.registry.sheets import Row, RowError, SheetKind, alias_table, data_rows, find_header, read_table
from govinspect.tickets.importer import _parse_datetime

MAX_ID = 128
MAX_TEXT = 500


class NewMediaImportError(GovinspectError):
    """A message export or filing list cannot be read at all (bad rows are reported, not raised)."""


_MESSAGE_HEADERS: dict[str, tuple[str, ...]] = {
    "account_id": ("账号ID", "账号标识", "account"),
    "account_name": ("账号名称", "公众号名称", "账号"),
    "platform": ("平台", "平台类型", "所属平台"),
    "message_id": ("留言编号", "留言ID", "消息ID", "私信ID", "编号"),
    "received_at": ("留言时间", "私信时间", "提问时间", "收到时间", "发送时间", "received"),
    "replied_at": ("回复时间", "答复时间", "replied"),
    "title": ("留言内容", "留言标题", "内容", "问题", "content"),
    "status": ("回复状态", "状态", "办理状态"),
}
_MESSAGE_EXPECTED = "账号ID or 账号名称, 留言时间, 回复时间 (and 留言编号, 留言内容, 回复状态)"

_FILING_HEADERS: dict[str, tuple[str, ...]] = {
    "account_id": ("账号ID", "账号标识", "account"),
    "name": ("账号名称", "名称", "政务新媒体名称"),
    "platform": ("平台", "平台类型", "所属平台"),
    "filing_no": ("备案编号", "备案号", "filing", "filing_number"),
    "status": ("状态", "备案状态", "运行状态", "账号状态"),
    "changed_on": ("变更日期", "关停日期", "注销日期", "关停/注销日期", "changed"),
    "host_org": ("主办单位", "开办主体", "host", "organization"),
}
_FILING_EXPECTED = "账号名称, 平台 (and 账号ID, 备案编号, 状态 运行/关停/注销, 变更日期)"

_REPLY_STATES = {"已回复": True, "已答复": True, "已处理": True, "replied": True, "是": True,
                 "未回复": False, "未答复": False, "待回复": False, "open": False, "否": False}
_FILING_STATES = {
    "运行": FilingStatus.RUNNING, "正常": FilingStatus.RUNNING, "正常运行": FilingStatus.RUNNING,
    "已备案": FilingStatus.RUNNING, "running": FilingStatus.RUNNING,
    "关停": FilingStatus.CLOSED, "已关停": FilingStatus.CLOSED, "停更": FilingStatus.CLOSED, "closed": FilingStatus.CLOSED,
    "注销": FilingStatus.CANCELLED, "已注销": FilingStatus.CANCELLED, "cancelled": FilingStatus.CANCELLED,
}


@dataclass
class MessageLoad:
    messages: list[AccountMessage]
    errors: list[RowError] = field(default_factory=list)


@dataclass
class FilingLoad:
    filings: list[FilingRecord]
    errors: list[RowError] = field(default_factory=list)


def _kind(what: str, aliases: dict[str, tuple[str, ...]]) -> SheetKind:
    return SheetKind(what, NewMediaImportError, frozenset(alias_table(aliases)),
                     empty_fix="export it again from the platform", no_rows_fix="export it again with its rows",
                     split_fix="export a shorter period per file", workbook="workbook")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _platform(row: Row) -> str:
    raw = row.get("platform")
    if not raw:
        return ""
    return str(row.choice("platform", _PLATFORM_VALUES, "", ", ".join(sorted(set(_PLATFORM_VALUES.values())))))


class _AccountIndex:
    """Registry accounts by id and by (name, platform), for rows that name their account."""

    def __init__(self, accounts: Iterable[Account]) -> None:
        self.ids = {a.account_id for a in accounts}
        self.by_name: dict[str, list[Account]] = {}
        for account in accounts:
            self.by_name.setdefault(_nfkc(account.name), []).append(account)

    def resolve(self, row: Row) -> str:
        account_id = _nfkc(row.get("account_id"))
        if account_id:
            if account_id not in self.ids:
                row.error("account_id", f"账号ID {account_id!r} is not in the account registry: "
                                        "import the accounts first (govinspect accounts import)")
                return ""
            return account_id
        name = _nfkc(row.get("account_name"))
        if not name:
            row.error("account_id", "账号ID and 账号名称 are both empty: fill in one of them")
            return ""
        platform = _platform(row)
        matches = [a for a in self.by_name.get(name, []) if not platform or a.platform == platform]
        if len(matches) == 1:
            return matches[0].account_id
        if not matches:
            row.error("account_name", f"账号名称 {name!r} is not in the account registry: "
                                      "import the accounts first or fill in 账号ID")
        else:
            row.error("account_name", f"账号名称 {name!r} names {len(matches)} accounts: add 平台 or 账号ID")
        return ""


def _when(row: Row, name: str, label: str, tz: ZoneInfo, now: datetime) -> datetime | None:
    raw = row.get(name)
    if not raw:
        return None
    value = _parse_datetime(raw, tz)
    if value is None:
        row.error(name, f"{label} {raw!r} is not a date and time: write it as 2021-05-08 10:30")
        return None
    if value > now + timedelta(days=1):
        row.error(name, f"{label} {raw!r} is in the future: check the year")
        return None
    return value


def load_messages(path: Path, accounts: Iterable[Account], *, timezone: str = "Asia/Shanghai",
                  now: datetime | None = None) -> MessageLoad:
    """Read a message export; rows naming an account missing from ``accounts`` are reported."""
    tz = ZoneInfo(timezone)
    now = now or datetime.now(tz)
    index = _AccountIndex(list(accounts))
    table = read_table(Path(path), _kind("message export", _MESSAGE_HEADERS))
    header = find_header(table, alias_table(_MESSAGE_HEADERS),
                         required=(("account_id", "account_name"), "received_at"), expected=_MESSAGE_EXPECTED)
    messages: list[AccountMessage] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for row in data_rows(table, header):
        account_id = index.resolve(row)
        received = _when(row, "received_at", "留言时间", tz, now)
        if received is None and not any(e.field == "received_at" for e in row.errors):
            row.error("received_at", "留言时间 is empty: fill it in")
        replied = _when(row, "replied_at", "回复时间", tz, now)
        title = row.text("title", "留言内容", MAX_TEXT)
        state = row.choice("status", _REPLY_STATES, None, "已回复 or 未回复")
        if state is True and replied is None and not row.get("replied_at"):
            row.error("replied_at", "回复状态 已回复 needs a 回复时间: fill it in")
        if state is False and replied is not None:
            row.error("status", "回复状态 未回复 but a 回复时间 is given: set it to 已回复 or clear the time")
        if received and replied and replied < received:
            row.error("replied_at", "回复时间 is before 留言时间: check both times")
        message_id = _nfkc(row.get("message_id"))
        if len(message_id) > MAX_ID or any(ch.isspace() for ch in message_id):
            row.error("message_id", f"{message_id[:40]!r} is not a 留言编号: no spaces, at most {MAX_ID} characters")
        if not message_id and received is not None:  # exports without ids: one stable id per message
            digest = hashlib.sha1(f"{account_id}|{received.isoformat()}|{title}".encode()).hexdigest()[:16]
            message_id = f"row-{digest}"
        key = (account_id, message_id)
        if account_id and message_id and key in seen:
            row.error("message_id", f"留言编号 {message_id} repeats row {seen[key]}: keep one row per message")
        elif account_id and message_id:
            seen[key] = row.number
        if row.errors:
            errors.extend(row.errors)
            continue
        assert received is not None
        messages.append(AccountMessage(account_id, message_id, received, replied, title))
    return MessageLoad(messages, errors)


def _day(row: Row, tz: ZoneInfo) -> date | None:
    raw = row.get("changed_on")
    if not raw:
        return None
    value = _parse_datetime(raw, tz)
    if value is None:
        row.error("changed_on", f"变更日期 {raw!r} is not a date: write it as 2021-05-08")
        return None
    return value.date()


def load_filings(path: Path, *, timezone: str = "Asia/Shanghai") -> FilingLoad:
    """Read the 报送系统 filing list (the whole list: an import replaces the previous one)."""
    tz = ZoneInfo(timezone)
    table = read_table(Path(path), _kind("filing list", _FILING_HEADERS))
    header = find_header(table, alias_table(_FILING_HEADERS), required=("name", "platform"),
                         expected=_FILING_EXPECTED)
    filings: list[FilingRecord] = []
    errors: list[RowError] = []
    for row in data_rows(table, header):
        name = _nfkc(row.required("name", "账号名称"))
        platform = _platform(row)
        if not row.get("platform"):
            row.error("platform", "平台 is empty: fill it in")
        status = row.choice("status", _FILING_STATES, FilingStatus.RUNNING, "运行, 关停 or 注销")
        changed = _day(row, tz)
        account_id = _nfkc(row.text("account_id", "账号ID", MAX_ID))
        filing_no = _nfkc(row.text("filing_no", "备案编号", MAX_ID))
        host_org = row.text("host_org", "主办单位", 255)
        if row.errors:
            errors.extend(row.errors)
            continue
        filings.append(FilingRecord(name, platform, account_id, filing_no, status, changed, host_org))
    return FilingLoad(filings, errors)


__all__ = ["FilingLoad", "MessageLoad", "NewMediaImportError", "load_filings", "load_messages"]
