"""The blind measurement sets load: every page is labelled, every label names a page, every page parses.

These sets (tests/fixtures/columns_blind/, tests/fixtures/content_blind/) were written without reading the
detectors and are a measurement, not a gate: this file checks their integrity and size only, never the
detectors' scores on them (see benchmarks/columns_accuracy.py and benchmarks/content_accuracy.py --set blind).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from govinspect.archive.pageview import PageView
from govinspect.columns.model import Category

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COLUMNS = FIXTURES / "columns_blind"
CONTENT = FIXTURES / "content_blind"
CHECKS = ("content.spam", "content.dark_link", "content.test_draft", "privacy.leak", "content.wrong_region",
          "content.serious_error")
PRIVACY_KINDS = {"id_number", "mobile", "bank_card", "address"}

# layout -> (pages, labelled columns, empty columns)
COLUMN_LAYOUTS = {"bootstrap_county": (10, 9, 1), "dl_rows": (7, 6, 0), "gkml_directory": (8, 7, 0),
                  "table_tb": (7, 6, 1)}
# check -> (cases, positives)
CONTENT_CASES = {"content.spam": (15, 5), "content.dark_link": (17, 6), "content.test_draft": (15, 5),
                 "privacy.leak": (15, 5), "content.wrong_region": (15, 5), "content.serious_error": (15, 5)}


def _parses(path: Path, url: str) -> None:
    page = PageView(url, path.read_text(encoding="utf-8"))
    assert page.title.strip(), f"{path.name} has no <title>"
    assert len(page.text) > 20, f"{path.name} has almost no text"


def test_column_layouts_are_the_expected_ones() -> None:
    folders = sorted(d.name for d in COLUMNS.iterdir() if d.is_dir() and not d.name.startswith("__"))
    assert folders == sorted(COLUMN_LAYOUTS)


@pytest.mark.parametrize("layout", sorted(COLUMN_LAYOUTS))
def test_column_layout_is_labelled_and_parses(layout: str) -> None:
    folder = COLUMNS / layout
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    n_pages, n_columns, n_empty = COLUMN_LAYOUTS[layout]
    assert labels["layout"] == layout
    assert date.fromisoformat(labels["as_of"])
    assert labels["homepage"].startswith("http://") and labels["homepage"].endswith("/")
    files = [p["file"] for p in labels["pages"]]
    assert sorted(files) == sorted(p.name for p in folder.glob("*.html")), "every page listed, every listed page present"
    assert len(files) == n_pages
    assert [p.get("role") for p in labels["pages"]].count("homepage") == 1
    page_urls = {p["url"] for p in labels["pages"]}
    for entry in labels["pages"]:
        _parses(folder / entry["file"], labels["homepage"].rstrip("/") + entry["url"])
    expected = labels["expected"]
    newest = expected["homepage"]["newest"]
    assert date.fromisoformat(newest) <= date.fromisoformat(labels["as_of"])
    columns = expected["columns"]
    assert len(columns) == n_columns
    assert sum(bool(c["empty"]) for c in columns) == n_empty
    names = {c["name"] for c in columns}
    for column in columns:
        assert column["url"] in page_urls, f"{column['name']}: its page is in the fixture"
        assert Category(column["category"])
        assert column["level"] in (1, 2)
        if column["level"] == 2:
            assert column["parent"], f"{column['name']}: a level-2 column names its parent"
        if column.get("parent") in names:
            assert column["level"] == 2
        if column.get("newest") is not None:
            assert date.fromisoformat(column["newest"]) <= date.fromisoformat(labels["as_of"])
        if column["empty"]:
            assert column["newest"] is None


def test_content_labels_cover_every_page_once() -> None:
    referenced: set[str] = set()
    for check in CHECKS:
        data = json.loads((CONTENT / f"labels_{check.replace('.', '_')}.json").read_text(encoding="utf-8"))
        for case in data["cases"]:
            referenced.add(case["file"])
            if case.get("spider_file"):
                referenced.add(case["spider_file"])
    on_disk = {f"pages/{p.name}" for p in (CONTENT / "pages").glob("*.html")}
    assert referenced == on_disk
    assert len(on_disk) == 63


@pytest.mark.parametrize("check", CHECKS)
def test_content_check_labels_parse(check: str) -> None:
    data = json.loads((CONTENT / f"labels_{check.replace('.', '_')}.json").read_text(encoding="utf-8"))
    total, positives = CONTENT_CASES[check]
    assert data["check"] == check
    assert data["region"] == "湖南省/郴州市/汝城县"
    cases = data["cases"]
    assert len(cases) == total
    assert sum(c["expected"] for c in cases) == positives
    assert sum(c["kind"] == "clean" for c in cases) == 6
    assert len({c["file"] for c in cases}) == total, "no page labelled twice for one check"
    for case in cases:
        assert isinstance(case["expected"], bool) and case["kind"] and case["note"]
        assert case["expected"] != (case["kind"] in ("clean", "hard_negative")), case["file"]
        _parses(CONTENT / case["file"], data["site"].rstrip("/") + case.get("url", "/x.html"))
        if case.get("spider_file"):
            _parses(CONTENT / case["spider_file"], data["site"])
        if check == "privacy.leak" and case["expected"]:
            assert case["kinds"] and set(case["kinds"]) <= PRIVACY_KINDS
            assert sorted(case["kinds"]) == sorted(case["kind"].split("+"))
