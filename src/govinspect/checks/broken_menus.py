"""newmedia.menu_broken: a menu entry of an account page whose target fails (菜单/链接无法访问)."""

from __future__ import annotations

from collections.abc import Iterator

from govinspect.checks.base import AccountView, Check, CheckContext, CheckParams, Input, NotApplicable, Scope
from govinspect.fetch.types import LinkState
from govinspect.findings.model import Finding


class BrokenMenus(Check):
    """A menu link (自定义菜单, page navigation) of a running account whose target is dead: it failed and a
    confirming retry failed again (the link checker's rule). 429 and firewall-style 403 answers, and
    targets robots.txt keeps us from, are unconfirmed and not reported. Notices list these under
    功能无法使用 / 链接无法打开."""

    id = "newmedia.menu_broken"
    scope = Scope.ACCOUNT
    inputs = (Input.MENUS,)

    class Params(CheckParams):
        pass

    def run(self, view: AccountView, ctx: CheckContext) -> Iterator[Finding]:
        if not view.account.running:
            raise NotApplicable(f"account is {view.account.status}: its menus are not in service")
        for menu in view.menus or []:
            result = menu.result
            if result is None or result.state is not LinkState.DEAD:
                continue
            detail: dict[str, object] = {"menu": menu.text, "platform": view.account.platform}
            if result.status is not None:
                detail["status"] = result.status
            if result.failure is not None:
                detail["failure"] = str(result.failure)
            why = f"HTTP {result.status}" if result.status else (result.error or str(result.failure))
            yield self.finding(ctx, view.source_url, target=menu.url, detail=detail, excerpt=menu.text,
                               locator=menu.locator, warc_record=result.warc_record_id or view.warc_record_id,
                               reason=f"菜单“{menu.text}”无法访问（{why}，复查仍失败）")
