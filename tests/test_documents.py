"""load_document: real PDF/DOCX/XLSX/XLS/HTML/text files into PageViews; bad files give one clear error."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from govinspect.content.documents import DocumentError, load_document, sniff_kind
from govinspect.errors import GovinspectError

FIXTURES = Path(__file__).parent / "fixtures" / "documents"


def minimal_pdf(pages: list[list[str]]) -> bytes:
    """A small valid PDF with one Helvetica text line per entry (hand-built, no PDF library)."""
    objects: list[str] = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for lines in pages:
        content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
        page_no = len(objects) + 1
        kids.append(f"{page_no} 0 R")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {page_no + 1} 0 R "
                       f"/Resources << /Font << /F1 {page_no + 2} 0 R >> >> >>")
        objects.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def docx_bytes() -> bytes:
    document = docx.Document()
    document.core_properties.title = "低保申请公示"
    document.add_paragraph("申请人张三，身份证号44088219900101123X。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "姓名", "联系电话"
    table.cell(1, 0).text, table.cell(1, 1).text = "李四", "13729876543"
    document.add_paragraph("雷州市民政局 <script>alert(1)</script>")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "名单"
    sheet.append(["姓名", "身份证号码", "联系电话"])
    sheet.append(["王五", "44088219900101123X", 13729876543])
    workbook.create_sheet("空表")
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


def test_pdf_text_pages_and_file_url(tmp_path: Path) -> None:
    pdf = minimal_pdf([["Applicant ID 44088219900101123X"], ["Mobile 13729876543"]])
    page = load_document(pdf, name=str(tmp_path / "notice.pdf"))
    assert page.role == "attachment"
    assert page.url == (tmp_path / "notice.pdf").as_uri()
    assert page.content_type == "application/pdf"
    assert "44088219900101123X" in page.text and "13729876543" in page.text
    assert "第2页" in page.text


def test_url_name_becomes_the_page_url() -> None:
    page = load_document(minimal_pdf([["x"]]), name="http://www.leizhou.gov.cn/attach/a.pdf")
    assert page.url == "http://www.leizhou.gov.cn/attach/a.pdf"


def test_docx_paragraphs_tables_title_and_escaping() -> None:
    page = load_document(docx_bytes(), name="gs.docx")
    assert page.title == "低保申请公示"
    assert "申请人张三" in page.text
    rows = [[c.text() for c in tr.css("th, td")] for tr in page.tree.css("tr")]
    assert rows == [["姓名", "联系电话"], ["李四", "13729876543"]]
    assert page.tree.css_first("script") is None  # text was escaped, not injected
    assert "<script>alert(1)</script>" in page.text


def test_xlsx_sheets_become_tables() -> None:
    page = load_document(xlsx_bytes(), name="名单.xlsx")
    rows = [[c.text() for c in tr.css("th, td")] for tr in page.tree.css("tr")]
    assert rows == [["姓名", "身份证号码", "联系电话"], ["王五", "44088219900101123X", "13729876543"]]
    assert [h.text() for h in page.tree.css("h2")] == ["名单", "空表"]


def test_xls_fixture_is_read_with_xlrd() -> None:
    page = load_document((FIXTURES / "subsidy_list.xls").read_bytes(), name="subsidy_list.xls")
    rows = [[c.text() for c in tr.css("th, td")] for tr in page.tree.css("tr")]
    assert rows[0] == ["序号", "姓名", "身份证号码", "联系电话", "补助金额"]
    assert rows[1] == ["1", "黄伟", "44088219900101123X", "13729876543", "1200"]


@pytest.mark.parametrize(
    ("data", "name", "content_type", "text"),
    [
        ("<html><head><meta charset=gb2312><title>通知</title></head><body>雷州市𠮷字</body></html>".encode("gb18030"),
         "a.html", None, "雷州市𠮷字"),
        ("\ufeff<html><body>带BOM的页面</body></html>".encode("utf-8"), "b.htm", None, "带BOM的页面"),
        ("纯文本，申请人张三".encode("gbk"), "c.txt", None, "纯文本，申请人张三"),
        ("utf-8 文本".encode("utf-8"), "d", "text/plain; charset=utf-8", "utf-8 文本"),
    ],
)
def test_html_and_text_charsets(data: bytes, name: str, content_type: str | None, text: str) -> None:
    page = load_document(data, name=name, content_type=content_type)
    assert text in page.text


def test_html_is_kept_as_html() -> None:
    page = load_document(b"<html><head><title>T</title></head><body><a href='/x'>x</a></body></html>",
                         name="http://www.leizhou.gov.cn/p.html")
    assert page.title == "T" and [link.url for link in page.links] == ["http://www.leizhou.gov.cn/x"]


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf([["secret"]]))))
    writer.encrypt(user_password="secret", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def zip_bomb_docx() -> bytes:
    """A zip named .docx whose document.xml inflates 2000:1 (only the central directory is read)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b"a" * (60 * 1024 * 1024))
    return buf.getvalue()


def many_members_xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for i in range(10_001):
            archive.writestr(f"xl/p{i}.xml", "")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (encrypted_pdf, "locked.pdf", "password-protected"),
        (lambda: minimal_pdf([["x"]])[:150], "cut.pdf", "corrupt or unreadable PDF"),
        (lambda: b"%PDF-1.4\n" + b"\x00garbage" * 50, "junk.pdf", "corrupt or unreadable PDF"),
        (zip_bomb_docx, "bomb.docx", "zip bomb"),
        (many_members_xlsx, "parts.xlsx", "zip bomb"),
        (lambda: docx_bytes()[:2000], "cut.docx", "corrupt Office file"),
        (lambda: b"PK\x03\x04" + b"\x00" * 100, "fake.xlsx", "corrupt Office file"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "bad.xls", "corrupt or unreadable XLS"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.doc", "legacy Word .doc"),
        (lambda: b"not really a pdf", "lies.pdf", "corrupt or unreadable PDF"),
        (lambda: b"\x00\x01\x02\x03" * 100, "blob.bin", "unsupported document type"),
    ],
)
def test_bad_documents_raise_one_clear_line(make, name: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DocumentError) as info:
        load_document(make(), name=name)
    text = str(info.value)
    assert message in text and name in text and "\n" not in text
    assert isinstance(info.value, GovinspectError)


def test_limits_on_bytes_pages_and_text() -> None:
    with pytest.raises(DocumentError, match="more than the 100 allowed"):
        load_document(b"x" * 101, name="a.txt", max_bytes=100)
    with pytest.raises(DocumentError, match="3 pages, more than the 2 allowed"):
        load_document(minimal_pdf([["a"], ["b"], ["c"]]), name="long.pdf", max_pages=2)
    with pytest.raises(DocumentError, match="characters of text"):
        load_document("字".encode() * 2000, name="big.txt", max_text_chars=1000)
    with pytest.raises(DocumentError, match="cells"):
        load_document(xlsx_bytes(), name="x.xlsx", max_cells=4)


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [(b"%PDF-1.7 ...", "x.bin", "pdf"), (b"<!DOCTYPE html><p>", "x", "html"), (b"plain", "x.txt", "text"),
     (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "x.xls", "xls")],
)
def test_sniff_kind_prefers_magic_bytes(data: bytes, name: str, kind: str) -> None:
    assert sniff_kind(data, name=name) == kind


def test_docx_and_xlsx_told_apart_by_their_parts() -> None:
    assert sniff_kind(docx_bytes(), name="renamed.xlsx") == "docx"
    assert sniff_kind(xlsx_bytes(), name="renamed.docx") == "xlsx"


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=2048), ext=st.sampled_from([".pdf", ".docx", ".xlsx", ".xls", ".html", ".txt", ""]))
def test_arbitrary_bytes_give_a_page_or_a_document_error(data: bytes, ext: str) -> None:
    try:
        page = load_document(data, name="f" + ext)
    except DocumentError:
        return
    assert page.role == "attachment"
    assert isinstance(page.text, str)


def test_pdf_time_budget_is_checked_between_pages() -> None:
    with pytest.raises(DocumentError, match="took more than -1 s"):
        load_document(minimal_pdf([["a"], ["b"]]), name="slow.pdf", max_seconds=-1)
