"""Rule profiles: the national indicators (and a province's changes) as versioned, validated YAML data.

A profile says which indicator each finding belongs to (declarative matchers on check id and detail
fields), which vetoes exist with their thresholds, and how many points each deduction item costs within
its group. ``load_profile("national-2019", overlay=Path("guangdong.yaml"))`` deep-merges a province's
overlay over the shipped profile and validates the result; any mistake is a :class:`ConfigError`
naming the file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govinspect.errors import ConfigError
from govinspect.findings.model import Finding, Severity
from govinspect.registry.models import SiteKind
from govinspect.settings import deep_merge

Target = Literal["site", "account"]
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_OPS = frozenset({"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "exists"})
_MISSING = object()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VetoRule(_Model):
    """One sub-case of a veto: the named counters together reach ``threshold`` distinct findings."""

    name: str
    counters: list[str] = Field(default_factory=lambda: ["count"], min_length=1)
    threshold: int = Field(1, ge=1)


class Veto(_Model):
    """A 单项否决 indicator; it fires when any of its rules does."""

    name: str
    applies_to: list[Target] = Field(default_factory=lambda: ["site"], min_length=1)
    rules: list[VetoRule] = Field(min_length=1)
    note: str = ""


class Item(_Model):
    """A deduction (or bonus) item: ``points`` per unit (``each``) or once, capped at ``cap``."""

    name: str
    points: float = Field(ge=0)
    mode: Literal["each", "once"] = "each"
    cap: float | None = Field(None, ge=0)
    unit: str = "个"
    note: str = ""


class Group(_Model):
    """A first-level deduction group (发布解读, 办事服务, …); its items together lose at most ``total``."""

    name: str
    total: float = Field(gt=0)
    applies_to: list[Target] = Field(default_factory=lambda: ["site"], min_length=1)
    services: bool = False  # 办事服务: skipped for sites without external services (75 × 4/3 rule)
    items: dict[str, Item]
    note: str = ""


class Bonus(_Model):
    """加分指标: scored only above ``above`` points and only for ``kinds``; at most ``max``."""

    max: float = Field(30, ge=0)
    above: float = 80
    kinds: list[SiteKind] = Field(default_factory=lambda: [SiteKind.PORTAL])
    items: dict[str, Item] = Field(default_factory=dict)


class Info(_Model):
    name: str


class Rule(_Model):
    """Finding → indicator. ``check`` is an id or a glob (``newmedia.*``); ``where`` matches detail fields."""

    check: str
    where: dict[str, Any] = Field(default_factory=dict)
    indicator: str
    counter: str = "count"
    otherwise: str | None = None
    severity: Severity | None = None

    @model_validator(mode="after")
    def _known_operators(self) -> Rule:
        for field, cond in self.where.items():
            if isinstance(cond, dict):
                bad = set(cond) - _OPS
                if bad:
                    raise ValueError(f"where.{field}: unknown operator(s) {sorted(bad)}; use {sorted(_OPS)}")
        return self

    def matches(self, finding: Finding) -> bool:
        if not fnmatchcase(finding.check, self.check):
            return False
        return all(_condition(_field(finding.detail, name), cond) for name, cond in self.where.items())


class DefaultRule(_Model):
    indicator: str = "info.unmapped"
    severity: Severity | None = None


class NoDoubleCount(_Model):
    """Findings of ``checks`` sharing ``key`` (``url``, ``target`` or ``detail.<field>``) are one problem."""

    checks: list[str] = Field(min_length=2)
    key: str = "url"

    def key_of(self, finding: Finding) -> str | None:
        if self.key == "url":
            value: Any = finding.url
        elif self.key == "target":
            value = finding.target
        elif self.key.startswith("detail."):
            value = _field(finding.detail, self.key[len("detail."):])
        else:
            return None
        return None if value is _MISSING or value in (None, "") else str(value)


@dataclass(frozen=True, slots=True)
class Match:
    """What the profile says about one finding."""

    indicator: str
    severity: Severity
    counter: str = "count"
    otherwise: str | None = None


class Profile(_Model):
    """A versioned rule profile. Build with :func:`load_profile`."""

    id: str
    version: str
    title: str
    source: list[str] = Field(default_factory=list)
    statements: list[str] = Field(default_factory=list)  # counting rules printed in every report header
    pass_line: float = 60
    deduction_total: float = Field(100, gt=0)
    vetoes: dict[str, Veto]
    groups: dict[str, Group]
    bonus: Bonus = Field(default_factory=Bonus)
    info: dict[str, Info] = Field(default_factory=dict)
    no_double_count: list[NoDoubleCount] = Field(default_factory=list)
    rules: list[Rule]
    extra_rules: list[Rule] = Field(default_factory=list)  # an overlay's rules, tried before ``rules``
    default: DefaultRule = Field(default_factory=DefaultRule)

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        for kind, ids in (("veto", self.vetoes), ("bonus", self.bonus.items), ("info", self.info)):
            for ident in ids:
                if not ident.startswith(kind + ".") or not _ID.match(ident):
                    raise ValueError(f"indicator id {ident!r} must be a dotted lower_snake id starting with '{kind}.'")
        for group_id, group in self.groups.items():
            for ident in group.items:
                if not ident.startswith(f"deduct.{group_id}.") or not _ID.match(ident):
                    raise ValueError(f"groups.{group_id}.items: id {ident!r} must start with 'deduct.{group_id}.'")
        for target in ("site", "account"):
            groups = [g for g in self.groups.values() if target in g.applies_to]
            total = sum(g.total for g in groups)
            if groups and abs(total - self.deduction_total) > 1e-9:
                raise ValueError(
                    f"{target} group totals add up to {total:g}, not deduction_total {self.deduction_total:g}; "
                    "change the group totals so they add up"
                )
        items = self.deduction_items
        known = set(self.vetoes) | set(items) | set(self.info)
        for n, rule in enumerate(self.extra_rules + self.rules):
            where = f"rule {n + 1} (check {rule.check})"
            if rule.indicator not in known:
                raise ValueError(f"{where}: unknown indicator {rule.indicator!r}; define it under vetoes, groups or info")
            if rule.indicator in self.vetoes:
                counters = {c for r in self.vetoes[rule.indicator].rules for c in r.counters}
                if rule.counter not in counters:
                    raise ValueError(f"{where}: counter {rule.counter!r} is not used by {rule.indicator} {sorted(counters)}")
            elif rule.counter != "count" or rule.otherwise:
                raise ValueError(f"{where}: counter/otherwise only apply to veto indicators")
            if rule.otherwise is not None and rule.otherwise not in items:
                raise ValueError(f"{where}: otherwise {rule.otherwise!r} is not a deduction item")
        if self.default.indicator not in known:
            raise ValueError(f"default: unknown indicator {self.default.indicator!r}")
        return self

    @property
    def deduction_items(self) -> dict[str, tuple[str, Item]]:
        """Every deduction item id → (group id, item)."""
        return {ident: (gid, item) for gid, group in self.groups.items() for ident, item in group.items.items()}

    def indicator_name(self, indicator: str) -> str:
        if indicator in self.vetoes:
            return self.vetoes[indicator].name
        for group in self.groups.values():
            if indicator in group.items:
                return group.items[indicator].name
        if indicator in self.bonus.items:
            return self.bonus.items[indicator].name
        if indicator in self.info:
            return self.info[indicator].name
        return indicator

    def severity_of(self, indicator: str) -> Severity:
        if indicator in self.vetoes:
            return Severity.VETO
        if indicator.startswith("deduct."):
            return Severity.DEDUCT
        return Severity.INFO

    def match(self, finding: Finding) -> Match:
        """The first rule matching the finding (overlay rules first), else the default."""
        for rule in (*self.extra_rules, *self.rules):
            if rule.matches(finding):
                return Match(rule.indicator, rule.severity or self.severity_of(rule.indicator), rule.counter,
                             rule.otherwise)
        return Match(self.default.indicator, self.default.severity or self.severity_of(self.default.indicator))

    def indicator_for(self, finding: Finding) -> tuple[str, Severity]:
        """The indicator id and severity the profile assigns to a finding."""
        m = self.match(finding)
        return m.indicator, m.severity


def _field(detail: dict[str, Any], path: str) -> Any:
    value: Any = detail
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _condition(value: Any, cond: Any) -> bool:
    if isinstance(cond, dict):
        return all(_operator(value, op, arg) for op, arg in cond.items())
    if value is _MISSING:
        return False
    if isinstance(cond, list):
        return any(_equal(value, c) for c in cond)
    return _equal(value, cond)


def _equal(value: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    return bool(value == expected or (isinstance(expected, str) and str(value) == expected))


def _operator(value: Any, op: str, arg: Any) -> bool:
    if op == "exists":
        return (value is not _MISSING and value is not None) is bool(arg)
    if value is _MISSING:
        return op == "not_in" or op == "ne"
    if op == "eq":
        return _equal(value, arg)
    if op == "ne":
        return not _equal(value, arg)
    if op == "in":
        return any(_equal(value, a) for a in arg)
    if op == "not_in":
        return not any(_equal(value, a) for a in arg)
    try:
        number = float(value)
        limit = float(arg)
    except (TypeError, ValueError):
        return False
    return {"gt": number > limit, "gte": number >= limit, "lt": number < limit, "lte": number <= limit}[op]


# --- loading -------------------------------------------------------------------------------------------


def available_profiles() -> list[str]:
    folder = resources.files("govinspect.scoring").joinpath("profiles")
    return sorted(p.name.rsplit(".", 1)[0] for p in folder.iterdir() if p.name.endswith((".yaml", ".yml")))


def _read_yaml(text: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"rule profile {where}{line}: invalid YAML ({problem}); fix the syntax there") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"rule profile {where}: the top level must be a mapping of fields, not {type(data).__name__}")
    return data


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"rule profile file {path} not found: give an existing path or a shipped profile name") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"rule profile file {path} cannot be read ({exc}); save it as UTF-8 text") from None
    return _read_yaml(text, str(path))


def _has_path(data: Any, loc: tuple[Any, ...]) -> bool:
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return False
    return True


def load_profile(name_or_path: str | Path = "national-2019", overlay: Path | None = None) -> Profile:
    """Load a shipped profile by name (``national-2019``) or a YAML file by path, with an optional overlay.

    The overlay deep-merges over the profile (mappings merge, other values and lists replace) and may
    change any value; its ``extra_rules`` are tried before the profile's rules.
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        base_name = text
        data = _read_file(Path(text))
    else:
        resource = resources.files("govinspect.scoring").joinpath("profiles").joinpath(f"{text}.yaml")
        if not resource.is_file():
            raise ConfigError(
                f"unknown rule profile {text!r}: use one of {', '.join(available_profiles())} or a path to a YAML file"
            )
        base_name = f"{text} ({resource})"
        data = _read_yaml(resource.read_text(encoding="utf-8"), base_name)
    top: dict[str, Any] = {}
    if overlay is not None:
        top = _read_file(Path(overlay))
        data = deep_merge(data, top)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        field = ".".join(str(p) for p in loc) or "(profile)"
        blame = str(overlay) if overlay is not None and (_has_path(top, loc) or not loc) else base_name
        if overlay is not None and not loc:
            blame = f"{base_name} with overlay {overlay}"
        raise ConfigError(f"rule profile {blame}: field {field}: {first['msg']}; fix that field") from None
