"""The demo farm: a generated province of government websites with planted problems and their truth.

``build_farm(seed)`` writes, in memory, about three dozen Guangdong sites in three CMS styles (TRS/WCM,
大汉 Hanweb, a 广东 gkmlpt-era card layout) with real division codes, 栏目, dated lists, articles,
message boards and page-bottom function areas (底部功能区). Problems of the kinds a provincial notice
reports are planted on chosen sites (the 2021-Q2 广东 notice in the seed folder names several of them),
and every one is recorded in :attr:`Farm.planted`; at least ten sites stay clean and carry the hard
negatives (a 福利彩票 news item, a 打击跨境赌博 notice, masked phone numbers …) an inspector must not flag.

Pages are stored with :data:`PORT_TOKEN` wherever an absolute URL needs the serving port; the server
(:mod:`govinspect.demo.server`) substitutes the real port when it answers.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from govinspect.demo import corpus
from govinspect.errors import ConfigError

AS_OF = datetime(2021, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the demo monitoring point
PORT_TOKEN = "__FARM_PORT__"  # replaced by the serving port in every response body
SEARCH_SLOT = "__FARM_SEARCH__"  # replaced by the search page's answer to its query (see FarmSite.search)
# What every farm site answers with unless a plant says otherwise: the protective headers the
# security.headers check asks for over http, and a product name without a version.
PROTECTIVE_HEADERS = {
    "Server": "nginx",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "frame-ancestors 'self'; object-src 'none'; base-uri 'self'",
}
LEAKY_HEADERS = {"Server": "Apache/2.2.15 (CentOS)", "X-Powered-By": "PHP/5.4.16"}
GIT_HEAD = b"ref: refs/heads/master\n"

MIN_SITES = 33  # 23 sites carry planted problems, at least 10 stay clean
STYLES = ("trs", "hanweb", "gkmlpt")
REGISTRY_HEADERS = ("网站标识码", "网站名称", "首页网址", "地区", "主办单位", "网站类型")

# Shared hosts every farm page may link to; served on the same port as the farm sites.
GOV_CN = "www.gov.cn"
JIUCUO_HOST = "zfwzgl.www.gov.cn"
CONAC_SHOW_HOST = "bszs.conac.cn"
CONAC_IMAGE_HOST = "dcs.conac.cn"
POLICE_HOST = "www.beian.gov.cn"
ICP_HOST = "beian.miit.gov.cn"
SERVICE_HALL_HOST = "www.gdzwfw.gov.cn"
DEAD_HOST = "www.gdtour-old.com"  # an expired external site: every path answers 404
SPAM_HOSTS = ("www.yb88vip.com", "www.xpj2021.com", "www.hg0088bet.com", "www.pk10-bj.com")
SPAM_TEXTS = ("亚博体育", "澳门新葡京", "皇冠体育投注", "北京赛车pk10")


@dataclass(frozen=True)
class Planted:
    """One planted problem; ``check`` is a check id of interfaces.md §3."""

    site_code: str
    check: str
    detail: dict[str, Any]
    note: str


@dataclass
class FarmSite:
    """One generated government website and every page it serves."""

    site_code: str
    name: str
    host: str
    region: str  # 广东省/湛江市/雷州市
    host_org: str
    kind: str  # portal / department
    style: str  # trs / hanweb / gkmlpt
    encoding: str  # utf-8 / gb18030 (what the bytes are)
    content_type: str  # the HTML Content-Type header (with or without charset)
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # path[?query] -> (body, content type)
    spider_pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # served to Baiduspider only
    failure: str | None = None  # "drop" (connection closed) or "503": the site never opens
    gzip: bool = False  # answer with Content-Encoding: gzip when the client accepts it
    meta_charset: str | None = None  # the <meta> charset label, if any
    columns: list[dict[str, Any]] = field(default_factory=list)  # truth about each 栏目
    headers: dict[str, str] = field(default_factory=lambda: dict(PROTECTIVE_HEADERS))  # on every answer
    search: FarmSearch | None = None  # the site search endpoint, answered per query

    def homepage(self, port: int) -> str:
        return f"http://{self.host}:{port}/"


@dataclass(frozen=True)
class FarmSearch:
    """The site search (站内搜索) the page-header form submits to: ``path`` with the text input
    ``parameter``. Its page holds :data:`SEARCH_SLOT`, which the server replaces with the query echoed
    back — HTML-escaped, except where a reflected-XSS problem is planted (``escape=False``)."""

    path: str
    parameter: str
    escape: bool = True


@dataclass
class ExternalHost:
    """A shared host outside the province (中国政府网, 找错 platform, conac, a dead or spam site)."""

    host: str
    status: int = 200
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    fallback: tuple[bytes, str] | None = None  # answer for any other path (None: 404)


@dataclass
class Farm:
    """The generated province: sites, shared external hosts, planted problems and hard negatives."""

    sites: list[FarmSite]
    planted: list[Planted]
    clean_sites: list[str]
    externals: list[ExternalHost] = field(default_factory=list)
    hard_negatives: list[dict[str, Any]] = field(default_factory=list)
    near_misses: list[dict[str, Any]] = field(default_factory=list)
    seed: int = 2021
    as_of: datetime = AS_OF
    newmedia: Any = None  # demo.accounts.DemoAccounts: the accounts on the new-media matrix host

    def site(self, site_code: str) -> FarmSite:
        for site in self.sites:
            if site.site_code == site_code:
                return site
        raise KeyError(site_code)

    def hosts(self) -> list[str]:
        """Every host name the farm serves (sites first, then shared external hosts)."""
        return [s.host for s in self.sites] + [e.host for e in self.externals]

    def registry_rows(self, port: int) -> list[dict[str, str]]:
        """The site registry (interfaces.md §1) with Chinese headers, homepages on ``port``."""
        return [
            {"网站标识码": s.site_code, "网站名称": s.name, "首页网址": s.homepage(port), "地区": s.region,
             "主办单位": s.host_org, "网站类型": "门户网站" if s.kind == "portal" else "部门网站"}
            for s in self.sites
        ]

    def write_registry_csv(self, path: Path, port: int) -> None:
        """Write the registry as UTF-8 with BOM (what Excel on a Chinese desktop saves)."""
        with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(REGISTRY_HEADERS))
            writer.writeheader()
            writer.writerows(self.registry_rows(port))

    def resolve_entries(self, port: int) -> list[str]:
        """curl-style ``HOST:PORT:127.0.0.1`` for every farm and shared host (``--resolve``)."""
        return [f"{host}:{port}:127.0.0.1" for host in self.hosts()]

    def truth_json(self) -> dict[str, Any]:
        """What was generated and planted, for comparing an inspection with the truth."""
        planted_by_site: dict[str, list[str]] = {}
        for p in self.planted:
            planted_by_site.setdefault(p.site_code, []).append(p.check)
        return {
            "as_of": self.as_of.isoformat(),
            "seed": self.seed,
            "sites": [
                {"site_code": s.site_code, "name": s.name, "host": s.host, "region": s.region,
                 "host_org": s.host_org, "kind": s.kind, "style": s.style, "encoding": s.encoding,
                 "content_type": s.content_type, "meta_charset": s.meta_charset, "gzip": s.gzip,
                 "failure": s.failure, "pages": len(s.pages), "clean": s.site_code in self.clean_sites,
                 "planted_checks": sorted(set(planted_by_site.get(s.site_code, []))),
                 "veto_checks": _veto_checks(self.planted, s.site_code), "columns": s.columns}
                for s in self.sites
            ],
            "planted": [asdict(p) for p in self.planted],
            "clean_sites": list(self.clean_sites),
            "hard_negatives": list(self.hard_negatives),
            "near_misses": list(self.near_misses),
            "externals": [{"host": e.host, "status": e.status} for e in self.externals],
            "new_media": self.newmedia.truth_json() if self.newmedia is not None else None,
        }


def _veto_checks(planted: list[Planted], site_code: str) -> list[str]:
    """Checks whose planted findings on this site should, per the 2019 indicators, veto it."""
    out: set[str] = set()
    for p in planted:
        if p.site_code != site_code:
            continue
        always = p.check in ("site.unreachable", "homepage.stale", "content.spam", "content.dark_link",
                             "content.serious_error")
        if always or (p.check in ("column.stale", "column.empty") and p.detail.get("veto")):
            out.add(p.check)
    return sorted(out)


# --------------------------------------------------------------------------------------------------
# Site catalogue


@dataclass
class _Spec:
    """What a site is before its pages exist."""

    code: str
    name: str
    host: str
    region: str
    host_org: str
    kind: str
    subject: str  # how titles name the author: 雷州市 / 湛江市教育局
    org: str  # 发文机关 in policy titles
    short: str  # 雷州 (for 市情 / 概况)
    place: corpus.Place | None
    doc_abbr: str
    duty: str  # the department's field, for 机构职能
    unit: str = "市"  # 市 / 县 / 区 / 省 (for 市长 / 县长 / 区长)
    parent_host: str | None = None
    plants: set[str] = field(default_factory=set)
    failure_mode: str | None = None  # unreachable plant: "drop" or "503"
    style: str = "trs"
    encoding_profile: str = "utf8"
    gzip: bool = False
    security: set[str] = field(default_factory=set)  # headers_leak / git_exposed / xss_search


def _catalogue(seed: int) -> list[_Spec]:
    """Every site the farm can hold, core sites first (their order fixes which sites a small farm has)."""
    from govinspect.registry.gazetteer import Gazetteer

    gaz = Gazetteer.load()
    specs: list[_Spec] = [_Spec("4400000001", "广东省人民政府", "www.gd.gov.cn", "广东省", "广东省人民政府办公厅",
                                "portal", "广东省", "广东省人民政府", "广东", None, "粤府", "政务", unit="省")]
    for name, label, serial, abbr, duty in corpus.PROVINCIAL:
        specs.append(_Spec("440000" + serial, name, f"{label}.gd.gov.cn", "广东省", name, "department", name,
                           name, name.removeprefix("广东省"), None, abbr, duty, unit="省",
                           parent_host="www.gd.gov.cn"))
    city_hosts: dict[str, str] = {}
    codes: dict[str, str] = {}
    for place in corpus.PLACES:
        code6 = gaz.code_of(place.region)
        if code6 is None:
            raise ConfigError(f"division {place.region} is not in the gazetteer: "
                              "update python-stdnum or the farm's place list")
        codes[place.region] = code6
        host = f"www.{place.pinyin}.gov.cn"
        if place.name == "信宜市":
            host = "www.xinyi-gov.com"  # planted domain.noncompliant (non-.gov.cn)
        depth = len(place.region.split("/"))
        if depth == 2:
            city_hosts[place.name] = host
        unit = place.name[-1]
        parent = "www.gd.gov.cn" if depth == 2 else city_hosts.get(place.region.split("/")[1])
        specs.append(_Spec(code6 + "0001", f"{place.name}人民政府", host, place.region,
                           f"{place.name}人民政府办公室", "portal", place.name, f"{place.name}人民政府",
                           _short(place.name), place, place.doc_abbr, "政务", unit=unit, parent_host=parent))
    extras: list[_Spec] = []
    for place in corpus.PLACES:
        code6 = codes[place.region]
        portal_host = f"www.{place.pinyin}.gov.cn" if place.name != "信宜市" else "www.xinyi-gov.com"
        for index, (dept, label, abbr, duty) in enumerate(corpus.DEPARTMENTS):
            name = place.name + dept
            base = f"{place.pinyin}.gov.cn" if place.name != "信宜市" else "xinyi-gov.com"
            extras.append(_Spec(f"{code6}{index + 2:04d}", name, f"{label}.{base}", place.region, name,
                                "department", name, name, _short(place.name), place, place.doc_abbr + abbr,
                                duty, unit=place.name[-1], parent_host=portal_host))
    random.Random(seed * 7 + 1).shuffle(extras)
    return specs + extras


def _short(name: str) -> str:
    from govinspect.registry.gazetteer import short_name

    return short_name(name)


# Fixed plants mirror the seed notice; flexible ones move with the seed.
_FIXED_PLANTS = {
    "广东省教育厅": "test_draft_title", "广东省卫生健康委员会": "test_draft_en", "广东省人民政府港澳事务办公室": "images",
    "雷州市人民政府": "wrong_region", "信宜市人民政府": "domain_host", "化州市人民政府": "blank2",
    "龙湖区人民政府": "blank5", "梅江区人民政府": "jiucuo_home_only", "清城区人民政府": "jiucuo_none",
}
_FLEXIBLE_PLANTS = ("unreachable", "dead_links", "footer_site_code", "footer_police", "footer_conac",
                    "code_mismatch", "stale5", "stale3", "homepage_stale", "spam", "dark_link", "cloak",
                    "privacy", "serious_error")
_SEARCH_PARAMETERS = {"trs": "searchword", "hanweb": "q", "gkmlpt": "keywords"}  # the templates' text inputs
_ENCODINGS = {
    # profile: (bytes encoding, Content-Type header, <meta> charset label)
    "utf8": ("utf-8", "text/html; charset=utf-8", "utf-8"),
    "gb_bare_meta": ("gb18030", "text/html", "gb2312"),
    "gb_bare": ("gb18030", "text/html", None),
    "gb_gbk": ("gb18030", "text/html; charset=gbk", "gbk"),
    "utf8_bare": ("utf-8", "text/html", "utf-8"),
}


_SECURITY_PLANTS = ("headers_leak", "git_exposed", "xss_search")


def _assign_security(specs: list[_Spec], rng: random.Random) -> None:
    """Put each security plant on a different site that already carries a problem and opens (so the
    clean sites stay clean and every plant is reachable); ``rng`` is the farm seed's own stream."""
    hosts = [s for s in specs if s.plants and "unreachable" not in s.plants]
    for plant, pick in zip(_SECURITY_PLANTS, rng.sample(hosts, len(_SECURITY_PLANTS)), strict=True):
        pick.security.add(plant)


def _assign(specs: list[_Spec], rng: random.Random) -> None:
    """Choose plants, styles, encodings and gzip for each site."""
    by_name = {s.name: s for s in specs}
    for name, plant in _FIXED_PLANTS.items():
        by_name[name].plants.add(plant)
    free = [s for s in specs if not s.plants and s.host != "www.gd.gov.cn"]
    rng.shuffle(free)
    for plant in _FLEXIBLE_PLANTS:
        if plant == "unreachable":
            pick = next(s for s in free if s.kind == "department")
        elif plant == "footer_site_code":
            pick = free[0]
        elif plant == "code_mismatch":
            pick = next(s for s in free if s.place is not None)
        else:
            pick = free[0]
        free.remove(pick)
        pick.plants.add(plant)
    order = list(range(len(specs)))
    rng.shuffle(order)
    profiles = ["utf8", "gb_bare_meta", "utf8", "gb_bare", "gb_gbk", "utf8_bare"]
    for rank, index in enumerate(order):
        spec = specs[index]
        spec.style = STYLES[rank % 3]
        spec.encoding_profile = profiles[(rank // 3) % len(profiles)]
        spec.gzip = rank % 4 == 1
    specs[0].style = "trs"
    for spec in specs:
        if "footer_site_code" in spec.plants and spec.style == "trs":
            spec.style = "hanweb"  # TRS pages repeat the code in <meta name="SiteIDCode">: keep it clear-cut


# --------------------------------------------------------------------------------------------------
# Columns and items


@dataclass
class _Item:
    title: str
    when: datetime
    path: str = ""
    paragraphs: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    source: str = ""
    doc_no: str = ""
    message: dict[str, Any] | None = None
    related: list[tuple[str, str]] = field(default_factory=list)  # (text, href) under the article
    broken_images: list[str] = field(default_factory=list)


@dataclass
class _Column:
    key: str
    name: str
    category: str  # news / notice / policy / personnel / static / interaction / service / other
    kind: str  # list / page / message / external / topic
    group: str  # TRS/gkmlpt folder: zwdt / zwgk / hdjl …
    path: str = ""  # the column's index URL path
    items: list[_Item] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    blank: str | None = None  # no_info / building / empty_list
    stale: bool = False
    col_id: int = 0  # Hanweb col id
    uid: int = 0
    href: str = ""  # external columns: absolute URL


_COLUMN_DEFS: dict[str, tuple[str, str, str, str]] = {
    # key: (name, category, kind, group)
    "gzdt": ("工作动态", "news", "list", "zwdt"),
    "bmdt": ("部门动态", "news", "list", "zwdt"),
    "tpxw": ("图片新闻", "news", "list", "zwdt"),
    "tzgg": ("通知公告", "notice", "list", "zwgk"),
    "zcwj": ("政策文件", "policy", "list", "zwgk"),
    "gfxwj": ("规范性文件", "policy", "list", "zwgk"),
    "zcjd": ("政策解读", "policy", "list", "zwgk"),
    "rsxx": ("人事信息", "personnel", "list", "zwgk"),
    "ghjh": ("规划计划", "personnel", "list", "zwgk"),
    "jgzn": ("机构职能", "static", "page", "zwgk"),
    "ldxx": ("领导信息", "static", "page", "zwgk"),
    "gk": ("概况信息", "static", "page", "zjxx"),
    "hdjl": ("互动交流", "interaction", "message", "hdjl"),
    "bsfw": ("办事服务", "service", "external", "bsfw"),
    "ztzl": ("专题专栏", "other", "topic", "ztzl"),
}
_SEGMENT = {"hdjl": "lygk", "ztzl": "zt"}  # folder names that differ from the key
_REQUIRED = ("gzdt", "tzgg", "zcwj", "jgzn", "ldxx", "hdjl", "bsfw")
_OPTIONAL = ("bmdt", "tpxw", "gfxwj", "zcjd", "rsxx", "ghjh", "ztzl")
_NEEDS = {"stale5": {"bmdt", "tpxw", "zcjd"}, "stale3": {"tpxw"},
          "blank5": {"gfxwj", "zcjd", "rsxx", "ghjh", "ztzl"}, "blank2": {"ghjh"}, "homepage_stale": set()}
# (newest offset days, gap days) per category when fresh, and when planted stale.
_FRESH = {"news": ((1, 4), (1, 4)), "notice": ((2, 25), (5, 20)), "policy": ((10, 60), (15, 45)),
          "personnel": ((10, 120), (20, 60)), "interaction": ((1, 6), (2, 6))}
_STALE = {"news": ((30, 80), (3, 10)), "notice": ((200, 320), (10, 30)), "policy": ((200, 320), (15, 45))}
_LIMITS = {"news": 14, "notice": 183, "policy": 183, "personnel": 365}


class _SiteBuilder:
    """Generates one site's columns, items and pages."""

    def __init__(self, spec: _Spec, farm_rng_seed: int, pages_per_site: int, env: Any, hosts_up: set[str],
                 planted: list[Planted], hard_negative_kinds: list[str], near_misses: list[dict[str, Any]],
                 hard_negatives: list[dict[str, Any]]) -> None:
        self.spec = spec
        self.rng = random.Random(f"{farm_rng_seed}:{spec.code}")
        self.pages_per_site = pages_per_site
        self.env = env
        self.hosts_up = hosts_up
        self.planted = planted
        self.hard_negative_kinds = hard_negative_kinds
        self.near_misses = near_misses
        self.hard_negatives = hard_negatives
        self.encoding, self.content_type, self.meta_charset = _ENCODINGS[spec.encoding_profile]
        self.style = spec.style
        self.origin = f"http://{spec.host}:{PORT_TOKEN}"
        self.next_id = self.rng.randint(1_200_000, 4_800_000)
        self.headers = dict(PROTECTIVE_HEADERS)
        self.search: FarmSearch | None = None
        self.pages: dict[str, tuple[bytes, str]] = {}
        self.spider_pages: dict[str, tuple[bytes, str]] = {}
        self.columns: list[_Column] = []
        area = spec.place.area_code if spec.place else "020"
        self.phone = f"{area}-{self.rng.randint(2, 8)}{self.rng.randint(0, 999999):06d}"  # office, 7 digits

    # ---- helpers

    def plant(self, check: str, note: str, **detail: Any) -> None:
        self.planted.append(Planted(self.spec.code, check, detail, note))

    def _id(self) -> int:
        self.next_id += self.rng.randint(3, 60)
        return self.next_id

    def fill(self, text: str, when: datetime | None = None, topic: str | None = None) -> str:
        year = (when or AS_OF).year
        topic = topic or self.rng.choice(corpus.TOPICS)
        return text.format(subject=self.spec.subject, org=self.spec.org, topic=topic, year=year,
                           prev=year - 1, title_tail="")

    def url(self, path: str) -> str:
        """How this style writes an internal link (gkmlpt-era pages use absolute URLs)."""
        return self.origin + path if self.style == "gkmlpt" else path

    def date_text(self, when: datetime, *, long: bool = False) -> str:
        if self.style == "hanweb":
            if long:
                return when.strftime("%Y-%m-%d")
            return when.strftime("[%m-%d]") if (AS_OF - when).days < 365 else when.strftime("[%Y-%m-%d]")
        if self.style == "gkmlpt":
            return f"{when.year}年{when.month}月{when.day}日"
        return when.strftime("%Y-%m-%d")

    # ---- structure

    def choose_columns(self) -> None:
        spec = self.spec
        keys = list(_REQUIRED)
        if spec.kind == "portal":
            keys.append("gk")
        optional = list(_OPTIONAL)
        self.rng.shuffle(optional)
        wanted: set[str] = set()
        for plant in spec.plants:
            wanted |= _NEEDS.get(plant, set())
        extra = self.rng.randint(1 if spec.kind == "department" else 2, len(optional))
        chosen = set(optional[:extra]) | wanted
        keys += [k for k in _OPTIONAL if k in chosen]
        for key in sorted(keys, key=list(_COLUMN_DEFS).index):
            name, category, kind, group = _COLUMN_DEFS[key]
            if key == "bmdt" and spec.kind == "portal" and spec.unit in "县区市" and spec.place and \
                    len(spec.place.region.split("/")) == 3:
                name = "镇街动态"
            elif key == "bmdt" and spec.kind == "department":
                name = "基层动态"
            if key == "gk":
                name = f"{spec.short}市情" if spec.unit == "市" else f"{spec.short}概况"
                if spec.unit == "省":
                    name = "广东概况"
            column = _Column(key, name, category, kind, group, col_id=self.rng.randint(1000, 99999),
                             uid=self.rng.randint(1000, 9999))
            column.path = self.column_path(column)
            self.columns.append(column)

    def column_path(self, column: _Column) -> str:
        if column.kind == "external":
            return ""
        if self.style == "hanweb":
            return f"/col/col{column.col_id}/index.html"
        if self.style == "gkmlpt":
            group = {"zwdt": "xwzx"}.get(column.group, column.group)
            return f"/{group}/{_SEGMENT.get(column.key, column.key)}/"
        return f"/{column.group}/{_SEGMENT.get(column.key, column.key)}/"

    def list_page_path(self, column: _Column, page: int) -> str:
        """Path of list page ``page`` (0 = first) in this style's pagination scheme."""
        if page == 0:
            return column.path
        if self.style == "hanweb":
            return f"{column.path}?uid={column.uid}&pageNum={page + 1}"
        if self.style == "gkmlpt":
            return f"{column.path}index_{page + 1}.html"
        return f"{column.path}index_{page}.html"  # TRS: index.html, index_1.html, index_2.html …

    def item_path(self, column: _Column, when: datetime) -> str:
        ident = self._id()
        if self.style == "hanweb":
            return f"/art/{when.year}/{when.month}/{when.day}/art_{column.col_id}_{ident}.html"
        if self.style == "gkmlpt":
            return f"{column.path}content/post_{ident}.html"
        return f"{column.path}{when:%Y%m}/t{when:%Y%m%d}_{ident}.html"

    def image_path(self, item_path: str, when: datetime, n: int) -> str:
        if self.style == "hanweb":
            return f"/picture/0/{when:%y%m%d}{self.rng.randint(100000, 999999)}{n}.jpg"
        if self.style == "gkmlpt":
            return f"/attachment/0/{self.rng.randint(100, 999)}/{self.rng.randint(100000, 999999)}.jpg"
        folder = item_path.rsplit("/", 1)[0]
        return f"{folder}/W0{when:%Y%m%d}{self.rng.randint(100000000, 999999999)}.jpg"

    def dates(self, category: str, count: int, stale: bool,
              newest: tuple[int, int] | None = None) -> list[datetime]:
        (lo, hi), (glo, ghi) = (_STALE if stale else _FRESH).get(category, _FRESH["personnel"])
        if newest is not None:
            lo, hi = newest
        day = AS_OF - timedelta(days=self.rng.randint(lo, hi))
        out = []
        for _ in range(count):
            out.append(day.replace(hour=self.rng.randint(8, 17), minute=self.rng.randint(0, 59),
                                   second=self.rng.randint(0, 59)))
            day -= timedelta(days=self.rng.randint(glo, ghi))
        return out

    def items_per_column(self, n_lists: int) -> int:
        budget = max(10, (self.pages_per_site - 14) // max(1, n_lists))
        upper = max(25, budget)
        return self.rng.randint(10, min(upper, max(10, budget + 3)))

    def fill_columns(self) -> None:
        spec = self.spec
        lists = [c for c in self.columns if c.kind in ("list", "message")]
        stale_keys: set[str] = set()
        hot = None  # on stale sites, the homepage block that keeps the homepage itself fresh
        if "stale5" in spec.plants:
            stale_keys, hot = {"gzdt", "bmdt", "tpxw", "tzgg", "zcwj"}, "zcjd"
        elif "stale3" in spec.plants:
            stale_keys, hot = {"gzdt", "tpxw", "zcwj"}, "tzgg"
        blank: dict[str, str] = {}
        if "blank5" in spec.plants:
            blank = {"gfxwj": "empty_list", "zcjd": "no_info", "rsxx": "no_info", "ghjh": "empty_list",
                     "ztzl": "building"}
        elif "blank2" in spec.plants:
            blank = {"ghjh": "no_info", "jgzn": "building"}
        for column in self.columns:
            column.blank = blank.get(column.key)
            column.stale = column.key in stale_keys
            if column.blank:
                continue
            if column.kind == "list":
                count = self.items_per_column(len(lists))
                if "homepage_stale" in spec.plants and column.key == "gzdt":
                    count = 25
                newest = (1, 6) if column.key == hot else None
                seen: set[str] = set()
                for when in reversed(self.dates(column.category, count, column.stale, newest)):
                    column.items.append(self.make_item(column, when, seen))  # oldest first: ids grow
                column.items.reverse()
            elif column.kind == "message":
                for when in reversed(self.dates("interaction", self.rng.randint(10, 16), False)):
                    column.items.append(self.make_message(column, when))
                column.items.reverse()
            elif column.kind == "page":
                column.paragraphs = self.static_paragraphs(column)
            elif column.kind == "topic":
                column.paragraphs = [f"{spec.subject}党史学习教育专题", f"{spec.subject}“我为群众办实事”实践活动专题",
                                     f"{spec.subject}优化营商环境专题"]
            elif column.kind == "external":
                column.href = f"http://{SERVICE_HALL_HOST}:{PORT_TOKEN}/portal/index?region={spec.code[:6]}"

    def make_item(self, column: _Column, when: datetime, seen: set[str]) -> _Item:
        rng = self.rng
        bank = {"gzdt": corpus.NEWS_TITLES, "bmdt": corpus.NEWS_TITLES, "tpxw": corpus.NEWS_TITLES,
                "tzgg": corpus.NOTICE_TITLES, "zcwj": corpus.POLICY_TITLES, "gfxwj": corpus.NORMATIVE_TITLES,
                "zcjd": corpus.INTERPRETATION_TITLES, "rsxx": corpus.PERSONNEL_TITLES,
                "ghjh": corpus.PLAN_TITLES}[column.key]
        for _ in range(8):  # a column does not repeat a title
            topic = rng.choice(corpus.TOPICS)
            title = self.fill(rng.choice(bank), when, topic)
            if title not in seen:
                break
        seen.add(title)
        sentences = {"news": corpus.BODY_SENTENCES, "notice": corpus.NOTICE_SENTENCES}.get(column.category)
        if column.key in ("zcwj", "gfxwj"):
            sentences = corpus.POLICY_SENTENCES
        elif column.key == "zcjd":
            sentences = corpus.INTERPRETATION_SENTENCES
        elif sentences is None:
            sentences = corpus.BODY_SENTENCES
        if sentences in (corpus.NOTICE_SENTENCES, corpus.POLICY_SENTENCES, corpus.INTERPRETATION_SENTENCES):
            paragraphs = [self.fill(s, when, topic) for s in sentences]
        else:
            paragraphs = [self.fill(s, when, topic) for s in rng.sample(sentences, rng.randint(3, 6))]
        item = _Item(title, when, source=self.spec.org if column.category != "news" else rng.choice(
            [self.spec.org, f"{self.spec.subject}融媒体中心", "本网"]))
        if column.key in ("zcwj", "gfxwj"):
            government = self.spec.kind == "portal" and self.spec.unit != "省"
            issuer = self.spec.doc_abbr + ("府" if government else "")  # 雷府〔2021〕12号 / 湛教〔2021〕5号
            item.doc_no = f"{issuer}〔{when.year}〕{rng.randint(1, 60)}号"
        item.paragraphs = paragraphs
        item.path = self.item_path(column, when)
        if column.key == "tpxw" or (column.category == "news" and rng.random() < 0.3):
            item.images = [self.image_path(item.path, when, n) for n in range(rng.randint(1, 2))]
        return item

    def make_message(self, column: _Column, when: datetime) -> _Item:
        rng = self.rng
        title = rng.choice(corpus.MESSAGE_TITLES)
        tail = title.removeprefix("咨询").removeprefix("反映").removeprefix("建议")
        body = rng.choice(corpus.MESSAGE_BODIES).format(title_tail=tail)
        replied = when + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 5))
        replied = min(replied, AS_OF - timedelta(hours=1))
        item = _Item(title, when, source="网友留言")
        item.message = {"author": rng.choice(corpus.SURNAMES) + "**", "body": body, "reply_when": replied,
                        "reply_org": self.spec.host_org, "reply": rng.choice(corpus.REPLIES)}
        item.path = self.item_path(column, when)
        return item

    def static_paragraphs(self, column: _Column) -> list[str]:
        spec, rng = self.spec, self.rng
        if column.key == "jgzn":
            if spec.kind == "portal":
                return [f"{spec.name}是{spec.unit}级国家行政机关，执行{spec.unit}人民代表大会及其常务委员会的决议和上级国家行政机关的决定和命令。",
                        (f"{spec.name}工作部门包括：{spec.subject}人民政府办公室、发展和改革局、教育局、财政局、"
                         "人力资源和社会保障局、自然资源局、住房和城乡建设局、农业农村局、卫生健康局、应急管理局等。"),
                        f"办公地址：{spec.subject}行政中心。办公时间：工作日上午8:30—12:00，下午14:30—17:30。"]
            government = spec.region.split("/")[-1]
            return [f"{spec.name}是{government}人民政府工作部门，负责本行政区域内{spec.duty}工作。主要职责是：",
                    f"（一）贯彻执行国家、省有关{spec.duty}工作的方针政策和法律法规，拟订有关政策措施并组织实施。",
                    f"（二）负责统筹推进{spec.duty}领域重大改革和重点项目，指导、监督有关工作。",
                    f"（三）负责{spec.duty}领域的安全生产、信息公开和政务服务工作。",
                    "（四）完成上级交办的其他任务。",
                    "内设机构：办公室、政策法规科、业务科、财务审计科。"]
        if column.key == "ldxx":
            roles = corpus.LEADER_ROLES_PORTAL if spec.kind == "portal" else corpus.LEADER_ROLES_DEPT
            if spec.kind == "department" and spec.unit == "省":
                roles = tuple((r.replace("局长", "厅长（主任）"), d) for r, d in roles)
            lines = []
            for role, duty in roles:
                role = role.replace("市长", f"{spec.unit}长") if spec.kind == "portal" else role
                given = rng.choice(corpus.GIVEN_NAMES)
                if self.encoding == "gb18030" and rng.random() < 0.3:
                    given = given[0] + "\U0002C029"  # a 生僻字 only GB18030 (not GBK/GB2312) can hold
                lines.append(f"{rng.choice(corpus.SURNAMES)}{given}　{role}：{duty}。")
            return lines
        if column.key == "gk":
            return _overview(spec.place)
        return []

    # ---- plants and negatives on content

    def apply_content_plants(self) -> None:
        spec, rng = self.spec, self.rng
        cols = {c.key: c for c in self.columns}
        if "test_draft_title" in spec.plants:
            item = cols["gzdt"].items[0]
            item.title, item.paragraphs, item.images = "测试稿件", ["测试内容测试内容测试内容。", "正文正文正文正文。"], []
            self.plant("content.test_draft", "测试稿件 published in 工作动态", path=item.path, title=item.title,
                       column=cols["gzdt"].name)
        if "test_draft_en" in spec.plants:
            item = cols["tzgg"].items[0]
            item.title, item.paragraphs = "test", ["test", "这里是正文内容这里是正文内容"]
            self.plant("content.test_draft", "an item titled 'test' with placeholder body in 通知公告",
                       path=item.path, title=item.title, column=cols["tzgg"].name)
        if "spam" in spec.plants:
            item = cols["tzgg"].items[0]
            scope = {"省": "全省", "市": "全市", "县": "全县", "区": "全区"}[spec.unit]
            item.title = f"yabo 11选5 关于2021年第二季度{scope}政府网站与政务新媒体检查情况的通报"
            item.paragraphs = [
                "各有关单位：",
                ("为贯彻落实《国务院办公厅关于印发政府网站发展指引的通知》（国办发〔2017〕47号）要求，"
                 f"{spec.org}组织开展了2021年第二季度政府网站与政务新媒体检查工作，现将有关情况通报如下。"),
                f"本季度，对{scope}在运行的政府网站进行了全覆盖检查，总体情况良好。",
            ]
            self.plant("content.spam", "gambling keyword injected in a notice title (as in the seed notice)",
                       path=item.path, keyword="yabo 11选5", where="title", title=item.title)
        if "serious_error" in spec.plants:
            item = cols["gzdt"].items[1]
            item.paragraphs.insert(1, corpus.FORMULATION.replace("“四个意识”", "“四个意式”"))
            self.plant("content.serious_error", "official formulation 四个意识 misspelt as 四个意式", path=item.path,
                       wrong="四个意式", correct="四个意识")
        if "wrong_region" in spec.plants:
            gk = cols["gk"]
            gk.paragraphs = _overview(next(p for p in corpus.PLACES if p.name == "信宜市"))
            self.plant("content.wrong_region", f"{gk.name} page describes 信宜市 (as the seed notice reports)",
                       path=gk.path, column=gk.name, expected_region=spec.region.split("/")[-1],
                       found_region="信宜市")
        if "privacy" in spec.plants:
            item = cols["hdjl"].items[1]
            code6 = spec.code[:6]
            id_number = make_resident_id(code6, datetime(1986, 3, 15), rng.randint(100, 999))
            mobile = "138" + f"{rng.randint(0, 99999999):08d}"
            assert item.message is not None
            name = rng.choice(corpus.SURNAMES) + rng.choice(corpus.GIVEN_NAMES)
            item.message["body"] = f"本人{name}，身份证号码{id_number}，联系电话{mobile}，{item.message['body']}"
            self.plant("privacy.leak", "published message exposes a valid resident ID number", path=item.path,
                       kind="id_number", value=id_number)
            self.plant("privacy.leak", "published message exposes an unmasked mobile number", path=item.path,
                       kind="mobile", value=mobile)
        if "dead_links" in spec.plants:
            item = cols["gzdt"].items[2]
            dead = self.dead_item_path(cols["gzdt"])
            item.related.append(("相关链接：关于做好2019年防汛防旱防风工作的通知", self.url(dead)))
            self.plant("link.dead", "inner page links to a removed article", page=item.path, target=dead,
                       internal=True, on_homepage=False, status=404)
        if "images" in spec.plants:
            item = cols["gzdt"].items[1]
            missing = self.image_path(item.path, item.when, 9)
            item.broken_images.append(missing)
            self.plant("image.broken", "article image missing (图片显示不完整)", page=item.path, target=missing,
                       status=404)
        if not spec.plants:
            self.apply_negatives(cols)

    def dead_item_path(self, column: _Column) -> str:
        old = AS_OF - timedelta(days=800)
        saved = self.next_id
        path = self.item_path(column, old)
        self.next_id = saved
        return path

    def apply_negatives(self, cols: dict[str, _Column]) -> None:
        """Hard negatives and near misses on clean sites: correct text an inspector must not flag."""
        spec, rng = self.spec, self.rng
        for kind in self.hard_negative_kinds:
            if kind == "lottery":
                item = cols["gzdt"].items[1]
                item.title = f"{spec.subject}开展福利彩票销售场所安全检查"
                item.paragraphs = [f"为规范福利彩票发行销售管理，近日，{spec.subject}民政部门联合有关单位对辖区福利彩票销售场所开展安全检查。",
                                   "检查组重点查看了销售场所消防设施、未成年人禁购提示和责任彩票宣传情况，对发现的问题要求限期整改。"]
                where = item.path
            elif kind == "anti_gambling":
                item = cols["tzgg"].items[1]
                item.title = "关于开展打击跨境赌博专项整治行动的通告"
                item.paragraphs = ["为坚决遏制跨境赌博违法犯罪活动，维护社会治安秩序，决定在全辖区开展打击跨境赌博专项整治行动。",
                                   "欢迎广大群众积极举报涉赌违法犯罪线索，经查证属实的，将按照有关规定给予奖励。"]
                where = item.path
            elif kind == "nucleic_acid":
                item = cols["gzdt"].items[2]
                item.title = f"{spec.subject}有序开展重点人群核酸检测工作"
                item.paragraphs = [f"按照疫情防控工作部署，{spec.subject}在各核酸检测采样点有序开展重点人群核酸检测工作。",
                                   "现场工作人员引导群众保持一米间距、全程佩戴口罩，采样工作秩序井然。"]
                where = item.path
            elif kind == "test_match":
                item = cols["gzdt"].items[3]
                item.title = f"{spec.subject}全民健身运动会篮球项目测试赛顺利举行"
                item.paragraphs = ["为检验赛事组织和场馆保障能力，全民健身运动会篮球项目测试赛近日顺利举行。",
                                   "测试赛期间，各工作组按照赛时标准运行，为正式比赛积累了经验。"]
                where = item.path
            else:
                continue
            self.hard_negatives.append({"site_code": spec.code, "kind": kind, "path": where,
                                        "title": item.title})
        # Every clean site: correct official formulation in one news item, and near-miss contact data.
        news = cols["gzdt"].items[-1]
        news.paragraphs.append(corpus.FORMULATION)
        self.hard_negatives.append({"site_code": spec.code, "kind": "formulation_correct", "path": news.path,
                                    "title": news.title})
        message = cols["hdjl"].items[0]
        assert message.message is not None
        message.message["body"] += "（联系电话：138****" + f"{rng.randint(0, 9999):04d}）"
        message.message["reply"] += f"如有疑问，可拨打12345政务服务便民热线或办公电话{self.phone}咨询。"
        self.near_misses.append({"site_code": spec.code, "path": message.path,
                                 "kinds": ["masked_mobile", "hotline_12345", "office_phone"]})

    # ---- rendering

    def nav(self, from_home: bool) -> list[dict[str, str]]:
        out = [{"name": "首页", "href": "./" if (self.style == "trs" and from_home) else self.url("/")}]
        for c in self.columns:
            if c.kind == "external":
                out.append({"name": c.name, "href": c.href})
            elif self.style == "trs" and from_home:
                out.append({"name": c.name, "href": "." + c.path})
            else:
                out.append({"name": c.name, "href": self.url(c.path)})
        return out

    def nav_href(self, path: str) -> str:
        """A homepage link to an internal path (TRS homepages write ``./zwgk/tzgg/``)."""
        return "." + path if self.style == "trs" else self.url(path)

    def footer(self, *, on_home: bool) -> dict[str, Any]:
        spec, plants = self.spec, self.spec.plants
        code6 = spec.code[:6]
        police = f"{code6}02{int(spec.code[6:]) * 137 % 1000000:06d}"
        jiucuo = "jiucuo_none" not in plants and (on_home or "jiucuo_home_only" not in plants)
        home = f"http://{spec.host}/"
        return {
            "host_org": spec.host_org,
            "undertaker": f"{spec.subject}政务服务数据管理局" if spec.kind == "portal" else spec.host_org,
            "phone": self.phone,
            "address": f"{spec.subject}行政中心",
            "site_code": None if "footer_site_code" in plants else spec.code,
            "icp": f"粤ICP备{int(spec.code) % 90000000 + 5000000:08d}号",
            "icp_href": f"http://{ICP_HOST}:{PORT_TOKEN}/",
            "police": None if "footer_police" in plants else f"粤公网安备 {police}号",
            "police_href": f"http://{POLICE_HOST}:{PORT_TOKEN}/portal/registerSystemInfo?recordcode={police}",
            "conac": "footer_conac" not in plants,
            "conac_href": f"http://{CONAC_SHOW_HOST}:{PORT_TOKEN}/sitename?method=show&id={spec.code[::-1]}",
            "conac_img": f"http://{CONAC_IMAGE_HOST}:{PORT_TOKEN}/image/red.png",
            "jiucuo": jiucuo,
            "jiucuo_href": f"http://{JIUCUO_HOST}:{PORT_TOKEN}/exposure/jiucuo.html"
                           f"?site_code={spec.code}&url={quote(home, safe='')}",
            "jiucuo_img": f"http://{JIUCUO_HOST}:{PORT_TOKEN}/exposure/images/jiucuo.png",
        }

    def base_context(self, *, title: str, on_home: bool, column: _Column | None = None) -> dict[str, Any]:
        spec = self.spec
        return {
            "site": {"name": spec.name, "host": spec.host, "code": spec.code, "origin": self.origin,
                     "subject": spec.subject, "host_org": spec.host_org},
            "charset": self.meta_charset, "page_title": title, "nav": self.nav(on_home),
            "footer": self.footer(on_home=on_home), "column": column, "meta": None, "extra_html": "",
            "search_action": {"trs": "/was5/web/search", "hanweb": "/jrobot/search.do",
                              "gkmlpt": self.url("/search/index.html")}[self.style],
            "logo": self.url("/images/logo.png"), "home_href": self.url("/"), "form": False,
        }

    def emit(self, path: str, html: str, *, spider: bool = False) -> None:
        body = html.encode(self.encoding)
        (self.spider_pages if spider else self.pages)[path] = (body, self.content_type)

    def render(self, template: str, context: dict[str, Any]) -> str:
        return self.env.get_template(f"{self.style}/{template}").render(**context)

    def item_href(self, item: _Item, column: _Column) -> str:
        if self.style == "trs":
            return "." + item.path[len(column.path) - 1:]  # ./202106/t20210601_123.html (column-relative)
        return self.url(item.path)

    def meta(self, column: _Column | None, item: _Item | None) -> dict[str, str] | None:
        if self.style != "trs":
            return None
        spec = self.spec
        out = {"SiteName": spec.name, "SiteDomain": spec.host, "SiteIDCode": spec.code}
        if column is not None:
            out |= {"ColumnName": column.name, "ColumnType": column.name,
                    "ColumnDescription": f"{spec.name}{column.name}", "ColumnKeywords": column.name}
        if item is not None:
            out |= {"ArticleTitle": item.title, "PubDate": item.when.strftime("%Y-%m-%d %H:%M"),
                    "ContentSource": item.source, "Keywords": item.title[:12], "Author": item.source,
                    "Description": (item.paragraphs[0] if item.paragraphs else item.title)[:60],
                    "Url": f"http://{spec.host}{item.path}"}
        return out

    def render_columns(self) -> None:
        page_size = {"trs": 15, "hanweb": 15, "gkmlpt": 12}[self.style]
        for column in self.columns:
            if column.kind == "external":
                continue
            ctx = self.base_context(title=f"{column.name}_{self.spec.name}", on_home=False, column=column)
            ctx["meta"] = self.meta(column, None)
            if column.kind in ("page", "topic"):
                ctx |= {"heading": column.name, "paragraphs": column.paragraphs, "blank": column.blank,
                        "links": self.topic_links(column)}
                html = self.render("page.html", ctx)
                self.emit(column.path, html)
                if column.path.endswith("/"):
                    self.emit(column.path + "index.html", html)
                continue
            pages = max(1, -(-len(column.items) // page_size))
            for page in range(pages):
                chunk = column.items[page * page_size:(page + 1) * page_size]
                rows = [{"title": i.title, "href": self.item_href(i, column), "date": self.date_text(i.when),
                         "reply_date": self.date_text(i.message["reply_when"]) if i.message else ""}
                        for i in chunk]
                pager = [{"n": n + 1, "href": self.pager_href(column, n), "current": n == page}
                         for n in range(pages)]
                ctx |= {"rows": rows, "pager": pager if pages > 1 else [], "blank": column.blank,
                        "is_message": column.kind == "message", "page": page, "pages": pages,
                        "write_href": self.url(column.path.rstrip("/").rsplit("/", 1)[0] + "/write.html")
                        if self.style != "hanweb" else f"/col/col{column.col_id}/write.html"}
                html = self.render("list.html", ctx)
                path = self.list_page_path(column, page)
                self.emit(path, html)
                if page == 0 and column.path.endswith("/"):
                    self.emit(column.path + "index.html", html)
            if column.kind == "message":
                ctx2 = self.base_context(title=f"我要写信_{self.spec.name}", on_home=False, column=column)
                ctx2 |= {"heading": "我要写信", "paragraphs": ["请如实填写留言信息，我们将在5个工作日内答复。"], "blank": None,
                         "links": [], "form": True}
                write = ctx["write_href"].removeprefix(self.origin)
                self.emit(write, self.render("page.html", ctx2))
            for item in column.items:
                self.render_item(column, item)

    def pager_href(self, column: _Column, page: int) -> str:
        path = self.list_page_path(column, page)
        if self.style == "trs":
            return "./" + (path.rsplit("/", 1)[1] or "index.html")
        return self.url(path)

    def topic_links(self, column: _Column) -> list[dict[str, str]]:
        if column.kind != "topic" or column.blank:
            return []
        news = next(c for c in self.columns if c.key == "gzdt")
        return [{"title": i.title, "href": self.url(i.path)} for i in news.items[:3]]

    def render_item(self, column: _Column, item: _Item) -> None:
        ctx = self.base_context(title=f"{item.title}_{self.spec.name}", on_home=False, column=column)
        ctx["meta"] = self.meta(column, item)
        images = [{"src": self.img_src(item, p), "alt": item.title} for p in item.images + item.broken_images]
        for p in item.images:
            self.pages[p] = (_image_bytes("jpg"), "image/jpeg")
        ctx |= {"item": item, "date_long": item.when.strftime("%Y-%m-%d %H:%M:%S"),
                "date": self.date_text(item.when, long=True), "images": images,
                "related": [{"text": t, "href": h} for t, h in item.related],
                "reply_date": f"{item.message['reply_when']:%Y-%m-%d %H:%M:%S}" if item.message else ""}
        self.emit(item.path, self.render("article.html", ctx))

    def img_src(self, item: _Item, path: str) -> str:
        if self.style == "trs":
            return "./" + path.rsplit("/", 1)[1]
        return self.url(path)

    def render_home(self) -> None:
        spec, rng = self.spec, self.rng
        cols = {c.key: c for c in self.columns}
        cutoff = AS_OF - timedelta(days=rng.randint(20, 26)) if "homepage_stale" in spec.plants else AS_OF

        def block(key: str, n: int) -> dict[str, Any] | None:
            column = cols.get(key)
            if column is None or column.blank:
                return None
            items = [i for i in column.items if i.when <= cutoff][:n]
            if self.style == "trs":
                more = "." + column.path
            else:
                more = self.url(column.path)
            return {"name": column.name, "more": more, "rows": [
                {"title": i.title, "href": self.url(i.path) if self.style != "trs" else "." + i.path,
                 "date": self.date_text(i.when)} for i in items]}

        wanted = (("gzdt", 7), ("bmdt", 5), ("tzgg", 6), ("zcwj", 5), ("zcjd", 4))
        blocks = [b for b in (block(key, n) for key, n in wanted) if b is not None]
        if "homepage_stale" in spec.plants:
            newest = max(r_when for r_when in (i.when for k in ("gzdt", "bmdt", "tzgg", "zcwj", "zcjd")
                                                      if k in cols and not cols[k].blank
                                                      for i in cols[k].items if i.when <= cutoff))
            self.plant("homepage.stale", "homepage is a frozen snapshot, its newest item older than 14 days",
                       path="/", newest=newest.date().isoformat(), limit_days=14)
        friendly = [{"name": "中国政府网", "href": f"http://{GOV_CN}:{PORT_TOKEN}/"},
                    {"name": "广东政务服务网", "href": f"http://{SERVICE_HALL_HOST}:{PORT_TOKEN}/"}]
        if spec.host != "www.gd.gov.cn":
            friendly.insert(1, {"name": "广东省人民政府", "href": f"http://www.gd.gov.cn:{PORT_TOKEN}/"})
        if spec.parent_host and spec.parent_host in self.hosts_up and spec.parent_host != "www.gd.gov.cn":
            friendly.append({"name": "上级门户", "href": f"http://{spec.parent_host}:{PORT_TOKEN}/"})
        banner = [{"src": self.url("/images/banner.jpg"), "alt": f"{spec.subject}欢迎您"}]
        extra_links: list[dict[str, str]] = []
        if "dead_links" in spec.plants:
            dead = self.dead_item_path(cols["tzgg"])
            extra_links.append({"name": "2019年度政府信息公开工作年度报告", "href": self.url(dead)})
            self.plant("link.dead", "homepage links to a removed page", page="/", target=dead, internal=True,
                       on_homepage=True, status=404)
            friendly.append({"name": "旅游资讯网", "href": f"http://{DEAD_HOST}:{PORT_TOKEN}/index.html"})
            self.plant("link.dead", "homepage friendly link to an expired external site", page="/",
                       target=f"http://{DEAD_HOST}/index.html", internal=False, on_homepage=True, status=404)
        if "images" in spec.plants:
            missing = "/images/zt/2019zt_banner.jpg"
            banner.append({"src": self.url(missing), "alt": "专题图片"})
            self.plant("image.broken", "homepage special-topic banner image missing", page="/",
                       target=missing, status=404)
        ctx = self.base_context(title=spec.name, on_home=True)
        ctx["meta"] = self.meta(None, None)
        ctx |= {"blocks": blocks, "friendly": friendly, "banner": banner, "extra_links": extra_links,
                "service_href": next((c.href for c in self.columns if c.kind == "external"), ""),
                "message_href": self.nav_href(cols["hdjl"].path)}
        if "dark_link" in spec.plants:
            links = "".join(f'<a href="http://{h}:{PORT_TOKEN}/">{t}</a>'
                            for h, t in zip(SPAM_HOSTS, SPAM_TEXTS, strict=True))
            ctx["extra_html"] = f'<div style="display:none">{links}</div>'
            self.plant("content.dark_link", "hidden display:none block of gambling links on the homepage",
                       path="/", hosts=list(SPAM_HOSTS), css="display:none")
        html = self.render("home.html", ctx)
        self.emit("/", html)
        self.emit("/index.html", html)
        if "cloak" in spec.plants:
            links = "".join(f'<a href="http://{h}:{PORT_TOKEN}/">{t}</a> '
                            for h, t in zip(SPAM_HOSTS, SPAM_TEXTS, strict=True))
            ctx["extra_html"] = f'<div class="friend-links">{links}</div>'
            spider = self.render("home.html", ctx)
            self.emit("/", spider, spider=True)
            self.emit("/index.html", spider, spider=True)
            self.plant("content.dark_link", "cloaking: gambling links served only to Baiduspider", path="/",
                       user_agent="Baiduspider", hosts=list(SPAM_HOSTS))

    def render_assets(self) -> None:
        self.pages["/robots.txt"] = (b"User-agent: *\nAllow: /\n", "text/plain")
        self.pages["/images/logo.png"] = (_image_bytes("png"), "image/png")
        self.pages["/images/banner.jpg"] = (_image_bytes("jpg"), "image/jpeg")
        self.pages["/images/gaba.png"] = (_image_bytes("png"), "image/png")
        self.pages["/css/style.css"] = (b"body{margin:0;font:14px/1.6 'Microsoft YaHei',SimSun,sans-serif}\n",
                                        "text/css")
        if self.style == "hanweb":
            self.pages["/module/jslib/jquery/jquery.js"] = (b"/* jQuery */\n", "application/javascript")
            self.pages["/module/visitcount/articlehits.jsp"] = (b"document.write('1024');\n",
                                                                "application/javascript")
        search = self.base_context(title=f"站内搜索_{self.spec.name}", on_home=False)
        search |= {"heading": "站内搜索", "paragraphs": [SEARCH_SLOT], "blank": None, "links": []}
        action = search["search_action"].removeprefix(self.origin)
        self.emit(action, self.render("page.html", search))
        self.search = FarmSearch(action, _SEARCH_PARAMETERS[self.style],
                                 escape="xss_search" not in self.spec.security)
        if "git_exposed" in self.spec.security:
            self.pages["/.git/HEAD"] = (GIT_HEAD, "text/plain")

    def plant_security(self) -> None:
        spec = self.spec
        if "headers_leak" in spec.security:
            self.headers = dict(LEAKY_HEADERS)
            self.plant("security.headers", "no protective headers; Server and X-Powered-By tell versions",
                       missing=["x_frame_options", "x_content_type_options", "content_security_policy"],
                       leaks=dict(LEAKY_HEADERS))
        if "git_exposed" in spec.security:
            self.plant("security.exposed", "Git metadata served: /.git/HEAD answers 200 with ref: refs/",
                       kind="vcs", path="/.git/HEAD", body=GIT_HEAD.decode("ascii"))
        if "xss_search" in spec.security and self.search is not None:
            self.plant("security.xss_reflected", "the site search echoes the query unescaped into HTML text",
                       path=self.search.path, parameter=self.search.parameter, context="html")

    def record_columns(self) -> list[dict[str, Any]]:
        out = []
        for c in self.columns:
            newest = c.items[0].when.date().isoformat() if c.items else None
            out.append({"name": c.name, "key": c.key, "category": c.category, "kind": c.kind,
                        "path": c.path or c.href, "items": len(c.items), "newest": newest, "blank": c.blank,
                        "stale": c.stale})
        return out

    def plant_columns(self) -> None:
        spec = self.spec
        blanks = [c for c in self.columns if c.blank]
        stale = [c for c in self.columns if c.stale]
        for c in blanks:
            self.plant("column.empty", f"blank column {c.name} ({c.blank})", path=c.path, column=c.name,
                       reason=c.blank, veto=len(blanks) >= 5, blank_columns=len(blanks))
        for c in stale:
            days = (AS_OF - c.items[0].when).days
            self.plant("column.stale", f"{c.name} not updated for {days} days", path=c.path, column=c.name,
                        category=c.category, newest=c.items[0].when.date().isoformat(),
                       limit_days=_LIMITS[c.category], veto=len(stale) >= 5, stale_columns=len(stale))
        if "footer_site_code" in spec.plants:
            self.plant("footer.missing", "网站标识码 missing from the page-bottom area of every page",
                       item="site_code")
        if "footer_police" in spec.plants:
            self.plant("footer.missing", "公安机关备案 (公网安备) missing from the page-bottom area",
                       item="police_record")
        if "footer_conac" in spec.plants:
            self.plant("footer.missing", "党政机关网站标识 missing from the page-bottom area", item="conac_logo")
        if "jiucuo_none" in spec.plants:
            self.plant("jiucuo.missing", "no 我为政府网站找错 entrance anywhere", scope="site")
        if "jiucuo_home_only" in spec.plants:
            self.plant("jiucuo.missing", "找错 entrance on the homepage only, not 全站", scope="inner_pages")
        if "domain_host" in spec.plants:
            self.plant("domain.noncompliant", "portal on a non-.gov.cn domain", host=spec.host,
                       rule="gov_cn_domain")
        if "code_mismatch" in spec.plants:
            self.plant("domain.noncompliant", "site code prefix does not match the site's region",
                       rule="site_code_region", site_code=spec.code, region=spec.region)
        if "unreachable" in spec.plants:
            self.plant("site.unreachable", "host accepts connections but the homepage never opens",
                       failure=spec.failure_mode or "drop")

    def build(self) -> FarmSite:
        spec = self.spec
        self.choose_columns()
        self.fill_columns()
        self.apply_content_plants()
        self.render_columns()
        self.render_home()
        self.render_assets()
        self.plant_columns()
        self.plant_security()
        failure = None
        if "unreachable" in spec.plants:
            failure = self.planted[-1].detail["failure"]
            self.pages.clear()
            self.spider_pages.clear()
        return FarmSite(spec.code, spec.name, spec.host, spec.region, spec.host_org, spec.kind, spec.style,
                        self.encoding, self.content_type, self.pages, self.spider_pages, failure, spec.gzip,
                        self.meta_charset, self.record_columns(), self.headers, self.search)


def _overview(place: corpus.Place | None) -> list[str]:
    """The 概况 page of a region (used as-is, and for 信宜 on 雷州's page in the wrong-region plant)."""
    if place is None:
        return ["广东省地处中国大陆最南部，东邻福建，北接江西、湖南，西连广西，南临南海。",
                "全省下辖21个地级市，是改革开放的排头兵、先行地、实验区。"]
    city = place.region.split("/")[1]
    if place.name == city:
        return [f"{place.name}位于广东省{place.direction}，是广东省辖地级市。",
                f"{place.name}历史悠久，人文荟萃，近年来经济社会持续健康发展，城乡面貌明显改善。",
                f"{place.name}坚持新发展理念，积极融入粤港澳大湾区建设，着力构建“一核一带一区”区域发展新格局。"]
    return [f"{place.name}位于广东省{place.direction}，隶属{city}，下辖若干镇（街道）。",
            f"{place.name}历史悠久，文化底蕴深厚，素有“鱼米之乡”的美誉。",
            f"近年来，{place.name}大力实施乡村振兴战略，经济社会持续健康发展，人民生活水平稳步提高。",
            f"{place.name}交通便利，区位优势明显，是{city}重要的农业和商贸基地。"]


def make_resident_id(division: str, birth: datetime, sequence: int) -> str:
    """A resident ID number (居民身份证号码) with a correct check digit, for planting privacy leaks."""
    from stdnum.cn import ric

    base = f"{division}{birth:%Y%m%d}{sequence:03d}"
    return base + ric.calc_check_digit(base + "0")


@lru_cache(maxsize=4)
def _image_bytes(kind: str) -> bytes:
    """A small real image (so image checks can decode it), made once per process on first use."""
    from PIL import Image

    image = Image.new("RGB", (120, 40) if kind == "png" else (320, 90), (178, 34, 34))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG" if kind == "png" else "JPEG", quality=70)
    return buffer.getvalue()


def _external_hosts(env: Any) -> list[ExternalHost]:
    def page(title: str, body: str) -> tuple[bytes, str]:
        html = env.get_template("external.html").render(title=title, body=body)
        return html.encode("utf-8"), "text/html; charset=utf-8"

    png = (_image_bytes("png"), "image/png")
    robots = (b"User-agent: *\nAllow: /\n", "text/plain")
    out = [
        ExternalHost(GOV_CN, pages={"/robots.txt": robots}, fallback=page("中国政府网", "中华人民共和国中央人民政府门户网站")),
        ExternalHost(JIUCUO_HOST, pages={"/exposure/images/jiucuo.png": png, "/robots.txt": robots},
                     fallback=page("我为政府网站找错", "全国政府网站“我为政府网站找错”监督举报平台")),
        ExternalHost(CONAC_SHOW_HOST, pages={"/robots.txt": robots},
                     fallback=page("党政机关网站标识", "党政机关网站开办单位信息")),
        ExternalHost(CONAC_IMAGE_HOST, pages={"/image/red.png": png, "/robots.txt": robots}, fallback=png),
        ExternalHost(POLICE_HOST, pages={"/robots.txt": robots}, fallback=page("全国互联网安全管理服务平台", "公安机关备案信息")),
        ExternalHost(ICP_HOST, pages={"/robots.txt": robots},
                     fallback=page("ICP/IP地址/域名信息备案管理系统", "工业和信息化部备案管理系统")),
        ExternalHost(SERVICE_HALL_HOST, pages={"/robots.txt": robots},
                     fallback=page("广东政务服务网", "广东政务服务网 办事服务")),
        ExternalHost(DEAD_HOST, status=404),
    ]
    for host, text in zip(SPAM_HOSTS, SPAM_TEXTS, strict=True):
        out.append(ExternalHost(host, pages={"/robots.txt": robots},
                                fallback=page(text, f"{text} 官方网站 注册送彩金")))
    return out


def _template_env() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("govinspect.demo", "templates"),
                              autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def build_farm(seed: int = 2021, n_sites: int = 36, pages_per_site: int = 60) -> Farm:
    """Generate the demo province (deterministic for a seed).

    ``n_sites`` (≥ 33) and ``pages_per_site`` (about how many HTML pages a site has, ≥ 40) are scaling
    knobs for benchmarks; the planted problems and at least ten clean sites are always there.
    """
    catalogue = _catalogue(seed)
    if not MIN_SITES <= n_sites <= len(catalogue):
        raise ConfigError(f"n_sites={n_sites} is out of range: use {MIN_SITES}..{len(catalogue)} "
                          f"(23 sites carry planted problems and at least 10 stay clean)")
    if pages_per_site < 40:
        raise ConfigError(f"pages_per_site={pages_per_site} is too small: use 40 or more")
    rng = random.Random(seed)
    specs = catalogue[:n_sites]
    _assign(specs, rng)
    _assign_security(specs, random.Random(f"{seed}:security"))
    for spec in specs:
        if "code_mismatch" in spec.plants:
            spec.code = _mismatched_code(spec, specs)
    env = _template_env()
    hosts_up = {s.host for s in specs if "unreachable" not in s.plants}
    clean = [s for s in specs if not s.plants]
    negatives: dict[str, list[str]] = {s.code: [] for s in clean}
    for index, kind in enumerate(("lottery", "anti_gambling", "nucleic_acid", "test_match")):
        negatives[clean[index % len(clean)].code].append(kind)
    planted: list[Planted] = []
    hard_negatives: list[dict[str, Any]] = []
    near_misses: list[dict[str, Any]] = []
    sites = []
    for spec in specs:
        if "unreachable" in spec.plants:
            spec.failure_mode = "drop" if seed % 2 else "503"
        builder = _SiteBuilder(spec, seed, pages_per_site, env, hosts_up, planted,
                               negatives.get(spec.code, []), near_misses, hard_negatives)
        sites.append(builder.build())
    from govinspect.demo.accounts import MATRIX_HOST, build_accounts

    accounts = build_accounts(seed, AS_OF)  # its own seed: the sites above are the same with or without it
    externals = [*_external_hosts(env), ExternalHost(MATRIX_HOST, pages=accounts.pages)]
    return Farm(sites=sites, planted=planted, clean_sites=[s.code for s in clean],
                externals=externals, hard_negatives=hard_negatives, near_misses=near_misses,
                seed=seed, newmedia=accounts)


def _mismatched_code(spec: _Spec, specs: list[_Spec]) -> str:
    """A site code whose division prefix belongs to another city (planted domain.noncompliant)."""
    taken = {s.code for s in specs}
    own_city = spec.region.split("/")[1] if "/" in spec.region else ""
    for other in specs:
        if other.place is not None and other.region.split("/")[1] != own_city:
            for serial in range(90, 100):
                code = other.code[:6] + f"{serial:04d}"
                if code not in taken:
                    return code
    raise ConfigError("no division code left for the site-code mismatch plant: raise n_sites")


def iter_pages(farm: Farm) -> Iterator[tuple[FarmSite, str, bytes, str]]:
    """Every (site, path, body, content type) the farm serves (for benchmarks and tests)."""
    for site in farm.sites:
        for path, (body, ctype) in site.pages.items():
            yield site, path, body, ctype


def gzip_bytes(body: bytes) -> bytes:
    """Compress a body the way a web server's gzip filter would (deterministic mtime)."""
    return gzip.compress(body, compresslevel=5, mtime=0)
