"""CPU time of the column crawl plan (``ColumnPlan.priority`` and ``role``) over the demo province, per page.

Builds each farm site's pages straight from the generated HTML (no HTTP), parses every page once and
collects its link targets as the crawl does (untimed), then times, with ``time.process_time``, the plan's
calls for every link of every page — one ``priority`` and, when the link is kept, one ``role`` — exactly as
the crawl's discovery step makes them. ``--dump FILE`` writes every (page, link, priority, role) answer so
two versions of the plan can be compared for identical decisions.

    .venv/bin/python benchmarks/plan_speed.py [--sites 36] [--repeat 3] [--dump answers.tsv]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from urllib.parse import urlsplit

from govinspect.archive.pageview import Link, PageView
from govinspect.columns.plan import ColumnPlan
from govinspect.demo.farm import AS_OF, PORT_TOKEN, FarmSite, build_farm
from govinspect.fetch.crawl import extract_targets

PORT = 8000


def site_pages(site: FarmSite) -> list[tuple[PageView, dict[str, str]]]:
    """Every HTML page of ``site`` (homepage first), parsed, with its link targets ``{url: raw_href}``."""
    home_url = site.homepage(PORT)
    out: list[tuple[PageView, dict[str, str]]] = []
    for path, (body, content_type) in site.pages.items():
        if "html" not in content_type:
            continue
        url = home_url.rstrip("/") + path
        depth = len([p for p in urlsplit(url).path.split("/") if p])
        html = body.decode(site.encoding, errors="replace").replace(PORT_TOKEN, str(PORT))
        page = PageView(url, html, depth=min(depth, 4), encoding=site.encoding)
        targets, _ = extract_targets(page)
        out.append((page, targets))
    out.sort(key=lambda p: p[0].final_url != home_url)
    return out


def run(pages: list[tuple[PageView, dict[str, str]]], homepage: str,
        answers: list[str] | None) -> float:
    """Seconds of CPU the plan spends on all links of ``pages`` (a fresh plan, as one site's crawl)."""
    plan = ColumnPlan(homepage, as_of=AS_OF.date())
    started = time.process_time()
    for page, targets in pages:
        depth = page.depth + 1
        for url, raw in targets.items():
            link = Link(url, "", "", raw)
            prio = plan.priority(page, link, depth)
            role = plan.role(page, link) if prio is not None else "-"
            if answers is not None:
                answers.append(f"{page.final_url}\t{url}\t{prio}\t{role}")
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many timed passes")
    parser.add_argument("--dump", type=Path, help="write every answer of the first pass here")
    args = parser.parse_args()
    farm = build_farm(n_sites=args.sites)
    best = float("inf")
    n_pages = n_links = 0
    for attempt in range(args.repeat):
        # fresh pages every pass: what the plan derives from a page (its links, rows) is part of its cost
        sites = [(site_pages(s), s.homepage(PORT)) for s in farm.sites]
        n_pages = sum(len(p) for p, _ in sites)
        n_links = sum(len(t) for p, _ in sites for _, t in p)
        answers: list[str] | None = [] if args.dump and attempt == 0 else None
        total = sum(run(pages, home, answers) for pages, home in sites)
        best = min(best, total)
        if answers is not None and args.dump:
            args.dump.write_text("\n".join(answers) + "\n", encoding="utf-8")
    print(f"{len(sites)} sites, {n_pages} pages, {n_links} links")
    print(f"plan: {best * 1000:.0f} ms CPU, {best * 1000 / n_pages:.3f} ms a page, "
          f"{best * 1e6 / max(1, n_links):.1f} µs a link (best of {args.repeat})")


if __name__ == "__main__":
    main()
