"""report.html: one self-contained page (inline CSS, the chart as a data: image, no external requests).

Everything from sites and findings is escaped by Jinja2's autoescape; only http(s) URLs become links,
so ``javascript:`` and other schemes stay text. A Content-Security-Policy allows no network at all and
only the one inline filter script (by its hash); the page reads completely without JavaScript. A run
that inspected 政务新媒体 accounts gets a section 七、政务新媒体 (per region, per account, each account's
findings); a run without accounts renders exactly as before.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from govinspect import __version__
from govinspect.reports import labels
from govinspect.reports.context import ReportContext, fmt_number, fmt_percent, is_web_url

EXCERPT_CHARS = 400
MAX_FINDINGS_PER_GROUP = 200  # per site and indicator; report.xlsx and findings.jsonl have every finding
TITLE = "政府网站检查报告"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _finalize(value: object) -> object:
    """Every printed value: C0 control characters (invalid in HTML) become U+FFFD."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return _CONTROL.sub("\ufffd", value)
    return value


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _environment():  # -> jinja2.Environment
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("govinspect.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(
        num=fmt_number,
        pct=fmt_percent,
        clip=_clip,
        href_path=lambda p: quote(p, safe="/"),
    )
    env.filters["is_web_url"] = is_web_url
    return env


def render_html(ctx: ReportContext, *, now: datetime, chart_svg: str | None = None) -> str:
    from markupsafe import Markup

    env = _environment()
    script = env.loader.get_source(env, "filter.js")[0].strip()  # type: ignore[union-attr]
    script_hash = "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode(
        "ascii"
    )
    chart_uri = ""
    if chart_svg:
        chart_uri = "data:image/svg+xml;base64," + base64.b64encode(chart_svg.encode("utf-8")).decode("ascii")
    template = env.get_template("report.html.j2")
    return template.render(
        ctx=ctx,
        now=now,
        title=TITLE,
        version=__version__,
        severity_names=labels.SEVERITY_NAMES,
        run_status_name=labels.RUN_STATUS_NAMES.get(ctx.run_status, ctx.run_status),
        severity_counts=ctx.severity_counts(),
        chart_data_uri=chart_uri,
        excerpt_chars=EXCERPT_CHARS,
        max_findings=MAX_FINDINGS_PER_GROUP,
        script=Markup(script),
        script_hash=script_hash,
    )


def write_html(ctx: ReportContext, path: Path, *, now: datetime, chart_svg: str | None = None) -> Path:
    path.write_text(render_html(ctx, now=now, chart_svg=chart_svg), encoding="utf-8")
    return path
