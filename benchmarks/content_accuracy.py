"""Accuracy of the content-integrity checks over their labelled corpora.

Each check has one section: a labels file under ``tests/fixtures/content/`` (``labels_<name>.json``:
``{"check": id, "site": homepage, "cases": [{"file", "expected", "kind", "note", …}]}``) and a scorer
that runs the check on one case and says whether it fired. Add a section by appending a
:class:`Section` to :func:`sections`. Prints precision, recall and the false-positive rate on clean
pages per check, and pages per second of each check.

    python benchmarks/content_accuracy.py [--set main|holdout|blind|all] [--check content.spam] [--json] [--strict]

``--set blind`` scores ``tests/fixtures/content_blind/`` the same way: pages in the holdout layout written
without reading the detectors and never tuned on, a measurement rather than a gate.
``--set holdout`` scores the held-out corpus of ``tests/fixtures/content_holdout/`` instead: pages written
apart from the detectors, in CMS styles the first corpora lack (see its ``make_holdout.py``), one
``labels_<check id>.json`` per check whose cases may carry their own site region, page URL path,
expected privacy kinds and spider view. ``--strict`` exits non-zero when a check misses the targets
(precision and recall ≥ 0.95, FP ≤ 1 %).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "content"
TARGET_PRECISION = 0.95
TARGET_RECALL = 0.95
TARGET_FP_RATE = 0.01

Scorer = Callable[[dict[str, Any], str], list[Any]]  # (case, site homepage) -> findings


@dataclass
class Result:
    check: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    clean: int = 0  # negatives of kind "clean"
    clean_fp: int = 0
    seconds: float = 0.0
    pages: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def fp_rate(self) -> float:
        return self.clean_fp / self.clean if self.clean else 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def meets_targets(self) -> bool:
        return (self.precision >= TARGET_PRECISION and self.recall >= TARGET_RECALL
                and self.fp_rate <= TARGET_FP_RATE)

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "clean_pages": self.clean, "clean_fp_rate": round(self.fp_rate, 4),
                "pages_per_second": round(self.pages_per_second, 1), "errors": self.errors}


@dataclass
class Section:
    """One check's corpus and scorer."""

    check: str
    labels: Path
    scorer: Scorer


# ---- shared helpers ---------------------------------------------------------------------------

def _context(homepage: str) -> Any:
    from govinspect.checks.base import CheckContext
    from govinspect.registry.models import Site, SiteKind

    site = Site(site_code="4408820001", name="某县人民政府门户网站", homepage=homepage, region="广东省/湛江市/某县",
                host_org="某县人民政府办公室", kind=SiteKind.PORTAL)
    now = datetime(2021, 6, 30, 10, 0, tzinfo=timezone.utc)
    return CheckContext(as_of=now, site=site, observed_at=now)


def _page(file: str, homepage: str, name: str = "") -> Any:
    from govinspect.archive.pageview import PageView

    html = (CORPUS / file).read_text(encoding="utf-8")
    url = homepage.rstrip("/") + "/" + (name or Path(file).stem) + ".html"
    return PageView(url, html, warc_record_id=f"<urn:uuid:{Path(file).stem}>")


# ---- content.spam, content.test_draft, content.dark_link (page corpus) -------------------------

def _page_scorer(factory: Callable[[], Any]) -> Scorer:
    holder: dict[str, Any] = {}

    def score(case: dict[str, Any], homepage: str) -> list[Any]:
        check = holder.setdefault("check", factory())
        return list(check.run(_page(case["file"], homepage), _context(homepage)))

    return score


def _dark_link_scorer() -> Scorer:
    holder: dict[str, Any] = {}

    def score(case: dict[str, Any], homepage: str) -> list[Any]:
        from govinspect.checks.base import SiteView
        from govinspect.checks.dark_links import DarkLinks

        check = holder.setdefault("check", DarkLinks())
        ctx = _context(homepage)
        page = _page(case["file"], homepage)
        extras: dict[str, Any] = {}
        if case.get("spider_file"):
            page = _page(case["file"], homepage, "index")
            extras["spider_view"] = _page(case["spider_file"], homepage, "index")
        if case.get("rendered"):
            extras["rendered"] = {page.url: case["rendered"]}
        view = SiteView(site=ctx.site, homepage=page, pages=[page], extras=extras)
        ctx.site_view = view
        return list(check.run(view, ctx))

    return score


# ---- privacy.leak, content.wrong_region, content.serious_error (tests/fixtures/<folder>/labels.json) ----

FIXTURES = ROOT / "tests" / "fixtures"


def _folder_scorer(factory: Callable[[], Any], labels: Path) -> Scorer:
    """Pages read relative to ``labels``; the site's region comes from the labels file (雷州市).

    For privacy.leak a positive only counts as found when the reported kinds equal the labelled ones.
    """
    from zoneinfo import ZoneInfo

    from govinspect.archive.pageview import PageView
    from govinspect.checks.base import CheckContext
    from govinspect.registry.models import Site, SiteKind

    data = json.loads(labels.read_text(encoding="utf-8"))
    site = Site(site_code="4408820001", name="雷州市人民政府", homepage=data["site"], region=data["region"],
                host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)
    now = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    ctx = CheckContext(as_of=now, site=site, observed_at=now)
    holder: dict[str, Any] = {}

    def score(case: dict[str, Any], homepage: str) -> list[Any]:
        check = holder.setdefault("check", factory())
        path = (labels.parent / case["file"]).resolve()
        page = PageView(homepage.rstrip("/") + "/" + path.stem + ".html", path.read_text(encoding="utf-8"))
        findings = list(check.run(page, ctx))
        if case.get("kinds") and case["expected"]:
            if sorted({f.detail.get("kind") for f in findings}) != sorted(case["kinds"]):
                return []  # wrong kinds: counted as a miss
        return findings

    return score


def sections() -> list[Section]:
    """Every check's section; append yours here."""
    from govinspect.checks.privacy_leak import PrivacyLeak
    from govinspect.checks.serious_errors import SeriousErrors
    from govinspect.checks.spam import Spam
    from govinspect.checks.test_drafts import TestDrafts
    from govinspect.checks.wrong_region import WrongRegion

    privacy = FIXTURES / "privacy" / "labels.json"
    region = FIXTURES / "wrong_region" / "labels.json"
    serious = FIXTURES / "serious_error" / "labels.json"
    return [
        Section("content.spam", CORPUS / "labels_spam.json", _page_scorer(Spam)),
        Section("content.dark_link", CORPUS / "labels_dark_link.json", _dark_link_scorer()),
        Section("content.test_draft", CORPUS / "labels_test_draft.json", _page_scorer(TestDrafts)),
        Section("privacy.leak", privacy, _folder_scorer(PrivacyLeak, privacy)),
        Section("content.wrong_region", region, _folder_scorer(WrongRegion, region)),
        Section("content.serious_error", serious, _folder_scorer(SeriousErrors, serious)),
    ]


# ---- held-out corpus (tests/fixtures/content_holdout/labels_<check>.json) ------------------------

HOLDOUT = FIXTURES / "content_holdout"
BLIND = FIXTURES / "content_blind"  # same layout as the holdout; never used for tuning: a measurement only
HOLDOUT_CHECKS = ("content.spam", "content.dark_link", "content.test_draft", "privacy.leak",
                  "content.wrong_region", "content.serious_error")


def _holdout_scorer(check_id: str, labels: Path) -> Scorer:
    """One scorer for every holdout section: the page at its labelled URL on a site of the labelled region.

    Page checks get the page; ``content.dark_link`` gets a one-page :class:`SiteView` with the spider view
    (``spider_file``) when the case has one. A privacy positive counts as found only when the reported
    kinds equal the labelled ``kinds``.
    """
    from zoneinfo import ZoneInfo

    from govinspect.archive.pageview import PageView
    from govinspect.checks.base import CheckContext, SiteView
    from govinspect.checks.registry import all_check_classes
    from govinspect.registry.models import Site, SiteKind

    data = json.loads(labels.read_text(encoding="utf-8"))
    factory = next(cls for cls in all_check_classes() if cls.id == check_id)
    check = factory()
    now = datetime(2021, 6, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    sites: dict[str, Any] = {}

    def context(region: str, homepage: str) -> CheckContext:
        site = sites.get(region)
        if site is None:
            county = region.rsplit("/", 1)[-1]
            site = sites[region] = Site(site_code="3611250001", name=f"{county}人民政府", homepage=homepage,
                                        region=region, host_org=f"{county}人民政府办公室", kind=SiteKind.PORTAL)
        return CheckContext(as_of=now, site=site, observed_at=now)

    def load(file: str, url: str) -> PageView:
        path = labels.parent / file
        return PageView(url, path.read_text(encoding="utf-8"), warc_record_id=f"<urn:uuid:{path.stem}>")

    def score(case: dict[str, Any], homepage: str) -> list[Any]:
        ctx = context(case.get("region") or data["region"], homepage)
        url = homepage.rstrip("/") + (case.get("url") or "/" + Path(case["file"]).stem + ".html")
        if check_id == "content.dark_link":
            if case.get("spider_file"):
                url = homepage
            page = load(case["file"], url)
            extras: dict[str, Any] = {}
            if case.get("spider_file"):
                extras["spider_view"] = load(case["spider_file"], url)
            view = SiteView(site=ctx.site, homepage=page, pages=[page], extras=extras)
            ctx.site_view = view
            return list(check.run(view, ctx))
        findings = list(check.run(load(case["file"], url), ctx))
        if case.get("kinds") and case["expected"]:
            if sorted({f.detail.get("kind") for f in findings}) != sorted(case["kinds"]):
                return []  # wrong kinds: counted as a miss
        return findings

    return score


def holdout_sections(root: Path = HOLDOUT) -> list[Section]:
    """The held-out corpus (or another in its layout, such as the blind one), one section per check."""
    out = []
    for check_id in HOLDOUT_CHECKS:
        labels = root / f"labels_{check_id.replace('.', '_')}.json"
        out.append(Section(check_id, labels, _holdout_scorer(check_id, labels)))
    return out


def evaluate(section: Section) -> Result:
    data = json.loads(section.labels.read_text(encoding="utf-8"))
    homepage = data.get("site", "http://www.example-county.gov.cn/")
    result = Result(section.check)
    for case in data["cases"]:
        started = time.perf_counter()
        findings = section.scorer(case, homepage)
        result.seconds += time.perf_counter() - started
        result.pages += 1
        fired = bool(findings)
        if case["expected"] and fired:
            result.tp += 1
        elif case["expected"]:
            result.fn += 1
            result.errors.append(f"missed {case['file']} ({case.get('note', '')})")
        elif fired:
            result.fp += 1
            result.errors.append(f"false positive {case['file']} ({case.get('note', '')}): "
                                 f"{findings[0].evidence.reason}")
        else:
            result.tn += 1
        if not case["expected"] and case.get("kind") == "clean":
            result.clean += 1
            result.clean_fp += fired
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="corpus", choices=("main", "holdout", "blind", "all"),
                        default="main", help="which labelled corpus: the detectors' own (main), the held-out one, "
                        "the blind one (written apart from the detectors, never tuned on), or main and held-out")
    parser.add_argument("--check", action="append", help="only these check ids")
    parser.add_argument("--json", action="store_true", help="print one JSON object per check")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check misses the targets")
    args = parser.parse_args(argv)
    chosen = {"main": sections, "holdout": holdout_sections, "blind": lambda: holdout_sections(BLIND),
              "all": lambda: sections() + holdout_sections()}[args.corpus]()
    results = [evaluate(s) for s in chosen if not args.check or s.check in args.check]
    if args.json:
        for r in results:
            print(json.dumps(r.as_dict(), ensure_ascii=False))
    else:
        print(f"{'check':<22}{'pages':>6}{'TP':>5}{'FP':>5}{'FN':>5}{'TN':>5}{'precision':>11}{'recall':>8}"
              f"{'clean FP':>10}{'pages/s':>10}")
        for r in results:
            print(f"{r.check:<22}{r.pages:>6}{r.tp:>5}{r.fp:>5}{r.fn:>5}{r.tn:>5}{r.precision:>11.3f}"
                  f"{r.recall:>8.3f}{r.fp_rate:>9.1%}{r.pages_per_second:>10.1f}")
        for r in results:
            for line in r.errors:
                print(f"  {r.check}: {line}")
    return 1 if args.strict and not all(r.meets_targets() for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
