"""Pass-rate chart: an installed CJK font (no tofu), reproducible output, a clear error without the font."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from govinspect.reports import charts
from govinspect.reports.charts import ChartFontError, find_cjk_font, region_pass_rate_chart
from govinspect.reports.context import RegionRow, build_context
from tests.test_reports_context import make_run

REGIONS = [
    RegionRow("广州市", 2, 2, 1, 1, 0, 0),
    RegionRow("湛江市", 3, 3, 3, 0, 0, 0),
    RegionRow("广东省（省级）", 1, 0, 0, 0, 0, 1),
]


def test_a_cjk_font_is_installed_and_found():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    family, path = find_cjk_font()
    assert family in charts.CJK_FAMILIES
    assert Path(path).is_file()
    charmap = FT2Font(path).get_charmap()
    assert all(ord(ch) in charmap for ch in "广州市湛江合格率省级")
    assert (
        Path(
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        ).name
        == Path(path).name
    )


def test_svg_draws_every_label_with_real_cjk_glyphs():
    chart = region_pass_rate_chart(REGIONS)
    assert chart.font_family in charts.CJK_FAMILIES
    glyph_ids = set(re.findall(r'<path id="([^"]+)"', chart.svg))
    cjk_fonts = {
        gid.rsplit("-", 1)[0] for gid in glyph_ids if re.search(r"CJK|SourceHan|WenQuanYi|wqy", gid, re.I)
    }
    assert cjk_fonts, f"no CJK glyphs in the SVG: {sorted(glyph_ids)[:5]}"
    assert not [gid for gid in glyph_ids if gid.endswith("-0")], "glyph 0 (.notdef, a tofu box) was drawn"
    assert "<text" not in chart.svg  # glyphs are paths: the SVG shows the same without the font


def test_hostile_region_names_cannot_break_out_of_the_svg():
    hostile = RegionRow("--><script>alert(1)</script><!--", 1, 1, 1, 0, 0, 0)
    svg = region_pass_rate_chart([hostile]).svg
    assert "<script" not in svg and "-->" not in svg.replace("-->\n", "")


def test_png_is_a_png_with_the_bars():
    import io

    from PIL import Image

    chart = region_pass_rate_chart(REGIONS)
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(chart.png)).convert("RGB")
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}
    assert (0x2E, 0x7D, 0x32) in colours and (0xC6, 0x28, 0x28) in colours  # 100 % green, below red


def test_chart_is_reproducible():
    first = region_pass_rate_chart(REGIONS)
    second = region_pass_rate_chart(REGIONS)
    assert first.svg == second.svg
    assert first.png == second.png
    assert "<dc:date>" not in first.svg


def test_regions_without_scored_sites_still_render():
    chart = region_pass_rate_chart([RegionRow("广东省（省级）", 1, 0, 0, 0, 0, 1)])
    assert "<svg" in chart.svg and chart.png


def test_chart_from_a_run_context():
    ctx = build_context(make_run())
    chart = region_pass_rate_chart(ctx.regions)
    assert chart.svg.count('<g id="patch_') >= 3  # background, axes and at least the bars drawn


def test_a_font_without_chinese_is_refused():
    from matplotlib import font_manager

    dejavu = font_manager.findfont("DejaVu Sans", fallback_to_default=True)
    with pytest.raises(ChartFontError, match="fonts-noto-cjk"):
        region_pass_rate_chart(REGIONS, font_path=dejavu)
    with pytest.raises(ChartFontError, match="fonts-noto-cjk"):
        find_cjk_font("/nonexistent/font.ttf")


def test_no_cjk_font_installed_gives_the_install_command(monkeypatch):
    monkeypatch.setattr(charts, "CJK_FAMILIES", ("No Such CJK Family",))
    monkeypatch.setattr(charts, "_CJK_FILE", re.compile(r"^$"))
    with pytest.raises(ChartFontError, match=r"apt-get install -y fonts-noto-cjk"):
        region_pass_rate_chart(REGIONS)


def test_importing_reports_does_not_load_matplotlib():
    code = "import sys, govinspect.reports; print('matplotlib' in sys.modules, 'openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
