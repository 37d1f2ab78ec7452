"""Dates as government sites print them: case table, bad input, and properties."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govinspect.columns.dates import find_dates, infer_year, labelled_date, parse_date, pick_publish

AS_OF = date(2021, 7, 1)

CASES = [
    ("2021-06-29", date(2021, 6, 29)),
    ("2021/6/29", date(2021, 6, 29)),
    ("2021.06.29", date(2021, 6, 29)),
    ("2021年6月29日", date(2021, 6, 29)),
    ("2021 年 06 月 29 日", date(2021, 6, 29)),
    ("2021-06-29 12:36:51", date(2021, 6, 29)),
    ("[06-29]", date(2021, 6, 29)),
    ("(06-29)", date(2021, 6, 29)),
    ("【06/29】", date(2021, 6, 29)),
    ("06-29", date(2021, 6, 29)),
    ("6月29日", date(2021, 6, 29)),
    ("[12-28]", date(2020, 12, 28)),  # year inferred: Dec 28 of this year would be after as-of
    ("[07-01]", date(2021, 7, 1)),  # the monitoring day itself
    ("[07-02]", date(2020, 7, 2)),
    ("２０２１－０６－２９", date(2021, 6, 29)),  # full-width digits and separators
    ("２０２１年６月２９日", date(2021, 6, 29)),
    ("二〇二一年六月二十九日", date(2021, 6, 29)),
    ("二〇二〇年十二月一日", date(2020, 12, 1)),
    ("发布时间：2021-06-20 16:02", date(2021, 6, 20)),
    ("发布日期：20210629", date(2021, 6, 29)),
    ("成文日期：2021-06-01 发布日期：2021-06-03", date(2021, 6, 3)),
    ("有效期至：2023-01-01 [2021-03-02]", date(2021, 3, 2)),
    ("2021-07-05", None),  # after as-of
    ("1985-06-29", None),  # before 1990
    ("2021-02-30", None),  # not a date
    ("0759-12345678", None),  # a phone number
    ("版本 3.5", None),
    ("第12/34号", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_case_table(text: str, expected: date | None) -> None:
    assert parse_date(text, AS_OF) == expected


def test_datetime_as_of_is_accepted() -> None:
    as_of = datetime(2021, 7, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert parse_date("[06-30]", as_of) == date(2021, 6, 30)


def test_future_and_ancient_dates_are_rejected_with_reasons() -> None:
    found, rejected = find_dates("2021-08-01 与 1989-12-31 与 2021-06-01", AS_OF)
    assert [f.value for f in found] == [date(2021, 6, 1)]
    reasons = [r.reason for r in rejected]
    assert any("晚于监测时间点" in r for r in reasons)
    assert any("早于 1990" in r for r in reasons)


def test_publish_label_beats_written_date_and_nearest_title_otherwise() -> None:
    found, _ = find_dates("成文日期:2021-06-10 发布日期:2021-06-12", AS_OF)
    assert pick_publish(found).value == date(2021, 6, 12)  # type: ignore[union-attr]
    found, _ = find_dates("2021-05-01 标题在这里 2021-06-01", AS_OF)
    title_at = "2021-05-01 标题在这里 2021-06-01".find("标题")
    assert pick_publish(found, title_at).value == date(2021, 5, 1)  # type: ignore[union-attr]
    found, _ = find_dates("成文日期:2021-06-10", AS_OF)
    assert pick_publish(found) is None  # only a written date: no publish date


def test_labelled_date_in_article_text() -> None:
    text = "来源：县农技站 作者：张三 发布时间：2021-06-20 16:02 浏览次数：12 本文于2021-06-01起草"
    found = labelled_date(text, AS_OF)
    assert found is not None and found.value == date(2021, 6, 20)
    assert labelled_date("本文于2021-06-01起草", AS_OF) is None


def test_leap_day_year_inference() -> None:
    assert infer_year(2, 29, date(2021, 7, 1)) == date(2020, 2, 29)
    assert infer_year(2, 30, date(2021, 7, 1)) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31)))
def test_never_raises_and_never_after_as_of(text: str, as_of: date) -> None:
    found, rejected = find_dates(text, as_of, compact=True)
    assert all(MIN <= f.value <= as_of for f in found for MIN in [date(1990, 1, 1)])
    assert all(r.reason for r in rejected)
    value = parse_date(text, as_of)
    assert value is None or value <= as_of


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2021, 7, 1)),
       st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m:02d}.{d:02d}", "{y}年{m}月{d}日",
                        "发布时间：{y}-{m:02d}-{d:02d} 08:00:00"]))
def test_round_trip_of_every_full_format(value: date, fmt: str) -> None:
    text = fmt.format(y=value.year, m=value.month, d=value.day)
    assert parse_date(text, AS_OF) == value
