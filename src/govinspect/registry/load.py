"""Import the site registry and the new-media account list from CSV or XLSX (interfaces.md §1).

A registry comes from a provincial office's spreadsheet: Chinese or English headers, a merged title row
above the header, codes that Excel turned into floats, GB18030 exports. Whole-file problems raise
:class:`RegistryError` naming the fix; a bad row becomes a :class:`RowError` (spreadsheet row number as the
user sees it in Excel, the field, the problem) and every other row still imports.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govinspect.errors import RegistryError
from govinspect.registry.models import Account, AccountStatus, Site, SiteKind, SiteStatus
from govinspect.registry.sheets import (
    HEADER_SCAN_ROWS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    Row,
    RowError,
    SheetKind,
    Table,
    alias_table,
    data_rows,
    find_header,
    read_table,
)

_SITE_CODE_RE = re.compile(r"^(?:\d{10}|bm\d{8})$")
_ACCOUNT_ID_MAX = 128


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
    "homepage": ("主页", "主页地址", "订阅地址", "feed", "url", "链接", "主页/feed地址", "主页/feed", "feed地址",
                 "主页或feed地址", "账号主页"),
    "status": ("运行状态", "状态", "账号状态"),
    "filing_no": ("备案编号", "备案号", "报送系统备案编号", "filing", "filing_number"),
}

_REGION_FIELDS = ("region", "province", "city", "county")  # 地区, or 省/市/县 columns
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
_ACCOUNT_STATUS_VALUES = {
    "running": AccountStatus.RUNNING,
    "运行": AccountStatus.RUNNING,
    "正常": AccountStatus.RUNNING,
    "正常运行": AccountStatus.RUNNING,
    "运行中": AccountStatus.RUNNING,
    "closed": AccountStatus.CLOSED,
    "关停": AccountStatus.CLOSED,
    "已关停": AccountStatus.CLOSED,
    "停更": AccountStatus.CLOSED,
    "cancelled": AccountStatus.CANCELLED,
    "注销": AccountStatus.CANCELLED,
    "已注销": AccountStatus.CANCELLED,
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
# Per-row validation


def _region(row: Row) -> str:
    """``广东省/湛江市/雷州市`` from the region column or from separate 省/市/县 columns."""
    value = row.get("region")
    if value:
        parts = re.split(r"[/／\\|、>]+", value)
    else:
        parts = [row.get("province"), row.get("city"), row.get("county")]
    region = "/".join(p.strip() for p in parts if p.strip())
    if not region:
        row.error("region", "region (地区 or 省/市/县) is empty: fill it in")
    return region


def _site_code(row: Row) -> str:
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


def _check_url(row: Row, name: str, *, required: bool) -> str:
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


def _sheet_kind() -> SheetKind:
    """Registry files: either a site or an account header marks the sheet to read."""
    words = frozenset(alias_table(_SITE_HEADERS)) | frozenset(alias_table(_ACCOUNT_HEADERS))
    return SheetKind("registry", RegistryError, words)


def _load(
    path: Path,
    aliases: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    expected: str,
    build: Callable[[Row], tuple[str, Any] | None],
    key_field: str,
) -> tuple[list[Any], list[RowError], Table, int]:
    table = read_table(Path(path), _sheet_kind())
    header = find_header(
        table, alias_table(aliases), required=(*required, _REGION_FIELDS), expected=expected, counted=required
    )
    items: list[Any] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row in data_rows(table, header):
        built = build(row)
        if built is not None:
            key, _ = built
            if key in seen:
                row.error(
                    key_field,
                    f"{key} repeats row {seen[key]}: keep one row per {key_field} and delete this one",
                )
            else:
                seen[key] = row.number
        if row.errors:
            errors.extend(row.errors)
        elif built is not None:
            items.append(built[1])
    return items, errors, table, header.row


def _build_site(row: Row) -> tuple[str, Site] | None:
    code = _site_code(row)
    name = row.required("name", "网站名称 (name)")
    homepage = _check_url(row, "homepage", required=True)
    region = _region(row)
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


def _build_account(row: Row) -> tuple[str, Account] | None:
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
    region = _region(row)
    host_org = row.required("host_org", "主办单位 (host_org)")
    homepage = _check_url(row, "homepage", required=False)
    status = row.choice("status", _ACCOUNT_STATUS_VALUES, AccountStatus.RUNNING,
                        "running/运行, closed/关停 or cancelled/注销")
    filing_no = row.text("filing_no", "备案编号 (filing_no)", 128)
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
        filing_no=unicodedata.normalize("NFKC", filing_no).strip(),
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
    """Read a new-media account list (账号ID/账号名称/平台/地区/主办单位/主页/备案编号/状态) the same way as
    sites."""
    accounts, errors, _, _ = _load(
        path, _ACCOUNT_HEADERS, _ACCOUNT_REQUIRED, _ACCOUNT_EXPECTED, _build_account, "account_id"
    )
    return accounts, errors


__all__ = [
    "HEADER_SCAN_ROWS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "RegistryLoad",
    "RowError",
    "load_accounts",
    "load_sites",
]
