"""Held-out labelled sites (tests/fixtures/columns_holdout/*/labels.json): CMS styles the column code was not
written against (DedeCMS, EmpireCMS, JCMS data islands, script-rendered gkmlpt, table portals, 中国政府网-like
lists, mobile cards, tab blocks, a door page). Scored by the same scorer as benchmarks/columns_accuracy.py."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from govinspect.columns.discover import homepage_facts

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "tests" / "fixtures" / "columns_holdout"
TARGET = 0.95
FIGURES = ("recall", "category", "newest", "empty_precision", "empty_recall")


def _bench() -> ModuleType:
    name = "columns_accuracy"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "columns_accuracy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _layouts() -> list[str]:
    return sorted(p.parent.name for p in HOLDOUT.glob("*/labels.json"))


def test_holdout_has_at_least_six_labelled_layouts() -> None:
    layouts = _layouts()
    assert len(layouts) >= 6
    for layout in layouts:
        labels = json.loads((HOLDOUT / layout / "labels.json").read_text(encoding="utf-8"))
        assert labels["layout"] == layout
        assert labels["as_of"] and labels["homepage"].startswith("http")
        assert sum(1 for p in labels["pages"] if p.get("role") == "homepage") == 1
        for page in labels["pages"]:
            assert (HOLDOUT / layout / page["file"]).is_file(), page
        columns = labels["expected"]["columns"]
        assert len(columns) >= 5
        for col in columns:
            assert {"name", "url", "level", "category"} <= set(col), col
            assert col.get("external") or "empty" in col, col


def test_holdout_labels_cover_empty_stale_and_static_cases() -> None:
    """The set is not all easy positives: it has blank columns, dated lists and static pages."""
    columns = [c for layout in _layouts()
               for c in json.loads((HOLDOUT / layout / "labels.json").read_text(encoding="utf-8"))
               ["expected"]["columns"]]
    assert sum(1 for c in columns if c.get("empty")) >= 5
    assert sum(1 for c in columns if c.get("newest")) >= 25
    assert sum(1 for c in columns if c["category"] == "static" and not c.get("empty")) >= 10


def test_holdout_overall_figures_meet_target() -> None:
    bench = _bench()
    rows, total = bench.table(bench.load_all(HOLDOUT))
    overall = dict(rows)["overall"]
    assert total.expected >= 60 and total.newest_n >= 30 and total.empty_tp >= 5
    for figure in FIGURES:
        assert overall[figure] >= TARGET, (figure, overall, total.misses)


@pytest.mark.parametrize("layout", _layouts())
def test_holdout_layout_figures_meet_target(layout: str) -> None:
    bench = _bench()
    fixture = bench.load_fixture(HOLDOUT / layout)
    score, _ = bench.evaluate(fixture)
    row = score.row()
    for figure in FIGURES:
        assert row[figure] >= TARGET, (figure, row, score.misses)
    # levels, parents, names, fetched and render flags as labelled (extra columns are only reported)
    assert [m for m in score.misses if "unexpected column" not in m] == []


@pytest.mark.parametrize("layout", _layouts())
def test_holdout_homepage_facts(layout: str) -> None:
    bench = _bench()
    fixture = bench.load_fixture(HOLDOUT / layout)
    want = fixture.labels["expected"]["homepage"]
    facts = homepage_facts(fixture.view, fixture.as_of)
    assert (facts.newest.date if facts.newest else None) == want["newest"]
    assert facts.navigation_only == want["navigation_only"], facts.reason


def test_holdout_empty_columns_say_why() -> None:
    bench = _bench()
    reasons = {}
    for fixture in bench.load_all(HOLDOUT):
        for col in bench.evaluate(fixture)[1]:
            if col.empty:
                reasons[f"{fixture.layout}:{col.name}"] = col.empty_reason
    assert reasons["tabs_portal:部门动态"] == "页面显示‘对不起,该栏目暂无信息!’"
    assert "datastore" in reasons["jcms_pgcontainer:人事信息"]
    assert reasons["county_table:人事任免"] == "页面显示‘暂无信息’"
    assert all(reasons.values())
