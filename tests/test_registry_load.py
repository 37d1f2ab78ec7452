"""Registry import: real CSV and XLSX files written into tmp_path and read back through the loaders."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from govinspect.errors import RegistryError
from govinspect.registry.load import RowError, load_accounts, load_sites
from govinspect.registry.models import SiteKind, SiteStatus

ZH_HEADER = ["网站标识码", "网站名称", "首页网址", "地区", "主办单位", "网站类型", "运行状态", "对外服务"]
EN_HEADER = ["site_code", "name", "homepage", "region", "host_org", "kind", "status", "has_services"]
LEIZHOU = [
    "4408820001",
    "雷州市人民政府网",
    "http://www.leizhou.gov.cn/",
    "广东省/湛江市/雷州市",
    "雷州市人民政府办公室",
    "门户网站",
    "运行",
    "是",
]
EDU = [
    "bm44000001",
    "广东省教育厅网站",
    "https://edu.gd.gov.cn/",
    "广东省",
    "广东省教育厅",
    "部门网站",
    "正常",
    "否",
]
CLOSED = [
    "4408820002",
    "雷州市某局网站",
    "http://old.leizhou.gov.cn/",
    "广东省/湛江市/雷州市",
    "雷州市某局",
    "部门",
    "关停",
    "",
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], merge_title: str | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if merge_title:
        sheet.merge_cells(merge_title)
    workbook.save(path)
    return path


# --- whole files that import ------------------------------------------------------------------------


def test_chinese_headers_import_every_field(tmp_path: Path) -> None:
    load = load_sites(write_csv(tmp_path / "sites.csv", [ZH_HEADER, LEIZHOU, EDU, CLOSED]))
    assert load.errors == []
    assert load.encoding == "utf-8"
    assert load.source == tmp_path / "sites.csv"
    assert [s.site_code for s in load.sites] == ["4408820001", "bm44000001", "4408820002"]
    leizhou, edu, closed = load.sites
    assert leizhou.name == "雷州市人民政府网"
    assert leizhou.homepage == "http://www.leizhou.gov.cn/"
    assert leizhou.region == "广东省/湛江市/雷州市"
    assert leizhou.host_org == "雷州市人民政府办公室"
    assert (leizhou.kind, leizhou.status, leizhou.has_services) == (SiteKind.PORTAL, SiteStatus.RUNNING, True)
    assert (edu.kind, edu.status, edu.has_services) == (SiteKind.DEPARTMENT, SiteStatus.RUNNING, False)
    assert (closed.kind, closed.status, closed.has_services) == (SiteKind.DEPARTMENT, SiteStatus.CLOSED, True)


def test_english_headers_with_stray_spaces_and_fullwidth_parentheses(tmp_path: Path) -> None:
    header = [" Site_Code ", "name", "网站首页", "region", "主办单位（全称）", "KIND", "status"]
    rows = [
        header,
        [
            "4408820001",
            " 雷州市人民政府网 ",
            " http://www.leizhou.gov.cn/ ",
            "广东省 / 湛江市 / 雷州市",
            "雷州市人民政府办公室",
            "Portal",
            "running",
        ],
        [
            "BM44000001",
            "广东省教育厅网站",
            "https://edu.gd.gov.cn/",
            "广东省",
            "广东省教育厅",
            "department",
            "",
        ],
    ]
    load = load_sites(write_csv(tmp_path / "sites.csv", rows))
    assert load.errors == []
    first, second = load.sites
    assert first.name == "雷州市人民政府网"
    assert first.homepage == "http://www.leizhou.gov.cn/"
    assert first.region == "广东省/湛江市/雷州市"
    assert first.kind is SiteKind.PORTAL
    assert second.site_code == "bm44000001"  # BM normalised
    assert second.status is SiteStatus.RUNNING  # empty status defaults to running


def test_utf8_bom_is_read_and_reported(tmp_path: Path) -> None:
    load = load_sites(write_csv(tmp_path / "bom.csv", [ZH_HEADER, LEIZHOU], encoding="utf-8-sig"))
    assert (tmp_path / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert load.encoding == "utf-8-sig"
    assert load.errors == []
    assert [s.site_code for s in load.sites] == ["4408820001"]


def test_gb18030_csv_is_decoded(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", [ZH_HEADER, LEIZHOU, EDU], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the fixture really is not UTF-8
    load = load_sites(path)
    assert load.encoding == "gb18030"
    assert load.errors == []
    assert [s.name for s in load.sites] == ["雷州市人民政府网", "广东省教育厅网站"]
    assert load.sites[0].host_org == "雷州市人民政府办公室"


def test_xlsx_with_merged_title_rows_and_float_codes(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["广东省2021年第二季度政府网站名单", None, None, None, None, None],
        ["填报单位：广东省政务服务数据管理局", None, None, None, None, None],
        ["网站标识码", "网站名称", "首页网址", "所属地区", "主办单位", "网站类型"],
        [
            4408820001.0,
            "雷州市人民政府网",
            "http://www.leizhou.gov.cn/ ",
            "广东省/湛江市/雷州市",
            "雷州市人民政府办公室",
            "门户网站",
        ],
        [4408820002, "雷州市某局网站", "leizhou.gov.cn/ju", "广东省/湛江市/雷州市", "雷州市某局", "部门网站"],
        ["bm44000001", "广东省教育厅网站", "https://edu.gd.gov.cn/", "广东省", "广东省教育厅", "部门网站"],
        [None, None, None, None, None, None],
        [None, "  ", None, None, None, None],
    ]
    path = write_xlsx(tmp_path / "sites.xlsx", rows, merge_title="A1:F1")
    load = load_sites(path)
    assert load.encoding is None
    assert load.header_row == 3
    assert [s.site_code for s in load.sites] == ["4408820001", "bm44000001"]
    assert load.sites[0].homepage == "http://www.leizhou.gov.cn/"
    # the bad row is row 5 as Excel shows it (two title rows + header above it)
    assert load.errors == [RowError(5, "homepage", load.errors[0].message)]
    assert "http://leizhou.gov.cn/ju" in load.errors[0].message


def test_separate_province_city_county_columns(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["网站标识码", "网站名称", "首页网址", "省份", "地市", "区县", "主办单位", "网站类型"],
        [
            "4408820001",
            "雷州市人民政府网",
            "http://www.leizhou.gov.cn/",
            "广东省",
            "湛江市",
            "雷州市",
            "雷州市政府",
            "门户",
        ],
        [
            "4408000001",
            "湛江市人民政府网",
            "http://www.zhanjiang.gov.cn/",
            "广东省",
            "湛江市",
            "",
            "湛江市政府",
            "门户",
        ],
        ["4400000001", "广东省人民政府网", "http://www.gd.gov.cn/", "广东省", "", "", "广东省政府", "门户"],
        ["4408820003", "无地区", "http://x.leizhou.gov.cn/", "", "", "", "某单位", "部门"],
    ]
    load = load_sites(write_xlsx(tmp_path / "regions.xlsx", rows))
    assert [s.region for s in load.sites] == ["广东省/湛江市/雷州市", "广东省/湛江市", "广东省"]
    assert load.sites[0].city == "湛江市"
    assert [(e.row, e.field) for e in load.errors] == [(5, "region")]

    csv_rows = [
        ["网站标识码", "网站名称", "首页网址", "省", "市", "县", "主办单位", "网站类型"],
        [
            "4408820001",
            "雷州市人民政府网",
            "http://www.leizhou.gov.cn/",
            "广东省",
            "湛江市",
            "雷州市",
            "x",
            "门户",
        ],
    ]
    assert load_sites(write_csv(tmp_path / "r.csv", csv_rows)).sites[0].region == "广东省/湛江市/雷州市"


# --- bad rows ---------------------------------------------------------------------------------------

BAD_ROWS = [
    # (field, column index, value, fragment of the message)
    ("site_code", 0, "44088200", "10 characters"),
    ("site_code", 0, "44088200011", "10 characters"),
    ("site_code", 0, "bm4400001x", "bm + 8 digits"),
    ("site_code", 0, "4.40882E+09", "format the column as text"),
    ("site_code", 0, "", "empty"),
    ("name", 1, "", "empty"),
    ("homepage", 2, "", "empty"),
    ("homepage", 2, "www.leizhou.gov.cn", "write it as http://www.leizhou.gov.cn"),
    ("homepage", 2, "ftp://www.leizhou.gov.cn/", "not an http(s) URL"),
    ("homepage", 2, "javascript:alert(1)", "not an http(s) URL"),
    ("homepage", 2, "http://", "no host"),
    ("homepage", 2, "http://www.leizhou .gov.cn/", "spaces"),
    ("region", 3, "", "empty"),
    ("host_org", 4, "", "empty"),
    ("kind", 5, "", "empty"),
    ("kind", 5, "专题网站", "portal/门户网站 or department/部门网站"),
    ("status", 6, "维护中", "running/运行 or closed/关停"),
    ("has_services", 7, "也许", "是 or 否"),
]


@pytest.mark.parametrize(("field", "column", "value", "fragment"), BAD_ROWS)
def test_bad_row_is_reported_and_others_import(
    tmp_path: Path, field: str, column: int, value: str, fragment: str
) -> None:
    bad = [
        "4408820009",
        "坏行网站",
        "http://bad.leizhou.gov.cn/",
        "广东省/湛江市/雷州市",
        "某局",
        "部门网站",
        "运行",
        "是",
    ]
    bad[column] = value
    load = load_sites(write_csv(tmp_path / "sites.csv", [ZH_HEADER, LEIZHOU, bad, EDU]))
    assert [s.site_code for s in load.sites] == ["4408820001", "bm44000001"]
    assert len(load.errors) == 1
    error = load.errors[0]
    assert (error.row, error.field) == (3, field)
    assert fragment in error.message
    assert str(error).startswith(f"row 3, {field}: ")


def test_row_with_several_bad_fields_reports_each(tmp_path: Path) -> None:
    bad = ["12345", "", "www.x.gov.cn", "广东省", "", "门户网站", "", ""]
    load = load_sites(write_csv(tmp_path / "sites.csv", [ZH_HEADER, bad, LEIZHOU]))
    assert [(e.row, e.field) for e in load.errors] == [
        (2, "site_code"),
        (2, "name"),
        (2, "homepage"),
        (2, "host_org"),
    ]
    assert [s.site_code for s in load.sites] == ["4408820001"]


def test_duplicate_codes_second_occurrence_is_the_bad_row(tmp_path: Path) -> None:
    again = list(LEIZHOU)
    again[1] = "雷州市人民政府网（重复）"
    edu_upper = list(EDU)
    edu_upper[0] = "BM44000001"
    rows = [ZH_HEADER, LEIZHOU, EDU, again, CLOSED, edu_upper]
    load = load_sites(write_csv(tmp_path / "dup.csv", rows))
    assert [s.site_code for s in load.sites] == ["4408820001", "bm44000001", "4408820002"]
    assert load.sites[0].name == "雷州市人民政府网"
    assert [(e.row, e.field) for e in load.errors] == [(4, "site_code"), (6, "site_code")]
    assert "repeats row 2" in load.errors[0].message
    assert "repeats row 3" in load.errors[1].message


def test_blank_rows_are_skipped_and_row_numbers_stay_true(tmp_path: Path) -> None:
    bad = list(CLOSED)
    bad[2] = "www.old.gov.cn"
    rows = [ZH_HEADER, LEIZHOU, ["", "", ""], bad, ["  ", ""], [], EDU, [""] * 8, [""] * 8]
    load = load_sites(write_csv(tmp_path / "blank.csv", rows))
    assert [s.site_code for s in load.sites] == ["4408820001", "bm44000001"]
    assert [(e.row, e.field) for e in load.errors] == [(4, "homepage")]


# --- whole-file problems ----------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not found: check the path"):
        load_sites(tmp_path / "nope.csv")


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n  \r\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "empty.csv").write_bytes(content)
    with pytest.raises(RegistryError, match="is empty: add a header row"):
        load_sites(tmp_path / "empty.csv")


def test_header_only_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no rows below it"):
        load_sites(write_csv(tmp_path / "h.csv", [ZH_HEADER, ["", ""]]))


def test_no_recognisable_header_lists_expected_headers(tmp_path: Path) -> None:
    rows = [["序号", "单位", "备注"], ["1", "某局", ""], ["2", "某厅", ""]]
    with pytest.raises(RegistryError) as info:
        load_sites(write_csv(tmp_path / "other.csv", rows))
    message = str(info.value)
    assert "no recognisable header" in message
    for expected in ("网站标识码/site_code", "首页网址/homepage", "网站类型/kind"):
        assert expected in message
    assert "\n" not in message


def test_header_below_the_first_ten_rows_is_not_searched(tmp_path: Path) -> None:
    rows = [[f"说明第{i}行"] for i in range(10)] + [ZH_HEADER, LEIZHOU]
    with pytest.raises(RegistryError, match="first 10 rows"):
        load_sites(write_csv(tmp_path / "late.csv", rows))
    assert load_sites(write_csv(tmp_path / "ok.csv", rows[1:])).header_row == 10


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    header = ["网站标识码", "网站名称", "地区", "主办单位", "网站类型"]
    with pytest.raises(RegistryError, match="no column for homepage"):
        load_sites(write_csv(tmp_path / "nohome.csv", [header, ["4408820001", "x", "广东省", "x", "门户"]]))


def test_garbage_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(RegistryError, match="not a CSV or XLSX file"):
        load_sites(path)


def test_old_xls_workbook(tmp_path: Path) -> None:
    path = tmp_path / "sites.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(RegistryError, match=r"old Excel \.xls workbook: save it as \.xlsx"):
        load_sites(path)


def test_renamed_binary_with_xlsx_suffix(tmp_path: Path) -> None:
    path = tmp_path / "sites.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x01" * 100)
    with pytest.raises(RegistryError, match="not an Excel workbook"):
        load_sites(path)


def test_truncated_xlsx_is_reported_as_damaged(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [ZH_HEADER, LEIZHOU])
    assert load_sites(good).sites
    data = good.read_bytes()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(RegistryError, match="damaged XLSX workbook"):
        load_sites(broken)


def test_zip_that_is_not_a_workbook_is_reported_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "sites.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(RegistryError, match="damaged XLSX workbook"):
        load_sites(path)


def test_csv_that_is_neither_utf8_nor_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(",".join(EN_HEADER).encode() + b"\r\n\x81\x30\xff\xff,x\r\n")
    with pytest.raises(RegistryError, match="neither UTF-8 nor GB18030"):
        load_sites(path)


# --- new-media accounts -----------------------------------------------------------------------------

ACCOUNT_HEADER = ["账号ID", "账号名称", "平台", "地区", "主办单位", "主页"]


def test_accounts_with_chinese_headers(tmp_path: Path) -> None:
    rows = [
        ACCOUNT_HEADER,
        [
            "gh_leizhou01",
            "雷州发布",
            "微信公众号",
            "广东省/湛江市/雷州市",
            "雷州市人民政府办公室",
            "https://mp.example.cn/leizhou",
        ],
        ["leizhoufabu", "雷州发布", "新浪微博", "广东省/湛江市/雷州市", "雷州市人民政府办公室", ""],
        ["dy001", "雷州政务", "抖音号", "广东省/湛江市/雷州市", "雷州市人民政府办公室", ""],
        ["gh_leizhou01", "重复", "微信", "广东省", "x", ""],
        ["tt01", "雷州头条", "今日头条", "广东省/湛江市/雷州市", "雷州市人民政府办公室", "mp.example.cn/tt"],
        ["", "无ID", "微博", "广东省", "x", ""],
    ]
    accounts, errors = load_accounts(write_csv(tmp_path / "accounts.csv", rows, encoding="gb18030"))
    assert [(a.account_id, a.platform) for a in accounts] == [
        ("gh_leizhou01", "wechat"),
        ("leizhoufabu", "weibo"),
    ]
    assert accounts[0].homepage == "https://mp.example.cn/leizhou"
    assert accounts[1].homepage == ""
    assert [(e.row, e.field) for e in errors] == [
        (4, "platform"),
        (5, "account_id"),
        (6, "homepage"),
        (7, "account_id"),
    ]
    assert "wechat" in errors[0].message and "douyin" in errors[0].message


def test_accounts_xlsx_with_english_headers_and_region_columns(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["广东省政务新媒体名单"],
        ["account_id", "name", "platform", "省", "市", "县", "host_org", "homepage", "status"],
        ["wx_gd", "广东发布", "wechat", "广东省", "", "", "广东省政府办公厅", "", "running"],
        [
            "app_zj",
            "湛江通",
            "客户端",
            "广东省",
            "湛江市",
            "",
            "湛江市政府",
            "https://app.zhanjiang.gov.cn/",
            "关停",
        ],
    ]
    accounts, errors = load_accounts(write_xlsx(tmp_path / "accounts.xlsx", rows))
    assert errors == []
    assert [(a.account_id, a.platform, a.region, a.status) for a in accounts] == [
        ("wx_gd", "wechat", "广东省", SiteStatus.RUNNING),
        ("app_zj", "app", "广东省/湛江市", SiteStatus.CLOSED),
    ]


def test_site_registry_is_not_an_account_list(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="账号ID/account_id"):
        load_accounts(write_csv(tmp_path / "sites.csv", [ZH_HEADER, LEIZHOU]))
