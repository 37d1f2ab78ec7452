"""crawl_site over a loopback site: order, roles, budget, robots, link status, attachments, WARC ids."""

from __future__ import annotations

from pathlib import Path

from govinspect.archive.pageview import PageView
from govinspect.archive.warc import iter_responses
from govinspect.fetch.client import Fetcher
from govinspect.fetch.crawl import DefaultPlan, crawl_site, extract_targets, site_domain
from govinspect.fetch.links import LinkChecker
from govinspect.fetch.types import FailureClass, LinkState
from govinspect.registry.models import Site, SiteKind
from govinspect.settings import Settings
from tests.mockserver import MockServer, mockserver  # noqa: F401 - fixture

COLUMNS = [("zwdt", "政务动态"), ("tzgg", "通知公告"), ("zcwj", "政策文件")]
FOOTER = ('<div class="footer">主办单位：雷州市人民政府办公室 网站标识码：4408820001 '
          '<a href="/about.html">关于我们</a></div>')


def page(title: str, body: str) -> str:
    nav = "".join(f'<li><a href="/{c}/">{name}</a></li>' for c, name in COLUMNS)
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="nav"><ul><li><a href="/">首页</a></li>{nav}</ul></div>{body}{FOOTER}</body></html>')


def build_site(server: MockServer, *, items_per_column: int = 4, port: int) -> None:
    external = f"http://www.gd.gov.cn:{port}"
    server.pages["/"] = (page("雷州市人民政府", (
        '<img src="/img/logo.png" alt="logo"><img src="/img/missing.png" alt="">'
        f'<a href="{external}/ext-ok.html">广东省人民政府</a>'
        '<a href="/files/report.pdf">年度报告</a><a href="/gone.html">失效</a>'
        '<a href="javascript:void(0)">js</a><a href="mailto:a@b.cn">mail</a>')), "text/html")
    server.pages["/img/logo.png"] = (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    server.pages["/files/report.pdf"] = (b"%PDF-1.4\n" + b"x" * 1000, "application/pdf")
    server.pages["/ext-ok.html"] = ("<html>gd</html>", "text/html")
    server.pages["/about.html"] = (page("关于我们", "<p>about</p>"), "text/html")
    for col, name in COLUMNS:
        for n in range(3):  # list page 0 (index) and pagination pages 1, 2
            items = "".join(
                f'<li><a href="./202106/t202106{day:02d}_{col}{n}{i}.html">{name}条目{n}-{i}</a>'
                f'<span>2021-06-{day:02d}</span></li>'
                for i in range(items_per_column) for day in [28 - n * 10 - i])
            pager = '<div class="page"><a href="index_1.html">2</a><a href="index_2.html">3</a></div>'
            path = f"/{col}/" if n == 0 else f"/{col}/index_{n}.html"
            server.pages[path] = (page(name, f'<div class="list"><ul>{items}</ul></div>{pager}'), "text/html")
            for i in range(items_per_column):
                day = 28 - n * 10 - i
                server.pages[f"/{col}/202106/t202106{day:02d}_{col}{n}{i}.html"] = (
                    page(f"{name}条目", f'<p>正文{i}</p><img src="/img/logo.png">'
                                     f'<a href="{external}/ext-ok.html">省政府</a>'), "text/html")


def make_settings(port: int, **crawl: object) -> Settings:
    return Settings(
        fetch={"allow_private": True, "resolve": [f"*:{port}:127.0.0.1"], "retries": 0, "backoff": 0.01,
               "total_timeout": 3.0, "per_host_rate": 0.0, "obey_robots": False},
        crawl={"page_budget": 100, **crawl},
    )


def leizhou(port: int) -> Site:
    return Site(site_code="4408820001", name="雷州市人民政府", homepage=f"http://www.leizhou.gov.cn:{port}/",
                region="广东省/湛江市/雷州市", host_org="雷州市人民政府办公室", kind=SiteKind.PORTAL)


async def run(server: MockServer, tmp_path: Path, settings: Settings, **kw: object):  # noqa: ANN201
    async with Fetcher(settings.fetch) as fetcher:
        return await crawl_site(leizhou(server.port), settings, fetcher, LinkChecker(fetcher, confirm_delay=0),
                                tmp_path / "site.warc.gz", **kw)  # type: ignore[arg-type]


async def test_full_crawl_roles_order_and_links(mockserver: MockServer, tmp_path: Path) -> None:
    build_site(mockserver, port=mockserver.port)
    settings = make_settings(mockserver.port)
    crawl = await run(mockserver, tmp_path, settings)
    base = f"http://www.leizhou.gov.cn:{mockserver.port}"

    assert crawl.homepage is not None and crawl.pages[0] is crawl.homepage
    assert crawl.homepage.role == "homepage" and crawl.homepage.depth == 0
    assert [a.ok for a in crawl.attempts] == [True]
    urls = [p.url for p in crawl.pages]
    # 1 homepage + 3 columns + 6 pagination pages + 36 items + about page
    assert len(urls) == len(set(urls)) == 47
    roles = {p.url: p.role for p in crawl.pages}
    assert roles[f"{base}/tzgg/"] == "column"
    assert roles[f"{base}/tzgg/index_1.html"] == "list"
    assert roles[f"{base}/tzgg/202106/t20210628_tzgg00.html"] == "item"
    assert roles[f"{base}/about.html"] == "other"
    order = {u: i for i, u in enumerate(urls)}
    assert max(order[f"{base}/{c}/"] for c, _ in COLUMNS) < min(
        order[u] for u, r in roles.items() if r in ("list", "item"))
    assert crawl.pages_left_out == 0
    assert all(p.warc_record_id and p.warc_record_id.startswith("<urn:uuid:") for p in crawl.pages)

    links = crawl.links
    assert links[f"{base}/gone.html"].state is LinkState.DEAD and links[f"{base}/gone.html"].status == 404
    assert links[f"{base}/img/logo.png"].state is LinkState.OK
    assert links[f"{base}/img/missing.png"].state is LinkState.DEAD
    ext = f"http://www.gd.gov.cn:{mockserver.port}/ext-ok.html"
    assert links[ext].state is LinkState.OK
    assert links[f"{base}/tzgg/"].state is LinkState.OK and links[f"{base}/tzgg/"].warc_record_id
    assert mockserver.hits["/ext-ok.html"] == 1  # linked from 37 pages, checked once
    assert mockserver.hits["/tzgg/"] == 1  # crawled once, never re-checked
    # every link and image of every page has a status
    for view in crawl.pages:
        for link in view.links:
            assert link.url in links, link.url
        for image in view.images:
            assert image.url in links

    attachments = crawl.extras["attachments"]
    assert [a.url for a in attachments] == [f"{base}/files/report.pdf"]
    assert attachments[0].body.startswith(b"%PDF") and attachments[0].warc_record_id
    assert crawl.extras["spider_view"].title == "雷州市人民政府"
    assert "Baiduspider" in mockserver.requests[1][2]["User-Agent"] or any(
        "Baiduspider" in h.get("User-Agent", "") for _, _, h, _ in mockserver.requests)
    assert dict(crawl.extras["headers"])["Content-Type"].startswith("text/html")
    assert "tls" not in crawl.extras  # http homepage

    view = crawl.to_site_view()
    assert view.homepage is crawl.homepage and view.page(f"{base}/tzgg/") is not None
    assert view.homepage_failure == ""


async def test_budget_and_pages_left_out(mockserver: MockServer, tmp_path: Path) -> None:
    build_site(mockserver, port=mockserver.port)
    crawl = await run(mockserver, tmp_path, make_settings(mockserver.port, page_budget=10))
    base = f"http://www.leizhou.gov.cn:{mockserver.port}"
    crawled = [u for u in crawl.results if not u.endswith(".pdf")]  # the attachment is not a page fetch
    assert len(crawled) == 10  # homepage + 9, one of which (/gone.html) is a 404, not a page
    assert len(crawl.pages) == 9
    discovered = {link.url for view in crawl.pages for link in view.links
                  if link.url.startswith(base) and not link.url.endswith((".pdf", ".png"))}
    assert crawl.pages_left_out == len(discovered - set(crawled)) > 0
    roles = [p.role for p in crawl.pages]
    # pages arrive in completion order; what the plan guarantees is that the budget went to the
    # homepage and every column before any of the 36 items
    assert roles[0] == "homepage" and roles.count("column") == 3
    # pages beyond the budget are still link-checked (HEAD), not left unknown
    assert crawl.links[f"{base}/about.html"].state is LinkState.OK


async def test_max_depth_and_list_pages(mockserver: MockServer, tmp_path: Path) -> None:
    build_site(mockserver, port=mockserver.port)
    shallow = await run(mockserver, tmp_path, make_settings(mockserver.port, max_depth=1))
    assert {p.role for p in shallow.pages} == {"homepage", "column", "other"}
    assert shallow.pages_left_out > 0
    one_list = await run(mockserver, tmp_path, make_settings(mockserver.port, max_list_pages=1))
    assert sum(p.role == "list" for p in one_list.pages) == 3  # index_1 of each column only


async def test_robots_honoured_and_switchable(mockserver: MockServer, tmp_path: Path) -> None:
    build_site(mockserver, port=mockserver.port)
    mockserver.robots = "User-agent: *\nDisallow: /zcwj/\nDisallow: /\n"
    settings = make_settings(mockserver.port)
    settings.fetch.obey_robots = True
    crawl = await run(mockserver, tmp_path, settings)
    assert crawl.homepage is not None  # the homepage is always inspected
    assert [p.role for p in crawl.pages] == ["homepage"]
    assert crawl.extras["robots_disallowed"] == 5  # 3 columns, about.html and gone.html: queued, refused
    # robots.txt read once per origin: this site and www.gd.gov.cn (same test server, two hosts)
    assert mockserver.hits["/zcwj/"] == 0 and mockserver.hits["/robots.txt"] == 2
    base = f"http://www.leizhou.gov.cn:{mockserver.port}"
    assert crawl.links[f"{base}/zcwj/"].failure is FailureClass.ROBOTS

    mockserver.reset()
    settings.fetch.obey_robots = False
    crawl = await run(mockserver, tmp_path, settings)
    assert len(crawl.pages) == 47 and mockserver.hits["/robots.txt"] == 0


async def test_unreachable_homepage_attempts(tmp_path: Path) -> None:
    from tests.mockserver import closed_port

    port = closed_port()
    settings = make_settings(port)
    settings.fetch.retries = 2
    async with Fetcher(settings.fetch) as fetcher:
        crawl = await crawl_site(leizhou(port), settings, fetcher, LinkChecker(fetcher), tmp_path / "x.warc.gz")
    assert crawl.homepage is None and crawl.pages == []
    # three tries, one availability probe: a retry is part of the probe, not another probe
    assert [(a.ok, a.failure) for a in crawl.attempts] == [(False, FailureClass.REFUSED)]
    assert crawl.homepage_result is not None and crawl.homepage_result.attempts == 3
    assert crawl.to_site_view().homepage_failure == "refused"
    archived = list(iter_responses(tmp_path / "x.warc.gz"))
    assert len(archived) == 1 and archived[0][1].failure is FailureClass.REFUSED


async def test_binary_homepage_does_not_crash(mockserver: MockServer, tmp_path: Path) -> None:
    import os

    mockserver.pages["/"] = (os.urandom(20000), "text/html")
    crawl = await run(mockserver, tmp_path, make_settings(mockserver.port))
    assert crawl.homepage is not None and crawl.homepage.html == "" and crawl.homepage.encoding == "binary"
    assert crawl.pages == [crawl.homepage] and crawl.links == {}


def test_extract_targets_matches_pageview_links() -> None:
    html = ('<base href="http://www.a.gov.cn/sub/"><a href="x.html#frag">1</a><a href=" /abs ">2</a>'
            '<a href="//cdn.a.gov.cn/c.js">3</a><a href="../up.html">4</a><a href="?q=1">5</a>'
            '<a href="javascript:void(0)">6</a><a href="HTTP://Www.B.gov.cn/Y">7</a><a href="">8</a>'
            '<a href="x.html">dup</a><a href="mailto:x@y">m</a><a href="ftp://f/">f</a>'
            '<img src="i.png"><img src="/i.png"><img src="data:image/png;base64,xx">')
    view = PageView("http://www.a.gov.cn/dir/page.html", html)
    links, images = extract_targets(view)
    assert list(links) == list(dict.fromkeys(link.url for link in view.links))
    assert list(images) == [i.url for i in view.images]


def test_site_domain() -> None:
    assert site_domain("www.leizhou.gov.cn") == "leizhou.gov.cn"
    assert site_domain("www.gov.cn") == "www.gov.cn"  # never all of gov.cn
    assert site_domain("leizhou.gov.cn") == "leizhou.gov.cn"
    assert site_domain("127.0.0.1") == "127.0.0.1"


def test_default_plan_newest_items_first() -> None:
    html = ('<div class="list"><ul>'
            '<li><a href="a.html">old</a><span>2021-01-02</span></li>'
            '<li><a href="b.html">new</a><span>2021-06-10</span></li>'
            '<li><a href="c.html">mid</a><span>2021-03-05</span></li></ul></div>'
            '<div class="page"><a href="index_1.html">2</a><a href="index_7.html">尾页</a></div>')
    view = PageView("http://www.a.gov.cn/col/", html, role="column")
    plan = DefaultPlan(max_list_pages=3)
    from govinspect.archive.pageview import Link

    prio = {raw: plan.priority(view, Link("http://x/" + raw, "", "", raw), 2)
            for raw in ("a.html", "b.html", "c.html", "index_1.html", "index_7.html")}
    assert prio["b.html"] < prio["c.html"] < prio["a.html"]  # type: ignore[operator]
    assert prio["index_1.html"] < prio["b.html"]  # type: ignore[operator]
    assert prio["index_7.html"] is None  # beyond max_list_pages


async def test_release_trees_keeps_results(mockserver: MockServer, tmp_path: Path) -> None:
    build_site(mockserver, port=mockserver.port)
    settings = make_settings(mockserver.port)
    async with Fetcher(settings.fetch) as fetcher:
        crawl = await crawl_site(leizhou(mockserver.port), settings, fetcher, LinkChecker(fetcher),
                                 tmp_path / "t.warc.gz", keep_trees=False)
    assert len(crawl.pages) == 47
    assert all("tree" not in p.__dict__ for p in crawl.pages[1:])
    item = next(p for p in crawl.pages if p.role == "item")
    assert item.title == "政策文件条目" or item.title.endswith("条目")  # parsed again on demand
    assert all(link.url in crawl.links for link in item.links)


def test_warc_holds_every_crawled_page(tmp_path: Path, mockserver: MockServer) -> None:
    import asyncio

    build_site(mockserver, port=mockserver.port)
    crawl = asyncio.run(run(mockserver, tmp_path, make_settings(mockserver.port)))
    archived = dict(iter_responses(crawl.warc_path))
    for view in crawl.pages:
        assert view.warc_record_id in archived
        assert archived[view.warc_record_id].url == view.url
    home = archived[crawl.homepage.warc_record_id]  # type: ignore[union-attr]
    assert "雷州市人民政府" in home.body.decode()
