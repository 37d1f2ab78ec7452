"""Administrative divisions of China (行政区划), from the table python-stdnum maintains.

python-stdnum ships ``stdnum/cn/loc.dat`` (used to validate the birthplace part of resident ID numbers):
every 6-digit division code with its names and the years each name was valid. We read it instead of
typing a list by hand, so updating python-stdnum updates the gazetteer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

_NAME_RE = re.compile(r"\[(\d{4})?-(\d{4})?\](.+)")
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "新区", "矿区",
             "省", "市", "区", "县", "旗", "盟")


@dataclass(frozen=True, slots=True)
class Division:
    code: str  # 6 digits
    name: str  # 雷州市
    province: str  # 广东省
    current: bool  # the name is still in use (no end year)
    level: int  # 1 province, 2 city (地级), 3 county (县级)

    @property
    def short(self) -> str:
        return short_name(self.name)


@lru_cache(maxsize=16384)
def short_name(name: str) -> str:
    """雷州市 → 雷州, 广西壮族自治区 → 广西壮族 (kept ≥ 2 characters). Memoised: region lookups compare
    every division's name."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


class Gazetteer:
    """Lookup of division codes and names. Build with :meth:`load` (reads the data file once)."""

    def __init__(self, divisions: list[Division]) -> None:
        self.divisions = divisions

    @classmethod
    def load(cls) -> Gazetteer:
        text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
        divisions: list[Division] = []
        prefix = province = ""
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            if not line.startswith(" "):
                prefix, _, rest = line.partition(" ")
                province = _value(rest, "province")
                continue
            code_part, _, rest = line.strip().partition(" ")
            code = prefix + code_part
            raw = _value(rest, "county")
            for entry in raw.split(","):
                match = _NAME_RE.match(entry.strip())
                if match:
                    name, current = match.group(3), match.group(2) is None
                else:
                    name, current = entry.strip(), True
                if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                    continue
                level = 1 if code.endswith("0000") else 2 if code.endswith("00") else 3
                divisions.append(Division(code, name, province, current, level))
        return cls(divisions)

    @cached_property
    def _by_code(self) -> dict[str, list[Division]]:
        out: dict[str, list[Division]] = {}
        for d in self.divisions:
            out.setdefault(d.code, []).append(d)
        return out

    def names_of(self, code: str) -> list[str]:
        """Every name the 6-digit code has had (current first)."""
        entries = sorted(self._by_code.get(code, []), key=lambda d: not d.current)
        return [d.name for d in entries]

    def code_of(self, region: str) -> str | None:
        """The division code of a ``省/市/县`` path (the deepest part), or None if unknown.

        Memoised per gazetteer: every site's checks ask for their region, and the answer walks the
        whole table."""
        memo = self._code_memo
        if region not in memo:
            memo[region] = self._code_of(region)
        return memo[region]

    @cached_property
    def _code_memo(self) -> dict[str, str | None]:
        return {}

    def _code_of(self, region: str) -> str | None:
        parts = [p for p in region.split("/") if p]
        if not parts:
            return None
        province = parts[0]
        candidates = [d for d in self.divisions if d.province == province or short_name(d.province) == short_name(province)]
        if not candidates:
            return None
        code_prefix = ""
        chosen: str | None = None
        for depth, part in enumerate(parts):
            level = min(depth + 1, 3)
            matches = [
                d for d in candidates
                if (d.name == part or d.short == short_name(part)) and d.code.startswith(code_prefix)
                and (d.level == level or depth == 0)
            ]
            if not matches:
                # county-level cities directly under a province (e.g. 省直辖): accept any level-3 match
                matches = [d for d in candidates if (d.name == part or d.short == short_name(part)) and d.code.startswith(code_prefix[:2])]
            if not matches:
                return chosen
            best = sorted(matches, key=lambda d: (not d.current, d.code))[0]
            chosen = best.code
            code_prefix = best.code[: 2 * (level)] if level < 3 else best.code
        return chosen

    def region_matches_code(self, region: str, code_prefix: str) -> bool:
        """Whether a site code's 6-digit division prefix belongs to the registry region.

        A city's portal may use the city code (4408xx); a department of the city uses the same. The
        prefix must agree with the region down to the region's own depth.
        """
        code = self.code_of(region)
        if code is None:
            return True  # unknown region: cannot judge, never accuse
        depth = len([p for p in region.split("/") if p])
        keep = {1: 2, 2: 4}.get(depth, 6)
        return code_prefix[:keep] == code[:keep]

    @cached_property
    def current_names(self) -> list[Division]:
        return [d for d in self.divisions if d.current]


def _value(rest: str, key: str) -> str:
    match = re.search(key + r'="([^"]*)"', rest)
    return match.group(1) if match else ""
