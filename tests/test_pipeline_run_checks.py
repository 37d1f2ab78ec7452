"""run_checks records one outcome per check: completed, skipped, not_applicable or error."""

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from govinspect.archive.pageview import PageView
from govinspect.checks.base import Check, CheckContext, Input, Scope, SiteView
from govinspect.errors import NotApplicable
from govinspect.findings.model import Finding, Outcome
from govinspect.pipeline import run_checks
from govinspect.registry.models import Site, SiteKind

TZ = ZoneInfo("Asia/Shanghai")
SITE = Site(site_code="4408820001", name="雷州市人民政府", homepage="http://www.leizhou.gov.cn/",
            region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)


class TitleHasTest(Check):
    """Pages whose title contains 测试 (a page check for this test)."""

    id = "demo.title"
    scope = Scope.PAGE
    inputs = (Input.PAGES,)

    def run(self, target: PageView, ctx: CheckContext) -> Iterator[Finding]:
        if target.url.endswith("/na"):
            raise NotApplicable("not for this page")
        if "测试" in target.title:
            yield self.finding(ctx, target.url, excerpt=target.title, warc_record=target.warc_record_id)


class NeedsHomepage(Check):
    """A site check that needs the homepage."""

    id = "demo.homepage"
    scope = Scope.SITE
    inputs = (Input.HOMEPAGE,)

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        yield from ()


class Broken(Check):
    """A check with a bug."""

    id = "demo.broken"
    scope = Scope.SITE

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        raise ZeroDivisionError("bug")
        yield  # pragma: no cover


class NeverApplies(Check):
    """A check that does not apply to this site."""

    id = "demo.na"
    scope = Scope.SITE

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        raise NotApplicable("portal only")
        yield  # pragma: no cover


def _ctx() -> CheckContext:
    now = datetime(2021, 6, 15, 10, tzinfo=TZ)
    return CheckContext(as_of=now, site=SITE, observed_at=now)


def test_outcomes_and_findings() -> None:
    pages = [PageView("http://www.leizhou.gov.cn/a", "<title>测试稿件</title>", warc_record_id="<urn:uuid:1>"),
             PageView("http://www.leizhou.gov.cn/na", "<title>测试</title>"),
             PageView("http://www.leizhou.gov.cn/b", "<title>工作动态</title>")]
    view = SiteView(site=SITE, homepage=None, pages=pages, homepage_failure="timeout")
    attachment = PageView("http://www.leizhou.gov.cn/f.pdf", "<title>测试附件</title>", role="attachment")
    findings, runs = run_checks(view, [TitleHasTest(), NeedsHomepage(), Broken(), NeverApplies()], _ctx(),
                                extra_pages=[attachment])
    outcome = {r.check: r for r in runs}
    assert [f.url for f in findings] == ["http://www.leizhou.gov.cn/a", "http://www.leizhou.gov.cn/f.pdf"]
    assert findings[0].evidence.warc_record == "<urn:uuid:1>"
    assert findings[0].site_code == SITE.site_code
    assert outcome["demo.title"].outcome is Outcome.COMPLETED and outcome["demo.title"].findings == 2
    assert outcome["demo.homepage"].outcome is Outcome.SKIPPED and "timeout" in outcome["demo.homepage"].message
    assert outcome["demo.broken"].outcome is Outcome.ERROR and "ZeroDivisionError" in outcome["demo.broken"].message
    assert outcome["demo.na"].outcome is Outcome.NOT_APPLICABLE and outcome["demo.na"].message == "portal only"


def test_a_homepage_that_is_not_html_says_so() -> None:
    view = SiteView(site=SITE, homepage=None, pages=[], homepage_failure="")
    _findings, runs = run_checks(view, [NeedsHomepage()], _ctx())
    assert runs[0].outcome is Outcome.SKIPPED
    assert runs[0].message == "homepage answered but is not an HTML page (binary or another content type)"
