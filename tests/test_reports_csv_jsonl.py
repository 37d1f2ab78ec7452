"""scores.csv and findings.jsonl: the exact formats of interfaces.md §3–§4."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from govinspect.reports.context import build_context
from govinspect.reports.jsonl import write_jsonl
from govinspect.reports.scores_csv import HEADER, neutralise, write_scores_csv
from tests.test_reports_context import HOSTILE_NAME, make_run

JSONL_KEYS = [
    "check",
    "site_code",
    "url",
    "target",
    "severity",
    "indicator",
    "detail",
    "evidence",
    "observed_at",
]


def test_scores_csv_header_and_rows_exactly(tmp_path):
    path = write_scores_csv(build_context(make_run()), tmp_path / "scores.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese names correctly
    text = raw[3:].decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == "site_code,name,region,kind,qualified,vetoes,deductions,bonus,score"
    assert lines[1:] == [
        "4401000001,广州市人民政府,广东省/广州市,portal,true,,2,4.5,102.5",
        "4401000002,广州市教育局,广东省/广州市,department,false,,45,0,55",
        "4408000001,湛江市人民政府,广东省/湛江市,portal,true,,7.5,0,92.5",
        '4408000002,"\'=HYPERLINK(""http://evil"",""x"")",广东省/湛江市,department,true,,0.1,0,99.9',
        "4408820001,雷州市人民政府,广东省/湛江市/雷州市,portal,false,veto.columns_not_updated,3,0,",
        "",
    ]  # the failed 广东省人民政府 run has no score and no row


def test_scores_csv_reads_back_with_csv_module(tmp_path):
    path = write_scores_csv(build_context(make_run()), tmp_path / "scores.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == HEADER
    hostile = next(r for r in rows if r["site_code"] == "4408000002")
    assert hostile["name"] == "'" + HOSTILE_NAME
    vetoed = next(r for r in rows if r["site_code"] == "4408820001")
    assert (vetoed["qualified"], vetoed["vetoes"], vetoed["score"]) == (
        "false",
        "veto.columns_not_updated",
        "",
    )


def test_several_vetoes_are_semicolon_joined(tmp_path):
    run = make_run()
    leizhou = next(s for s in run.sites if s.site.site_code == "4408820001")
    leizhou.score.vetoes.append("veto.homepage_not_updated")
    path = write_scores_csv(build_context(run), tmp_path / "scores.csv")
    row = next(r for r in csv.reader(io.StringIO(path.read_text("utf-8-sig"))) if r[0] == "4408820001")
    assert row[5] == "veto.columns_not_updated;veto.homepage_not_updated"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+86 123", "'+86 123"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("广州=市", "广州=市"),
        ("a-b", "a-b"),
        ("", ""),
    ],
)
def test_neutralise_formula_prefixes(text, shown):
    assert neutralise(text) == shown


def test_jsonl_lines_keys_order_and_sorting(tmp_path):
    path = write_jsonl(build_context(make_run()), tmp_path / "findings.jsonl")
    text = path.read_text("utf-8")
    assert not text.startswith("\ufeff")
    lines = text.splitlines()
    assert len(lines) == 8
    records = [json.loads(line) for line in lines]
    for record in records:
        assert list(record) == JSONL_KEYS
        assert set(record["evidence"]) >= {"excerpt", "locator", "warc_record"}
    keys = [(r["site_code"], r["check"], r["url"], r["target"] or "") for r in records]
    assert keys == sorted(keys)
    assert [(r["site_code"], r["check"]) for r in records] == [
        ("4408000001", "footer.missing"),
        ("4408000001", "link.dead"),
        ("4408000001", "link.dead"),
        ("4408000001", "security.headers"),
        ("4408000002", "content.dark_link"),
        ("4408820001", "column.stale"),
        ("4408820001", "column.stale"),
        ("4408820001", "content.wrong_region"),
    ]
    # ensure_ascii=False: Chinese is written as is; only control characters are escaped
    assert re.findall(r"\\u[0-9a-f]{4}", text) == ["\\u0001"]
    stale = next(r for r in records if r["url"].endswith("/tzgg/"))
    assert stale["detail"] == {
        "column": "通知公告",
        "category": "notice",
        "newest": "2020-11-02",
        "limit_days": 183,
    }
    assert stale["severity"] == "veto" and stale["indicator"] == "veto.columns_not_updated"
    assert stale["observed_at"] == "2021-06-15T10:02:11+08:00"
    assert "通知公告" in lines[records.index(stale)]


def test_jsonl_is_byte_identical_whatever_the_input_order(tmp_path):
    run = make_run()
    first = write_jsonl(build_context(run), tmp_path / "a.jsonl").read_bytes()
    run.sites.reverse()
    for site in run.sites:
        site.findings.reverse()
    second = write_jsonl(build_context(run), tmp_path / "b.jsonl").read_bytes()
    assert first == second


def test_jsonl_escapes_nothing_it_should_not_and_keeps_one_record_per_line(tmp_path):
    run = make_run()
    run.sites[0].findings[0].evidence.excerpt = "第一行\n第二行\u2028"
    lines = write_jsonl(build_context(run), tmp_path / "f.jsonl").read_text("utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 9
    assert any(json.loads(line)["evidence"]["excerpt"] == "第一行\n第二行\u2028" for line in lines[:-1])
