"""privacy.leak: unmasked ID numbers, mobiles, bank cards and addresses next to names; never the raw value in output."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from govinspect.archive.pageview import PageView
from govinspect.checks.base import CheckContext
from govinspect.checks.privacy_leak import PrivacyLeak
from govinspect.content.privacy import Kind, PrivacyScanner, mask_id_number, mask_mobile, redact
from govinspect.registry.models import Site, SiteKind

TZ = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2026, 6, 15, 10, 0, tzinfo=TZ)
SITE = Site(site_code="4408820001", name="雷州市人民政府", homepage="http://www.leizhou.gov.cn/",
            region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)


def make_id(prefix17: str) -> str:
    """A resident ID number with the right check digit."""
    return prefix17 + ric.calc_check_digit(prefix17 + "0")


def luhn_complete(partial: str) -> str:
    from stdnum import luhn

    return partial + luhn.calc_check_digit(partial)


ID_OK = make_id("44088219900101123")  # 雷州市 code, born 1990 (before the code existed: still valid)
ID_OK2 = make_id("44098319851231002")
ID_BAD_CHECK = ID_OK[:-1] + ("1" if ID_OK[-1] != "1" else "2")
ID_BAD_DATE = make_id("44088219900231123")  # 31 February
ID_FUTURE = make_id("44088220300101123")  # born after the monitoring point
ID_BAD_PLACE = make_id("99999919900101123")
CARD_OK = luhn_complete("622202123456789012")
CARD_BAD = CARD_OK[:-1] + str((int(CARD_OK[-1]) + 1) % 10)


def ctx() -> CheckContext:
    return CheckContext(as_of=AS_OF, site=SITE, observed_at=AS_OF)


def page(body: str, url: str = "http://www.leizhou.gov.cn/gkmlpt/content/1/1.html") -> PageView:
    return PageView(url, f"<html><head><title>公示</title></head><body>{body}</body></html>")


def kinds(body: str) -> dict[str, int]:
    return {f.detail["kind"]: f.detail["count"] for f in PrivacyLeak().run(page(body), ctx())}


POSITIVES = [
    (f"<p>申请人张三，身份证号码：{ID_OK}，现申请低保。</p>", {"id_number": 1}),
    (f"<p>身份证号{ID_OK.lower()}</p>", {"id_number": 1}),  # lower-case x is still an ID
    ("<p>留言人：王五 电话：13912345678 反映小区噪音问题。</p>", {"mobile": 1}),
    ("<p>手机 +86 139 1234 5678</p>", {"mobile": 1}),
    ("<p>来电群众陈某反映情况，回拨号码139-1234-5678。</p>", {"mobile": 1}),
    (f"<p>补贴发放至本人银行卡号：{CARD_OK}。</p>", {"bank_card": 1}),
    (f"<p>开户行：农业银行雷州支行 账号 {CARD_OK[:4]} {CARD_OK[4:8]} {CARD_OK[8:12]} {CARD_OK[12:16]} {CARD_OK[16:]}</p>",
     {"bank_card": 1}),
    ("<p>姓名：李四；家庭住址：雷州市雷城街道新城路12号3栋201室。</p>", {"address": 1}),
    ("<p>申请人陈小明，住址：雷州市附城镇北和村委会东村28号。</p>", {"address": 1}),
    ("<p>被告人林小强，男，1980年出生，住雷州市雷城街道西湖大道18号。</p>", {"address": 1}),
    (
        "<table><tr><th>序号</th><th>姓名</th><th>身份证号码</th><th>家庭住址</th><th>联系电话</th><th>银行卡号</th></tr>"
        f"<tr><td>1</td><td>黄伟</td><td>{ID_OK}</td><td>雷州市客路镇客路街45号</td><td>13729876543</td>"
        f"<td>{CARD_OK}</td></tr>"
        f"<tr><td>2</td><td>吴芳</td><td>{ID_OK2}</td><td>雷州市纪家镇</td><td>13531234567</td><td>{CARD_BAD}</td></tr>"
        "</table>",
        {"id_number": 2, "address": 1, "mobile": 2, "bank_card": 1},
    ),
    # a spreadsheet saved as HTML: a merged title row above the headers
    (
        "<table><tr><td colspan=3>2021年6月低保资金发放花名册</td></tr><tr><td>序号</td><td>户主姓名</td><td>一卡通账号</td></tr>"
        f"<tr><td>1</td><td>黄伟</td><td>{CARD_OK}</td></tr></table>",
        {"bank_card": 1},
    ),
    # a letter writer giving their own number and address after 联系电话 / 我家住
    ("<p>我家住雷州市雷城街道新城路12号3栋201室，门口路灯坏了。联系电话：13729876543。</p>",
     {"address": 1, "mobile": 1}),
    ("<p>失主黄伟，联系电话13729876543，请到派出所认领。</p>", {"mobile": 1}),
    # a 送达公告 addressing the person by name, then 你的住所地
    ("<p>黄伟：</p><p>本院受理原告诉你借款合同纠纷一案，因你下落不明，现公告送达。你的住所地为雷州市客路镇客路街45号。</p>",
     {"address": 1}),
    # a record of label：value lines
    ("<p>申请人：黄伟　电话：0759-8881234</p><p>申请建房地址：雷州市客路镇东村28号</p>", {"address": 1}),
]

NEGATIVES = [
    f"<p>身份证号：{ID_BAD_CHECK}</p>",  # bad check digit
    f"<p>身份证号：{ID_BAD_DATE}</p>",  # impossible birth date
    f"<p>身份证号：{ID_FUTURE}</p>",  # born after the monitoring point
    f"<p>身份证号：{ID_BAD_PLACE}</p>",  # no such division
    f"<p>身份证号：{ID_OK[:4]}**********{ID_OK[-4:]}，姓名：张*</p>",  # masked
    "<p>身份证号：440***********1234</p>",
    "<p>联系电话：138****1234</p>",  # masked mobile
    "<p>办公电话：0759-1234567，传真：0759-7654321</p>",  # office numbers
    "<p>政务服务便民热线12345，消费者投诉举报专线12315，报警请拨110。</p>",  # hotlines
    "<p>示例：手机号码格式如13800138000。</p>",  # example number
    "<p>请输入手机号，如：11111111111 或 12345678901。</p>",
    f"<p>卡号：{CARD_BAD}</p>",  # fails Luhn
    f"<p>流水编号 {CARD_OK} 已归档。</p>",  # Luhn-valid but no card context
    f"<p>户名：雷州市财政局非税收入专户 账号：{CARD_OK}</p>",  # an organisation's account
    '<p>详见 http://www.leizhou.gov.cn/attach/13912345678.pdf</p>',  # number inside a URL
    '<script>var t = "13912345678"; var id = "' + ID_OK + '";</script><p>正文</p>',  # script code
    "<p>联系人：王科长，联系电话：13712349876。</p>",  # a published work contact
    "<p>申请人：张*，住址：雷州市雷城街道。</p>",  # masked name, township-level address
    "<p>姓名：李四；家庭住址：雷州市雷城街道新城社区。</p>",  # township/community level is allowed
    "<p>雷州市林业局，地址：雷州市雷城街道西湖大道18号。</p>",  # an office address
    "<p>办理地点：雷州市政务服务中心（新城大道12号）3号窗口。</p>",
    (
        "<table><tr><th>单位</th><th>职务</th><th>姓名</th><th>联系电话</th></tr>"
        "<tr><td>雷城街道办</td><td>主任</td><td>何明</td><td>13922223333</td></tr>"
        "<tr><td>附城镇政府</td><td>镇长</td><td>梁军</td><td>13544445555</td></tr></table>"
    ),  # an office contact table
    "<p>统一社会信用代码：11440882007123456X</p>",
    "<p>填写说明：公民身份号码例如11010519491231002X，前6位为地址码。</p>",  # the standard's example
    "<p>全年争取上级转移支付资金13524000000元。</p>",  # an amount, not a mobile
    "<p>地址：雷州市人民政府行政中心\xa0\xa0电话：0759-8881234 粤ICP备12345678号</p>",  # a footer
    "<p>黄伟：</p><p>经研究，同意你单位的申请。</p>",  # a salutation without an address
]


@pytest.mark.parametrize(("body", "expected"), POSITIVES)
def test_positive_cases(body: str, expected: dict[str, int]) -> None:
    assert kinds(body) == expected


@pytest.mark.parametrize("body", NEGATIVES)
def test_negative_and_near_miss_cases(body: str) -> None:
    assert kinds(body) == {}


def test_raw_values_never_reach_the_serialized_finding() -> None:
    body = (f"<p>申请人黄伟，身份证号{ID_OK}，手机13729876543，银行卡号{CARD_OK}，"
            "家庭住址：雷州市客路镇客路街45号。</p>")
    findings = list(PrivacyLeak().run(page(body), ctx()))
    assert {f.detail["kind"] for f in findings} == {"id_number", "mobile", "bank_card", "address"}
    for finding in findings:
        blob = json.dumps(finding.to_json_dict(), ensure_ascii=False)
        for raw in (ID_OK, "13729876543", CARD_OK, "客路街45号", "黄伟"):
            assert raw not in blob, (raw, blob)
    by_kind = {f.detail["kind"]: f for f in findings}
    assert by_kind["id_number"].detail["examples"] == [ID_OK[:4] + "*" * 10 + ID_OK[-4:]]
    assert by_kind["mobile"].detail["examples"] == ["137****6543"]
    assert "137****6543" in by_kind["mobile"].evidence.excerpt
    assert by_kind["id_number"].evidence.locator.startswith("css:")


def test_evidence_carries_the_warc_record_and_counts_distinct_values() -> None:
    p = page("<p>手机13912345678</p><p>再次：13912345678</p><p>另一人：13587654321</p>")
    p.warc_record_id = "<urn:uuid:1234>"
    (finding,) = PrivacyLeak().run(p, ctx())
    assert finding.detail == {"kind": "mobile", "count": 2, "examples": ["139****5678", "135****4321"]}
    assert finding.evidence.warc_record == "<urn:uuid:1234>"
    assert finding.check == "privacy.leak" and finding.site_code == "4408820001"


def test_kinds_param_limits_what_is_reported() -> None:
    check = PrivacyLeak(PrivacyLeak.Params(kinds=(Kind.ID_NUMBER,)))
    findings = list(check.run(page(f"<p>身份证{ID_OK} 手机13912345678</p>"), ctx()))
    assert [f.detail["kind"] for f in findings] == ["id_number"]


def test_old_fifteen_digit_ids_only_when_enabled_and_next_to_the_word() -> None:
    body = "<p>身份证号：440882900101123</p><p>注册号：440882600123456</p>"
    assert kinds(body) == {}
    check = PrivacyLeak(PrivacyLeak.Params(old_id_numbers=True))
    findings = list(check.run(page(body), ctx()))
    assert [(f.detail["kind"], f.detail["count"]) for f in findings] == [("id_number", 1)]


def test_masking_helpers() -> None:
    assert mask_id_number("44088219900101123X") == "4408**********123X"
    assert mask_mobile("+86 139-1234-5678") == "139****5678"
    scanner = PrivacyScanner()
    text = f"身份证{ID_OK}，另有编号123456789012"
    items = scanner.scan(text, today=date(2026, 1, 1))
    out = redact(text, items)
    assert ID_OK not in out and "123456789012" not in out


@settings(max_examples=60, deadline=None)
@given(
    region=st.sampled_from(["440882", "440983", "110107", "440803"]),
    born=st.dates(min_value=date(1950, 1, 1), max_value=date(2010, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
    position=st.integers(min_value=14, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_validator_accepts_generated_ids_and_rejects_single_digit_changes(
    region: str, born: date, seq: int, position: int, delta: int
) -> None:
    scanner = PrivacyScanner()
    number = make_id(f"{region}{born:%Y%m%d}{seq:03d}")
    assert scanner.valid_id_number(number, date(2026, 1, 1))
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1:]
    assert not scanner.valid_id_number(changed, date(2026, 1, 1))


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_scanner_never_raises_on_arbitrary_text(text: str) -> None:
    items = PrivacyScanner().scan(text)
    assert all(0 <= i.start < i.end <= len(text) for i in items)


def test_judgement_style_person_with_gender_marker() -> None:
    assert kinds("<p>林小强，男，1980年5月出生，汉族，住雷州市雷城街道西湖大道18号。</p>") == {"address": 1}
    assert kinds("<p>林某强，男，1980年出生，住雷州市雷城街道西湖大道18号。</p>") == {}


def _corpus_cases() -> list[dict[str, object]]:
    from pathlib import Path

    labels = Path(__file__).parent / "fixtures" / "privacy" / "labels.json"
    return json.loads(labels.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", _corpus_cases(), ids=lambda c: str(c["file"]))
def test_labelled_corpus(case: dict[str, object]) -> None:
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "privacy" / str(case["file"])
    findings = list(PrivacyLeak().run(PageView("http://www.leizhou.gov.cn/" + path.name, path.read_text("utf-8")), ctx()))
    assert sorted(f.detail["kind"] for f in findings) == sorted(case.get("kinds") or []), case["note"]
    html = path.read_text("utf-8")
    for f in findings:  # no raw number of the page survives into the finding
        blob = json.dumps(f.to_json_dict(), ensure_ascii=False)
        for example in f.detail["examples"]:
            assert "*" in example
        assert not any(raw in blob for raw in _raw_numbers(html)), blob


def _raw_numbers(html: str) -> set[str]:
    import re

    return {m for m in re.findall(r"\d{11,19}[Xx]?", html)}


def test_a_number_split_over_elements_of_a_table_cell_is_found() -> None:
    # the cell reads 139 1234 5678; the page text has 139, 1234 and 5678 on lines of their own
    cells = "<td><span>139</span><span>1234</span><span>5678</span></td>"
    assert kinds(f"<table><tr><th>姓名</th><th>手机</th></tr><tr><td>张三</td>{cells}</tr></table>") == {"mobile": 1}
    # near miss: short numbers on lines of their own are no number at all
    assert kinds("<table><tr><th>姓名</th><th>编号</th></tr><tr><td>张三</td><td><span>139</span><span>12</span>"
                 "</td></tr></table>") == {}
