"""domain.noncompliant: .gov.cn / .政务 hosts, redirects, site-code region, portal/department patterns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext, SiteView
from govinspect.checks.domain import DomainNoncompliant, ascii_host, gov_suffix
from govinspect.findings.model import Severity
from govinspect.registry.gazetteer import Gazetteer
from govinspect.registry.models import Site, SiteKind

NOW = datetime(2021, 6, 15, 10, 0, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture(scope="module")
def check() -> DomainNoncompliant:
    return DomainNoncompliant(gazetteer=Gazetteer.load())


def site(homepage: str, kind: SiteKind = SiteKind.PORTAL, code: str = "4408820001",
         region: str = "广东省/湛江市/雷州市") -> Site:
    return Site(site_code=code, name="测试网站", homepage=homepage, region=region, host_org="测试单位", kind=kind)


def rules(check: DomainNoncompliant, s: Site, final_url: str | None = None) -> dict[str, dict]:
    home = PageView(s.homepage, "<html><body>首页</body></html>", final_url=final_url)
    found = check.run(SiteView(site=s, homepage=home, pages=[home]), CheckContext(as_of=NOW, site=s, observed_at=NOW))
    return {f.detail["rule"]: f for f in found}


CASES = [
    # (homepage, kind, code, expected rules)
    pytest.param("http://www.leizhou.gov.cn/", SiteKind.PORTAL, "4408820001", set(), id="portal-ok"),
    pytest.param("http://www.leizhou.gov.cn:8080/", SiteKind.PORTAL, "4408820001", set(), id="portal-ok-with-port"),
    pytest.param("http://WWW.LEIZHOU.GOV.CN./", SiteKind.PORTAL, "4408820001", set(), id="portal-ok-case-dot"),
    pytest.param("http://slj.leizhou.gov.cn/", SiteKind.DEPARTMENT, "4408820002", set(), id="department-ok"),
    pytest.param("http://www.雷州.政务/", SiteKind.PORTAL, "4408820001", set(), id="zhengwu-unicode"),
    pytest.param("http://www.xn--9sw55b.xn--zfr164b/", SiteKind.PORTAL, "4408820001", set(), id="zhengwu-punycode"),
    pytest.param("http://www.leizhou.com.cn/", SiteKind.PORTAL, "4408820001", {"not_gov_domain"}, id="com-cn"),
    pytest.param("http://leizhougov.cn/", SiteKind.PORTAL, "4408820001", {"not_gov_domain"}, id="near-miss-govcn-glued"),
    pytest.param("http://www.leizhou.gov.cn.example.com/", SiteKind.PORTAL, "4408820001", {"not_gov_domain"},
                 id="near-miss-gov-cn-inside"),
    pytest.param("http://gov.cn/", SiteKind.PORTAL, "4408820001", {"not_gov_domain"}, id="bare-gov-cn"),
    pytest.param("http://10.1.2.3:8080/", SiteKind.PORTAL, "4408820001", {"not_gov_domain"}, id="ip-address"),
    pytest.param("http://leizhou.gov.cn/", SiteKind.PORTAL, "4408820001", {"portal_pattern"}, id="portal-no-www"),
    pytest.param("http://www.leizhou.zhanjiang.gov.cn/", SiteKind.PORTAL, "4408820001", {"portal_pattern"},
                 id="portal-too-deep"),
    pytest.param("http://www.lzsl.gov.cn/", SiteKind.DEPARTMENT, "4408820002", {"department_pattern"},
                 id="department-own-domain"),
    pytest.param("http://www.miit.gov.cn/", SiteKind.DEPARTMENT, "bm07000001", set(), id="ministry-bm-code"),
    pytest.param("http://www.leizhou.gov.cn/", SiteKind.PORTAL, "4403000052", {"code_region_mismatch"},
                 id="shenzhen-code-for-leizhou"),
    pytest.param("http://www.leizhou.com/", SiteKind.PORTAL, "1101070001", {"not_gov_domain", "code_region_mismatch"},
                 id="two-breaches"),
]


@pytest.mark.parametrize(("homepage", "kind", "code", "expected"), CASES)
def test_case_table(check: DomainNoncompliant, homepage: str, kind: SiteKind, code: str, expected: set[str]) -> None:
    assert set(rules(check, site(homepage, kind, code))) == expected


def test_redirect_off_the_gov_domain(check: DomainNoncompliant) -> None:
    found = rules(check, site("http://www.leizhou.gov.cn:8080/"), final_url="http://www.leizhou-news.com/index.html")
    assert set(found) == {"left_gov_domain"}
    assert found["left_gov_domain"].detail == {"rule": "left_gov_domain", "host": "www.leizhou-news.com",
                                               "expected": "www.leizhou.gov.cn"}
    stays = rules(check, site("http://www.leizhou.gov.cn/"), final_url="http://www.leizhou.gov.cn:8443/index.html")
    assert stays == {}


def test_detail_and_severity(check: DomainNoncompliant) -> None:
    found = rules(check, site("http://leizhou.gov.cn/", code="4403000052"))
    assert found["code_region_mismatch"].detail["expected"] == "440882"
    assert found["code_region_mismatch"].detail["host"] == "4403000052"
    assert found["code_region_mismatch"].severity is Severity.DEDUCT
    assert found["portal_pattern"].severity is Severity.INFO
    assert found["portal_pattern"].detail["expected"] == "www.XXX.gov.cn"


def test_city_code_accepted_for_city_region(check: DomainNoncompliant) -> None:
    assert rules(check, site("http://www.zhanjiang.gov.cn/", code="4408000001", region="广东省/湛江市")) == {}


def test_gazetteer_is_loaded_lazily_once() -> None:
    check = DomainNoncompliant()
    assert check._gazetteer is None
    rules(check, site("http://www.leizhou.gov.cn/"))
    loaded = check._gazetteer
    assert loaded is not None
    rules(check, site("http://www.leizhou.gov.cn/"))
    assert check._gazetteer is loaded


def test_host_helpers() -> None:
    assert ascii_host("www.湛江.政务") == "www.xn--9sw55b.xn--zfr164b"
    assert gov_suffix("www.雷州.政务") == "xn--zfr164b"
    assert gov_suffix("xn--zfr164b") is None
    assert gov_suffix("a.gov.cn") == "gov.cn"
