"""Importing the 找错 platform's export: CSV and XLSX, Chinese headers, bad rows by row number and field."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govinspect.tickets.calendar import WorkCalendar
from govinspect.tickets.importer import TicketImportError, load_tickets
from govinspect.tickets.model import TicketKind, TicketStatus
from govinspect.tickets.service import DeadlineRule

CST = timezone(timedelta(hours=8))
NOW = datetime(2021, 6, 29, 12, 0, tzinfo=CST)
HEADER = ["留言编号", "网站名称", "网站标识码", "留言时间", "转办时间", "留言标题", "留言内容", "办理状态", "答复时间",
          "答复内容", "联系方式"]
GOOD = [
    ["JC2021060001", "汕尾市人民政府门户网站", "4415000001", "2021-06-10 09:12:00", "2021-06-11 15:30:00",
     "链接无法打开", "首页“政务公开”链接打不开，请回电13912345678", "已答复", "2021-06-15 10:00:00", "已修复", "张三 13912345678"],
    ["JC2021060002", "广东省人力资源和社会保障厅网站", "BM44000001", "2021/6/12 8:05", "2021/6/12 9:00", "错别字",
     "通知中有错别字", "办理中", "", "", ""],
    ["JC2021060003", "深圳市人民政府门户网站", "4403000052", "2021年6月13日 10:00", "", "", "栏目空白", "", "", "", ""],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig", title: str | None = None) -> Path:
    import csv

    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        if title:
            writer.writerow([title])
        writer.writerows(rows)
    return path


def load(path: Path, **kw: object) -> object:
    return load_tickets(path, now=NOW, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    loaded = load(write_csv(tmp_path / "m.csv", [HEADER, *GOOD], encoding))
    assert loaded.errors == []  # type: ignore[attr-defined]
    first, second, third = (i.ticket for i in loaded.tickets)  # type: ignore[attr-defined]
    assert first.id == "JC2021060001" and first.kind is TicketKind.JIUCUO
    assert first.received_at == datetime(2021, 6, 10, 9, 12, tzinfo=CST)
    assert first.status is TicketStatus.REPLIED and first.reply == "已修复"
    assert first.deadline_at is not None and first.deadline_at.date().isoformat() == "2021-06-15"
    assert "13912345678" in first.content  # the citizen's text is stored as given
    assert first.reporter_contact == "张* 139****5678"  # the contact is masked before storage
    assert second.site_code == "bm44000001" and second.status is TicketStatus.FORWARDED
    assert second.deadline_at is not None and second.deadline_at.date().isoformat() == "2021-06-15"
    assert third.status is TicketStatus.RECEIVED and third.forwarded_at is None and third.deadline_at is None
    assert loaded.tickets[0].row == 2 and loaded.tickets[0].site_name == "汕尾市人民政府门户网站"  # type: ignore[attr-defined]


def test_xlsx_with_a_title_row_date_cells_and_serial_numbers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2021年第二季度“我为政府网站找错”留言办理情况"])
    ws.append([*HEADER, "留言类型"])
    ws.append(["JC1", "汕尾市人民政府门户网站", 4415000001.0, datetime(2021, 6, 11, 14, 0),
               datetime(2021, 6, 11, 15, 30), "标题", "内容", "已办结", datetime(2021, 6, 15, 9, 0), "已修复", "",
               "网上咨询"])
    ws.append(["JC2", "汕尾市人民政府门户网站", "4415000001", 44358.375, 44358.5, "标题", "内容", "已转办", None, None,
               None, "找错"])
    wb.save(tmp_path / "m.xlsx")
    loaded = load(tmp_path / "m.xlsx")
    assert loaded.errors == [] and loaded.header_row == 2  # type: ignore[attr-defined]
    one, two = (i.ticket for i in loaded.tickets)  # type: ignore[attr-defined]
    assert one.site_code == "4415000001" and one.status is TicketStatus.CLOSED
    assert one.kind is TicketKind.CONSULTATION
    assert two.kind is TicketKind.JIUCUO
    assert two.received_at == datetime(2021, 6, 11, 9, 0, tzinfo=CST)  # Excel serial 44358 is 2021-06-11
    assert [i.row for i in loaded.tickets] == [3, 4]  # type: ignore[attr-defined]


BAD = [
    # (row cells changed from GOOD[0], field, words in the message)
    ({"留言编号": ""}, "id", "留言编号 is empty"),
    ({"留言编号": "JC 1"}, "id", "no spaces"),
    ({"网站标识码": "441500001"}, "site_code", "not a 网站标识码"),
    ({"网站标识码": ""}, "site_code", "empty"),
    ({"留言时间": "昨天"}, "received_at", "not a date"),
    ({"留言时间": ""}, "received_at", "empty"),
    ({"留言时间": "2031-06-10 09:00"}, "received_at", "future"),
    ({"转办时间": "2021-06-09 09:00"}, "forwarded_at", "before 留言时间"),
    ({"答复时间": "2021-06-11 10:00"}, "replied_at", "before the message was forwarded"),
    ({"办理状态": "已阅"}, "status", "not a known value"),
    ({"办理状态": "已答复", "答复时间": ""}, "replied_at", "needs a 答复时间"),
    ({"办理状态": "办理中"}, "status", "but a 答复时间 is given"),
    ({"办理状态": "已转办", "转办时间": "", "答复时间": ""}, "forwarded_at", "needs a 转办时间"),
    ({"留言标题": "", "留言内容": ""}, "content", "both empty"),
    ({"留言标题": "长" * 501}, "title", "over 500"),
    ({"转办时间": "2031-12-31 10:00", "答复时间": ""}, "forwarded_at", "future"),
]


@pytest.mark.parametrize(("changes", "field", "words"), BAD, ids=[f"{b[1]}:{b[2]}" for b in BAD])
def test_a_bad_row_is_reported_and_the_others_import(
    tmp_path: Path, changes: dict[str, str], field: str, words: str
) -> None:
    bad = list(GOOD[0])
    bad[0] = "JCBAD"  # its own id, unless the case is about the id
    for header, value in changes.items():
        bad[HEADER.index(header)] = value
    loaded = load(write_csv(tmp_path / "m.csv", [HEADER, GOOD[0], bad, GOOD[1]]))
    assert [i.ticket.id for i in loaded.tickets] == ["JC2021060001", "JC2021060002"]  # type: ignore[attr-defined]
    matching = [e for e in loaded.errors if e.field == field]  # type: ignore[attr-defined]
    assert matching and all(e.row == 3 for e in loaded.errors), loaded.errors  # type: ignore[attr-defined]
    assert any(words in e.message for e in matching), matching


def test_the_good_twin_of_every_bad_row_imports(tmp_path: Path) -> None:
    """Near misses: the same rows with the value right are accepted (the checks are not just strict)."""
    near = [
        ["JC1", "", "4415000001", "2021-06-11 15:30", "2021-06-11 15:30", "", "内容", "已答复", "2021-06-11 15:30", "", ""],
        ["JC2", "", "bm44000001", "2021-06-29 12:00", "", "标题", "", "待转办", "", "", ""],
        ["JC3", "", "4415000001", "2021-06-10 09:00", "", "标题", "", "已退回", "2021-06-10 10:00", "非本站", ""],
    ]
    loaded = load(write_csv(tmp_path / "m.csv", [HEADER, *near]))
    assert loaded.errors == []  # type: ignore[attr-defined]
    assert [i.ticket.status for i in loaded.tickets] == [  # type: ignore[attr-defined]
        TicketStatus.REPLIED, TicketStatus.RECEIVED, TicketStatus.REJECTED]


def test_repeated_ids_keep_the_first(tmp_path: Path) -> None:
    loaded = load(write_csv(tmp_path / "m.csv", [HEADER, GOOD[0], GOOD[0]]))
    assert len(loaded.tickets) == 1  # type: ignore[attr-defined]
    assert [(e.row, e.field) for e in loaded.errors] == [(3, "id")]  # type: ignore[attr-defined]
    assert "repeats row 2" in loaded.errors[0].message  # type: ignore[attr-defined]


def test_a_forwarding_date_beyond_the_holiday_tables_is_a_row_error(tmp_path: Path) -> None:
    cal = WorkCalendar()
    year = cal.last_year + 1
    row = ["JC9", "", "4415000001", f"{year}-01-04 09:00", f"{year}-01-04 10:00", "标题", "内容", "办理中", "", "", ""]
    loaded = load_tickets(write_csv(tmp_path / "m.csv", [HEADER, GOOD[0], row]),
                          now=datetime(year, 1, 5, tzinfo=CST))
    assert [i.ticket.id for i in loaded.tickets] == ["JC2021060001"]
    assert [(e.row, e.field) for e in loaded.errors] == [(3, "forwarded_at")]
    assert "upgrade chinesecalendar" in loaded.errors[0].message


def test_the_deadline_rule_is_applied(tmp_path: Path) -> None:
    loaded = load(write_csv(tmp_path / "m.csv", [HEADER, GOOD[0]]), rule=DeadlineRule(working_days=2))
    assert loaded.tickets[0].ticket.deadline_at.date().isoformat() == "2021-06-16"  # type: ignore[attr-defined]


def test_default_kind_for_files_without_a_kind_column(tmp_path: Path) -> None:
    loaded = load(write_csv(tmp_path / "m.csv", [HEADER, GOOD[0]]), kind=TicketKind.CONSULTATION)
    assert loaded.tickets[0].ticket.kind is TicketKind.CONSULTATION  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "not found"),
        (b"", "is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel .xls"),
        (b"PK\x03\x04garbage", "damaged workbook"),
        ("名称,地址\n甲,乙\n".encode(), "no recognisable header"),
        ("留言编号,网站名称,留言标题\nJC1,甲,乙\n".encode(), "no column for site_code, received_at"),
        ("留言编号,网站标识码,留言时间\n".encode(), "no rows below it"),
        ("留言编号,网站标识码\x00".encode("utf-16"), "binary or UTF-16"),
    ],
)
def test_unreadable_files_name_the_fix(tmp_path: Path, content: bytes | None, words: str) -> None:
    path = tmp_path / ("m.xlsx" if content and content.startswith(b"PK") else "m.csv")
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(TicketImportError, match=words):
        load(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.lists(st.text(max_size=30), min_size=1, max_size=12), min_size=0, max_size=6))
def test_arbitrary_rows_never_crash(tmp_path: Path, cells: list[list[str]]) -> None:
    """Whatever the cells hold, the result is tickets and row errors or one TicketImportError."""
    path = write_csv(tmp_path / "fuzz.csv", [HEADER, *cells])
    try:
        loaded = load(path)
    except TicketImportError:
        return
    assert len(loaded.tickets) + len({e.row for e in loaded.errors}) <= len(cells)  # type: ignore[attr-defined]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        loaded = load(path)
    except TicketImportError as exc:
        message = str(exc)
        assert message and "\n" not in message  # one clear line, nothing else escapes
        return
    assert isinstance(loaded.tickets, list)
    assert all(e.row >= 2 for e in loaded.errors)  # data rows sit below a header row
