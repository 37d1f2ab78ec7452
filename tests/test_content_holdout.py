"""The held-out content corpus (tests/fixtures/content_holdout/): the six content checks meet the accuracy
targets on pages written apart from them, scored exactly as ``benchmarks/content_accuracy.py --set
holdout`` scores them; and the corpus itself is what its generator writes, with real check digits."""

from __future__ import annotations

import filecmp
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from stdnum import luhn
from stdnum.cn import ric

ROOT = Path(__file__).resolve().parents[1]
HOLDOUT = ROOT / "tests" / "fixtures" / "content_holdout"
CHECKS = ("content.spam", "content.dark_link", "content.test_draft", "privacy.leak", "content.wrong_region",
          "content.serious_error")


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _load("content_accuracy", ROOT / "benchmarks" / "content_accuracy.py")


def _labels(check: str) -> dict:
    return json.loads((HOLDOUT / f"labels_{check.replace('.', '_')}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("check", CHECKS)
def test_holdout_meets_targets(bench: ModuleType, check: str) -> None:
    section = next(s for s in bench.holdout_sections() if s.check == check)
    result = bench.evaluate(section)
    assert result.pages >= 140 and result.tp + result.fn >= 20 and result.clean >= 20
    assert result.precision >= bench.TARGET_PRECISION, result.errors
    assert result.recall >= bench.TARGET_RECALL, result.errors
    assert result.fp_rate <= bench.TARGET_FP_RATE, result.errors


def test_holdout_has_both_halves_and_every_file() -> None:
    files = {p.name for p in (HOLDOUT / "pages").glob("*.html") if ".spider" not in p.name}
    assert len(files) >= 120
    positives, negatives = set(), set()
    for check in CHECKS:
        for case in _labels(check)["cases"]:
            assert (HOLDOUT / case["file"]).is_file(), case["file"]
            if case.get("spider_file"):
                assert (HOLDOUT / case["spider_file"]).is_file()
            (positives if case["expected"] else negatives).add(Path(case["file"]).name)
    assert positives | negatives == files and not positives & negatives
    assert 0.4 <= len(positives) / len(files) <= 0.6


def test_privacy_positives_carry_valid_numbers_and_negatives_none() -> None:
    """Labels are checked against the validators, not the detector: a positive of kind id_number holds
    an ID with a valid check digit, a bank_card one a Luhn-valid number; the bad-checksum page none."""
    from govinspect.archive.pageview import PageView

    def numbers(case: dict) -> tuple[list[str], list[str]]:
        text = PageView("http://x/", (HOLDOUT / case["file"]).read_text(encoding="utf-8")).text
        ids = [m for m in re.findall(r"(?<!\d)\d{17}[\dX](?!\d)", text) if ric.is_valid(m)]
        runs = re.findall(r"(?<!\d)(?:\d{4} ){3}\d{4}(?!\d)|(?<!\d)\d{16,19}(?!\d)", text)
        cards = [re.sub(r"\D", "", m) for m in runs]
        return ids, [c for c in cards if luhn.is_valid(c)]

    cases = _labels("privacy.leak")["cases"]
    for case in (c for c in cases if c["expected"]):
        ids, cards = numbers(case)
        if "id_number" in case["kinds"]:
            assert ids, case["file"]
        if "bank_card" in case["kinds"]:
            assert cards, case["file"]
    bad = next(c for c in cases if c["file"].endswith("pv_neg_bad_checksum_ids.html"))
    assert numbers(bad)[0] == []


def test_corpus_is_what_the_generator_writes(tmp_path: Path) -> None:
    generator = _load("make_holdout_copy", HOLDOUT / "make_holdout.py")
    generator.main(tmp_path)
    for path in sorted(HOLDOUT.glob("labels_*.json")):
        assert filecmp.cmp(path, tmp_path / path.name, shallow=False), path.name
    committed = sorted(p.name for p in (HOLDOUT / "pages").glob("*.html"))
    assert committed == sorted(p.name for p in (tmp_path / "pages").glob("*.html"))
    _, mismatch, errors = filecmp.cmpfiles(HOLDOUT / "pages", tmp_path / "pages", committed, shallow=False)
    assert not mismatch and not errors
