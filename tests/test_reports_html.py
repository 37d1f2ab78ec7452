"""report.html: self-contained, escaped, no live javascript: links, the drill-down, golden visible text."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from govinspect.reports.charts import region_pass_rate_chart
from govinspect.reports.context import build_context
from govinspect.reports.html import render_html
from tests.test_reports_context import HOSTILE_NAME, NOW, RULES, XSS, assert_golden, make_run


@pytest.fixture(scope="module")
def page() -> str:
    ctx = build_context(make_run(), rules=RULES)
    return render_html(ctx, now=NOW, chart_svg=region_pass_rate_chart(ctx.regions).svg)


def visible_lines(html: str) -> list[str]:
    """The page as a reader sees it: one line per block, table cells joined by " | "."""
    tree = HTMLParser(html)
    for node in tree.css("script, style"):
        node.decompose()
    for node in tree.css("td, th"):
        node.insert_after(" | ")
    for node in tree.css("h1, h2, h3, h4, h5, p, li, tr, summary, q, br, table, ul, header, footer"):
        node.insert_before("\n")
        node.insert_after("\n")
    text = tree.body.text(deep=True, separator="")
    lines = (line.strip().removesuffix("|").strip() for line in text.split("\n"))
    return [line for line in lines if line]


def test_golden_visible_text(page, update_golden):
    assert_golden("reports_html", visible_lines(page), update_golden)


def test_no_injected_markup(page):
    tree = HTMLParser(page)
    scripts = tree.css("script")
    assert len(scripts) == 1 and "alert" not in scripts[0].text()
    assert not tree.css("img[onerror], [onerror], [onclick], iframe, object, embed")
    assert XSS not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert HOSTILE_NAME in [n.text() for n in tree.css("summary b")]  # shown as the name it is


def test_only_web_urls_anchors_and_evidence_paths_are_links(page):
    tree = HTMLParser(page)
    hrefs = [a.attributes.get("href") or "" for a in tree.css("a")]
    assert hrefs
    for href in hrefs:
        assert re.match(r"^(https?://|#site-\d{10}$|evidence/[\w.]+\.warc\.gz$)", href), href
    assert "javascript:alert(document.cookie)" in page  # shown as text …
    assert not [h for h in hrefs if "javascript" in h.lower()]  # … never as a link
    assert not [h for h in hrefs if "passwd" in h]
    assert all(
        "noopener" in (a.attributes.get("rel") or "")
        for a in tree.css("a")
        if (a.attributes.get("href") or "").startswith("http")
    )


def test_self_contained_with_strict_csp(page):
    tree = HTMLParser(page)
    assert not tree.css("link, iframe, [src^='http'], [src^='//']")
    for node in tree.css("[src]"):
        assert node.attributes["src"].startswith("data:image/svg+xml;base64,")
    assert "@import" not in page and "url(" not in page
    csp = tree.css_first("meta[http-equiv='Content-Security-Policy']").attributes["content"]
    assert "default-src 'none'" in csp and "img-src data:" in csp
    script = tree.css_first("script").text()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp  # the filter script is the only one allowed to run


def test_chart_is_inlined_as_svg_with_cjk_glyphs(page):
    img = HTMLParser(page).css_first("img.chart")
    svg = base64.b64decode(img.attributes["src"].split(",", 1)[1]).decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "NotoSansCJK" in svg or "WenQuanYi" in svg or "SourceHan" in svg


def test_header_rules_and_summary(page):
    lines = visible_lines(page)
    header = " ".join(lines[:6])
    assert "national-2019" in header and "2019.1" in header and "2021-06-15T00:00:00+08:00" in header
    text = "\n".join(lines)
    assert "未注明发布时间的信息视为不更新" in text
    assert "总体合格率为 60%" in text.replace("\n", "")


def test_per_site_drill_down(page):
    tree = HTMLParser(page)
    details = tree.css("details.site")
    assert [d.attributes["id"] for d in details] == [
        "site-4400000001",
        "site-4401000001",
        "site-4401000002",
        "site-4408000001",
        "site-4408000002",
        "site-4408820001",
    ]
    leizhou = tree.css_first("#site-4408820001")
    text = leizhou.text()
    assert "单项否决：栏目不更新" in leizhou.css_first("summary").text()
    assert "通知公告、政策文件栏目长期未更新共 2 个" in text
    assert len(leizhou.css("li.finding")) == 3
    assert "<urn:uuid:4408820001-34>" in text and "evidence/4408820001.warc.gz" in text
    zhanjiang = tree.css_first("#site-4408000001")
    assert "得分 92.5" in zhanjiang.css_first("summary").text()
    assert "其他发现（未计分，1 条）" in zhanjiang.text()
    assert "渲染结果不可用" in zhanjiang.text()  # a check that errored is shown, not hidden
    education = tree.css_first("#site-4401000002").text()
    assert "未发现问题" not in education  # it lost 45 points, even with no finding rows
    assert "未发现问题" in tree.css_first("#site-4401000001").text()


def test_vetoed_table_links_to_drill_down(page):
    tree = HTMLParser(page)
    vetoed = [h for h in tree.css("h2") if "单项否决网站" in h.text()][0]
    table = vetoed.next
    while table is not None and table.tag != "table":
        table = table.next
    row = table.css("tr")[1]
    assert row.css_first("a").attributes["href"] == "#site-4408820001"
    assert "栏目不更新：" in row.text()


def test_findings_per_group_are_bounded(monkeypatch):
    import govinspect.reports.html as html_mod

    monkeypatch.setattr(html_mod, "MAX_FINDINGS_PER_GROUP", 1)
    ctx = build_context(make_run())
    page = render_html(ctx, now=NOW)
    zhanjiang = HTMLParser(page).css_first("#site-4408000001")
    assert "另有 1 条未列出" in zhanjiang.text()
    assert "<img" not in page  # no chart given, no image
