"""Read an office spreadsheet (CSV or XLSX) into rows of text cells, find its header, walk its data rows.

Shared by the registry import (registry/load.py) and the 找错 message import (tickets/importer.py): both get
files exported by hand from Excel or WPS, with a merged title row above the header, codes that Excel
turned into floats and GB18030 text. Whole-file problems raise the caller's error class (a
:class:`~govinspect.errors.GovinspectError` named in its :class:`SheetKind`) with a one-line message
naming the fix; a bad cell becomes a :class:`RowError` collected by the :class:`Row` accessor.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from govinspect.errors import GovinspectError

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ROWS = 200_000
HEADER_SCAN_ROWS = 10  # the header row is looked for within the first rows (title rows above it)


@dataclass(frozen=True)
class RowError:
    """One bad row: ``row`` is the 1-based spreadsheet row number counting the header and title rows."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass(frozen=True)
class SheetKind:
    """What one kind of file is called in errors, the error class raised, and the fixes each error names.

    ``what`` starts every message (``"registry"`` → "registry file …"); ``header_words`` are folded header
    aliases (see :func:`alias_table`): the first workbook sheet with one of them in its first rows is read.
    """

    what: str
    error: type[GovinspectError]
    header_words: frozenset[str]
    empty_fix: str = "add a header row and one row per entry"
    no_rows_fix: str = "add one row per entry"
    split_fix: str = "split it into smaller files"
    workbook: str = "XLSX workbook"  # the noun of the damaged-workbook error


@dataclass
class Table:
    """One sheet (or the CSV) as ``(1-based spreadsheet row, cells)``; ``encoding`` is set for CSV only."""

    path: Path
    kind: SheetKind
    rows: list[tuple[int, list[str]]]
    encoding: str | None = None  # utf-8, utf-8-sig or gb18030
    sheet: str | None = None


@dataclass(frozen=True)
class Header:
    """The header row found by :func:`find_header`: its index in ``Table.rows``, its row number, columns."""

    index: int
    row: int
    columns: dict[str, int] = field(default_factory=dict)


# --- headers ----------------------------------------------------------------------------------------------


def norm_header(text: str) -> str:
    """Fold a header cell for matching: NFKC (full-width → ASCII), no BOM/spaces/`*`, no (注释)."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "").strip().lower()
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】", "", text)  # 网站标识码(必填), site_code [required]
    return re.sub(r"[\s*_\-:：.]+", "", text)


def alias_table(aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """``{folded alias: field}`` for ``{field: (alias, …)}``; each field name is its own alias too."""
    return {norm_header(alias): name for name, names in aliases.items() for alias in (name, *names)}


# --- reading ----------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """One cell as trimmed text; Excel's float codes (4408820001.0) come back as digits, dates as ISO text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    text = unicodedata.normalize("NFC", str(value)).replace("\ufeff", "").replace("\u00a0", " ")
    return text.strip()


def read_table(path: Path, kind: SheetKind) -> Table:
    """Read a CSV (UTF-8, UTF-8-BOM or GB18030; comma or tab) or an XLSX file, sniffed by content."""
    path = Path(path)
    name = f"{kind.what} file {path}"
    if not path.exists():
        raise kind.error(f"{name} not found: check the path")
    if not path.is_file():
        raise kind.error(f"{kind.what} path {path} is not a file: pass a .csv or .xlsx file")
    size = path.stat().st_size
    if size == 0:
        raise kind.error(f"{name} is empty: {kind.empty_fix}")
    if size > MAX_FILE_BYTES:
        raise kind.error(
            f"{name} is {size // 2**20} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit: {kind.split_fix}"
        )
    with path.open("rb") as fh:
        magic = fh.read(8)  # a workbook is read by openpyxl from the path: only CSV needs the bytes here
    if magic.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _read_xlsx(path, kind)
    if magic.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise kind.error(
            f"{name} is an old Excel .xls workbook: save it as .xlsx or as CSV (UTF-8) and import that"
        )
    if path.suffix.lower() == ".xlsx":
        raise kind.error(
            f"{name} is named .xlsx but is not an Excel workbook: re-save it from Excel as .xlsx"
        )
    return _read_csv(path, path.read_bytes(), kind)


def _too_many_rows(path: Path, kind: SheetKind) -> GovinspectError:
    return kind.error(f"{kind.what} file {path} has more than {MAX_ROWS} rows: {kind.split_fix}")


def _read_csv(path: Path, data: bytes, kind: SheetKind) -> Table:
    name = f"{kind.what} file {path}"
    if b"\x00" in data[:8192]:
        raise kind.error(
            f"{name} is not a CSV or XLSX file (binary or UTF-16 content): "
            "save it from Excel as .xlsx or as CSV (UTF-8)"
        )
    text: str | None = None
    encoding = ""
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        encoding = candidate
        if candidate == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
        break
    if text is None:
        raise kind.error(f"{name} is neither UTF-8 nor GB18030 text: save it as CSV (UTF-8) or as .xlsx")
    if not text.strip():
        raise kind.error(f"{name} is empty: {kind.empty_fix}")
    if sum(1 for ch in text[:8192] if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t") > 8:
        raise kind.error(
            f"{name} is not a CSV or XLSX file (binary content): save it as .xlsx or CSV (UTF-8)"
        )
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        ):
            if number > MAX_ROWS:
                raise _too_many_rows(path, kind)
            rows.append((number, [cell_text(c) for c in cells]))
    except csv.Error as exc:
        raise kind.error(f"{name} is not valid CSV ({exc}): re-save it as CSV (UTF-8) or .xlsx") from None
    return Table(path, kind, rows, encoding=encoding)


def _read_xlsx(path: Path, kind: SheetKind) -> Table:
    """Read the first sheet that has a recognisable header (openpyxl read-only, values only)."""
    import openpyxl  # imported here: only XLSX imports pay for it

    damaged = (
        f"{kind.what} file {path} is a damaged {kind.workbook}: open it in Excel or WPS, save it again as "
        ".xlsx (or export CSV UTF-8) and import that"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles/extensions it does not read
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and KeyError for missing parts: all mean a damaged file
        raise kind.error(f"{damaged} ({type(exc).__name__})") from None
    try:
        sheets: list[Table] = []
        for sheet in workbook.worksheets:
            rows: list[tuple[int, list[str]]] = []
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                        if number > MAX_ROWS:
                            raise _too_many_rows(path, kind)
                        rows.append((number, [cell_text(v) for v in values]))
            except GovinspectError:
                raise
            except Exception as exc:
                raise kind.error(f"{damaged} ({type(exc).__name__})") from None
            sheets.append(Table(path, kind, rows, sheet=sheet.title))
    finally:
        workbook.close()
    if not any(any(cells) for table in sheets for _, cells in table.rows):
        raise kind.error(f"{kind.what} file {path} is empty: {kind.empty_fix}")
    for table in sheets:  # the first sheet with a header; the first sheet otherwise (its error is reported)
        if any(
            norm_header(c) in kind.header_words
            for _, cells in table.rows[:HEADER_SCAN_ROWS]
            for c in cells
            if c
        ):
            return table
    return sheets[0]


# --- header and data rows ---------------------------------------------------------------------------------


def find_header(
    table: Table,
    aliases: Mapping[str, str],
    *,
    required: Sequence[str | tuple[str, ...]],
    expected: str,
    counted: Collection[str] | None = None,
    max_rows: int = HEADER_SCAN_ROWS,
) -> Header:
    """Find the header row within the first ``max_rows`` rows and map each known field to its column.

    ``aliases`` is an :func:`alias_table`. The row with the most ``counted`` fields (all known fields by
    default) wins; fewer than two is no header. A ``required`` entry that is a tuple is satisfied by any of
    its fields and reported by the first (("region", "province", "city", "county") → "region").
    """
    best: tuple[int, int, dict[str, int]] | None = None
    for index, (_, cells) in enumerate(table.rows[:max_rows]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(cells):
            name = aliases.get(norm_header(cell)) if cell else None
            if name and name not in columns:
                columns[name] = col
        hits = len(columns) if counted is None else sum(1 for name in counted if name in columns)
        if hits and (best is None or hits > best[1]):
            best = (index, hits, columns)
    name = f"{table.kind.what} file {table.path}"
    if best is None or best[1] < 2:
        raise table.kind.error(
            f"{name} has no recognisable header row in its first {max_rows} rows: add a header row with {expected}"
        )
    index, _, columns = best
    missing = [
        (need if isinstance(need, str) else need[0])
        for need in required
        if not any(part in columns for part in ((need,) if isinstance(need, str) else need))
    ]
    if missing:
        raise table.kind.error(
            f"{name}: the header on row {table.rows[index][0]} has no column for {', '.join(missing)}: "
            f"add the column(s) (expected headers: {expected})"
        )
    return Header(index, table.rows[index][0], columns)


def data_rows(table: Table, header: Header) -> Iterator[Row]:
    """The non-blank rows below the header, each as a :class:`Row`; none at all raises the caller's error."""
    seen = 0
    for number, cells in table.rows[header.index + 1 :]:
        if any(cells):
            seen += 1
            yield Row(number, cells, header.columns)
    if seen == 0:
        raise table.kind.error(
            f"{table.kind.what} file {table.path} has a header on row {header.row} but no rows below it: "
            f"{table.kind.no_rows_fix}"
        )


class Row:
    """Accessor over one data row by field name that collects the row's :class:`RowError` s."""

    def __init__(self, number: int, cells: list[str], columns: dict[str, int]) -> None:
        self.number = number
        self.cells = cells
        self.columns = columns
        self.errors: list[RowError] = []

    def get(self, name: str) -> str:
        """The cell of field ``name``; "" when the column is absent or the row is short."""
        col = self.columns.get(name)
        if col is None or col >= len(self.cells):
            return ""
        return self.cells[col]

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, name, message))

    def required(self, name: str, label: str) -> str:
        """The cell, reporting it when empty."""
        value = self.get(name)
        if not value:
            self.error(name, f"{label} is empty: fill it in")
        return value

    def text(self, name: str, label: str, limit: int) -> str:
        """The cell, or "" (reported) when longer than ``limit`` characters."""
        value = self.get(name)
        if len(value) > limit:
            self.error(name, f"{label} is {len(value)} characters, over {limit}: shorten it")
            return ""
        return value

    def choice(self, name: str, values: Mapping[str, Any], default: Any, accepted: str) -> Any:
        """The value the folded cell names in ``values``; ``default`` when empty or unknown (reported)."""
        raw = self.get(name)
        if not raw:
            return default
        key = unicodedata.normalize("NFKC", raw).strip().lower()
        if key in values:
            return values[key]
        self.error(name, f"{raw!r} is not a known value: use {accepted}")
        return default


__all__ = [
    "HEADER_SCAN_ROWS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "Header",
    "Row",
    "RowError",
    "SheetKind",
    "Table",
    "alias_table",
    "cell_text",
    "data_rows",
    "find_header",
    "norm_header",
    "read_table",
]
