"""content.test_draft: test or placeholder items published on a live page (测试稿件、占位内容)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any

from selectolax.lexbor import LexborNode, SelectolaxError

from govinspect.archive.pageview import PageView, node_locator
from govinspect.checks.base import CheckContext, CheckParams, Input, Scope
from govinspect.checks.lexicon_check import LexiconCheck
from govinspect.content.lexicon import page_normalised
from govinspect.content.normalise import page_headings
from govinspect.findings.model import Finding

_PUNCT = r"\s_\-—–:：.。、,，#()（）【】\[\]《》<>|/*~!！?？\"'“”‘’"
# a title that is nothing but a test marker: 测试, 测试1, test-02, 测试稿件, 【测试】, 测试一下, ceshi …
PLACEHOLDER_TITLE = re.compile(
    rf"^[{_PUNCT}\d]*(?:测试|test|testing|ceshi|tests)+[{_PUNCT}\d]*"
    rf"(?:[{_PUNCT}]*(?:稿件|文章|新闻|信息|标题|内容|数据|栏目|页面|页|专用|一下|用|稿|文档|附件|图片|视频|链接|请勿删除"
    rf"|勿删|删除|请勿点击|请勿打开|请勿浏览|请忽略|忽略|勿点))*"
    rf"[{_PUNCT}\d]*(?:测试|test)*[{_PUNCT}\d]*$"
    r"|^(?:(?:新闻|文章)?(?:标题|内容|正文))+\d*$|^(?:文章标题|新闻标题|标题名称|请输入标题|这里是标题|此处为标题|"
    r"标题文字|输入标题|默认标题|无标题文档|untitled(?: document)?|new page|新建网页|新建文档)\d*$"
    r"|^(?:hello,? world|世界,?(?:你|您)好)!?$"
    r"|^lorem ipsum\b.*|^(?:asdf|qwer|asdfgh|qwerty|aaa+|bbb+|啊+|哈哈+|111+|123|1234|123456)$",
    re.I,
)
# phrases that betray a draft wherever they stand (a boundary rule stops 体质测试内容 and 压力测试数据)
DRAFT_PHRASES = re.compile(
    r"(测试稿件|测试文章|测试新闻|测试标题|测试专用|测试测试|测试一下|测试页面|测试栏目)"
    r"|([【\[(（]\s*(?:测试|test|ceshi)\s*[】\])）])"
    r"|(请勿删除|请不要删除|勿删)"
    r"|(?P<rep>(?:新闻|文章)?(?:标题|内容|正文|文字))(?P=rep)"
    r"|(lorem ipsum|dolor sit amet)"
    r"|(此处为(?:标题|正文|内容|摘要|文字|图片|简介|说明|占位|示例|正文内容)|此处(?:输入|填写)|在此(?:处)?(?:输入|填写)"
    r"|这里是(?:新闻|文章)?(?:标题|正文|内容|摘要)|这是一(?:条|篇|个)测试|这是测试|本文(?:为|是)测试)"
    r"|(欢迎使用wordpress|这是(?:您|你)的第一篇文章|编辑或删除它,?然后开始写作|这是一个示范页面|这是示范页面)"
    r"|(\btest\s+test\b|\btesting\s+testing\b)",
    re.I,
)
# template placeholders: xxxx年xx月 anywhere; a run of x only in a title or a line that is mostly x
X_DATE = re.compile(r"(?<![a-z0-9])x{2,4}年x{1,2}月", re.I)
X_RUN = re.compile(r"(?<![a-z0-9])x{4,}(?![a-z0-9])", re.I)
# pages that show a form or a template on purpose (申请表样表, 填写示例): their XXX are the point
SAMPLE_PAGE = re.compile(r"样表|范本|样本|示例|范例|样例|模板|填写说明|填表说明|填报说明|式样|格式文本")
# Cheap filters before the full patterns, over folded (lower-case) text, so without re.I: case-insensitive
# matching would switch off the engine's fast skip. A title-like text can only be a placeholder if it
# holds one of TRIGGER; a DRAFT_PHRASES match always holds one of PHRASE_TRIGGER.
TRIGGER = re.compile(
    r"测|test|ceshi|标题|内容|正文|文字|勿删|不要删除|请勿|忽略|lorem|dolor|此处|在此|这里是|这是|本文|xx|untitled|"
    r"new page|新建|无标题|asdf|qwer|aaa|bbb|啊|哈哈|111|123|hello|世界|wordpress|第一篇文章|示范页面|然后开始写作",
)
_REPEATS = "|".join(f"{w}{p}{w}" for w in ("标题", "内容", "正文", "文字") for p in ("", "新闻", "文章"))
PHRASE_TRIGGER = re.compile(
    rf"测试|test|ceshi|删除|勿删|{_REPEATS}|lorem|dolor|此处|在此|这里是|第一篇文章|开始写作|示范页面|wordpress")
# A page whose text has no line that is a placeholder title, no draft phrase and no x placeholder has no
# test draft in its headings, links or article (all of them are lines of the page text).
PAGE_GATE = re.compile(f"{PHRASE_TRIGGER.pattern}|xx|测[^\\S\\n]+试|标[^\\S\\n]+题|内[^\\S\\n]+容|正[^\\S\\n]+文")
# words a whole-line placeholder (PLACEHOLDER_TITLE) must hold; each hit's line is then matched in full
LINE_TRIGGER = re.compile(r"测试|test|ceshi|标题|内容|正文|untitled|new page|新建|hello|世界|lorem|asdf|qwer|aaa|bbb|啊|"
                          r"哈哈|111|123")
SHORT_LINK = 40  # a link text longer than this is a placeholder only through a draft phrase
_WS = re.compile(r"\s+")
# a 测试… phrase counts only after a non-letter or one of these (本文为测试稿件, 这是测试内容)
_LEAD_OK = set("为是条篇个此这一的：:】[【(（ \t\n")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])[^\S\n]+(?=[\u3400-\u9fff])")  # not across lines
ARTICLE_SELECTORS = (
    "#zoom", ".TRS_Editor", ".trs_editor", "#UCAP-CONTENT", ".article-content", ".article_content", ".artcon",
    ".pages_content", "#content", ".content", ".con", ".zw", ".wz_con", ".bt_content", ".news_content",
    ".detail", ".xl_con", ".article", "article", ".main-txt", ".text",
)


class TestDrafts(LexiconCheck):
    """Test or placeholder items published: a page or list-item title that is only a test marker
    (测试, test, ceshi, 测试稿件, 【测试】, 测试信息，请勿点击, 测 试), placeholder text (标题标题,
    新闻标题新闻标题, 内容内容, lorem ipsum, 此处为正文, 这里是新闻正文, 请勿删除, a CMS's default first
    post) in titles, list items or article bodies, and unfilled templates (关于XXXX的通知, XXXX年XX月, a
    line of x). A form shown on purpose (申请表样表, 填写示例) keeps its XXX.

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

    def _norm(self, text: str) -> str:
        return " ".join(self.lexicon.normalise_str(text).split())

    def title_marker(self, text: str, *, sample_page: bool = False) -> str:
        """The test marker when a title-like text is a placeholder; empty otherwise."""
        norm = self._norm(text)
        if not norm or len(norm) > 200 or not TRIGGER.search(norm):
            return ""
        compact = _CJK_GAP.sub("", norm)  # 测 试 → 测试
        if PLACEHOLDER_TITLE.match(compact):
            return norm
        if not sample_page:
            found = X_DATE.search(compact) or X_RUN.search(compact)
            if found:
                return found.group(0)
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

    def body_marker(self, folded: str, *, sample_page: bool, reported: set[str] = frozenset()) -> str:
        """A placeholder in the (folded) article text: a draft phrase, an unfilled date, or a line of x."""
        joined = _WS.sub(" ", folded).strip()
        for text in sorted(reported, key=len, reverse=True):
            joined = joined.replace(text, " ")  # titles and list items already reported
        joined = joined.strip()
        if not joined:
            return ""
        if len(joined) <= 60 and PLACEHOLDER_TITLE.match(_CJK_GAP.sub("", joined)):
            return joined
        found = self.phrase(joined) if PHRASE_TRIGGER.search(joined) else ""
        if found or sample_page or "xx" not in joined:
            return found
        match = X_DATE.search(joined)
        if match:
            return match.group(0)
        for line in folded.split("\n"):
            for run in X_RUN.finditer(line):
                letters = sum(1 for ch in line if ch.isalnum())
                if letters and sum(len(m.group(0)) for m in X_RUN.finditer(line)) * 2 >= letters:
                    return run.group(0)
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

        lexicon = self.lexicon
        folded = page_normalised(page, lexicon).text
        gate = PAGE_GATE.search(folded) is not None or _placeholder_line(folded)
        headings = page_headings(page) if gate or "xx" in page.title.lower() else []
        h1 = next((text for tag, text in headings if tag == "h1"), "")
        sample_page = bool(SAMPLE_PAGE.search(page.title) or SAMPLE_PAGE.search(h1))
        # page title: each part between site-name separators
        for part in re.split(r"\s*[_|｜—–-]{1,2}\s*", page.title)[:6]:
            marker = self.title_marker(part, sample_page=sample_page)
            if marker:
                seen.add(self._norm(part))
                count += 1
                yield emit("title", page.title, marker, "css:title")
                break
        if not gate:
            return
        # headings, then link texts (list-item titles); the links were extracted by the crawl already
        for index, (_tag, text) in enumerate(headings):
            if count >= p.max_findings:
                return
            key = self._norm(text)
            if not key or key in seen:
                continue
            marker = self.title_marker(text, sample_page=sample_page)
            if marker:
                seen.add(key)
                count += 1
                node = page.tree.css("h1, h2, h3")[index]
                yield emit("heading", text, marker, node_locator(node))
        links = page.links[: p.max_anchors]
        joined = lexicon.normalise_str("\n".join(link.text.replace("\n", " ") for link in links))
        lines = joined.split("\n")
        if len(lines) == len(links):
            starts = _line_starts(lines)
            picked = {bisect_right(starts, m.start()) - 1 for m in PHRASE_TRIGGER.finditer(joined)}
            picked.update(i for i in (bisect_right(starts, m.start()) - 1 for m in TRIGGER.finditer(joined))
                          if len(lines[i]) <= SHORT_LINK)
            candidates: Any = sorted(picked)
        else:  # folding changed the line structure (a character folded to a line break): check them all
            candidates = range(len(links))
        for index in candidates:
            if count >= p.max_findings:
                return
            link = links[index]
            key = self._norm(link.text)
            if not key or key in seen:
                continue
            marker = self.title_marker(link.text, sample_page=sample_page)
            if marker:
                seen.add(key)
                count += 1
                yield emit(_link_place(page, link), link.text, marker, link.locator, link.url)
        # the article body
        body, node = _article(page)
        body = body[: p.max_body_chars]
        if count < p.max_findings:
            marker = self.body_marker(lexicon.normalise_str(body), sample_page=sample_page, reported=seen)
            if marker:
                yield emit("body", body, marker, node_locator(node) if node is not None else "css:body")


def _placeholder_line(text: str) -> bool:
    """Whether a line of ``text`` is a placeholder title (测试, 标题标题, hello world!)."""
    for hit in LINE_TRIGGER.finditer(text):
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.end())
        line = text[start:end if end >= 0 else len(text)].strip()
        if len(line) <= 200 and PLACEHOLDER_TITLE.match(_CJK_GAP.sub("", line)):
            return True
    return False


def _line_starts(lines: list[str]) -> list[int]:
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    return starts


def _link_place(page: PageView, link: Any) -> str:
    """``list item`` when the link sits in a list row (li/td/dd/dt), else ``link``."""
    node = _node_at(page, link.locator, link.raw_href)
    return "list item" if node is not None and _in_list(node) else "link"


def _node_at(page: PageView, locator: str, raw_href: str) -> LexborNode | None:
    selector = locator.removeprefix("css:")
    try:
        nodes = page.tree.css(selector)
    except SelectolaxError:  # a locator that is not valid CSS (odd ids)
        nodes = page.tree.css("a[href]")
    for node in nodes:
        if (node.attributes.get("href") or "") == raw_href:
            return node
    return None


def _in_list(node: LexborNode) -> bool:
    parent = node.parent
    for _ in range(4):
        if parent is None:
            return False
        if parent.tag in ("li", "td", "dd", "dt"):
            return True
        parent = parent.parent
    return False


def _article(page: PageView) -> tuple[str, LexborNode | None]:
    """The main text container of an article page (first selector by priority), else the whole body text
    (node None)."""
    found = page.tree.css(", ".join(ARTICLE_SELECTORS))
    if found:
        for selector in ARTICLE_SELECTORS:
            for node in found:
                if _matches(node, selector):
                    text = node.text(separator="\n", strip=True)
                    if text:
                        return text, node
                    break
    return page.text, None


def _matches(node: LexborNode, selector: str) -> bool:
    """``#id``, ``.class`` or ``tag`` (the only forms ARTICLE_SELECTORS uses)."""
    if selector[0] == "#":
        return (node.attributes.get("id") or "") == selector[1:]
    if selector[0] == ".":
        return selector[1:] in (node.attributes.get("class") or "").split()
    return node.tag == selector


def _excerpt(text: str, marker: str, width: int = 40) -> str:
    flat = " ".join(text.split())
    pos = flat.lower().find(marker.lower()[:20])
    if pos < 0:
        return flat[: 2 * width + len(marker)]
    return flat[max(0, pos - width): pos + len(marker) + width]
