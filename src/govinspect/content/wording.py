"""Serious wording errors (严重表述错误): misquoted official formulations and misspelt leaders' names.

The lists live in ``data/serious_errors.yaml`` (dated, easy to update). Matching is exact lists plus near
misses: a character with the same pinyin (主义 → 主意), one character off, or two adjacent characters
swapped. A near miss is only reported where it cannot be another correct phrase: phrase near misses keep
both end characters (社会主义核心价值体系 is not a misspelt 社会主义核心价值观), name near misses need a
sentence about national leadership, and two-character names need the leader's title right before them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

from govinspect.content.normalise import to_simplified

_CJK = "\u4e00-\u9fff"
_SPACE = re.compile(r"\s+")
_LOCAL_TITLE = re.compile(r"(?:县|市|区|镇|乡|街道|村|州|旗|盟)(?:委|政府|人大|政协)?[^，。、；]{0,6}"
                          r"(?:书记|长|主任|主席|委员|常委)$")
_SENTENCE = re.compile(r"[。！？!?；;\n]")
_AFTER_TITLES = ("总书记", "副总理", "副主席", "委员长", "总理", "主席")


@dataclass(frozen=True, slots=True)
class Leader:
    name: str
    titles: tuple[str, ...]
    former_titles: tuple[str, ...] = ()

    def held(self, title: str) -> bool:
        """Whether the leader holds or held a title ending with ``title`` (主席 ← 国家主席)."""
        return any(t == title or t.endswith(title) for t in self.titles + self.former_titles)


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    near_miss: frozenset[str]


@dataclass(frozen=True, slots=True)
class Enumeration:
    label: str
    members: tuple[str, ...]
    suffix: str = ""
    item_length: int = 0
    prefix: str = ""  # items recognised by their start (四个全面: 全面…)
    also_accepted: tuple[str, ...] = ()  # earlier official members (全面建成小康社会, before 2020)


@dataclass(frozen=True, slots=True)
class Collocation:
    """A formulation and the verbs it is written with (增强“四个意识”, 坚定“四个自信”, 做到“两个维护”)."""

    text: str
    verbs: tuple[str, ...]


@dataclass(frozen=True)
class WordingLexicon:
    """The contents of ``data/serious_errors.yaml``."""

    updated: str
    leaders_as_of: str
    leaders: tuple[Leader, ...]
    checked_titles: tuple[str, ...]
    leader_context: tuple[str, ...]
    phrases: tuple[Phrase, ...]
    misquotes: tuple[tuple[str, str], ...]
    enumerations: tuple[Enumeration, ...]
    relay_context: tuple[str, ...] = ()
    collocations: tuple[Collocation, ...] = ()

    @classmethod
    def load(cls) -> WordingLexicon:
        raw = resources.files("govinspect.content").joinpath("data/serious_errors.yaml").read_text(encoding="utf-8")
        return cls.from_mapping(yaml.safe_load(raw))

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> WordingLexicon:
        return cls(
            updated=str(data.get("updated", "")),
            leaders_as_of=str(data.get("leaders_as_of", "")),
            leaders=tuple(Leader(str(x["name"]), tuple(x.get("titles") or ()), tuple(x.get("former_titles") or ()))
                          for x in data.get("leaders") or ()),
            checked_titles=tuple(sorted(data.get("checked_titles") or (), key=len, reverse=True)),
            leader_context=tuple(data.get("leader_context") or ()),
            phrases=tuple(Phrase(str(x["text"]), frozenset(x.get("near_miss") or ())) for x in data.get("phrases") or ()),
            misquotes=tuple((str(x["pattern"]), str(x["correct"])) for x in data.get("misquotes") or ()),
            enumerations=tuple(
                Enumeration(str(x["label"]), tuple(x["members"]), str(x.get("suffix", "")),
                            int(x.get("item_length", 0)), str(x.get("prefix", "")),
                            tuple(x.get("also_accepted") or ()))
                for x in data.get("enumerations") or ()
            ),
            relay_context=tuple(data.get("relay_context") or ()),
            collocations=tuple(Collocation(str(x["text"]), tuple(str(v) for v in x["verbs"]))
                               for x in data.get("collocations") or ()),
        )


@dataclass(frozen=True, slots=True)
class WordingError:
    """One serious wording error. Offsets are in the whitespace-free text the checker read."""

    kind: str  # phrase / misquote / enumeration / collocation / leader_name / leader_title
    found: str
    correct: str
    start: int
    end: int
    how: str  # pinyin / swap / indel / one_off / exact / member / title / verb_swap


@lru_cache(maxsize=4096)
def _readings(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


def same_reading(a: str, b: str) -> bool:
    """Two CJK characters that can be read alike (toneless pinyin): 义/意, 沪/护."""
    if not (re.match(f"[{_CJK}]", a) and re.match(f"[{_CJK}]", b)):
        return False
    return bool(_readings(a) & _readings(b))


def classify_edit(expected: str, found: str) -> str:
    """``pinyin`` / ``one_off`` (a substitution), ``swap``, ``indel`` (inside only), or "" when not one edit."""
    n, m = len(expected), len(found)
    if n == m:
        diffs = [i for i in range(n) if expected[i] != found[i]]
        if len(diffs) == 1:
            i = diffs[0]
            return "pinyin" if same_reading(expected[i], found[i]) else "one_off"
        if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
            i = diffs[0]
            if expected[i] == found[i + 1] and expected[i + 1] == found[i]:
                return "swap"
        return ""
    if m == n + 1:
        for i in range(1, n):
            if found[:i] + found[i + 1:] == expected:
                return "indel"
        return ""
    if m == n - 1:
        for i in range(1, n - 1):
            if expected[:i] + expected[i + 1:] == found:
                return "indel"
    return ""


def normalise(text: str) -> str:
    """The text without whitespace, in simplified characters: 习 近 平, line breaks inside a phrase and
    traditional script (四個自信 is 四个自信 written in 繁體, not a slip) do not change what is read."""
    return to_simplified(_SPACE.sub("", text))


def required_literal(pattern: str) -> str:
    """The longest run of plain characters (two or more) that every match of ``pattern`` contains; "" when
    there is none or it cannot be told. Only the top level is read: a group, look-around, class or escape
    ends a run, a character made optional (``?``, ``*``, ``{…}``) is left out, and a top-level ``|``
    means no literal at all."""
    runs: list[str] = []
    run = ""
    depth = 0
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        step = 1
        if ch == "\\":
            step = 2
        elif ch == "[":  # a class: skip to its closing bracket (a leading ] or ^] is a member)
            close = pattern.find("]", i + (3 if pattern.startswith("[^]", i) else 2 if pattern.startswith("[]", i) else 1))
            step = (close if close >= 0 else n) - i + 1
        elif ch == "{":  # a counted repeat of what came before
            close = pattern.find("}", i)
            step = (close if close >= 0 else n) - i + 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return ""
        elif depth == 0 and ch not in ".^$+?*}":
            following = pattern[i + 1: i + 2]
            if following and following in "?*{":
                pass  # optional: not required
            elif following == "+":
                runs.append(run + ch)  # required, but what follows may be more of it
                run = ""
                i += 1
                continue
            else:
                run += ch
                i += 1
                continue
        runs.append(run)
        run = ""
        i += step
    runs.append(run)
    best = max(runs, key=len)
    return best if len(best) >= 2 else ""


class WordingChecker:
    """Finds serious wording errors in a text. Build once; patterns compile on first use."""

    def __init__(self, lexicon: WordingLexicon | None = None, *, max_errors: int = 200) -> None:
        self._lexicon = lexicon
        self.max_errors = max_errors

    @cached_property
    def lexicon(self) -> WordingLexicon:
        return self._lexicon or WordingLexicon.load()

    @cached_property
    def _misquotes(self) -> list[tuple[re.Pattern[str], str, str]]:
        """(pattern, correct form, a literal every match contains) — the literal skips most pages cheaply."""
        return [(re.compile(p), c, required_literal(p)) for p, c in self.lexicon.misquotes]

    @cached_property
    def _anchors(self) -> Any:
        """Aho–Corasick over the two halves of each phrase (one edit leaves at least one half intact)."""
        import ahocorasick

        automaton = ahocorasick.Automaton()
        table: dict[str, list[tuple[int, str]]] = {}
        for index, phrase in enumerate(self.lexicon.phrases):
            size = len(phrase.text)
            if size < 3 or not phrase.near_miss:
                continue
            if size == 3:  # 国务院: two 2-character anchors; a slip of the first or last character is found
                table.setdefault(phrase.text[:2], []).append((index, "head"))
                table.setdefault(phrase.text[1:], []).append((index, "tail"))
                continue
            if size == 4:  # 四个意识: two 2-character halves; a substitution leaves one of them intact
                table.setdefault(phrase.text[:2], []).append((index, "head"))
                table.setdefault(phrase.text[2:], []).append((index, "tail"))
                continue
            len_a = (size - 1) // 2
            table.setdefault(phrase.text[:len_a], []).append((index, "head"))
            table.setdefault(phrase.text[size - (size - 1 - len_a):], []).append((index, "tail"))
        for key, value in table.items():
            automaton.add_word(key, (key, value))
        if table:
            automaton.make_automaton()
        return automaton if table else None

    @cached_property
    def _name_patterns(self) -> list[tuple[Leader, re.Pattern[str]]]:
        out = []
        x = f"[{_CJK}]"
        for leader in self.lexicon.leaders:
            n = leader.name
            if len(n) == 3:
                a, b, c = map(re.escape, n)
                alts = [f"{a}{b}(?!{c}){x}", f"{a}(?!{b}){x}{c}", f"(?<!{a})(?!{a}){x}{b}{c}", f"{b}{a}{c}", f"{a}{c}{b}"]
            elif len(n) == 2:
                a, b = map(re.escape, n)
                alts = [f"{a}(?!{b}){x}", f"(?!{a}){x}{b}", f"{b}{a}"]
            else:
                continue
            out.append((leader, re.compile("(?=(" + "|".join(alts) + "))")))
        return out

    # -- entry point -------------------------------------------------------------------------------
    def find(self, text: str) -> list[WordingError]:
        """Every serious wording error in ``text`` (whitespace is ignored), overlaps resolved longest first."""
        return self.find_normalised(normalise(text))

    def find_normalised(self, norm: str) -> list[WordingError]:
        """:meth:`find` on a text already passed through :func:`normalise` (offsets are into ``norm``)."""
        errors: list[WordingError] = []
        for finder in (self._find_misquotes, self._find_phrases, self._find_enumerations, self._find_collocations,
                       self._find_titles, self._find_names):
            for error in finder(norm):
                errors.append(error)
                if len(errors) >= self.max_errors:
                    break
        errors.sort(key=lambda e: (e.start, -(e.end - e.start)))
        kept: list[WordingError] = []
        for error in errors:
            if any(k.start < error.end and error.start < k.end for k in kept):
                continue
            kept.append(error)
        return kept

    # -- finders -----------------------------------------------------------------------------------
    def _find_misquotes(self, norm: str) -> Iterator[WordingError]:
        for pattern, correct, literal in self._misquotes:
            if literal and literal not in norm:
                continue
            for match in pattern.finditer(norm):
                yield WordingError("misquote", match.group(0), correct, match.start(), match.end(), "exact")

    def _find_phrases(self, norm: str) -> Iterator[WordingError]:
        automaton = self._anchors
        if automaton is None:
            return
        phrases = self.lexicon.phrases
        seen: set[tuple[int, int]] = set()
        for end_index, (key, entries) in automaton.iter(norm):
            for index, side in entries:
                phrase = phrases[index]
                p = phrase.text
                size = len(p)
                if side == "head":
                    start = end_index - len(key) + 1
                    if norm.startswith(p, start):
                        continue
                    candidates = [(start, start + size + d) for d in (0, 1, -1)]
                else:
                    stop = end_index + 1
                    if norm.startswith(p, stop - size):
                        continue
                    candidates = [(stop - size - d, stop) for d in (0, 1, -1)]
                for s, e in candidates:
                    if s < 0 or e > len(norm) or (index, s) in seen:
                        continue
                    found = norm[s:e]
                    how = classify_edit(p, found)
                    allowed = {"pinyin": "pinyin", "swap": "swap", "indel": "indel", "one_off": "one_off"}.get(how)
                    if allowed and allowed in phrase.near_miss:
                        seen.add((index, s))
                        yield WordingError("phrase", found, p, s, e, how)
                        break

    @cached_property
    def _enumeration_runs(self) -> list[re.Pattern[str] | None]:
        """Per enumeration, a run of items written without the label (政治意识、大局意识、核心意识、看齐意识).

        A run may start inside a sentence (树立政治意识、…): the first item takes at most four characters
        before the ending, and a member padded with a verb (树立政治意识) is read as that member.
        """
        runs: list[re.Pattern[str] | None] = []
        for enum in self.lexicon.enumerations:
            count = len(enum.members) - 1
            if enum.suffix:
                item = f"[{_CJK}]{{2,4}}?{re.escape(enum.suffix)}"
                runs.append(re.compile(f"{item}(?:[、和及与]{item}){{{count}}}"
                                       f"(?![、和及与]?[{_CJK}]{{2,4}}{re.escape(enum.suffix)})"))
            elif enum.prefix:
                longest = max(len(m) for m in enum.members + enum.also_accepted) - len(enum.prefix)
                item = f"{re.escape(enum.prefix)}[{_CJK}]{{2,{longest + 1}}}?"
                runs.append(re.compile(f"{item}(?:、{item}){{{count}}}(?=[的”\"）)，,。；;、]|$)"))
            else:
                runs.append(None)
        return runs

    def _find_enumerations(self, norm: str) -> Iterator[WordingError]:
        for enum, run in zip(self.lexicon.enumerations, self._enumeration_runs, strict=True):
            # labelled: 四个意识（政治意识、大局意识…） / 社会主义核心价值观：富强、民主…
            if enum.label in norm:
                for match in re.finditer(re.escape(enum.label) + r"[”\"’'」》]?\s*(?:[（(]|[:：]|即|——|是|就是)", norm):
                    region_end = _region_end(norm, match.end(), opener=norm[match.end() - 1])
                    region = norm[match.end():region_end]
                    yield from self._check_members(enum, region, match.end(), labelled=True)
            marker = enum.suffix or enum.prefix
            if run is None or norm.count(marker) < len(enum.members):
                continue
            for match in run.finditer(norm):
                if enum.label in norm[max(0, match.start() - 8):match.start()]:
                    continue  # already read as a labelled enumeration
                yield from self._check_members(enum, match.group(0), match.start(), labelled=False)

    def _check_members(self, enum: Enumeration, region: str, offset: int, *, labelled: bool) -> Iterator[WordingError]:
        splitter = "[、，,；;“”\"'‘’（）()：:]"
        if enum.suffix:  # 看齐意识和服务意识: 和/及/与 join items only after an item's ending
            splitter += f"|(?<={re.escape(enum.suffix)})(?:以及|和|及|与)"
        items = []
        pos = 0
        for piece in re.split(f"({splitter})", region):
            if piece and not re.fullmatch(splitter, piece):
                items.append((piece, pos))
            pos += len(piece)
        if enum.suffix:
            items = [(t, s) for t, s in items if t.endswith(enum.suffix) and len(t) <= len(enum.suffix) + 4]
        elif enum.prefix:
            longest = max(len(m) for m in enum.members + enum.also_accepted)
            items = [(t, s) for t, s in items if t.startswith(enum.prefix) and len(t) <= longest + 1]
        elif enum.item_length:
            items = [(t, s) for t, s in items if len(t) == enum.item_length]
        members = set(enum.members) | set(enum.also_accepted)
        # a member padded with a verb (增强政治意识) is that member
        items = [(next((m for m in members if t.endswith(m)), t), s + len(t) - len(next((m for m in members if t.endswith(m)), t)))
                 for t, s in items]
        good = [t for t, _ in items if t in members]
        bad = [(t, s) for t, s in items if t not in members]
        needed = 2 if labelled else len(enum.members) - 1
        if not bad or len(good) < needed:
            return
        if not labelled and len(items) != len(enum.members):
            return
        for token, start in bad:
            yield WordingError("enumeration", token, f"{enum.label}: {'、'.join(enum.members)}",
                               offset + start, offset + start + len(token), "member")

    @cached_property
    def _collocation_pattern(self) -> re.Pattern[str] | None:
        """A verb of any collocation right before any collocation's formulation, quoted or not."""
        items = self.lexicon.collocations
        if not items:
            return None
        verbs = sorted({v for c in items for v in c.verbs}, key=len, reverse=True)
        texts = sorted({c.text for c in items}, key=len, reverse=True)
        return re.compile(f"({'|'.join(map(re.escape, verbs))})[“\"‘'「『]?({'|'.join(map(re.escape, texts))})"
                          f"[”\"’'」』]?")

    def _find_collocations(self, norm: str, *, max_gap: int = 6) -> Iterator[WordingError]:
        """Verbs swapped between formulations written together: 增强“四个自信”、坚定“四个意识”.

        Items written in one run (at most ``max_gap`` characters apart, no sentence end between) are
        compared: an item is reported when its verb belongs to another item's formulation of the run and
        that item's verb belongs to this one's. A single unusual verb (树牢“四个自信”) is not a swap."""
        pattern = self._collocation_pattern
        if pattern is None or not any(c.text in norm for c in self.lexicon.collocations):
            return
        verbs_of = {c.text: c.verbs for c in self.lexicon.collocations}
        runs: list[list[re.Match[str]]] = []
        for match in pattern.finditer(norm):
            if runs:
                gap = norm[runs[-1][-1].end():match.start()]
                if len(gap) <= max_gap and not _SENTENCE.search(gap):
                    runs[-1].append(match)
                    continue
            runs.append([match])
        for run in runs:
            for item in run:
                verb, text = item.group(1), item.group(2)
                if verb in verbs_of[text]:
                    continue
                partner = next((o for o in run if o is not item and verb in verbs_of[o.group(2)]
                                and o.group(2) != text and o.group(1) in verbs_of[text]
                                and o.group(1) not in verbs_of[o.group(2)]), None)
                if partner is None:
                    continue
                correct = item.group(0).replace(verb, partner.group(1), 1)
                yield WordingError("collocation", item.group(0), correct, item.start(), item.end(), "verb_swap")

    @cached_property
    def _title_patterns(self) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
        """(title then name, name then title) over every leader, compiled once."""
        leaders = self.lexicon.leaders
        names = "|".join(re.escape(x.name) for x in sorted(leaders, key=lambda x: -len(x.name)))
        titles = "|".join(map(re.escape, self.lexicon.checked_titles))
        if not names or not titles:
            return None
        after = "|".join(_AFTER_TITLES)
        return re.compile(f"({titles})({names})"), re.compile(f"({names})({after})")

    def _find_titles(self, norm: str) -> Iterator[WordingError]:
        leaders = self.lexicon.leaders
        patterns = self._title_patterns
        if patterns is None:
            return
        before_name, after_name = patterns
        by_name = {x.name: x for x in leaders}
        for match in before_name.finditer(norm):
            if match.start() > 0 and norm[match.start() - 1] == "副":
                continue
            title, name = match.group(1), match.group(2)
            if not by_name[name].held(title):
                yield WordingError("leader_title", match.group(0), _holder(leaders, title) or f"{name} is not {title}",
                                   match.start(), match.end(), "title")
        for match in after_name.finditer(norm):
            name, title = match.group(1), match.group(2)
            if norm[match.end():match.end() + 1] in ("处",):  # 书记处
                continue
            if not by_name[name].held(title):
                yield WordingError("leader_title", match.group(0), _holder(leaders, title) or f"{name} is not {title}",
                                   match.start(), match.end(), "title")

    @cached_property
    def _name_candidates(self) -> re.Pattern[str] | None:
        """Where a near miss of a three-character name can be: two of its characters in their places."""
        keys: set[str] = set()
        for leader in self.lexicon.leaders:
            if len(leader.name) == 3:
                a, b, c = map(re.escape, leader.name)
                keys |= {a + b, b + c, b + a, a + c, c + b, f"{a}[{_CJK}]{c}"}
        return re.compile("|".join(sorted(keys))) if keys else None

    def _name_starts(self, norm: str) -> dict[str, set[int]]:
        """Start offsets worth testing per leader: around a pair of the name's characters (three-character
        names), after the leader's title or before 同志 (two-character names, whose characters are common)."""
        starts: dict[str, set[int]] = {}
        pattern = self._name_candidates
        three = [x for x in self.lexicon.leaders if len(x.name) == 3]
        if pattern is not None:
            match = pattern.search(norm)
            while match is not None:  # overlapping pairs (习习平近): search again from the next character
                for leader in three:
                    if sum(ch in leader.name for ch in match.group(0)) >= 2:
                        starts.setdefault(leader.name, set()).update((match.start() - 1, match.start()))
                match = pattern.search(norm, match.start() + 1)
        two = [x for x in self.lexicon.leaders if len(x.name) == 2]
        if two:
            before_comrade = _find_all(norm, "同志", -2)
            for leader in two:
                found = starts.setdefault(leader.name, set(before_comrade))
                for title in leader.titles:
                    found.update(_find_all(norm, title, len(title)))
        return starts

    def _find_names(self, norm: str) -> Iterator[WordingError]:
        context = self.lexicon.leader_context
        leaders = self.lexicon.leaders
        starts = self._name_starts(norm)
        for leader, pattern in self._name_patterns:
            positions = sorted(p for p in starts.get(leader.name, ()) if 0 <= p < len(norm))
            if not positions:
                continue
            exact = [(m.start(), m.end()) for m in re.finditer(re.escape(leader.name), norm)]
            for position in positions:
                match = pattern.match(norm, position)
                if match is None:
                    continue
                found = match.group(1)
                start, end = match.start(1), match.start(1) + len(found)
                if found == leader.name or any(s < end and start < e for s, e in exact):
                    continue
                if any(found == other.name for other in leaders):
                    continue
                how = classify_edit(leader.name, found)
                if not how:
                    continue
                before = norm[max(0, start - 12):start]
                after = norm[end:end + 4]
                titled_before = any(before.endswith(t) and not before[:-len(t)].endswith("副")
                                    for t in leader.titles)
                titled_after = after.startswith(("同志",) + tuple(t for t in _AFTER_TITLES if leader.held(t)))
                sentence = _sentence(norm, start, end)
                in_context = any(w in sentence for w in context) or any(
                    other.name in sentence for other in leaders if other is not leader)
                # 传达学习丁雪祥同志…讲话精神: relaying a national leader's speech, no local title before it
                relayed = (after.startswith("同志") and any(w in sentence for w in self.lexicon.relay_context)
                           and not _LOCAL_TITLE.search(before))
                if len(leader.name) == 2:
                    ok = how in ("pinyin", "swap") and (titled_before or relayed)
                elif how in ("pinyin", "swap"):
                    ok = in_context or relayed
                else:
                    ok = titled_before or titled_after
                if ok:
                    yield WordingError("leader_name", found, leader.name, start, end, how)


def _find_all(text: str, needle: str, shift: int) -> list[int]:
    """Offsets of every occurrence of ``needle`` plus ``shift`` (plain ``str.find``, no pattern)."""
    out: list[int] = []
    pos = text.find(needle)
    while pos >= 0:
        out.append(pos + shift)
        pos = text.find(needle, pos + 1)
    return out


def _holder(leaders: tuple[Leader, ...], title: str) -> str:
    for leader in leaders:
        if title in leader.titles:
            return f"{title}{leader.name}"
    return ""


def _sentence(norm: str, start: int, end: int) -> str:
    lo = max(0, start - 120)
    hi = min(len(norm), end + 120)
    left = [m.end() for m in _SENTENCE.finditer(norm, lo, start)]
    right = _SENTENCE.search(norm, end, hi)
    return norm[(left[-1] if left else lo):(right.start() if right else hi)]


def _region_end(norm: str, pos: int, *, opener: str, limit: int = 120) -> int:
    closer = {"（": "）", "(": ")"}.get(opener)
    stop = norm.find(closer, pos, pos + limit) if closer else -1
    if stop >= 0:
        return stop
    match = re.compile(r"[。；;！？\n]").search(norm, pos, pos + limit)
    return match.start() if match else min(len(norm), pos + limit)
