"""CPU time of column discovery over the demo province (build_farm), per page.

Builds each farm site's SiteView straight from the generated pages (no HTTP), parses every page once (as
the crawl does), then times ``discover_columns`` alone with ``time.process_time``. Target: < 3 ms a page.

    .venv/bin/python benchmarks/columns_speed.py [--sites 36] [--repeat 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from urllib.parse import urlsplit

from govinspect.archive.pageview import PageView
from govinspect.checks.base import SiteView
from govinspect.columns import discover_columns
from govinspect.demo.farm import PORT_TOKEN, FarmSite, build_farm
from govinspect.registry.models import Site, SiteKind

PORT = 8000
TARGET_MS = 3.0


def site_view(site: FarmSite) -> SiteView:
    """The SiteView a crawl of ``site`` would give: HTML pages decoded, homepage first, depth by path."""
    home_url = site.homepage(PORT)
    pages: list[PageView] = []
    homepage: PageView | None = None
    for n, (path, (body, content_type)) in enumerate(site.pages.items()):
        if "html" not in content_type:
            continue
        url = home_url.rstrip("/") + path
        depth = len([p for p in urlsplit(url).path.split("/") if p])
        role = "homepage" if path == "/" else "other"
        html = body.decode(site.encoding, errors="replace").replace(PORT_TOKEN, str(PORT))
        page = PageView(url, html, role=role, depth=depth,
                        encoding=site.encoding, warc_record_id=f"<urn:uuid:{n:08d}>")
        if role == "homepage":
            homepage = page
            pages.insert(0, page)
        else:
            pages.append(page)
    record = Site(site_code=site.site_code, name=site.name, homepage=home_url, region=site.region,
                  host_org=site.host_org, kind=SiteKind(site.kind))
    return SiteView(site=record, homepage=homepage, pages=pages)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=1, help="time discovery this many times on fresh views")
    parser.add_argument("--include-parse", action="store_true", help="count HTML parsing in the timed part")
    args = parser.parse_args(argv[1:])
    farm = build_farm(n_sites=args.sites)
    best = float("inf")
    n_pages = n_columns = 0
    for _ in range(args.repeat):
        views = [site_view(s) for s in farm.sites if s.pages]
        if not args.include_parse:  # the crawl's PageViews arrive parsed (checks share page.tree)
            for view in views:
                for page in view.pages:
                    _ = page.tree
        n_pages = sum(len(v.pages) for v in views)
        start = time.process_time()
        for view in views:
            view.columns = discover_columns(view, farm.as_of)
        n_columns = sum(len(view.columns) for view in views)
        best = min(best, time.process_time() - start)
    per_page = best * 1000 / max(1, n_pages)
    fetched = sum(c.fetched for v in views for c in v.columns)
    print(f"sites {len(views)}  pages {n_pages}  columns {n_columns} ({fetched} fetched)  "
          f"discover_columns {best:.2f} s CPU  {per_page:.2f} ms/page (target < {TARGET_MS} ms)")
    return 0 if per_page < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
