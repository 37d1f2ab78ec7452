"""write_outputs(): the four files of interfaces.md §2 in the output folder, written whole or not at all."""

from __future__ import annotations

import csv
import json

import pytest

from govinspect.reports import OUTPUT_NAMES, ReportError, write_outputs
from govinspect.reports.xlsx import read_rows
from tests.test_reports_context import NOW, RULES, make_run


def test_writes_the_four_files_and_returns_their_paths(tmp_path):
    out = tmp_path / "out"
    evidence = out / "evidence"
    evidence.mkdir(parents=True)
    (evidence / "4408000001.warc.gz").write_bytes(b"warc")
    written = write_outputs(make_run(), out, now=NOW, rules=RULES)
    assert (
        list(written) == list(OUTPUT_NAMES) == ["findings.jsonl", "scores.csv", "report.xlsx", "report.html"]
    )
    assert all(path.parent == out and path.stat().st_size > 0 for path in written.values())
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_NAMES, "evidence"])  # no temp files left
    assert (evidence / "4408000001.warc.gz").read_bytes() == b"warc"  # evidence is linked, never touched

    assert len(written["findings.jsonl"].read_text("utf-8").splitlines()) == 8
    with written["scores.csv"].open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 5
    assert list(read_rows(written["report.xlsx"])) == [
        "汇总",
        "各地区情况",
        "问题网站名单",
        "网站得分",
        "问题明细",
    ]
    html = written["report.html"].read_text("utf-8")
    assert (
        "national-2019" in html
        and "2021-06-16T09:30:00+08:00" in html
        and "data:image/svg+xml;base64," in html
    )


def test_same_run_same_bytes(tmp_path):
    first = write_outputs(make_run(), tmp_path / "a", now=NOW, rules=RULES)
    second = write_outputs(make_run(), tmp_path / "b", now=NOW, rules=RULES)
    for name in ("findings.jsonl", "scores.csv", "report.html"):
        assert first[name].read_bytes() == second[name].read_bytes(), name
    assert read_rows(first["report.xlsx"]) == read_rows(second["report.xlsx"])


def test_rewriting_replaces_old_reports(tmp_path):
    out = tmp_path / "out"
    write_outputs(make_run(), out, now=NOW)
    run = make_run()
    run.sites = run.sites[:1]
    written = write_outputs(run, out, now=NOW)
    assert len(written["findings.jsonl"].read_text("utf-8").splitlines()) == 4
    records = [json.loads(line) for line in written["findings.jsonl"].read_text("utf-8").splitlines()]
    assert {r["site_code"] for r in records} == {"4408000001"}


def test_now_defaults_to_the_current_time_in_the_runs_zone(tmp_path):
    written = write_outputs(make_run(), tmp_path, rules=RULES)
    summary = dict((r[0], r[1]) for r in read_rows(written["report.xlsx"])["汇总"][1:])
    assert summary["生成时间"].endswith("+08:00") and summary["生成时间"] != "2021-06-16T09:30:00+08:00"


def test_an_output_folder_that_is_a_file_is_a_clear_error(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    with pytest.raises(ReportError, match="writable --out folder"):
        write_outputs(make_run(), blocker, now=NOW)


def test_empty_run_still_writes_reports(tmp_path):
    run = make_run()
    run.sites = []
    written = write_outputs(run, tmp_path, now=NOW)
    assert written["findings.jsonl"].read_text("utf-8") == ""
    assert written[
        "scores.csv"
    ].read_bytes() == "\ufeffsite_code,name,region,kind,qualified,vetoes,deductions,bonus,score\r\n".encode(
        "utf-8"
    )
    assert "总体合格率为 —" in written["report.html"].read_text("utf-8")


def test_profile_title_reaches_both_reports(tmp_path):
    from govinspect.scoring.profile import load_profile

    profile = load_profile("national-2019")
    written = write_outputs(make_run(), tmp_path, now=NOW, profile=profile)
    summary = dict((r[0], r[1]) for r in read_rows(written["report.xlsx"])["汇总"][1:])
    assert summary["规则名称"] == profile.title
    assert profile.title in written["report.html"].read_text("utf-8")
