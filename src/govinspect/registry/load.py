"""Import the site registry and the new-media account list from CSV or XLSX (interfaces.md §1).

A registry comes from a provincial office's spreadsheet: Chinese or English headers, a merged title row
above the header, codes that Excel turned into floats, GB18030 exports. Whole-file problems raise
:class:`RegistryError` naming the fix; a bad row becomes a :class:`RowError` (spreadsheet row number as the
user sees it in Excel, the field, the problem) and every other row still imports.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govinspect.errors import RegistryError
from govinspect.registry.models import Account, Site, SiteKind, SiteStatus

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ROWS = 200_000
HEADER_SCAN_ROWS = 10  # the header row is looked for within the first rows (title rows above it)

_SITE_CODE_RE = re.compile(r"^(?:\d{10}|bm\d{8})$")
_ACCOUNT_ID_MAX = 128


@dataclass(frozen=True)
class RowError:
    """One bad row: ``row`` is the 1-based spreadsheet row number counting the header and title rows."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass
class RegistryLoad:
    """The sites that imported, the rows that did not, and where they came from."""

    sites: list[Site]
    errors: list[RowError]
    source: Path
    encoding: str | None = None  # CSV text encoding used (utf-8, utf-8-sig, gb18030); None for XLSX
    header_row: int = 1


# ---------------------------------------------------------------------------------------------------
# Headers


def _norm_header(text: str) -> str:
    """Fold a header cell for matching: NFKC (full-width → ASCII), no BOM/spaces/`*`, no (注释)."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "").strip().lower()
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】", "", text)  # 网站标识码(必填), site_code [required]
    return re.sub(r"[\s*_\-:：.]+", "", text)


def _alias_table(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_norm_header(alias): name for name, names in aliases.items() for alias in (name, *names)}


_SITE_HEADERS: dict[str, tuple[str, ...]] = {
    "site_code": ("网站标识码", "标识码", "sitecode", "code"),
    "name": ("网站名称", "site_name"),
    "homepage": ("首页网址", "网站首页", "首页地址", "网址", "url", "home_page"),
    "region": ("地区", "所属地区", "行政区划"),
    "province": ("省", "省份", "省级"),
    "city": ("市", "地市", "地级市", "市级"),
    "county": ("县", "区县", "县区", "县级"),
    "host_org": ("主办单位", "host", "organization"),
    "kind": ("网站类型", "类型", "type", "site_kind"),
    "status": ("运行状态", "状态"),
    "has_services": ("对外服务", "有无对外服务", "是否有对外服务", "services"),
}

_ACCOUNT_HEADERS: dict[str, tuple[str, ...]] = {
    "account_id": ("账号ID", "账号标识", "账号", "id"),
    "name": ("账号名称", "名称"),
    "platform": ("平台", "平台类型", "所属平台"),
    "region": ("地区", "所属地区", "行政区划"),
    "province": ("省", "省份", "省级"),
    "city": ("市", "地市", "地级市", "市级"),
    "county": ("县", "区县", "县区", "县级"),
    "host_org": ("主办单位", "host", "organization"),
    "homepage": ("主页", "主页地址", "订阅地址", "feed", "url", "链接"),
    "status": ("运行状态", "状态"),
}

_SITE_REQUIRED = ("site_code", "name", "homepage", "host_org", "kind")
_ACCOUNT_REQUIRED = ("account_id", "name", "platform", "host_org")
_SITE_EXPECTED = (
    "网站标识码/site_code, 网站名称/name, 首页网址/homepage, 地区/region (or 省/市/县), "
    "主办单位/host_org, 网站类型/kind"
)
_ACCOUNT_EXPECTED = (
    "账号ID/account_id, 账号名称/name, 平台/platform, 地区/region (or 省/市/县), "
    "主办单位/host_org, 主页/homepage"
)

_KIND_VALUES = {
    "portal": SiteKind.PORTAL,
    "门户网站": SiteKind.PORTAL,
    "门户": SiteKind.PORTAL,
    "政府门户网站": SiteKind.PORTAL,
    "department": SiteKind.DEPARTMENT,
    "部门网站": SiteKind.DEPARTMENT,
    "部门": SiteKind.DEPARTMENT,
}
_STATUS_VALUES = {
    "running": SiteStatus.RUNNING,
    "运行": SiteStatus.RUNNING,
    "正常": SiteStatus.RUNNING,
    "正常运行": SiteStatus.RUNNING,
    "运行中": SiteStatus.RUNNING,
    "closed": SiteStatus.CLOSED,
    "关停": SiteStatus.CLOSED,
    "已关停": SiteStatus.CLOSED,
}
_BOOL_VALUES = {
    "是": True,
    "有": True,
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "否": False,
    "无": False,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
_PLATFORM_VALUES = {
    "wechat": "wechat",
    "微信": "wechat",
    "微信公众号": "wechat",
    "公众号": "wechat",
    "weibo": "weibo",
    "微博": "weibo",
    "新浪微博": "weibo",
    "douyin": "douyin",
    "抖音": "douyin",
    "toutiao": "toutiao",
    "头条": "toutiao",
    "今日头条": "toutiao",
    "头条号": "toutiao",
    "kuaishou": "kuaishou",
    "快手": "kuaishou",
    "bilibili": "bilibili",
    "哔哩哔哩": "bilibili",
    "b站": "bilibili",
    "app": "app",
    "客户端": "app",
    "移动客户端": "app",
    "mini_program": "mini_program",
    "小程序": "mini_program",
    "other": "other",
    "其他": "other",
}


# ---------------------------------------------------------------------------------------------------
# Reading the file into rows of text cells


@dataclass
class _Table:
    rows: list[tuple[int, list[str]]]  # (1-based spreadsheet row, cells)
    encoding: str | None = None
    sheet: str | None = None


def _cell_text(value: Any) -> str:
    """One cell as trimmed text; Excel's float codes (4408820001.0) come back as digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    text = unicodedata.normalize("NFC", str(value)).replace("\ufeff", "").replace("\u00a0", " ")
    return text.strip()


def _read_table(path: Path) -> _Table:
    if not path.exists():
        raise RegistryError(f"registry file {path} not found: check the path")
    if not path.is_file():
        raise RegistryError(f"registry path {path} is not a file: pass a .csv or .xlsx file")
    size = path.stat().st_size
    if size == 0:
        raise RegistryError(f"registry file {path} is empty: add a header row and one row per entry")
    if size > MAX_FILE_BYTES:
        raise RegistryError(
            f"registry file {path} is {size // 2**20} MiB, over the {MAX_FILE_BYTES // 2**20} MiB "
            "limit: split it into smaller files"
        )
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _read_xlsx(path)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise RegistryError(
            f"registry file {path} is an old Excel .xls workbook: "
            "save it as .xlsx or as CSV (UTF-8) and import that"
        )
    if path.suffix.lower() == ".xlsx":
        raise RegistryError(
            f"registry file {path} is named .xlsx but is not an Excel workbook: "
            "re-save it from Excel as .xlsx"
        )
    return _read_csv(path, data)


def _read_csv(path: Path, data: bytes) -> _Table:
    if b"\x00" in data[:8192]:
        raise RegistryError(
            f"registry file {path} is not a CSV or XLSX file (binary content; UTF-16 text is not supported): "
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
        raise RegistryError(
            f"registry file {path} is neither UTF-8 nor GB18030 text: save it as CSV (UTF-8) or as .xlsx"
        )
    if not text.strip():
        raise RegistryError(f"registry file {path} is empty: add a header row and one row per entry")
    if sum(1 for ch in text[:8192] if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t") > 8:
        raise RegistryError(
            f"registry file {path} is not a CSV or XLSX file (binary content): "
            "save it as .xlsx or CSV (UTF-8)"
        )
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_ROWS:
                raise RegistryError(
                    f"registry file {path} has more than {MAX_ROWS} rows: split it into smaller files"
                )
            rows.append((number, [_cell_text(c) for c in cells]))
    except csv.Error as exc:
        raise RegistryError(
            f"registry file {path} is not valid CSV ({exc}): re-save it as CSV (UTF-8) or .xlsx"
        ) from None
    return _Table(rows, encoding=encoding)


def _read_xlsx(path: Path) -> _Table:
    """Read the first sheet that has a recognisable header (openpyxl read-only, values only)."""
    import openpyxl  # imported here: only XLSX imports pay for it

    damaged = (
        f"registry file {path} is a damaged XLSX workbook: open it in Excel or WPS, save it again as .xlsx "
        "(or export CSV UTF-8) and import that"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles/extensions it does not read
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and KeyError for missing parts: all mean a damaged file
        raise RegistryError(f"{damaged} ({type(exc).__name__})") from None
    try:
        sheets: list[_Table] = []
        for sheet in workbook.worksheets:
            rows: list[tuple[int, list[str]]] = []
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                        if number > MAX_ROWS:
                            raise RegistryError(
                                f"registry file {path} has more than {MAX_ROWS} rows: "
                                "split it into smaller files"
                            )
                        rows.append((number, [_cell_text(v) for v in values]))
            except RegistryError:
                raise
            except Exception as exc:
                raise RegistryError(f"{damaged} ({type(exc).__name__})") from None
            sheets.append(_Table(rows, sheet=sheet.title))
    finally:
        workbook.close()
    if not sheets or not any(any(cells) for table in sheets for _, cells in table.rows):
        raise RegistryError(f"registry file {path} is empty: add a header row and one row per entry")
    return _pick_sheet(sheets)


def _pick_sheet(sheets: list[_Table]) -> _Table:
    """The first sheet whose first rows hold a header; the first sheet otherwise (its error is reported)."""
    for table in sheets:
        for _, cells in table.rows[:HEADER_SCAN_ROWS]:
            folded = {_norm_header(c) for c in cells if c}
            if folded & (set(_alias_table(_SITE_HEADERS)) | set(_alias_table(_ACCOUNT_HEADERS))):
                return table
    return sheets[0]


# ---------------------------------------------------------------------------------------------------
# Header detection and per-row validation


def _find_header(
    table: _Table, path: Path, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...], expected: str
) -> tuple[int, dict[str, int]]:
    """Return (index into table.rows, field → column) of the header row within the first rows."""
    lookup = _alias_table(aliases)
    best: tuple[int, int, dict[str, int]] | None = None
    for index, (_, cells) in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(cells):
            name = lookup.get(_norm_header(cell)) if cell else None
            if name and name not in columns:
                columns[name] = col
        hits = sum(1 for name in required if name in columns)
        if hits and (best is None or hits > best[1]):
            best = (index, hits, columns)
    if best is None or best[1] < 2:
        raise RegistryError(
            f"registry file {path} has no recognisable header row in its first {HEADER_SCAN_ROWS} rows: "
            f"add a header row with {expected}"
        )
    index, _, columns = best
    missing = [name for name in required if name not in columns]
    if "region" not in columns and not any(part in columns for part in ("province", "city", "county")):
        missing.append("region")
    if missing:
        row_number = table.rows[index][0]
        raise RegistryError(
            f"registry file {path}: the header on row {row_number} has no column for {', '.join(missing)}: "
            f"add the column(s) (expected headers: {expected})"
        )
    return index, columns


def _data_rows(table: _Table, header_index: int) -> Iterator[tuple[int, list[str]]]:
    for number, cells in table.rows[header_index + 1 :]:
        if any(cells):
            yield number, cells


class _Row:
    """Accessor over one data row that collects the row's errors."""

    def __init__(self, number: int, cells: list[str], columns: dict[str, int]) -> None:
        self.number = number
        self.cells = cells
        self.columns = columns
        self.errors: list[RowError] = []

    def get(self, name: str) -> str:
        col = self.columns.get(name)
        if col is None or col >= len(self.cells):
            return ""
        return self.cells[col]

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, name, message))

    def required(self, name: str, label: str) -> str:
        value = self.get(name)
        if not value:
            self.error(name, f"{label} is empty: fill it in")
        return value

    def region(self) -> str:
        """``广东省/湛江市/雷州市`` from the region column or from separate 省/市/县 columns."""
        value = self.get("region")
        if value:
            parts = re.split(r"[/／\\|、>]+", value)
        else:
            parts = [self.get("province"), self.get("city"), self.get("county")]
        region = "/".join(p.strip() for p in parts if p.strip())
        if not region:
            self.error("region", "region (地区 or 省/市/县) is empty: fill it in")
        return region

    def choice(self, name: str, values: dict[str, Any], default: Any, accepted: str) -> Any:
        raw = self.get(name)
        if not raw:
            return default
        key = unicodedata.normalize("NFKC", raw).strip().lower()
        if key in values:
            return values[key]
        self.error(name, f"{raw!r} is not a valid value: use {accepted}")
        return default


def _site_code(row: _Row) -> str:
    raw = row.get("site_code")
    if not raw:
        row.error("site_code", "网站标识码 is empty: fill it in")
        return ""
    code = unicodedata.normalize("NFKC", raw).strip()
    if re.fullmatch(r"\d+\.0+", code):
        code = code.split(".", 1)[0]
    if code[:2].lower() == "bm":
        code = "bm" + code[2:]
    if _SITE_CODE_RE.fullmatch(code):
        return code
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", code):
        row.error(
            "site_code",
            f"{raw!r} was shortened by Excel to scientific notation: "
            "format the column as text and re-enter the code",
        )
    else:
        row.error(
            "site_code",
            f"{raw!r} is not a 网站标识码: use 10 characters, a 6-digit division code + 4 digits "
            "(4408820001) or bm + 8 digits (bm44000001)",
        )
    return ""


def _check_url(row: _Row, name: str, *, required: bool) -> str:
    raw = row.get(name)
    if not raw:
        if required:
            row.error(
                name,
                "homepage (首页网址) is empty: fill in the absolute URL, e.g. http://www.example.gov.cn/",
            )
        return ""
    url = unicodedata.normalize("NFKC", raw).strip()
    if any(ch.isspace() for ch in url):
        row.error(name, f"{raw!r} contains spaces: remove them")
        return ""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        try:
            host = parts.hostname
        except ValueError:
            host = None
        if not host:
            row.error(name, f"{raw!r} has no host name: write it as http://host/path")
            return ""
        return url
    if (
        not scheme
        or "." in scheme
        or (not parts.netloc and re.match(r"^[\w\-.]+\.[a-z]{2,}(:\d+)?(/|$)", url, re.I))
    ):
        row.error(name, f"{raw!r} has no http:// or https://: write it as http://{url}")
        return ""
    row.error(name, f"{raw!r} is not an http(s) URL: use the site's http:// or https:// address")
    return ""


def _load(
    path: Path,
    aliases: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    expected: str,
    build: Callable[[_Row], tuple[str, Any] | None],
    key_field: str,
) -> tuple[list[Any], list[RowError], _Table, int]:
    path = Path(path)
    table = _read_table(path)
    header_index, columns = _find_header(table, path, aliases, required, expected)
    items: list[Any] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    data_rows = 0
    for number, cells in _data_rows(table, header_index):
        data_rows += 1
        row = _Row(number, cells, columns)
        built = build(row)
        if built is not None:
            key, _ = built
            if key in seen:
                row.error(
                    key_field,
                    f"{key} repeats row {seen[key]}: keep one row per {key_field} and delete this one",
                )
            else:
                seen[key] = number
        if row.errors:
            errors.extend(row.errors)
        elif built is not None:
            items.append(built[1])
    if data_rows == 0:
        raise RegistryError(
            f"registry file {path} has a header on row {table.rows[header_index][0]} but no rows below it: "
            "add one row per entry"
        )
    return items, errors, table, table.rows[header_index][0]


def _build_site(row: _Row) -> tuple[str, Site] | None:
    code = _site_code(row)
    name = row.required("name", "网站名称 (name)")
    homepage = _check_url(row, "homepage", required=True)
    region = row.region()
    host_org = row.required("host_org", "主办单位 (host_org)")
    kind_raw = row.get("kind")
    kind = None
    if not kind_raw:
        row.error("kind", "网站类型 (kind) is empty: use portal/门户网站 or department/部门网站")
    else:
        kind = row.choice("kind", _KIND_VALUES, None, "portal/门户网站 or department/部门网站")
    status = row.choice("status", _STATUS_VALUES, SiteStatus.RUNNING, "running/运行 or closed/关停")
    has_services = row.choice("has_services", _BOOL_VALUES, True, "是 or 否")
    if not code:
        return None
    if row.errors or kind is None:
        return code, None
    site = Site(
        site_code=code,
        name=name,
        homepage=homepage,
        region=region,
        host_org=host_org,
        kind=kind,
        status=status,
        has_services=has_services,
    )
    return code, site


def _build_account(row: _Row) -> tuple[str, Account] | None:
    account_id = unicodedata.normalize("NFKC", row.get("account_id")).strip()
    if not account_id:
        row.error("account_id", "账号ID (account_id) is empty: fill it in")
    elif len(account_id) > _ACCOUNT_ID_MAX or any(ch.isspace() for ch in account_id):
        row.error(
            "account_id",
            f"{account_id[:40]!r} is not an account id: no spaces, at most {_ACCOUNT_ID_MAX} characters",
        )
        account_id = ""
    name = row.required("name", "账号名称 (name)")
    platform_raw = row.get("platform")
    platform = ""
    if not platform_raw:
        row.error("platform", "平台 (platform) is empty: fill it in")
    else:
        platform = row.choice(
            "platform", _PLATFORM_VALUES, "", ", ".join(sorted(set(_PLATFORM_VALUES.values())))
        )
    region = row.region()
    host_org = row.required("host_org", "主办单位 (host_org)")
    homepage = _check_url(row, "homepage", required=False)
    status = row.choice("status", _STATUS_VALUES, SiteStatus.RUNNING, "running/运行 or closed/关停")
    if not account_id:
        return None
    if row.errors:
        return account_id, None
    account = Account(
        account_id=account_id,
        name=name,
        platform=platform,
        region=region,
        host_org=host_org,
        homepage=homepage,
        status=status,
    )
    return account_id, account


def load_sites(path: Path) -> RegistryLoad:
    """Read a site registry (CSV in UTF-8/UTF-8-BOM/GB18030, or XLSX); bad rows are reported, not raised."""
    sites, errors, table, header_row = _load(
        path, _SITE_HEADERS, _SITE_REQUIRED, _SITE_EXPECTED, _build_site, "site_code"
    )
    return RegistryLoad(
        sites=sites, errors=errors, source=Path(path), encoding=table.encoding, header_row=header_row
    )


def load_accounts(path: Path) -> tuple[list[Account], list[RowError]]:
    """Read a new-media account list (账号ID/账号名称/平台/地区/主办单位/主页) the same way as sites."""
    accounts, errors, _, _ = _load(
        path, _ACCOUNT_HEADERS, _ACCOUNT_REQUIRED, _ACCOUNT_EXPECTED, _build_account, "account_id"
    )
    return accounts, errors


__all__ = ["RegistryLoad", "RowError", "load_accounts", "load_sites"]
