"""Detectors of unmasked personal data (泄露个人隐私) in page text.

Each detector finds candidates with a pattern, then runs the real validator: python-stdnum's resident
ID check (checksum, birth date, birthplace division), phonenumbers' matcher (CN mobile numbers), Luhn for
bank cards. Context words (``data/privacy.yaml``) decide whether a number belongs to a private person:
a masked form (138****1234, 张*), an office line, a hotline or an example number is not a leak, and a
township-level address is allowed by the de-identification rule (地址只到乡镇).

Nothing here returns a raw value to a report: :func:`redact` and the ``masked`` field are what findings
carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from importlib import resources
from typing import Any

import yaml


class Kind(StrEnum):
    ID_NUMBER = "id_number"
    MOBILE = "mobile"
    BANK_CARD = "bank_card"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class PersonalData:
    """One piece of unmasked personal data found in a text. ``value`` never leaves the process."""

    kind: Kind
    value: str  # as found (raw); use ``masked`` in anything written out
    start: int
    end: int
    masked: str
    reason: str
    name: str = ""  # the person's name next to an address (raw; masked in evidence)


@dataclass(frozen=True)
class PrivacyLexicon:
    """The context words of ``data/privacy.yaml``."""

    person_labels: tuple[str, ...]
    address_labels: tuple[str, ...]
    bank_context: tuple[str, ...]
    organisation_account_words: tuple[str, ...]
    work_contact_labels: tuple[str, ...]
    work_columns: tuple[str, ...]
    citizen_columns: tuple[str, ...]
    masked_name_marks: tuple[str, ...]
    name_titles: tuple[str, ...]
    example_mobiles: frozenset[str]
    example_ids: frozenset[str]
    example_context: tuple[str, ...]
    quantity_units: tuple[str, ...]
    first_person: tuple[str, ...]
    pronouns: tuple[str, ...]
    surnames: frozenset[str]
    compound_surnames: tuple[str, ...]
    updated: str = ""

    @classmethod
    def load(cls) -> PrivacyLexicon:
        raw = resources.files("govinspect.content").joinpath("data/privacy.yaml").read_text(encoding="utf-8")
        return cls.from_mapping(yaml.safe_load(raw))

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> PrivacyLexicon:
        def words(key: str) -> tuple[str, ...]:
            # longest first, so 家庭住址 wins over 住址 in alternations
            return tuple(sorted((str(w) for w in data.get(key) or ()), key=len, reverse=True))

        return cls(
            person_labels=words("person_labels"),
            address_labels=words("address_labels"),
            bank_context=words("bank_context"),
            organisation_account_words=words("organisation_account_words"),
            work_contact_labels=words("work_contact_labels"),
            work_columns=words("work_columns"),
            citizen_columns=words("citizen_columns"),
            masked_name_marks=words("masked_name_marks"),
            name_titles=words("name_titles"),
            example_mobiles=frozenset(str(n) for n in data.get("example_mobiles") or ()),
            example_ids=frozenset(str(n).upper() for n in data.get("example_ids") or ()),
            example_context=words("example_context"),
            quantity_units=words("quantity_units"),
            first_person=words("first_person"),
            pronouns=words("pronouns"),
            surnames=frozenset(str(data.get("surnames") or "")),
            compound_surnames=words("compound_surnames"),
            updated=str(data.get("updated") or ""),
        )


# --- masking -------------------------------------------------------------------------------------

def mask_id_number(value: str) -> str:
    """440882199001011234 → 4408**********1234 (region prefix and last four kept)."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_mobile(value: str) -> str:
    """13912345678 → 139****5678."""
    digits = re.sub(r"\D", "", value)[-11:]
    return digits[:3] + "****" + digits[-4:]


def mask_card(value: str) -> str:
    """6222021234567890123 → 6222***********0123."""
    digits = re.sub(r"\D", "", value)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def mask_name(name: str) -> str:
    """张三丰 → 张**."""
    return name[:1] + "*" * (len(name) - 1) if name else name


def mask_address(value: str) -> str:
    """Every digit of the address hidden: 新城路12号3栋 → 新城路**号*栋."""
    return re.sub(r"[0-9０-９]", "*", value)


_LONG_DIGITS = re.compile(r"\d{9,}[\dXx]?")


def redact(text: str, items: Iterable[PersonalData]) -> str:
    """``text`` with every found item masked and every other run of ≥ 9 digits masked too."""
    spans = sorted((i for i in items if 0 <= i.start < i.end <= len(text)), key=lambda i: i.start)
    out: list[str] = []
    pos = 0
    for item in spans:
        if item.start < pos:
            continue
        out.append(text[pos:item.start])
        out.append(item.masked)
        pos = item.end
    out.append(text[pos:])
    result = "".join(out)
    for item in spans:
        if item.name:
            result = result.replace(item.name, mask_name(item.name))
    return _LONG_DIGITS.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 5) + m.group(0)[-2:], result)


# --- the scanner ---------------------------------------------------------------------------------

_ID18 = re.compile(
    r"(?<![0-9A-Za-z*])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z*])"
)
_ID15 = re.compile(r"(?<![0-9A-Za-z*])[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z*])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z*＊])(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?![0-9A-Za-z*＊])")
_CARD = re.compile(
    r"(?<![0-9A-Za-z*＊])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9A-Za-z*＊])"
)
# Every ID number, mobile or card number holds eleven digits in a row or in 3-4-4 groups; a text without
# such a run has none of them (a cheap test that skips most pages). The pattern starts with a digit so the
# regular expression engine skips other characters quickly.
_DIGIT_RUN = re.compile(r"\d{3}[-\s]?\d{4}[-\s]?\d{4}")
# A run of digits (with the separators numbers are written with) that the number patterns are tried on.
_NUMBER_RUN = re.compile(r"\d(?:[ \-]?\d){10,}[Xx]?")
# The same across line breaks: a table cell joins its text nodes with spaces (<td><span>139</span><span>1234…),
# where the page text has one per line.
_CELL_NUMBER_RUN = re.compile(r"\d(?:[ \n\-]?\d){10,}[Xx]?")
_EMAIL_LOCAL = re.compile(r"[a-z0-9._%+-]{1,64}$", re.I)
_EMAIL_DOMAIN = re.compile(r"@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s\"'<>，。；、]+", re.I)
_FINE_ADDRESS = re.compile(
    r"(?:[0-9０-９]+|[一二三四五六七八九十百零〇]+)\s*(?:号楼|号|室|栋|幢|单元|门牌|座|户)"
    r"|(?<![0-9-])[0-9]{1,4}-[0-9]{1,4}(?:号|室|房)?(?![0-9-])"  # 3-502; not a phone number 020-5056440
)
_CJK = r"\u4e00-\u9fff"
_GENDER = re.compile(r"[，,、\s][男女][，,、]")  # 张三，男，…
_LINE_COLON = re.compile(r"[:：][ \t\u3000]*(?:\n|$)")
_BEFORE_ZHU = frozenset("，,、（( \t\n\u3000")
_ADDRESS_END = re.compile(r"[；;，,。\n\t|（(\u3000]|[ \xa0]{2,}|电话|手机|传真|邮编|邮政编码")

Span = tuple[int, int]


@dataclass
class PrivacyScanner:
    """Finds unmasked ID numbers, mobiles, bank cards and addresses-next-to-names in texts."""

    lexicon: PrivacyLexicon = field(default_factory=PrivacyLexicon.load)
    old_id_numbers: bool = False  # 15-digit first-generation IDs; only next to 身份证 when on
    context_chars: int = 24  # how far before a number its context words are looked for
    max_matches: int = 10_000  # per text and kind: bounded on hostile input

    # -- compiled lazily per scanner -----------------------------------------------------------
    @cached_property
    def _person_label_re(self) -> re.Pattern[str]:
        return re.compile("(?:" + "|".join(map(re.escape, self.lexicon.person_labels)) + r")\s*[:：]?\s*")

    @cached_property
    def _address_label_re(self) -> re.Pattern[str]:
        """An address label; group 1 is the label itself. Every alternative starts with a literal or a
        character set, so the engine skips ahead quickly (a leading look-behind would try every position)."""
        labels = "|".join(map(re.escape, self.lexicon.address_labels))
        return re.compile(rf"(?:({labels})\s*(?:为|是)?\s*[:：]?|(住(?:在|于)?))\s*")

    def _address_labels(self, text: str) -> Iterator[re.Match[str]]:
        """Address labels in ``text``; a bare 住 only after a comma, bracket or space (…，住雷州市…)."""
        for label in self._address_label_re.finditer(text):
            if label.group(1) or (label.start() > 0 and text[label.start() - 1] in _BEFORE_ZHU):
                yield label

    @cached_property
    def _name_re(self) -> re.Pattern[str]:
        compound = "|".join(map(re.escape, self.lexicon.compound_surnames))
        single = "".join(sorted(self.lexicon.surnames))
        return re.compile(rf"(?:{compound}|[{single}])[{_CJK}*＊×○〇某]{{1,3}}")

    # -- public entry points -------------------------------------------------------------------
    def scan(self, text: str, *, work_values: frozenset[str] = frozenset(),
             today: date | None = None) -> list[PersonalData]:
        """Every item in ``text``; mobiles in ``work_values`` (office contact tables) are skipped.

        ``today`` bounds birth dates (an ID number born after the monitoring point is not real).
        """
        found: list[PersonalData] = []
        if _DIGIT_RUN.search(text):
            found.extend(self._numbers(text, work_values, today))
        found.extend(self.addresses(text))
        found.sort(key=lambda i: i.start)
        return found

    def _numbers(self, text: str, work_values: frozenset[str], today: date | None) -> list[PersonalData]:
        excluded = self._excluded_spans(text)
        found: list[PersonalData] = []
        found.extend(self.id_numbers(text, excluded, today=today))
        id_spans = [(i.start, i.end) for i in found]
        found.extend(m for m in self.mobiles(text, excluded) if re.sub(r"\D", "", m.value)[-11:] not in work_values)
        found.extend(c for c in self.bank_cards(text, excluded) if not _inside(c.start, c.end, id_spans))
        return found

    def id_numbers(self, text: str, excluded: list[Span] | None = None, *,
                   today: date | None = None) -> Iterator[PersonalData]:
        excluded = self._excluded_spans(text) if excluded is None else excluded
        for n, match in enumerate(_finditer(_ID18, text)):
            if n >= self.max_matches:
                break
            value = match.group(0).upper()
            if _inside(match.start(), match.end(), excluded):
                continue
            if value in self.lexicon.example_ids or self._example(text, match.start()):
                continue
            if self.valid_id_number(value, today):
                yield PersonalData(Kind.ID_NUMBER, value, match.start(), match.end(), mask_id_number(value),
                                   "resident ID number: checksum, birth date and birthplace division valid")
        if self.old_id_numbers:
            for n, match in enumerate(_finditer(_ID15, text)):
                if n >= self.max_matches:
                    break
                value = match.group(0)
                before = text[max(0, match.start() - self.context_chars):match.start()]
                if "身份证" not in before or _inside(match.start(), match.end(), excluded):
                    continue
                upgraded = value[:6] + "19" + value[6:] + "0"
                from stdnum.cn import ric

                upgraded = upgraded[:-1] + ric.calc_check_digit(upgraded)
                if self.valid_id_number(upgraded, today):
                    yield PersonalData(Kind.ID_NUMBER, value, match.start(), match.end(), mask_id_number(value),
                                       "15-digit resident ID number next to 身份证: birth date and division valid")

    def valid_id_number(self, value: str, today: date | None = None) -> bool:
        """python-stdnum's checksum and birth date, a known division code, a birth date in 1900..today.

        python-stdnum also requires the division code to have existed in the birth year; but a number
        carries the code of the household registration when it was issued (a person born in 1990 in
        海康县 holds 440882…, 雷州市 since 1994), so any code the division table has ever listed counts.
        """
        from stdnum import numdb
        from stdnum.cn import ric
        from stdnum.exceptions import ValidationError

        number = ric.compact(value)
        if len(number) != 18 or not number[:-1].isdigit() or number[-1] != ric.calc_check_digit(number):
            return False
        try:
            born = ric.get_birth_date(number)
        except ValidationError:
            return False
        if not date(1900, 1, 1) <= born <= (today or date.today()):
            return False
        info = {k: v for _, props in numdb.get("cn/loc").info(number[:6]) for k, v in props.items()}
        return bool(info.get("county"))

    def mobiles(self, text: str, excluded: list[Span] | None = None, *,
                work_labels: bool = True) -> Iterator[PersonalData]:
        """Valid CN mobile numbers; with ``work_labels`` those introduced as office contacts are skipped."""
        import phonenumbers

        excluded = self._excluded_spans(text) if excluded is None else excluded
        for n, match in enumerate(_finditer(_MOBILE, text)):
            if n >= self.max_matches:
                break
            if _inside(match.start(), match.end(), excluded):
                continue
            digits = re.sub(r"\D", "", match.group(0))[-11:]
            if self.example_mobile(digits) or self._example(text, match.start()):
                continue
            if self._quantity(text, match.end()):
                continue  # 13524000000元: an amount, not a number to call
            # phonenumbers' matcher on a window decides validity and boundaries (leniency VALID).
            lo, hi = max(0, match.start() - 4), min(len(text), match.end() + 4)
            window = text[lo:hi]
            ok = False
            for pm in phonenumbers.PhoneNumberMatcher(window, "CN", leniency=phonenumbers.Leniency.VALID):
                if re.sub(r"\D", "", pm.raw_string)[-11:] == digits and phonenumbers.number_type(pm.number) in (
                    phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
                ):
                    ok = True
                    break
            if not ok:
                continue
            if work_labels and self._work_contact(text, match.start()):
                continue
            yield PersonalData(Kind.MOBILE, match.group(0), match.start(), match.end(), mask_mobile(digits),
                               "mobile number (phonenumbers: valid CN mobile), not masked")

    def example_mobile(self, digits: str) -> bool:
        """13800138000, 11111111111, 12345678901 and the like: placeholders, not people."""
        if digits in self.lexicon.example_mobiles:
            return True
        if len(set(digits[3:])) == 1:  # 139 0000 0000, 138 8888 8888
            return True
        steps = {(int(b) - int(a)) % 10 for a, b in zip(digits, digits[1:], strict=False)}
        return len(steps) == 1

    def bank_cards(self, text: str, excluded: list[Span] | None = None) -> Iterator[PersonalData]:
        from stdnum import luhn

        excluded = self._excluded_spans(text) if excluded is None else excluded
        for n, match in enumerate(_finditer(_CARD, text)):
            if n >= self.max_matches:
                break
            digits = re.sub(r"\D", "", match.group(0))
            if not 16 <= len(digits) <= 19 or _inside(match.start(), match.end(), excluded):
                continue
            if not luhn.is_valid(digits) or len(set(digits)) <= 2 or self._quantity(text, match.end()):
                continue
            before = text[max(0, match.start() - self.context_chars):match.start()]
            word = next((w for w in self.lexicon.bank_context if w in before), None)
            if word is None or self._organisation_account(text[max(0, match.start() - 80):match.start()]):
                continue
            yield PersonalData(Kind.BANK_CARD, match.group(0), match.start(), match.end(), mask_card(digits),
                               f"Luhn-valid card number after {word}")

    def addresses(self, text: str) -> Iterator[PersonalData]:
        """An address down to 号/室/栋/单元 introduced by an address label, with a named person just before."""
        count = 0
        for label in self._address_labels(text):
            if count >= self.max_matches:
                break
            start = label.end()
            end_match = _ADDRESS_END.search(text, start, start + 60)
            end = end_match.start() if end_match else min(len(text), start + 60)
            value = text[start:end].strip()
            if len(value) < 4 or not _FINE_ADDRESS.search(value) or not re.search(f"[{_CJK}]", value):
                continue
            label_start = label.start(1) if label.group(1) else label.start(2)
            name = self._person_before(text, label_start)
            if not name:
                continue
            count += 1
            vstart = text.index(value, start)
            yield PersonalData(Kind.ADDRESS, value, vstart, vstart + len(value), mask_address(value),
                               "address below township level (号/室/栋/单元) next to a person's name", name=name)

    def has_candidates(self, text: str) -> bool:
        """Whether ``text`` holds anything a detector would test: a number shaped like an ID, mobile or
        card, or an address label followed by a fine address. Pages without any skip their tables."""
        patterns = (_ID18, _MOBILE, _CARD, *((_ID15,) if self.old_id_numbers else ()))
        for run in _CELL_NUMBER_RUN.finditer(text):
            lo, hi = max(0, run.start() - 4), min(len(text), run.end() + 1)
            window = text[lo:hi].replace("\n", " ")  # as a table cell reads it
            if any(p.search(window) for p in patterns):
                return True
        for label in self._address_labels(text):  # a table's header is lines away from its cells
            if _FINE_ADDRESS.search(text, label.end(), label.end() + 80):
                return self._someone_named(text)  # a footer's 地址：…1号 belongs to no person
        return False

    def _someone_named(self, text: str) -> bool:
        """A person the page could be about: a person label, a letter writer, 张三，男，…, or 张三： heading."""
        return bool(self._person_label_re.search(text) or any(w in text for w in self.lexicon.first_person)
                    or _GENDER.search(text) or next(self._salutations(text), None) is not None)

    def _salutations(self, text: str) -> Iterator[str]:
        """Names standing alone on a line before a colon (张三：), as 送达公告 open; found from the colon."""
        for colon in _LINE_COLON.finditer(text):
            line_start = text.rfind("\n", max(0, colon.start() - 12), colon.start()) + 1
            if line_start == 0 and colon.start() > 12:
                continue
            token = text[line_start:colon.start()].strip()
            if 2 <= len(token) <= 4 and self._name_re.fullmatch(token) and self.is_plain_name(token):
                yield token

    def mask_names(self, text: str) -> str:
        """Names after a person label (申请人张三 → 申请人张*), for evidence excerpts."""

        out = text
        for match in reversed(list(self._person_label_re.finditer(text))):
            name = self._name_re.match(text, match.end())
            if name and self.is_plain_name(name.group(0)):
                token = _trim_name(name.group(0))
                out = out[:name.start()] + mask_name(token) + out[name.start() + len(token):]
        return out

    # -- tables ----------------------------------------------------------------------------------
    def classify_table(self, headers: list[str]) -> str:
        """``work`` for office/staff contact tables, ``citizen`` for lists of people, else ``other``."""
        joined = "".join(headers)
        citizen = any(w in joined for w in self.lexicon.citizen_columns)
        work = any(w in joined for w in self.lexicon.work_columns)
        if citizen:
            return "citizen"
        return "work" if work else "other"

    # -- helpers -------------------------------------------------------------------------------
    def _excluded_spans(self, text: str) -> list[Span]:
        """URLs and e-mail addresses (numbers inside them are not personal data). E-mail addresses are found
        from their ``@``: a pattern starting with the local part would be tried at every character."""
        spans = [(m.start(), m.end()) for m in _URL.finditer(text)] if ("://" in text or "www." in text or "WWW." in text) else []
        at = text.find("@")
        while at >= 0 and len(spans) < self.max_matches:
            local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
            domain = _EMAIL_DOMAIN.match(text, at)
            if local and domain:
                spans.append((local.start(), domain.end()))
            at = text.find("@", at + 1)
        return spans

    def _work_contact(self, text: str, pos: int) -> bool:
        """A mobile introduced as a published office contact (联系电话：…) with no private person in sight."""
        before = text[max(0, pos - self.context_chars):pos]
        if not any(w in before for w in self.lexicon.work_contact_labels):
            return False
        wider = text[max(0, pos - 3 * self.context_chars):pos]
        if any(w in wider for w in self.lexicon.first_person):
            return False  # 我家…联系电话：…: a citizen giving their own number
        return self._person_label_re.search(wider) is None

    def _example(self, text: str, pos: int) -> bool:
        """A number introduced as an example (例如、如：、示例) in a form guide."""
        before = text[max(0, pos - 12):pos]
        return any(w in before for w in self.lexicon.example_context)

    def _quantity(self, text: str, end: int) -> bool:
        """A number followed by a unit (元, 万元, 吨, 人次): a quantity."""
        after = text[end:end + 3].lstrip()
        return bool(after) and after.startswith(self.lexicon.quantity_units)

    def _organisation_account(self, before: str) -> bool:
        match = re.search(r"户\s*名\s*[:：]?\s*([^\s，,；;：:]{2,40})", before)
        if not match:
            return False
        holder = match.group(1)
        for word in self.lexicon.organisation_account_words:
            if len(word) > 1 and word in holder:
                return True
            if len(word) == 1 and len(holder) >= 5 and holder.endswith(word):
                return True
        return False

    def is_plain_name(self, token: str) -> bool:
        """A name-like token that is not masked (张*, 张某) and not a polite form (张先生)."""
        if any(mark in token for mark in self.lexicon.masked_name_marks):
            return False
        return not any(token.endswith(t) for t in self.lexicon.name_titles)

    def _person_before(self, text: str, label_pos: int) -> str:
        """The unmasked name of the person an address belongs to, or "" when no person is in sight."""
        # the sentence (or table row) before the label, at most 100 characters
        window_start = max(0, label_pos - 100)
        boundary = max(text.rfind("。", window_start, label_pos), text.rfind("\n", window_start, label_pos))
        window = text[max(window_start, boundary + 1):label_pos]
        name = self._person_in(window)
        if name:
            return name
        # 我家住…: the writer of a letter or message gives their own address
        tail = window[-6:]
        if tail.endswith("我") or any(w in tail for w in self.lexicon.first_person):
            return "（来信人）"
        # 你的住所地为… / 其住址…: the person addressed or named earlier (送达公告 "张三：")
        if any(tail.endswith(w) for w in self.lexicon.pronouns):
            earlier = text[max(0, label_pos - 400):label_pos]
            salutations = list(self._salutations(earlier))
            if salutations:
                return salutations[-1]
            name = self._person_in(earlier)
            if name:
                return name
        # a record written as label：value lines (申请人：张三 / 身份证号：… / 地址：…)
        lines = [line for line in text[max(0, label_pos - 160):label_pos].split("\n")[:-1] if line.strip()]
        for line in reversed(lines[-3:]):
            if len(line) > 60 or not re.search(r"[:：]", line):
                break
            name = self._person_in(line)
            if name:
                return name
        return ""

    def _person_in(self, window: str) -> str:
        """The plain name after a person label, or of a 判决书-style 张三，男，… in ``window``."""
        # 姓名：张三；住址：…  /  申请人张三，家庭住址…
        for match in reversed(list(self._person_label_re.finditer(window))):
            name = self._name_re.match(window, match.end())
            if name and self.is_plain_name(name.group(0)):
                return _trim_name(name.group(0))
        # 张三，男，1980年出生，住雷州市…号 (判决书 style: the gender marker makes the token a person)
        tail = re.search(rf"(?:^|[\n；;。：:\s])([{_CJK}]{{2,4}})[，,、\s]*[男女][，,、\s]*(?:[^，,。；;\n]{{0,16}}[，,、\s]*){{0,3}}$",
                         window)
        if tail:
            token = tail.group(1)
            name = self._name_re.fullmatch(token)
            if name and self.is_plain_name(token) and not any(token.endswith(w) for w in ("地址", "住址")):
                return token
        return ""


def _finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` tried only inside runs of digits (the patterns begin with a look-behind,
    which makes the engine try every character of a long page)."""
    for run in _NUMBER_RUN.finditer(text):
        yield from pattern.finditer(text, max(0, run.start() - 4), min(len(text), run.end() + 1))


def _trim_name(token: str) -> str:
    # "张三住址" style run-ons: a name is 2–3 characters in the usual case
    return token[:3] if len(token) == 4 and token[3] in "住家户现地居" else token


def _inside(start: int, end: int, spans: list[Span]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


@dataclass(frozen=True, slots=True)
class LabelledTable:
    """A data table with a header row, its rows rewritten as ``header：cell；…`` lines."""

    headers: list[str]
    text: str
    locator: str


def _header_like(row: list[str]) -> bool:
    """A row of column headers: two or more short cells, none of them a long number."""
    cells = [c for c in row if c]
    return len(cells) >= 2 and not any(len(c) > 16 or re.search(r"\d{5,}", c) for c in cells)


def labelled_tables(tree: Any, *, max_tables: int = 200, max_rows: int = 5000) -> list[LabelledTable]:
    """Leaf ``<table>`` elements whose first row reads as column headers, as labelled text.

    The page text loses which column a cell sits in; writing ``身份证号：…；家庭住址：…`` per row gives
    the context-word detectors back the header (a table of 姓名/银行卡号 has no 卡号 next to each number).
    """
    from govinspect.archive.pageview import node_locator

    out: list[LabelledTable] = []
    for table in tree.css("table"):
        if len(out) >= max_tables:
            break
        if len(table.css("table")) > 1:  # the node itself plus nested ones
            continue  # layout table wrapping others
        rows = [
            [c.text(separator=" ", strip=True) for c in tr.css("th, td")]
            for tr in table.css("tr")[: max_rows + 1]
        ]
        rows = [r for r in rows if any(r)]
        head = next((i for i, r in enumerate(rows[:3]) if _header_like(r)), None)
        if head is None or len(rows) - head < 2:
            continue  # a spreadsheet saved as HTML puts a title row (one merged cell) above the headers
        headers = rows[head]
        lines = []
        for row in rows[head + 1:]:
            cells = [f"{headers[i] if i < len(headers) else ''}：{cell}" for i, cell in enumerate(row)]
            lines.append("；".join(cells))
        out.append(LabelledTable(headers, "\n".join(lines), node_locator(table)))
    return out
