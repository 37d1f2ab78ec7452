"""`govinspect tickets …` against a real SQLite file: import, list, forward, reply, show, stats."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govinspect.cli import app

SITES_CSV = (
    "网站标识码,网站名称,首页网址,地区,主办单位,网站类型\n"
    "4403000052,深圳市人民政府门户网站,http://www.sz.gov.cn/,广东省/深圳市,深圳市人民政府办公厅,门户网站\n"
    "4415000001,汕尾市人民政府门户网站,http://www.shanwei.gov.cn/,广东省/汕尾市,汕尾市人民政府办公室,门户网站\n"
)
MESSAGES_CSV = (
    "留言编号,网站名称,网站标识码,留言时间,转办时间,留言标题,留言内容,办理状态,答复时间,答复内容,联系方式\n"
    "JC001,深圳市人民政府门户网站,4403000052,2021-06-10 09:00,2021-06-11 15:00,链接错误,"
    "首页链接打不开，回电13912345678,已答复,2021-06-15 10:00,已修复,13912345678\n"
    "JC002,汕尾市人民政府门户网站,4415000001,2021-06-10 09:00,2021-06-11 15:00,错别字,有错别字,"
    "已答复,2021-06-16 10:00,已更正,\n"
    "JC003,汕尾市人民政府门户网站,4415000001,2021-06-14 09:00,2021-06-14 10:00,栏目空白,空白栏目,办理中,,,\n"
    "JC004,汕尾市人民政府门户网站,9999,2021-06-14 09:00,2021-06-14 10:00,x,y,办理中,,,\n"
    "JC005,汕尾市人民政府门户网站,4401000001,2021-06-14 09:00,2021-06-14 10:00,x,y,办理中,,,\n"
    "JC006,汕尾市人民政府门户网站,4415000001,2021-06-15 09:00,,待转办,待转办的留言,待转办,,,\n"
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})  # no wrapping inside the phrases
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'govinspect.db'}"
    (tmp_path / "sites.csv").write_text(SITES_CSV, encoding="utf-8")
    (tmp_path / "messages.csv").write_text(MESSAGES_CSV, encoding="utf-8")
    code, out = run("registry", "import", str(tmp_path / "sites.csv"), "--db", url)
    assert code == 0, out
    code, out = run("tickets", "import", str(tmp_path / "messages.csv"), "--db", url)
    assert code == 0, out
    assert "4 new, 0 updated, 0 unchanged messages, 2 bad rows" in out
    assert "9999" in out and "4401000001" in out and "registry" in out  # rows 5 and 6, named
    return url


def test_import_again_changes_nothing(db: str, tmp_path: Path) -> None:
    code, out = run("tickets", "import", str(tmp_path / "messages.csv"), "--db", db)
    assert code == 0 and "0 new, 0 updated, 4 unchanged messages" in out


def test_list_masks_phone_numbers_and_filters_overdue(db: str) -> None:
    code, out = run("tickets", "list", "--db", db)
    assert code == 0 and "4 message(s)" in out and "raise --limit" not in out
    code, out = run("tickets", "list", "--limit", "2", "--db", db)
    assert code == 0 and "2 message(s) (the first 2; raise --limit" in out and "JC003" not in out
    code, out = run("tickets", "show", "JC001", "--db", db)
    assert code == 0
    assert "13912345678" not in out and "139****5678" in out
    assert "received" in out and "forwarded" in out and "replied" in out
    code, out = run("tickets", "list", "--overdue", "--as-of", "2021-06-29", "--db", db)
    assert code == 0 and "1 overdue message(s)" in out and "JC003" in out and "JC001" not in out
    code, out = run("tickets", "list", "--overdue", "--as-of", "2021-06-15", "--db", db)
    assert code == 0 and "0 overdue message(s)" in out


def test_forward_then_reply_on_time(db: str, tmp_path: Path) -> None:
    code, out = run("tickets", "forward", "JC006", "--at", "2021-06-11T16:00", "--by", "省政府办公厅", "--db", db)
    assert code == 2 and "before it was received" in out  # received 06-15, cannot be forwarded on 06-11
    code, out = run("tickets", "forward", "JC006", "--at", "2021-09-17T16:00", "--db", db)
    assert code == 0 and "due 2021-09-18 23:59" in out  # the make-up Saturday
    code, out = run("tickets", "reply", "JC006", "--text", "已处理", "--at", "2021-09-18T11:00", "--by", "汕尾市",
                    "--db", db)
    assert code == 0 and "on time" in out
    code, out = run("tickets", "reply", "JC003", "--text", "已补充", "--at", "2021-06-30T09:00", "--db", db)
    assert code == 0 and "LATE" in out
    with sqlite3.connect(tmp_path / "govinspect.db") as conn:
        rows = conn.execute("SELECT status, reply, handled_by FROM tickets WHERE id = 'JC006'").fetchall()
        events = conn.execute("SELECT event, actor FROM ticket_events WHERE ticket_id = 'JC006' ORDER BY id").fetchall()
    assert rows == [("replied", "已处理", "汕尾市")]
    assert events == [("received", "import:messages.csv"), ("forwarded", "cli"), ("replied", "汕尾市")]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["tickets", "reply", "JC404", "--text", "x"], "tickets list"),
        (["tickets", "reply", "JC001", "--text", "x", "--at", "2021-06-20T09:00"], "already replied"),
        (["tickets", "reply", "JC006", "--text", "x"], "forward it"),
        (["tickets", "reply", "JC003", "--text", "  "], "empty"),
        (["tickets", "reply", "JC003", "--text", "x", "--at", "yesterday"], "YYYY-MM-DD"),
        (["tickets", "forward", "JC006", "--cutoff", "5pm"], "HH:MM"),
        (["tickets", "forward", "JC006", "--working-days", "0"], "working_days"),
        (["tickets", "stats", "--from", "2021-06-15", "--to", "2021-05-08"], "swap"),
        (["tickets", "stats", "--from", "8/5/2021", "--to", "2021-06-15"], "YYYY-MM-DD"),
        (["tickets", "list", "--status", "done"], "received, forwarded"),
        (["tickets", "import", "missing.csv"], "not found"),
        (["tickets", "import", "missing.csv", "--kind", "petition"], "jiucuo or consultation"),
    ],
)
def test_bad_input_is_one_line_with_the_fix(db: str, args: list[str], words: str) -> None:
    code, out = run(*args, "--db", db)
    assert code == 2, out
    assert words in out and "Traceback" not in out


def test_stats_prints_the_notice_figures(db: str) -> None:
    code, out = run("tickets", "stats", "--from", "2021-05-08", "--to", "2021-06-15", "--as-of", "2021-06-29",
                    "--db", db)
    assert code == 0, out
    assert "共收到“我为政府网站找错、网上咨询”留言4条，已办结2条" in out
    assert "按期办结率33.3%" in out
    assert "汕尾市" in out and "深圳市" in out
    assert "年度考核扣分（找错留言）：共 3 分" in out and "JC003" in out


def test_stats_json(db: str) -> None:
    code, out = run("tickets", "stats", "--from", "2021-05-08", "--to", "2021-06-15", "--as-of", "2021-06-29",
                    "--json", "--db", db)
    assert code == 0, out
    data = json.loads(out)
    total = data["total"]
    assert (total["received"], total["handled"], total["on_time"], total["late"], total["overdue_open"]) == (
        4, 2, 1, 1, 1)
    assert total["not_yet_due"] == 1  # JC006: never forwarded
    assert total["on_time_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert total["avg_working_hours"] == pytest.approx((19 + 43) / 2)  # across the Dragon Boat holiday
    assert {r["key"]: r["received"] for r in data["by_region"]} == {"汕尾市": 3, "深圳市": 1}
    assert [d["ticket_ids"] for d in data["deductions"]] == [["JC003"]] and data["deduction_points"] == 3
    code, out = run("tickets", "stats", "--from", "2021-05-08", "--to", "2021-06-15", "--as-of", "2021-06-29",
                    "--kind", "consultation", "--json", "--db", db)
    assert code == 0 and json.loads(out)["total"]["received"] == 0
