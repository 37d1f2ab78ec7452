"""Import the messages exported by the 我为政府网站找错 platform (or a consultation desk) from XLSX or CSV.

Headers are Chinese (留言编号, 网站名称, 网站标识码, 留言时间, 转办时间, 留言标题, 留言内容, 办理状态, 答复时间,
答复内容, optionally 联系方式, 留言类型, 办理单位) or their English field names; a title row above the header is
fine. Times without a zone are local (Asia/Shanghai); Excel date cells and Excel serial numbers are read.

Whole-file problems raise :class:`TicketImportError` naming the fix; a bad row becomes a
:class:`~govinspect.registry.load.RowError` (spreadsheet row number, field, problem) and every other row
still imports, as the registry import does. The reporter's contact is masked here, before it is stored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from govinspect.registry.sheets import (
    HEADER_SCAN_ROWS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    Row,
    RowError,
    SheetKind,
    alias_table,
    data_rows,
    find_header,
    read_table,
)
from govinspect.tickets.calendar import WorkCalendar
from govinspect.tickets.model import (
    HANDLED,
    Ticket,
    TicketError,
    TicketKind,
    TicketStatus,
    mask_contact,
)
from govinspect.tickets.service import MAX_TEXT, DeadlineRule, deadline_for

MAX_ID = 64
MAX_TITLE = 500
MAX_CONTACT = 200

_SITE_CODE_RE = re.compile(r"^(?:\d{10}|bm\d{8})$")


class TicketImportError(TicketError):
    """A message export cannot be read at all (bad rows are reported, not raised)."""


_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("留言编号", "编号", "留言ID", "工单号", "工单编号", "ticket_id"),
    "site_name": ("网站名称", "site_name"),
    "site_code": ("网站标识码", "标识码", "sitecode"),
    "received_at": ("留言时间", "提交时间", "收到时间", "received"),
    "forwarded_at": ("转办时间", "交办时间", "forwarded"),
    "title": ("留言标题", "标题", "主题"),
    "content": ("留言内容", "内容", "问题描述"),
    "status": ("办理状态", "状态", "处理状态"),
    "replied_at": ("答复时间", "回复时间", "办结时间", "replied"),
    "reply": ("答复内容", "回复内容", "处理结果", "答复意见"),
    "reporter_contact": ("联系方式", "联系电话", "留言人联系方式", "手机号码", "手机", "contact"),
    "kind": ("留言类型", "留言渠道", "渠道", "类别"),
    "handled_by": ("办理单位", "承办单位", "答复单位", "处理人"),
}
_REQUIRED = ("id", "site_code", "received_at")
_EXPECTED = "留言编号, 网站标识码, 留言时间 (and 网站名称, 转办时间, 留言标题, 留言内容, 办理状态, 答复时间, 答复内容)"

_STATUS_VALUES = {
    "received": TicketStatus.RECEIVED,
    "待转办": TicketStatus.RECEIVED,
    "未转办": TicketStatus.RECEIVED,
    "待处理": TicketStatus.RECEIVED,
    "已收到": TicketStatus.RECEIVED,
    "forwarded": TicketStatus.FORWARDED,
    "已转办": TicketStatus.FORWARDED,
    "已交办": TicketStatus.FORWARDED,
    "办理中": TicketStatus.FORWARDED,
    "处理中": TicketStatus.FORWARDED,
    "待答复": TicketStatus.FORWARDED,
    "未答复": TicketStatus.FORWARDED,
    "replied": TicketStatus.REPLIED,
    "已答复": TicketStatus.REPLIED,
    "已回复": TicketStatus.REPLIED,
    "已处理": TicketStatus.REPLIED,
    "closed": TicketStatus.CLOSED,
    "已办结": TicketStatus.CLOSED,
    "办结": TicketStatus.CLOSED,
    "已完成": TicketStatus.CLOSED,
    "rejected": TicketStatus.REJECTED,
    "已退回": TicketStatus.REJECTED,
    "退回": TicketStatus.REJECTED,
    "不予受理": TicketStatus.REJECTED,
    "无效留言": TicketStatus.REJECTED,
}
_KIND_VALUES = {
    "jiucuo": TicketKind.JIUCUO,
    "找错": TicketKind.JIUCUO,
    "纠错": TicketKind.JIUCUO,
    "我为政府网站找错": TicketKind.JIUCUO,
    "网站找错": TicketKind.JIUCUO,
    "consultation": TicketKind.CONSULTATION,
    "咨询": TicketKind.CONSULTATION,
    "网上咨询": TicketKind.CONSULTATION,
    "在线咨询": TicketKind.CONSULTATION,
}
_STATUS_ACCEPTED = "已转办, 办理中, 已答复, 已办结, 已退回 (or received/forwarded/replied/closed/rejected)"

_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日",
)
_EXCEL_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class ImportedTicket:
    """A valid row: the message and the spreadsheet row it came from."""

    row: int
    ticket: Ticket
    site_name: str = ""


@dataclass
class TicketLoad:
    """The rows that parsed and the rows that did not."""

    tickets: list[ImportedTicket]
    errors: list[RowError] = field(default_factory=list)
    source: Path | None = None
    header_row: int = 1


# --- reading the file -------------------------------------------------------------------------------------


def _sheet_kind() -> SheetKind:
    return SheetKind(
        "message",
        TicketImportError,
        frozenset(alias_table(_HEADERS)),
        empty_fix="export the messages again",
        no_rows_fix="export the messages again",
        split_fix="export a shorter period per file",
        workbook="workbook",
    )


# --- one row ----------------------------------------------------------------------------------------------


def _when(row: Row, name: str, label: str, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The cell as a time in ``tz``; None when empty or bad (reported), or more than a day after ``now``."""
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


def _parse_datetime(raw: str, tz: ZoneInfo) -> datetime | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    if re.fullmatch(r"\d{5}(\.\d+)?", text):  # an Excel serial date left as a number
        serial = float(text)
        if 20_000 <= serial <= 80_000:
            moment = _EXCEL_EPOCH + timedelta(days=serial)
            return moment.replace(microsecond=0, tzinfo=tz)
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("/", "-") if re.match(r"\d{4}/", text) else text)
    except ValueError:
        parsed = None
        for fmt in _DATETIME_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None or not 2000 <= parsed.year <= 2100:
        return None
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed.astimezone(tz)


def _build(
    row: Row,
    *,
    default_kind: TicketKind,
    rule: DeadlineRule,
    calendar: WorkCalendar,
    now: datetime,
) -> Ticket | None:
    tz = calendar.tz
    ticket_id = unicodedata.normalize("NFKC", row.get("id")).strip()
    if not ticket_id:
        row.error("id", "留言编号 is empty: fill it in")
    elif len(ticket_id) > MAX_ID or any(ch.isspace() for ch in ticket_id):
        row.error("id", f"{ticket_id[:40]!r} is not a 留言编号: no spaces, at most {MAX_ID} characters")
    code = unicodedata.normalize("NFKC", row.get("site_code")).strip()
    if code[:2].lower() == "bm":
        code = "bm" + code[2:]
    if not code:
        row.error("site_code", "网站标识码 is empty: fill it in")
    elif not _SITE_CODE_RE.fullmatch(code):
        row.error(
            "site_code",
            f"{code!r} is not a 网站标识码: use 10 characters, 6-digit division code + 4 digits or bm + 8 digits",
        )
    received = _when(row, "received_at", "留言时间", tz, now)
    if received is None and not any(e.field == "received_at" for e in row.errors):
        row.error("received_at", "留言时间 is empty: fill it in")
    forwarded = _when(row, "forwarded_at", "转办时间", tz, now)
    replied = _when(row, "replied_at", "答复时间", tz, now)
    title = row.text("title", "留言标题", MAX_TITLE)
    content = row.text("content", "留言内容", MAX_TEXT)
    if not title and not content and not any(e.field in ("title", "content") for e in row.errors):
        row.error("content", "留言标题 and 留言内容 are both empty: the message needs its text")
    reply = row.text("reply", "答复内容", MAX_TEXT)
    contact = row.text("reporter_contact", "联系方式", MAX_CONTACT)
    handled_by = row.text("handled_by", "办理单位", 255)
    kind = row.choice("kind", _KIND_VALUES, None, "找错/我为政府网站找错 or 网上咨询") or default_kind
    status: TicketStatus | None = row.choice("status", _STATUS_VALUES, None, _STATUS_ACCEPTED)
    if status is None and not row.get("status"):
        status = TicketStatus.REPLIED if replied else TicketStatus.FORWARDED if forwarded else TicketStatus.RECEIVED
    if status is not None:
        if status is not TicketStatus.RECEIVED and status is not TicketStatus.REJECTED and forwarded is None:
            if not row.get("forwarded_at"):
                row.error("forwarded_at", f"办理状态 {row.get('status') or status} needs a 转办时间: fill it in")
        if status in HANDLED and replied is None and not row.get("replied_at"):
            row.error("replied_at", f"办理状态 {row.get('status') or status} needs a 答复时间: fill it in")
        if status in (TicketStatus.RECEIVED, TicketStatus.FORWARDED) and replied is not None:
            row.error(
                "status",
                f"办理状态 {row.get('status') or status} but a 答复时间 is given: set the status to 已答复 "
                "or clear the reply time",
            )
        if status is TicketStatus.RECEIVED and forwarded is not None:
            row.error("status", f"办理状态 {row.get('status')} but a 转办时间 is given: set the status to 已转办")
    if received and forwarded and forwarded < received:
        row.error("forwarded_at", "转办时间 is before 留言时间: check both times")
    if replied and (forwarded or received) and replied < (forwarded or received):  # type: ignore[operator]
        row.error("replied_at", "答复时间 is before the message was forwarded: check both times")
    deadline = None
    if forwarded is not None and not row.errors:
        try:
            deadline = deadline_for(forwarded, rule, calendar)
        except TicketError as exc:
            row.error("forwarded_at", str(exc))
    if row.errors or status is None or received is None:
        return None
    return Ticket(
        id=ticket_id,
        kind=kind,
        site_code=code,
        received_at=received,
        title=title,
        content=content,
        reporter_contact=mask_contact(contact),
        status=status,
        forwarded_at=forwarded,
        deadline_at=deadline,
        replied_at=replied if status in HANDLED else None,
        reply=reply,
        handled_by=handled_by,
    )


def load_tickets(
    path: Path,
    *,
    kind: TicketKind = TicketKind.JIUCUO,
    rule: DeadlineRule | None = None,
    calendar: WorkCalendar | None = None,
    now: datetime | None = None,
) -> TicketLoad:
    """Read an export; each valid row becomes an :class:`ImportedTicket` with its deadline computed.

    ``kind`` applies to rows without a 留言类型 column or cell. ``now`` bounds times (a time more than a
    day ahead is a typo); it defaults to the current time.
    """
    path = Path(path)
    rule = rule or DeadlineRule()
    calendar = calendar or WorkCalendar()
    now = now or datetime.now(calendar.tz)
    table = read_table(path, _sheet_kind())
    if not any(any(cells) for _, cells in table.rows):
        raise TicketImportError(f"message file {path} is empty: export the messages again")
    header = find_header(table, alias_table(_HEADERS), required=_REQUIRED, expected=_EXPECTED)
    tickets: list[ImportedTicket] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row in data_rows(table, header):
        ticket = _build(row, default_kind=kind, rule=rule, calendar=calendar, now=now)
        key = unicodedata.normalize("NFKC", row.get("id")).strip()
        if key and key in seen:
            row.error("id", f"留言编号 {key} repeats row {seen[key]}: keep one row per message")
            ticket = None
        elif key:
            seen[key] = row.number
        if row.errors:
            errors.extend(row.errors)
        elif ticket is not None:
            tickets.append(ImportedTicket(row.number, ticket, row.get("site_name")))
    return TicketLoad(tickets, errors, path, header.row)


__all__ = [
    "HEADER_SCAN_ROWS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ImportedTicket",
    "TicketImportError",
    "TicketLoad",
    "load_tickets",
]
