"""CPU cost of the six content checks per page, against the cost of parsing a page and extracting links.

Runs over the demo farm's HTML pages (``build_farm``: every site's ``.pages``, decoded with the site's
encoding) with fresh :class:`PageView` objects per round:

* ``parse+links``: ``PageView.tree`` and ``PageView.links`` — what the crawl pays for every page anyway;
* ``page.text``: the shared visible text, computed once and read by several checks;
* one line per check: ``content.dark_link`` runs once per site over a :class:`SiteView` (its cost is
  divided by the site's pages), the others once per page.

Prints CPU milliseconds per page (process time, median of ``--rounds``) and the content checks' total as a
share of parse+links. The project target: the content checks together cost less than half the crawl's
CPU time per page (about 1.3–2 ms).

    .venv/bin/python benchmarks/content_speed.py [--rounds 3] [--sites 36] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

CHECK_IDS = ("content.spam", "content.dark_link", "content.test_draft", "privacy.leak",
             "content.wrong_region", "content.serious_error")


def farm_pages(n_sites: int) -> list[tuple[Any, list[tuple[str, str]]]]:
    """(site, [(url, html)]) for every farm site's HTML pages, decoded with the site's encoding."""
    from govinspect.demo.farm import build_farm

    farm = build_farm(n_sites=n_sites)
    out = []
    for site in farm.sites:
        pages = []
        for path, (body, content_type) in site.pages.items():
            if "html" not in content_type:
                continue
            pages.append((f"http://{site.host}{path}", body.decode(site.encoding, errors="replace")))
        out.append((site, pages))
    return out


def one_round(sites: list[tuple[Any, list[tuple[str, str]]]], checks: dict[str, Any]) -> dict[str, float]:
    """Process-time nanoseconds spent in each part over every page of every site."""
    from govinspect.archive.pageview import PageView
    from govinspect.checks.base import CheckContext, Scope, SiteView
    from govinspect.registry.models import Site, SiteKind

    spent: dict[str, int] = defaultdict(int)
    clock = time.process_time_ns
    now = datetime(2021, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    for farm_site, pages in sites:
        site = Site(site_code=farm_site.site_code, name=farm_site.name, homepage=f"http://{farm_site.host}/",
                    region=farm_site.region, host_org=farm_site.host_org,
                    kind=SiteKind.PORTAL if farm_site.kind == "portal" else SiteKind.DEPARTMENT)
        views = []
        for url, html in pages:
            page = PageView(url, html, warc_record_id="<urn:uuid:bench>")
            started = clock()
            page.tree  # noqa: B018 - the parse the crawl pays for
            page.links  # noqa: B018
            spent["parse+links"] += clock() - started
            started = clock()
            page.text  # noqa: B018
            spent["page.text"] += clock() - started
            views.append(page)
        home = next((p for p in views if p.url == site.homepage), views[0] if views else None)
        view = SiteView(site=site, homepage=home, pages=views)
        ctx = CheckContext(as_of=now, site=site, observed_at=now, site_view=view)
        for check_id, check in checks.items():
            started = clock()
            if check.scope is Scope.SITE:
                list(check.run(view, ctx))
            else:
                for page in views:
                    list(check.run(page, ctx))
            spent[check_id] += clock() - started
    return dict(spent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sites", type=int, default=36)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from govinspect.checks.registry import all_check_classes

    sites = farm_pages(args.sites)
    n_pages = sum(len(p) for _, p in sites)
    checks = {cls.id: cls() for cls in all_check_classes() if cls.id in CHECK_IDS}
    one_round(sites[:2], checks)  # warm-up: lexicons, automata, gazetteer
    rounds = [one_round(sites, checks) for _ in range(max(1, args.rounds))]
    parts = ["parse+links", "page.text", *CHECK_IDS]
    ms = {part: statistics.median(r.get(part, 0) for r in rounds) / 1e6 / n_pages for part in parts}
    content = sum(ms[p] for p in parts if p != "parse+links")
    if args.json:
        print(json.dumps({"pages": n_pages, "ms_per_page": {k: round(v, 4) for k, v in ms.items()},
                          "content_total_ms": round(content, 4),
                          "content_share_of_parse": round(content / ms["parse+links"], 3)},
                         ensure_ascii=False))
        return 0
    print(f"{n_pages} pages from {len(sites)} farm sites, median of {len(rounds)} rounds (CPU ms per page)")
    for part in parts:
        print(f"  {part:<24}{ms[part]:>8.3f}")
    share = content / ms["parse+links"]
    print(f"  {'content checks + text':<24}{content:>8.3f}  ({share:.0%} of parse+links)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
