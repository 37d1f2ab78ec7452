"""content.serious_error: misspelt leaders' names and misquoted formulations, with near misses that are fine."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext
from govinspect.checks.serious_errors import SeriousErrors
from govinspect.content.wording import WordingChecker, WordingLexicon, classify_edit, required_literal
from govinspect.findings.model import Severity
from govinspect.registry.models import Site, SiteKind

TZ = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2026, 6, 15, tzinfo=TZ)
SITE = Site(site_code="4408820001", name="雷州市人民政府", homepage="http://www.leizhou.gov.cn/",
            region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)


@pytest.fixture(scope="module")
def check() -> SeriousErrors:
    return SeriousErrors()


def ctx() -> CheckContext:
    return CheckContext(as_of=AS_OF, site=SITE, observed_at=AS_OF)


def run(check: SeriousErrors, body: str, title: str = "新闻") -> list[tuple[str, str, str]]:
    p = PageView("http://www.leizhou.gov.cn/xwzx/1.html",
                 f"<html><head><title>{title}</title></head><body><p>{body}</p></body></html>")
    return [(f.detail["kind"], f.detail["found"], f.detail["how"]) for f in check.run(p, ctx())]


POSITIVES = [
    ("深入学习贯彻习近平新时代中国特色社会主意思想。", ("phrase", "习近平新时代中国特色社会主意思想", "pinyin")),
    ("深入学习贯彻习近平新时代中国特色社会主思想。", ("phrase", "习近平新时代中国特色社会主思想", "indel")),
    ("坚持中国特色社会义主道路。", ("phrase", "中国特色社会义主", "swap")),
    ("培育和践行社会主义核心价值关。", ("phrase", "社会主义核心价值关", "pinyin")),
    ("牢固树立“四个意识”（政治意识、大局意识、核心意识、服务意识）。", ("enumeration", "服务意识", "member")),
    ("坚定“四个自信”（道路自信、理论自信、制度自信、历史自信）。", ("enumeration", "历史自信", "member")),
    ("增强政治意识、大局意识、核心意识、责任意识。", ("enumeration", "责任意识", "member")),
    ("社会主义核心价值观：富强、民主、文明、和睦，自由、平等、公正、法治，爱国、敬业、诚信、友善。",
     ("enumeration", "和睦", "member")),
    ("热烈庆祝中国共产党第二十次全国人民代表大会胜利召开。", ("misquote", "中国共产党第二十次全国人民代表大会", "exact")),
    ("中国共产党第二十届全国代表大会", ("misquote", "中国共产党第二十届全国代表大会", "exact")),
    ("学习贯彻党的二十大三中全会精神。", ("misquote", "二十大三中全会", "exact")),
    ("中共中央总书记、国家主席、中央军委主席习近萍出席会议并发表重要讲话。", ("leader_name", "习近萍", "pinyin")),
    ("总书记习平近在会上强调。", ("leader_name", "习平近", "swap")),
    ("国务院总理李墙主持召开国务院常务会议。", ("leader_name", "李墙", "pinyin")),
    ("全国人大常委会委员长赵乐纪出席。", ("leader_name", "赵乐纪", "pinyin")),
    ("全国政协主席王户宁出席开幕会。", ("leader_name", "王户宁", "pinyin")),
    ("国务院总理赵乐际出席。", ("leader_title", "国务院总理赵乐际", "title")),
    ("李强总书记指出，要坚持稳中求进。", ("leader_title", "李强总书记", "title")),
    ("牢固树立四个意式，坚定四个自信。", ("phrase", "四个意式", "pinyin")),
    ("切实做到两个卫护。", ("phrase", "两个卫护", "pinyin")),
    # runs of members inside a sentence, and the long fixed sentences one character off
    ("要牢固树立政治意识、大局意识、核心意识、看起意识。", ("enumeration", "看起意识", "member")),
    ("统筹推进经济建设、政治建设、文化建设、社会建设、党的建设“五位一体”总体布局。", ("enumeration", "党的建设", "member")),
    ("协调推进全面建设社会主义现代化国家、全面深化改革、全面依法治国、全面从严治政的战略布局。",
     ("enumeration", "全面从严治政", "member")),
    ("坚决维护习近平总书记党中央的核心、全国的核心地位。", ("phrase", "坚决维护习近平总书记党中央的核心、全国的核心地位", "one_off")),
    # relaying a national leader's speech: 同志 after the name, 传达学习 in the sentence
    ("传达学习丁雪祥同志在科技工作座谈会上的讲话精神。", ("leader_name", "丁雪祥", "pinyin")),
    ("传达学习李熙同志在中央纪委全会上的讲话精神。", ("leader_name", "李熙", "pinyin")),
    # fixed official names: a same-reading slip of one character
    ("热烈庆祝中华人民共合国成立72周年。", ("phrase", "中华人民共合国", "pinyin")),
    ("遵守中国共产挡章程。", ("phrase", "中国共产挡", "pinyin")),
    ("十四届全国人民代表大汇第二次会议开幕。", ("phrase", "全国人民代表大汇", "pinyin")),
    ("中国人民政治协商会意第十四届全国委员会。", ("phrase", "中国人民政治协商会意", "pinyin")),
    ("国务员办公厅印发通知。", ("phrase", "国务员", "pinyin")),
]

NEGATIVES = [
    "深入学习贯彻习近平新时代中国特色社会主义思想，坚持社会主义核心价值体系。",  # correct; a distinct term
    "中国特色社会主义进入新时代，新时代中国特色社会主义思想是行动指南。",  # correct short form
    "增强“四个意识”、坚定“四个自信”、做到“两个维护”，增强服务意识。",  # labels without members
    "牢固树立政治意识、大局意识、核心意识、看齐意识。",  # correct members
    "增强服务意识、责任意识、创新意识、安全意识。",  # an unrelated list of 意识
    "社会主义核心价值观：富强、民主、文明、和谐，自由、平等、公正、法治，爱国、敬业、诚信、友善。",
    "中国共产党第十二次全国代表大会于1982年召开。中国共产党第二次全国代表大会在上海召开。",  # real congresses
    "学习贯彻党的二十届三中全会精神。十四届全国人大二次会议。",
    "国务院总理李鹏视察。国务院总理李克强出席。",  # former premiers, not misspellings
    "中央纪委书记赵乐际在会上讲话。中央书记处书记蔡奇出席。国务院副总理韩正出席。",  # titles held then
    "雷州市委书记王护宁到企业调研。",  # a local name that sounds alike, no national context
    "学习近期重要讲话精神，习近平总书记强调。",  # 学习近期 is not a misspelt name
    "镇党委书记李西主持会议。",  # two-character name without the leader's title
    "坚决维护习近平总书记党中央的核心、全党的核心地位，坚决维护党中央权威和集中统一领导。",
    "确立习近平同志党中央的核心、全党的核心地位，确立习近平新时代中国特色社会主义思想的指导地位。",
    "实现中华民族伟大复兴的中国梦。",
    "四个议事协调机构和四个一室户型，两个维修点。",  # share two characters with 四个意识/两个维护, not slips
    "习近平总书记、李强总理、赵乐际委员长、王沪宁主席、韩正副主席出席。",
    "堅定“四個自信”，傳達學習習近平總書記重要講話精神。",  # traditional script is not a slip
    "协调推进全面建成小康社会、全面深化改革、全面依法治国、全面从严治党。",  # the wording before 2020
    "传达学习县委书记蔡琦同志讲话精神。",  # a local secretary whose name sounds like a leader's
    "赴民勤县蔡旗镇考察学习防沙治沙经验。",
    "坚持全面从严治警，锻造过硬队伍。",
    # official names written right, and words that share most of their characters
    "中华人民共和国成立72周年，中华人民共和国宪法，中华人民解放军。",
    "中国共产党章程，中国共产主义青年团，中国共产党第二十次全国代表大会。",
    "全国人民代表大会常务委员会，湖南省人民代表大会，全市人民代表大会。",
    "中国人民政治协商会议汝城县委员会。",
    "国务院办公厅，国务委员，各国务实合作，出国务工人员，税务院校。",
    # verbs of 四个意识/四个自信/两个维护: the standard wording, other verbs, one formulation alone
    "树牢“四个意识”，坚定“四个自信”，坚决做到“两个维护”。",
    "进一步增强“四个自信”，推动文化繁荣。",  # one formulation, no partner to swap with
    "增强“四个意识”。坚定“四个意识”。",  # in two sentences, with the same formulation
]

SWAPPED = [
    ("会议强调，要增强“四个自信”、坚定“四个意识”、做到“两个维护”。",
     [("collocation", "增强“四个自信”", "verb_swap"), ("collocation", "坚定“四个意识”", "verb_swap")]),
    ("增强四个意识，做到四个自信，坚定两个维护。",
     [("collocation", "做到四个自信", "verb_swap"), ("collocation", "坚定两个维护", "verb_swap")]),
    ("坚定“四个自信”、增强“两个维护”、做到“四个意识”。",
     [("collocation", "增强“两个维护”", "verb_swap"), ("collocation", "做到“四个意识”", "verb_swap")]),
]


@pytest.mark.parametrize(("body", "expected"), POSITIVES)
def test_positive_cases(check: SeriousErrors, body: str, expected: tuple[str, str, str]) -> None:
    assert run(check, body) == [expected]


@pytest.mark.parametrize("body", NEGATIVES)
def test_negative_and_near_miss_cases(check: SeriousErrors, body: str) -> None:
    assert run(check, body) == []


@pytest.mark.parametrize(("body", "expected"), SWAPPED)
def test_swapped_verbs_of_formulations(check: SeriousErrors, body: str, expected: list[tuple[str, str, str]]) -> None:
    assert run(check, body) == expected


def test_swapped_verb_names_the_right_wording(check: SeriousErrors) -> None:
    p = PageView("http://x/1.html", "<html><head><title>民主生活会</title></head>"
                 "<body><p>要增强“四个自信”、坚定“四个意识”。</p></body></html>")
    corrections = sorted(f.detail["correct"] for f in check.run(p, ctx()))
    assert corrections == ["坚定“四个自信”", "增强“四个意识”"]


def test_finding_shape(check: SeriousErrors) -> None:
    p = PageView("http://x/1.html", "<html><head><title>全国政协主席王户宁出席</title></head>"
                 "<body><h1>全国政协主席王户宁出席</h1><p>正文</p></body></html>")
    findings = list(check.run(p, ctx()))
    assert len(findings) == 1  # the title repeated as the heading is one error
    f = findings[0]
    assert f.severity is Severity.VETO
    assert f.evidence.locator == "title"
    assert f.detail["correct"] == "王沪宁"
    assert f.detail["list_updated"].startswith("20")
    assert "王户宁" in f.evidence.excerpt and "王沪宁" in f.evidence.reason


def test_whitespace_inside_a_phrase_does_not_hide_it(check: SeriousErrors) -> None:
    assert run(check, "习近平新时代中国特色\n社会主意思想") == [("phrase", "习近平新时代中国特色社会主意思想", "pinyin")]


def test_lists_are_dated_and_loadable() -> None:
    lexicon = WordingLexicon.load()
    assert lexicon.updated.startswith("2026-")
    assert lexicon.leaders_as_of
    assert {x.name for x in lexicon.leaders} >= {"习近平", "李强"}
    assert all(len(x.name) in (2, 3) for x in lexicon.leaders)


def test_a_custom_lexicon_replaces_the_data_file() -> None:
    data = yaml.safe_load("""
updated: 2030-01-01
leaders: [{name: 张三丰, titles: [主任]}]
leader_context: [主任]
phrases: [{text: 高质量发展, near_miss: [pinyin]}]
""")
    checker = WordingChecker(WordingLexicon.from_mapping(data))
    assert [(e.kind, e.found) for e in checker.find("推动高质量发占。主任张三风讲话。")] == [
        ("phrase", "高质量发占"), ("leader_name", "张三风")]


def test_a_misquote_is_found_whatever_its_pattern_makes_optional() -> None:
    # the quick pre-filter of a misquote pattern must never skip a text the pattern itself matches
    data = yaml.safe_load("""
updated: 2030-01-01
misquotes:
  - {pattern: '十九大二中全会|二十大五中全会', correct: 二十届五中全会}
  - {pattern: '新时代中国特色社会主义思想?', correct: 新时代中国特色社会主义思想}
  - {pattern: '(?<!副总)书记处书记', correct: 书记处书记}
""")
    checker = WordingChecker(WordingLexicon.from_mapping(data))
    found = [(e.kind, e.found) for e in checker.find("学习二十大五中全会精神。新时代中国特色社会主义思。中央书记处书记。")]
    assert found == [("misquote", "二十大五中全会"), ("misquote", "新时代中国特色社会主义思"),
                     ("misquote", "书记处书记")]
    assert checker.find("学习二十届五中全会精神。") == []


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [("中国共产党第[0-9]+次全国代表大会", "次全国代表大会"), ("(?<![第\\d])[一二三]{1,3}大[一二]中全会", "中全会"),
     ("十九大|二十大", ""), ("新时代思想?", "新时代思"), ("(?<!副总)书记处", "书记处"), ("(中国)?共产党", "共产党"),
     ("x{2}yz", "yz"), ("[]a]bc", "bc"), ("ab+cd", "ab"), ("a.b", "")],
)
def test_required_literal(pattern: str, literal: str) -> None:
    assert required_literal(pattern) == literal


@pytest.mark.parametrize(
    ("expected", "found", "how"),
    [("社会主义", "社会主意", "pinyin"), ("社会主义", "社会义主", "swap"), ("社会主义", "社会主X", "one_off"),
     ("社会主义", "社会主义", ""), ("社会主义核心", "社会主义的核心", "indel"), ("社会主义", "会主义", ""),
     ("社会主义", "社会主义者", "")],
)
def test_classify_edit(expected: str, found: str, how: str) -> None:
    assert classify_edit(expected, found) == how


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=300))
def test_checker_never_raises_on_arbitrary_text(text: str) -> None:
    for error in WordingChecker().find(text):
        assert error.start < error.end


def _corpus_cases() -> list[dict[str, object]]:
    import json
    from pathlib import Path

    labels = Path(__file__).parent / "fixtures" / "serious_error" / "labels.json"
    return json.loads(labels.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", _corpus_cases(), ids=lambda c: str(c["file"]))
def test_labelled_corpus(check: SeriousErrors, case: dict[str, object]) -> None:
    from pathlib import Path

    path = (Path(__file__).parent / "fixtures" / "serious_error" / str(case["file"])).resolve()
    p = PageView("http://www.leizhou.gov.cn/" + path.name, path.read_text("utf-8"))
    assert bool(list(check.run(p, ctx()))) is case["expected"], case["note"]
