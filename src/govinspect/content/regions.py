"""Wrong-region content (内容张冠李戴): a page about the site's own place that describes another place as itself.

A county's 县情 page copied from a neighbour often still says "信宜市位于…", "信宜市辖 13 个镇" or
"本市…信宜". The names come from the gazetteer (python-stdnum's division table); the site's own division,
its ancestors (the city and province), its descendants and every historical name of its own code are
never accused. Relations to other places (东邻遂溪县, 与化州市接壤, 距湛江市区…) are not self-descriptions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from govinspect.registry.gazetteer import Division, Gazetteer, short_name

# Division names that are also ordinary words or generic district names; never matched.
GENERIC_NAMES = frozenset({
    "城区", "郊区", "矿区", "东区", "西区", "南区", "北区", "中区", "新区", "城中区", "城东区", "城西区", "城南区",
    "城北区", "城关区", "市中区", "市辖区", "开发区", "高新区", "新城区", "老城区", "合作市", "大同市",
})
GENERIC_SHORTS = frozenset({
    "城关", "和平", "东方", "长安", "新华", "新城", "江南", "江北", "河东", "河西", "城中", "平安", "安定", "太平",
    "和顺", "合作", "大同", "胜利", "前进", "向阳", "红旗", "白云", "青山", "铁西", "桥西", "桥东", "鼓楼", "朝阳",
    "永安", "宁安", "开原", "普兰", "南部", "东至", "西安", "通州", "中山", "吉林", "海城", "东兴", "海南",
})

# What a clause says about its subject when the subject is the place itself.
PREDICATES = (
    "位于", "地处", "地理位置", "下辖", "现辖", "共辖", "辖", "总面积", "陆地面积", "国土面积", "土地面积", "面积",
    "常住人口", "户籍人口", "总人口", "人口", "东经", "北纬", "始建", "建县", "置县", "设县", "撤县", "古称",
    "历史悠久", "地势", "境内", "属", "隶属", "是", "为", "全市", "全县", "全区", "素有", "拥有", "现有",
)
# For short names (信宜) only the unmistakable ones.
STRONG_PREDICATES = (
    "位于", "地处", "地理位置", "下辖", "现辖", "共辖", "辖", "总面积", "陆地面积", "国土面积", "常住人口",
    "户籍人口", "总人口", "东经", "北纬", "古称", "境内", "全市", "全县", "全区",
)
# A sub-clause with one of these relates the place to another one; it is not a self-description.
RELATION_WORDS = (
    "邻", "接壤", "交界", "相望", "隔海", "距", "离", "与", "同", "对口", "帮扶", "协作", "合作", "友好", "结对",
    "交流", "考察", "学习", "调研", "赴", "前往", "连接", "相比", "借鉴", "参照", "仿照", "援",
)
SELF_REFERENCES = ("本市", "本县", "本区", "我市", "我县", "我区", "全市", "全县", "全区")
# The place's own institutions or the scope of a duty (机构职能、领导信息): 信宜市发展和改革局是…, 主持信宜市
#人民政府全面工作, 拟订信宜市国民经济…. On a page about the site's own place these name another place as home.
INSTITUTION = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,10}?(?:委员会|人民政府|人民代表大会|人大常委会|政协|纪委|监委|局|办公室)"
    r"|国民经济|经济社会发展|经济和社会发展|行政区域|辖区|区域内)"
)
# A clause with one of these tells a history (a leader's earlier posts, a dated CV line), not the present.
HISTORY = re.compile(r"[0-9０-９]|年|曾|历任|原任|先后|挂职|调任|任职|毕业|出生|籍贯|生于|援|借调")
TITLE_TOPICS = ("概况", "简介", "市情", "县情", "区情", "基本情况", "情况介绍", "历史沿革", "行政区划", "地理位置")

_CLAUSE_SPLIT = re.compile(r"[。！？!?；;\n]")
_SUB_SPLIT = re.compile(r"[，,：:、]")
_LEAD = re.compile(r"^[\s\"'“”‘’《》「」【】（）()\[\]0-9一二三四五六七八九十、.．]*")


@dataclass(frozen=True, slots=True)
class OwnPlace:
    """The site's own division and every name that must never be called 'another place'."""

    code: str
    region: str
    names: frozenset[str]  # own names (all eras) and their short forms
    protected: frozenset[str]  # own + ancestors + descendants, full and short
    protected_codes: frozenset[str]


@dataclass(frozen=True, slots=True)
class RegionMention:
    """Another place written as the page's own subject."""

    name: str  # as written
    division: Division
    start: int
    end: int
    pattern: str  # subject / self_reference / title
    clause: str


class RegionMatcher:
    """Finds other divisions written as if they were the site's own place. Build once, reuse per page."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self._gazetteer = gazetteer

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return self._gazetteer or Gazetteer.load()

    @cached_property
    def automaton(self) -> Any:
        """Aho–Corasick automaton of current division names (full and distinctive short forms)."""
        import ahocorasick

        table: dict[str, list[tuple[Division, bool]]] = {}
        for d in self.gazetteer.current_names:
            if d.name in GENERIC_NAMES or "直辖" in d.name or "行政" in d.name or len(d.name) < 2:
                continue
            table.setdefault(d.name, []).append((d, False))
            short = d.short
            if (short != d.name and len(short) >= 2 and short not in GENERIC_SHORTS
                    and d.name.endswith(("市", "县", "自治县", "旗"))):
                table.setdefault(short, []).append((d, True))
        automaton = ahocorasick.Automaton()
        for name, entries in table.items():
            automaton.add_word(name, (name, tuple(entries)))
        automaton.make_automaton()
        return automaton

    @cached_property
    def _own_cache(self) -> dict[str, OwnPlace | None]:
        return {}

    def own_place(self, region: str) -> OwnPlace | None:
        """The site's division from its registry region (``广东省/湛江市/雷州市``); None when unknown."""
        if region not in self._own_cache:
            if len(self._own_cache) > 10_000:
                self._own_cache.clear()
            self._own_cache[region] = self._build_own_place(region)
        return self._own_cache[region]

    def _build_own_place(self, region: str) -> OwnPlace | None:
        code = self.gazetteer.code_of(region) if region else None
        if code is None:
            return None
        depth = 2 if code.endswith("0000") else 4 if code.endswith("00") else 6
        ancestors = {code[:2] + "0000", code[:4] + "00"}
        own_names: set[str] = set()
        protected: set[str] = set()
        codes: set[str] = set()
        for d in self.gazetteer.divisions:
            is_own = d.code == code
            if is_own or d.code in ancestors or d.code.startswith(code[:depth]):
                names = {d.name, d.short}
                protected |= names
                codes.add(d.code)
                if is_own:
                    own_names |= names
        for part in region.split("/"):
            if part:
                protected |= {part, short_name(part)}
        return OwnPlace(code, region, frozenset(own_names), frozenset(protected), frozenset(codes))

    def mentions(self, text: str, own: OwnPlace, *, max_mentions: int = 1000) -> Iterator[RegionMention]:
        """Other places written as the subject of a self-description in ``text``."""
        count = 0
        for end_index, (name, entries) in self.automaton.iter_long(text):
            if count >= max_mentions:
                return
            start = end_index - len(name) + 1
            end = end_index + 1
            division = self._other(entries, own, name)
            if division is None:
                continue
            is_short = all(short for _, short in entries if _.code == division.code)
            if name.endswith("市") and text[end:end + 1] == "场":
                continue  # 东方市场
            clause_start = _last_boundary(text, start, _CLAUSE_SPLIT)
            clause_end = _next_boundary(text, end, _CLAUSE_SPLIT)
            clause = text[clause_start:clause_end]
            pattern = self._pattern(text, start, end, clause_start, clause_end, own, short=is_short)
            if pattern:
                count += 1
                yield RegionMention(name, division, start, end, pattern, clause.strip())

    def title_mentions(self, title: str, own: OwnPlace) -> Iterator[RegionMention]:
        """A title introducing another place: 信宜概况, 走进信宜, 信宜市情."""
        for end_index, (name, entries) in self.automaton.iter_long(title):
            start = end_index - len(name) + 1
            division = self._other(entries, own, name)
            if division is None:
                continue
            rest = title[end_index + 1:end_index + 8]
            before = title[max(0, start - 3):start]
            if rest.startswith(TITLE_TOPICS) or rest[:1] in ("情",) or before.endswith("走进"):
                yield RegionMention(name, division, start, end_index + 1, "title", title)

    def region_path(self, division: Division) -> str:
        """``广东省/茂名市/信宜市`` for a division."""
        parts = [division.province]
        if division.level >= 2:
            city = self.gazetteer.names_of(division.code[:4] + "00")
            if division.level == 3 and city and city[0] != division.province:
                parts.append(city[0])
            if division.level == 2 or division.name not in parts:
                parts.append(division.name)
        return "/".join(dict.fromkeys(p for p in parts if p))

    # -- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _other(entries: tuple[tuple[Division, bool], ...], own: OwnPlace, name: str) -> Division | None:
        """The division a name stands for when it is certainly not the site's own place, else None."""
        if name in own.protected:
            return None
        candidates = [d for d, _ in entries if d.code not in own.protected_codes]
        if len(candidates) != len(entries):
            return None  # the name also belongs to the site's own family of divisions
        # Prefer a division of the same province (the usual copy source), then the lowest code.
        candidates.sort(key=lambda d: (d.code[:2] != own.code[:2], d.code))
        return candidates[0] if candidates else None

    @staticmethod
    def _pattern(text: str, start: int, end: int, clause_start: int, clause_end: int, own: OwnPlace,
                 *, short: bool) -> str:
        """``subject`` / ``self_reference`` when the mention describes itself as the site's place, else ""."""
        sub_start = _last_boundary(text, start, _SUB_SPLIT, floor=clause_start)
        sub_end_match = _SUB_SPLIT.search(text, end, clause_end)
        sub_end = sub_end_match.start() if sub_end_match else clause_end
        lead = _LEAD.sub("", text[sub_start:start])
        rest = text[end:sub_end]
        relates = any(w in lead or w in rest for w in RELATION_WORDS)
        refers_home = any(n in rest for n in own.names if len(n) >= 2) or any(r in rest for r in SELF_REFERENCES[:6])
        if relates or refers_home:
            return ""
        follow = rest.lstrip("市县区旗")
        institution = not short and INSTITUTION.match(rest) is not None \
            and not HISTORY.search(text[clause_start:start])
        # subject: 信宜市位于…, 信宜市辖…, 信宜总面积…
        if lead == "":
            if follow.startswith(STRONG_PREDICATES if short else PREDICATES):
                return "subject"
            return "institution" if institution else ""
        # self reference: 本市信宜… / 我县信宜…
        if lead.startswith(SELF_REFERENCES[:6]) and len(lead) <= 12:
            return "self_reference"
        # a duty or post of another place's institution: 现任信宜市人民政府市长, 负责信宜市行政区域内…
        return "institution" if institution else ""


def _last_boundary(text: str, pos: int, pattern: re.Pattern[str], floor: int = 0) -> int:
    window_start = max(floor, pos - 200)
    last = window_start
    for match in pattern.finditer(text, window_start, pos):
        last = match.end()
    return last


def _next_boundary(text: str, pos: int, pattern: re.Pattern[str]) -> int:
    match = pattern.search(text, pos, pos + 400)
    return match.start() if match else min(len(text), pos + 400)
