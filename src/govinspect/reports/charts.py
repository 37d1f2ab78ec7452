"""Report charts: per-region pass rates (各地区合格率) as SVG (for report.html) and PNG (for XLSX/DOCX).

matplotlib draws on a bare :class:`~matplotlib.figure.Figure` with the Agg/SVG canvases chosen inside the
functions, so importing this module touches no global backend state and pyplot is never used. Chinese
labels need a CJK font: Debian's ``fonts-noto-cjk`` (Noto Sans CJK SC). Without one the chart would show
empty boxes (tofu), so :func:`find_cjk_font` raises :class:`ChartFontError` naming the package instead.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from govinspect.errors import GovinspectError

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties

    from govinspect.reports.context import RegionRow

# Preferred families, best first: Simplified Chinese faces, then other CJK faces that cover 简体 glyphs.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)
_CJK_FILE = re.compile(r"(NotoSans(Mono)?CJK|NotoSerifCJK|SourceHan|wqy|uming|DroidSansFallback)", re.I)
_SAMPLE = "各地区合格率"

MAX_BARS = 60  # a chart with more regions is unreadable; the table still lists every region


class ChartFontError(GovinspectError):
    """No font with Chinese glyphs is installed."""


@dataclass(frozen=True, slots=True)
class Chart:
    svg: str  # standalone SVG document, glyphs drawn as paths (no font needed to view it)
    png: bytes
    font_family: str
    font_path: str


def _covers_cjk(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    charmap = font.get_charmap()
    return all(ord(ch) in charmap for ch in _SAMPLE)


def find_cjk_font(font_path: str | Path | None = None) -> tuple[str, str]:
    """Return ``(family, file)`` of an installed CJK font, looked up now (fonts may be installed late).

    ``font_path`` forces one font file. Raises :class:`ChartFontError` when none covers Chinese.
    """
    from matplotlib import font_manager

    if font_path is not None:
        path = str(font_path)
        if not Path(path).is_file() or not _covers_cjk(path):
            raise ChartFontError(
                f"font {path} is missing or has no Chinese glyphs; "
                "pass a CJK font file or install fonts-noto-cjk"
            )
        font_manager.fontManager.addfont(path)
        return font_manager.FontProperties(fname=path).get_name(), path

    def lookup() -> tuple[str, str] | None:
        by_name: dict[str, str] = {}
        for entry in font_manager.fontManager.ttflist:  # regular weight wins over bold
            if entry.name not in by_name or entry.weight in (400, "normal", "regular"):
                by_name[entry.name] = entry.fname
        for family in CJK_FAMILIES:
            if family in by_name and _covers_cjk(by_name[family]):
                return family, by_name[family]
        return None

    found = lookup()
    if found is None:
        # The font cache predates the font's installation: register CJK files found on disk now.
        for path in font_manager.findSystemFonts():
            if _CJK_FILE.search(Path(path).name):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = lookup()
    if found is None:
        raise ChartFontError(
            "no CJK font found for Chinese chart labels; install one: apt-get install -y fonts-noto-cjk"
        )
    return found


def _font(family: str) -> FontProperties:
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=family)


def region_pass_rate_chart(
    regions: Sequence[RegionRow],
    *,
    title: str = "各地区政府网站检查合格率",
    font_path: str | Path | None = None,
) -> Chart:
    """Horizontal bar chart of each region's pass rate (%), regions with scored sites only."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    family, path = find_cjk_font(font_path)
    fp = _font(family)
    if font_path is not None:
        from matplotlib.font_manager import FontProperties

        fp = FontProperties(fname=str(font_path))

    shown = [r for r in regions if r.pass_rate is not None][:MAX_BARS]
    names = [r.name for r in shown]
    rates = [round((r.pass_rate or 0.0) * 100, 1) for r in shown]

    height = max(2.4, 0.42 * len(shown) + 1.4)
    fig = Figure(figsize=(7.5, height), dpi=100)
    ax = fig.add_subplot()
    positions = list(range(len(shown)))
    colors = ["#2e7d32" if rate >= 100 else "#c62828" for rate in rates]
    ax.barh(positions, rates, color=colors, height=0.6)
    ax.set_yticks(positions)
    ax.set_yticklabels(names, fontproperties=fp)
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel("合格率（%）", fontproperties=fp)
    ax.set_title(title, fontproperties=fp)
    for pos, rate, region in zip(positions, rates, shown, strict=True):
        label = f"{rate:g}%（{region.qualified}/{region.scored}）"
        ax.text(min(rate, 100) + 1, pos, label, va="center", fontproperties=fp, fontsize=8)
    if not shown:
        ax.text(50, 0, "无已评分网站", ha="center", fontproperties=fp)
        ax.set_yticks([])
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    fig.tight_layout()

    from matplotlib import rc_context

    # Glyphs as paths: the SVG needs no font to be viewed; a fixed salt keeps its ids reproducible.
    with warnings.catch_warnings(), rc_context({"svg.fonttype": "path", "svg.hashsalt": "govinspect"}):
        # A missing glyph would draw tofu: fail loudly instead.
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from font.*")
        try:
            svg_buf = io.StringIO()
            FigureCanvasSVG(fig).print_svg(svg_buf, metadata={"Date": None, "Creator": None})
            png_buf = io.BytesIO()
            FigureCanvasAgg(fig).print_png(png_buf, metadata={"Software": None})
        except UserWarning as exc:
            raise ChartFontError(
                f"font {family} ({path}) lacks glyphs for the chart labels ({exc}); install fonts-noto-cjk"
            ) from exc
    return Chart(svg=svg_buf.getvalue(), png=png_buf.getvalue(), font_family=family, font_path=path)
