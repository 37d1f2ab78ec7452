"""report.xlsx: sheets, literal strings only (no formulas), evidence links, layout, golden rows."""

from __future__ import annotations

import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from govinspect.reports.context import build_context
from govinspect.reports.xlsx import FONT_NAME, MAX_CELL_CHARS, read_rows, write_xlsx
from tests.test_reports_context import HOSTILE_NAME, NOW, RULES, assert_golden, make_run

SHEETS = ["汇总", "各地区情况", "问题网站名单", "网站得分", "问题明细"]


@pytest.fixture
def xlsx_path(tmp_path):
    return write_xlsx(build_context(make_run(), rules=RULES), tmp_path / "report.xlsx", now=NOW)


def _normalise(rows_by_sheet):
    def value(v):
        if isinstance(v, float):
            return round(v, 4)
        if isinstance(v, datetime):
            return v.isoformat()
        return v

    return {sheet: [[value(v) for v in row] for row in rows] for sheet, rows in rows_by_sheet.items()}


def test_golden_rows(xlsx_path, update_golden):
    rows = _normalise(read_rows(xlsx_path))
    assert list(rows) == SHEETS
    assert_golden("reports_xlsx", rows, update_golden)


def test_summary_and_region_sheets(xlsx_path):
    rows = read_rows(xlsx_path)
    summary = dict((r[0], r[1]) for r in rows["汇总"][1:])
    assert summary["规则配置"] == "national-2019" and summary["规则版本"] == "2019.1"
    assert summary["监测时间点"] == "2021-06-15T00:00:00+08:00"
    assert summary["总体合格率"] == "60%"
    assert (summary["检查网站数"], summary["合格"], summary["不合格"], summary["未完成检查"]) == (6, 3, 2, 1)
    assert summary["判定规则1"] == RULES[0]
    regions = rows["各地区情况"]
    assert regions[0] == [
        "序号",
        "地区",
        "检查网站数",
        "合格网站数",
        "不合格网站数",
        "其中单项否决",
        "未完成检查",
        "合格率",
    ]
    assert regions[2] == [2, "广州市", 2, 1, 1, 0, 0, 0.5]
    assert regions[-1][1:] == ["合计", 6, 3, 2, 1, 1, 0.6]
    wb = load_workbook(xlsx_path)
    assert wb["各地区情况"]["H3"].number_format == "0.0%"


def test_hostile_strings_stay_literal_text(xlsx_path):
    wb = load_workbook(xlsx_path)
    ws = wb["网站得分"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == HOSTILE_NAME]
    assert cells, "the hostile site name is in the sheet"
    assert all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(xlsx_path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 5
        for name in sheets:
            xml = zf.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, f"{name} holds a formula"
    details = wb["问题明细"]
    reasons = [c.value for c in details["K"]]
    assert HOSTILE_NAME in reasons  # evidence reason "=HYPERLINK(...)" also stays text


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1:A2)", "\t=1", "\r=1"])
def test_every_formula_prefix_is_stored_as_a_string(tmp_path, text):
    run = make_run()
    run.sites[0].site = run.sites[0].site.model_copy(update={"name": text})
    path = write_xlsx(build_context(run), tmp_path / "r.xlsx", now=NOW)
    ws = load_workbook(path)["网站得分"]
    cell = next(c for c in ws["B"] if c.row > 1 and c.value and c.value.strip("\t\r") == text.strip("\t\r"))
    assert cell.data_type == "s"
    assert cell.value == text


def test_control_characters_and_huge_excerpts_do_not_break_the_file(tmp_path):
    run = make_run()
    run.sites[0].findings[0].evidence.excerpt = "前\x00\x07后" + "字" * (MAX_CELL_CHARS + 10)
    path = write_xlsx(build_context(run), tmp_path / "r.xlsx", now=NOW)
    rows = read_rows(path)["问题明细"]
    excerpt = next(r[8] for r in rows[1:] if r[8] and r[8].startswith("前"))
    assert excerpt.startswith("前\ufffd\ufffd后")
    assert len(excerpt) == MAX_CELL_CHARS and excerpt.endswith("…")


def test_evidence_links_are_relative_and_only_for_safe_paths(xlsx_path):
    wb = load_workbook(xlsx_path)
    ws = wb["问题明细"]
    header = [c.value for c in ws[1]]
    col = header.index("证据文件") + 1
    links = {}
    for row in ws.iter_rows(min_row=2):
        cell = row[col - 1]
        links[row[0].value, cell.row] = cell.hyperlink.target if cell.hyperlink else None
    targets = set(links.values())
    assert targets == {"evidence/4408000001.warc.gz", "evidence/4408820001.warc.gz", None}
    hostile_rows = [k for k in links if k[0] == "4408000002"]
    assert hostile_rows and all(links[k] is None for k in hostile_rows)  # ../../etc/passwd is not linked
    with zipfile.ZipFile(xlsx_path) as zf:
        rels = "".join(
            zf.read(n).decode() for n in zf.namelist() if n.endswith(".rels") and "worksheets" in n
        )
    assert "passwd" not in rels and "http" not in rels.replace("http://schemas.openxmlformats.org", "")


def test_layout_frozen_header_filter_widths_font(xlsx_path):
    wb = load_workbook(xlsx_path)
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws["A1"].font.b and ws["A1"].font.name == FONT_NAME
        assert ws["A2"].font.name == FONT_NAME
        assert all(8 <= ws.column_dimensions[c].width <= 60 for c in "AB")
    assert wb["问题明细"].auto_filter.ref == "A1:O9"
    assert wb["网站得分"].column_dimensions["B"].width >= 16  # CJK names count double width


def test_chart_image_is_embedded_when_given(tmp_path):
    from govinspect.reports.charts import region_pass_rate_chart

    ctx = build_context(make_run())
    chart = region_pass_rate_chart(ctx.regions)
    path = write_xlsx(ctx, tmp_path / "r.xlsx", now=NOW, chart_png=chart.png)
    with zipfile.ZipFile(path) as zf:
        media = [n for n in zf.namelist() if n.startswith("xl/media/")]
        assert len(media) == 1 and zf.read(media[0]) == chart.png
