"""content.test_draft: test or placeholder items published on a live page (测试稿件、占位内容)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

from selectolax.lexbor import LexborNode

from govinspect.archive.pageview import PageView, node_locator
from govinspect.checks.base import Check, CheckContext, CheckParams, Input, Scope
from govinspect.content.lexicon import Lexicon, load_lexicon
from govinspect.findings.model import Finding

_PUNCT = r"\s_\-—–:：.。、,，#()（）【】\[\]《》<>|/*~!！?？\"'“”‘’"
# a title that is nothing but a test marker: 测试, 测试1, test-02, 测试稿件, 【测试】, 测试一下, ceshi …
PLACEHOLDER_TITLE = re.compile(
    rf"^[{_PUNCT}\d]*(?:测试|test|testing|ceshi|tests)+[{_PUNCT}\d]*"
    rf"(?:稿件|文章|新闻|信息|标题|内容|数据|栏目|页面|页|专用|一下|用|稿|文档|附件|图片|视频|链接|请勿删除|勿删|删除)*"
    rf"[{_PUNCT}\d]*(?:测试|test)*[{_PUNCT}\d]*$"
    r"|^(?:标题)+\d*$|^(?:内容)+\d*$|^(?:正文)+\d*$|^(?:文章标题|新闻标题|标题名称|请输入标题|这里是标题|此处为标题|"
    r"标题文字|输入标题|默认标题|无标题文档|untitled(?: document)?|new page|新建网页|新建文档)\d*$"
    r"|^x{4,}$|^lorem ipsum\b.*|^(?:asdf|qwer|asdfgh|qwerty|aaa+|bbb+|啊+|哈哈+|111+|123456?|1234)$",
    re.I,
)
# phrases that betray a draft wherever they stand (a boundary rule stops 体质测试内容 and 压力测试数据)
DRAFT_PHRASES = re.compile(
    r"(测试稿件|测试文章|测试新闻|测试标题|测试专用|测试测试|测试一下|测试页面|测试栏目)"
    r"|([【\[(（]\s*(?:测试|test|ceshi)\s*[】\])）])"
    r"|(请勿删除|请不要删除|勿删)"
    r"|(标题标题|内容内容|正文正文|文字文字)"
    r"|(lorem ipsum|dolor sit amet)"
    r"|(此处为(?:标题|正文|内容|摘要|文字|图片|简介|说明|占位|示例|正文内容)|此处(?:输入|填写)|在此(?:处)?(?:输入|填写)"
    r"|这里是(?:标题|正文|内容|摘要)|这是一(?:条|篇|个)测试|这是测试|本文(?:为|是)测试)"
    r"|(\btest\s+test\b|\btesting\s+testing\b)"
    r"|((?<![a-z0-9])x{2,4}年x{1,2}月|(?<![a-z])x{4,}(?![a-z]))",
    re.I,
)
# a 测试… phrase counts only after a non-letter or one of these (本文为测试稿件, 这是测试内容)
_LEAD_OK = set("为是条篇个此这一的：:】[【(（ \t\n")
_CJK = re.compile(r"[\u3400-\u9fff]")
ARTICLE_SELECTORS = (
    "#zoom", ".TRS_Editor", ".trs_editor", "#UCAP-CONTENT", ".article-content", ".article_content", ".artcon",
    ".pages_content", "#content", ".content", ".con", ".zw", ".wz_con", ".bt_content", ".news_content",
    ".detail", ".xl_con", ".article", "article", ".main-txt", ".text",
)


class TestDrafts(Check):
    """Test or placeholder items published: a page or list-item title that is only a test marker
    (测试, test, ceshi, 测试稿件, 【测试】), placeholder text (标题标题, 内容内容, lorem ipsum, xxxx,
    此处为正文, 请勿删除) in titles, list items or article bodies.

    Real news about 测试 (核酸检测, 测试赛, 桥梁压力测试, 体质测试, 测试 services in a procurement notice)
    is not a test draft: 测试 must stand alone or as a draft phrase after a non-word character, and
    English ``test`` only as a whole title or phrase (never inside latest/contest). URLs and scripts are
    never read, only the text readers see.
    """

    __test__ = False  # not a pytest test class despite the name
    id = "content.test_draft"
    scope = Scope.PAGE
    inputs = (Input.PAGES,)

    class Params(CheckParams):
        max_findings: int = 10
        max_anchors: int = 5000
        max_body_chars: int = 500_000

    def __init__(self, params: CheckParams | None = None, *, lexicon: Lexicon | None = None) -> None:
        super().__init__(params)
        self._lexicon = lexicon

    @cached_property
    def lexicon(self) -> Lexicon:
        return self._lexicon or load_lexicon()

    def _norm(self, text: str) -> str:
        return " ".join(self.lexicon.normalise_str(text).split())

    def title_marker(self, text: str) -> str:
        """The test marker when a title-like text is a placeholder; empty otherwise."""
        norm = self._norm(text)
        if not norm or len(norm) > 200:
            return ""
        if PLACEHOLDER_TITLE.match(norm):
            return norm
        return self.phrase(norm)

    def phrase(self, norm: str) -> str:
        for m in DRAFT_PHRASES.finditer(norm):
            found = m.group(0)
            if found.startswith("测试") and m.start() > 0:
                prev = norm[m.start() - 1]
                if _CJK.match(prev) and prev not in _LEAD_OK:
                    continue  # 体质测试内容, 压力测试数据: a real test
            return found
        return ""

    def run(self, target: PageView, ctx: CheckContext) -> Iterator[Finding]:
        p = self.params
        assert isinstance(p, TestDrafts.Params)
        page = target
        count = 0
        seen: set[str] = set()

        def emit(where: str, text: str, marker: str, locator: str, target_url: str | None = None) -> Finding:
            return self.finding(
                ctx, page.url, target=target_url,
                detail={"where": where, "marker": marker, "text": text[:200]},
                excerpt=_excerpt(text, marker), locator=locator, warc_record=page.warc_record_id,
                reason=f"{where} {'is' if marker == self._norm(text) else 'contains'} test/placeholder text {marker!r}",
            )

        # page title: each part between site-name separators
        for part in re.split(r"\s*[_|｜—–-]{1,2}\s*", page.title)[:6]:
            marker = self.title_marker(part)
            if marker:
                seen.add(self._norm(part))
                count += 1
                yield emit("title", page.title, marker, "css:title")
                break
        # headings and list-item titles
        candidates: list[tuple[str, LexborNode, str | None]] = []
        for node in page.tree.css("h1, h2, h3")[:50]:
            candidates.append(("heading", node, None))
        for node in page.tree.css("a")[: p.max_anchors]:
            href = node.attributes.get("href")
            candidates.append(("list item" if _in_list(node) else "link", node, page._resolve(href or "")))
        for where, node, url in candidates:
            if count >= p.max_findings:
                return
            text = node.text(strip=True) or (node.attributes.get("title") or "")
            key = self._norm(text)
            if not key or key in seen:
                continue
            marker = self.title_marker(text)
            if marker:
                seen.add(key)
                count += 1
                yield emit(where, text, marker, node_locator(node), url)
        # the article body
        body, locator = _article(page)
        body = body[: p.max_body_chars]
        norm = self._norm(body)
        for reported in sorted(seen, key=len, reverse=True):
            norm = norm.replace(reported, " ")  # titles and list items already reported
        norm = norm.strip()
        if norm and count < p.max_findings:
            marker = norm if (len(norm) <= 60 and PLACEHOLDER_TITLE.match(norm)) else self.phrase(norm)
            if marker:
                yield emit("body", body, marker, locator)


def _in_list(node: LexborNode) -> bool:
    parent = node.parent
    for _ in range(4):
        if parent is None:
            return False
        if parent.tag in ("li", "td", "dd", "dt"):
            return True
        parent = parent.parent
    return False


def _article(page: PageView) -> tuple[str, str]:
    """The main text container of an article page, else the whole body text."""
    for sel in ARTICLE_SELECTORS:
        node = page.tree.css_first(sel)
        if node is not None:
            text = node.text(separator="\n", strip=True)
            if text:
                return text, node_locator(node)
    return page.text, "css:body"


def _excerpt(text: str, marker: str, width: int = 40) -> str:
    flat = " ".join(text.split())
    pos = flat.lower().find(marker.lower()[:20])
    if pos < 0:
        return flat[: 2 * width + len(marker)]
    return flat[max(0, pos - width): pos + len(marker) + width]
