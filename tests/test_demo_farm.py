"""The demo farm: deterministic, realistic, and every planted problem observable over real HTTP.

The farm is served by FarmServer on 127.0.0.1 (port 0) and fetched with a plain aiohttp client whose
resolver maps only farm hosts to loopback, so nothing here can leave the machine.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import re
import socket
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlencode

import aiohttp
import phonenumbers
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from selectolax.lexbor import LexborHTMLParser
from stdnum.cn import ric
from yarl import URL

from govinspect.demo.farm import (
    AS_OF,
    LEAKY_HEADERS,
    MIN_SITES,
    PORT_TOKEN,
    PROTECTIVE_HEADERS,
    REGISTRY_HEADERS,
    SPAM_HOSTS,
    Farm,
    FarmSite,
    build_farm,
    iter_pages,
)
from govinspect.demo.server import FarmServer
from govinspect.errors import ConfigError
from govinspect.registry.gazetteer import Gazetteer

PLANTED_CHECKS = ("site.unreachable", "link.dead", "image.broken", "footer.missing", "jiucuo.missing",
                  "domain.noncompliant", "column.empty", "column.stale", "homepage.stale", "content.spam",
                  "content.dark_link", "content.test_draft", "content.wrong_region", "privacy.leak",
                  "content.serious_error", "security.headers", "security.exposed", "security.xss_reflected")
SECURITY_CHECKS = ("security.headers", "security.exposed", "security.xss_reflected")
XSS_MARK = "gvi1a2b\"'<gvimark>"  # the shape of the inspector's inert probe value
DATE_RE = re.compile(r"(20\d{2})-(\d{2})-(\d{2})"  # 2021-06-01 (TRS)
                     r"|\[(?:(20\d{2})-)?(\d{2})-(\d{2})\]"  # [06-01] / [2020-05-11] (Hanweb)
                     r"|(20\d{2})年(\d{1,2})月(\d{1,2})日")  # 2021年6月1日 (gkmlpt cards)
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_RE = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")


class LoopbackResolver(AbstractResolver):
    """Resolves farm hosts to 127.0.0.1 and refuses every other name."""

    def __init__(self, hosts: list[str]) -> None:
        self.hosts = set(hosts)

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        if host not in self.hosts:
            raise OSError(f"{host} is not a farm host")
        return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": socket.AF_INET, "proto": 0,
                 "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        return None


@pytest.fixture(scope="module")
def farm() -> Farm:
    return build_farm(seed=2021)


@pytest.fixture(scope="module")
def port(farm: Farm) -> Iterator[int]:
    with FarmServer(farm) as server:
        yield server.port


class Client:
    """Fetch farm URLs by their real host names (the way ``--resolve`` makes the crawler do it)."""

    def __init__(self, farm: Farm, port: int) -> None:
        self.farm, self.port = farm, port
        connector = aiohttp.TCPConnector(resolver=LoopbackResolver(farm.hosts()), limit=64)
        self.session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10))

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()

    def url(self, host: str, path: str) -> str:
        return path.replace(PORT_TOKEN, str(self.port)) if path.startswith("http") else \
            f"http://{host}:{self.port}{path}"

    async def get(self, host: str, path: str, *, method: str = "GET", ua: str | None = None,
                  redirects: bool = False) -> tuple[int, dict[str, str], bytes]:
        headers = {"User-Agent": ua} if ua else {}
        async with self.session.request(method, self.url(host, path), headers=headers,
                                        allow_redirects=redirects) as resp:
            return resp.status, dict(resp.headers), await resp.read()

    async def html(self, site: FarmSite, path: str, *, ua: str | None = None) -> str:
        status, headers, body = await self.get(site.host, path, ua=ua)
        assert status == 200, (site.host, path, status)
        return decode(site, headers, body)


def decode(site: FarmSite, headers: dict[str, str], body: bytes) -> str:
    """Decode as the site's real encoding; GB18030 pages must decode strictly as gb18030 and not as UTF-8."""
    assert headers["Content-Type"] == site.content_type
    if site.encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        return body.decode("gb18030")
    return body.decode("utf-8")


def parse_dates(text: str) -> list[date]:
    """Every list date on a page; ``[MM-DD]`` takes the latest year not after the monitoring point."""
    out = []
    for m in DATE_RE.finditer(text):
        if m.group(1):
            out.append(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        elif m.group(5):
            year = int(m.group(4)) if m.group(4) else AS_OF.year
            value = date(year, int(m.group(5)), int(m.group(6)))
            if not m.group(4) and value > AS_OF.date():
                value = value.replace(year=year - 1)
            out.append(value)
        else:
            out.append(date(int(m.group(7)), int(m.group(8)), int(m.group(9))))
    return out


def footer_text(html: str) -> str:
    """The page-bottom function area: everything after the last content block."""
    tree = LexborHTMLParser(html)
    node = tree.css_first("#footer") or tree.css_first("#bottom") or tree.css_first("footer.site-footer")
    assert node is not None
    return node.html or ""


def inner_page(site: FarmSite) -> str:
    """An article page of the site (not the homepage)."""
    article = re.compile(r"/t\d{8}_\d+\.html$|/art_\d+_\d+\.html$|/post_\d+\.html$")
    return next(p for p in site.pages if article.search(p))


# ------------------------------------------------------------------------------------------ generation


def _digest(farm: Farm) -> str:
    h = hashlib.sha256()
    for site in farm.sites:
        for path in sorted(site.pages):
            h.update(site.host.encode() + path.encode() + site.pages[path][0])
    return h.hexdigest()


def test_farm_is_deterministic_for_a_seed(farm: Farm) -> None:
    again = build_farm(seed=2021)
    assert again.truth_json() == farm.truth_json()
    assert _digest(again) == _digest(farm)
    other = build_farm(seed=7)
    assert _digest(other) != _digest(farm)
    assert {(p.site_code, p.check) for p in other.planted} != {(p.site_code, p.check) for p in farm.planted}


def test_build_is_fast_and_sized() -> None:
    started = time.perf_counter()
    farm = build_farm(seed=11)
    assert time.perf_counter() - started < 5
    counts: dict[str, int] = {}
    for site, _path, _body, ctype in iter_pages(farm):
        if ctype.startswith("text/html"):
            counts[site.host] = counts.get(site.host, 0) + 1
    html_pages = list(counts.values())
    assert len(html_pages) == len(farm.sites) - 1  # the unreachable site serves nothing
    assert min(html_pages) >= 40
    assert sum(html_pages) / len(html_pages) < 200


def test_sites_styles_encodings(farm: Farm) -> None:
    assert len(farm.sites) >= 30
    assert {s.style for s in farm.sites} == {"trs", "hanweb", "gkmlpt"}
    assert {s.encoding for s in farm.sites} == {"utf-8", "gb18030"}
    gb = [s for s in farm.sites if s.encoding == "gb18030"]
    assert any("charset" not in s.content_type and s.meta_charset is None for s in gb)  # must be detected
    assert any("charset" not in s.content_type and s.meta_charset == "gb2312" for s in gb)
    assert any(s.content_type.endswith("charset=gbk") for s in gb)
    assert len({s.site_code for s in farm.sites}) == len(farm.sites)
    assert len({s.host for s in farm.sites}) == len(farm.sites)
    assert len(farm.clean_sites) >= 10
    assert {s.kind for s in farm.sites} == {"portal", "department"}
    regions = {s.region.split("/")[1] for s in farm.sites if "/" in s.region}
    assert len(regions) >= 6


def test_hosts_follow_the_domain_structure(farm: Farm) -> None:
    planted_hosts = {p.detail["host"] for p in farm.planted
                     if p.check == "domain.noncompliant" and "host" in p.detail}
    assert planted_hosts == {"www.xinyi-gov.com"}
    for site in farm.sites:
        if site.host in planted_hosts:
            assert not site.host.endswith(".gov.cn")
            continue
        assert site.host.endswith(".gov.cn"), site.host
        if site.kind == "portal":
            assert site.host.startswith("www."), site.host


def test_site_codes_match_their_regions(farm: Farm) -> None:
    gazetteer = Gazetteer.load()
    mismatched = {p.site_code for p in farm.planted if p.detail.get("rule") == "site_code_region"}
    assert len(mismatched) == 1
    for site in farm.sites:
        assert re.fullmatch(r"\d{10}", site.site_code)
        matches = gazetteer.region_matches_code(site.region, site.site_code[:6])
        assert matches == (site.site_code not in mismatched), (site.site_code, site.region)
        if site.region == "广东省":
            assert site.site_code.startswith("440000")


def test_registry_csv_reads_back(farm: Farm, tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    farm.write_registry_csv(path, 8123)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == REGISTRY_HEADERS
    assert len(rows) == len(farm.sites)
    leizhou = next(r for r in rows if r["网站名称"] == "雷州市人民政府")
    assert leizhou == {"网站标识码": "4408820001", "网站名称": "雷州市人民政府", "首页网址": "http://www.leizhou.gov.cn:8123/",
                       "地区": "广东省/湛江市/雷州市", "主办单位": "雷州市人民政府办公室", "网站类型": "门户网站"}
    assert {r["网站类型"] for r in rows} == {"门户网站", "部门网站"}


def test_resolve_entries_cover_every_host(farm: Farm) -> None:
    entries = farm.resolve_entries(8123)
    assert len(entries) == len(set(entries)) == len(farm.sites) + len(farm.externals)
    assert all(re.fullmatch(r"[a-z0-9.\-]+:8123:127\.0\.0\.1", e) for e in entries)
    assert "zfwzgl.www.gov.cn:8123:127.0.0.1" in entries


def test_truth_json_lists_plants_and_vetoes(farm: Farm) -> None:
    truth = farm.truth_json()
    assert truth["as_of"] == "2021-06-15T10:00:00+08:00"
    assert len(truth["planted"]) == len(farm.planted)
    by_code = {s["site_code"]: s for s in truth["sites"]}
    for code in farm.clean_sites:
        assert by_code[code]["planted_checks"] == [] and by_code[code]["veto_checks"] == []
    vetoed = {code for code, s in by_code.items() if s["veto_checks"]}
    stale5 = {p.site_code for p in farm.planted if p.check == "column.stale" and p.detail["veto"]}
    stale3 = {p.site_code for p in farm.planted if p.check == "column.stale" and not p.detail["veto"]}
    assert stale5 <= vetoed and not stale3 & vetoed
    kinds = {k["kind"] for k in truth["hard_negatives"]}
    assert kinds >= {"lottery", "anti_gambling", "nucleic_acid", "test_match"}


def test_too_few_sites_is_refused() -> None:
    with pytest.raises(ConfigError, match="n_sites"):
        build_farm(n_sites=MIN_SITES - 1)
    with pytest.raises(ConfigError, match="pages_per_site"):
        build_farm(pages_per_site=10)


def test_scaling_knobs() -> None:
    big = build_farm(seed=3, n_sites=48, pages_per_site=120)
    assert len(big.sites) == 48 and len(big.clean_sites) >= 48 - 23
    base = build_farm(seed=3)
    assert sum(len(s.pages) for s in big.sites) > 1.5 * sum(len(s.pages) for s in base.sites)
    assert {p.check for p in big.planted} == set(PLANTED_CHECKS)


# ---------------------------------------------------------------------------------- planted, over HTTP


def test_every_planted_kind_is_present(farm: Farm) -> None:
    counts = {check: sum(p.check == check for p in farm.planted) for check in PLANTED_CHECKS}
    assert all(counts.values()), counts
    assert counts["footer.missing"] == 3
    assert counts["jiucuo.missing"] == 2 and counts["domain.noncompliant"] == 2
    assert {p.detail["kind"] for p in farm.planted if p.check == "privacy.leak"} == {"id_number", "mobile"}
    blank = [p for p in farm.planted if p.check == "column.empty"]
    assert sorted({(p.site_code, p.detail["blank_columns"], p.detail["veto"]) for p in blank}, key=str) and \
        {(p.detail["blank_columns"], p.detail["veto"]) for p in blank} == {(5, True), (2, False)}
    stale = {(p.detail["stale_columns"], p.detail["veto"]) for p in farm.planted if p.check == "column.stale"}
    assert stale == {(5, True), (3, False)}
    security = [p for p in farm.planted if p.check in SECURITY_CHECKS]
    assert sorted(p.check for p in security) == sorted(SECURITY_CHECKS)
    assert len({p.site_code for p in security}) == 3  # each on its own site
    assert all(farm.site(p.site_code).failure is None for p in security)
    planted_sites = {p.site_code for p in farm.planted}
    assert not planted_sites & set(farm.clean_sites)
    assert planted_sites | set(farm.clean_sites) == {s.site_code for s in farm.sites}


async def _observe(client: Client, farm: Farm, planted: Any) -> None:
    """Fetch what the planted problem is about and assert it is there."""
    site = farm.site(planted.site_code)
    d = planted.detail
    check = planted.check
    if check == "site.unreachable":
        assert site.failure in ("drop", "503")
        for _ in range(3):
            try:
                status, _, _ = await client.get(site.host, "/")
            except aiohttp.ClientError:
                continue
            assert status == 503
        return
    if check in ("link.dead", "image.broken"):
        html = await client.html(site, d["page"])
        if d.get("internal", True):
            assert d["target"].split("/")[-1] in html
            status, _, _ = await client.get(site.host, d["target"])
        else:
            host = d["target"].split("/")[2]
            assert f"http://{host}:{client.port}/" in html
            status, _, _ = await client.get(host, "/" + d["target"].split("/", 3)[3])
        assert status == 404
        return
    if check == "footer.missing":
        for path in ("/", inner_page(site)):
            foot = footer_text(await client.html(site, path))
            assert "主办" in foot and "ICP备" in foot  # the area exists, one item is missing
            missing = {"site_code": "网站标识码", "police_record": "公网安备", "conac_logo": "conac.cn"}[d["item"]]
            assert missing not in foot
        return
    if check == "jiucuo.missing":
        home = footer_text(await client.html(site, "/"))
        inner = footer_text(await client.html(site, inner_page(site)))
        assert "zfwzgl.www.gov.cn" not in inner and "找错" not in inner
        assert ("zfwzgl.www.gov.cn" in home) == (d["scope"] == "inner_pages")
        return
    if check == "domain.noncompliant":
        html = await client.html(site, "/")
        if d["rule"] == "gov_cn_domain":
            assert not site.host.endswith(".gov.cn")
        else:
            assert not Gazetteer.load().region_matches_code(d["region"], d["site_code"][:6])
            assert f"网站标识码：{d['site_code']}" in footer_text(html)
        return
    if check == "column.empty":
        html = await client.html(site, d["path"])
        assert not parse_dates(html)
        marker = {"no_info": "暂无信息", "building": "建设中", "empty_list": ""}[d["reason"]]
        assert marker in html
        return
    if check == "column.stale":
        newest = max(parse_dates(await client.html(site, d["path"])))
        assert newest.isoformat() == d["newest"]
        assert (AS_OF.date() - newest).days > d["limit_days"]
        return
    if check == "homepage.stale":
        dates = parse_dates(await client.html(site, "/"))
        assert dates and max(dates).isoformat() == d["newest"]
        assert (AS_OF.date() - max(dates)).days > 14
        # the columns themselves are fresh: only the homepage snapshot is stale
        assert any(c["category"] == "news" and c["newest"] and
                   (AS_OF.date() - date.fromisoformat(c["newest"])).days <= 14 for c in site.columns)
        return
    if check == "content.spam":
        html = await client.html(site, d["path"])
        title = LexborHTMLParser(html).css_first("title").text()
        assert d["keyword"] in title
        return
    if check == "content.dark_link":
        normal = await client.html(site, "/")
        if d.get("user_agent"):
            spider = await client.html(site, "/", ua="Mozilla/5.0 (compatible; Baiduspider/2.0)")
            assert all(h not in normal for h in d["hosts"]) and all(h in spider for h in d["hosts"])
        else:
            hidden = LexborHTMLParser(normal).css_first('div[style="display:none"]')
            assert hidden is not None and all(h in (hidden.html or "") for h in d["hosts"])
        for host in d["hosts"]:
            status, _, _ = await client.get(host, "/")
            assert status == 200  # the gambling site is live, so only the hiding gives it away
        return
    if check == "content.test_draft":
        html = await client.html(site, d["path"])
        assert LexborHTMLParser(html).css_first("title").text().startswith(d["title"] + "_")
        return
    if check == "content.wrong_region":
        html = await client.html(site, d["path"])
        body = LexborHTMLParser(html).css_first("body").text()
        assert d["found_region"] in body and d["column"] in body
        return
    if check == "privacy.leak":
        html = await client.html(site, d["path"])
        assert d["value"] in html
        if d["kind"] == "id_number":
            assert ric.is_valid(d["value"]) and ric.get_birth_place(d["value"])
        else:
            assert phonenumbers.is_valid_number(phonenumbers.parse(d["value"], "CN"))
        return
    if check == "content.serious_error":
        html = await client.html(site, d["path"])
        assert d["wrong"] in html and d["correct"] not in html
        return
    if check == "security.headers":
        status, headers, _ = await client.get(site.host, "/")
        assert status == 200 and {k: headers.get(k) for k in d["leaks"]} == d["leaks"]
        assert not {"X-Frame-Options", "X-Content-Type-Options", "Content-Security-Policy"} & set(headers)
        return
    if check == "security.exposed":
        status, headers, body = await client.get(site.host, d["path"])
        assert status == 200 and body.decode() == d["body"] and body.startswith(b"ref: refs/")
        assert headers["Content-Type"] == "text/plain"
        for random_path in ("/gvi0a1b2c3d4e5f/", "/gvi0a1b2c3d4e5f.html", "/.git/config"):
            assert (await client.get(site.host, random_path))[0] == 404  # the probe's soft-404 baselines
        return
    if check == "security.xss_reflected":
        assert site.search is not None and not site.search.escape
        html = await client.html(site, f"{d['path']}?{urlencode({d['parameter']: XSS_MARK})}")
        assert f"您搜索的是：{XSS_MARK}" in html  # unescaped, in HTML text
        return
    raise AssertionError(f"no observation for {check}")


@pytest.mark.parametrize("check", PLANTED_CHECKS)
async def test_planted_problem_is_observable_over_http(farm: Farm, port: int, check: str) -> None:
    planted = [p for p in farm.planted if p.check == check]
    assert planted
    async with Client(farm, port) as client:
        for p in planted:
            await _observe(client, farm, p)


# ------------------------------------------------------------------------------------------ clean sites


async def test_clean_sites_have_full_footers_and_fresh_dates(farm: Farm, port: int) -> None:
    async with Client(farm, port) as client:
        for code in farm.clean_sites:
            site = farm.site(code)
            for path in ("/", inner_page(site)):
                foot = footer_text(await client.html(site, path))
                assert f"网站标识码：{code}" in foot
                assert "公网安备" in foot and "ICP备" in foot and "主办" in foot and "电话" in foot
                assert "dcs.conac.cn" in foot and f"jiucuo.html?site_code={code}" in foot
            home = await client.html(site, "/")
            assert (AS_OF.date() - max(parse_dates(home))).days <= 14
            limits = {"news": 14, "notice": 183, "policy": 183, "personnel": 365, "interaction": 14}
            for column in site.columns:
                assert not column["blank"] and not column["stale"]
                if column["category"] in limits:
                    page = await client.html(site, column["path"])
                    newest = max(parse_dates(page))
                    assert newest <= AS_OF.date()
                    assert (AS_OF.date() - newest).days <= limits[column["category"]], (code, column["name"])


def test_clean_sites_carry_no_planted_content(farm: Farm) -> None:
    for code in farm.clean_sites:
        site = farm.site(code)
        assert not site.spider_pages and site.failure is None
        for path, (body, ctype) in site.pages.items():
            if not ctype.startswith("text/html"):
                continue
            text = body.decode(site.encoding)
            assert "display:none" not in text and not any(h in text for h in SPAM_HOSTS), path
            assert "yabo" not in text and "测试稿件" not in text and "四个意式" not in text, path
            assert not MOBILE_RE.search(text), path
            assert not [n for n in ID_RE.findall(text) if ric.is_valid(n)], path


async def test_hard_negatives_and_near_misses_are_served(farm: Farm, port: int) -> None:
    async with Client(farm, port) as client:
        for negative in farm.hard_negatives:
            assert negative["site_code"] in farm.clean_sites
            html = await client.html(farm.site(negative["site_code"]), negative["path"])
            assert negative["title"] in html
            if negative["kind"] == "formulation_correct":
                assert "“四个意识”" in html
        kinds = {n["kind"] for n in farm.hard_negatives}
        assert {"lottery", "anti_gambling", "nucleic_acid", "test_match"} <= kinds
        assert {n["site_code"] for n in farm.near_misses} == set(farm.clean_sites)
        for near in farm.near_misses:
            html = await client.html(farm.site(near["site_code"]), near["path"])
            assert re.search(r"138\*{4}\d{4}", html) and "12345" in html
            assert re.search(r"0\d{2,3}-\d{7,8}", html)
            assert not MOBILE_RE.search(html)


async def test_clean_sites_have_no_dead_links_or_broken_images(farm: Farm, port: int) -> None:
    """Crawl every HTML page of every clean site and check every link and image target answers < 400."""
    targets: set[str] = set()
    async with Client(farm, port) as client:
        for code in farm.clean_sites:
            site = farm.site(code)
            for path, (_, ctype) in site.pages.items():
                if not ctype.startswith("text/html"):
                    continue
                base = client.url(site.host, path)
                status, headers, body = await client.get(site.host, path)
                assert status == 200
                tree = LexborHTMLParser(decode(site, headers, body))
                for node in tree.css("a[href], img[src]"):
                    raw = node.attributes.get("href") or node.attributes.get("src") or ""
                    if raw.startswith("javascript:"):
                        continue
                    target = URL(base).join(URL(raw)).with_fragment(None)
                    targets.add(str(target))
        assert len(targets) > 1000

        async def head(url: str) -> tuple[str, int]:
            async with client.session.head(url, allow_redirects=True) as resp:
                return url, resp.status

        results = await asyncio.gather(*(head(u) for u in sorted(targets)))
    bad = [(u, s) for u, s in results if s >= 400]
    assert bad == []


async def test_clean_sites_send_protective_headers_escape_search_and_hide_git(farm: Farm, port: int) -> None:
    """What security.headers, security.xss_reflected and security.exposed must find nothing in."""
    async with Client(farm, port) as client:
        styles = set()
        for code in farm.clean_sites:
            site = farm.site(code)
            for path in ("/", "/no/such/page.html"):
                status, headers, _ = await client.get(site.host, path)
                assert status in (200, 404)
                assert {k: headers.get(k) for k in PROTECTIVE_HEADERS} == PROTECTIVE_HEADERS
                assert "X-Powered-By" not in headers
            assert (await client.get(site.host, "/.git/HEAD"))[0] == 404
            search = site.search
            assert search is not None and search.escape
            styles.add(site.style)
            home = await client.html(site, "/")
            assert f'name="{search.parameter}"' in home and search.path.split("/")[-1] in home
            prompt = await client.html(site, search.path)
            assert "请输入关键词进行检索。" in prompt and "__FARM_SEARCH__" not in prompt
            query = urlencode({search.parameter: XSS_MARK + " 政务公开"}, encoding=site.encoding)
            html = await client.html(site, f"{search.path}?{query}")
            assert "您搜索的是：gvi1a2b&quot;&#x27;&lt;gvimark&gt; 政务公开" in html and "<gvimark>" not in html
        assert styles == {"trs", "hanweb", "gkmlpt"}


def test_security_plants_move_with_the_seed_and_skip_clean_sites() -> None:
    for seed in (2021, 2022):
        first, again = build_farm(seed=seed), build_farm(seed=seed)
        plants = [(p.site_code, p.check) for p in first.planted if p.check in SECURITY_CHECKS]
        assert plants == [(p.site_code, p.check) for p in again.planted if p.check in SECURITY_CHECKS]
        assert len({code for code, _ in plants}) == 3 and not {c for c, _ in plants} & set(first.clean_sites)
        leaky = [s for s in first.sites if s.headers == LEAKY_HEADERS]
        assert [s.site_code for s in leaky] == [c for c, check in plants if check == "security.headers"]
        assert sum("/.git/HEAD" in s.pages for s in first.sites) == 1
        assert sum(s.search is not None and not s.search.escape for s in first.sites) == 1


# ------------------------------------------------------------------------------------------ server


async def test_server_behaviour(farm: Farm, port: int) -> None:
    site = next(s for s in farm.sites if s.gzip and s.failure is None)
    async with Client(farm, port) as client:
        status, headers, body = await client.get(site.host, "/", method="HEAD")
        assert status == 200 and body == b"" and headers["Content-Type"] == site.content_type
        gzip_headers = {"Accept-Encoding": "gzip"}
        async with client.session.get(client.url(site.host, "/"), headers=gzip_headers) as resp:
            assert resp.headers["Content-Encoding"] == "gzip"
            assert PORT_TOKEN.encode() not in await resp.read()
        status, _, body = await client.get(site.host, "/robots.txt")
        assert status == 200 and b"Allow: /" in body
        status, _, _ = await client.get(site.host, "/no/such/page.html")
        assert status == 404
        column = next(c for c in site.columns if c["path"].endswith("/") and not c["path"].startswith("http"))
        status, headers, _ = await client.get(site.host, column["path"].rstrip("/"))
        assert status == 301 and headers["Location"].endswith(column["path"])
        status, _, _ = await client.get("www.gdtour-old.com", "/")
        assert status == 404
        # unknown virtual host
        async with aiohttp.ClientSession() as raw, \
                raw.get(f"http://127.0.0.1:{port}/", headers={"Host": "www.example.gov.cn"}) as resp:
            assert resp.status == 404
        # many concurrent connections
        paths = [p for p, (_, ct) in site.pages.items() if ct.startswith("text/html")][:50]
        connector = aiohttp.TCPConnector(resolver=LoopbackResolver(farm.hosts()), limit=0, force_close=True)
        async with aiohttp.ClientSession(connector=connector) as burst:
            async def one(path: str) -> int:
                async with burst.get(client.url(site.host, path)) as resp:
                    await resp.read()
                    return resp.status
            statuses = await asyncio.gather(*(one(p) for p in paths * 8))
        assert set(statuses) == {200}


async def test_unreachable_site_can_answer_503_instead_of_dropping() -> None:
    farm = build_farm(seed=2022)
    site = next(s for s in farm.sites if s.failure)
    assert site.failure == "503"
    with FarmServer(farm) as server:
        async with Client(farm, server.port) as client:
            for path in ("/", "/robots.txt", "/index.html"):
                status, _, _ = await client.get(site.host, path)
                assert status == 503


def test_server_stops_and_frees_the_port(farm: Farm) -> None:
    server = FarmServer(farm)
    port = server.start()
    server.stop()
    server.stop()  # idempotent
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
