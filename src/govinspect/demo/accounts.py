"""The demo farm's new-media accounts: a provincial 政务新媒体 matrix host serving a handful of accounts as
RSS, Atom, JSON feeds and HTML post lists (UTF-8 and GB18030), with problems planted on some of them and a
message export and a 报送系统 filing list to import beside them. Every plant is recorded, as for sites.

Generated from its own seed (``f"{seed}:accounts"``) after the sites, so adding accounts changes nothing
about the sites' pages or plants.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

MATRIX_HOST = "xmt.gd.gov.cn"  # the province's new-media matrix (served on loopback only)
ACCOUNT_HEADERS = ("账号ID", "账号名称", "平台", "地区", "主办单位", "主页/feed 地址", "备案编号", "状态")
MESSAGE_HEADERS = ("账号ID", "留言编号", "留言时间", "回复时间", "留言内容")
FILING_HEADERS = ("账号名称", "平台", "账号ID", "备案编号", "状态", "变更日期")
_TITLES = ("关于做好汛期安全防范工作的通知", "我市召开全市安全生产工作会议", "市领导调研乡村振兴重点项目",
           "政务服务“跨省通办”再添新事项", "全市新冠疫苗接种工作有序推进", "2021年高考期间交通管制的通告",
           "我市举行党史学习教育专题报告会", "一图读懂政府工作报告", "防溺水安全提示请查收", "端午假期出行指南")


@dataclass(frozen=True)
class AccountPlant:
    """One planted new-media problem: the account and the check id that must find it."""

    account_id: str
    check: str
    note: str


@dataclass
class FarmAccount:
    """One demo account and the path of its homepage/feed on the matrix host."""

    account_id: str
    name: str
    platform: str  # as the registry writes it: 微信公众号 / 微博 / 抖音 / 头条号
    region: str
    host_org: str
    path: str
    filing_no: str
    status: str = "运行"

    def homepage(self, port: int) -> str:
        return f"http://{MATRIX_HOST}:{port}{self.path}"


@dataclass
class DemoAccounts:
    """The accounts, what the matrix host serves, the exports to import, and the truth."""

    accounts: list[FarmAccount]
    pages: dict[str, tuple[bytes, str]]
    messages: list[dict[str, str]]
    filings: list[dict[str, str]]
    planted: list[AccountPlant]
    clean: list[str]
    near_misses: list[dict[str, Any]] = field(default_factory=list)

    def write(self, folder: Path, port: int) -> tuple[Path, Path, Path]:
        """accounts.csv (UTF-8 with BOM), messages.csv and filings.csv (GB18030, as WPS on a 政务外网 PC saves)."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = (folder / "accounts.csv", folder / "account_messages.csv", folder / "account_filings.csv")
        rows = [dict(zip(ACCOUNT_HEADERS, (a.account_id, a.name, a.platform, a.region, a.host_org, a.homepage(port),
                                           a.filing_no, a.status), strict=True)) for a in self.accounts]
        for path, headers, items, encoding in ((paths[0], ACCOUNT_HEADERS, rows, "utf-8-sig"),
                                               (paths[1], MESSAGE_HEADERS, self.messages, "gb18030"),
                                               (paths[2], FILING_HEADERS, self.filings, "gb18030")):
            with path.open("w", encoding=encoding, newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(headers))
                writer.writeheader()
                writer.writerows(items)
        return paths

    def truth_json(self) -> dict[str, Any]:
        return {"host": MATRIX_HOST, "accounts": [asdict(a) for a in self.accounts],
                "planted": [asdict(p) for p in self.planted], "clean": list(self.clean),
                "near_misses": list(self.near_misses)}


def _rss(posts: list[tuple[str, datetime]], *, chinese_dates: bool = False) -> bytes:
    items = "".join(
        f"<item><title>{escape(t)}</title><link>/p/{n}.html</link><pubDate>"
        f"{f'{d.year}年{d.month}月{d.day}日' if chinese_dates else format_datetime(d)}</pubDate></item>"
        for n, (t, d) in enumerate(posts))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>订阅</title><link>/</link>'
            f"{items}</channel></rss>").encode()


def _atom(posts: list[tuple[str, datetime]]) -> bytes:
    entries = "".join(f"<entry><title>{escape(t)}</title><link href='/e/{n}.html'/><id>e{n}</id>"
                      f"<updated>{d.isoformat()}</updated></entry>" for n, (t, d) in enumerate(posts))
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>订阅</title>'
            f"{entries}</feed>").encode()


def _json(posts: list[tuple[str, datetime]], menus: list[tuple[str, str]] = ()) -> bytes:  # type: ignore[assignment]
    doc: dict[str, Any] = {"version": "https://jsonfeed.org/version/1.1", "title": "订阅",
                           "items": [{"id": str(n), "title": t, "url": f"/j/{n}.html",
                                      "date_published": d.isoformat()} for n, (t, d) in enumerate(posts)]}
    if menus:
        doc["menu"] = {"button": [{"name": name, "url": url} for name, url in menus]}
    return json.dumps(doc, ensure_ascii=False).encode()


def _page(name: str, posts: list[tuple[str, datetime]], menus: list[tuple[str, str]], *, gb: bool,
          empty_text: str = "") -> tuple[bytes, str]:
    rows = "".join(f"<li><a href='/w/{n}.html'>{escape(t)}</a><span>[{d:%m-%d}]</span></li>"
                   for n, (t, d) in enumerate(posts))
    menu = "".join(f"<a href='{escape(url)}'>{escape(text)}</a>" for text, url in menus)
    body = f"<ul class='list'>{rows}</ul>" if posts else f"<p class='empty'>{escape(empty_text)}</p>"
    html = (f"<!DOCTYPE html><html><head><meta charset='{'gb2312' if gb else 'utf-8'}'><title>{escape(name)}</title>"
            f"</head><body><div class='wx-menu'>{menu}</div><h1>{escape(name)}</h1>{body}"
            "<div class='footer'>广东省政务新媒体矩阵</div></body></html>")
    return html.encode("gb18030" if gb else "utf-8"), "text/html" if gb else "text/html; charset=utf-8"


def build_accounts(seed: int, as_of: datetime) -> DemoAccounts:
    """Ten accounts: four clean (one a near miss at exactly 14 days), six with one planted problem each."""
    rng = random.Random(f"{seed}:accounts")

    def posts(*ages: int) -> list[tuple[str, datetime]]:
        return [(rng.choice(_TITLES), (as_of - timedelta(days=a)).replace(hour=9, minute=30)) for a in ages]

    def menu(path: str, *names: str) -> list[tuple[str, str]]:
        return [(n, f"{path}menu/{i}.html") for i, n in enumerate(names)]

    acc = [
        FarmAccount("gh_gdfabu", "广东发布", "微信公众号", "广东省", "广东省人民政府办公厅", "/gdfabu/feed.xml", "GD-XMT-0001"),
        FarmAccount("wb_zjfabu", "湛江发布", "微博", "广东省/湛江市", "湛江市人民政府办公室", "/zjfabu/", "GD-XMT-0002"),
        FarmAccount("dy_lzzw", "雷州政务", "抖音", "广东省/湛江市/雷州市", "雷州市人民政府办公室", "/lzzw/feed.json", "GD-XMT-0003"),
        FarmAccount("tt_stfabu", "汕头发布", "头条号", "广东省/汕头市", "汕头市人民政府办公室", "/stfabu/atom.xml", "GD-XMT-0004"),
        FarmAccount("gh_mmfabu", "茂名发布", "微信公众号", "广东省/茂名市", "茂名市人民政府办公室", "/mmfabu/feed.xml", "GD-XMT-0005"),
        FarmAccount("dy_yjsl", "阳江水利", "抖音", "广东省/阳江市", "阳江市水利局", "/yjsl/", "GD-XMT-0006"),
        FarmAccount("wb_sgfabu", "韶关发布", "微博", "广东省/韶关市", "韶关市人民政府办公室", "/sgfabu/", "GD-XMT-0007"),
        FarmAccount("tt_hyfabu", "河源发布", "头条号", "广东省/河源市", "河源市人民政府办公室", "/hyfabu/feed.xml", ""),
        FarmAccount("gh_zqfabu", "肇庆发布", "微信公众号", "广东省/肇庆市", "肇庆市人民政府办公室", "/zqfabu/feed.json", "GD-XMT-0009"),
        FarmAccount("wb_jmly", "江门旅游", "微博", "广东省/江门市", "江门市文化广电旅游体育局", "/jmly/feed.xml", "GD-XMT-0010",
                    status="注销"),
    ]
    robots = (b"User-agent: *\nAllow: /\n", "text/plain")
    ok_page = ("<html><head><meta charset='utf-8'><title>服务</title></head><body>办事服务</body></html>".encode(),
               "text/html; charset=utf-8")
    pages: dict[str, tuple[bytes, str]] = {"/robots.txt": robots}
    zj_menu = menu("/zjfabu/", "办事服务", "政务公开")
    sg_menu = menu("/sgfabu/", "便民查询", "互动交流")
    pages["/gdfabu/feed.xml"] = (_rss(posts(1, 3, 8, 20)), "application/rss+xml")
    pages["/zjfabu/"] = _page("湛江发布", posts(0, 2, 6), zj_menu, gb=True)
    pages["/lzzw/feed.json"] = (_json(posts(4, 9), menu("/lzzw/", "雷州政务服务")), "application/json")
    pages["/stfabu/atom.xml"] = (_atom(posts(14, 30)), "application/atom+xml")
    pages["/mmfabu/feed.xml"] = (_rss(posts(36, 50, 71), chinese_dates=True), "application/rss+xml; charset=utf-8")
    pages["/yjsl/"] = _page("阳江水利", [], menu("/yjsl/", "水利服务"), gb=False, empty_text="该账号暂未发布作品")
    pages["/sgfabu/"] = _page("韶关发布", posts(1, 5), sg_menu, gb=True)
    pages["/hyfabu/feed.xml"] = (_rss(posts(2, 7)), "application/rss+xml")
    pages["/zqfabu/feed.json"] = (_json(posts(1, 4)), "application/json")
    pages["/jmly/feed.xml"] = (_rss(posts(6, 40)), "application/rss+xml")
    for _, path in [*zj_menu, *menu("/lzzw/", "雷州政务服务"), *menu("/yjsl/", "水利服务"), sg_menu[0]]:
        pages[path] = ok_page  # sg_menu[1] (互动交流) is the planted dead menu: 404
    when = "%Y-%m-%d %H:%M"
    messages = [
        {"账号ID": "wb_zjfabu", "留言编号": "ZJ-0601", "留言时间": (as_of - timedelta(days=12)).strftime(when),
         "回复时间": (as_of - timedelta(days=11)).strftime(when), "留言内容": "请问社保卡补办需要什么材料？"},
        {"账号ID": "gh_zqfabu", "留言编号": "ZQ-0520", "留言时间": (as_of - timedelta(days=26)).strftime(when),
         "回复时间": "", "留言内容": "小区门口道路积水多日无人处理"},
        {"账号ID": "gh_gdfabu", "留言编号": "GD-0611", "留言时间": (as_of - timedelta(hours=30)).strftime(when),
         "回复时间": "", "留言内容": "咨询高考加分政策"},  # near miss: still within the working-day limit
    ]
    filings = [{"账号名称": a.name, "平台": a.platform, "账号ID": a.account_id, "备案编号": a.filing_no,
                "状态": "运行", "变更日期": ""} for a in acc if a.account_id != "tt_hyfabu"]
    for row in filings:
        if row["账号ID"] == "wb_jmly":
            row.update({"状态": "注销", "变更日期": (as_of - timedelta(days=30)).strftime("%Y-%m-%d")})
    planted = [
        AccountPlant("gh_mmfabu", "newmedia.stale", "最新内容发布于 36 天前（订阅源中文日期）"),
        AccountPlant("dy_yjsl", "newmedia.never_posted", "主页显示“该账号暂未发布作品”"),
        AccountPlant("wb_sgfabu", "newmedia.menu_broken", "菜单“互动交流”链接 404"),
        AccountPlant("tt_hyfabu", "newmedia.unfiled", "报送系统备案名单中没有该账号"),
        AccountPlant("gh_zqfabu", "newmedia.unanswered", "留言 ZQ-0520 超过 5 个工作日未回复"),
        AccountPlant("wb_jmly", "newmedia.unfiled", "已注销备案仍在发布内容"),
    ]
    near = [{"account_id": "tt_stfabu", "what": "最新内容恰好发布于监测时间点前 14 天，不算不更新"},
            {"account_id": "gh_gdfabu", "what": "留言收到约 30 小时，未超过 5 个工作日"}]
    problem_ids = {p.account_id for p in planted}
    return DemoAccounts(acc, pages, messages, filings, planted,
                        clean=[a.account_id for a in acc if a.account_id not in problem_ids], near_misses=near)


__all__ = ["AccountPlant", "DemoAccounts", "FarmAccount", "MATRIX_HOST", "build_accounts"]
