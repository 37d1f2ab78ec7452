"""Scoring: findings + a rule profile → a SiteScore that explains every point lost.

``classify`` labels findings (indicator, severity); ``score`` is a pure function of the site, the
findings and the profile. Rules it applies (indicators.md §1.1):

- any veto → unqualified, nothing else scored (score None); each veto sub-rule counts distinct findings;
- deductions: per item ``points`` × count (or once), capped at the item's ``cap``, then at the group's
  ``total``; a finding fed to a veto that did not fire costs its ``otherwise`` item instead;
- no double counting: findings named together in ``no_double_count`` about the same column are charged
  once, under the costlier item (ties: the check listed first), so adding a finding never lowers a loss;
- sites without external services (``Site.has_services`` False) skip the ``services`` groups and are
  scored out of the rest (75) × 100/75 (= 4/3);
- < ``pass_line`` → unqualified; bonus only for ``bonus.kinds`` when the deduction part > ``bonus.above``.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any

from govinspect.errors import ConfigError
from govinspect.findings.model import Finding
from govinspect.registry.models import Account, Site
from govinspect.scoring.model import PointLoss, SiteScore
from govinspect.scoring.profile import Group, Item, Match, Profile

MAX_ASSIGNMENTS = 4096  # beyond this many ways to place double-counted columns, place them greedily
SCALING_ID = "scaling.no_services"


def classify(findings: list[Finding], profile: Profile) -> None:
    """Set ``indicator`` and ``severity`` of each finding in place, from the profile."""
    for finding in findings:
        finding.indicator, finding.severity = profile.indicator_for(finding)


def _key(finding: Finding) -> tuple[Any, ...]:
    """Identical findings (same check, page, target and detail) count once."""
    detail = json.dumps(finding.detail, sort_keys=True, ensure_ascii=False, default=str)
    return (finding.check, finding.url, finding.target, detail)


def _fmt(value: Fraction | float) -> str:
    return f"{float(value):g}"


def _money(value: Fraction) -> Fraction:
    """Round to 0.01 point (the precision reports show), exactly."""
    return Fraction(round(value * 100), 100)


def _item_loss(item: Item, count: int) -> tuple[Fraction, Fraction]:
    """(uncapped, capped) loss of an item charged ``count`` times."""
    if count <= 0:
        return Fraction(0), Fraction(0)
    points = Fraction(str(item.points))
    raw = points if item.mode == "once" else points * count
    capped = min(raw, Fraction(str(item.cap))) if item.cap is not None else raw
    return raw, capped


def _group_lines(group: Group, counts: Mapping[str, int]) -> Iterator[tuple[str, Item, int, Fraction, str]]:
    """(item id, item, count, points, reason) for each charged item of a group, group total applied in order."""
    left = Fraction(str(group.total))
    for ident, item in group.items.items():
        count = counts.get(ident, 0)
        if count <= 0:
            continue
        raw, capped = _item_loss(item, count)
        charged = min(capped, left)
        left -= charged
        if item.mode == "once":
            reason = f"{item.name}, 扣{_fmt(raw)}分"
        else:
            reason = f"{item.name} {count} {item.unit}, 每{item.unit}扣{_fmt(item.points)}分"
            if capped < raw:
                reason += f", 本项最多扣{_fmt(capped)}分"
        if charged < capped:
            reason += f", {group.name}组最多扣{_fmt(group.total)}分, 本项实扣{_fmt(_money(charged))}分"
        yield ident, item, count, charged, reason


def _total_loss(groups: list[Group], counts: Mapping[str, int]) -> Fraction:
    return sum((line[3] for g in groups for line in _group_lines(g, counts)), Fraction(0))


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Ways to split ``total`` into ``parts`` counts, most on the first part first."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total, -1, -1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def _place_duplicates(groups: list[Group], fixed: dict[str, set[Any]],
                      dual: dict[Any, tuple[str, ...]]) -> dict[str, int]:
    """Item counts with every double-counted problem charged once, so that the total loss is largest.

    Charging the costlier item keeps scores monotone: adding a finding can only add options.
    """
    counts = {ident: len(keys) for ident, keys in fixed.items()}
    if not dual:
        return counts
    by_candidates: dict[tuple[str, ...], int] = {}
    for candidates in dual.values():
        by_candidates[candidates] = by_candidates.get(candidates, 0) + 1
    kinds = list(by_candidates.items())
    ways = math.prod(math.comb(n + len(c) - 1, len(c) - 1) for c, n in kinds)
    if ways <= MAX_ASSIGNMENTS:
        best: dict[str, int] | None = None
        best_loss = Fraction(-1)
        for choice in itertools.product(*(_compositions(n, len(c)) for c, n in kinds)):
            trial = dict(counts)
            for (candidates, _), split in zip(kinds, choice, strict=True):
                for ident, extra in zip(candidates, split, strict=True):
                    trial[ident] = trial.get(ident, 0) + extra
            loss = _total_loss(groups, trial)
            if loss > best_loss:
                best, best_loss = trial, loss
        assert best is not None
        return best
    for candidates in dual.values():  # greedy: each problem where it costs most now
        gains = []
        for ident in candidates:
            trial = dict(counts)
            trial[ident] = trial.get(ident, 0) + 1
            gains.append((_total_loss(groups, trial), -candidates.index(ident), ident))
        chosen = max(gains)[2]
        counts[chosen] = counts.get(chosen, 0) + 1
    return counts


def _no_double_key(profile: Profile, finding: Finding) -> tuple[int, str] | None:
    for n, rule in enumerate(profile.no_double_count):
        if finding.check in rule.checks:
            key = rule.key_of(finding)
            if key is not None:
                return (n, key)
    return None


def _check_rank(profile: Profile, finding: Finding) -> int:
    for rule in profile.no_double_count:
        if finding.check in rule.checks:
            return rule.checks.index(finding.check)
    return 0


def score(site: Site | Account, findings: Iterable[Finding], profile: Profile, *,
          bonus_awards: Mapping[str, int] | None = None) -> SiteScore:
    """Score one site (or new-media account) from its findings. Pure: findings are not modified.

    ``bonus_awards`` counts good practice per bonus item id (bonus comes from facts, never from findings,
    which are problems); it is used only where the profile's bonus applies.
    """
    target = "account" if isinstance(site, Account) else "site"
    code = site.account_id if isinstance(site, Account) else site.site_code
    matched: list[tuple[Finding, Match]] = [(f, profile.match(f)) for f in findings]

    # 1. vetoes: each sub-rule counts distinct findings (or columns) over its counters
    tallies: dict[tuple[str, str], set[Any]] = {}
    for finding, m in matched:
        if m.indicator in profile.vetoes:
            key = _no_double_key(profile, finding) or _key(finding)
            tallies.setdefault((m.indicator, m.counter), set()).add(key)
    fired: list[str] = []
    veto_lines: list[PointLoss] = []
    for veto_id, veto in profile.vetoes.items():
        if target not in veto.applies_to:
            continue
        for rule in veto.rules:
            keys: set[Any] = set().union(*(tallies.get((veto_id, c), set()) for c in rule.counters))
            if len(keys) >= rule.threshold:
                fired.append(veto_id)
                if rule.threshold > 1:
                    reason = f"单项否决: {rule.name} {len(keys)} 个, 达到 {rule.threshold} 个即否决"
                else:
                    reason = f"单项否决: {rule.name}, 发现 {len(keys)} 处"
                veto_lines.append(PointLoss(veto_id, veto.name, 0.0, len(keys), reason))
                break
    result = SiteScore(site_code=code, qualified=False, profile_id=profile.id, profile_version=profile.version)
    if fired:
        result.vetoes = fired
        result.losses = veto_lines
        return result

    # 2. deductions
    skip_services = target == "site" and not getattr(site, "has_services", True)
    groups = {gid: g for gid, g in profile.groups.items()
              if target in g.applies_to and not (skip_services and g.services)}
    items = {ident: gid for ident, (gid, _) in profile.deduction_items.items() if gid in groups}
    fixed: dict[str, set[Any]] = {}
    shared: dict[tuple[int, str], dict[str, int]] = {}  # column → item → check rank
    for finding, m in matched:
        indicator = m.otherwise if m.indicator in profile.vetoes else m.indicator
        if indicator is None or indicator not in items:
            continue
        double_key = _no_double_key(profile, finding)
        if double_key is None:
            fixed.setdefault(indicator, set()).add(_key(finding))
        else:
            ranks = shared.setdefault(double_key, {})
            ranks[indicator] = min(ranks.get(indicator, 99), _check_rank(profile, finding))
    dual: dict[Any, tuple[str, ...]] = {}
    for double_key, ranks in shared.items():
        if len(ranks) == 1:
            fixed.setdefault(next(iter(ranks)), set()).add(double_key)
        else:
            dual[double_key] = tuple(sorted(ranks, key=lambda i: (ranks[i], i)))
    group_list = list(groups.values())
    counts = _place_duplicates(group_list, fixed, dual)

    losses: list[PointLoss] = []
    lost = Fraction(0)
    for group in group_list:
        for ident, item, count, charged, reason in _group_lines(group, counts):
            points = _money(charged)
            lost += points
            losses.append(PointLoss(ident, item.name, float(points), count, reason))
    total = Fraction(str(profile.deduction_total))
    deductions = lost
    if skip_services:
        skipped = [g for g in profile.groups.values() if target in g.applies_to and g.services]
        if skipped:
            base = total - sum((Fraction(str(g.total)) for g in skipped), Fraction(0))
            factor = total / base
            part = _money((base - lost) * factor)
            deductions = total - part
            names = "、".join(g.name for g in skipped)
            losses.append(PointLoss(
                SCALING_ID, "无对外办事服务折算", float(deductions - lost), 0,
                f"无对外办事服务, 不计{names}: 按{_fmt(base)}分计得{_fmt(base - lost)}分, "
                f"×{factor.numerator}/{factor.denominator}折算为{_fmt(part)}分",
            ))
    part_score = total - deductions

    # 3. bonus and pass line
    bonus = Fraction(0)
    gains: list[PointLoss] = []
    awards = dict(bonus_awards or {})
    unknown = set(awards) - set(profile.bonus.items)
    if unknown:
        raise ConfigError(
            f"bonus award(s) {sorted(unknown)} are not bonus items of profile {profile.id}; "
            f"known: {', '.join(profile.bonus.items)}"
        )
    kind = getattr(site, "kind", None)
    if target == "site" and kind in profile.bonus.kinds and part_score > Fraction(str(profile.bonus.above)):
        left = Fraction(str(profile.bonus.max))
        for ident, item in profile.bonus.items.items():
            count = int(awards.get(ident, 0))
            _, capped = _item_loss(item, count)
            gained = _money(min(capped, left))
            if gained <= 0:
                continue
            left -= gained
            bonus += gained
            unit = f"{count} {item.unit}, 每{item.unit}加{_fmt(item.points)}分" if item.mode == "each" else ""
            gains.append(PointLoss(ident, item.name, float(gained), count,
                                   f"{item.name} {unit}".strip() + f", 加{_fmt(gained)}分"))

    result.qualified = part_score >= Fraction(str(profile.pass_line))
    result.deductions = float(deductions)
    result.bonus = float(bonus)
    result.score = float(part_score + bonus)
    result.losses = losses
    result.gains = gains
    return result
