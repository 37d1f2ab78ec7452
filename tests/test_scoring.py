"""Scoring with the national-2019 profile: vetoes, caps, the 75 × 4/3 rule, bonus, overlays, monotonicity."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govinspect.errors import ConfigError
from govinspect.findings.model import Finding, Severity
from govinspect.registry.models import Account, Site, SiteKind
from govinspect.scoring.engine import classify, score
from govinspect.scoring.profile import Profile, load_profile

HOME = "http://www.leizhou.gov.cn/"
PORTAL = Site(site_code="4408820001", name="雷州市人民政府网", homepage=HOME, region="广东省/湛江市/雷州市",
              host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)
DEPARTMENT = PORTAL.model_copy(update={"site_code": "4408820002", "kind": SiteKind.DEPARTMENT})
NO_SERVICES = DEPARTMENT.model_copy(update={"has_services": False})
ACCOUNT = Account(account_id="wx-leizhou", name="雷州发布", platform="wechat", region="广东省/湛江市/雷州市",
                  host_org="雷州市人民政府办公室")

# Every check id of interfaces.md §3: each must be scored by an explicit rule, never by the default.
INTERFACE_CHECKS = [
    "site.unreachable", "homepage.stale", "column.stale", "column.empty", "link.dead", "image.broken",
    "footer.missing", "jiucuo.missing", "domain.noncompliant", "content.spam", "content.dark_link",
    "content.test_draft", "content.wrong_region", "content.serious_error", "privacy.leak",
    "security.xss_reflected", "security.exposed", "security.tls", "security.headers",
    "interaction.unanswered", "interaction.missing", "service.guide_incomplete", "newmedia.stale",
    "newmedia.never_posted", "newmedia.unanswered", "newmedia.menu_broken", "newmedia.unfiled",
]


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile()


def f(check: str, url: str = HOME, target: str | None = None, **detail: object) -> Finding:
    return Finding(check=check, site_code=PORTAL.site_code, url=url, target=target, detail=dict(detail))


def dead(n: int, on_homepage: bool = True, start: int = 0) -> list[Finding]:
    return [f("link.dead", target=f"{HOME}gone{i}.html", on_homepage=on_homepage, status=404)
            for i in range(start, start + n)]


def columns(check: str, n: int, start: int = 0, **detail: object) -> list[Finding]:
    return [f(check, url=f"{HOME}col{i}/", **detail) for i in range(start, start + n)]


def lines_sum(result) -> float:  # type: ignore[no-untyped-def]
    return sum(line.points for line in result.losses)


# --- the profile ----------------------------------------------------------------------------------


def test_profile_identity_and_confirmed_values(profile: Profile) -> None:
    assert (profile.id, profile.version) == ("national-2019", "2019.1")
    assert profile.title and profile.source
    assert profile.pass_line == 60 and profile.deduction_total == 100
    assert profile.groups["service"].total == 25 and profile.groups["service"].services
    assert (profile.bonus.max, profile.bonus.above, profile.bonus.kinds) == (30, 80, [SiteKind.PORTAL])
    assert set(profile.vetoes) >= {
        "veto.security_serious", "veto.site_unreachable", "veto.homepage_not_updated",
        "veto.columns_not_updated", "veto.poor_interaction", "veto.service_not_practical",
    }
    assert [r.threshold for r in profile.vetoes["veto.columns_not_updated"].rules] == [5, 10, 5]


@pytest.mark.parametrize("check", INTERFACE_CHECKS)
def test_every_interface_check_has_a_rule(profile: Profile, check: str) -> None:
    assert any(rule.check == check for rule in profile.rules), f"no rule for {check}"
    indicator, _ = profile.indicator_for(f(check))
    assert indicator != profile.default.indicator


@pytest.mark.parametrize(
    ("finding", "indicator", "severity"),
    [
        (f("column.stale", category="news", level=2), "veto.columns_not_updated", Severity.VETO),
        (f("link.dead", on_homepage=True), "deduct.function_design.homepage_dead_links", Severity.DEDUCT),
        (f("link.dead", on_homepage=False), "deduct.function_design.other_dead_links", Severity.DEDUCT),
        (f("link.dead"), "deduct.function_design.other_dead_links", Severity.DEDUCT),  # field missing
        (f("footer.missing", item="site_code"), "deduct.function_design.site_identity", Severity.DEDUCT),
        (f("footer.missing", item="icp"), "deduct.function_design.footer_items", Severity.DEDUCT),
        (f("domain.noncompliant", rule="portal_pattern"), "info.function_design.domain_pattern", Severity.INFO),
        (f("domain.noncompliant", rule="not_gov_domain"), "deduct.function_design.domain", Severity.DEDUCT),
        (f("content.spam"), "veto.security_serious", Severity.VETO),
        (f("privacy.leak", kind="mobile"), "deduct.publish.privacy_leak", Severity.DEDUCT),
        (f("interaction.unanswered", days_unanswered=91), "veto.poor_interaction", Severity.VETO),
        (f("interaction.unanswered", days_unanswered=90), "deduct.interaction.unanswered", Severity.DEDUCT),
        (f("newmedia.something_new"), "info.unmapped", Severity.INFO),
        (f("nobody.knows"), "info.unmapped", Severity.INFO),
    ],
)
def test_indicator_for(profile: Profile, finding: Finding, indicator: str, severity: Severity) -> None:
    assert profile.indicator_for(finding) == (indicator, severity)


def test_classify_sets_fields_and_score_is_pure(profile: Profile) -> None:
    findings = dead(2) + [f("content.spam")]
    before = [(x.indicator, x.severity) for x in findings]
    score(PORTAL, findings, profile)
    assert [(x.indicator, x.severity) for x in findings] == before
    classify(findings, profile)
    assert [x.indicator for x in findings] == ["deduct.function_design.homepage_dead_links"] * 2 + [
        "veto.security_serious"]
    assert findings[-1].severity is Severity.VETO


# --- vetoes at threshold - 1 and at threshold ------------------------------------------------------

VETO_CASES = [
    # (name, findings just below, findings at threshold, veto id)
    ("security", [], [f("content.dark_link")], "veto.security_serious"),
    ("unreachable", [f("site.unreachable", probes=1000, failures=49, ratio=0.049)],
     [f("site.unreachable", probes=140, failures=7, ratio=0.05)], "veto.site_unreachable"),
    ("homepage", [], [f("homepage.stale", newest="2021-05-01")], "veto.homepage_not_updated"),
    ("columns-a",
     columns("column.stale", 2, category="news") + columns("column.stale", 2, 2, category="policy", level=1)
     + columns("column.stale", 3, 4, category="notice", level=2),  # near miss: second-level notices
     columns("column.stale", 2, category="news") + columns("column.stale", 3, 2, category="policy", level=1),
     "veto.columns_not_updated"),
    ("columns-b", columns("column.stale", 9, category="personnel"), columns("column.stale", 10, category="other"),
     "veto.columns_not_updated"),
    ("columns-c", columns("column.empty", 4), columns("column.empty", 5), "veto.columns_not_updated"),
    ("interaction-a", [], [f("interaction.missing")], "veto.poor_interaction"),
    ("interaction-b", [f("interaction.unanswered", days_unanswered=90)],
     [f("interaction.unanswered", days_unanswered=91)], "veto.poor_interaction"),
    ("service-a", [], [f("service.missing")], "veto.service_not_practical"),
    ("service-b",
     columns("service.guide_incomplete", 4, missing_count=4) + columns("service.guide_incomplete", 3, 4, missing_count=3),
     columns("service.guide_incomplete", 5, missing_count=4), "veto.service_not_practical"),
]


@pytest.mark.parametrize(("below", "at", "veto"), [pytest.param(b, a, v, id=n) for n, b, a, v in VETO_CASES])
def test_veto_thresholds(profile: Profile, below: list[Finding], at: list[Finding], veto: str) -> None:
    low = score(PORTAL, below, profile)
    assert low.vetoes == [] and low.qualified and low.score is not None
    high = score(PORTAL, at, profile)
    assert high.vetoes == [veto]
    assert (high.qualified, high.score, high.deductions, high.bonus) == (False, None, 0.0, 0.0)
    (line,) = high.losses
    assert line.indicator == veto and line.points == 0 and "单项否决" in line.reason
    assert line.findings == len(at)


def test_columns_veto_reason_names_the_sub_rule(profile: Profile) -> None:
    result = score(PORTAL, columns("column.empty", 6), profile)
    assert result.losses[0].reason == "单项否决: 空白栏目 6 个, 达到 5 个即否决"


def test_sub_rules_count_separately(profile: Profile) -> None:
    # 4 blank + 4 news-stale + 9 other-stale: no sub-rule reaches its threshold
    findings = (columns("column.empty", 4) + columns("column.stale", 4, 10, category="news")
                + columns("column.stale", 9, 20, category="other"))
    assert score(PORTAL, findings, profile).vetoes == []


def test_same_finding_twice_counts_once(profile: Profile) -> None:
    assert score(PORTAL, columns("column.empty", 4) * 2, profile).vetoes == []


def test_account_vetoes_apply_to_accounts_only(profile: Profile) -> None:
    stale = [f("newmedia.stale", days=20)]
    assert score(ACCOUNT, stale, profile).vetoes == ["veto.newmedia_not_updated"]
    assert score(PORTAL, stale, profile).vetoes == []
    assert score(ACCOUNT, [f("content.spam")], profile).vetoes == ["veto.security_serious"]
    assert score(ACCOUNT, dead(3), profile).score == 100  # website items are not scored for accounts
    menu = score(ACCOUNT, [f("newmedia.menu_broken", url=f"{HOME}m{i}") for i in range(2)], profile)
    assert (menu.deductions, menu.score) == (4.0, 96.0)


# --- deductions, caps, explanation --------------------------------------------------------------------


def test_homepage_dead_links_each_point_and_cap(profile: Profile) -> None:
    three = score(PORTAL, dead(3), profile)
    assert (three.deductions, three.score, three.qualified) == (3.0, 97.0, True)
    (line,) = three.losses
    assert line.reason == "首页链接不可用 3 个, 每个扣1分"
    seven = score(PORTAL, dead(7), profile)
    assert seven.deductions == 5.0
    assert seven.losses[0].reason == "首页链接不可用 7 个, 每个扣1分, 本项最多扣5分"


def test_other_page_dead_links_tenth_of_a_point(profile: Profile) -> None:
    assert score(PORTAL, dead(30, on_homepage=False), profile).deductions == 3.0
    assert score(PORTAL, dead(3, on_homepage=False), profile).deductions == 0.3
    assert score(PORTAL, dead(80, on_homepage=False), profile).deductions == 5.0


def test_once_items(profile: Profile) -> None:
    result = score(PORTAL, [f("domain.noncompliant", rule="not_gov_domain"),
                            f("domain.noncompliant", rule="left_gov_domain")], profile)
    assert result.deductions == 2.0
    assert result.losses[0].reason == "域名不规范, 扣2分"


def publish_overflow() -> list[Finding]:
    """32 points of 发布解读 problems (group total 30) without reaching any veto."""
    return (columns("column.stale", 2, category="news") + columns("column.stale", 2, 2, category="policy", level=1)
            + columns("column.empty", 4, 10) + columns("column.stale", 6, 20, category="personnel")
            + [f("content.test_draft", url=f"{HOME}t{i}.html") for i in range(4)])


def test_group_total_caps_and_lines_sum(profile: Profile) -> None:
    result = score(PORTAL, publish_overflow(), profile)
    assert result.vetoes == []
    assert result.deductions == 30.0
    assert lines_sum(result) == pytest.approx(30.0)
    assert "发布解读组最多扣30分" in result.losses[-1].reason


def test_pass_line(profile: Profile) -> None:
    function_design = dead(5) + [f("domain.noncompliant", rule="not_gov_domain"), f("jiucuo.missing"),
                                 f("footer.missing", item="site_code"),
                                 f("domain.noncompliant", rule="code_region_mismatch")]
    at_line = score(PORTAL, publish_overflow() + function_design, profile)
    assert (at_line.score, at_line.qualified) == (60.0, True)
    below = score(PORTAL, publish_overflow() + function_design + dead(1, on_homepage=False, start=50), profile)
    assert (below.score, below.qualified) == (59.9, False)
    assert lines_sum(below) == pytest.approx(below.deductions)


def test_veto_fallback_costs_the_otherwise_item(profile: Profile) -> None:
    result = score(PORTAL, columns("column.stale", 1, category="policy", level=1), profile)
    assert [(x.indicator, x.points) for x in result.losses] == [("deduct.publish.policy_stale", 5.0)]


def test_no_double_counting_of_a_column(profile: Profile) -> None:
    col = f"{HOME}col0/"
    # blank and stale (news, 2 points each): charged once, as blank (the check listed first)
    tie = score(PORTAL, [f("column.empty", url=col), f("column.stale", url=col, category="news")], profile)
    assert [(x.indicator, x.points) for x in tie.losses] == [("deduct.publish.blank_columns", 2.0)]
    # blank and first-level policy stale: charged once, under the costlier item
    costly = score(PORTAL, [f("column.empty", url=col), f("column.stale", url=col, category="policy", level=1)],
                   profile)
    assert costly.deductions == 5.0
    assert [x.indicator for x in costly.losses] == ["deduct.publish.policy_stale"]
    # other columns are still charged separately
    assert score(PORTAL, [f("column.empty", url=col), f("column.empty", url=f"{HOME}col1/")], profile).deductions == 4.0


# --- the 75 × 4/3 rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("findings", "score_", "deductions"),
    [
        ([], 100.0, 0.0),
        (dead(3), 96.0, 4.0),  # (75 − 3) × 4/3 = 96
        (dead(1), 98.67, 1.33),  # (75 − 1) × 4/3 = 98.666…
        (dead(3) + [f("domain.noncompliant", rule="not_gov_domain")], 93.33, 6.67),  # 70 × 4/3
    ],
)
def test_no_services_scaling(profile: Profile, findings: list[Finding], score_: float, deductions: float) -> None:
    result = score(NO_SERVICES, findings, profile)
    assert (result.score, result.deductions) == (score_, deductions)
    assert lines_sum(result) == pytest.approx(result.deductions)
    if findings:
        assert result.losses[-1].indicator == "scaling.no_services"
        assert "×4/3" in result.losses[-1].reason


def test_no_services_skips_service_items(profile: Profile) -> None:
    guides = columns("service.guide_incomplete", 3, missing_count=2)
    assert score(NO_SERVICES, guides, profile).deductions == 0.0
    assert score(DEPARTMENT, guides, profile).deductions == 3.0
    # the service veto is not a service-group deduction: it still applies
    assert score(NO_SERVICES, [f("service.missing")], profile).vetoes == ["veto.service_not_practical"]


# --- bonus ------------------------------------------------------------------------------------------------


def test_bonus_only_above_80_and_only_portals(profile: Profile) -> None:
    awards = {"bonus.intensive_platform": 1, "bonus.interaction_activities": 8}
    clean = score(PORTAL, [], profile, bonus_awards=awards)
    assert (clean.bonus, clean.score) == (11.0, 111.0)  # 5 + 6 (capped at 6 activities)
    assert sum(g.points for g in clean.gains) == 11.0
    # deduction part exactly 80: no bonus (the rule says > 80)
    eighty = publish_overflow()[:0] + columns("column.stale", 3, 30, category="personnel")  # 3
    eighty += dead(5) + [f("domain.noncompliant", rule="not_gov_domain")]  # 5 + 2
    eighty += [f("security.exposed", url=f"{HOME}admin{i}/") for i in range(5)]  # 10
    at80 = score(PORTAL, eighty, profile, bonus_awards=awards)
    assert (at80.deductions, at80.bonus, at80.score) == (20.0, 0.0, 80.0)
    above = score(PORTAL, eighty[1:], profile, bonus_awards=awards)
    assert (above.bonus, above.score) == (11.0, 92.0)
    assert score(DEPARTMENT, [], profile, bonus_awards=awards).bonus == 0.0


def test_bonus_max_and_unknown_awards(profile: Profile) -> None:
    awards = {"bonus.intensive_platform": 1, "bonus.ageing_friendly": 1, "bonus.innovation": 9,
              "bonus.interaction_activities": 9}
    assert score(PORTAL, [], profile, bonus_awards=awards).bonus == 30.0
    with pytest.raises(ConfigError, match="bonus.nonsense"):
        score(PORTAL, [], profile, bonus_awards={"bonus.nonsense": 1})


# --- overlays and errors ----------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "guangdong.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_overlay_changes_values_and_rules(tmp_path: Path) -> None:
    overlay = write(tmp_path, """
pass_line: 70
groups:
  function_design:
    items:
      deduct.function_design.homepage_dead_links: {points: 2, cap: 8}
extra_rules:
  - {check: privacy.leak, where: {kind: id_number}, indicator: veto.security_serious}
""")
    custom = load_profile("national-2019", overlay=overlay)
    assert custom.pass_line == 70
    assert score(PORTAL, dead(3), custom).deductions == 6.0
    assert score(PORTAL, dead(5), custom).deductions == 8.0
    assert custom.groups["function_design"].items["deduct.function_design.other_dead_links"].points == 0.1
    assert score(PORTAL, [f("privacy.leak", kind="id_number")], custom).vetoes == ["veto.security_serious"]
    assert score(PORTAL, [f("privacy.leak", kind="mobile")], custom).deductions == 2.0
    assert load_profile().pass_line == 60  # the shipped profile is untouched


def test_profile_by_path(tmp_path: Path) -> None:
    shipped = Path(__file__).parents[1] / "src/govinspect/scoring/profiles/national-2019.yaml"
    copy = write(tmp_path, shipped.read_text(encoding="utf-8").replace("id: national-2019", "id: copy-2019"),
                 "copy.yaml")
    assert load_profile(str(copy)).id == "copy-2019"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("groups:\n  function_design:\n    items:\n      deduct.function_design.homepage_dead_links: {points: many}\n",
         r"guangdong\.yaml: field groups\.function_design\.items\.deduct\.function_design\.homepage_dead_links\.points"),
        ("pass_lin: 70\n", r"guangdong\.yaml: field pass_lin: Extra inputs are not permitted"),
        ("groups:\n  service: {total: 30}\n", r"group totals add up to 105"),
        ("extra_rules:\n  - {check: link.dead, indicator: deduct.nowhere.x}\n", r"unknown indicator 'deduct.nowhere.x'"),
        ("extra_rules:\n  - {check: link.dead, where: {status: {around: 3}}, indicator: info.unmapped}\n",
         r"unknown operator"),
        ("pass_line: 60\ntitle: a: b\n", r"guangdong\.yaml line 2: invalid YAML"),
        ("- just a list\n", r"top level must be a mapping"),
    ],
    ids=["bad-number", "typo-field", "totals", "unknown-indicator", "unknown-operator", "yaml-syntax", "not-mapping"],
)
def test_bad_overlay_is_a_config_error(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_profile("national-2019", overlay=write(tmp_path, text))


def test_missing_files_and_names(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_profile("national-2019", overlay=tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="unknown rule profile 'national-2099'.*national-2019"):
        load_profile("national-2099")


# --- properties -----------------------------------------------------------------------------------------

_URLS = [f"{HOME}col{i}/" for i in range(8)]
_FINDINGS = st.one_of(
    st.builds(lambda url, cat, level: f("column.stale", url=url, category=cat, level=level),
              st.sampled_from(_URLS), st.sampled_from(["news", "notice", "policy", "personnel", "other"]),
              st.sampled_from([1, 2])),
    st.builds(lambda url: f("column.empty", url=url), st.sampled_from(_URLS)),
    st.builds(lambda i, home: f("link.dead", target=f"{HOME}x{i}", on_homepage=home, status=404),
              st.integers(0, 60), st.booleans()),
    st.builds(lambda i: f("image.broken", target=f"{HOME}i{i}.png", kind="dead"), st.integers(0, 30)),
    st.builds(lambda item: f("footer.missing", item=item),
              st.sampled_from(["site_code", "icp", "police_record", "host_org", "contact", "conac_logo"])),
    st.builds(lambda rule: f("domain.noncompliant", rule=rule),
              st.sampled_from(["not_gov_domain", "left_gov_domain", "code_region_mismatch", "portal_pattern"])),
    st.builds(lambda i, n: f("service.guide_incomplete", url=f"{HOME}bs{i}", missing_count=n),
              st.integers(0, 8), st.integers(1, 6)),
    st.builds(lambda i, d: f("interaction.unanswered", url=f"{HOME}ly{i}", days_unanswered=d),
              st.integers(0, 8), st.integers(10, 120)),
    st.builds(lambda i, c: f(c, url=f"{HOME}p{i}.html"), st.integers(0, 10),
              st.sampled_from(["content.test_draft", "content.wrong_region", "privacy.leak", "security.exposed",
                               "security.xss_reflected", "security.tls", "security.headers", "jiucuo.missing",
                               "content.spam", "homepage.stale", "unknown.check"])),
)
_SITES = st.sampled_from([PORTAL, DEPARTMENT, NO_SERVICES])
_AWARDS = st.fixed_dictionaries({}, optional={"bonus.intensive_platform": st.integers(0, 1),
                                              "bonus.innovation": st.integers(0, 4)})


def _rank(value: float | None) -> float:
    return float("-inf") if value is None else value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(site=_SITES, findings=st.lists(_FINDINGS, max_size=25), extra=_FINDINGS, awards=_AWARDS)
def test_adding_a_finding_never_helps(profile: Profile, site: Site, findings: list[Finding], extra: Finding,
                                      awards: dict[str, int]) -> None:
    before = score(site, findings, profile, bonus_awards=awards)
    after = score(site, [*findings, extra], profile, bonus_awards=awards)
    assert _rank(after.score) <= _rank(before.score)
    assert not (after.qualified and not before.qualified)
    assert set(before.vetoes) <= set(after.vetoes)
    for result in (before, after):
        assert lines_sum(result) == pytest.approx(result.deductions, abs=1e-9)
        assert 0 <= result.deductions <= 100
        if result.score is not None:
            assert result.score == pytest.approx(100 - result.deductions + result.bonus, abs=1e-9)
            assert result.bonus <= 30
