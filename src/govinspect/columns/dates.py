"""Dates as government sites print them, read leniently and judged strictly.

Accepted: ``2021-06-29``, ``2021/6/29``, ``2021.06.29``, ``2021年6月29日``, ``2021-06-29 12:36:51``,
``二〇二一年六月二十九日``, full-width digits and separators, and partial dates ``[06-29]``, ``(06-29)``,
``06-29``, ``6月29日`` whose year is inferred as the latest year that does not put the date after the
monitoring point. A date after the monitoring point, or before 1990, is never used: it is returned in the
rejected list with the reason, so the finding can say why it was ignored. List rows may lower the floor
(``min_year``) for history columns (大事记 of 1949…1987); placeholder dates a CMS prints for an empty field
(1900-01-01, 1970-01-01) are rejected whatever the floor.

When a row shows several dates (发布 vs 成文, publish vs valid-until), :func:`pick_publish` takes the one
labelled 发布/公开/生成/发文 if any, never one labelled 成文/有效/截止/实施, and otherwise the one nearest the
title. An item whose fields span several rows of its own block (信息公开目录 field tables) follows
``items.BLOCK_DATE_LABELS``: 发布/公开/生成 first, then 发文, and 成文 only when no other field is shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

MIN_YEAR = 1990
HISTORY_MIN_YEAR = 1900  # floor for dates shown in list rows (chronicles of local history)
SENTINEL_DATES = (date(1900, 1, 1), date(1970, 1, 1), date(1899, 12, 30), date(1899, 12, 31))
MAX_TEXT = 20_000  # characters scanned per call; longer text is cut (bounded work on hostile pages)

PUBLISH_LABELS = ("发布时间", "发布日期", "发布于", "公开日期", "公开时间", "生成日期", "生成时间", "发文日期",
                  "发文时间",
                  "发稿时间", "发稿日期", "更新时间", "更新日期", "信息时间", "日期", "时间", "发布")
OTHER_LABELS = ("成文日期", "成文时间", "成文", "印发日期", "有效期", "有效期至", "截止日期", "截止时间",
                "截至", "失效日期", "失效时间", "实施日期", "施行日期", "生效日期", "废止日期", "办结时间",
                "开始时间", "结束时间", "报名时间", "出生日期", "出生年月")

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A valid date found in a text, with where it was and what label stood before it."""

    value: date
    start: int
    end: int
    raw: str
    role: str = "unknown"  # publish / other / unknown (from the label before it)
    label: str = ""
    inferred_year: bool = False


@dataclass(frozen=True, slots=True)
class RejectedDate:
    """A date-looking text that was not used, and why (in words for the report)."""

    raw: str
    reason: str


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    sep = r"\s*[-/.]\s*"
    return {
        "full": re.compile(
            r"(?<![\d.])(\d{4})(?:" + sep + r"|\s*年\s*)(\d{1,2})(?:" + sep + r"|\s*月\s*)(\d{1,2})(?!\d)\s*日?"
            r"(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
        ),
        "compact": re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"),
        "cn": re.compile(r"([〇零○一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
                         r"\s*([一二三四五六七八九十]{1,3})\s*日"),
        # partial month-day: bracketed, two-digit MM-DD / MM/DD, or M月D日
        "partial": re.compile(
            r"[\[(【〔]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[\])】〕]"
            r"|(?<![\d./-])(\d{2})[-/](\d{2})(?![\d./-])"
            r"|(?<![\d年])(\d{1,2})月(\d{1,2})日"
        ),
    }


def normalize(text: str) -> str:
    """Full-width digits and separators to ASCII (NFKC), non-breaking spaces to spaces."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ").replace("\xa0", " ")


def as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _cn_number(text: str) -> int:
    if all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS.get(text[1], 0)
    if text.endswith("十"):
        return _CN_DIGITS.get(text[0], 0) * 10
    if "十" in text:
        tens, ones = text.split("十", 1)
        return _CN_DIGITS.get(tens, 0) * 10 + _CN_DIGITS.get(ones, 0)
    return -1


def _label_before(text: str, start: int) -> tuple[str, str]:
    """The role and label written just before a date (``发布时间：``, ``成文日期:``), if any."""
    window = text[max(0, start - 12) : start].rstrip(" :：\t[(【")
    for label in OTHER_LABELS:
        if window.endswith(label):
            return "other", label
    for label in PUBLISH_LABELS:
        if window.endswith(label):
            return "publish", label
    return "unknown", ""


def infer_year(month: int, day: int, as_of: date) -> date | None:
    """The latest date with this month and day that is not after ``as_of`` (None if impossible)."""
    for year in range(as_of.year, as_of.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= as_of:
            return candidate
    return None


def find_dates(
    text: str, as_of: date | datetime, *, partial: bool = True, compact: bool = False,
    min_year: int = MIN_YEAR,
) -> tuple[list[FoundDate], list[RejectedDate]]:
    """Every valid date in ``text`` (in order) and the date-like texts rejected, with reasons.

    ``partial`` allows month-day dates (year inferred from ``as_of``); ``compact`` allows ``20210629``
    (only sensible right after a label, since index numbers look the same); ``min_year`` is the earliest
    year accepted. Never raises on arbitrary text; never returns a date after ``as_of``.
    """
    limit = as_date(as_of)
    norm = normalize(text[:MAX_TEXT])
    found: list[FoundDate] = []
    rejected: list[RejectedDate] = []
    taken: list[tuple[int, int]] = []

    def overlaps(start: int, end: int) -> bool:
        return any(start < e and s < end for s, e in taken)

    def accept(value: date, match: re.Match[str], inferred: bool = False) -> None:
        raw = match.group(0).strip()
        taken.append(match.span())
        if value > limit:
            rejected.append(RejectedDate(raw, f"日期 {value.isoformat()} 晚于监测时间点 {limit.isoformat()}, 不采用"))
            return
        if value in SENTINEL_DATES:
            rejected.append(RejectedDate(raw, f"日期 {value.isoformat()} 是系统空值占位日期, 不采用"))
            return
        if value.year < min_year:
            rejected.append(RejectedDate(raw, f"日期 {value.isoformat()} 早于 {min_year} 年, 不采用"))
            return
        role, label = _label_before(norm, match.start())
        found.append(FoundDate(value, match.start(), match.end(), raw, role, label, inferred))

    pats = _patterns()
    for match in pats["full"].finditer(norm):
        year, month, day = (int(match.group(i)) for i in (1, 2, 3))
        try:
            value = date(year, month, day)
        except ValueError:
            taken.append(match.span())
            rejected.append(RejectedDate(match.group(0).strip(), "不是有效日期"))
            continue
        accept(value, match)
    for match in pats["cn"].finditer(norm):
        if overlaps(*match.span()):
            continue
        year, month, day = (_cn_number(match.group(i)) for i in (1, 2, 3))
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        accept(value, match)
    if compact:
        for match in pats["compact"].finditer(norm):
            if overlaps(*match.span()):
                continue
            try:
                value = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                continue
            accept(value, match)
    if partial:
        for match in pats["partial"].finditer(norm):
            if overlaps(*match.span()):
                continue
            groups = [g for g in match.groups() if g is not None]
            month, day = int(groups[0]), int(groups[1])
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            value = infer_year(month, day, limit)
            if value is None:
                continue
            taken.append(match.span())
            role, label = _label_before(norm, match.start())
            found.append(FoundDate(value, match.start(), match.end(), match.group(0).strip(), role, label, True))
    found.sort(key=lambda f: f.start)
    return found, rejected


def pick_publish(found: list[FoundDate], title_at: int | None = None) -> FoundDate | None:
    """The publish date among several in one row.

    Labelled 发布/公开/发文 wins; a date labelled 成文/有效期/截止/实施 is never the publish date; among
    unlabelled dates the one nearest the title (``title_at``, a position in the same text) wins, else the
    first one.
    """
    if not found:
        return None
    publish = [f for f in found if f.role == "publish"]
    if publish:
        return publish[0]
    plain = [f for f in found if f.role != "other"]
    if not plain:
        return None
    if title_at is None:
        return plain[0]
    return min(plain, key=lambda f: (min(abs(f.start - title_at), abs(f.end - title_at)), f.start))


def parse_date(text: str, as_of: date | datetime) -> date | None:
    """The publish date in a short text (a date cell, a meta value, a ``发布时间：…`` line), or None."""
    found, _ = find_dates(text, as_of, compact=len(text.strip()) <= 16)
    best = pick_publish(found)
    return best.value if best else None


def epoch_date(value: str, as_of: date | datetime) -> date | None:
    """A Unix timestamp in seconds (10 digits) or milliseconds (13 digits), as a China-time date.

    Script data of newer CMS front ends (gkmlpt, React/Vue pages) carries publish times this way. Values
    before 2000 or after ``as_of`` are not dates of a government web page.
    """
    text = value.strip()
    if not text.isdigit() or len(text) not in (10, 13):
        return None
    seconds = int(text) // (1000 if len(text) == 13 else 1)
    moment = datetime.fromtimestamp(seconds, tz=_china())
    result = moment.date()
    if result.year < 2000 or result > as_date(as_of):
        return None
    return result


@lru_cache(maxsize=1)
def _china() -> tzinfo:
    return ZoneInfo("Asia/Shanghai")


def labelled_date(text: str, as_of: date | datetime) -> FoundDate | None:
    """The date written after a publish label (发布时间/发布日期/…) anywhere in a page text."""
    found, _ = find_dates(text, as_of, partial=False, compact=True)
    for item in found:
        if item.role == "publish":
            return item
    return None
