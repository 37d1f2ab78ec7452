"""newmedia.never_posted: an account that has published nothing since it was opened (开设以来未发布)."""

from __future__ import annotations

from collections.abc import Iterator

from govinspect.checks.base import AccountView, Check, CheckContext, CheckParams, Input, NotApplicable, Scope
from govinspect.findings.model import Finding


class SilentAccounts(Check):
    """A running account whose feed has no entries, or whose page says it has no posts (暂无内容, 暂未发布 …).
    Notices name these "开设以来未发布" and the profile counts them under 内容不更新. A page that lists nothing
    without saying so (a script-filled list, an unrecognised layout) is not judged: the source read
    reports it as not gathered, never as silence."""

    id = "newmedia.never_posted"
    scope = Scope.ACCOUNT
    inputs = (Input.POSTS,)

    class Params(CheckParams):
        pass

    def run(self, view: AccountView, ctx: CheckContext) -> Iterator[Finding]:
        if not view.account.running:
            raise NotApplicable(f"account is {view.account.status}: a closed account is not expected to post")
        if view.posts:
            return
        shown = view.placeholder or f"{view.source_kind} without entries"
        yield self.finding(
            ctx, view.source_url, detail={"platform": view.account.platform, "source": view.source_kind,
                                          "shown": shown},
            excerpt=view.placeholder, locator="css:body" if view.source_kind == "html" else f"{view.source_kind}:",
            warc_record=view.warc_record_id,
            reason=f"账号主页/订阅源无任何已发布内容（{shown}）",
        )
