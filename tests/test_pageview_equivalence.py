"""PageView's fast paths give exactly what the plain implementations give.

``visible_text`` (one tree walk) against a re-parse of the body with scripts stripped; ``resolve_href``
against ``urldefrag(urljoin(...))``; memoised ``node_locator`` against the walk up from each node; and
a PageView survives pickling without its caches.
"""

from __future__ import annotations

import pickle
from urllib.parse import urldefrag, urljoin

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser, LexborNode

from govinspect.archive.pageview import SKIP_SCHEMES, PageView, node_locator, resolve_href, visible_text


def reference_text(html: str) -> str:
    body = LexborHTMLParser(html).body
    if body is None:
        return ""
    clone = LexborHTMLParser(body.html or "")
    clone.strip_tags(["script", "style", "noscript", "template"])
    root = clone.body
    return root.text(separator="\n", strip=True) if root is not None else ""


def reference_resolve(base: str, href: str) -> str | None:
    raw = href.strip()
    if not raw or raw.lower().startswith(SKIP_SCHEMES):
        return None
    url, _ = urldefrag(raw if raw.startswith(("http://", "https://")) else urljoin(base, raw))
    return url if url.startswith(("http://", "https://")) else None


def reference_locator(node: LexborNode) -> str:
    parts: list[str] = []
    current: LexborNode | None = node
    depth = 0
    while current is not None and current.tag not in ("html", "-undef", None) and depth < 6:
        attrs = current.attributes
        ident = attrs.get("id") if attrs else None
        if ident:
            parts.append(f"{current.tag}#{ident}")
            break
        cls = (attrs.get("class") or "").split() if attrs else []
        parts.append(f"{current.tag}.{cls[0]}" if cls else current.tag)
        current = current.parent
        depth += 1
    return "css:" + " > ".join(reversed(parts))


PAGE = """<!DOCTYPE html><html><head><title>通知公告</title><style>.x{color:red}</style>
<script>var a = "<a href='/hidden'>隐藏</a>";</script></head>
<body>  <div id="top"><ul class="nav main"><li><a href="/zwdt/">政务动态</a></li><li><a href="tzgg/">通知公告</a></li></ul></div>
<div class="list"><ul><li><a href="./t20210601_1.html">关于做好防汛工作的通知</a><span> 2021-06-01 </span></li>
<li><a href="../other/index.html#p2">其他</a></li><li> <!-- 注释 --> </li></ul></div>
<noscript><p>请启用脚本</p></noscript><template><p>模板</p></template>
<pre>
预格式文本</pre><textarea>
输入</textarea><table><tr><td>表格<script>document.write("x")</script>单元</td></tr></table>
<div class="footer"><p>主办单位：雷州市人民政府办公室</p><style>p{}</style><p>网站标识码：4408820001</p></div>
</body></html>"""


def test_visible_text_matches_reparse_on_a_page_with_every_skipped_tag() -> None:
    page = PageView("http://www.leizhou.gov.cn/tzgg/", PAGE)
    assert page.text == reference_text(PAGE)
    assert "隐藏" not in page.text and "请启用脚本" not in page.text and "模板" not in page.text
    assert "document.write" not in page.text and "color:red" not in page.text
    assert "表格\n单元" in page.text and "网站标识码：4408820001" in page.text


def test_visible_text_without_skipped_tags_is_lexbor_text() -> None:
    html = "<body><p> a </p><p></p><p>  </p><div>b<i>c</i></div></body>"
    body = LexborHTMLParser(html).body
    assert body is not None
    assert visible_text(body) == body.text(separator="\n", strip=True) == reference_text(html)


_FRAGMENTS = st.sampled_from([
    "<p>", "</p>", "<div class='list'>", "</div>", "<div id='ft'>", "<ul>", "<li>", "</li>", "</ul>", "<table>",
    "<tr><td>", "</td></tr>", "</table>", "<script>", "</script>", "<style>", "</style>", "<noscript>",
    "</noscript>", "<template>", "</template>", "<pre>\n", "</pre>", "<textarea>", "</textarea>", "<!-- c -->",
    "<a href='/a/b.html'>", "<a href='x.html#f'>", "<a href='http://o.gov.cn/?'>", "</a>", "<br>", "<img src=i.png>",
    "<svg><style>s</style></svg>", "<b>", "</b>", " ", "\n", "  \t", "正文", "文字 ", "&amp;", "&lt;script&gt;",
    "</body>", "<body>", "</html>", "<select><option>o</option></select>", "<iframe>f</iframe>",
])


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=40))
def test_visible_text_matches_reparse_on_generated_markup(parts: list[str]) -> None:
    """Same text, line for line; blank lines may differ where re-parsing the serialised body does not
    give the same tree back (a newline opening ``<pre>``: see the next test)."""
    html = "<html><body>" + "".join(parts)
    assert _lines(PageView("http://x.gov.cn/a/", html).text) == _lines(reference_text(html))


def test_visible_text_reads_the_tree_not_a_reparse_of_it() -> None:
    # The parser drops the newline opening <pre>; the second one is text. Serialising and parsing
    # again drops that one too: the re-parse lost a (blank) text node the page has.
    html = "<body><pre>\n\n<p> </p></pre></body>"
    assert PageView("http://x.gov.cn/", html).text == "\n"
    assert reference_text(html) == ""


_BASES = st.sampled_from([
    "http://www.leizhou.gov.cn/", "http://www.leizhou.gov.cn/tzgg/index.html", "https://a.gov.cn:8443/x/y/?q=1",
    "http://a.gov.cn", "http://a.gov.cn/a/b;p?q#f", "file:///tmp/page.html", "http:///nohost/",
])
_HREFS = st.one_of(
    st.text(alphabet="/.?#;:abc中%\t\n \\=&", max_size=24),
    st.builds(lambda p, s: p + s, st.sampled_from(["/", "//", "./", "../", "http://", "https://", "HTTP://",
                                                    "javascript:", "#", "?", "/.", "/a/../"]),
              st.text(alphabet="/.?#;abc中=", max_size=16)),
)


@settings(max_examples=1500, deadline=None)
@given(_BASES, _HREFS)
def test_resolve_href_is_urljoin_urldefrag(base: str, href: str) -> None:
    try:
        expected: str | None | type[ValueError] = reference_resolve(base, href)
    except ValueError:
        expected = ValueError
    try:
        got: str | None | type[ValueError] = resolve_href(base, href)
    except ValueError:
        got = ValueError
    assert got == expected


def test_resolve_href_cases() -> None:
    base = "http://www.leizhou.gov.cn/tzgg/index.html"
    assert resolve_href(base, " /zwdt/ ") == "http://www.leizhou.gov.cn/zwdt/"
    assert resolve_href(base, "t1.html#top") == "http://www.leizhou.gov.cn/tzgg/t1.html"
    assert resolve_href(base, "/a/./b/../c?") == "http://www.leizhou.gov.cn/a/c"
    assert resolve_href(base, "http://o.gov.cn/x?") == "http://o.gov.cn/x?"  # no fragment: kept as written
    assert resolve_href(base, "mailto:a@b.cn") is None
    assert resolve_href(base, "ftp://o.gov.cn/") is None


def test_memoised_locators_match_walking_up_from_each_node() -> None:
    deep = "".join(f"<div class='d{i}'>" for i in range(12)) + "<a href='/x'>x</a>" + "</div>" * 12
    for html in (PAGE, deep, "<body><div id='a'><p><a href='/1'>1</a></p></div><a href='/2'>2</a></body>"):
        tree = LexborHTMLParser(html)
        memo: dict[int, tuple[str, ...]] = {}
        nodes = tree.css("a, img, p, li, td")
        assert nodes
        for node in nodes:
            assert node_locator(node, memo) == reference_locator(node)
            assert node_locator(node) == reference_locator(node)


def test_pickled_page_keeps_what_was_fetched_and_drops_its_caches() -> None:
    page = PageView("http://www.leizhou.gov.cn/tzgg/", PAGE, warc_record_id="<urn:uuid:1>", depth=2, role="column")
    links, text = [link.url for link in page.links], page.text
    copy = pickle.loads(pickle.dumps(page))
    assert "tree" not in copy.__dict__ and "links" not in copy.__dict__
    assert (copy.url, copy.html, copy.warc_record_id, copy.depth, copy.role) == (
        page.url, PAGE, "<urn:uuid:1>", 2, "column")
    assert [link.url for link in copy.links] == links and copy.text == text


def test_link_locators_computed_late_are_the_walk_up_from_each_anchor() -> None:
    """``Link.locator`` is computed when first asked: the same path as walking up from the anchor, whether
    the tree is still there, was dropped (re-parsed for the answer, then dropped again) or the page is gone."""
    html = PAGE + "<div id='x'><a href='javascript:void(0)'>js</a><p><a href='/late'>late</a></p></div>"
    page = PageView("http://www.leizhou.gov.cn/tzgg/", html)
    expected = [reference_locator(node) for node in LexborHTMLParser(html).css("a[href]")
                if resolve_href(page.base_url, node.attributes.get("href") or "") is not None]
    links = page.links
    assert len(links) == len(expected) > 3
    assert links[0].locator == expected[0]  # tree alive
    page.release()
    assert links[-1].locator == expected[-1]  # tree dropped: parsed again for the answer ...
    assert "tree" not in page.__dict__  # ... and dropped again
    assert [link.locator for link in links] == expected
    assert links[-1].locator.endswith("div#x > p > a")
    other = PageView("http://www.leizhou.gov.cn/tzgg/", html)
    late = other.links
    assert late[1] == page.links[1] and late[1] != late[2]
    assert pickle.loads(pickle.dumps(late[1])) == late[1]
    orphan = PageView("http://www.leizhou.gov.cn/tzgg/", html).links  # the page itself is gone
    assert orphan[1].locator == ""  # a link does not keep its page alive; it knows no path then
