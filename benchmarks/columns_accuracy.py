"""Accuracy of column discovery over labelled fixture sites.

Three sets: ``original`` (tests/fixtures/columns/, written alongside the code), ``holdout``
(tests/fixtures/columns_holdout/, other CMS styles, labelled before the code was tuned to them) and ``blind``
(tests/fixtures/columns_blind/, layouts written without reading the code and never tuned on). Each folder
holds hand-written pages and a ``labels.yaml`` or ``labels.json`` (the pages with their URLs, link results,
and the expected columns: name, url, level, parent, category, newest date, empty/external/needs_render flags).
Prints, per layout and overall: discovery recall, category accuracy, newest-date accuracy, and empty-column
precision and recall. Targets: all ≥ 0.95.

    .venv/bin/python benchmarks/columns_accuracy.py [--set original|holdout|blind|all] [FIXTURE_DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import yaml

from govinspect.archive.pageview import PageView
from govinspect.checks.base import SiteView
from govinspect.columns import Column, discover_columns
from govinspect.columns.discover import homepage_facts, url_key
from govinspect.fetch.types import FailureClass, LinkResult, LinkState
from govinspect.registry.models import Site, SiteKind

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "columns"
HOLDOUT = FIXTURES.parent / "columns_holdout"
BLIND = FIXTURES.parent / "columns_blind"  # never tuned on: a measurement, not a gate
SETS = {"original": FIXTURES, "holdout": HOLDOUT, "blind": BLIND}
TZ = ZoneInfo("Asia/Shanghai")
TARGET = 0.95


@dataclass
class Fixture:
    """One labelled site: its SiteView, monitoring point and expectations."""

    layout: str
    view: SiteView
    as_of: datetime
    labels: dict[str, Any]
    folder: Path


def _label_file(folder: Path) -> Path | None:
    for name in ("labels.yaml", "labels.json"):
        if (folder / name).exists():
            return folder / name
    return None


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def read_labels(path: Path) -> dict[str, Any]:
    """Labels from YAML (dates parsed by YAML) or JSON (ISO date strings turned into dates)."""
    if path.suffix == ".yaml":
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    labels = json.loads(path.read_text(encoding="utf-8"))
    labels["as_of"] = _as_date(labels["as_of"])
    expected = labels["expected"]
    if expected.get("homepage") is not None and "newest" in expected["homepage"]:
        expected["homepage"]["newest"] = _as_date(expected["homepage"]["newest"])
    for column in expected["columns"]:
        if "newest" in column:
            column["newest"] = _as_date(column["newest"])
    return labels


def load_fixture(folder: Path) -> Fixture:
    """Build the SiteView a crawl would have produced from the folder's pages and labels."""
    label_file = _label_file(folder)
    if label_file is None:
        raise FileNotFoundError(f"{folder} has no labels.yaml or labels.json; add one describing its pages")
    labels = read_labels(label_file)
    home_url = labels["homepage"]
    as_of = datetime.combine(labels["as_of"], time(10, 0), TZ)
    pages: list[PageView] = []
    homepage: PageView | None = None
    for n, entry in enumerate(labels.get("pages", [])):
        url = urljoin(home_url, entry["url"])
        html = (folder / entry["file"]).read_text(encoding="utf-8") if entry.get("file") else ""
        page = PageView(url, html, status=entry.get("status", 200), role=entry.get("role", "other"),
                        warc_record_id=f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>",
                        final_url=urljoin(home_url, entry["final_url"]) if entry.get("final_url") else None)
        if entry.get("role") == "homepage":
            homepage = page
            pages.insert(0, page)
        else:
            pages.append(page)
    links: dict[str, LinkResult] = {}
    for entry in labels.get("links", []) or []:
        url = urljoin(home_url, entry["url"])
        state = LinkState(entry.get("state", "ok"))
        failure = FailureClass.HTTP_STATUS if state == LinkState.DEAD and entry.get("status") else None
        links[url] = LinkResult(url, state, status=entry.get("status"), failure=failure)
    site = Site(site_code=str(labels.get("site_code", "4408820001")), name=labels.get("name", labels["layout"]),
                homepage=home_url, region="广东省/湛江市/示范县", host_org="示范县人民政府办公室", kind=SiteKind.PORTAL)
    view = SiteView(site=site, homepage=homepage, pages=pages, links=links)
    return Fixture(labels["layout"], view, as_of, labels, folder)


def load_all(root: Path = FIXTURES) -> list[Fixture]:
    return [load_fixture(d) for d in sorted(root.iterdir()) if d.is_dir() and _label_file(d) is not None]


@dataclass
class Score:
    """Counts behind the accuracy table for one layout (or all)."""

    expected: int = 0
    found: int = 0
    category_ok: int = 0
    category_n: int = 0
    newest_ok: int = 0
    newest_n: int = 0
    empty_tp: int = 0
    empty_fp: int = 0
    empty_fn: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("expected", "found", "category_ok", "category_n", "newest_ok", "newest_n", "empty_tp",
                     "empty_fp", "empty_fn"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses.extend(other.misses)

    @staticmethod
    def ratio(num: int, den: int) -> float:
        return num / den if den else 1.0

    def row(self) -> dict[str, float]:
        return {
            "recall": self.ratio(self.found, self.expected),
            "category": self.ratio(self.category_ok, self.category_n),
            "newest": self.ratio(self.newest_ok, self.newest_n),
            "empty_precision": self.ratio(self.empty_tp, self.empty_tp + self.empty_fp),
            "empty_recall": self.ratio(self.empty_tp, self.empty_tp + self.empty_fn),
        }


def _newest(col: Column) -> date | None:
    return col.newest.date if col.newest is not None else None


def evaluate(fixture: Fixture) -> tuple[Score, list[Column]]:
    """Compare discovered columns with the labels of one fixture."""
    columns = discover_columns(fixture.view, fixture.as_of)
    home = fixture.labels["homepage"]
    by_key = {url_key(c.url): c for c in columns}
    score = Score()
    expected = fixture.labels["expected"]["columns"]
    expected_keys = set()
    for exp in expected:
        key = url_key(urljoin(home, exp["url"]))
        expected_keys.add(key)
        score.expected += 1
        col = by_key.get(key)
        where = f"{fixture.layout}:{exp['name']}"
        if col is None:
            score.misses.append(f"{where}: not discovered")
            if exp.get("empty"):
                score.empty_fn += 1
            continue
        score.found += 1
        score.category_n += 1
        if col.category == exp["category"]:
            score.category_ok += 1
        else:
            score.misses.append(f"{where}: category {col.category} != {exp['category']} ({col.category_reason})")
        if "newest" in exp:
            score.newest_n += 1
            if _newest(col) == exp["newest"]:
                score.newest_ok += 1
            else:
                score.misses.append(f"{where}: newest {_newest(col)} != {exp['newest']}")
        want_empty = bool(exp.get("empty", False))
        if col.empty and want_empty:
            score.empty_tp += 1
        elif col.empty and not want_empty:
            score.empty_fp += 1
            score.misses.append(f"{where}: judged empty ({col.empty_reason})")
        elif want_empty:
            score.empty_fn += 1
            score.misses.append(f"{where}: empty column not judged empty")
        for flag in ("level", "parent", "external", "needs_render", "fetched", "name"):
            if flag in exp and getattr(col, flag) != exp[flag]:
                score.misses.append(f"{where}: {flag} {getattr(col, flag)!r} != {exp[flag]!r}")
    for col in columns:  # false empties among columns nobody labelled
        if url_key(col.url) not in expected_keys:
            score.misses.append(f"{fixture.layout}: unexpected column {col.name} {col.url}")
            if col.empty:
                score.empty_fp += 1
    want_home = fixture.labels["expected"].get("homepage")
    if want_home is not None:
        facts = homepage_facts(fixture.view, fixture.as_of)
        got = facts.newest.date if facts.newest else None
        if got != want_home.get("newest") or facts.navigation_only != want_home.get("navigation_only", False):
            score.misses.append(f"{fixture.layout}: homepage newest {got} nav_only {facts.navigation_only} "
                                f"!= {want_home}")
    return score, columns


def table(fixtures: list[Fixture]) -> tuple[list[tuple[str, dict[str, float]]], Score]:
    rows: list[tuple[str, dict[str, float]]] = []
    total = Score()
    for fixture in fixtures:
        score, _ = evaluate(fixture)
        rows.append((fixture.layout, score.row()))
        total.add(score)
    rows.append(("overall", total.row()))
    return rows, total


def print_table(title: str, root: Path) -> bool:
    """Print one set's table and mismatches; True when every overall figure meets the target."""
    rows, total = table(load_all(root))
    print(f"== {title} ({root})")
    head = f"{'layout':<22}{'recall':>8}{'category':>10}{'newest':>8}{'empty P':>9}{'empty R':>9}"
    print(head)
    print("-" * len(head))
    for layout, row in rows:
        print(f"{layout:<22}{row['recall']:>8.3f}{row['category']:>10.3f}{row['newest']:>8.3f}"
              f"{row['empty_precision']:>9.3f}{row['empty_recall']:>9.3f}")
    if total.misses:
        print("\nmismatches:")
        for miss in total.misses:
            print("  " + miss)
    ok = all(v >= TARGET for v in rows[-1][1].values())
    print(f"\ntargets (>= {TARGET}): {'met' if ok else 'NOT met'}\n")
    return ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Column discovery accuracy over labelled fixture sites.")
    parser.add_argument("--set", choices=[*SETS, "all"], default="all", dest="which",
                        help="which labelled set to measure (default and 'all': original and holdout; "
                        "blind only when named, as it is a measurement, not a target)")
    parser.add_argument("root", nargs="?", type=Path, help="a folder of labelled layouts instead of a named set")
    args = parser.parse_args(argv[1:])
    if args.root is not None:
        chosen = [(args.root.name, args.root)]
    else:
        chosen = [(name, SETS[name]) for name in SETS
                  if args.which == name or (args.which == "all" and name != "blind")]
    results = [print_table(name, root) for name, root in chosen]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
