"""Crawl speed: govinspect's crawl_site against a bare Scrapy spider on a generated site farm.

Generates ``--sites`` sites × ``--pages`` pages of realistic government-site HTML (navigation with 15
栏目, list pages with 20 dated items and pagination, item pages with ~60 links and a few images, a
footer with 网站标识码 and 备案 links), serves them with nginx (Debian package ``nginx``) on a
127.0.0.1 port with one virtual host per site, then runs, each in its own process:

(a) a minimal Scrapy spider (CrawlerProcess) fetching every internal page and extracting links;
(b) govinspect: one Fetcher + LinkChecker for the run, ``crawl_site`` for every site (WARC written,
    every page parsed into a PageView, every link and image target given a status).

Prints pages/s, CPU seconds per page, peak RSS and the ratio (b)/(a). Nothing leaves 127.0.0.1: every
host name is mapped there (``--resolve *:PORT:127.0.0.1`` for govinspect, a fixed resolver for Scrapy).

    .venv/bin/python benchmarks/crawl_speed.py [--sites 50] [--pages 200] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ["zwdt", "tzgg", "zcwj", "zcjd", "rsxx", "czxx", "ghjh", "tjxx", "jyta", "zfcg", "yjgl",
           "hygq", "zwfw", "hdjl", "jgzn"]
COLUMN_NAMES = ["政务动态", "通知公告", "政策文件", "政策解读", "人事信息", "财政信息", "规划计划", "统计信息",
                "建议提案", "政府采购", "应急管理", "惠企政策", "政务服务", "互动交流", "机构职能"]
FARM_AS_OF = "2021-06-30"  # items are dated January to June 2021
EXTERNAL_HOSTS = ("www.gov.cn", "www.gd.gov.cn", "beian.miit.gov.cn", "www.beian.gov.cn", "bszs.conac.cn",
                  "zfwzgl.www.gov.cn")
_STATS_SCRIPT = ('<script>var _hmt = _hmt || [];(function() {var hm = document.createElement("script");'
                 'hm.src = "https://hm.baidu.com/hm.js?{key}";var s = document.getElementsByTagName("script")[0];'
                 's.parentNode.insertBefore(hm, s);})();</script>')


@dataclass(frozen=True)
class FarmSite:
    """One farm site as the registry lists it (real division codes, names and regions)."""

    n: int
    host: str
    site_code: str
    name: str
    region: str
    host_org: str
    kind: str  # portal / department
    place: str  # 雷州市
    area_code: str  # 0759
    doc_abbr: str  # 雷

    @property
    def homepage(self) -> str:
        return f"http://{self.host}/"


def farm_sites(n_sites: int) -> list[FarmSite]:
    """``n_sites`` sites: the portal of each place in the demo corpus, then its departments."""
    from govinspect.demo import corpus
    from govinspect.registry.gazetteer import Gazetteer

    gazetteer = Gazetteer.load()
    places = corpus.PLACES
    capacity = len(places) * (1 + len(corpus.DEPARTMENTS))
    if n_sites > capacity:
        sys.exit(f"--sites {n_sites}: the farm holds at most {capacity} sites; ask for fewer")
    out: list[FarmSite] = []
    for n in range(n_sites):
        place = places[n % len(places)]
        rank = n // len(places)  # 0: the portal, k: the k-th department
        code6 = gazetteer.code_of(place.region)
        if code6 is None:
            sys.exit(f"division {place.region} is not in the gazetteer: update the farm's place list")
        if rank == 0:
            out.append(FarmSite(n, f"www.{place.pinyin}.gov.cn", f"{code6}0001", f"{place.name}人民政府",
                                place.region, f"{place.name}人民政府办公室", "portal", place.name,
                                place.area_code, place.doc_abbr))
        else:
            dept, label, abbr, _ = corpus.DEPARTMENTS[rank - 1]
            out.append(FarmSite(n, f"{label}.{place.pinyin}.gov.cn", f"{code6}{rank + 1:04d}", place.name + dept,
                                place.region, place.name + dept, "department", place.name, place.area_code,
                                place.doc_abbr + abbr))
    return out


def _title(col: int, rng: random.Random, site: FarmSite, topic: str) -> str:
    from govinspect.demo import corpus

    pools = {0: corpus.NEWS_TITLES, 1: corpus.NOTICE_TITLES, 2: corpus.POLICY_TITLES, 3: corpus.INTERPRETATION_TITLES,
             4: corpus.PERSONNEL_TITLES, 6: corpus.PLAN_TITLES, 11: corpus.NORMATIVE_TITLES}
    pool = pools.get(col, corpus.NEWS_TITLES if col % 2 else corpus.NOTICE_TITLES)
    return rng.choice(pool).format(subject=site.place, topic=topic, org=site.name, year=2021, prev=2020)


def _paragraphs(col: int, rng: random.Random, site: FarmSite, topic: str) -> list[str]:
    from govinspect.demo import corpus

    pools = {1: corpus.NOTICE_SENTENCES, 2: corpus.POLICY_SENTENCES, 3: corpus.INTERPRETATION_SENTENCES,
             11: corpus.POLICY_SENTENCES}
    pool = pools.get(col)
    if pool is None:
        sentences = [rng.choice(corpus.BODY_SENTENCES) for _ in range(rng.randrange(8, 14))]
        if rng.random() < 0.2:
            sentences.append(corpus.FORMULATION)
    else:
        sentences = list(pool) + [rng.choice(corpus.BODY_SENTENCES) for _ in range(4)]
    out = [s.format(subject=site.place, topic=topic, org=site.host_org) for s in sentences]
    return ["".join(out[i:i + 3]) for i in range(0, len(out), 3)]


def _shell(site: FarmSite, title: str, body: str, friends: list[FarmSite], port: int) -> str:
    nav = "".join(f'<li><a href="/{c}/">{name}</a></li>' for c, name in zip(COLUMNS, COLUMN_NAMES, strict=True))
    links = "".join(f'<li><a href="http://{f.host}:{port}/" target="_blank">{f.name}</a></li>' for f in friends)
    serial = f"{site.n:03d}"
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta http-equiv="X-UA-Compatible" content="IE=edge"><title>{title}</title>
<meta name="SiteName" content="{site.name}"><meta name="SiteDomain" content="{site.host}">
<meta name="SiteIDCode" content="{site.site_code}"><meta name="ColumnName" content="{title[:20]}">
<link rel="stylesheet" href="/css/main.css"><script src="/js/jquery.min.js"></script></head>
<body><div class="top"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{site.name}门户网站"></a></div>
<div class="search"><form action="/search/" method="get"><input name="q" placeholder="请输入关键字">
<button type="submit">搜索</button></form></div><div class="tools"><a href="javascript:void(0)">无障碍浏览</a>
<a href="javascript:void(0)">长者模式</a></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li>{nav}</ul></div>
<div class="main">{body}</div>
<div class="friend"><h4>友情链接</h4><ul>{links}<li><a href="http://www.gov.cn:{port}/">中国政府网</a></li>
<li><a href="http://www.gd.gov.cn:{port}/">广东省人民政府</a></li></ul></div>
<div class="footer"><p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | <a href="/sybz/">使用帮助</a></p>
<p>主办单位：{site.host_org} 承办：{site.place}政务服务数据管理局 网站标识码：{site.site_code}</p>
<p>地址：{site.place}人民路{site.n + 1}号 邮编：524200 联系电话：{site.area_code}-8{serial}{site.n % 10}21</p>
<p><a href="http://beian.miit.gov.cn:{port}/" target="_blank">粤ICP备05083{serial}号</a>
<a href="http://www.beian.gov.cn:{port}/?recordcode={site.site_code[:6]}02000{serial}" target="_blank">粤公网安备 {site.site_code[:6]}02000{serial}号</a></p>
<p><a href="http://bszs.conac.cn:{port}/?method=show&amp;id={site.site_code}"><img src="/images/dzjg.png" alt="党政机关"></a>
<a href="http://zfwzgl.www.gov.cn:{port}/exposure/jiucuo.html?site_code={site.site_code}&amp;url={site.host}"><img src="/images/jiucuo.png" alt="我为政府网站找错"></a></p></div>
{_STATS_SCRIPT.replace("{key}", f"{site.n:032x}")}
</body></html>"""


def build_farm(root: Path, n_sites: int, n_pages: int, port: int) -> int:
    """Write the farm under ``root/<host>/``; returns the number of HTML pages per site.

    Each site: a homepage with six column boxes of dated items, 15 栏目 (index + one more list page of
    20 dated items each, with pagination), articles (title, 发布日期/来源/文号, paragraphs, an image,
    related items, links to other government sites) and three footer pages. Every page carries the
    navigation, 友情链接 and a full page-bottom function area (底部功能区).
    """
    from govinspect.demo import corpus

    sites = farm_sites(n_sites)
    extra = [("wzdt", "网站地图"), ("lxwm", "联系我们"), ("sybz", "使用帮助")]
    fixed = 1 + len(COLUMNS) * 2 + len(extra)  # homepage, column index + index_1, footer pages
    n_items = max(0, n_pages - fixed)
    for site in sites:
        s = site.n
        rng = random.Random(s)
        others = [o for o in sites if o.place != site.place]
        own_portal = [o for o in sites if o.place == site.place and o.kind == "portal" and o is not site]

        friends = own_portal + rng.sample(others, min(5, len(others)))

        base = root / site.host
        items: list[tuple[str, str, str, int, str]] = []  # (path, title, date, column, topic)
        for i in range(n_items):
            col = i % len(COLUMNS)
            day = 1 + (i * 7) % 28
            month = 1 + (i // 28) % 12
            topic = rng.choice(corpus.TOPICS)
            items.append((f"/{COLUMNS[col]}/2021{month:02d}/t2021{month:02d}{day:02d}_{100000 + i}.html",
                          _title(col, rng, site, topic), f"2021-{month:02d}-{day:02d}", col, topic))
        (base / "images").mkdir(parents=True, exist_ok=True)
        for name in ("logo.png", "dzjg.png", "jiucuo.png", "banner.jpg") + tuple(f"col{c}.jpg" for c in range(15)):
            (base / "images" / name).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(512)))
        (base / "files").mkdir(exist_ok=True)
        (base / "files" / "report2020.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 20000 + b"\n%%EOF\n")

        def listing(entries: list[tuple[str, str, str, int, str]]) -> str:
            return "".join(f'<li><a href="{p}" title="{t}" target="_blank">{t}</a><span class="date">{d}</span></li>'
                           for p, t, d, _, _ in entries)

        latest = sorted(items, key=lambda x: x[2], reverse=True)
        home_body = (
            f'<div class="banner"><img src="/images/banner.jpg" alt="{site.place}"></div>'
            + "".join(f'<div class="box"><div class="box-hd"><h3>{COLUMN_NAMES[k]}</h3>'
                      f'<a class="more" href="/{c}/">更多&gt;&gt;</a></div><ul class="list">'
                      f'{listing([it for it in latest if it[3] == k][:8])}</ul></div>'
                      for k, c in enumerate(COLUMNS[:6]))
            + '<p><a href="/files/report2020.pdf">2020年政府信息公开工作年度报告</a></p>')
        (base / "index.html").write_text(_shell(site, site.name, home_body, friends, port), "utf-8")
        for k, col in enumerate(COLUMNS):
            own = [it for it in latest if it[3] == k]
            pages = [own[:20] or latest[:20], own[20:40] or latest[20:40]]
            for p, entries in enumerate(pages):
                body = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/{col}/">{COLUMN_NAMES[k]}</a></div>'
                        f'<div class="side"><img src="/images/col{k}.jpg" alt=""></div>'
                        f'<div class="list"><h2>{COLUMN_NAMES[k]}</h2><ul>{listing(entries)}</ul></div>'
                        f'<div class="page"><span>共2页</span><a href="index.html">首页</a>'
                        f'<a href="index_1.html">下一页</a><a href="index_1.html">尾页</a></div>')
                name = "index.html" if p == 0 else "index_1.html"
                (base / col).mkdir(parents=True, exist_ok=True)
                (base / col / name).write_text(_shell(site, COLUMN_NAMES[k], body, friends, port), "utf-8")
        for name, label in extra:
            (base / name).mkdir(exist_ok=True)
            paras = "".join(f"<p>{p}</p>" for p in _paragraphs(0, rng, site, "政务公开"))
            (base / name / "index.html").write_text(
                _shell(site, label, f"<h1>{label}</h1>{paras}", friends, port), "utf-8")
        for i, (path, title, date, col, topic) in enumerate(items):
            related = listing([items[(i + j * 13) % len(items)] for j in range(1, 11)])
            ext = "".join(f'<li><a href="http://{o.host}:{port}/{COLUMNS[rng.randrange(15)]}/">{o.name}</a></li>'
                          for o in rng.sample(others, min(6, len(others))))
            paras = _paragraphs(col, rng, site, topic)
            number = (f' 文号：{site.doc_abbr}〔2021〕{i % 97 + 1}号' if col in (1, 2, 11) else "")
            body = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; '
                    f'<a href="/{COLUMNS[col]}/">{COLUMN_NAMES[col]}</a> &gt; 正文</div>'
                    f'<div class="article"><h1>{title}</h1><div class="info">发布日期：{date} '
                    f'来源：{site.host_org}{number} 【字体：<a href="javascript:void(0)">大</a> '
                    f'<a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a>】</div>'
                    f'<div class="content">{"".join(f"<p>{p}</p>" for p in paras[:2])}'
                    f'<p style="text-align:center"><img src="/images/col{col}.jpg" alt="{topic}"></p>'
                    f'{"".join(f"<p>{p}</p>" for p in paras[2:])}</div>'
                    f'<div class="share">分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a></div>'
                    f'<div class="links"><h3>相关链接</h3><ul>{ext}</ul></div></div>'
                    f'<div class="related"><h3>相关信息</h3><ul class="list">{related}</ul></div>')
            target = base / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_shell(site, title, body, friends, port), "utf-8")
    for host in EXTERNAL_HOSTS:
        (root / host).mkdir(parents=True, exist_ok=True)
        (root / host / "index.html").write_text("<html><body>ok</body></html>", "utf-8")
    (root / "zfwzgl.www.gov.cn" / "exposure").mkdir(exist_ok=True)
    (root / "zfwzgl.www.gov.cn" / "exposure" / "jiucuo.html").write_text("<html><body>找错</body></html>", "utf-8")
    return fixed + n_items


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


NGINX_CONF = """
worker_processes {workers};
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    keepalive_timeout 60;
    open_file_cache max=20000 inactive=60s;
    charset utf-8;
    client_body_temp_path {run}/body; proxy_temp_path {run}/proxy; fastcgi_temp_path {run}/fcgi;
    uwsgi_temp_path {run}/uwsgi; scgi_temp_path {run}/scgi;
    server {{
        listen 127.0.0.1:{port} default_server;
        root {farm}/$host;
        index index.html;
        location / {{ try_files $uri $uri/ =404; }}
    }}
}}
"""


def start_nginx(farm: Path, run: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        sys.exit("nginx not found: install it with `apt-get install -y nginx`")
    conf = run / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=workers, run=run, port=port, farm=farm))
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(run)], stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit(f"nginx did not start: {(run / 'error.log').read_text() if (run / 'error.log').exists() else ''}")


# -- (a) Scrapy ----------------------------------------------------------------------------------

def run_scrapy(port: int, n_sites: int, concurrency: int, per_host: int) -> dict[str, float]:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer
    from twisted.internet.interfaces import IResolverSimple
    from zope.interface import implementer

    @implementer(IResolverSimple)
    class LoopbackResolver:
        """Every name is 127.0.0.1 (the farm's nginx): nothing leaves the machine."""

        def __init__(self, reactor: object) -> None:
            self.reactor = reactor

        @classmethod
        def from_crawler(cls, crawler: object, reactor: object) -> LoopbackResolver:
            return cls(reactor)

        def install_on_reactor(self) -> None:
            self.reactor.installResolver(self)  # type: ignore[attr-defined]

        def getHostByName(self, name: str, timeout: object = ()) -> object:  # noqa: N802 - Twisted API
            return defer.succeed("127.0.0.1")

    counts = {"pages": 0}

    class FarmSpider(scrapy.Spider):
        name = "farm"
        start_urls = [f"http://{site.host}:{port}/" for site in farm_sites(n_sites)]

        def parse(self, response):  # noqa: ANN001, ANN201
            counts["pages"] += 1
            host = response.url.split("/")[2]
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href)
                if url.split("/")[2:3] == [host]:
                    yield scrapy.Request(url, callback=self.parse)

    sys.modules[__name__].LoopbackResolver = LoopbackResolver  # type: ignore[attr-defined]
    process = CrawlerProcess(settings={
        "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": per_host,
        "DOWNLOAD_DELAY": 0, "DNS_RESOLVER": f"{__name__}.LoopbackResolver",
        "USER_AGENT": "scrapy-bench", "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    process.crawl(FarmSpider)
    start, cpu0 = time.monotonic(), time.process_time()
    process.start()
    return {"pages": counts["pages"], "seconds": time.monotonic() - start, "cpu": time.process_time() - cpu0}


# -- (b) govinspect ------------------------------------------------------------------------------------

def run_govinspect(port: int, n_sites: int, concurrency: int, per_host: int, warc_dir: Path,
                   analyse: bool, keep_trees: bool) -> dict[str, float]:
    import asyncio

    from govinspect.fetch.client import Fetcher
    from govinspect.fetch.crawl import crawl_site
    from govinspect.fetch.links import LinkChecker
    from govinspect.registry.models import Site, SiteKind
    from govinspect.settings import Settings

    settings = Settings(
        fetch={"allow_private": True, "resolve": [f"*:{port}:127.0.0.1", "*:80:127.0.0.1", "*:443:127.0.0.1"], "obey_robots": False,
               "global_concurrency": concurrency, "per_host_concurrency": per_host, "per_host_rate": 0.0,
               "retries": 1, "backoff": 0.2},
        crawl={"page_budget": 250, "max_depth": 6, "sites_in_parallel": 16},
    )
    sites = [Site(site_code=f.site_code, name=f.name, homepage=f"http://{f.host}:{port}/", region=f.region,
                  host_org=f.host_org, kind=SiteKind(f.kind)) for f in farm_sites(n_sites)]
    totals = {"pages": 0, "links": 0, "link_requests": 0, "dead": 0}

    async def main() -> None:
        gate = asyncio.Semaphore(settings.crawl.sites_in_parallel)
        async with Fetcher(settings.fetch) as fetcher:
            checker = LinkChecker(fetcher)

            async def one(site: Site) -> None:
                async with gate:
                    crawl = await crawl_site(site, settings, fetcher, checker,
                                             warc_dir / f"{site.site_code}.warc.gz", keep_trees=keep_trees)
                totals["pages"] += len(crawl.pages)
                totals["links"] += len(crawl.links)
                totals["dead"] += sum(1 for r in crawl.links.values() if r.state == "dead")
                if analyse:  # what page checks will read: links with locators, text, footer
                    for page in crawl.pages:
                        _ = page.links, page.text, page.footer_text

            await asyncio.gather(*(one(s) for s in sites))
            totals["link_requests"] = checker.requests
            assert fetcher.guard.lookups == 0, "a name was looked up in DNS: the farm must stay on 127.0.0.1"

    start, cpu0 = time.monotonic(), time.process_time()
    asyncio.run(main())
    return {**totals, "seconds": time.monotonic() - start, "cpu": time.process_time() - cpu0}


def child(args: argparse.Namespace) -> None:
    if args.child == "scrapy":
        out = run_scrapy(args.port, args.sites, args.concurrency, args.per_host)
    else:
        out = run_govinspect(args.port, args.sites, args.concurrency, args.per_host, Path(args.warc_dir),
                             args.child == "govinspect-analyse", not args.release_trees)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(out))


def measure(kind: str, args: argparse.Namespace, port: int, warc_dir: Path) -> dict[str, float]:
    return run_child(kind, port, args.sites, args.concurrency, args.per_host, warc_dir, args.release_trees)


def run_child(kind: str, port: int, n_sites: int, concurrency: int, per_host: int, warc_dir: Path,
              release_trees: bool = False) -> dict[str, float]:
    """Run one side (``scrapy``, ``govinspect``, ``govinspect-analyse``) in its own process; its RESULT."""
    cmd = [sys.executable, __file__, "--child", kind, "--port", str(port), "--sites", str(n_sites),
           "--concurrency", str(concurrency), "--per-host", str(per_host), "--warc-dir", str(warc_dir)]
    if release_trees:
        cmd.append("--release-trees")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.exit(f"{kind} run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


@contextmanager
def served_farm(n_sites: int, n_pages: int, nginx_workers: int, keep: bool = False) -> Iterator[ServedFarm]:
    """Generate the farm in a fresh temporary folder and serve it with nginx for the ``with`` block."""
    work = Path(tempfile.mkdtemp(prefix="govinspect-bench-"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    farm, run = work / "farm", work / "nginx"
    for d in (farm, run):
        d.mkdir()
    started = time.monotonic()
    port = free_port()
    per_site = build_farm(farm, n_sites, n_pages, port)
    print(f"farm: {n_sites} sites x {per_site} pages generated in {time.monotonic() - started:.1f} s under {farm}")
    nginx = start_nginx(farm, run, port, nginx_workers)
    try:
        yield ServedFarm(work, port, per_site, farm_sites(n_sites))
    finally:
        nginx.terminate()
        nginx.wait(10)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


@dataclass
class ServedFarm:
    work: Path  # temporary folder: farm/, nginx/ and whatever the benchmark writes
    port: int
    pages_per_site: int
    sites: list[FarmSite]


def report(name: str, r: dict[str, float]) -> str:
    return (f"{name:<28} {r['pages']:>7.0f} pages {r['seconds']:>7.2f} s {r['pages'] / r['seconds']:>8.1f} pages/s "
            f"{1000 * r['cpu'] / max(r['pages'], 1):>6.2f} ms CPU/page  peak RSS {r['peak_rss_mb']:>6.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--nginx-workers", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the farm and WARC files")
    parser.add_argument("--skip-scrapy", action="store_true")
    parser.add_argument("--analyse", action="store_true", help="also run (b) reading page.links/text/footer")
    parser.add_argument("--release-trees", action="store_true",
                        help="crawl_site(keep_trees=False): drop parse trees after link discovery (less memory)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warc-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with served_farm(args.sites, args.pages, args.nginx_workers, args.keep) as served:
        port = served.port
        warcs = served.work / "warc"
        warcs.mkdir()
        results: dict[str, dict[str, float]] = {}
        if not args.skip_scrapy:
            results["scrapy"] = measure("scrapy", args, port, warcs)
            print(report("(a) scrapy spider", results["scrapy"]))
        results["govinspect"] = measure("govinspect", args, port, warcs)
        g = results["govinspect"]
        print(report("(b) govinspect crawl_site", g))
        print(f"    link/image targets with a status: {g['links']:.0f}, link-check requests: "
              f"{g['link_requests']:.0f}, dead: {g['dead']:.0f}; WARC: "
              f"{sum(f.stat().st_size for f in warcs.iterdir()) / 1e6:.1f} MB")
        if args.analyse:
            results["analyse"] = measure("govinspect-analyse", args, port, warcs)
            print(report("(b+) crawl + page analysis", results["analyse"]))
        if "scrapy" in results:
            a = results["scrapy"]["pages"] / results["scrapy"]["seconds"]
            print(f"ratio (b)/(a) pages/s: {g['pages'] / g['seconds'] / a:.2f}")
            if "analyse" in results:
                r = results["analyse"]
                print(f"ratio (b+)/(a) pages/s: {r['pages'] / r['seconds'] / a:.2f}")


if __name__ == "__main__":
    main()
