"""Importing the account list (备案编号, 状态), the platforms' message exports and the 报送系统 filing list."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from govinspect.newmedia.imports import NewMediaImportError, load_filings, load_messages
from govinspect.newmedia.model import FilingStatus
from govinspect.registry.load import load_accounts
from govinspect.registry.models import AccountStatus
from tests.newmedia_support import CST, account

NOW = datetime(2021, 6, 30, 12, 0, tzinfo=CST)
ACCOUNTS = [account("http://x/wx"), account("http://x/wb", account_id="wb_lz", name="雷州发布", platform="weibo"),
            account("http://x/dy", account_id="dy_lz", name="雷州政务", platform="douyin")]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_account_list_with_filing_numbers_and_statuses(tmp_path: Path) -> None:
    csv = ("账号ID,账号名称,平台,地区,主办单位,主页/feed 地址,备案编号,状态\n"
           "wx1,雷州发布,微信公众号,广东省/湛江市/雷州市,雷州市政府办,http://xmt.example.gov.cn/wx1,GD-0001,运行\n"
           "wb1,雷州微博,微博,广东省/湛江市/雷州市,雷州市政府办,,GD-0002,注销\n"
           "dy1,雷州抖音,抖音,广东省/湛江市/雷州市,雷州市政府办,,,停更\n"
           "tt1,雷州头条,头条号,广东省/湛江市/雷州市,雷州市政府办,,,撤销\n")
    accounts, errors = load_accounts(write(tmp_path / "a.csv", csv, "gb18030"))
    assert [(a.account_id, a.status, a.filing_no) for a in accounts] == [
        ("wx1", AccountStatus.RUNNING, "GD-0001"), ("wb1", AccountStatus.CANCELLED, "GD-0002"),
        ("dy1", AccountStatus.CLOSED, "")]
    assert [(e.row, e.field) for e in errors] == [(5, "status")] and "注销" in errors[0].message
    assert accounts[0].platform_label == "微信公众号"


def test_messages_by_id_or_by_name_and_platform(tmp_path: Path) -> None:
    csv = ("留言编号,账号ID,账号名称,平台,留言时间,回复时间,留言内容,回复状态\n"
           "m1,wx_leizhou,,,2021-06-01 09:00,2021-06-02 10:00,请问,已回复\n"
           "m2,,雷州政务,,2021/6/3 9:00,,咨询,未回复\n"
           "m3,,雷州发布,微博,2021年6月4日 09:00,,咨询,\n"
           "m4,,雷州发布,,2021-06-04 09:00,,同名两个平台,\n"
           "m5,nobody,,,2021-06-04 09:00,,不在名录,\n"
           "m6,wx_leizhou,,,2021-06-04 09:00,,已回复却无时间,已回复\n"
           "m7,wx_leizhou,,,2021-06-05 09:00,2021-06-04 09:00,回复早于留言,\n"
           "m8,wx_leizhou,,,2031-06-05 09:00,,将来,\n"
           "m1,wx_leizhou,,,2021-06-01 09:00,,重复,\n")
    loaded = load_messages(write(tmp_path / "m.csv", csv), ACCOUNTS, now=NOW)
    assert [(m.account_id, m.message_id, m.replied_at is not None) for m in loaded.messages] == [
        ("wx_leizhou", "m1", True), ("dy_lz", "m2", False), ("wb_lz", "m3", False)]
    assert [(e.row, e.field) for e in loaded.errors] == [
        (5, "account_name"), (6, "account_id"), (7, "replied_at"), (8, "replied_at"), (9, "received_at"),
        (10, "message_id")]
    assert loaded.messages[1].received_at == datetime(2021, 6, 3, 9, 0, tzinfo=CST)


def test_message_export_without_ids_gets_stable_ones(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["雷州发布 留言导出"])
    ws.append(["账号ID", "留言时间", "回复时间", "留言内容"])
    ws.append(["wx_leizhou", datetime(2021, 6, 1, 9, 0), None, "请问"])
    wb.save(tmp_path / "m.xlsx")
    first = load_messages(tmp_path / "m.xlsx", ACCOUNTS, now=NOW).messages
    again = load_messages(tmp_path / "m.xlsx", ACCOUNTS, now=NOW).messages
    assert len(first) == 1 and first[0].message_id.startswith("row-") and first == again


def test_filing_list(tmp_path: Path) -> None:
    csv = ("账号名称,平台类型,账号ID,备案编号,备案状态,变更日期,主办单位\n"
           "雷州发布,微信公众号,wx_leizhou,GD-0001,运行,,雷州市政府办\n"
           "雷州微博,新浪微博,,GD-0002,已注销,2021-03-01,雷州市政府办\n"
           ",微博,,,运行,,\n"
           "雷州抖音,,,,关停,2021-13-01,\n")
    loaded = load_filings(write(tmp_path / "f.csv", csv))
    assert [(f.name, f.platform, f.status, f.changed_on) for f in loaded.filings] == [
        ("雷州发布", "wechat", FilingStatus.RUNNING, None), ("雷州微博", "weibo", FilingStatus.CANCELLED, date(2021, 3, 1))]
    assert [(e.row, e.field) for e in loaded.errors] == [(4, "name"), (5, "platform"), (5, "changed_on")]


def test_whole_file_problems_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(NewMediaImportError, match="no column for account_id"):
        load_messages(write(tmp_path / "x.csv", "留言编号,留言时间,回复时间\n1,2021-06-01,\n"), ACCOUNTS, now=NOW)
    with pytest.raises(NewMediaImportError, match="empty"):
        load_filings(write(tmp_path / "e.csv", ""))
