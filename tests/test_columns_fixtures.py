"""Labelled fixture sites, one per layout seen on real government sites (tests/fixtures/columns/*/labels.yaml)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from urllib.parse import urljoin

import pytest

from govinspect.columns.discover import homepage_facts, url_key

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ("trs_ul_span", "hanweb_table", "gkmlpt_catalogue", "card_grid", "article_dates", "nav_homepage",
           "script_list")


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


def test_every_layout_has_a_labelled_fixture() -> None:
    found = {p.parent.name for p in (ROOT / "tests" / "fixtures" / "columns").glob("*/labels.yaml")}
    assert set(LAYOUTS) <= found


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_matches_its_labels(layout: str) -> None:
    bench = _bench()
    fixture = bench.load_fixture(ROOT / "tests" / "fixtures" / "columns" / layout)
    score, columns = bench.evaluate(fixture)
    assert score.misses == []
    by_key = {url_key(c.url): c for c in columns}
    for exp in fixture.labels["expected"]["columns"]:
        col = by_key[url_key(urljoin(fixture.labels["homepage"], exp["url"]))]
        assert col.name == exp["name"]
        assert col.category == exp["category"], col.category_reason
        assert col.category_reason
        if "newest" in exp:
            assert (col.newest.date if col.newest else None) == exp["newest"]
        assert col.empty == bool(exp.get("empty", False)), col.empty_reason
        assert col.external == bool(exp.get("external", False))
        assert col.needs_render == bool(exp.get("needs_render", False))
        if col.empty:
            assert col.empty_reason
        if col.fetched:
            assert col.warc_record_id and col.warc_record_id.startswith("<urn:uuid:")
    home = fixture.labels["expected"]["homepage"]
    facts = homepage_facts(fixture.view, fixture.as_of)
    assert (facts.newest.date if facts.newest else None) == home["newest"]
    assert facts.navigation_only == home["navigation_only"]


def test_accuracy_table_meets_targets(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _bench()
    rows, total = bench.table(bench.load_all())
    overall = dict(rows)["overall"]
    assert all(value >= 0.95 for value in overall.values()), overall
    assert total.expected >= 40 and total.empty_tp >= 7
    assert bench.main(["columns_accuracy"]) == 0
    assert "overall" in capsys.readouterr().out


def test_accuracy_drops_when_labels_disagree(tmp_path: Path) -> None:
    """The benchmark can fail: a wrong label is counted as a miss."""
    bench = _bench()
    src = ROOT / "tests" / "fixtures" / "columns" / "trs_ul_span"
    dst = tmp_path / "trs_wrong"
    dst.mkdir()
    for file in src.iterdir():
        text = file.read_text(encoding="utf-8")
        if file.name == "labels.yaml":
            text = text.replace("category: notice, newest: 2020-11-02", "category: news, newest: 2021-01-01")
        (dst / file.name).write_text(text, encoding="utf-8")
    score, _ = bench.evaluate(bench.load_fixture(dst))
    assert score.row()["category"] < 1.0 and score.row()["newest"] < 1.0
    assert any("通知公告" in m for m in score.misses)
