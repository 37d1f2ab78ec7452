"""PageView parses once and gives checks links, images, meta, text and the footer area."""

from hypothesis import given, settings
from hypothesis import strategies as st

from govinspect.archive.pageview import PageView

HTML = """<html><head><title> 雷州市人民政府 </title><meta name="SiteIDCode" content="4408820001">
<meta name="ColumnName" content="通知公告"><base href="http://www.leizhou.gov.cn/sub/"></head>
<body><div class="nav"><a href="../xwzx/">新闻中心</a><a href="javascript:void(0)">x</a>
<a href="mailto:a@b.cn">mail</a><a href="#top">top</a><a href="http://other.gov.cn/a#frag">外链</a></div>
<script>var a = "<a href='/hidden'>";</script>
<img src="/img/a.png" alt="图"><img src="data:image/png;base64,AAA">
<div id="footer"><p>主办单位：雷州市人民政府办公室</p><a href="/jiucuo">我为政府网站找错</a></div></body></html>"""


def test_links_resolved_against_base_and_filtered() -> None:
    page = PageView("http://www.leizhou.gov.cn/", HTML)
    urls = [link.url for link in page.links]
    assert urls == ["http://www.leizhou.gov.cn/xwzx/", "http://other.gov.cn/a", "http://www.leizhou.gov.cn/jiucuo"]
    assert [link.in_footer for link in page.links] == [False, False, True]
    assert page.links[0].locator.startswith("css:")


def test_meta_title_images_text_footer() -> None:
    page = PageView("http://www.leizhou.gov.cn/", HTML)
    assert page.title == "雷州市人民政府"
    assert page.meta["siteidcode"] == "4408820001"
    assert page.meta["columnname"] == "通知公告"
    assert [i.url for i in page.images] == ["http://www.leizhou.gov.cn/img/a.png"]
    assert "主办单位" in page.footer_text
    assert "var a" not in page.text  # scripts are not text
    assert "新闻中心" in page.text
    assert "主办单位" in page.excerpt("雷州市人民政府办公室")
    assert page.excerpt("不存在") == ""


def test_footer_fallback_is_last_blocks() -> None:
    page = PageView("http://x.gov.cn/", "<body><div>正文</div><div>版权所有 联系电话</div></body>")
    assert "联系电话" in page.footer_text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    page = PageView("http://x.gov.cn/a/", data.decode("utf-8", "replace"))
    assert isinstance(page.links, list)
    assert isinstance(page.text, str)
    assert isinstance(page.meta, dict)
    assert isinstance(page.footer_text, str)
