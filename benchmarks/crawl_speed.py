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
from pathlib import Path

COLUMNS = ["zwdt", "tzgg", "zcwj", "zcjd", "rsxx", "czxx", "ghjh", "tjxx", "jyta", "zfcg", "yjgl",
           "hygq", "zwfw", "hdjl", "jgzn"]
COLUMN_NAMES = ["政务动态", "通知公告", "政策文件", "政策解读", "人事信息", "财政信息", "规划计划", "统计信息",
                "建议提案", "政府采购", "应急管理", "惠企政策", "政务服务", "互动交流", "机构职能"]
SENTENCE = ("为深入贯彻落实党中央、国务院决策部署，进一步优化营商环境，提升政务服务水平，"
            "现就做好有关工作通知如下。各镇（街道）、各有关部门要高度重视，认真组织实施，确保各项任务落到实处。")


def site_host(n: int) -> str:
    return f"www.site{n:03d}.gov.cn"


# -- farm ------------------------------------------------------------------------------------------

def _shell(site: int, title: str, body: str, rng: random.Random, n_sites: int, port: int) -> str:
    nav = "".join(f'<li><a href="/{c}/">{name}</a></li>' for c, name in zip(COLUMNS, COLUMN_NAMES, strict=True))
    friends = "".join(
        f'<li><a href="http://{site_host(rng.randrange(n_sites))}:{port}/" target="_blank">兄弟单位{i}</a></li>'
        for i in range(6))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
<meta name="SiteName" content="示例市人民政府{site}"><meta name="SiteDomain" content="{site_host(site)}">
<meta name="SiteIDCode" content="44088200{site:02d}"><link rel="stylesheet" href="/css/main.css">
<script src="/js/jquery.min.js"></script></head>
<body><div class="top"><a href="/"><img src="/images/logo.png" alt="示例市人民政府门户网站"></a>
<div class="search"><form action="/search/"><input name="q"></form></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li>{nav}</ul></div>
<div class="main">{body}</div>
<div class="friend"><ul>{friends}<li><a href="http://www.gov.cn:{port}/">中国政府网</a></li>
<li><a href="http://www.gd.gov.cn:{port}/">广东省人民政府</a></li></ul></div>
<div class="footer"><p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | <a href="/sybz/">使用帮助</a></p>
<p>主办单位：示例市人民政府办公室 网站标识码：44088200{site:02d}</p>
<p><a href="http://beian.miit.gov.cn:{port}/">粤ICP备05083{site:03d}号</a>
<a href="http://www.beian.gov.cn:{port}/?recordcode=4408{site:04d}">粤公网安备 4408{site:04d}号</a></p>
<p><a href="http://bszs.conac.cn:{port}/?method=show&amp;id={site:04d}"><img src="/images/dzjg.png" alt="党政机关"></a>
<a href="http://zfwzgl.www.gov.cn:{port}/?site_code=44088200{site:02d}"><img src="/images/jiucuo.png" alt="我为政府网站找错"></a></p></div>
</body></html>"""


def build_farm(root: Path, n_sites: int, n_pages: int, port: int) -> int:
    """Write the farm under ``root/<host>/``; returns the number of HTML pages per site."""
    extra = ["wzdt", "lxwm", "sybz"]
    fixed = 1 + len(COLUMNS) * 2 + len(extra)  # homepage, column index + index_1, footer pages
    n_items = max(0, n_pages - fixed)
    for s in range(n_sites):
        rng = random.Random(s)
        base = root / site_host(s)
        items: list[tuple[str, str, str]] = []  # (path, title, date)
        for i in range(n_items):
            col = COLUMNS[i % len(COLUMNS)]
            day = 1 + (i * 7) % 28
            month = 1 + (i // 28) % 12
            stamp = f"2021{month:02d}{day:02d}"
            items.append((f"/{col}/2021{month:02d}/t{stamp}_{100000 + i}.html",
                          f"关于做好{COLUMN_NAMES[i % len(COLUMNS)]}相关工作的通知（第{i}号）",
                          f"2021-{month:02d}-{day:02d}"))
        (base / "images").mkdir(parents=True, exist_ok=True)
        for name in ("logo.png", "dzjg.png", "jiucuo.png", "banner.jpg") + tuple(f"col{c}.jpg" for c in range(15)):
            (base / "images" / name).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(512)))
        (base / "files").mkdir(exist_ok=True)
        (base / "files" / "report2020.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 20000 + b"\n%%EOF\n")

        def listing(entries: list[tuple[str, str, str]]) -> str:
            return "".join(f'<li><a href="{p}" title="{t}">{t}</a><span class="date">{d}</span></li>'
                           for p, t, d in entries)

        latest = sorted(items, key=lambda x: x[2], reverse=True)
        home_body = (
            '<div class="banner"><img src="/images/banner.jpg" alt="banner"></div>'
            + "".join(f'<div class="box"><h3><a href="/{c}/">{COLUMN_NAMES[k]}</a></h3><ul class="list">'
                      f'{listing([it for it in latest if it[0].startswith("/" + c + "/")][:8])}</ul></div>'
                      for k, c in enumerate(COLUMNS[:6]))
            + '<p><a href="/files/report2020.pdf">2020年政府信息公开工作年度报告</a></p>')
        (base / "index.html").write_text(_shell(s, f"示例市人民政府{s}", home_body, rng, n_sites, port), "utf-8")
        for k, col in enumerate(COLUMNS):
            own = [it for it in latest if it[0].startswith("/" + col + "/")]
            pages = [own[:20] or latest[:20], own[20:40] or latest[20:40]]
            for p, entries in enumerate(pages):
                body = (f'<div class="crumb"><a href="/">首页</a> &gt; <a href="/{col}/">{COLUMN_NAMES[k]}</a></div>'
                        f'<img src="/images/col{k}.jpg" alt=""><div class="list"><ul>{listing(entries)}</ul></div>'
                        '<div class="page"><a href="index.html">首页</a><a href="index_1.html">下一页</a>'
                        '<a href="index_1.html">尾页</a></div>')
                name = "index.html" if p == 0 else "index_1.html"
                (base / col).mkdir(parents=True, exist_ok=True)
                (base / col / name).write_text(_shell(s, COLUMN_NAMES[k], body, rng, n_sites, port), "utf-8")
        for name in extra:
            (base / name).mkdir(exist_ok=True)
            (base / name / "index.html").write_text(_shell(s, name, f"<p>{SENTENCE * 3}</p>", rng, n_sites, port), "utf-8")
        for i, (path, title, date) in enumerate(items):
            related = listing([items[(i + j * 13) % len(items)] for j in range(1, 11)])
            ext = "".join(f'<a href="http://{site_host(rng.randrange(n_sites))}:{port}/{COLUMNS[rng.randrange(15)]}/">外部链接</a>'
                          for _ in range(6))
            body = (f'<div class="crumb"><a href="/">首页</a> &gt; <a href="{path.rsplit("/", 2)[0]}/">栏目</a></div>'
                    f'<h1>{title}</h1><div class="info">发布日期：{date} 来源：示例市人民政府办公室</div>'
                    f'<div class="content"><p>{SENTENCE * 8}</p><p><img src="/images/col{i % 15}.jpg" alt="配图"></p>'
                    f'<p>{SENTENCE * 6}</p><p>{ext}</p></div>'
                    f'<div class="related"><h3>相关信息</h3><ul class="list">{related}</ul></div>')
            target = base / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_shell(s, title, body, rng, n_sites, port), "utf-8")
    for host in ("www.gov.cn", "www.gd.gov.cn", "beian.miit.gov.cn", "www.beian.gov.cn", "bszs.conac.cn",
                 "zfwzgl.www.gov.cn"):
        (root / host).mkdir(parents=True, exist_ok=True)
        (root / host / "index.html").write_text("<html><body>ok</body></html>", "utf-8")
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
        start_urls = [f"http://{site_host(n)}:{port}/" for n in range(n_sites)]

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
    sites = [Site(site_code=f"44088200{n:02d}", name=f"示例市人民政府{n}", homepage=f"http://{site_host(n)}:{port}/",
                  region="广东省/湛江市/示例县", host_org="示例市人民政府办公室", kind=SiteKind.PORTAL)
             for n in range(n_sites)]
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
    cmd = [sys.executable, __file__, "--child", kind, "--port", str(port), "--sites", str(args.sites),
           "--concurrency", str(args.concurrency), "--per-host", str(args.per_host), "--warc-dir", str(warc_dir)]
    if args.release_trees:
        cmd.append("--release-trees")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.exit(f"{kind} run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


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
    work = Path(tempfile.mkdtemp(prefix="govinspect-bench-"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    farm, run, warcs = work / "farm", work / "nginx", work / "warc"
    for d in (farm, run, warcs):
        d.mkdir()
    t0 = time.monotonic()
    port = free_port()
    per_site = build_farm(farm, args.sites, args.pages, port)
    print(f"farm: {args.sites} sites x {per_site} pages generated in {time.monotonic() - t0:.1f} s under {farm}")
    nginx = start_nginx(farm, run, port, args.nginx_workers)
    try:
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
    finally:
        nginx.terminate()
        nginx.wait(10)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
