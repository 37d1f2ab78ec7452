"""Documents (HTML, text, PDF, DOCX, XLSX, XLS) turned into a :class:`PageView` the page checks can read.

Used for crawled attachments and by ``govinspect check FILE``. Everything is bounded: the input size,
the number of PDF pages and spreadsheet cells, the extracted text, and zip containers are measured
(member count, uncompressed sizes, compression ratio) before a single member is inflated, so a zip
bomb named ``.docx`` costs nothing. Password-protected, corrupt or unsupported files raise
:class:`DocumentError` with a one-line message naming the problem.
"""

from __future__ import annotations

import codecs
import html
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from govinspect.archive.pageview import PageView
from govinspect.errors import GovinspectError

MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 500
MAX_TEXT_CHARS = 20 * 1024 * 1024
MAX_CELLS = 2_000_000
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_TYPES = ("text/plain", "text/csv")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class DocumentError(GovinspectError):
    """A document cannot be read (corrupt, encrypted, too large, unsupported)."""


def load_document(
    data: bytes,
    *,
    name: str,
    content_type: str | None = None,
    url: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_pages: int = MAX_PAGES,
    max_text_chars: int = MAX_TEXT_CHARS,
    max_cells: int = MAX_CELLS,
    max_seconds: float = 120.0,
) -> PageView:
    """Extract the text of one document into a PageView (``role="attachment"``).

    ``name`` is a file path or URL (its extension helps tell the type); ``url`` defaults to ``name``
    when that is an http(s) URL, else to the file's ``file://`` URL. The magic bytes decide before the
    extension or ``content_type``.
    """
    label = _label(name)
    if len(data) > max_bytes:
        raise DocumentError(f"{label}: {len(data)} bytes, more than the {max_bytes} allowed; split the file "
                            f"or raise the limit")
    page_url = url or _url_for(name)
    kind = sniff_kind(data, name=name, content_type=content_type)
    if kind == "html":
        text, encoding = decode_text(data, content_type)
        _check_text_size(label, text, max_text_chars)
        return PageView(page_url, text, encoding=encoding, role="attachment", content_type="text/html")
    if kind == "text":
        text, encoding = decode_text(data, content_type)
        _check_text_size(label, text, max_text_chars)
        return _page(page_url, Path(label).stem, [("p", text)], "text/plain", encoding)
    if kind == "pdf":
        title, blocks = _pdf(data, label, max_pages, max_text_chars, max_seconds)
        return _page(page_url, title or Path(label).stem, blocks, "application/pdf")
    if kind == "docx":
        _check_zip(data, label)
        title, blocks = _docx(data, label, max_text_chars)
        return _page(page_url, title or Path(label).stem, blocks,
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    if kind == "xlsx":
        _check_zip(data, label)
        blocks = _xlsx(data, label, max_cells, max_text_chars)
        return _page(page_url, Path(label).stem, blocks,
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if kind == "xls":
        blocks = _xls(data, label, max_cells, max_text_chars)
        return _page(page_url, Path(label).stem, blocks, "application/vnd.ms-excel")
    if kind == "doc":
        raise DocumentError(f"{label}: legacy Word .doc files are not supported; save it as .docx or PDF")
    raise DocumentError(f"{label}: unsupported document type; use HTML, text, PDF, DOCX, XLSX or XLS")


def sniff_kind(data: bytes, *, name: str = "", content_type: str | None = None) -> str:
    """``html`` / ``text`` / ``pdf`` / ``docx`` / ``xlsx`` / ``xls`` / ``doc`` / ``unknown``."""
    head = data[:1024]
    ext = Path(urlsplit(name).path if "://" in name else name).suffix.lower()
    ctype = (content_type or "").split(";")[0].strip().lower()
    if head.lstrip().startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        names = _zip_names(data)
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return {".docx": "docx", ".xlsx": "xlsx"}.get(ext, "unknown")
    if head.startswith(_OLE_MAGIC):
        if ext == ".doc" or "msword" in ctype:
            return "doc"
        return "xls"
    if ext in (".pdf", ".docx", ".xlsx", ".xls", ".doc"):
        # the extension promises a binary format the bytes do not have
        return ext[1:] if ext != ".doc" else "doc"
    sample = head.lower()
    if ctype in _HTML_TYPES or ext in (".html", ".htm", ".shtml", ".xhtml") or b"<html" in sample \
            or b"<!doctype html" in sample or b"<body" in sample:
        return "html"
    if ctype in _TEXT_TYPES or ext in (".txt", ".text", ".csv", ".md", "") or ctype.startswith("text/"):
        return "text"
    return "unknown"


def decode_text(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode HTML or text: BOM, HTTP charset, ``<meta charset>``, then detection (GB-family → gb18030)."""
    from govinspect.fetch.charset import looks_binary, sniff_encoding

    if looks_binary(data):
        raise DocumentError("file looks binary, not text or HTML; check the file type")
    encoding = sniff_encoding(data, content_type)
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if data.startswith(bom) and encoding.replace("-sig", "") in ("utf-8", "utf-16-le", "utf-16-be"):
            data = data[len(bom):]
            break
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return data.decode(encoding if _known(encoding) else "utf-8", errors="replace"), encoding


# --- formats ---------------------------------------------------------------------------------------

Block = tuple[str, object]  # ("p", text) or ("table", list[list[str]]) or ("h2", text)


def _pdf(data: bytes, label: str, max_pages: int, max_text_chars: int,
         max_seconds: float) -> tuple[str, list[Block]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several types for unsupported crypto
                opened = 0
            if not opened:
                raise DocumentError(f"{label}: PDF is password-protected; remove the password before checking")
        count = len(reader.pages)
        if count > max_pages:
            raise DocumentError(f"{label}: PDF has {count} pages, more than the {max_pages} allowed; split it "
                                f"or raise the page limit")
        title = ""
        try:
            meta = reader.metadata
            title = str(meta.title or "") if meta is not None else ""
        except (PyPdfError, ValueError, KeyError, TypeError):
            title = ""
        blocks: list[Block] = []
        total = 0
        started = time.monotonic()
        for number, page in enumerate(reader.pages, start=1):
            if time.monotonic() - started > max_seconds:
                raise DocumentError(f"{label}: text extraction took more than {max_seconds:.0f} s (at page "
                                    f"{number}); re-export the PDF or split it")
            text = page.extract_text() or ""
            total += len(text)
            if total > max_text_chars:
                raise DocumentError(f"{label}: more than {max_text_chars} characters of text; split the file")
            blocks.append(("h2", f"第{number}页"))
            blocks.extend(("p", line) for line in text.splitlines() if line.strip())
        return title, blocks
    except DocumentError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, NotImplementedError, AssertionError, ZeroDivisionError) as exc:
        raise DocumentError(f"{label}: corrupt or unreadable PDF ({type(exc).__name__}: {_short(exc)}); "
                            f"re-export the PDF") from None


def _docx(data: bytes, label: str, max_text_chars: int) -> tuple[str, list[Block]]:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise DocumentError("python-docx is not installed; reinstall govinspect") from None
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError, AttributeError) as exc:
        raise DocumentError(f"{label}: corrupt or unreadable DOCX ({type(exc).__name__}: {_short(exc)}); "
                            f"re-save it in Word or WPS") from None
    except Exception as exc:  # lxml.etree.XMLSyntaxError and friends
        raise DocumentError(f"{label}: corrupt DOCX XML ({type(exc).__name__}); re-save it in Word or WPS") from None
    title = ""
    try:
        title = document.core_properties.title or ""
    except (KeyError, ValueError, AttributeError):
        title = ""
    blocks: list[Block] = []
    total = 0
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text
            if text.strip():
                blocks.append(("p", text))
                total += len(text)
        elif isinstance(item, Table):
            rows = [[cell.text for cell in row.cells] for row in item.rows]
            blocks.append(("table", rows))
            total += sum(len(c) for r in rows for c in r)
        if total > max_text_chars:
            raise DocumentError(f"{label}: more than {max_text_chars} characters of text; split the file")
    return title, blocks


def _xlsx(data: bytes, label: str, max_cells: int, max_text_chars: int) -> list[Block]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException, XML errors
        raise DocumentError(f"{label}: corrupt or unreadable XLSX ({type(exc).__name__}: {_short(exc)}); "
                            f"re-save it in Excel or WPS") from None
    try:
        sheets = [(ws.title, ws.iter_rows(values_only=True)) for ws in workbook.worksheets]
        return _sheets_to_blocks(sheets, label, max_cells, max_text_chars)
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(f"{label}: corrupt XLSX sheet ({type(exc).__name__}: {_short(exc)}); "
                            f"re-save it in Excel or WPS") from None
    finally:
        workbook.close()


def _xls(data: bytes, label: str, max_cells: int, max_text_chars: int) -> list[Block]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as exc:
        message = str(exc)
        if "encrypt" in message.lower():
            raise DocumentError(f"{label}: XLS is password-protected; remove the password before checking") from None
        raise DocumentError(f"{label}: corrupt or unreadable XLS ({_short(exc)}); re-save it in Excel or WPS") from None
    except Exception as exc:  # xlrd's compound-document reader raises assorted errors on garbage
        raise DocumentError(f"{label}: corrupt or unreadable XLS ({type(exc).__name__}: {_short(exc)}); "
                            f"re-save it in Excel or WPS") from None

    def rows(sheet: object) -> Iterator[tuple[object, ...]]:
        for r in range(sheet.nrows):  # type: ignore[attr-defined]
            yield tuple(sheet.row_values(r))  # type: ignore[attr-defined]

    try:
        sheets = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.nrows * max(sheet.ncols, 1) > max_cells:
                raise DocumentError(f"{label}: more than {max_cells} cells; split the workbook")
            sheets.append((sheet.name, rows(sheet)))
        return _sheets_to_blocks(sheets, label, max_cells, max_text_chars)
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(f"{label}: corrupt XLS sheet ({type(exc).__name__}: {_short(exc)}); "
                            f"re-save it in Excel or WPS") from None
    finally:
        book.release_resources()


def _sheets_to_blocks(sheets: list[tuple[str, Iterator[tuple[object, ...]]]], label: str, max_cells: int,
                      max_text_chars: int) -> list[Block]:
    blocks: list[Block] = []
    cells = 0
    total = 0
    for title, row_iter in sheets:
        rows: list[list[str]] = []
        for row in row_iter:
            cells += len(row)
            if cells > max_cells:
                raise DocumentError(f"{label}: more than {max_cells} cells; split the workbook")
            values = [_cell(v) for v in row]
            while values and not values[-1]:
                values.pop()
            if values:
                rows.append(values)
                total += sum(len(v) for v in values)
            if total > max_text_chars:
                raise DocumentError(f"{label}: more than {max_text_chars} characters of text; split the file")
        blocks.append(("h2", str(title)))
        if rows:
            blocks.append(("table", rows))
    return blocks


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # xlrd reads every number as float; 13912345678.0 → 13912345678
    return str(value).strip()


# --- zip containers ----------------------------------------------------------------------------------

def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()[:MAX_ZIP_MEMBERS]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []


def _check_zip(data: bytes, label: str) -> None:
    """Refuse zip bombs and broken containers from the central directory, before inflating anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise DocumentError(f"{label}: corrupt Office file (not a readable zip: {_short(exc)}); re-save it") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise DocumentError(f"{label}: Office file has {len(infos)} parts, more than {MAX_ZIP_MEMBERS}; "
                            f"refusing a possible zip bomb")
    total = sum(i.file_size for i in infos)
    if total > MAX_ZIP_UNCOMPRESSED:
        raise DocumentError(f"{label}: Office file inflates to {total} bytes, more than {MAX_ZIP_UNCOMPRESSED}; "
                            f"refusing a possible zip bomb")
    for info in infos:
        if info.flag_bits & 0x1:
            raise DocumentError(f"{label}: Office file has encrypted parts; remove the password before checking")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise DocumentError(f"{label}: part {info.filename} compresses {info.file_size // max(info.compress_size, 1)}:1, "
                                f"above {MAX_ZIP_RATIO}:1; refusing a possible zip bomb")


# --- helpers -----------------------------------------------------------------------------------------

def _page(url: str, title: str, blocks: list[Block], content_type: str, encoding: str = "utf-8") -> PageView:
    """Simple escaped HTML: a title, paragraphs, headings and tables (first row as headers)."""
    parts = [f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head><body>"]
    for kind, value in blocks:
        if kind == "table":
            rows = value if isinstance(value, list) else []
            out = ["<table>"]
            for index, row in enumerate(rows):
                tag = "th" if index == 0 else "td"
                out.append("<tr>" + "".join(f"<{tag}>{html.escape(str(c))}</{tag}>" for c in row) + "</tr>")
            out.append("</table>")
            parts.append("".join(out))
        else:
            tag = "h2" if kind == "h2" else "p"
            text = str(value)
            if kind == "p" and "\n" in text:
                parts.extend(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
            else:
                parts.append(f"<{tag}>{html.escape(text)}</{tag}>")
    parts.append("</body></html>")
    return PageView(url, "".join(parts), encoding=encoding, role="attachment", content_type=content_type)


def _url_for(name: str) -> str:
    if name.startswith(("http://", "https://", "file://")):
        return name
    return Path(name).absolute().as_uri()


def _label(name: str) -> str:
    if "://" in name:
        path = unquote(urlsplit(name).path)
        return path.rsplit("/", 1)[-1] or name
    return Path(name).name or name


def _check_text_size(label: str, text: str, limit: int) -> None:
    if len(text) > limit:
        raise DocumentError(f"{label}: more than {limit} characters of text; split the file")


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:120]


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True
