"""content.dark_link: hidden blocks, script-written links, rendered facts and cloaking."""

from __future__ import annotations

import importlib.util
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext, SiteView
from govinspect.checks.dark_links import DarkLinks
from govinspect.content.hidden import (
    decode_script, find_hidden_blocks, hiding_technique, pages_needing_render, parse_declarations, parse_style_rules,
)
from govinspect.registry.models import Site, SiteKind

HOME = "http://www.example-county.gov.cn/"


def site() -> Site:
    return Site(site_code="4408820001", name="某县人民政府", homepage=HOME, region="广东省/湛江市/某县",
                host_org="某县人民政府办公室", kind=SiteKind.PORTAL)


def page(body: str, head: str = "", url: str = HOME, title: str = "某县人民政府门户网站") -> PageView:
    html = (f"<html><head><meta charset=utf-8><title>{title}</title>{head}</head><body>"
            f"<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
            f"<div class='main'><p>欢迎访问某县人民政府门户网站。</p></div>{body}</body></html>")
    return PageView(url, html, warc_record_id="<urn:uuid:dark-1>")


def run(pages: list[PageView], extras: dict[str, Any] | None = None) -> list[Any]:
    now = datetime(2021, 6, 30, tzinfo=timezone.utc)
    view = SiteView(site=site(), homepage=pages[0], pages=pages, extras=extras or {})
    ctx = CheckContext(as_of=now, site=site(), observed_at=now, site_view=view)
    return list(DarkLinks().run(view, ctx))


POSITIVES = [
    ("inline display none", '<div style="display:none"><a href="http://a.example.com/">澳门新葡京</a></div>', "", "display_none"),
    ("important + caps", '<div style="DISPLAY: NONE !important"><a href="http://a.example.com/">x</a></div>', "", "display_none"),
    ("style rule by id", '<div id="g1"><a href="http://a.example.com/">时时彩</a></div>', "<style>#g1{display:none}</style>", "display_none"),
    ("style rule descendant", '<div class="w"><p class="k"><a href="http://a.example.com/">百家乐</a></p></div>',
     "<style>/* c */ .w .k { visibility : hidden }</style>", "visibility_hidden"),
    ("visibility", '<p style="visibility:hidden"><a href="http://a.example.com/">link</a></p>', "", "visibility_hidden"),
    ("opacity", '<p style="opacity:0"><a href="http://a.example.com/">link</a></p>', "", "opacity_zero"),
    ("off screen", '<div style="position:absolute;left:-9999px"><a href="http://a.example.com/">link</a></div>', "", "off_screen"),
    ("off screen top em", '<div style="position:fixed;top:-100em"><a href="http://a.example.com/">link</a></div>', "", "off_screen"),
    ("text indent", '<p style="text-indent:-9999px"><a href="http://a.example.com/">亚博</a></p>', "", "text_indent"),
    ("font size 0", '<span style="font-size:0"><a href="http://a.example.com/">老虎机</a></span>', "", "tiny_font"),
    ("font size 1px", '<span style="font-size:1px"><a href="http://a.example.com/">link</a></span>', "", "tiny_font"),
    ("height 0 overflow", '<div style="height:0;overflow:hidden"><a href="http://a.example.com/">link</a></div>', "", "zero_size"),
    ("width 1px overflow", '<div style="width:1px;height:1px;overflow:hidden"><a href="http://a.example.com/">link</a></div>', "", "zero_size"),
    ("white on white font", '<font color="#FFF"><a href="http://a.example.com/">真人百家乐</a></font>', "", "colour_match"),
    ("colour equal bg", '<div style="background:#003366"><span style="color:rgb(0,51,102)"><a href="http://a.example.com/">x</a></span></div>',
     "", "colour_match"),
    ("marquee tiny", '<marquee width="1" height="1"><a href="http://a.example.com/">六合彩</a></marquee>', "", "marquee"),
    ("marquee racing", '<marquee scrollamount="3000"><a href="http://a.example.com/">六合彩</a></marquee>', "", "marquee"),
    ("hidden attribute", '<div hidden><a href="http://a.example.com/">link</a></div>', "", "hidden_attribute"),
    ("zero iframe", '<iframe src="http://bad.example.net/x.html" width="0" height="0"></iframe>', "", "zero_size"),
    ("script wrapper", "<script>document.write('<div style=\"display:none\">')</script><a href='http://a.example.com/'>极速赛车</a>"
                       "<script>document.write('</div>')</script>", "", "script_wrapper"),
    ("hidden internal spam page", '<div style="display:none"><a href="/html/casino.html">网上赌场</a></div>', "", "display_none"),
    ("transform scale", '<div style="transform:scale(0)"><a href="http://a.example.com/">link</a></div>', "", "zero_size"),
    ("hidden by a load-time script", '<div id="hb21"><a href="http://a.example.com/">澳门新葡京</a></div>'
                                     "<script>document.getElementById('hb21').style.display='none';</script>",
     "", "display_none"),
]

NEGATIVES = [
    ("mobile menu", '<ul class="m-menu" style="display:none"><li><a href="/">首页</a></li><li><a href="/zwgk/">公开</a></li></ul>', ""),
    ("skip link", '<a class="skip" href="#main">跳到主要内容</a>', "<style>.skip{position:absolute;left:-10000px}</style>"),
    ("hidden search", '<form style="display:none" action="/s"><input name="q"><button>搜索</button></form>', ""),
    ("screen reader", '<span style="position:absolute;width:1px;height:1px;overflow:hidden">当前位置</span>', ""),
    ("hover gov dropdown", '<div onmouseover="s()"><ul style="display:none"><li><a href="http://www.gd.gov.cn/">广东省政府</a></li></ul></div>', ""),
    ("hover drop foreign no spam", '<li class="dropdown"><ul class="sub" style="display:none"><li><a href="http://www.icbc.com.cn/">工商银行</a></li></ul></li>', ""),
    ("hidden media links", '<div style="display:none"><a href="http://www.people.com.cn/">人民网</a><a href="http://www.xinhuanet.com/">新华网</a></div>', ""),
    ("tab panel", '<div class="tab-con"><a href="/xw/1.html">新闻</a></div>', "<style>.tab-con{display:none}</style>"),
    ("media query", '<div class="x"><a href="http://a.example.com/">link</a></div>', "<style>@media (max-width:600px){.x{display:none}}</style>"),
    ("hover rule", '<div class="menu"><a href="http://a.example.com/">link</a></div>', "<style>.menu:hover{display:block}</style>"),
    ("visible foreign link", '<p><a href="http://www.icbc.com.cn/">工商银行</a></p>', ""),
    ("white text on dark bar", '<div style="background:#003366"><a style="color:#fff" href="http://a.example.com/">x</a></div>', ""),
    ("background image", '<div style="background:url(bg.png)"><a style="color:#fff" href="http://a.example.com/">x</a></div>', ""),
    ("hidden gov lottery menu", '<ul class="submenu" style="display:none"><li><a href="/fc/">福利彩票</a></li></ul>', ""),
    ("qr popup", '<div class="ewm" style="display:none"><img src="/wx.png"></div>', ""),
    ("analytics write", "<script>document.write(unescape(\"%3Cspan id='cnzz_stat_icon'%3E%3C/span%3E\"));</script>", ""),
    ("plain script gov link", "<script>document.write('<a href=\"http://www.gov.cn/\">中国政府网</a>')</script>", ""),
    ("select options", '<select><option value="http://a.example.com/">友情链接</option></select>', ""),
    ("menu hidden inside a handler", '<div id="sub1"><a href="http://a.example.com/">link</a></div>'
                                     "<script>function out(){document.getElementById('sub1').style.display='none';}</script>",
     ""),
    ("conac logo script", "<script>document.write(unescape(\"%3Cspan id='_ideConac'%3E%3C/span%3E%3Cscript "
                          "src='http://dcs.conac.cn/js/14/000/0000/60531842/CA140000000605318420003.js'%3E%3C/script%3E\"));"
                          "</script>", ""),
]


@pytest.mark.parametrize(("name", "body", "head", "technique"), POSITIVES, ids=[c[0] for c in POSITIVES])
def test_positive_cases(name: str, body: str, head: str, technique: str) -> None:
    findings = run([page(body, head)])
    assert len(findings) == 1, name
    f = findings[0]
    assert f.check == "content.dark_link" and f.detail["technique"] == technique
    assert f.evidence.locator.startswith("css:") and f.evidence.warc_record == "<urn:uuid:dark-1>"
    assert f.evidence.reason.startswith("hidden by") and f.evidence.excerpt


@pytest.mark.parametrize(("name", "body", "head"), NEGATIVES, ids=[c[0] for c in NEGATIVES])
def test_negative_cases(name: str, body: str, head: str) -> None:
    assert run([page(body, head)]) == []


def test_a_term_split_over_short_elements_is_found() -> None:
    # the page text has one node per line (真\n人\n…); the hidden block reads them as 真 人 百 家 乐
    split = "".join(f"<span>{c}</span>" for c in "真人百家乐")
    findings = run([page(f'<div style="display:none">{split}</div>')])
    assert [(f.detail["technique"], f.detail["terms"]) for f in findings] == [("display_none", ["真人百家乐"])]
    tail = run([page('<div style="display:none"><p>欢迎光临真人百</p><span>家</span><span>乐</span>'
                     '<span>网</span></div>')])
    assert [f.detail["terms"] for f in tail] == [["百家乐"]]
    # near misses: short visible nodes (pagination, a split term shown openly) and short hidden menu items
    assert run([page(f"<div class='page'><a href='?p=1'>1</a><a href='?p=2'>2</a><a href='?p=3'>3</a>"
                     f"<a href='?p=4'>下页</a></div><p>{split}</p>")]) == []
    assert run([page("<ul style='display:none'><li>首页</li><li>概况</li><li>政务</li><li>互动</li></ul>")]) == []


def test_obfuscated_script_links() -> None:
    codes = ",".join(str(ord(c)) for c in '<a href="http://www.spam.cc/">casino</a>')
    findings = run([page(f"<script>document.write(String.fromCharCode({codes}));</script>")])
    assert [f.detail["technique"] for f in findings] == ["script_written"]
    assert findings[0].target == "http://www.spam.cc/" and findings[0].detail["how"] == "obfuscated script"
    hexed = "".join(f"\\x{ord(c):02x}" for c in '<a href="http://h.example.com/">x</a>')
    assert [f.target for f in run([page(f"<script>document.writeln('{hexed}')</script>")])] == ["http://h.example.com/"]


def test_decode_script_undoes_common_obfuscation() -> None:
    decoded, changed = decode_script("document.write(unescape('%3Ca%20href%3D%22http%3A//x.cc/%22%3E'))")
    assert changed and '<a href="http://x.cc/">' in decoded
    decoded, changed = decode_script("document.write(atob('PGEgaHJlZj0iaHR0cDovL3guY2MvIj54PC9hPg=='))")
    assert changed and 'href="http://x.cc/"' in decoded
    assert decode_script("var a = 1;") == ("var a = 1;", False)


def test_css_parsing_and_declarations() -> None:
    rules, toggles = parse_style_rules("@media print{.a{display:none}} #x, .y .z{display:none} .m:hover .n{display:block}")
    assert [r.selector for r in rules] == ["#x", ".y .z"]
    assert toggles == {"m", "n"}
    assert parse_declarations("COLOR:#FFF; display : none !important") == {"color": "#fff", "display": "none"}
    assert hiding_technique({"position": "absolute", "left": "-20px"}) is None
    assert hiding_technique({"text-indent": "-2em"}) is None
    assert hiding_technique({"font-size": "12px"}) is None


def test_cloaking_spider_view_with_spam() -> None:
    browser = page("", url=HOME)
    spider = page('<div><a href="http://c1.example.com/">澳门新葡京</a></div>', url=HOME)
    findings = run([browser], {"spider_view": spider})
    assert [f.detail["technique"] for f in findings] == ["cloaking"]
    assert findings[0].detail["terms"] == ["澳门新葡京"] and findings[0].detail["links"] == ["example.com"]
    assert "search-engine" in findings[0].evidence.reason


def test_cloaking_near_misses() -> None:
    browser = page('<a href="http://www.icbc.com.cn/">工商银行</a>', url=HOME)
    assert run([browser], {"spider_view": page('<a href="http://www.icbc.com.cn/">工商银行</a>', url=HOME)}) == []
    # one extra harmless foreign domain (a rotating banner) is not cloaking
    assert run([browser], {"spider_view": page('<a href="http://www.ccb.com/">建设银行</a>', url=HOME)}) == []
    # two extra foreign domains served only to the spider are
    two = page('<a href="http://x1.example.org/">a</a><a href="http://x2.example.net/">b</a>', url=HOME)
    assert [f.detail["technique"] for f in run([browser], {"spider_view": two})] == ["cloaking"]


def test_rendered_facts_confirm_hidden_links() -> None:
    home = page('<div class="gg"><a href="http://r1.example.com/">乐鱼体育</a></div><a href="http://www.icbc.com.cn/">工商银行</a>',
                head='<link rel="stylesheet" href="/s.css">')
    rendered = {home.url: {"url": home.url, "error": None, "screenshot": "shots/x.png", "links": [
        {"href": "http://r1.example.com/", "text": "乐鱼体育", "visible": False, "reasons": ["off screen"],
         "box": {"x": -3000, "y": 0, "width": 50, "height": 18}, "locator": "css:div.gg > a"},
        {"href": "http://www.icbc.com.cn/", "text": "工商银行", "visible": True, "reasons": []},
        {"href": HOME + "zwgk/", "text": "政务公开", "visible": False, "reasons": ["display:none on css:ul"]},
    ]}}
    findings = run([home], {"rendered": rendered})
    assert [(f.detail["technique"], f.target) for f in findings] == [("rendered", "http://r1.example.com/")]
    assert findings[0].evidence.screenshot == "shots/x.png" and "off screen" in findings[0].evidence.reason


def test_pages_needing_render() -> None:
    plain = page('<p><a href="/a.html">内部</a></p>', url=HOME)
    styled = page('<div class="gg"><a href="http://r1.example.com/">乐鱼</a></div>', head='<link rel="stylesheet" href="/s.css">',
                  url=HOME + "a.html")
    written = page("<script>document.write('<a href=\"http://w.example.com/\">w</a>')</script>", url=HOME + "b.html")
    settled = page('<div style="display:none"><a href="http://h.example.com/">x</a></div>',
                   head='<link rel="stylesheet" href="/s.css">', url=HOME + "c.html")
    gov_only = page('<a href="http://www.gd.gov.cn/">省政府</a>', head='<link rel="stylesheet" href="/s.css">', url=HOME + "d.html")
    view = SiteView(site=site(), homepage=plain, pages=[plain, styled, written, settled, gov_only])
    assert pages_needing_render(view) == [HOME + "a.html", HOME + "b.html"]


def test_pages_beyond_homepage_are_checked_and_capped() -> None:
    inner = page("".join(f'<div style="display:none"><a href="http://s{i}.example.com/">时时彩</a></div>' for i in range(30)),
                 url=HOME + "x.html")
    findings = run([page(""), inner])
    assert len(findings) == DarkLinks.Params().max_findings_per_page
    assert {f.url for f in findings} == {HOME + "x.html"}


def test_bad_input_is_bounded() -> None:
    nested = "<div>" * 10_000 + '<div style="display:none"><a href="http://n.example.com/">百家乐</a></div>' + "</div>" * 10_000
    started = time.perf_counter()
    assert [f.detail["technique"] for f in run([page(nested)])] == ["display_none"]
    huge = page("<p>" + "正文内容。" * 4_000_000 + "</p>" + '<p style="font-size:0"><a href="http://z.example.com/">x</a></p>')
    assert [f.detail["technique"] for f in run([huge])] == ["tiny_font"]
    junk = b"<div style=\"display:none\">\xff\xfe<a href='http://j.example.com/'>\xc3(</a></div>".decode("utf-8", "replace")
    assert len(run([page(junk)])) == 1
    assert time.perf_counter() - started < 60
    many = page("".join(f'<div class="c{i}">x</div>' for i in range(20_000)),
                head="<style>" + "".join(f".c{i}{{color:red}}" for i in range(3000)) + "</style>")
    assert find_hidden_blocks(many) == []


def test_corpus_accuracy_meets_targets() -> None:
    path = Path(__file__).parents[1] / "benchmarks" / "content_accuracy.py"
    spec = importlib.util.spec_from_file_location("content_accuracy", path)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("content_accuracy", bench)
    spec.loader.exec_module(bench)
    result = bench.evaluate(next(s for s in bench.sections() if s.check == "content.dark_link"))
    assert result.pages >= 40 and result.tp >= 15
    assert result.precision >= 0.95 and result.recall >= 0.95 and result.fp_rate <= 0.01, result.errors
