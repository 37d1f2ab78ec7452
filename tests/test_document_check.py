"""check_documents: the page checks on local files and on one URL served from loopback."""

from __future__ import annotations

import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from govinspect.content.documents import DocumentError
from govinspect.document_check import check_documents, check_documents_with_runs
from govinspect.findings.model import Outcome
from govinspect.settings import load_settings

ID_OK = "44088219900101123X"
REGION = "广东省/湛江市/雷州市"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    html = tmp_path / "县情.html"
    html.write_text(
        "<html><head><meta charset='gbk'><title>雷州市情</title></head><body>"
        "<p>信宜市位于广东省西南部，辖13个镇。</p><p>申请人张三，身份证号码" + ID_OK + "。</p></body></html>",
        encoding="gbk",
    )
    document = docx.Document()
    document.add_paragraph("深入学习贯彻习近平新时代中国特色社会主意思想。")
    document.add_paragraph("来电群众陈某手机13729876543，已登记。")
    buf = io.BytesIO()
    document.save(buf)
    word = tmp_path / "draft.docx"
    word.write_bytes(buf.getvalue())
    clean = tmp_path / "clean.txt"
    clean.write_text("雷州市位于雷州半岛中部，东邻遂溪县。办公电话：0759-1234567。", encoding="utf-8")
    return {"html": html, "docx": word, "clean": clean}


def test_files_are_checked_with_page_checks(files: dict[str, Path]) -> None:
    settings = load_settings()
    findings = check_documents([str(files["html"]), str(files["docx"]), str(files["clean"])], settings, REGION)
    got = {(Path(f.url).name if not f.url.startswith("file://") else f.url.rsplit("/", 1)[-1], f.check,
            f.detail.get("kind") or f.detail.get("other_region")) for f in findings
           if f.check in ("privacy.leak", "content.wrong_region", "content.serious_error")}
    html_url = files["html"].absolute().as_uri().rsplit("/", 1)[-1]
    assert got == {
        (html_url, "privacy.leak", "id_number"),
        (html_url, "content.wrong_region", "广东省/茂名市/信宜市"),
        ("draft.docx", "content.serious_error", "phrase"),
        ("draft.docx", "privacy.leak", "mobile"),
    }
    for f in findings:
        assert f.url.startswith("file://")
        assert ID_OK not in json.dumps(f.to_json_dict(), ensure_ascii=False)


def test_every_page_check_records_an_outcome(files: dict[str, Path]) -> None:
    findings, runs = check_documents_with_runs([str(files["clean"])], load_settings(), None)
    by_check = {r.check: r.outcome for r in runs}
    assert by_check["privacy.leak"] is Outcome.COMPLETED
    assert by_check["content.serious_error"] is Outcome.COMPLETED
    assert "content.wrong_region" in by_check  # no region: not applicable to each page, still recorded
    assert not [f for f in findings if f.check in ("privacy.leak", "content.serious_error", "content.wrong_region")]
    assert all(r.outcome is not Outcome.ERROR for r in runs), [r for r in runs if r.outcome is Outcome.ERROR]


def test_unreadable_documents_stop_before_checking(files: dict[str, Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n\x00\x00")
    with pytest.raises(DocumentError) as info:
        check_documents([str(files["clean"]), str(broken), str(tmp_path / "missing.docx")], load_settings(), REGION)
    message = str(info.value)
    assert "cannot read 2 of 3" in message and "broken.pdf" in message and "missing.docx: no such file" in message
    with pytest.raises(DocumentError, match="no documents"):
        check_documents([], load_settings(), REGION)


class _Handler(http.server.BaseHTTPRequestHandler):
    pages = {
        "/gk/index.html": ("text/html; charset=gbk",
                           "<html><head><title>县情简介</title></head><body><p>信宜市辖13个镇。</p>"
                           "<p>留言人电话13729876543</p></body></html>".encode("gbk")),
        "/attach/list.docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b""),
    }

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        entry = self.pages.get(self.path)
        if entry is None:
            self.send_response(404)
            self.end_headers()
            return
        ctype, body = entry
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    document = docx.Document()
    document.add_paragraph("申请人张三，身份证号码" + ID_OK)
    buf = io.BytesIO()
    document.save(buf)
    _Handler.pages["/attach/list.docx"] = (_Handler.pages["/attach/list.docx"][0], buf.getvalue())
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_urls_are_fetched_over_loopback(server: str) -> None:
    settings = load_settings(fetch={"allow_private": True, "retries": 0})
    findings = check_documents([f"{server}/gk/index.html", f"{server}/attach/list.docx"], settings, REGION)
    got = {(f.url.rsplit("/", 1)[-1], f.check, f.detail.get("kind") or f.detail.get("other_region"))
           for f in findings if f.check in ("privacy.leak", "content.wrong_region")}
    assert got == {
        ("index.html", "content.wrong_region", "广东省/茂名市/信宜市"),
        ("index.html", "privacy.leak", "mobile"),
        ("list.docx", "privacy.leak", "id_number"),
    }


def test_private_urls_are_refused_without_allow_private(server: str) -> None:
    with pytest.raises(DocumentError, match="fetch failed"):
        check_documents([f"{server}/gk/index.html"], load_settings(fetch={"retries": 0}), REGION)


def test_missing_url_is_reported(server: str) -> None:
    settings = load_settings(fetch={"allow_private": True, "retries": 0})
    with pytest.raises(DocumentError, match="HTTP 404"):
        check_documents([f"{server}/nope.html"], settings, REGION)
